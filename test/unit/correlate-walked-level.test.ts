/**
 * A window's level walked out from the event (`walkedLevel`): the nearest readings weigh most while the
 * base load wanders, the walk stops at another load's switching and at the limits it is given.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { measureEvent, walkedLevel } from "../../server/src/correlate/measure.js";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { windowGeometry } from "../../server/src/correlate/sensor.js";

const T = 1_700_000_000_000;
const SECOND = 1000;
const STALE_MS = 32 * SECOND;
const noise = () => 3;

/** Readings every `everyS` seconds over [from, to] seconds around T, as `w(t)` says (t in seconds from T). */
function seriesOf(from: number, to: number, everyS: number, w: (t: number) => number): PowerSeries {
  const series = new PowerSeries();
  for (let t = from; t <= to; t += everyS) series.add(T + t * SECOND, w(t));
  return series;
}

test("the level before an event is walked back from it and stops at another load's switching", () => {
  // Read every 10 s: the base load 300 W at the event and rising 0.02 W a second going back; a 60 W load ran until 70 s before.
  const series = seriesOf(-300, 0, 10, (t) => 300 - 0.02 * t + (t <= -70 ? 60 : 0));
  const walked = walkedLevel(series, T, T - 90 * SECOND, noise, 0.15, STALE_MS)!;
  assert.equal(walked.readings, 7, "the readings from the event back to 60 s before it, none with the other load");
  assert.ok(walked.level > 300 && walked.level < 301.2, `${walked.level} W`);
});

test("the level after an event is walked forward to its limit, and with no wander it is the readings' mean", () => {
  const series = seriesOf(0, 200, 10, (t) => 500 + (t % 20 === 0 ? 2 : -2));
  const walked = walkedLevel(series, T + 2 * SECOND, T + 92 * SECOND, noise, 1e-9, STALE_MS)!;
  assert.equal(walked.readings, 9, "the readings from 10 to 90 s");
  assert.ok(Math.abs(walked.level - (500 + (2 * 4 - 2 * 5) / 9)) < 1e-6, `${walked.level} W`);
});

test("a wandering base load leaves the walked level near the readings next to the event", () => {
  // Read every second, the base load rising 1 W a second away from the event: the level next to it is 400 W, the
  // median of a 30 s window 415 W.
  const series = seriesOf(-200, 0, 1, (t) => 400 - t);
  const walked = walkedLevel(series, T, T - 90 * SECOND, noise, 0.15, STALE_MS)!;
  assert.ok(walked.level < 410, `${walked.level} W`);
});

test("no reading on the event's side within the limit: no walked level; an outage ends the walk", () => {
  const series = seriesOf(-300, -120, 10, () => 300);
  assert.equal(walkedLevel(series, T, T - 90 * SECOND, noise, 0.15, STALE_MS), null);
  const gappy = new PowerSeries();
  for (const t of [-80, -70, -10, 0]) gappy.add(T + t * SECOND, 300);
  assert.equal(walkedLevel(gappy, T, T - 90 * SECOND, noise, 0.15, STALE_MS)!.readings, 2);
});

test("another entity's event at a window's inner end: that window keeps its median, the walk never turns back over the event", () => {
  // Guards the walk's limit in `measureEvent`: a 50 W load switched on 4 s before a 100 W one (HA's event 1 s before its
  // window before ends). Walked up to the other event (its relay delay after it), the limit lay past the window's inner
  // end and the walk went forward, into the 3 s the window leaves before the event (the step shown came out 100 W).
  // The window before keeps its median, and the step shown is the windows' (both loads, as the reason says).
  const t = T;
  const series = seriesOf(-300, 300, 1, (s) => 300 + (s >= -4 ? 50 : 0) + (s >= 1 ? 100 : 0));
  const geometry = windowGeometry({ kind: "periodic", intervalS: 1, noiseW: 1 });
  const m = measureEvent(
    { t, previousOwnEvent: null, nextOwnEvent: null, conflictIn: () => "light.other", othersIn: (from, to) => (t - 4 * SECOND >= from && t - 4 * SECOND <= to ? [t - 4 * SECOND] : []) },
    { series, geometry, lagsS: [0], completeUntil: T + 300 * SECOND, sensorNoiseW: 1, readingNoiseW: () => 1 },
  );
  const lag = m.lags[0]!;
  assert.equal(lag.reason, "ambiguous");
  assert.ok(Math.abs(lag.stepW! - 150) < 1, `${lag.stepW} W`);
});
