/**
 * An EV charger used once or twice in two weeks: on at 7 kW, tapering as the car fills, then drawing 4 W until it is
 * switched off. One switch-on and one switch-off are too few to learn a step from, and with two runs the step (7 kW)
 * says nothing of what the runs used. The runs together stand far above what else can have moved them
 * (`contaminationW`), so the device is charged what its runs used (`fewRunsOwnIntegrals`, issue 12).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fewRunsOwnIntegrals } from "../../server/src/correlate/attribution.js";
import { correlate } from "../../server/src/correlate/engine.js";
import type { StateEvent } from "../../server/src/correlate/types.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";
import { DAY, HOUR, MINUTE, T0, readings, type Load } from "../helpers/power-series.js";

/** A charge from `start`: 7 kW for 3 h, 3 kW for an hour, then 4 W for 2 h; its true energy, kWh. */
function charge(start: number): { loads: Load[]; events: StateEvent[]; kwh: number } {
  const loads = [
    { from: start, to: start + 3 * HOUR, w: 7000 },
    { from: start + 3 * HOUR, to: start + 4 * HOUR, w: 3000 },
    { from: start + 4 * HOUR, to: start + 6 * HOUR, w: 4 },
  ];
  const events: StateEvent[] = [
    { t: start, entityId: "switch.ev_charger", from: "off", to: "on" },
    { t: start + 6 * HOUR, entityId: "switch.ev_charger", from: "on", to: "off" },
  ];
  return { loads, events, kwh: 7 * 3 + 3 + 0.004 * 2 };
}

/** A 60 W lamp switched every evening, so that the household has other devices. */
function lamp(days: number): { loads: Load[]; events: StateEvent[] } {
  const starts = Array.from({ length: days }, (_, d) => T0 + d * DAY + 18 * HOUR + 7 * MINUTE);
  return {
    loads: starts.map((t) => ({ from: t, to: t + 2 * HOUR, w: 60 })),
    events: starts.flatMap((t) => [
      { t, entityId: "switch.lamp", from: "off", to: "on" },
      { t: t + 2 * HOUR, entityId: "switch.lamp", from: "on", to: "off" },
    ]),
  };
}

function ev(charges: number[]) {
  const days = 6;
  const runs = charges.map(charge);
  const other = lamp(days);
  const until = T0 + days * DAY;
  const samples = readings([...runs.flatMap((r) => r.loads), ...other.loads], until, 10_000);
  const events = [...runs.flatMap((r) => r.events), ...other.events].sort((a, b) => a.t - b.t);
  const profile = correlate(samples, events, { now: until }).profiles.find((p) => p.entityId === "switch.ev_charger")!;
  return { profile, kwh: runs.reduce((s, r) => s + r.kwh, 0) };
}

test("an EV charger used once is charged what its one run used", () => {
  const { profile, kwh } = ev([T0 + DAY + 22 * HOUR]);
  assert.equal(profile.published, true);
  assert.equal(profile.energyFrom, "while-on");
  assert.equal(profile.status, "estimated");
  assert.ok(Math.abs(profile.energyKwh! / kwh - 1) < 0.03, `${profile.energyKwh} kWh, true ${kwh}`);
});

test("an EV charger used twice, its step 7 kW and its runs far below it, is charged what its runs used", () => {
  const { profile, kwh } = ev([T0 + DAY + 22 * HOUR, T0 + 3 * DAY + 22 * HOUR]);
  assert.equal(profile.published, true);
  assert.equal(profile.energyFrom, "while-on");
  assert.ok(Math.abs(profile.energyKwh! / kwh - 1) < 0.03, `${profile.energyKwh} kWh, true ${kwh}`);
});

test("an EV charger switched on once in two weeks beside a full household is learned (household 6101, every 60 s)", () => {
  const { profile, error, detail } = learnHousehold(6101, harderSensor(60)).device("switch.ev_charger");
  assert.equal(profile.published, true, detail);
  assert.ok(Math.abs(error) < 0.1, detail);
});

test("a small switch used once is not charged its run: a microwave inside an hour's run could be most of it", () => {
  const start = T0 + DAY + 20 * HOUR;
  const other = lamp(4);
  const until = T0 + 4 * DAY;
  const samples = readings([{ from: start, to: start + HOUR, w: 150 }, ...other.loads], until, 10_000);
  const events: StateEvent[] = [
    { t: start, entityId: "switch.heater", from: "off", to: "on" },
    { t: start + HOUR, entityId: "switch.heater", from: "on", to: "off" },
    ...other.events,
  ].sort((a, b) => a.t - b.t);
  const profile = correlate(samples, events, { now: until }).profiles.find((p) => p.entityId === "switch.heater")!;
  assert.equal(profile.published && profile.energyKwh !== null, false, `${profile.status} ${profile.energyFrom} ${profile.energyKwh} kWh`);
});

test("runs charged their own integrals only when every closed run was measured, few, and together far above what can have moved them", () => {
  const unknownStep = { states: new Map([["on", { powerW: null, unattributable: false }]]) } as unknown as Parameters<typeof fewRunsOwnIntegrals>[0];
  const knownStep = { states: new Map([["on", { powerW: 7000, unattributable: false }]]) } as unknown as Parameters<typeof fewRunsOwnIntegrals>[0];
  // A six-hour charge at 4 kW mean beside baselines 60 W apart: its contamination is 60 W + 2 kW x 10 min over 6 h (56 W).
  const charge = { total: 4000 * 6 * 3_600_000, totalOnMs: 6 * 3_600_000, baselineGapW: 60, uncertaintyW: 0 };
  assert.equal(fewRunsOwnIntegrals(unknownStep, [charge], 1), true);
  assert.equal(fewRunsOwnIntegrals(unknownStep, [charge], 2), false, "a closed run not measured (an outage)");
  assert.equal(fewRunsOwnIntegrals(knownStep, [charge], 1), false, "a step that stands");
  assert.equal(fewRunsOwnIntegrals(unknownStep, [charge, charge, charge], 3), false, "enough runs for the usual rules");
  assert.equal(fewRunsOwnIntegrals(unknownStep, [{ ...charge, baselineGapW: 1200 }], 1), false, "baselines too far apart");
  // Asked of the runs together: a short charge at 1.6 kW, 640 W movable, beside a 3.7 kW one with 140 W movable.
  const short = { total: 1600 * 6 * 3_600_000, totalOnMs: 6 * 3_600_000, baselineGapW: 600, uncertaintyW: 0 };
  const long = { total: 3700 * 7 * 3_600_000, totalOnMs: 7 * 3_600_000, baselineGapW: 100, uncertaintyW: 0 };
  assert.equal(fewRunsOwnIntegrals(unknownStep, [short, long], 2), true, "together far above what can have moved them");
  assert.equal(fewRunsOwnIntegrals(unknownStep, [short, short], 2), false, "two runs each 2.5 times what can have moved them");
  assert.equal(fewRunsOwnIntegrals(unknownStep, [long, { ...short, total: -short.total }], 2), false, "a run that drew nothing");
});

test("EV chargers used twice, one charge short and beside uncertain neighbours, are charged their runs (households 6104, 11003)", () => {
  for (const seed of [6104, 11003]) {
    const { profile, error, detail } = learnHousehold(seed, harderSensor(1)).device("switch.ev_charger");
    assert.equal(profile.published, true, detail);
    assert.ok(Math.abs(error) < 0.06, detail);
  }
});
