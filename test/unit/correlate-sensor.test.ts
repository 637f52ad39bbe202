/**
 * What kind of whole-home power sensor the readings come from (`characteriseSensor`): hand-made reading
 * times from a seeded generator, periodic ones with timing jitter and dropped readings, report-on-change
 * ones on a 1 s clock with a heartbeat.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { characteriseSensor } from "../../server/src/correlate/sensor.js";
import { Random } from "../../server/src/simulate/household/random.js";

const S = 1000;
const T0 = Date.UTC(2026, 0, 5);
const SPAN_MS = 8 * 3600 * S;

/** A sensor read every `intervalS` (± `jitterS` on each reading, ms timestamps), dropping `dropShare` of its readings. */
function periodic(intervalS: number, jitterS: number, dropShare: number, seed: number): PowerSeries {
  const rng = new Random(seed);
  const series = new PowerSeries();
  for (let tick = T0 + rng.uniform(jitterS, intervalS) * S; tick < T0 + SPAN_MS; tick += intervalS * S) {
    const t = Math.round(tick + rng.uniform(-jitterS, jitterS) * S);
    const w = 300 + rng.normal(0, 3);
    if (!rng.chance(dropShare)) series.add(t, Math.round(w * 10) / 10);
  }
  return series;
}

/**
 * A meter measuring every second (noise 3 W) that reports when the value moved by `thresholdW` or on its
 * heartbeat, over 300 W and a load of `loadW` switched after waits of `minS`–`maxS` (uniform).
 */
function onChange(thresholdW: number, heartbeatS: number, loadW: number, minS: number, maxS: number, seed: number): PowerSeries {
  const rng = new Random(seed);
  const series = new PowerSeries();
  let last = Number.NaN;
  let lastAt = Number.NEGATIVE_INFINITY;
  let on = false;
  let nextSwitch = T0 + rng.uniform(minS, maxS) * S;
  for (let t = T0 + Math.round(rng.uniform(0, S)); t < T0 + SPAN_MS; t += S) {
    while (t >= nextSwitch) {
      on = !on;
      nextSwitch += rng.uniform(minS, maxS) * S;
    }
    const w = 300 + (on ? loadW : 0) + rng.normal(0, 3);
    if (Math.abs(w - last) < thresholdW && t - lastAt < heartbeatS * S) continue;
    last = w;
    lastAt = t;
    series.add(t, Math.round(w * 10) / 10);
  }
  return series;
}

test("a periodic sensor with timing jitter and dropped readings is periodic, its interval to a few %", () => {
  let seed = 1;
  for (const intervalS of [1, 2, 5, 10, 30, 60]) {
    const jitters = [0, 0.1, 0.2, 0.3].map((share) => share * intervalS);
    // A 1 s sensor in Home Assistant (ESPHome, Shelly, a P1 reader) is off by a few tenths of a second, like the simulator's (±0.2 s).
    if (intervalS === 1) jitters.push(0.2);
    for (const jitterS of jitters) {
      for (const dropShare of [0, 0.05, 0.2]) {
        const profile = characteriseSensor(periodic(intervalS, jitterS, dropShare, (seed += 1)));
        const what = `every ${intervalS} s ±${jitterS.toFixed(2)} s, ${dropShare * 100} % dropped`;
        assert.equal(profile?.kind, "periodic", what);
        assert.ok(Math.abs(profile.intervalS / intervalS - 1) < 0.04, `${what}: interval ${profile.intervalS} s`);
      }
    }
  }
});

test("a report-on-change sensor is on-change, on a load that changes often and on one that changes rarely", () => {
  let seed = 100;
  for (const heartbeatS of [60, 120, 300]) {
    for (const thresholdW of [10, 20, 50]) {
      const loads = [
        { loadW: thresholdW + 20, minS: 1, maxS: 10, what: "a load switching every 1–10 s" },
        { loadW: 2 * thresholdW, minS: 5, maxS: 30, what: "a load switching every 5–30 s" },
        { loadW: 100, minS: 600, maxS: 2400, what: "a load switching every 10–40 minutes" },
        { loadW: 60, minS: 120, maxS: 600, what: "a load switching every 2–10 minutes" },
      ];
      for (const { loadW, minS, maxS, what } of loads) {
        const profile = characteriseSensor(onChange(thresholdW, heartbeatS, loadW, minS, maxS, (seed += 1)));
        assert.equal(profile?.kind, "on-change", `≥${thresholdW} W, heartbeat ${heartbeatS} s, ${what}: ${JSON.stringify(profile)}`);
      }
    }
  }
});
