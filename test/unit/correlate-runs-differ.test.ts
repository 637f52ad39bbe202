/**
 * Devices whose runs differ from each other (an EV charger fills a car from wherever it was): a run
 * far from the others is not clipped beyond what else went on in it could explain, and a run left out
 * for an uncertain device beside it keeps its own integral when that is less uncertain than the
 * device's mean. Hand-made, noise-free series.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { confirmedByAllRuns, contaminationW, eachRunAbove, fewRunsAbove, fewRunsBelow, leansAbove, robustSpreadW, runsContradict, runsFarAbove, ownIntegralBetter, winsorize } from "../../server/src/correlate/attribution.js";
import { learnState } from "../../server/src/correlate/learn.js";
import { correlate } from "../../server/src/correlate/engine.js";
import type { StateEvent } from "../../server/src/correlate/types.js";
import { HOUR, MINUTE, SECOND, T0, readings, type Load } from "../helpers/power-series.js";


const onOff = (entityId: string, from: number, to: number): StateEvent[] => [
  { t: from, entityId, from: "off", to: "on" },
  { t: to, entityId, from: "on", to: "off" },
];

/** An EV charger's run of 8 h: 7200 W for `fullAfterH`, then 4 W until switched off. */
function evRun(start: number, fullAfterH: number): { loads: Load[]; events: StateEvent[]; wattMs: number } {
  const full = start + fullAfterH * HOUR;
  const end = start + 8 * HOUR;
  return {
    loads: [
      { from: start, to: full, w: 7200 },
      { from: full, to: end, w: 4 },
    ],
    events: onOff("switch.ev", start, end),
    wattMs: 7200 * (full - start) + 4 * (end - full),
  };
}

test("five or more runs are clipped towards the others, three or four are not", () => {
  const values = [1850, 1880, 1900, 1860, 3390];
  // The last is clipped to the median plus three robust deviations and 2 W.
  assert.ok(winsorize(values)[4]! < 2000);
  assert.deepEqual(winsorize(values).slice(0, 4), [1850, 1880, 1900, 1860]);
  // Three or four runs are too few to tell an outlier from the device's own spread.
  assert.deepEqual(winsorize([1850, 1880, 3390]), [1850, 1880, 3390]);
  // A short run's possible contamination is dominated by one brief untracked use.
  assert.ok(contaminationW({ baselineGapW: 0, uncertaintyW: 0, totalOnMs: 5 * MINUTE }) >= 2000);
  assert.ok(contaminationW({ baselineGapW: 0, uncertaintyW: 0, totalOnMs: 8 * HOUR }) < 50);
});

test("an EV charger whose one run filled the car from far lower is charged that run's energy, not one clipped to the others'", () => {
  const runs = [evRun(T0 + 2 * HOUR, 1.5), evRun(T0 + 14 * HOUR, 1.6), evRun(T0 + 26 * HOUR, 4)];
  const until = T0 + 40 * HOUR;
  const samples = readings(
    runs.flatMap((r) => r.loads),
    until,
    10 * SECOND,
  );
  const { profiles } = correlate(
    samples,
    runs.flatMap((r) => r.events),
    { now: until },
  );
  const p = profiles.find((x) => x.entityId === "switch.ev")!;
  const trueKwh = runs.reduce((s, r) => s + r.wattMs, 0) / 3_600_000 / 1000;
  assert.equal(p.energyFrom, "while-on");
  assert.ok(Math.abs(p.energyKwh! - trueKwh) / trueKwh < 0.03, `energy ${p.energyKwh} kWh, true ${trueKwh} kWh`);
});

test("a run beside an uncertain device keeps its own integral when the device's runs differ by more than that uncertainty", () => {
  assert.equal(ownIntegralBetter({ baselineGapW: 20, uncertaintyW: 900, totalOnMs: 8 * HOUR }, 1500), true);
  // Its contamination is a bound, √3 times a standard deviation: 1050 W beside runs 700 W apart.
  assert.equal(ownIntegralBetter({ baselineGapW: 100, uncertaintyW: 950, totalOnMs: 8 * HOUR }, 700), true);
  // A light's runs agree within watts: its mean stands.
  assert.equal(ownIntegralBetter({ baselineGapW: 2, uncertaintyW: 900, totalOnMs: HOUR }, 3), false);
  assert.equal(ownIntegralBetter({ baselineGapW: 0, uncertaintyW: Number.POSITIVE_INFINITY, totalOnMs: 8 * HOUR }, 1500), false);
});

test("how much three or four runs differ is their standard deviation, not their robust one; five or more, their robust one", () => {
  // An EV charger's three measured runs: 2.2, 1.4 and 1.3 kW. Their MAD says 160 W, which kept a fourth run beside a PC
  // (contamination 335 W) at the mean of the three (-30 % of the charger's energy); they differ by 480 W.
  assert.ok(Math.abs(robustSpreadW([2223, 1449, 1342]) - 480.3) < 0.5);
  assert.ok(Math.abs(robustSpreadW([1000, 1000, 1000, 1300]) - 150) < 1e-9);
  assert.equal(ownIntegralBetter({ baselineGapW: 314, uncertaintyW: 221, totalOnMs: 7 * HOUR }, robustSpreadW([2223, 1449, 1342])), true);
  // Five or more: one far run does not widen it.
  assert.ok(Math.abs(robustSpreadW([100, 101, 102, 103, 900]) - 1.4826) < 1e-3);
  assert.equal(robustSpreadW([5, 500]), 0);
});

test("an EV charger's run beside a heater that varies while on is charged its own energy, not the mean of its other runs", () => {
  // Four EV runs, 12 h apart, filling the car for 1.5, 3, 5 and 4 h; a heater (50 W edges, a 2.5 kW
  // element for 3.5 of its 4 hours, cycled 20 minutes on and 10 off: it does not modulate about one
  // level) runs four times alone and once inside the fourth EV run, which its uncertainty keeps from
  // being measured.
  const ev = [evRun(T0 + 2 * HOUR, 1.5), evRun(T0 + 14 * HOUR, 3), evRun(T0 + 26 * HOUR, 5), evRun(T0 + 38 * HOUR, 4)];
  const heaterStarts = [T0 + 39 * HOUR, T0 + 48 * HOUR, T0 + 53 * HOUR, T0 + 58 * HOUR, T0 + 63 * HOUR];
  const heater = heaterStarts.map((s) => ({
    loads: [
      { from: s, to: s + 4 * HOUR, w: 50 },
      ...Array.from({ length: 7 }, (_, k) => ({ from: s + 15 * MINUTE + k * 30 * MINUTE, to: s + 35 * MINUTE + k * 30 * MINUTE, w: 2450 })),
    ],
    events: onOff("switch.heater", s, s + 4 * HOUR),
  }));
  const until = T0 + 68 * HOUR;
  const samples = readings([...ev, ...heater].flatMap((r) => r.loads), until, 10 * SECOND);
  const events = [...ev, ...heater].flatMap((r) => r.events).sort((a, b) => a.t - b.t);
  const { profiles } = correlate(samples, events, { now: until });
  const h = profiles.find((x) => x.entityId === "switch.heater")!;
  assert.equal(h.energyFrom, "while-on");
  const p = profiles.find((x) => x.entityId === "switch.ev")!;
  const trueKwh = ev.reduce((s, r) => s + r.wattMs, 0) / 3_600_000 / 1000;
  assert.ok(p.measuredRuns < 4, `measured ${p.measuredRuns} of 4 runs`);
  assert.ok(Math.abs(p.energyKwh! - trueKwh) / trueKwh < 0.03, `energy ${p.energyKwh} kWh, true ${trueKwh} kWh`);
});

test("a light whose few runs clear of uncertain neighbours all caught an untracked load keeps its step when all its runs show nothing more", () => {
  // A 40 W light on for an hour every four hours, ten times. In the first three runs an untracked 300 W
  // load runs for 20 minutes; the other seven each hold a washer's whole run (15 W edges, a 2 kW heater),
  // which makes those seven uncertain once the washer is known to vary while on.
  const starts = Array.from({ length: 10 }, (_, i) => T0 + HOUR + i * 4 * HOUR);
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  starts.forEach((s, i) => {
    loads.push({ from: s, to: s + HOUR, w: 40 });
    events.push(...onOff("light.porch", s, s + HOUR));
    if (i < 3) loads.push({ from: s + 20 * MINUTE, to: s + 40 * MINUTE, w: 300 });
    else {
      const w = s + 10 * MINUTE;
      loads.push({ from: w, to: w + 40 * MINUTE, w: 15 }, { from: w + 5 * MINUTE, to: w + 25 * MINUTE, w: 1985 });
      events.push(...onOff("switch.washer", w, w + 40 * MINUTE));
    }
  });
  const until = T0 + 42 * HOUR;
  const { profiles } = correlate(readings(loads, until, 5 * SECOND), events.sort((a, b) => a.t - b.t), { now: until });
  assert.equal(profiles.find((x) => x.entityId === "switch.washer")!.energyFrom, "while-on");
  const light = profiles.find((x) => x.entityId === "light.porch")!;
  assert.equal(light.energyFrom, "steps");
  assert.ok(Math.abs(light.powerW! - 40) < 2, `light ${light.powerW} W`);
});

test("a level whose switch-offs and runs both lean above it, each short of proof, is never confident", () => {
  // A PC idling at 82 W: its switch-ons see a burst once in 20, its switch-offs 7 times in 24.
  const ons = [...Array.from({ length: 19 }, (_, i) => 80 + (i % 5)), 117].map((x) => [x]);
  const offs = [...Array.from({ length: 17 }, (_, i) => 79 + (i % 6)), 116, 174, 109, 184, 165, 150, 177].map((x) => [x]);
  const l = learnState(ons, offs, 1);
  assert.ok(Math.abs(l.powerW - 82) < 3, `level ${l.powerW} W`);
  assert.equal(leansAbove(l, l.powerW, { middleW: 24, standardErrorW: 19 }), true);
  // Runs that do not lean far enough, or are too scattered to lean at all, leave it alone.
  assert.equal(leansAbove(l, l.powerW, { middleW: 6, standardErrorW: 2 }), false);
  assert.equal(leansAbove(l, l.powerW, { middleW: 24, standardErrorW: 30 }), false);
  // Nor do runs alone, when the switch-offs are no more often above than the switch-ons.
  const steady = learnState(ons, ons, 1);
  assert.equal(leansAbove(steady, steady.powerW, { middleW: 24, standardErrorW: 19 }), false);
});

test("a PC whose switch-offs caught a burst a third of the time and whose runs lean above its idle level is estimated, not confident", () => {
  // 24 runs of 3 h every 6 h at 80 W idle with a 170 W burst in each: the burst covers the switch-off
  // in eight of them. A 60 W light (kept steady) shows what stays confident.
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let i = 0; i < 24; i += 1) {
    const s = T0 + HOUR + i * 6 * HOUR;
    const e = s + 3 * HOUR;
    loads.push({ from: s, to: e, w: 80 });
    const burstFrom = i % 3 === 0 ? e - 20 * MINUTE : s + 60 * MINUTE;
    loads.push({ from: burstFrom, to: Math.min(e, burstFrom + 40 * MINUTE), w: 90 });
    events.push(...onOff("switch.pc", s, e));
  }
  const until = T0 + 24 * 6 * HOUR + 2 * HOUR;
  const { profiles } = correlate(readings(loads, until, 30 * SECOND), events, { now: until });
  const pc = profiles.find((x) => x.entityId === "switch.pc")!;
  assert.notEqual(pc.status, "confident", `PC at ${pc.powerW} W is ${pc.status}`);
});

test("all runs confirm a device varies when the runs that can show it do, however far off the runs beside a kilowatt-uncertain neighbour are", () => {
  type Runs = Parameters<typeof confirmedByAllRuns>[0];
  type Input = Parameters<typeof confirmedByAllRuns>[1];
  const STEP_W = 14;
  const run = (residualW: number, uncertaintyW: number, minutes = 120) => {
    const ms = minutes * MINUTE;
    return { total: (STEP_W + residualW) * ms, totalOnMs: ms, onMs: new Map([["on", ms]]), baselineGapW: 20, uncertaintyW };
  };
  const input = { learned: new Map([["on", {}]]) } as unknown as Input;
  const stepOf = () => STEP_W;
  const stepEnergy = (m: { totalOnMs: number }) => STEP_W * m.totalOnMs;
  // A dishwasher: seven runs show its heater (+240 to +940 W), three beside an EV charger taken out at its
  // mean are off by kilowatts (their median and spread alone said nothing clear).
  const dishwasher = [448, 886, 237, 839, 942, 349, 424].map((r) => run(r, 50)).concat([-1097, -693, -1425].map((r) => run(r, 5000)));
  assert.equal(confirmedByAllRuns(dishwasher as unknown as Runs, input, stepOf, stepEnergy), true);
  // A light: fifty half-hour runs that scatter both ways by what untracked loads do.
  const light = Array.from({ length: 50 }, (_, i) => run(((i * 37) % 600) - 290, 100, 30));
  assert.equal(confirmedByAllRuns(light as unknown as Runs, input, stepOf, stepEnergy), false);
});

test("all runs must confirm a device with several states varies too, not only its few least uncertain runs", () => {
  type Runs = Parameters<typeof confirmedByAllRuns>[0];
  type Input = Parameters<typeof confirmedByAllRuns>[1];
  const STEPS: Record<string, number> = { "on · speed 33 %": 12, "on · speed 67 %": 22, "on · speed 100 %": 40 };
  const input = { learned: new Map(Object.keys(STEPS).map((s) => [s, {}])) } as unknown as Input;
  const stepOf = (s: string) => STEPS[s] ?? null;
  const stepEnergy = (m: { onMs: Map<string, number> }) => [...m.onMs].reduce((sum, [s, ms]) => sum + STEPS[s]! * ms, 0);
  // A run of an hour, half at one speed and half at another, drawing `residualW` above those speeds' steps on average.
  const run = (i: number, residualW: number, uncertaintyW: number) => {
    const states = Object.keys(STEPS);
    const onMs = new Map([
      [states[i % 3]!, 30 * MINUTE],
      [states[(i + 1) % 3]!, 30 * MINUTE],
    ]);
    return { total: stepEnergy({ onMs }) + residualW * HOUR, totalOnMs: HOUR, onMs, baselineGapW: 10, uncertaintyW };
  };
  // A fan beside two PCs: its three least uncertain runs said 31-126 W above its steps, its 46 others scatter both ways.
  const fan = [126, 31, 66].map((r, i) => run(i, r, 10)).concat(Array.from({ length: 46 }, (_, i) => run(i, ((i * 37) % 300) - 150, 80)));
  assert.equal(confirmedByAllRuns(fan as unknown as Runs, input, stepOf, stepEnergy), false);
  // A heat pump's ramps and modulation show in every run alike.
  const pump = Array.from({ length: 20 }, (_, i) => run(i, 400 + ((i * 37) % 200), 80));
  assert.equal(confirmedByAllRuns(pump as unknown as Runs, input, stepOf, stepEnergy), true);
});

test("a level every measured run clearly exceeds, each beyond its own noise, is never confident even when its edges agree", () => {
  type Runs = Parameters<typeof eachRunAbove>[0];
  const STEP_W = 6;
  const run = (meanW: number, noiseW: number) => {
    const ms = 2 * HOUR;
    return { total: meanW * ms, totalOnMs: ms, onMs: new Map([["on", ms]]), baselineGapW: noiseW / 2, uncertaintyW: noiseW / 2 };
  };
  const stepOf = () => STEP_W;
  // A dishwasher charged at its 6 W pump: its three runs drew 378, 406 and 512 W beside noise of 92-395 W.
  assert.equal(eachRunAbove([run(378, 92), run(406, 287), run(512, 395)] as unknown as Runs, stepOf, STEP_W), true);
  // One run within its own noise, or too few runs, say nothing.
  assert.equal(eachRunAbove([run(378, 92), run(406, 450), run(512, 395)] as unknown as Runs, stepOf, STEP_W), false);
  assert.equal(eachRunAbove([run(378, 92), run(406, 287)] as unknown as Runs, stepOf, STEP_W), false);
});

test("a device with too few runs for a residual, whose edges disagree and whose runs each drew far less than its step, is not charged its step", () => {
  type Runs = Parameters<typeof fewRunsBelow>[1];
  const run = (meanW: number, noiseW: number) => {
    const ms = 8 * HOUR;
    return { total: meanW * ms, totalOnMs: ms, onMs: new Map([["on", ms]]), baselineGapW: noiseW, uncertaintyW: 0 };
  };
  const stepOf = () => 7220;
  // An EV charger: switch-ons at 7.2 kW, switch-offs at 4 W once the car is full.
  const ev = learnState([[7210], [7230], [7220]], [[4], [5], [3]], 1);
  assert.equal(fewRunsBelow(ev, [run(3997, 20), run(3100, 480)] as unknown as Runs, stepOf, 7220), true);
  // A run near its step, three runs or more (the residual rules then speak), or edges that agree leave it alone.
  assert.equal(fewRunsBelow(ev, [run(3997, 20), run(7000, 480)] as unknown as Runs, stepOf, 7220), false);
  assert.equal(fewRunsBelow(ev, [run(3997, 20), run(3100, 480), run(3500, 20)] as unknown as Runs, stepOf, 7220), false);
  const steady = learnState([[7210], [7230], [7220]], [[7215], [7225], [7220]], 1);
  assert.equal(fewRunsBelow(steady, [run(3997, 20), run(3100, 480)] as unknown as Runs, stepOf, 7220), false);
});

test("a device with too few runs for a residual, whose edges disagree and whose runs each drew far more than its step, is not charged its step", () => {
  type Runs = Parameters<typeof fewRunsAbove>[1];
  const run = (meanW: number, noiseW: number) => {
    const ms = 8 * HOUR;
    return { total: meanW * ms, totalOnMs: ms, onMs: new Map([["on", ms]]), baselineGapW: noiseW, uncertaintyW: 0 };
  };
  const stepOf = () => 4;
  // An EV charger learned at its 4 W once the car is full (one switch-on at 7.2 kW, the other ambiguous).
  const ev = learnState([[7210]], [[4], [5]], 1);
  assert.equal(fewRunsAbove(ev, [run(2800, 20), run(3900, 60)] as unknown as Runs, stepOf, 4), true);
  // A run near its step, or three runs or more (the residual rules then speak), leave it alone.
  assert.equal(fewRunsAbove(ev, [run(2800, 20), run(5, 60)] as unknown as Runs, stepOf, 4), false);
  assert.equal(fewRunsAbove(ev, [run(2800, 20), run(3900, 60), run(3000, 20)] as unknown as Runs, stepOf, 4), false);
});

test("an EV charger with two runs, one switch-on ambiguous, is not published at the 4 W its switch-offs saw", () => {
  // Guards `fewRunsAbove`. Its first switch-on in the same second as a 60 W light's: the learner had only the second
  // switch-on (7.2 kW) against two switch-offs at 4 W, and charged 4 W for 16 hours on (0.06 kWh of 25 kWh drawn).
  const runs = [evRun(T0 + 2 * HOUR, 2), evRun(T0 + 26 * HOUR, 1.5)];
  const light = { loads: [{ from: T0 + 2 * HOUR, to: T0 + 2 * HOUR + 30 * MINUTE, w: 60 }], events: onOff("light.porch", T0 + 2 * HOUR, T0 + 2 * HOUR + 30 * MINUTE) };
  const until = T0 + 40 * HOUR;
  const events = [...runs.flatMap((r) => r.events), ...light.events].sort((a, b) => a.t - b.t);
  const { profiles } = correlate(readings([...runs.flatMap((r) => r.loads), ...light.loads], until, 10 * SECOND), events, { now: until });
  const ev = profiles.find((p) => p.entityId === "switch.ev")!;
  const trueKwh = runs.reduce((s, r) => s + r.wattMs, 0) / 3_600_000 / 1000;
  assert.ok(!ev.published || Math.abs(ev.energyKwh! - trueKwh) / trueKwh < 0.25, `${ev.powerW} W, ${ev.energyKwh} kWh published (true ${trueKwh.toFixed(1)} kWh)`);
});

test("runs that say a device draws far more than its step, clearly but without saying how much, keep it from being confident", () => {
  // Guards `runsFarAbove`. A washer learned at its 12 W fill pump, its runs saying 614 ± 38 W more: `runsContradict`
  // wants an error under half the step (6 W) and says nothing; the runs are 51 times the step and 16 errors above it.
  const washer = { middleW: 614, standardErrorW: 38 };
  assert.equal(runsContradict(12, washer), false);
  assert.equal(runsFarAbove(12, washer), true);
  // Runs only a few times the step, or within three of their errors of it, say too little.
  assert.equal(runsFarAbove(12, { middleW: 50, standardErrorW: 5 }), false);
  assert.equal(runsFarAbove(12, { middleW: 100, standardErrorW: 40 }), false);
  assert.equal(runsFarAbove(12, null), false);
});
