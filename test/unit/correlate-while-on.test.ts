/**
 * Energy from what a device used while on (issue 12): when the runs' integrals replace the steps, and
 * when they do not. Hand-made, noise-free series: a base load, the tracked device, and untracked loads
 * placed where each rule needs them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import { meanOfBursts, meanOfRuns, runsContradict, unattributable } from "../../server/src/correlate/attribution.js";
import { burstsOf, edgeMean, isRepresentative, learnState, switchOffsClearlyAbove, type StateLearning } from "../../server/src/correlate/learn.js";
import { biweightLocation, median } from "../../server/src/correlate/robust.js";
import type { DeviceProfile, StateEvent } from "../../server/src/correlate/types.js";
import { HOUR, MINUTE, SECOND, T0, readings, type Load } from "../helpers/power-series.js";


/** Runs of `entityId` every two hours from T0 + 1 h, `durationMs` long; `inside(start)` gives the device's own loads in a run. */
function device(entityId: string, count: number, durationMs: number, inside: (start: number) => Load[]) {
  const starts = Array.from({ length: count }, (_, i) => T0 + HOUR + i * 2 * HOUR);
  const events: StateEvent[] = starts.flatMap((t) => [
    { t, entityId, from: "off", to: "on" },
    { t: t + durationMs, entityId, from: "on", to: "off" },
  ]);
  return { starts, events, loads: starts.flatMap(inside) };
}

const on = (profiles: DeviceProfile[], entityId: string) => profiles.find((p) => p.entityId === entityId && p.state === "on")!;

test("a washer whose edges are quiet is charged what it used while on: its heater between them counts", () => {
  // 15 W fill for 5 min, 2000 W heater for 20 min, 15 W for the last 15 min: 40 min, 0.7225 kWh a run.
  const washer = device("switch.washer", 6, 40 * MINUTE, (s) => [
    { from: s, to: s + 40 * MINUTE, w: 15 },
    { from: s + 5 * MINUTE, to: s + 25 * MINUTE, w: 1985 },
  ]);
  const until = T0 + 14 * HOUR;
  const p = on(correlate(readings(washer.loads, until), washer.events, { now: until }).profiles, "switch.washer");
  assert.equal(p.energyFrom, "while-on");
  assert.ok(Math.abs(p.stepW! - 15) < 1, `edges ${p.stepW} W`);
  const perRunKwh = (15 * 40 + 1985 * 20) / 60 / 1000;
  assert.ok(Math.abs(p.energyKwh! - 6 * perRunKwh) / (6 * perRunKwh) < 0.03, `energy ${p.energyKwh} kWh`);
  assert.ok(Math.abs(p.powerW! - (perRunKwh * 1000) / (40 / 60)) < 20, `mean ${p.powerW} W`);
  assert.equal(p.status, "estimated");
});

test("an oven whose thermostat draws a bit under half its step is charged what it used, from five runs that each show it", () => {
  // 2400 W for 12 of every 25 minutes of a one-hour run (34 of 60 minutes): 1.36 kWh a run, its mean 1360 W, 43 % below the step.
  const oven = device("switch.oven", 5, HOUR, (s) => [
    { from: s, to: s + 12 * MINUTE, w: 2400 },
    { from: s + 25 * MINUTE, to: s + 37 * MINUTE, w: 2400 },
    { from: s + 50 * MINUTE, to: s + HOUR, w: 2400 },
  ]);
  const until = T0 + 12 * HOUR;
  const p = on(correlate(readings(oven.loads, until), oven.events, { now: until }).profiles, "switch.oven");
  assert.equal(p.energyFrom, "while-on");
  assert.ok(Math.abs(p.energyKwh! - 5 * 1.36) / (5 * 1.36) < 0.03, `energy ${p.energyKwh} kWh`);
  assert.ok(Math.abs(p.powerW! - 1360) < 40, `mean ${p.powerW} W`);
});

test("a steady light whose edges agree keeps its steps when its runs' excess is small beside their own noise", () => {
  // A 12 W lamp; an untracked 40 W load keeps it company mid-run (8 to 22 min of 30), and a 10 W load that is on
  // before each run and off after it makes the baselines disagree by 10 W. The runs' excess (about 19 W) is
  // significant and larger than the lamp, but under three times that disagreement: the lamp stays 12 W.
  const lamp = device("light.bedside", 6, 30 * MINUTE, (s) => [
    { from: s, to: s + 30 * MINUTE, w: 12 },
    { from: s + 8 * MINUTE, to: s + 22 * MINUTE, w: 40 },
    { from: s - 60 * MINUTE, to: s + 15 * MINUTE, w: 10 },
  ]);
  const until = T0 + 14 * HOUR;
  const p = on(correlate(readings(lamp.loads, until), lamp.events, { now: until }).profiles, "light.bedside");
  assert.equal(p.energyFrom, "steps");
  assert.equal(p.powerW, 12);
});

test("a TV whose rare pauses have no step is still judged against its playing step, over its runs' time playing", () => {
  // An 80 W TV with the bedside lamp's company: a 40 W load mid-run (8 to 22 min of 30), a 10 W one from an hour before
  // each run to 15 min into it (its baselines 10 W apart). One pause to 50 W, 2 minutes long: two changes, too few for a
  // step. Without a step for every state, the runs alone (about 99 W) were its energy; 2 minutes of 180 do not
  // outweigh its playing step.
  const entityId = "media_player.tv";
  const starts = Array.from({ length: 6 }, (_, i) => T0 + HOUR + i * 2 * HOUR);
  const pausedAt = starts[2]! + 24 * MINUTE;
  const events: StateEvent[] = starts.flatMap((t) => [
    { t, entityId, from: "standby", to: "playing" },
    ...(t === starts[2] ? [{ t: pausedAt, entityId, from: "playing", to: "paused" }, { t: pausedAt + 2 * MINUTE, entityId, from: "paused", to: "playing" }] : []),
    { t: t + 30 * MINUTE, entityId, from: "playing", to: "standby" },
  ]);
  const loads = starts.flatMap((s) => [
    { from: s, to: s + 30 * MINUTE, w: 80 },
    { from: s + 8 * MINUTE, to: s + 22 * MINUTE, w: 40 },
    { from: s - 60 * MINUTE, to: s + 15 * MINUTE, w: 10 },
  ]);
  loads.push({ from: pausedAt, to: pausedAt + 2 * MINUTE, w: -30 });
  const until = T0 + 14 * HOUR;
  const profiles = correlate(readings(loads, until), events, { now: until }).profiles;
  const playing = profiles.find((p) => p.entityId === entityId && p.state === "playing")!;
  const paused = profiles.find((p) => p.entityId === entityId && p.state === "paused")!;
  assert.equal(paused.stepW, null);
  assert.equal(playing.energyFrom, "steps");
  assert.equal(playing.powerW, 80);
});

test("runs whose integrals say a device drew nothing do not replace positive steps", () => {
  // A 60 W lamp; an untracked 150 W load is off mid-run (8 to 22 min of 30) every time: the integrals say -10 W.
  const lamp = device("light.porch", 6, 30 * MINUTE, (s) => [
    { from: s, to: s + 30 * MINUTE, w: 60 },
    // On from an hour before each run to an hour after its start, but for the gap: on all the time between runs.
    { from: s - HOUR, to: s + 8 * MINUTE, w: 150 },
    { from: s + 22 * MINUTE, to: s + HOUR, w: 150 },
  ]);
  const until = T0 + 14 * HOUR;
  const p = on(correlate(readings(lamp.loads, until), lamp.events, { now: until }).profiles, "light.porch");
  assert.equal(p.energyFrom, "steps");
  assert.equal(p.powerW, 60);
  assert.equal(p.published, true);
});

const learning = (onValues: number[], offValues: number[]): StateLearning => ({
  powerW: median([...onValues, ...offValues]),
  standardErrorW: 1,
  n: onValues.length + offValues.length,
  onLagIndex: 0,
  offLagIndex: 0,
  values: [...onValues, ...offValues],
  weights: [...onValues, ...offValues].map(() => 1),
  onValues,
  offValues,
  onProfile: [median(onValues)],
});

test("a device switched on at idle and off at idle or in a burst draws its idle level plus the share of switch-offs in a burst times the burst", () => {
  // A PC: 80 W at every switch-on; 6 of 10 switch-offs at idle, 4 in bursts of about 180 W.
  const pc = learning([80, 79, 81, 80, 80, 82], [80, 81, 79, 80, 82, 78, 175, 185, 180, 190]);
  assert.ok(pc.powerW < 85, "the median sees the idle level");
  const e = edgeMean(pc);
  // 80 W + 4/10 × (182.5 − 80) W; the share's standard error √(0.4 × 0.6 / 10) × 102.5 W is most of its error.
  assert.ok(e !== null && Math.abs(e.meanW - 121) < 1e-9, JSON.stringify(e));
  assert.ok(e.standardErrorW > 15 && e.standardErrorW < 17, String(e.standardErrorW));
  // One switch-off beside a kettle is no burst level of its own, and moves the mean only by its share.
  const kettle = edgeMean(learning([80, 79, 81, 80, 80, 82], [80, 81, 79, 80, 82, 78, 175, 185, 180, 2190]));
  assert.ok(kettle !== null && Math.abs(kettle.meanW - 121) < 1e-9, JSON.stringify(kettle));
});

test("a one-state device whose switch-offs show bursts draws their mean even when a few confounded edges bring the edges' trimmed means together", () => {
  // A PC read every 10 s (household 90210): switch-ons at its 80 W idle but three straight into a burst and one beside
  // another load (356 W); switch-offs at idle 9 times in 18, in a burst of 145–190 W 6 times, and twice beside a kettle
  // going off. Their 10 %-trimmed means are within 10 % of each other, as a steady light's are.
  const pc = learning(
    [81, 80, 79, 79, 175, 77, 80, 82, 72, 80, 62, 80, 76, 51, 192, 84, 356, 161],
    [75, 81, 92, 77, -41, 78, 76, 147, 187, 182, 83, 144, -232, 147, 74, 83, 82, 169],
  );
  assert.equal(isRepresentative(pc), true, "the trimmed means agree");
  const e = edgeMean(pc, true);
  // 80 W + (6 − 2)/18 × (158 − 80) W.
  assert.ok(e !== null && Math.abs(e.meanW - (80 + (4 / 18) * 78)) < 1e-9, JSON.stringify(e));
  // A fan's speed (one of several power states) keeps the check: its edges agreeing is enough.
  assert.equal(edgeMean(pc, false), null);
});

test("switch-offs that scatter both ways, or a few confounded ones, or above at no level of their own, or too few, are no bursts", () => {
  const on = [40, 40, 41, 39, 40, 40];
  assert.equal(edgeMean(learning(on, [40, 41, 39, 40, 40, 42, 38, 40, 120, 40])), null, "one confounded switch-off");
  assert.equal(edgeMean(learning(on, [40, 10, 90, 40, 15, 85, 40, 95, 12, 40])), null, "as many below as above");
  // A porch light at the evening's busiest hour: its switch-offs caught a 24 W, a 316 W and a 2.4 kW load.
  assert.equal(edgeMean(learning(on, [38, 41, 2438, 40, 356, 38, 41, 64, 41])), null, "above, but scattered");
  assert.equal(edgeMean(learning(on, [40, 41, 120, 130, 40, 125, 40])), null, "seven switch-offs");
  assert.equal(edgeMean(learning(on, on.concat(on))), null, "edges that agree");
});

test("a device with bursts learns its switch-on level as its step, however many of its switch-offs were in a burst", () => {
  // Switch-ons at 80 W; 9 of 15 switch-offs in bursts of 150–200 W: their median is a burst, their pattern a PC's.
  const on = [[80], [79], [81], [80], [78], [82], [80]];
  const off = [80, 81, 79, 78, 82, 80, 150, 170, 190, 200, 160, 185, 175, 165, 195].map((x) => [x]);
  assert.ok(burstsOf(on.flat(), off.flat()) !== null);
  const l = learnState(on, off, 1);
  assert.equal(l.powerW, 80);
  // A load whose switch-offs are all above its switch-ons (a ramp longer than any lag) keeps trusting them.
  const ramp = learnState(on, [300, 310, 305, 295, 300, 302, 298, 301].map((x) => [x]), 1);
  assert.ok(ramp.powerW > 290, String(ramp.powerW));
});

test("a bursty device's switch-offs and runs are weighed by their errors, and the steps stand when they disagree", () => {
  const edges = { meanW: 130, standardErrorW: 12, baseW: 80 };
  // Runs saying 110 ± 24 W: (130/144 + 110/576) / (1/144 + 1/576) = 126 W.
  assert.ok(Math.abs(meanOfBursts(edges, 80, { meanW: 110, standardErrorW: 24 })! - 126) < 1e-9);
  // Runs that see nothing above the step, precisely, outweigh the switch-offs, and the step stands; noisy ones do not.
  assert.equal(meanOfBursts(edges, 80, { meanW: 81, standardErrorW: 30 }) !== null, true, "noisy runs leave the switch-offs their say");
  assert.equal(meanOfBursts({ ...edges, standardErrorW: 30 }, 80, { meanW: 80, standardErrorW: 1 }), null, "runs that see nothing, precisely");
  // A TV whose switch-offs caught a fridge's cycles: 112 ± 12 W against runs of 68 ± 17 W.
  assert.equal(meanOfBursts({ meanW: 112, standardErrorW: 12, baseW: 86 }, 86, { meanW: 68, standardErrorW: 17 }), null, "they disagree");
});

test("all of a bursty device's runs join its switch-offs and least uncertain runs when they agree and resolve it", () => {
  // A PC on for hours beside everything: switch-offs 130 ± 12 W, its few clear runs 110 ± 24 W, all 20 of its runs 118 ± 8 W:
  // (130/144 + 110/576 + 118/64) / (1/144 + 1/576 + 1/64) = 120.7 W (126 W without them).
  const edges = { meanW: 130, standardErrorW: 12, baseW: 80 };
  const clear = { meanW: 110, standardErrorW: 24 };
  const expected = (130 / 144 + 110 / 576 + 118 / 64) / (1 / 144 + 1 / 576 + 1 / 64);
  assert.ok(Math.abs(meanOfBursts(edges, 80, clear, { meanW: 118, standardErrorW: 8 })! - expected) < 1e-9);
  // Not when they disagree with the switch-offs (60 ± 8 W: the PC's runs read low), nor when they cannot resolve it (± 45 W, over half the step).
  assert.ok(Math.abs(meanOfBursts(edges, 80, clear, { meanW: 60, standardErrorW: 8 })! - 126) < 1e-9);
  assert.ok(Math.abs(meanOfBursts(edges, 80, clear, { meanW: 118, standardErrorW: 45 })! - 126) < 1e-9);
});

test("a device whose switch-offs are above its switch-ons, too coarse to count its bursts, draws its step plus the median residual of all its runs", () => {
  // A PC read every 60 s: switch-ons at 80 W, switch-offs scattered above (no clear burst level), runs saying +36 ± 14 W.
  const pc = learning([80, 79, 81, 80, 80, 82], [80, 95, 79, 130, 82, 160, 110, 150, 85, 176]);
  assert.equal(meanOfRuns(pc, 80, { middleW: 36, standardErrorW: 14 }), 116);
  // Runs within 1.28 standard errors of nothing, or too noisy for the device (an error over half its step), say nothing.
  assert.equal(meanOfRuns(pc, 80, { middleW: 36, standardErrorW: 30 }), null, "36 W is 1.2 standard errors");
  assert.equal(meanOfRuns(pc, 20, { middleW: 36, standardErrorW: 11 }), null, "an error over half the step");
  assert.equal(meanOfRuns(pc, 80, { middleW: 6, standardErrorW: 1 }), null, "within 10 % of the step");
  assert.equal(meanOfRuns(pc, 80, { middleW: 200, standardErrorW: 30 }), null, "above nearly every level it was switched off at");
  // Runs saying over twice its switch-on level (80 W), when its switch-offs reach far above that too: other loads in its runs.
  const wide = learning([80, 79, 81, 80, 80, 82], [80, 95, 79, 130, 82, 160, 110, 350, 400, 1800]);
  assert.equal(meanOfRuns(wide, 80, { middleW: 70, standardErrorW: 20 }), 150);
  assert.equal(meanOfRuns(wide, 80, { middleW: 90, standardErrorW: 20 }), null, "170 W is over twice 80 W");
  assert.equal(meanOfRuns(pc, 80, null), null, "too few runs");
  // Edges that agree (a steady light), or switch-offs below the switch-ons, keep the step whatever the runs say.
  const steady = learning([80, 79, 81, 80, 80, 82], [80, 81, 79, 80, 82, 78, 80, 81]);
  assert.equal(meanOfRuns(steady, 80, { middleW: 36, standardErrorW: 14 }), null, "edges that agree");
  const lower = learning([80, 79, 81, 80, 80, 82], [80, 40, 79, 30, 82, 35, 45, 81]);
  assert.equal(meanOfRuns(lower, 80, { middleW: 36, standardErrorW: 14 }), null, "switch-offs below");
  assert.equal(meanOfRuns(learning([80], [130]), 80, { middleW: 36, standardErrorW: 14 }), null, "too few events to publish");
});

test("a level that all the device's runs together clearly contradict is never confident", () => {
  // A PC whose switch-ons and switch-offs all caught it idle at 81 W; its runs say 35 ± 10 W more.
  assert.equal(runsContradict(81, { middleW: 35, standardErrorW: 10 }), true);
  assert.equal(runsContradict(81, { middleW: -35, standardErrorW: 10 }), true, "runs saying less contradict it too");
  assert.equal(runsContradict(81, { middleW: 12, standardErrorW: 10 }), false, "within 1.28 standard errors");
  assert.equal(runsContradict(81, { middleW: 6, standardErrorW: 1 }), false, "within 10 %");
  assert.equal(runsContradict(12, { middleW: 30, standardErrorW: 15 }), false, "runs too noisy for a 12 W light");
  assert.equal(runsContradict(81, null), false, "too few runs");
});

test("a device whose edges say its step is not its level, and whose runs say far more without agreeing how much, is not attributable", () => {
  // A dishwasher whose edges are its 8 W fill pump: switch-ons at 8 W, switch-offs scattered; runs saying +356 ± 57 W.
  const dishwasher = learning([8, 7, 8, 9, 8], [8, 30, 7, 45, 9, 60]);
  assert.equal(unattributable(dishwasher, 8, { middleW: 356, standardErrorW: 57 }), true);
  assert.equal(unattributable(dishwasher, 8, { middleW: 356, standardErrorW: 20 }), false, "runs that agree say how much");
  assert.equal(unattributable(dishwasher, 8, { middleW: 30, standardErrorW: 57 }), false, "runs near the step");
  assert.equal(unattributable(dishwasher, 8, null), false, "no runs");
  const steady = learning([8, 7, 8, 9, 8], [8, 8, 7, 9, 9, 8]);
  assert.equal(unattributable(steady, 8, { middleW: 356, standardErrorW: 57 }), false, "edges that agree");
});

/**
 * Eight one-hour runs of an 80 W device every two hours; `extra(i, start)` adds loads to run i. The
 * readings of the last three runs are lost from 5 to 55 minutes in (so only five runs are measured,
 * too few for a residual under half the step to count as varying on its own).
 */
function burstyRuns(entityId: string, extra: (i: number, start: number) => Load[], everyMs = SECOND) {
  const d = device(entityId, 8, HOUR, (s) => [{ from: s, to: s + HOUR, w: 80 }]);
  const loads = [...d.loads, ...d.starts.flatMap((s, i) => extra(i, s))];
  const until = T0 + 18 * HOUR;
  const lost = d.starts.slice(5).map((s) => [s + 5 * MINUTE, s + 55 * MINUTE] as const);
  const samples = readings(loads, until, everyMs).filter((r) => !lost.some(([a, b]) => r.t >= a && r.t < b));
  return on(correlate(samples, d.events, { now: until }).profiles, entityId);
}

test("a PC whose switch-offs land in a burst three times in eight, and whose runs show the bursts, draws their mean", () => {
  // A 100 W burst for 20 of its 60 minutes: at the end of runs 1, 3 and 5, in the middle of the others. Mean 113.3 W.
  const pc = burstyRuns("switch.pc", (i, s) => [i === 1 || i === 3 || i === 5 ? { from: s + 40 * MINUTE, to: s + HOUR, w: 100 } : { from: s + 20 * MINUTE, to: s + 40 * MINUTE, w: 100 }]);
  assert.equal(pc.energyFrom, "switch-offs");
  assert.ok(Math.abs(pc.powerW! - (80 + 100 / 3)) < 1, String(pc.powerW));
  assert.equal(pc.status, "estimated");
  // Read every 60 s, a switch-off step's windows hold the one reading before and after it (3 minutes wide, as likely
  // to catch another load, they were not used): they sample the level as well.
  const slow = burstyRuns("switch.pc", (i, s) => [i === 1 || i === 3 || i === 5 ? { from: s + 40 * MINUTE, to: s + HOUR, w: 100 } : { from: s + 20 * MINUTE, to: s + 40 * MINUTE, w: 100 }], 60 * SECOND);
  assert.equal(slow.energyFrom, "switch-offs");
  assert.ok(Math.abs(slow.powerW! - (80 + 100 / 3)) < 1, String(slow.powerW));
  assert.ok(pc.range !== null && pc.range.lowW < 85 && pc.range.highW > 170, JSON.stringify(pc.range));
});

test("a light whose switch-offs caught another load three times in eight keeps its step when its runs show nothing more", () => {
  // An untracked 100 W load comes on 10 minutes into runs 1, 3 and 5 and goes off with the light: its switch-offs
  // look like bursts, but the median run shows nothing above the light's 80 W.
  const light = burstyRuns("light.porch", (i, s) => (i === 1 || i === 3 || i === 5 ? [{ from: s + 10 * MINUTE, to: s + HOUR, w: 100 }] : []));
  assert.equal(light.energyFrom, "steps");
  assert.equal(light.powerW, 80);
});

test("a 'varying' verdict is kept when the second pass has too few runs clear of the varying devices around it", () => {
  // A dishwasher: 20 W at its edges, 1480 W more for 10 of its 50 minutes (316 W on average). A bigger device
  // whose edges are as quiet switches on 6 minutes into each of the dishwasher's runs: 20 W until 110 minutes
  // after the dishwasher started, then 3000 W for 2 hours, then 20 W for 10 minutes. The first pass takes it out at
  // its 20 W step and finds the dishwasher's heater; the second takes it out at its mean while on (about 1.9 kW,
  // far more than it draws beside the dishwasher) and no dishwasher run is clear of it, so the second pass would
  // see nothing above the edges. The first pass's answer stands.
  const cycles = 6;
  const starts = Array.from({ length: cycles }, (_, i) => T0 + HOUR + i * 6 * HOUR);
  const events: StateEvent[] = [];
  const loads: Load[] = [];
  for (const s of starts) {
    const b = s + 6 * MINUTE;
    const bOff = s + 110 * MINUTE + 2 * HOUR + 10 * MINUTE;
    events.push(
      { t: s, entityId: "switch.dishwasher", from: "off", to: "on" },
      { t: s + 50 * MINUTE, entityId: "switch.dishwasher", from: "on", to: "off" },
      { t: b, entityId: "switch.big", from: "off", to: "on" },
      { t: bOff, entityId: "switch.big", from: "on", to: "off" },
    );
    loads.push(
      { from: s, to: s + 50 * MINUTE, w: 20 },
      { from: s + 15 * MINUTE, to: s + 25 * MINUTE, w: 1480 },
      { from: b, to: bOff, w: 20 },
      { from: s + 110 * MINUTE, to: s + 110 * MINUTE + 2 * HOUR, w: 2980 },
    );
  }
  events.sort((x, y) => x.t - y.t);
  const until = T0 + (cycles * 6 + 2) * HOUR;
  const profiles = correlate(readings(loads, until), events, { now: until }).profiles;
  const big = on(profiles, "switch.big");
  assert.equal(big.energyFrom, "while-on", "the bigger device varies");
  const p = on(profiles, "switch.dishwasher");
  assert.equal(p.energyFrom, "while-on");
  assert.ok(Math.abs(p.stepW! - 20) < 1, `edges ${p.stepW} W`);
  const trueKwh = (cycles * (20 * 50 + 1480 * 10)) / 60 / 1000;
  assert.ok(Math.abs(p.energyKwh! - trueKwh) / trueKwh < 0.05, `energy ${p.energyKwh} kWh, true ${trueKwh} kWh`);
});

test("a light read every 60 s whose switch-offs are above its level hardly more often than its switch-ons keeps its step, whatever its runs say", () => {
  // A 60 W light, twelve 30-minute runs, its events mid-minute between two readings. A 100 W load switching in the
  // two minutes around an event puts one switch-on and two switch-offs at 160 W (no burst: as a fridge's cycles do),
  // and untracked loads in the middle of its runs (0 to 75 W, varying) make them say about 15 W more than its step.
  const extraW = [0, 0, 0, 7.5, 15, 22.5, 22.5, 37.5, 45, 52.5, 60, 75];
  const light = device("light.kitchen", 12, 30 * MINUTE, (s) => [{ from: s, to: s + 30 * MINUTE, w: 60 }, { from: s + 5 * MINUTE, to: s + 25 * MINUTE, w: extraW[(s - T0 - HOUR) / (2 * HOUR)]! }]);
  const events = light.events.map((e) => ({ ...e, t: e.t + 30 * SECOND }));
  const loads = light.loads.map((l) => ({ ...l, from: l.from + 30 * SECOND, to: l.to + 30 * SECOND }));
  const at = (i: number) => light.starts[i]! + 30 * SECOND;
  loads.push({ from: at(2) + 5 * SECOND, to: at(2) + 40 * SECOND, w: 100 });
  for (const i of [4, 9]) loads.push({ from: at(i) + 30 * MINUTE - 35 * SECOND, to: at(i) + 30 * MINUTE + 5 * SECOND, w: 100 });
  const until = T0 + 26 * HOUR;
  const p = on(correlate(readings(loads, until, MINUTE), events, { now: until }).profiles, "light.kitchen");
  assert.equal(p.energyFrom, "steps");
  assert.ok(Math.abs(p.powerW! - 60) < 1, `power ${p.powerW} W`);
});

test("switch-offs above the switch-on level clearly more often than the switch-ons show bursts; a few more of them do not", () => {
  // A PC at 80 W: 1 of 12 switch-ons above 104 W, 6 of 12 switch-offs (its bursts).
  assert.equal(switchOffsClearlyAbove([80, 80, 81, 79, 80, 82, 78, 80, 80, 81, 79, 180], [80, 81, 79, 175, 185, 180, 80, 190, 160, 80, 170, 80]), true);
  // A light: 1 of 12 switch-ons and 2 of 12 switch-offs above (other loads in the windows): 0.08 apart, 0.13 standard error.
  const light = [60, 60, 61, 59, 60, 62, 58, 60, 60, 61, 59];
  assert.equal(switchOffsClearlyAbove([...light, 160], [...light.slice(1), 160, 160]), false);
  assert.equal(switchOffsClearlyAbove([], [160]), false, "no switch-ons");
});

for (const everyS of [60, 30]) {
  test(`read every ${everyS} s, a light's steps read beside a 3 kW load count less than those read at a quiet hour`, () => {
    // A 40 W light, 24 runs of 30 minutes three hours apart, its events between two readings. In every other run a 3 kW
    // load is on around it, and a 25 W load switching just after its switch-on and just before its switch-off puts both
    // its steps there at 65 W. Counted alike, the steps say about 52 W; by their noise (1 % of 3.2 kW against the quiet
    // readings' 1 W), 40 W.
    const entityId = "light.porch";
    const events: StateEvent[] = [];
    const loads = [];
    for (let i = 0; i < 24; i += 1) {
      const s = T0 + 2 * HOUR + i * 3 * HOUR + 15 * SECOND;
      const e = s + 30 * MINUTE;
      events.push({ t: s, entityId, from: "off", to: "on" }, { t: e, entityId, from: "on", to: "off" });
      loads.push({ from: s, to: e, w: 40 });
      if (i % 2 === 1) loads.push({ from: s - 65 * MINUTE, to: s + 95 * MINUTE, w: 3000 }, { from: s + 5 * SECOND, to: s + 2 * MINUTE, w: 25 }, { from: e - 2 * MINUTE, to: e - 5 * SECOND, w: 25 });
    }
    const until = T0 + 75 * HOUR;
    const p = on(correlate(readings(loads, until, everyS * SECOND), events, { now: until }).profiles, entityId);
    assert.ok(Math.abs(p.stepW! - 40) < 2, `step ${p.stepW} W`);
  });
}

test("a biweight that counts each value by its own noise follows the precise ones", () => {
  // Four precise values at 40 and four noisy ones at 65 (noise 45 against 1.4): the plain biweight is in between.
  const values = [40, 40, 40, 40, 65, 65, 65, 65];
  const scales = [1.4, 1.4, 1.4, 1.4, 45, 45, 45, 45];
  const weights = scales.map((s) => 1 / s ** 2);
  assert.ok(Math.abs(biweightLocation(values, weights) - 40) < 0.1, String(biweightLocation(values, weights)));
  assert.ok(Math.abs(biweightLocation(values) - 52.5) < 0.1);
  // Equal noise: the plain biweight.
  const spread = [38, 40, 41, 39, 42, 90];
  assert.ok(Math.abs(biweightLocation(spread, spread.map(() => 1 / 9)) - biweightLocation(spread)) < 1e-9);
});
