/**
 * A report-on-change sensor's level over a window: the most likely power behind its dead band
 * (`PowerSeries.deadBandLevel`), not its held values' median. Hand-made readings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CorrelationEngine } from "../../server/src/correlate/engine.js";
import { locationFor } from "../../server/src/correlate/sensor-rules.js";
import { measureEvent } from "../../server/src/correlate/measure.js";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { characteriseSensor, windowGeometry } from "../../server/src/correlate/sensor.js";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";

const S = 1000;
const MINUTE = 60 * S;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 0, 5);
const ON_CHANGE = { kind: "on-change" as const, intervalS: 5, noiseW: 0, resolutionW: 10, sampleS: 1 };

/**
 * An 8 W light switched on at `T0` over 300 W, read by a meter that measures every second (noise about
 * 4 W) and reports a change of 10 W: nothing moves it until a measurement 3 W above the new power
 * crosses the threshold (311 W), which holds for 12 s; then one 7 W below (300.8 W), and one near the
 * new power (310.9 W) that holds on.
 */
function lightStep(): PowerSeries {
  const series = new PowerSeries();
  for (const [s, w] of [[-300, 300], [-60, 300], [2, 311], [14, 300.8], [16, 310.9], [300, 307.5]] as const) series.add(T0 + s * S, w);
  return series;
}

function stepOf(series: PowerSeries, geometry: ReturnType<typeof windowGeometry>): number {
  const m = measureEvent(
    { t: T0, previousOwnEvent: null, nextOwnEvent: null, conflictIn: () => null },
    { series, geometry, lagsS: [0], completeUntil: T0 + 600 * S, sensorNoiseW: 4 },
  );
  return m.lags[0]!.stepW!;
}

test("a step under an on-change sensor's threshold is measured from its dead band, not from the overshooting first report", () => {
  const geometry = windowGeometry(ON_CHANGE);
  assert.ok(geometry.deadBand, "an on-change sensor with a known resolution and clock has a dead band");
  const step = stepOf(lightStep(), geometry);
  assert.ok(Math.abs(step - 8) < 1, `step ${step}`);
  // The held values' median is the overshooting report's: +36 %.
  const { deadBand: _, ...held } = geometry;
  assert.ok(Math.abs(stepOf(lightStep(), held) - 10.9) < 1e-9);
});

test("the dead band's level is the held value when one value holds throughout, and null without readings", () => {
  const series = lightStep();
  const band = { thresholdW: 10, noiseW: 4, sampleMs: S };
  const limits = { staleMs: 900 * S, completeUntil: T0 + 600 * S };
  assert.equal(series.deadBandLevel(T0 - 30 * S, T0, limits, band), 300);
  assert.equal(new PowerSeries().deadBandLevel(T0, T0 + 30 * S, limits, band), null);
});

test("an on-change sensor's clock is its shortest gap between reports; without one, without a resolution, or reporting nearly every measurement, no dead band", () => {
  const series = new PowerSeries();
  // Reports 1–9 s apart (changes of 10–30 W), with a heartbeat every 5 minutes.
  for (let i = 0, t = T0; i < 300; i += 1) {
    t += i % 20 === 0 ? 300 * S : (1 + (i % 9)) * S;
    series.add(t, 300 + 10 * (1 + (i % 3)) * (i % 2 === 0 ? 1 : -1));
  }
  const profile = characteriseSensor(series)!;
  assert.equal(profile.kind, "on-change");
  assert.equal(profile.sampleS, 1);
  assert.equal(windowGeometry({ ...ON_CHANGE, sampleS: undefined }).deadBand, undefined);
  assert.equal(windowGeometry({ ...ON_CHANGE, resolutionW: 0 }).deadBand, undefined);
  // A periodic sensor read every second, its jitter taken for reports on change: nearly every measurement is reported.
  assert.equal(windowGeometry({ ...ON_CHANGE, intervalS: 1, sampleS: 0.6 }).deadBand, undefined);
});

/**
 * A meter that measures every second (noise: two sines, ±7 W) over 300 W and reports a change of 10 W,
 * with a 5-minute heartbeat; a lamp whose runs draw 100 W ± 20 W (one level per run), switched on for
 * 10 minutes every hour, 20 times.
 */
function deadBandDay(): { samples: PowerSample[]; events: StateEvent[]; until: number } {
  const events: StateEvent[] = [];
  const runs: { on: number; off: number; w: number }[] = [];
  for (let i = 0; i < 20; i += 1) {
    const on = T0 + HOUR * (i + 1);
    runs.push({ on, off: on + 10 * MINUTE, w: 100 + 20 * Math.sin(i * 2.4) });
    events.push({ t: on + 2 * S, entityId: "switch.lamp", from: "off", to: "on" }, { t: on + 10 * MINUTE + 2 * S, entityId: "switch.lamp", from: "on", to: "off" });
  }
  const until = T0 + 22 * HOUR;
  return { samples: deadBandReadings(runs.map((r) => ({ on: r.on, off: r.off, w: r.w })), until), events, until };
}

/** What the meter above reports over 300 W and the given loads. */
function deadBandReadings(loads: readonly { on: number; off: number; w: number }[], until: number): PowerSample[] {
  const samples: PowerSample[] = [];
  let last = Number.NaN;
  let lastAt = -Infinity;
  for (let k = 0, t = T0; t < until; k += 1, t += S) {
    const w = 300 + loads.reduce((s, r) => s + (t >= r.on && t < r.off ? r.w : 0), 0) + 5 * Math.sin(k * 1.3) + 2 * Math.sin(k * 0.37);
    if (Math.abs(w - last) < 10 && t - lastAt < 300 * S) continue;
    last = w;
    lastAt = t;
    samples.push({ t, w });
  }
  return samples;
}

test("behind an on-change sensor's dead band, steps are summed by their biweight, and a level is confident only within a third of the tolerance", () => {
  const { samples, events, until } = deadBandDay();
  const engine = new CorrelationEngine();
  engine.addSamples(samples);
  engine.addEvents(events);
  engine.advanceTo(until);
  const sensor = engine.sensor()!;
  assert.equal(sensor.kind, "on-change");
  assert.ok(windowGeometry(sensor).deadBand, JSON.stringify(sensor));
  assert.equal(locationFor(sensor, windowGeometry(sensor)), "biweight");
  const lamp = engine.profiles().find((p) => p.entityId === "switch.lamp")!;
  // Its runs' spread leaves a standard error of a few watts: within the 5 W tolerance, not within a third of it.
  assert.ok(Math.abs(lamp.powerW! - 100) < 5, `power ${lamp.powerW}`);
  assert.equal(lamp.status, "estimated");
});

/** A 100 W lamp on for 10 minutes every hour, 20 times from T0 + 1 h; HA stamps its switchings 2 s late. */
function hourlyLamp(): { events: StateEvent[]; loads: { on: number; off: number; w: number }[] } {
  const events: StateEvent[] = [];
  const loads: { on: number; off: number; w: number }[] = [];
  for (let i = 0; i < 20; i += 1) {
    const on = T0 + HOUR * (i + 1);
    loads.push({ on, off: on + 10 * MINUTE, w: 100 });
    events.push({ t: on + 2 * S, entityId: "switch.lamp", from: "off", to: "on" }, { t: on + 10 * MINUTE + 2 * S, entityId: "switch.lamp", from: "on", to: "off" });
  }
  return { events, loads };
}

test("a run whose steps are near zero because another load moved in their windows behind a dead band is no ghost run", () => {
  // A 100 W lamp on for 10 minutes every hour; in its sixth run, a 100 W load (untracked) that was on goes off
  // 12 s after the lamp comes on and comes back 12 s after it goes off: both of that run's steps are near zero.
  const { events, loads } = hourlyLamp();
  const sixth = T0 + 6 * HOUR;
  loads.push({ on: sixth - 20 * MINUTE, off: sixth + 12 * S, w: 100 }, { on: sixth + 10 * MINUTE + 12 * S, off: sixth + 30 * MINUTE, w: 100 });
  const until = T0 + 22 * HOUR;
  const engine = new CorrelationEngine();
  engine.addSamples(deadBandReadings(loads, until));
  engine.addEvents(events);
  engine.advanceTo(until);
  assert.ok(windowGeometry(engine.sensor()!).deadBand);
  const sixthSteps = engine.steps().filter((s) => Math.abs(s.t - sixth) < 11 * MINUTE && s.lagS === 0);
  assert.ok(sixthSteps.length === 2 && sixthSteps.every((s) => s.accepted && Math.abs(s.stepW!) < 50), JSON.stringify(sixthSteps));
  const lamp = engine.profiles().find((p) => p.entityId === "switch.lamp")!;
  assert.equal(lamp.ghostRuns, 0);
  assert.ok(Math.abs(lamp.onTimeH - 20 / 6) < 1e-9, `on-time ${lamp.onTimeH} h`);
});

test("a run whose one telling step comes from an on-change meter that reported nothing around it is no ghost run", () => {
  // The 100 W lamp of the test above; around its sixth switch-on the meter is offline for three minutes (its report of
  // the switching lost), and its sixth switch-off has another entity's switching beside it (not learned from). The
  // switch-on's windows hold the report from before the switching: a step of 0 W that says nothing of the lamp.
  const { events, loads } = hourlyLamp();
  const sixth = T0 + 6 * HOUR;
  events.push({ t: sixth + 10 * MINUTE + 6 * S, entityId: "switch.other", from: "off", to: "on" }, { t: sixth + 40 * MINUTE, entityId: "switch.other", from: "on", to: "off" });
  events.sort((a, b) => a.t - b.t);
  const until = T0 + 22 * HOUR;
  const samples = deadBandReadings(loads, until).filter((s) => s.t < sixth - MINUTE || s.t > sixth + 2 * MINUTE);
  const engine = new CorrelationEngine();
  engine.addSamples(samples);
  engine.addEvents(events);
  engine.advanceTo(until);
  assert.ok(windowGeometry(engine.sensor()!).deadBand);
  const sixthOn = engine.steps().filter((s) => s.entityId === "switch.lamp" && Math.abs(s.t - sixth) < MINUTE && s.lagS === 0);
  assert.ok(sixthOn.length === 1 && sixthOn[0]!.accepted && sixthOn[0]!.stepW === 0, JSON.stringify(sixthOn));
  const sixthOff = engine.steps().filter((s) => s.entityId === "switch.lamp" && Math.abs(s.t - sixth - 10 * MINUTE) < MINUTE && s.lagS === 0);
  assert.ok(sixthOff.length === 1 && !sixthOff[0]!.accepted, JSON.stringify(sixthOff));
  const lamp = engine.profiles().find((p) => p.entityId === "switch.lamp")!;
  assert.ok(Math.abs(lamp.powerW! - 100) < 5, `power ${lamp.powerW}`);
  assert.equal(lamp.ghostRuns, 0);
  assert.ok(Math.abs(lamp.onTimeH - 20 / 6) < 1e-9, `on-time ${lamp.onTimeH} h`);
});
