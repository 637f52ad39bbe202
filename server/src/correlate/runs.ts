/**
 * On-intervals ("runs") of an entity, from switching on to switching off, and what the whole-home
 * power did during them: its integral piece by piece (split at the entity's own changes and at
 * UTC hours), the power in baseline windows before and after, and how long the power stood at
 * each level above that baseline. This is measured once, when the data covers the run; what part
 * of it was the entity's (less the baseline and the other devices running then) is worked out
 * later from these figures (`attribution.ts`), so feeding data in any batches gives the same result.
 */
import type { EventRecord } from "./event-log.js";
import type { HoldLimits, PowerSeries } from "./power-series.js";
import type { WindowGeometry } from "./sensor.js";
import type { SensorProfile } from "./types.js";
import { toKey } from "./states.js";

/** A run whose events are known: its first record switches on; `end` is null while it is still on. */
export interface Run {
  entityId: string;
  records: readonly EventRecord[];
  /** The entity's record before the run (its previous switch-off) and after it. */
  previous: EventRecord | null;
  next: EventRecord | null;
  /** True when the last record switches off. */
  closed: boolean;
}

/** One piece of a run in one power state and one UTC hour. */
export interface RunSegment {
  state: string;
  hourStart: number;
  from: number;
  to: number;
  /** ∫ whole-home power over the covered part, W·ms. */
  wattMs: number;
  coveredMs: number;
}

export interface WindowIntegral {
  from: number;
  to: number;
  wattMs: number;
  coveredMs: number;
}

export interface RunMeasurement {
  /** The run's events and neighbours as measured; a different signature means the run changed. */
  signature: string;
  /** [a − guard, off + guard + the longest lag]: where the run's power is integrated. */
  from: number;
  to: number;
  segments: RunSegment[];
  /** Baseline windows before and after (null when too little of them is covered). */
  pre: WindowIntegral | null;
  post: WindowIntegral | null;
  /** Per power state: ms the power stood in each level bin above the raw baseline (see `levelBin`). */
  levels: Map<string, Float64Array>;
  /** Too long, or too little covered, to integrate: the run's energy comes from its learned power. */
  integrable: boolean;
  /**
   * Jumps between consecutive readings inside the run per power state (`RunGeometry.countJumps`, else none), in its last
   * quarter when it is in one state (`ENDING_SHARE`, else none), and in its baseline windows (`JumpCounts`); absent when
   * not integrable or neither is counted.
   */
  jumps?: { inside: Map<string, JumpCounts>; ending: JumpCounts; outside: JumpCounts };
}

/**
 * Jumps of the whole-home power between consecutive fresh readings (|difference| in level bins,
 * `levelBin`), and the time those pairs of readings spanned, ms. A device with bursts (a PC idling at
 * 80 W, a third of its time at 150–200 W) makes the power jump by about its burst's height several
 * times an hour while it is on; untracked loads (a fridge's and a freezer's cycles) as often while it is
 * on as while it is off.
 */
export interface JumpCounts {
  bins: Float64Array;
  ms: number;
}

/**
 * Baseline windows reach as far before and after a run as the run lasts, from 10 minutes to an
 * hour: a long run's integral multiplies the baseline's error by its length, and a longer window
 * averages over a fridge's cycles instead of catching it on or off.
 */
export const MIN_BASELINE_WINDOW_MS = 10 * 60_000;
export const MAX_BASELINE_WINDOW_MS = 60 * 60_000;

export function baselineWindowMs(runMs: number): number {
  return Math.min(MAX_BASELINE_WINDOW_MS, Math.max(MIN_BASELINE_WINDOW_MS, runMs));
}
/** A baseline window needs this much covered signal. */
const MIN_BASELINE_MS = 60_000;
/** Runs longer than this are not integrated (the readings are not kept that long). */
export const MAX_RUN_MS = 24 * 3600_000;
/** A run needs this share of its span covered by readings to be integrated. */
const MIN_COVERED_SHARE = 0.8;
const HOUR_MS = 3600_000;

/** Level bins: bin 0 below 5 W, bin k ≥ 1 from 5·1.25^(k−1) W; the last is open-ended. */
export const LEVEL_BINS = 42;
const LEVEL_BASE_W = 5;
const LEVEL_RATIO = 1.25;

const LOG_LEVEL_RATIO = Math.log(LEVEL_RATIO);

export function levelBin(excessW: number): number {
  if (!(excessW >= LEVEL_BASE_W)) return 0;
  return Math.min(LEVEL_BINS - 1, 1 + Math.floor(Math.log(excessW / LEVEL_BASE_W) / LOG_LEVEL_RATIO));
}

/** A typical power of a level bin (its geometric middle), W. */
export function levelOfBin(bin: number): number {
  return bin === 0 ? 0 : LEVEL_BASE_W * LEVEL_RATIO ** (bin - 0.5);
}

/** The entity's runs, in time order; records before its first switch-on are not part of any. */
export function runsOf(own: readonly EventRecord[]): Run[] {
  const runs: Run[] = [];
  let current: EventRecord[] | null = null;
  let previous: EventRecord | null = null;
  own.forEach((r, i) => {
    if (current === null) {
      if (r.kind === "on") current = [r];
      else previous = r;
      return;
    }
    if (r.kind === "on") {
      // Switched on again without a switch-off in between (a lost event): the run before is given up.
      previous = own[i - 1] ?? null;
      current = [r];
      return;
    }
    current.push(r);
    if (r.kind === "off") {
      runs.push({ entityId: r.event.entityId, records: current, previous, next: own[i + 1] ?? null, closed: true });
      previous = r;
      current = null;
    }
  });
  if (current !== null) runs.push({ entityId: (current as EventRecord[])[0]!.event.entityId, records: current, previous, next: null, closed: false });
  return runs;
}

export function runSignature(run: Run): string {
  const own = run.records.map((r) => `${r.event.t}:${toKey(r.event)}`).join(",");
  return `${run.previous?.event.t ?? ""}|${own}|${run.next?.event.t ?? ""}`;
}

export interface RunGeometry {
  preGuardMs: number;
  postGuardMs: number;
  /** The longest candidate lag: a load's run-on after its switch-off is counted up to here. */
  tailMs: number;
  /** Shorter runs are not integrated: one held reading of a slow periodic sensor would stand for too much of them. */
  minSpanMs: number;
  limits: HoldLimits;
  /** Whether to count the jumps between readings inside runs (`RunMeasurement.jumps.inside`): only where bursts are judged by them, readings 30 s or more apart. */
  countJumps?: boolean;
}

/** How far after its switch-off a run of `runMs` reaches: data must be complete up to here. */
export function runReachMs(g: WindowGeometry, lagsS: readonly number[], runMs: number): number {
  return g.postGuardMs + Math.max(0, ...lagsS) * 1000 + baselineWindowMs(runMs);
}

/** A run must last this many intervals of a periodic sensor to be integrated (the held readings at its ends then err by a few %, either way). */
const MIN_SPAN_INTERVALS = 10;

export function runGeometry(g: WindowGeometry, sensor: SensorProfile, lagsS: readonly number[], completeUntil: number): RunGeometry {
  return {
    preGuardMs: g.preGuardMs,
    postGuardMs: g.postGuardMs,
    tailMs: Math.max(0, ...lagsS) * 1000,
    minSpanMs: sensor.kind === "periodic" ? MIN_SPAN_INTERVALS * sensor.intervalS * 1000 : 0,
    limits: { staleMs: g.staleMs, completeUntil },
  };
}

/** Measures a closed run. */
export function measureRun(run: Run, series: PowerSeries, g: RunGeometry): RunMeasurement {
  const first = run.records[0]!;
  const last = run.records[run.records.length - 1]!;
  const from = first.event.t - g.preGuardMs;
  const nextAt = run.next ? run.next.event.t - g.preGuardMs : Number.POSITIVE_INFINITY;
  const to = Math.min(last.event.t + g.postGuardMs + g.tailMs, nextAt);
  const signature = runSignature(run);
  const empty = { signature, from, to, segments: [], pre: null, post: null, levels: new Map<string, Float64Array>(), integrable: false };
  if (to - from > MAX_RUN_MS || last.event.t - first.event.t < g.minSpanMs || to <= from) return empty;

  const previousAt = run.previous ? run.previous.event.t + g.postGuardMs + g.tailMs : Number.NEGATIVE_INFINITY;
  const window = baselineWindowMs(last.event.t - first.event.t);
  const pre = baselineWindow(series, Math.max(from - window, previousAt), from, g.limits);
  const post = baselineWindow(series, to, Math.min(to + window, nextAt), g.limits);
  if (!pre && !post) return { ...empty, pre, post };

  // Pieces in each power state (the tail after the switch-off belongs to the last one) and hour.
  const segments: RunSegment[] = [];
  let covered = 0;
  for (let i = 0; i + 1 < run.records.length; i += 1) {
    const a = i === 0 ? from : run.records[i]!.event.t;
    const b = i + 2 === run.records.length ? to : run.records[i + 1]!.event.t;
    const state = toKey(run.records[i]!.event);
    for (let x = a; x < b; ) {
      const hourStart = Math.floor(x / HOUR_MS) * HOUR_MS;
      const y = Math.min(b, hourStart + HOUR_MS);
      const { wattMs, coveredMs } = series.integrate(x, y, g.limits);
      segments.push({ state, hourStart, from: x, to: y, wattMs, coveredMs });
      covered += coveredMs;
      x = y;
    }
  }
  if (covered < MIN_COVERED_SHARE * (to - from)) return { ...empty, pre, post, segments };

  // How long the power stood at each level above the raw baseline (no other device taken out).
  const preW = pre ? pre.wattMs / pre.coveredMs : null;
  const postW = post ? post.wattMs / post.coveredMs : null;
  const baseAt = (t: number) => (preW === null ? postW! : postW === null ? preW : preW + ((postW - preW) * (t - from)) / (to - from));
  const levels = new Map<string, Float64Array>();
  for (const s of segments) {
    let bins = levels.get(s.state);
    if (!bins) levels.set(s.state, (bins = new Float64Array(LEVEL_BINS)));
    const into = bins;
    series.eachPiece(s.from, s.to, g.limits, (w, ms, _inside, start) => {
      into[levelBin(w - baseAt(start + ms / 2))]! += ms;
    });
  }
  // Jumps between consecutive readings: inside the run, clear of its own events (by the guards and the longest lag after each,
  // for run-on and ramps), where bursts are judged by them (`RunGeometry.countJumps`); in the last quarter of a run in one
  // state (a device that may taper); and in its baseline windows, when either is counted.
  const countInside = g.countJumps === true;
  const countEnding = run.records.length === 2;
  if (!countInside && !countEnding) return { signature, from, to, segments, pre, post, levels, integrable: true };
  const own = run.records.map((r) => r.event.t);
  const nearOwn = (a: number, b: number) => own.some((t) => a < t + g.postGuardMs + g.tailMs && b > t - g.preGuardMs);
  const inside = new Map<string, JumpCounts>();
  for (let i = 0; countInside && i + 1 < run.records.length; i += 1) {
    const state = toKey(run.records[i]!.event);
    let counts = inside.get(state);
    if (!counts) inside.set(state, (counts = { bins: new Float64Array(LEVEL_BINS), ms: 0 }));
    countJumps(series, run.records[i]!.event.t, run.records[i + 1]!.event.t, g.limits, counts, nearOwn);
  }
  const ending: JumpCounts = { bins: new Float64Array(LEVEL_BINS), ms: 0 };
  if (countEnding) countJumps(series, last.event.t - ENDING_SHARE * (last.event.t - first.event.t), last.event.t, g.limits, ending, nearOwn);
  const outside: JumpCounts = { bins: new Float64Array(LEVEL_BINS), ms: 0 };
  if (pre) countJumps(series, pre.from, pre.to, g.limits, outside);
  if (post) countJumps(series, post.from, post.to, g.limits, outside);
  return { signature, from, to, segments, pre, post, levels, integrable: true, jumps: { inside, ending, outside } };
}

/** The last share of a run whose jumps are counted apart (`RunMeasurement.jumps.ending`): where a device that stops drawing before it is switched off has stopped. */
const ENDING_SHARE = 0.25;

/** Adds the jumps between consecutive fresh readings both taken in [from, to] (and not `excluded`) to `into`. */
export function countJumps(series: PowerSeries, from: number, to: number, limits: HoldLimits, into: JumpCounts, excluded: (a: number, b: number) => boolean = () => false): void {
  let i = series.indexAtOrBefore(from);
  if (i < 0 || series.timeAt(i) < from) i += 1;
  for (; i + 1 < series.length; i += 1) {
    const a = series.timeAt(i);
    const b = series.timeAt(i + 1);
    if (b > to || b > limits.completeUntil) break;
    if (b - a > limits.staleMs || excluded(a, b)) continue;
    into.bins[levelBin(Math.abs(series.wattsAt(i + 1) - series.wattsAt(i)))]! += 1;
    into.ms += b - a;
  }
}

function baselineWindow(series: PowerSeries, from: number, to: number, limits: HoldLimits): WindowIntegral | null {
  if (to - from < MIN_BASELINE_MS) return null;
  const { wattMs, coveredMs } = series.integrate(from, to, limits);
  return coveredMs >= MIN_BASELINE_MS ? { from, to, wattMs, coveredMs } : null;
}
