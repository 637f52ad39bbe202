/**
 * A meter whose clock is off HA's: each change shows in its readings some seconds after HA stamps the switching
 * (inside the window after) or before it (inside the window before), and the steps miss part of it the same way at
 * every event. Hand-made series read every second, and a short harder household.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import { mostlyWithSwitching, movedLittle } from "../../server/src/correlate/learn.js";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";
import { readSensor } from "../../server/src/simulate/household/sensors.js";
import { simulateVaryingHousehold } from "../../server/src/simulate/household/varying.js";
import { scoreVaryingHousehold } from "../../server/src/simulate/household/varying-metrics.js";
import { VARYING_SENSORS } from "../bench/correlation-varying.js";
import { HOUR, MINUTE, SECOND, T0, readings, type Load } from "../helpers/power-series.js";

test("a meter's moves say its clock is off only when they are clearly more often in the switching's direction than against it", () => {
  const alternating = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1.5 : -1.2));
  assert.equal(mostlyWithSwitching(alternating), false);
  // 28 of 40 in the switching's direction: (28 - 12) / √40 = 2.5 standard deviations, not enough.
  assert.equal(mostlyWithSwitching(Array.from({ length: 40 }, (_, i) => (i < 28 ? 1 : -1))), false);
  // 30 of 40: 3.2.
  assert.equal(mostlyWithSwitching(Array.from({ length: 40 }, (_, i) => (i < 30 ? 1 : -1))), true);
  // Too few to say anything about a meter, however clear.
  assert.equal(mostlyWithSwitching(Array.from({ length: 20 }, () => 2)), false);
  // Zeros (the same reading held at both windows) count neither way.
  assert.equal(mostlyWithSwitching([...Array.from({ length: 100 }, () => 0), ...alternating]), false);
});

test("on a meter whose clock is off, a level's own moves clear it only when they are clearly within half its confident tolerance", () => {
  // A 2 kW kettle (tolerance 100 W): its moves scatter by some 10 W around 5 W.
  assert.equal(movedLittle([5, -15, 20, 8, -3, 12, 0, 6], 2000), true);
  // An 8 W light (tolerance 2 W) whose moves agree closely around zero.
  assert.equal(movedLittle([0.1, -0.2, 0.3, 0, -0.1, 0.2, 0.1, -0.3], 8), true);
  // One whose moves are a median 1.85 W, within its tolerance but not within half of it.
  assert.equal(movedLittle([1.8, 2.5, 1.2, 0.5, 2.0, 1.9, 3.0, -0.5], 8), false);
  // One whose moves are about zero but too scattered to show it.
  assert.equal(movedLittle([0, 3, -3, 4, -4, 0.2, -0.2, 5], 8), false);
  // Too few to show anything.
  assert.equal(movedLittle([0, 0, 0, 0], 2000), false);
});

/** Deterministic noise with a standard deviation of about `sigma` W (the sum of four uniform draws). */
function noise(sigma: number): (i: number) => number {
  let state = 12345;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const values = Array.from({ length: 1 << 16 }, () => (uniform() + uniform() + uniform() + uniform() - 2) * sigma * Math.sqrt(3));
  return (i) => values[i % values.length]!;
}

/** Four lights, each switched on 24 times for 10 to 20 minutes, at their own minutes of the hour (none inside another's windows). */
const LIGHTS = [
  { id: "light.hall", w: 8, minute: 5 },
  { id: "light.bedside", w: 12, minute: 30 },
  { id: "light.porch", w: 40, minute: 17 },
  { id: "light.kitchen", w: 60, minute: 42 },
];

/**
 * The lights read every second with 4 W of noise, each change showing `delayMs` after HA's event (before it when
 * negative); `delayMs` may be one light's only, and `runs` how many runs that light has (24 each by default).
 */
function household(delayMs: number, only?: { entityId: string; runs: number }): { samples: PowerSample[]; events: StateEvent[]; until: number } {
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (const light of LIGHTS) {
    const mine = only === undefined || only.entityId === light.id;
    for (let i = 0; i < (only?.entityId === light.id ? only.runs : 24); i += 1) {
      const delay = mine ? delayMs : 0;
      const on = T0 + HOUR + i * HOUR + light.minute * MINUTE;
      const off = on + 20 * MINUTE - 5 * MINUTE * (i % 3);
      loads.push({ from: on + SECOND + delay, to: off + SECOND + delay, w: light.w });
      events.push({ t: on, entityId: light.id, from: "off", to: "on" }, { t: off, entityId: light.id, from: "on", to: "off" });
    }
  }
  const until = T0 + 27 * HOUR;
  const wobble = noise(4);
  const samples = readings(loads, until).map((s, i) => ({ t: s.t, w: s.w + wobble(i) }));
  return { samples, events: events.sort((a, b) => a.t - b.t), until };
}

function profilesOf(delayMs: number, only?: { entityId: string; runs: number }) {
  const h = household(delayMs, only);
  const profiles = correlate(h.samples, h.events, { now: h.until }).profiles;
  assert.equal(profiles.length, LIGHTS.length);
  return profiles.map((p) => ({ ...p, label: `${p.entityId} ${p.powerW?.toFixed(2)} W ${p.status} (lags ${p.lagS.on} / ${p.lagS.off} s)` }));
}

const trueW = (entityId: string) => LIGHTS.find((l) => l.id === entityId)!.w;

test("on time, every light is confident", () => {
  for (const p of profilesOf(0)) assert.equal(p.status, "confident", p.label);
});

test("on a meter whose changes show 10 s after HA's events, the lights are learned from the steps 30 s later, at their levels, and are not confident", () => {
  // Guards `mostlyWithSwitching` after the windows, and the lag it has the steps taken from. The first 9 s of the
  // window after each event (2 to 32 s after it) still hold the old level, and the median over it falls short of the
  // new level the same way at every event; the steps at the next lag, 30 s later, have the whole change. Each light's
  // moves are too small or too scattered to say so (`movedWithSwitching`): without the rule, the 8 W light was
  // labelled confident at 6.3 W and the 60 W one at 57.8 W. The meter's moves say it: 175 of its 192 are in the
  // switching's direction (on time, 105). From the next lag, all four are within 0.4 W; none is confident, their steps
  // at the first lag having missed part of their change (`movedLittle`).
  for (const p of profilesOf(10 * SECOND)) {
    assert.deepEqual(p.lagS, { on: 30, off: 30 }, p.label);
    assert.ok(Math.abs(p.powerW! - trueW(p.entityId)) <= 0.5, p.label);
    assert.notEqual(p.status, "confident", p.label);
  }
});

test("on a meter whose changes show 12 s before HA's events, the lights are learned from the window before their windows before, at their levels", () => {
  // Guards `EventMeasurement.earlyLags` (an integration that polls its device stamps each switching 10-30 s after the
  // load changed: the same for the meter). The window before each event holds the new level for its last 9 s, and the
  // steps fall short the same way at every event; the window one width earlier holds none of it. Without them the 8 W
  // light was learned at 6.4 W and the 12 W one at 10.2 W.
  for (const p of profilesOf(-12 * SECOND)) assert.ok(Math.abs(p.powerW! - trueW(p.entityId)) <= 0.5, p.label);
});

test("one light whose changes show 20 s before its events, among lights on time, is learned from the window before the usual one", () => {
  // Guards `changesShowBefore` (an integration that polls one device, the others reporting on time). Its 32 switchings
  // are too few of the meter's 176 for the meter-wide test; its own moves before its windows are nearly all up at its
  // switch-ons and down at its switch-offs, by most of its step. Without it the 12 W light was learned at 1.8 W.
  const profiles = profilesOf(-20 * SECOND, { entityId: "light.bedside", runs: 16 });
  for (const p of profiles) {
    assert.ok(Math.abs(p.powerW! - trueW(p.entityId)) <= 0.5, p.label);
    assert.equal(p.status, p.entityId === "light.bedside" ? "estimated" : "confident", p.label);
  }
});

test("the steps shown for a light learned from the window before the usual one are those it was learned from, each accepted or with its reason", () => {
  // A switch-on 40 s after a switch-off of its own leaves no room for the earlier window: it shows as a short window.
  const h = household(-20 * SECOND, { entityId: "light.bedside", runs: 16 });
  const quick = { t: h.events.find((e) => e.entityId === "light.bedside" && e.to === "off")!.t + 40 * SECOND, entityId: "light.bedside", from: "off", to: "on" };
  const events = [...h.events, quick, { ...quick, t: quick.t + 2 * MINUTE, from: "on", to: "off" }].sort((a, b) => a.t - b.t);
  const steps = correlate(h.samples, events, { now: h.until }).steps.filter((s) => s.entityId === "light.bedside");
  for (const s of steps) assert.ok(s.accepted !== (s.reason !== null), `${s.t} ${s.kind} accepted ${s.accepted} reason ${s.reason}`);
  const accepted = steps.filter((s) => s.accepted && s.kind === "on");
  assert.ok(accepted.length >= 10);
  for (const s of accepted) assert.ok(Math.abs(s.stepW! - 12) <= 3, `${s.stepW} W`);
  assert.equal(steps.find((s) => s.t === quick.t)?.reason, "short-window");
});

test("on a meter whose changes show 12 s before HA's events, no light is confident", () => {
  // Guards `mostlyWithSwitching` before the windows. The window before each event (33 to 3 s before it) holds the new
  // level for its last 8 s: without the rule, all four lights were labelled confident, the 8 W one at 6.4 W and the
  // 12 W one at 10.2 W. The meter's moves before the windows say it: 173 of its 192 (on time, 96).
  for (const p of profilesOf(-12 * SECOND)) assert.notEqual(p.status, "confident", p.label);
});

test("a harder household read every second by a meter whose clock runs 12 s behind HA's has no confident level off by more than max(2 W, 10 %)", () => {
  // Guards `mostlyWithSwitching` on the simulator's household (seed 40, four days): without the rule, its 12 W bedside
  // light was labelled confident at 8.9 W.
  const house = simulateVaryingHousehold({ seed: 40, days: 4 });
  const samples = readSensor(house, VARYING_SENSORS[0]!.model, 40).map((s) => ({ t: s.t + 12 * SECOND, w: s.w }));
  const profiles = correlate(samples, house.events, { now: house.end + 12 * SECOND }).profiles;
  const score = scoreVaryingHousehold(house, profiles);
  const misses = score.confidentMisses;
  assert.deepEqual(misses, [], misses.map((m) => `${m.entityId} ${m.state}${m.level ? ` ${m.level}` : ""}: ${m.powerW.toFixed(1)} W, true ${m.truePowerW.toFixed(1)} W`).join("; "));
  assert.ok(score.confident > 0, "some levels are confident, from the steps 30 s after the events");
});

test("on a meter whose changes show 5 s before HA's events, the steps are the windows' medians, not levels walked from the events", () => {
  // Guards `walkedStepsShort`. Each change shows 4 s before its event, 1 s inside the window before it: a level walked
  // back from the event (`walkedLevel`) starts on the new level, and without the rule the 12 W light was labelled
  // confident at 10.0 W. Too little of each window to move its median or the moves before it (`movedBeforeW`), but
  // the walked steps are short of the windows' at nearly every event.
  for (const p of profilesOf(-5 * SECOND)) assert.ok(Math.abs(p.powerW! - trueW(p.entityId)) <= Math.max(1, 0.1 * trueW(p.entityId)), p.label);
});

test("a harder household whose switchings HA stamps 10-30 s late, read every 10 s, is learned from the windows before the windows before", () => {
  // Guards `EventMeasurement.earlyLags` on the simulator's household (seed 41, four days), as an integration that polls
  // its devices stamps their switchings. Without them the window before holds the change at most events, most steps
  // are judged noisy or come out short, and only 3 of the 14 devices had their energy published, the 8 W hall light's
  // power 27 % high; with them 10, the lights and the kettle within 5 %.
  const house = simulateVaryingHousehold({ seed: 41, days: 4, latenessS: [10, 30] });
  const samples = readSensor(house, VARYING_SENSORS[1]!.model, 41);
  const score = scoreVaryingHousehold(house, correlate(samples, house.events, { now: house.end }).profiles);
  const label = score.entities.map((e) => `${e.entityId} ${e.powerError === null ? "-" : (e.powerError * 100).toFixed(1)} %`).join(", ");
  assert.ok(score.entities.filter((e) => e.energyError !== null).length >= 10, label);
  for (const e of score.entities.filter((x) => x.singleLevel)) assert.ok(e.powerError !== null && Math.abs(e.powerError) <= 0.05, label);
  assert.deepEqual(score.confidentMisses, []);
});
