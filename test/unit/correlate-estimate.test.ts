/**
 * How a state's steps are summed up: the median, or Tukey's biweight where the steps have a
 * near-normal core (a periodic sensor read every 10 s or faster). Hand-made samples.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import { locationFor, stepNoiseFor } from "../../server/src/correlate/sensor-rules.js";
import { windowGeometry } from "../../server/src/correlate/sensor.js";
import { estimate, rampDeficitWattMs, stepWeight } from "../../server/src/correlate/learn.js";
import { isGhostRun } from "../../server/src/correlate/ghosts.js";
import { biweightLocation, median } from "../../server/src/correlate/robust.js";
import type { PowerSample, SensorProfile, StateEvent } from "../../server/src/correlate/types.js";
import { HOUR, MINUTE, SECOND, T0 } from "../helpers/power-series.js";

/** 60 W ± 3 W, 40 steps; then 10 confounded by a fridge's 120 W, all above. */
const core = Array.from({ length: 40 }, (_, i) => 60 + 3 * Math.sin(i * 2.4));
const confounded = [...core, ...Array.from({ length: 10 }, (_, i) => 180 + 5 * Math.cos(i))];

test("the biweight is not pulled towards the side where most confounded steps lie; the median is", () => {
  const m = median(confounded);
  const b = biweightLocation(confounded);
  assert.ok(m - median(core) > 0.8, `median ${m}`);
  assert.ok(Math.abs(b - core.reduce((s, x) => s + x, 0) / core.length) < 0.05, `biweight ${b}`);
  assert.equal(estimate(confounded, "biweight").powerW, b);
  assert.equal(estimate(confounded).powerW, m, "the median unless asked");
});

test("the biweight of steps with no spread, or of two, is their median", () => {
  assert.equal(biweightLocation([12, 12, 12, 40]), 12);
  assert.equal(biweightLocation([10, 14]), 12);
  assert.equal(biweightLocation([7]), 7);
});

test("a periodic sensor read every 10 s sums a light's steps up by their biweight, a report-on-change sensor by their median", () => {
  // A 60 W lamp switched on 40 times; a 120 W load (untracked) is on in the window after 10 of its switch-ons only.
  const events: StateEvent[] = [];
  const loads: { from: number; to: number; w: number }[] = [];
  for (let i = 0; i < 40; i += 1) {
    const on = T0 + 3600_000 + i * 3600_000;
    events.push({ t: on, entityId: "light.kitchen", from: "off", to: "on" }, { t: on + 20 * 60_000, entityId: "light.kitchen", from: "on", to: "off" });
    loads.push({ from: on, to: on + 20 * 60_000, w: 60 + 3 * Math.sin(i * 2.4) });
    if (i % 4 === 0) loads.push({ from: on + 5000, to: on + 120_000, w: 120 });
  }
  const until = T0 + 42 * 3600_000;
  const samples: PowerSample[] = [];
  for (let t = T0; t < until; t += 10_000) samples.push({ t, w: 200 + loads.reduce((s, l) => s + (t >= l.from && t < l.to ? l.w : 0), 0) });
  const periodic = correlate(samples, events, { now: until }).profiles.find((p) => p.entityId === "light.kitchen")!;
  const onChange = correlate(samples, events, { now: until, sensor: { kind: "on-change", intervalS: 10, noiseW: 0 } }).profiles.find((p) => p.entityId === "light.kitchen")!;
  assert.ok(Math.abs(periodic.powerW! - 60) < 0.5, `periodic ${periodic.powerW}`);
  assert.ok(onChange.powerW! > periodic.powerW! + 0.5, `on change ${onChange.powerW}, periodic ${periodic.powerW}`);
});

test("where asked for a clear core, steps that scatter as widely as their level keep their median", () => {
  // A 60 W light's steps at 30 s, confounded above: a clear core, refined by the biweight.
  assert.equal(estimate(confounded, "clear-biweight").powerW, biweightLocation(confounded));
  // A fan speed's handful of steps at 30 s: robust deviation about their level, no core to find.
  const scattered = [-74, 53, 34, 35, -32, 26, 42, -50, -33, -116, 34, 37, 34, 19, 125, 33];
  assert.equal(estimate(scattered, "clear-biweight").powerW, median(scattered));
  assert.notEqual(biweightLocation(scattered), median(scattered));
});

test("a run is a ghost when its steps show nothing, not when another load's step outweighed its own or the readings were too noisy to tell", () => {
  // A 60 W light whose steps spread by 2 W, read with 3 W of noise.
  const quiet = (...steps: number[]) => steps.map((stepW) => ({ stepW, noiseW: 3 }));
  assert.equal(isGhostRun(quiet(1, -2), 60, 2), true, "both steps near zero");
  assert.equal(isGhostRun(quiet(3), 60, 2), true, "the one accepted step near zero");
  assert.equal(isGhostRun(quiet(-60), 60, 2), false, "a fridge switched off just after the light went on: -60 W");
  assert.equal(isGhostRun(quiet(-60, 2), 60, 2), false);
  assert.equal(isGhostRun(quiet(61, 2), 60, 2), false, "one step shows the light");
  // One step alone under half the light but a third of it: another load moving beside a real switching as often as not.
  assert.equal(isGhostRun(quiet(20), 60, 2), false, "the one accepted step a third of the light");
  assert.equal(isGhostRun(quiet(20, -15), 60, 2), true, "both steps under half the light");
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 75 }, { stepW: 20, noiseW: 3 }], 60, 2), false, "the one telling step a third of the light");
  // Switched on while an EV charger drew 7.5 kW with 1 % noise: a step of 0 W there tells nothing.
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 75 }], 60, 2), false);
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 75 }, { stepW: 1, noiseW: 3 }], 60, 2), true, "the quiet edge says it");
  // Behind an on-change meter that reported nothing around the switching, one step alone may be a lost report.
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 3, silent: true }], 60, 2), false, "one silent step");
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 3, silent: true }, { stepW: 0, noiseW: 3, silent: true }], 60, 2), true, "both edges silent");
  assert.equal(isGhostRun([{ stepW: 0, noiseW: 75 }, { stepW: 0, noiseW: 3, silent: true }], 60, 2), false, "the one telling step silent");
});

test("a load that ramps up after switching on is charged less than its step for the ramp", () => {
  // Steps measured at lags 0, 30, 60, 120, 240 s (windows centred 17 s later): a heat pump's 0, 0, 216, 612 and 1200 W.
  const l = { ...estimate([1200, 1200, 1200]), onLagIndex: 4, offLagIndex: 0, values: [], weights: [], onValues: [], offValues: [], onProfile: [0, 0, 216, 612, 1200] };
  const deficit = rampDeficitWattMs(l, [0, 30, 60, 120, 240], 17_000, 1200);
  // 17 s at nothing, then straight lines: 1200 × 17 + 1200 × 30 + (1200 − 108) × 30 + (1200 − 414) × 60 + (1200 − 906) × 120 W·s.
  const expected = (1200 * 17 + 1200 * 30 + 1092 * 30 + 786 * 60 + 294 * 120) * 1000;
  assert.ok(Math.abs(deficit - expected) < 1e-6, `${deficit} vs ${expected}`);
  assert.equal(rampDeficitWattMs({ ...l, onLagIndex: 0 }, [0, 30, 60, 120, 240], 17_000, 1200), 0, "a load at its level at once");
});

test("steps from one reading on each side are summed by their biweight, whether a 60 s sensor's interval is measured a hair above or below a minute", () => {
  const sensor = (intervalS: number): SensorProfile => ({ kind: "periodic", intervalS, noiseW: 4 });
  for (const intervalS of [59.9985, 60, 60.006, 30, 29.99, 10, 1]) assert.equal(locationFor(sensor(intervalS), windowGeometry(sensor(intervalS))), "biweight", `${intervalS} s`);
  const onChange: SensorProfile = { kind: "on-change", intervalS: 20, noiseW: 2, resolutionW: 10 };
  assert.equal(locationFor(onChange, windowGeometry(onChange)), "median");
  // Behind its dead band (a clock known), an on-change sensor's steps are no longer quantised: their biweight.
  const deadBand: SensorProfile = { ...onChange, sampleS: 1 };
  assert.equal(locationFor(deadBand, windowGeometry(deadBand)), "biweight");
});

test("read every 10 s, a step counts by the noise of the hour before it: steps taken beside a noisy load do not move a quiet light's level", () => {
  // An 8 W light read every 10 s with ±2.5 W of noise, switched 10 times at night; then 6 times while a 7 kW heater
  // makes the meter swing ±16 W from one reading to the next, each switching caught so that its step reads 11.6 W
  // (the reading nearest the event after it high, the one before it low). Counted alike, those 12 steps pull the
  // light to 9.3 W.
  const A = 16;
  const at = (ms: number, parity: number) => {
    let k = Math.floor(ms / (10 * SECOND));
    if (k % 2 !== parity) k += 1;
    return T0 + k * 10 * SECOND + 5 * SECOND;
  };
  const runs: [number, number][] = [];
  for (let j = 0; j < 10; j += 1) {
    const s = at(HOUR + j * 30 * MINUTE, 0);
    runs.push([s, s + 10 * MINUTE + 20 * SECOND]);
  }
  for (let j = 0; j < 6; j += 1) runs.push([at(9.5 * HOUR + j * 40 * MINUTE, 1), at(9.5 * HOUR + j * 40 * MINUTE + 10 * MINUTE, 0)]);
  const until = T0 + 18 * HOUR;
  const samples: PowerSample[] = [];
  for (let i = 0; T0 + i * 10 * SECOND < until; i += 1) {
    const t = T0 + i * 10 * SECOND;
    const heater = t >= T0 + 8 * HOUR && t < T0 + 16 * HOUR;
    const w = 200 + (heater ? 7000 + A * (i % 2 === 0 ? 1 : -1) : 2.5 * Math.sin(i * 1.7) * Math.cos(i * 0.37)) + (runs.some(([a, b]) => t >= a && t < b) ? 8 : 0);
    samples.push({ t, w });
  }
  const events: StateEvent[] = runs.flatMap(([a, b]) => [
    { t: a, entityId: "light.hall", from: "off", to: "on", fromLevel: null, toLevel: null },
    { t: b, entityId: "light.hall", from: "on", to: "off", fromLevel: null, toLevel: null },
  ]);
  const { profiles, steps } = correlate(samples, events, { now: until });
  assert.equal(steps.filter((s) => s.accepted && Math.abs(s.stepW!) > 11).length, 12, "the noisy switchings read over 11 W");
  const p = profiles.find((x) => x.entityId === "light.hall")!;
  assert.ok(Math.abs(p.powerW! - 8) < 0.5, `${p.powerW} W`);
});

test("steps count by the noise of the hour before them at 10 s, by their readings' levels from 30 s on, alike at 1 and 5 s and on change", () => {
  const sensor = (intervalS: number): SensorProfile => ({ kind: "periodic", intervalS, noiseW: 4 });
  const noiseOf = (s: SensorProfile) => stepNoiseFor(s, windowGeometry(s));
  // A 40 W step read at a 1 kW load, the hour before it 7 W of noise.
  const measurement = { preW: 1000, noiseW: 7, lags: [{ lagS: 0, postW: 1040, stepW: 40, reason: null, conflictWith: null }] };
  for (const intervalS of [10, 10.02]) assert.equal(noiseOf(sensor(intervalS))?.(measurement), 7, `${intervalS} s`);
  // 4 W of the sensor's and 1 % of the level, before and after.
  const byLevels = Math.hypot(Math.hypot(4, 10), Math.hypot(4, 10.4));
  for (const intervalS of [30, 60, 300]) assert.ok(Math.abs(noiseOf(sensor(intervalS))!(measurement) - byLevels) < 1e-9, `${intervalS} s`);
  for (const intervalS of [1, 5]) assert.equal(noiseOf(sensor(intervalS)), null, `${intervalS} s`);
  assert.equal(noiseOf({ kind: "on-change", intervalS: 20, noiseW: 2, resolutionW: 10 }), null);
});

test("steps that agree by chance are not more certain than their judged noise allows", () => {
  // A dimmed 7.6 W light read every 60 s: four switch-ons within 1.3 W of each other, three others
  // scattered, every step judged about 15 W noisy (its readings beside a heat pump).
  const values = [10.5, 9.6, 10.9, 10.7, 3.4, 9.5, 15.4];
  const weights = values.map(() => stepWeight(15));
  const e = estimate(values, "biweight", weights);
  assert.ok(e.standardErrorW >= 15 / Math.sqrt(values.length) - 1e-9, `standard error ${e.standardErrorW}`);
  // Steps counted alike (a sensor without judged noise: no weights) keep their robust spread's error.
  assert.ok(estimate(values, "biweight").standardErrorW < 1);
});

test("steps judged at the weight's noise floor keep that floor on their standard error", () => {
  // Every step's noise judged at most 1 W (the weight's floor) gives weights that are all 1; they are
  // still judged steps, not steps counted alike, so their error is at least 1 W / sqrt(n).
  const values = [10, 10, 10, 10.1, 9.9, 10, 10];
  const judged = estimate(values, "biweight", values.map(() => stepWeight(0.4)));
  assert.ok(judged.standardErrorW >= 1 / Math.sqrt(values.length) - 1e-9, `standard error ${judged.standardErrorW}`);
  assert.ok(estimate(values, "biweight").standardErrorW < judged.standardErrorW, "unweighted steps keep only their own spread");
});
