/**
 * A device that stops drawing before it is switched off (an EV charger: its level until the car is
 * full, then a few watts) taken out of another device's runs (issue 12). Hand-made, noise-free series.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cyclesInsideRuns } from "../../server/src/correlate/attribution.js";
import { correlate } from "../../server/src/correlate/engine.js";
import { levelBin, type RunMeasurement } from "../../server/src/correlate/runs.js";
import { atLevelMs, taperedOnLevelW, taperedShape } from "../../server/src/correlate/run-shapes.js";
import type { StateEvent } from "../../server/src/correlate/types.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";
import { DAY, HOUR, MINUTE, SECOND, T0, histogram, readings, type Load } from "../helpers/power-series.js";


test("a charger that tapers off is recognised by its switch-offs; an oven whose switch-offs catch its heater is not", () => {
  assert.equal(taperedOnLevelW({ onValues: [7100, 7200, 7000, 7150], offValues: [4, 3, 5, 200] }), 7125);
  assert.equal(taperedOnLevelW({ onValues: [2400, 2410, 2390], offValues: [30, 2400, 30, 2380, 35] }), null);
  assert.equal(taperedOnLevelW({ onValues: [7100, 7200], offValues: [4, 3, 5] }), null);
});

test("a tapering device's shape: its level until its run left it, then its switch-off step; unsure only around the taper", () => {
  const h = histogram([
    [7000, 2 * HOUR],
    [4500, 5 * MINUTE],
    [2500, 5 * MINUTE],
    [500, 5 * MINUTE],
    [0, 5 * HOUR],
  ]);
  const at = atLevelMs(h, 7000);
  assert.equal(at, 2 * HOUR + 5 * MINUTE);
  const { curve, presence } = taperedShape({ from: 0, to: 8 * HOUR }, at, 7000, { levelSigmaW: 100, taperMs: 10 * MINUTE, afterW: 4, tailMs: 0 });
  assert.deepEqual(curve, [
    { from: 0, to: at, powerW: 7000 },
    { from: at, to: 8 * HOUR, powerW: 4 },
  ]);
  assert.deepEqual(
    presence.map((p) => p.sigmaW),
    [100, 3500, 4],
  );
  assert.equal(presence[1]!.to - presence[1]!.from, 10 * MINUTE);
});

test("a dishwasher whose every run has an EV charger start in it is charged what it used, not its 6 W pump edges", () => {
  // Every evening: a dishwasher at 19:00 for 2 h (6 W pump, its 2 kW heater from 0:20 to 0:50 and 1:20 to 1:40);
  // an EV charger on at 20:00 at 7 kW for 2.5 h (its level a few % different each night), a 10-minute taper to
  // 1 kW, then 4 W until 05:00.
  const days = 8;
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let d = 0; d < days; d += 1) {
    const dish = T0 + d * DAY + 19 * HOUR;
    events.push({ t: dish, entityId: "switch.dishwasher", from: "off", to: "on" }, { t: dish + 2 * HOUR, entityId: "switch.dishwasher", from: "on", to: "off" });
    loads.push({ from: dish, to: dish + 2 * HOUR, w: 6 }, { from: dish + 20 * MINUTE, to: dish + 50 * MINUTE, w: 1994 }, { from: dish + 80 * MINUTE, to: dish + 100 * MINUTE, w: 1994 });
    const ev = dish + HOUR;
    const level = 7000 * (1 + 0.02 * ((d % 3) - 1));
    const full = ev + 2.5 * HOUR;
    events.push({ t: ev, entityId: "switch.ev_charger", from: "off", to: "on" }, { t: ev + 9 * HOUR, entityId: "switch.ev_charger", from: "on", to: "off" });
    loads.push({ from: ev, to: full, w: level });
    for (let k = 0; k < 10; k += 1) loads.push({ from: full + k * MINUTE, to: full + (k + 1) * MINUTE, w: level - ((level - 1000) * (k + 1)) / 10 });
    loads.push({ from: full + 10 * MINUTE, to: ev + 9 * HOUR, w: 4 });
  }
  const until = T0 + days * DAY + 12 * HOUR;
  const { profiles } = correlate(readings(loads, until, 5 * SECOND), events, { now: until });
  const dishwasher = profiles.find((p) => p.entityId === "switch.dishwasher")!;
  const trueKwh = (days * (6 * 120 + 1994 * 50)) / 60 / 1000;
  assert.ok(Math.abs(dishwasher.energyKwh! - trueKwh) / trueKwh < 0.1, `dishwasher ${dishwasher.energyKwh} kWh, true ${trueKwh.toFixed(2)} kWh (${dishwasher.energyFrom})`);
});

test("an oven whose switch-offs all found its element off is not taken for a tapering device: a dishwasher beside it keeps its own energy (household 11135)", () => {
  // Its three or four accepted switch-offs all at its 31 W fan; taken for a tapering device, it was taken out of a
  // dishwasher's run at that fan for the 22 minutes they overlapped, and the dishwasher charged +26 % at 1 and 10 s.
  for (const kind of [1, 10] as const) {
    const { error, detail } = learnHousehold(11135, harderSensor(kind)).device("switch.dishwasher");
    assert.ok(Math.abs(error) < 0.12, `${detail} at ${kind} s`);
  }
});

test("a device that tapers shows no more jumps at its level in its runs' last quarter than in their baseline windows; a thermostat's shows many", () => {
  const bins = (n: number) => {
    const b = new Float64Array(42);
    b[levelBin(2400)] = n;
    return b;
  };
  const jumpy = (inside: number, ending: number, outside: number) =>
    ({ integrable: true, jumps: { inside: new Map([["on", { bins: bins(inside), ms: HOUR }]]), ending: { bins: bins(ending), ms: HOUR / 4 }, outside: { bins: bins(outside), ms: HOUR } } }) as unknown as RunMeasurement;
  // An oven: 40 jumps of its element an hour inside its runs, 10 in their last quarter, 2 an hour outside.
  assert.equal(cyclesInsideRuns([jumpy(40, 10, 2), jumpy(38, 9, 1), null], "on", 2400), true);
  // A washer: its heater's jumps in the first part of its runs, none at its end; an EV charger: none at all.
  assert.equal(cyclesInsideRuns([jumpy(30, 0, 2), jumpy(28, 1, 2)], "on", 2400), false);
  assert.equal(cyclesInsideRuns([jumpy(0, 0, 2), jumpy(1, 0, 2)], "on", 2400), false);
  // Too few jumps to say.
  assert.equal(cyclesInsideRuns([jumpy(3, 3, 0)], "on", 2400), false);
});
