/**
 * When a learned level may be labelled confident: not when the load changed before HA stamped its events,
 * not when the sensor reads in steps coarser than the tolerance, not with a standard error above half of it.
 * Hand-made series read every second.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import { movedWithSwitching } from "../../server/src/correlate/learn.js";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";
import { HOUR, MINUTE, SECOND, T0, readings, type Load } from "../helpers/power-series.js";

const ID = "light.test";

/** A small deterministic wobble (W), so that windows are not perfectly flat: -1.5 .. +1.5. */
const wobble = (t: number) => (((t / SECOND) * 7919) % 31) / 10 - 1.5;

/**
 * Other loads in the middle of run `i` (from 5 minutes after its start to 5 minutes before its end), as often
 * below as above: a busy household, whose runs say too little to contradict the steps (`runsContradict`).
 */
const BUSY_W = [80, -80, 60, -60, 100, -100];
const busy = (i: number, on: number, off: number): Load => ({ from: on + 5 * MINUTE, to: off - 5 * MINUTE, w: BUSY_W[i % BUSY_W.length]! });

function profileOf(samples: PowerSample[], events: StateEvent[], until: number) {
  const p = correlate(samples, events, { now: until }).profiles.find((x) => x.entityId === ID);
  assert.ok(p, "a profile");
  return p;
}

test("moves before the events say the load changed before HA stamped them only when they are clearly in the switching's direction", () => {
  // On time: other loads and drift, as often up as down.
  assert.equal(movedWithSwitching([3, -2, 0.5, -1, 4, -3, 1, -0.5], 40), false);
  // Too few to tell.
  assert.equal(movedWithSwitching([30, 30, 30, 30], 10), false);
  // Most events see the level's change in the window before: late events.
  assert.equal(movedWithSwitching([29, 31, 30, 0.5, 28, 30, 32, -1], 10), true);
  // In the switching's direction, but within the tolerance of the level.
  assert.equal(movedWithSwitching([1.5, 1.8, 1.2, 1.6, 1.9, 1.4], 40), false);
});

test("a device whose load mostly changes 25 s before HA stamps its events is not confident at the small step left at the event", () => {
  // Guards `movedWithSwitching`. A 40 W device whose state an integration polls: its load comes on to 30 W 25 s before
  // the switch-on is stamped and rises to 40 W at it; at the switch-off it falls to 10 W 25 s before the stamp and to
  // 0 at it. The window before each event (3 to 33 s before it) holds mostly the new level, so both edges show 10 W and
  // agree: without the rule, it was labelled confident at 10 W (truth 40 W) in a busy household (`busy`).
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let i = 0; i < 12; i += 1) {
    const on = T0 + 2 * HOUR + i * HOUR;
    const off = on + 30 * MINUTE;
    loads.push({ from: on - 25 * SECOND, to: on, w: 30 }, { from: on, to: off - 25 * SECOND, w: 40 }, { from: off - 25 * SECOND, to: off, w: 10 }, busy(i, on, off));
    events.push({ t: on, entityId: ID, from: "off", to: "on" }, { t: off, entityId: ID, from: "on", to: "off" });
  }
  const until = T0 + 16 * HOUR;
  const samples = readings(loads, until).map((s) => ({ t: s.t, w: s.w + wobble(s.t) }));
  const p = profileOf(samples, events, until);
  assert.ok(p.powerW !== null && Math.abs(p.powerW - 10) < 2, `the step at the events is about 10 W: ${p.powerW}`);
  assert.notEqual(p.status, "confident", `${p.powerW} W labelled confident`);
});

test("a device whose load comes on and goes off in two stages, the second 20 s after HA stamps each event, is not confident at its first stage", () => {
  // Guards `movedWithSwitching` after the windows (as a meter whose clock runs behind HA's shows each change late). A
  // 60 W device reaching 30 W at the switch-on and 60 W 20 s later, falling to 30 W at the switch-off and to 0 20 s
  // later: the window after each event (2 to 32 s after it) holds mostly the first stage, so both edges show 30 W and
  // agree; without the rule, it was labelled confident at 30 W (truth 60 W) in a busy household (`busy`).
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let i = 0; i < 12; i += 1) {
    const on = T0 + 2 * HOUR + i * HOUR;
    const off = on + 30 * MINUTE;
    loads.push({ from: on + SECOND, to: off + 20 * SECOND, w: 30 }, { from: on + 20 * SECOND, to: off + SECOND, w: 30 }, busy(i, on, off));
    events.push({ t: on, entityId: ID, from: "off", to: "on" }, { t: off, entityId: ID, from: "on", to: "off" });
  }
  const until = T0 + 16 * HOUR;
  const samples = readings(loads, until).map((s) => ({ t: s.t, w: s.w + wobble(s.t) }));
  const p = profileOf(samples, events, until);
  assert.ok(p.powerW !== null && Math.abs(p.powerW - 30) < 3, `the step at the events is about 30 W: ${p.powerW}`);
  assert.notEqual(p.status, "confident", `${p.powerW} W labelled confident`);
});

test("a light read in 10 W steps (kW with two decimals) is not confident about its 12 W; read in 0.1 W steps, it is", () => {
  // Guards the reading step (`readingQuantumW`). A 12 W light, 12 runs; the readings carry ±1.5 W of wobble and are
  // rounded to 10 W. Each window's median is a multiple of 5 or 10 W, the same way at every event: without the rule it
  // was labelled confident at 10 W in a busy household (`busy`). Read in 0.1 W steps, the same light is confident within 2 W of 12 W.
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let i = 0; i < 12; i += 1) {
    const on = T0 + 2 * HOUR + i * HOUR;
    const off = on + 30 * MINUTE;
    loads.push({ from: on + SECOND, to: off + SECOND, w: 12 }, busy(i, on, off));
    events.push({ t: on, entityId: ID, from: "off", to: "on" }, { t: off, entityId: ID, from: "on", to: "off" });
  }
  const until = T0 + 16 * HOUR;
  // The base load drifts by ±30 W over six hours, so the readings take many values.
  const drift = (t: number) => 30 * Math.sin((2 * Math.PI * (t - T0)) / (6 * HOUR));
  const fine = readings(loads, until).map((s) => ({ t: s.t, w: Math.round((s.w + drift(s.t) + wobble(s.t)) * 10) / 10 }));
  const coarse = fine.map((s) => ({ t: s.t, w: Math.round(s.w / 10) * 10 }));
  const f = profileOf(fine, events, until);
  assert.equal(f.status, "confident", `read in 0.1 W steps: ${f.powerW} W ${f.status}`);
  assert.ok(Math.abs(f.powerW! - 12) < 2);
  const c = profileOf(coarse, events, until);
  assert.notEqual(c.status, "confident", `read in 10 W steps: ${c.powerW} W labelled confident`);
});

test("a level whose standard error is more than half the confident tolerance is not confident", () => {
  // Guards `CONFIDENT_SE_SHARE`. A 40 W device drawing a different level each run (32 to 48 W), its edges agreeing
  // run by run: its standard error comes out between 1 and 2 W, within the 2 W tolerance but above half of it.
  const levels = [32, 48, 35, 45, 38, 42, 33, 47, 40, 36, 44, 39];
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  levels.forEach((w, i) => {
    const on = T0 + 2 * HOUR + i * HOUR;
    const off = on + 30 * MINUTE;
    loads.push({ from: on + SECOND, to: off + SECOND, w });
    events.push({ t: on, entityId: ID, from: "off", to: "on" }, { t: off, entityId: ID, from: "on", to: "off" });
  });
  const until = T0 + 16 * HOUR;
  const samples = readings(loads, until).map((s) => ({ t: s.t, w: s.w + wobble(s.t) }));
  const p = profileOf(samples, events, until);
  assert.ok(p.standardErrorW! > 1 && p.standardErrorW! <= 2, `se ${p.standardErrorW} W, for the test to mean anything`);
  assert.notEqual(p.status, "confident", `${p.powerW} W (se ${p.standardErrorW} W) labelled confident`);
});
