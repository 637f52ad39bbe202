/**
 * Bursts shown by the jumps of the whole-home power inside a device's runs (issue 12): a PC's bursts
 * make it jump by about its step far more often while it is on than in its runs' baseline windows; a
 * fridge's cycles beside a light, as often either way. With a 60 s sensor, that decides whether a
 * state whose edges look bursty is charged for bursts, and lets a PC whose edges do not show them be
 * charged its runs' mean. Hand-made series and edges.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { burstsGate, jumpExcessSigmas, meanOfJumpyRuns } from "../../server/src/correlate/attribution.js";
import { jumpsShowBursts } from "../../server/src/correlate/sensor-rules.js";
import type { EventRecord } from "../../server/src/correlate/event-log.js";
import { PowerSeries } from "../../server/src/correlate/power-series.js";
import { measureRun, type Run, type RunGeometry } from "../../server/src/correlate/runs.js";
import type { StateEvent } from "../../server/src/correlate/types.js";
import { DAY, HOUR, MINUTE, T0, readings, type Load } from "../helpers/power-series.js";

const RUNS = 6;

/** A fridge's 120 W for 15 minutes in every 45 over the days the runs span. */
function fridge(): Load[] {
  const out: Load[] = [];
  for (let t = T0; t < T0 + RUNS * DAY; t += 45 * MINUTE) out.push({ from: t, to: t + 15 * MINUTE, w: 120 });
  return out;
}

/** One 2-hour run a day at 10:00 of `entityId`, its own load from `load`, read every 60 s beside a fridge; each run's measurement. */
function measured(entityId: string, load: (from: number, to: number) => Load[]) {
  const starts = Array.from({ length: RUNS }, (_, i) => T0 + i * DAY + 10 * HOUR + 20_000);
  const loads = [...fridge(), ...starts.flatMap((t) => load(t, t + 2 * HOUR))];
  const series = new PowerSeries();
  for (const r of readings(loads, T0 + RUNS * DAY, MINUTE)) series.add(r.t, r.w);
  const g: RunGeometry = { preGuardMs: 5000, postGuardMs: 5000, tailMs: 240_000, minSpanMs: 10 * MINUTE, limits: { staleMs: 150_000, completeUntil: T0 + RUNS * DAY }, countJumps: true };
  const record = (event: StateEvent, kind: "on" | "off"): EventRecord => ({ event, kind, state: "on", measurement: null });
  return starts.map((t) => {
    const run: Run = {
      entityId,
      records: [record({ t, entityId, from: "off", to: "on" }, "on"), record({ t: t + 2 * HOUR, entityId, from: "on", to: "off" }, "off")],
      previous: null,
      next: null,
      closed: true,
    };
    return measureRun(run, series, g);
  });
}

test("a PC's bursts make the power jump by about its step inside its runs far more often than in their baseline windows; a light's do not", () => {
  // 80 W idle, 175 W for 5 minutes in every 15.
  const pc = measured("switch.pc", (from, to) => {
    const out: Load[] = [{ from, to, w: 80 }];
    for (let t = from + 7 * MINUTE; t + 5 * MINUTE < to; t += 15 * MINUTE) out.push({ from: t, to: t + 5 * MINUTE, w: 95 });
    return out;
  });
  const pcSigmas = jumpExcessSigmas(pc, "on", 40, 200);
  assert.ok(pcSigmas !== null && pcSigmas >= 4, `PC: ${pcSigmas}`);
  const light = measured("light.kitchen", (from, to) => [{ from, to, w: 60 }]);
  const lightSigmas = jumpExcessSigmas(light, "on", 30, 150);
  assert.ok(lightSigmas !== null && lightSigmas < 2, `light: ${lightSigmas}`);
});

test("at 60 s, a light whose switch-offs caught a fridge going off more often than its switch-ons did is not charged for bursts when its runs' jumps deny them", () => {
  // A 60 W light: 2 of 33 switch-ons above 78 W, 8 of 35 switch-offs (the fridge's and freezer's 90-120 W going off in their windows).
  const l = {
    onValues: [...Array.from({ length: 31 }, (_, i) => 50 + (i % 15)), 114, 114],
    offValues: [...Array.from({ length: 27 }, (_, i) => 47 + (i % 19)), 108, 146, 152, 180, 184, 188, 1076, 1644],
  };
  const input = { switchOffsSampleLevels: true, burstsMustStandOut: true };
  // Its edges alone would allow bursts...
  assert.equal(burstsGate(l, input, { jumpSigmas: null, oneState: true }).possible, true);
  // ...its runs' jumps, no more often than in their baseline windows, do not.
  assert.equal(burstsGate(l, input, { jumpSigmas: -0.9, oneState: true }).possible, false);
  assert.equal(burstsGate(l, input, { jumpSigmas: 2.5, oneState: true }).possible, true);
  // Read every 30 s (narrower windows), the edges decide as before.
  assert.equal(burstsGate(l, { switchOffsSampleLevels: true, burstsMustStandOut: false }, { jumpSigmas: -0.9, oneState: true }).possible, true);
});

test("at 60 s, a PC whose switch-ons caught bursts as often as its switch-offs has bursts when its runs' jumps show them clearly", () => {
  const l = {
    onValues: [48, 57, 67, 71, 73, 75, 82, 82, 84, 84, 156, 178, 249, 458],
    offValues: [-183, 64, 74, 76, 81, 82, 82, 83, 83, 176, 203, 316, 2491],
  };
  const input = { switchOffsSampleLevels: true, burstsMustStandOut: true };
  assert.deepEqual(burstsGate(l, input, { jumpSigmas: 11.1, oneState: true }), { possible: true, shownByJumps: true });
  // Not shown clearly enough, or by one of a fan's speeds (its jumps are its changes of speed too): its edges decide.
  assert.deepEqual(burstsGate(l, input, { jumpSigmas: 3, oneState: true }), { possible: false, shownByJumps: false });
  assert.deepEqual(burstsGate(l, input, { jumpSigmas: 11.1, oneState: false }), { possible: false, shownByJumps: false });
});

test("a device whose runs' jumps show bursts is charged its step plus its runs' median residual, when that is above zero, resolved and not far above the step", () => {
  assert.ok(Math.abs(meanOfJumpyRuns(78.4, { middleW: 15.6, standardErrorW: 16.8 })! - 94) < 1e-9);
  assert.equal(meanOfJumpyRuns(78.4, { middleW: -5, standardErrorW: 10 }), null);
  assert.equal(meanOfJumpyRuns(40, { middleW: 77.7, standardErrorW: 26.7 }), null); // too scattered for a 40 W step
  assert.equal(meanOfJumpyRuns(40, { middleW: 45, standardErrorW: 10 }), null); // over twice the step
  assert.equal(meanOfJumpyRuns(78.4, null), null);
});

test("the jumps inside runs are counted with one reading a window (30 s and slower) and with a report-on-change sensor, not with several readings a window", () => {
  const periodic = (intervalS: number) => ({ kind: "periodic" as const, intervalS, noiseW: 2 });
  assert.deepEqual([1, 10, 30, 60].map((s) => jumpsShowBursts(periodic(s))), [false, false, true, true]);
  // On change, a PC's switch-ons caught its bursts as often as its switch-offs: its runs' jumps are what show them.
  assert.equal(jumpsShowBursts({ kind: "on-change", intervalS: 20, noiseW: 2, resolutionW: 10 }), true);
});
