/**
 * Steps with the window before placed one width earlier (`EventMeasurement.earlyLags`): for a meter whose changes show
 * before HA's events (an integration that stamps its switchings late), whose window before holds the change.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { measureEvent, type MeasureInput } from "../../server/src/correlate/measure.js";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { windowGeometry } from "../../server/src/correlate/sensor.js";

const T = 1_700_000_000_000;
const SECOND = 1000;
const geometry = windowGeometry({ kind: "periodic", intervalS: 1, noiseW: 1 });
const settings = (series: PowerSeries) => ({ series, geometry, lagsS: [0, 30], completeUntil: T + 400 * SECOND, sensorNoiseW: 1, readingNoiseW: () => 1 });

/** Read every second from 300 s before T to 300 s after, as `w(s)` says (s in seconds from T), with ±1 W of alternating noise. */
function seriesOf(w: (s: number) => number): PowerSeries {
  const series = new PowerSeries();
  for (let s = -300; s <= 300; s += 1) series.add(T + s * SECOND, w(s) + (s % 2 === 0 ? 1 : -1));
  return series;
}

const alone = (over: Partial<MeasureInput> = {}): MeasureInput => ({ t: T, previousOwnEvent: null, nextOwnEvent: null, conflictIn: () => null, ...over });

test("a 40 W load that switched on 20 s before its event: the usual step falls short, the early one has all of it", () => {
  const m = measureEvent(alone(), settings(seriesOf((s) => 300 + (s >= -20 ? 40 : 0))));
  assert.equal(m.earlyLags?.length, 2);
  const early = m.earlyLags![0]!;
  assert.equal(early.reason, null);
  assert.ok(Math.abs(early.stepW! - 40) <= 2, `early step ${early.stepW} W`);
  // The window before (33 to 3 s before) holds the new level for 17 of its 30 s: its median is the new level's.
  const usual = m.lags[0]!;
  assert.ok(usual.reason !== null || Math.abs(usual.stepW!) < 20, `usual step ${usual.stepW} W (${usual.reason})`);
  assert.ok(Math.abs(m.movedBeforeW! - 40) <= 2, `moved before ${m.movedBeforeW} W`);
});

test("another entity's event in the earlier window makes the early step ambiguous, not the usual one", () => {
  const other = T - 50 * SECOND;
  const conflictIn = (from: number, to: number) => (other >= from && other <= to ? "light.other" : null);
  const m = measureEvent(alone({ conflictIn }), settings(seriesOf((s) => 300 + (s >= 1 ? 40 : 0) + (s >= -50 ? 25 : 0))));
  assert.equal(m.lags[0]!.reason, null);
  assert.ok(Math.abs(m.lags[0]!.stepW! - 40) <= 2, `${m.lags[0]!.stepW} W`);
  assert.equal(m.earlyLags![0]!.reason, "ambiguous");
  assert.equal(m.earlyLags![0]!.conflictWith, "light.other");
});

test("no early steps when the entity's own previous event leaves no room for the earlier window", () => {
  const m = measureEvent(alone({ previousOwnEvent: T - 50 * SECOND }), settings(seriesOf((s) => 300 + (s >= 1 ? 40 : 0))));
  assert.equal(m.lags[0]!.reason, null);
  assert.equal(m.earlyLags, undefined);
  assert.equal(m.movedBeforeW, null);
});
