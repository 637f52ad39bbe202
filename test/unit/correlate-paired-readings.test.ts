/**
 * A sensor read every 30 s: each window around an event holds one reading, and its noise (2 W and 1 % of
 * the level, about 3.6 W at 300 W) is most of a small light's step error. The window's reading is averaged
 * with the next one out when the two agree within their noise (`WindowGeometry.pairedReadings`). Hand-made
 * readings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readingNoiseFor, stepNoiseFor } from "../../server/src/correlate/sensor-rules.js";
import { measureEvent } from "../../server/src/correlate/measure.js";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { windowGeometry } from "../../server/src/correlate/sensor.js";

const S = 1000;
const T0 = Date.UTC(2026, 0, 5);
const EVERY_30_S = { kind: "periodic" as const, intervalS: 30, noiseW: 2 };

/** An 8 W light switched on at `T0` over a 300 W base load, read at -40, -10, +15 and +45 s with ±2 W of noise; `farW` replaces the +45 s reading. */
function lightStep(farW = 310): PowerSeries {
  const series = new PowerSeries();
  for (const [s, w] of [[-70, 300], [-40, 298], [-10, 302], [15, 306], [45, farW], [75, 308]] as const) series.add(T0 + s * S, w);
  return series;
}

function measure(series: PowerSeries, geometry = windowGeometry(EVERY_30_S)) {
  return measureEvent(
    { t: T0, previousOwnEvent: null, nextOwnEvent: null, conflictIn: () => null },
    { series, geometry, lagsS: [0], completeUntil: T0 + 600 * S, sensorNoiseW: 2, readingNoiseW: readingNoiseFor(EVERY_30_S) },
  );
}

test("a 30 s sensor's step averages each window's reading with the next one out when they agree", () => {
  const geometry = windowGeometry(EVERY_30_S);
  assert.equal(geometry.pairedReadings, true);
  const m = measure(lightStep(), geometry);
  assert.equal(m.preW, 300);
  assert.equal(m.preReadings, 2);
  assert.equal(m.lags[0]!.postReadings, 2);
  assert.ok(Math.abs(m.lags[0]!.stepW! - 8) < 1e-9, `step ${m.lags[0]!.stepW}`);
  // With one reading each side, the noise halves the step: 306 - 302.
  const { pairedReadings: _, ...single } = geometry;
  assert.ok(Math.abs(measure(lightStep(), single).lags[0]!.stepW! - 4) < 1e-9);
  // A paired step's noise is √2 less.
  const noise = stepNoiseFor(EVERY_30_S, geometry)!;
  const unpaired = noise(measure(lightStep(), single));
  assert.ok(Math.abs(noise(m) * Math.SQRT2 - unpaired) < 0.05, `${noise(m)} vs ${unpaired}`);
});

test("a reading next out that another load moved (a fridge's 120 W) is not averaged in", () => {
  const m = measure(lightStep(430));
  assert.equal(m.lags[0]!.postReadings, undefined);
  assert.equal(m.lags[0]!.postW, 306);
  assert.ok(Math.abs(m.lags[0]!.stepW! - 6) < 1e-9, `step ${m.lags[0]!.stepW}`);
});

test("a sensor read every 60 s pairs its readings too; every 10 s or every 2 minutes does not", () => {
  assert.equal(windowGeometry({ ...EVERY_30_S, intervalS: 60 }).pairedReadings, true);
  assert.equal(windowGeometry({ ...EVERY_30_S, intervalS: 10 }).pairedReadings, undefined);
  assert.equal(windowGeometry({ ...EVERY_30_S, intervalS: 120 }).pairedReadings, undefined);
});
