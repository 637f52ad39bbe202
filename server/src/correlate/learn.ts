/**
 * Learned power of one (entity, power state) from the signed steps of its events: the lags at which
 * switch-on and switch-off steps agree (or each direction's settled lag), the median of the pooled
 * steps with a standard error from their MAD, and whether that is published and how confidently.
 */
import { erf, median, medianAbsoluteDeviation, standardErrorOfMedian } from "./robust.js";
import type { ProfileStatus } from "./types.js";

/**
 * Accepted signed steps (power of the state, in W) of one direction: one row per event, one column
 * per candidate lag, null where the event was not accepted at that lag.
 */
export type StepRows = readonly (readonly (number | null)[])[];

export interface Estimate {
  powerW: number;
  standardErrorW: number;
  n: number;
}

export interface StateLearning extends Estimate {
  /** Index into the candidate lags chosen for switching on and off. */
  onLagIndex: number;
  offLagIndex: number;
  /** The accepted steps the estimate was computed from. */
  values: number[];
  /** Of them (before changes between power states add theirs), the switch-on and the switch-off steps at their lags. */
  onValues: number[];
  offValues: number[];
}

/** Fewer accepted events than this never publish. */
export const MIN_EVENTS = 3;
/** Events for full confidence. */
export const CONFIDENT_EVENTS = 5;
/** The error a profile is "confident" about: max(2 W, 5 %). */
const TOLERANCE_W = 2;
const TOLERANCE_SHARE = 0.05;
/**
 * Every step carries at least this much error (W) even when the steps agree exactly, as they can
 * on a coarse report-on-change sensor; it keeps the standard error above zero.
 */
const STEP_ERROR_FLOOR_W = 0.5;

export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { powerW: Number.NaN, standardErrorW: Number.POSITIVE_INFINITY, n: 0 };
  const powerW = median(values);
  const se = Math.max(standardErrorOfMedian(medianAbsoluteDeviation(values, powerW), n), STEP_ERROR_FLOOR_W / Math.sqrt(n));
  return { powerW, standardErrorW: se, n };
}

/** A step grows between two lags when the paired growth exceeds this share of it and two standard errors. */
const GROWTH_SHARE = 0.02;
/** Most events must grow too, so that a few confounded windows cannot fake a ramp. */
const GROWTH_MAJORITY = 0.75;

export interface LagChoice {
  index: number;
  values: number[];
  estimate: Estimate;
}

/** The accepted values of each lag. */
function columnsOf(rows: StepRows, lagCount: number): number[][] {
  return Array.from({ length: lagCount }, (_, i) => rows.flatMap((r) => (r[i] === null || r[i] === undefined ? [] : [r[i]!])));
}

/** Lags with as many values as a lag can be trusted with: `MIN_EVENTS`, or the most any lag has when fewer. */
function candidateLags(columns: readonly number[][]): number[] {
  const most = Math.max(0, ...columns.map((c) => c.length));
  return columns.flatMap((c, i) => (c.length > 0 && c.length >= Math.min(MIN_EVENTS, most) ? [i] : []));
}

/**
 * The shortest lag after which the step no longer grows: a heat pump's step grows through its
 * ramp and then stays, a lamp's is complete at once. Growth is judged on paired differences
 * (the same events at both lags), in which the window before the event cancels out.
 * (The reference's "largest |median| ÷ SE" prefers a point mid-ramp, whose steps agree closely
 * because the ramp is the same every time.)
 */
export function chooseLag(rows: StepRows, lagCount: number): LagChoice {
  const columns = columnsOf(rows, lagCount);
  const usable = candidateLags(columns);
  const grows = (i: number, j: number): boolean => {
    const diffs = rows.flatMap((r) => (r[i] != null && r[j] != null ? [r[j]! - r[i]!] : []));
    if (diffs.length < 2) return false;
    const growth = estimate(diffs);
    const level = Math.abs(median(columns[i]!));
    const majority = diffs.filter((d) => d > 0).length / diffs.length >= GROWTH_MAJORITY;
    return majority && growth.powerW > Math.max(GROWTH_SHARE * level, 2 * growth.standardErrorW);
  };
  const index = usable.find((i) => usable.every((j) => j <= i || !grows(i, j))) ?? 0;
  const values = columns[index] ?? [];
  return { index, values, estimate: estimate(values) };
}

/** On and off medians agree within three combined standard errors plus 5 %. */
function agree(a: Estimate, b: Estimate): boolean {
  const allowed = 3 * Math.hypot(a.standardErrorW, b.standardErrorW) + TOLERANCE_SHARE * Math.max(Math.abs(a.powerW), Math.abs(b.powerW));
  return Math.abs(a.powerW - b.powerW) <= allowed;
}

/** A direction with too few events for its own lag choice takes the lag whose median is nearest the other direction's estimate. */
function nearestLag(columns: readonly number[][], target: number): LagChoice {
  let best: LagChoice | null = null;
  columns.forEach((values, index) => {
    if (values.length === 0) return;
    const e = estimate(values);
    if (!best || Math.abs(e.powerW - target) < Math.abs(best.estimate.powerW - target)) best = { index, values, estimate: e };
  });
  return best ?? { index: 0, values: [], estimate: estimate([]) };
}

/**
 * On and off steps measure the same power. When they agree at their shortest lags the load
 * switches cleanly and both are pooled. Otherwise each direction takes its settled lag (a heat
 * pump's start settles at 240 s), and they are pooled if they then agree; a direction with too
 * few events for its own lag choice may instead take the lag nearest the other's estimate. If they
 * still disagree (a ramp longer than any lag), the switch-off is trusted when it has enough events:
 * a load is at its running level just before it stops, and it stops at once. With too few events
 * either way, both are pooled; their spread then shows in the standard error.
 */
export function learnState(on: StepRows, off: StepRows, lagCount: number): StateLearning {
  const onColumns = columnsOf(on, lagCount);
  const offColumns = columnsOf(off, lagCount);
  const pool = (a: LagChoice, b: LagChoice, values: readonly number[]): StateLearning => ({
    ...estimate(values),
    onLagIndex: a.index,
    offLagIndex: b.index,
    values: [...values],
    onValues: [...a.values],
    offValues: [...b.values],
  });
  const agreeing = (a: LagChoice, b: LagChoice) => a.estimate.n > 0 && b.estimate.n > 0 && agree(a.estimate, b.estimate);
  const shortest = (columns: number[][]): LagChoice | null => {
    const i = candidateLags(columns)[0];
    return i === undefined ? null : { index: i, values: columns[i]!, estimate: estimate(columns[i]!) };
  };
  const [onShort, offShort] = [shortest(onColumns), shortest(offColumns)];
  if (onShort && offShort && agreeing(onShort, offShort)) return pool(onShort, offShort, [...onShort.values, ...offShort.values]);

  const a = chooseLag(on, lagCount);
  const b = chooseLag(off, lagCount);
  const few = (c: LagChoice) => c.estimate.n < MIN_EVENTS;
  const candidates: [LagChoice, LagChoice][] = [[a, b]];
  if (few(a) && b.estimate.n > 0) candidates.push([nearestLag(onColumns, b.estimate.powerW), b]);
  if (few(b) && a.estimate.n > 0) candidates.push([a, nearestLag(offColumns, a.estimate.powerW)]);
  for (const [x, y] of candidates) if (agreeing(x, y)) return pool(x, y, [...x.values, ...y.values]);
  if (!few(b)) return pool(a, b, b.values);
  if (!few(a)) return pool(a, b, a.values);
  return pool(a, b, [...a.values, ...b.values]);
}

/** Published when there are enough events and the power is clearly above zero. */
export function isPublishable(e: Estimate): boolean {
  return e.n >= MIN_EVENTS && e.powerW > 2 * e.standardErrorW;
}

/**
 * Probability that the truth is within max(2 W, 5 %) of the estimate, assuming a normal error with
 * the standard error as its deviation, scaled down linearly below `CONFIDENT_EVENTS` events
 * (a MAD from three values is itself unreliable).
 */
export function confidenceOf(e: Estimate): number {
  if (e.n === 0 || !Number.isFinite(e.powerW)) return 0;
  const tolerance = Math.max(TOLERANCE_W, TOLERANCE_SHARE * Math.abs(e.powerW));
  const withinTolerance = erf(tolerance / (e.standardErrorW * Math.SQRT2));
  return Math.min(1, e.n / CONFIDENT_EVENTS) * withinTolerance;
}

export function statusOf(e: Estimate): ProfileStatus {
  if (!isPublishable(e)) return "learning";
  const tolerance = Math.max(TOLERANCE_W, TOLERANCE_SHARE * Math.abs(e.powerW));
  return e.n >= CONFIDENT_EVENTS && e.standardErrorW <= tolerance ? "confident" : "estimated";
}

/** A level the switch-on and switch-off steps both see: their 10 %-trimmed means agree within max(2 W, 10 %). */
const REPRESENTATIVE_TOLERANCE_SHARE = 0.1;
const REPRESENTATIVE_MIN_EACH = 3;

/**
 * Whether the learned level is what the device draws all the time it is on, as far as its edges
 * show: a device with bursts (a PC) or phases (an oven's thermostat) is at its idle level when
 * switched on but at any of its levels when switched off, so the two disagree on average even when
 * their medians agree. Needs a few of each.
 */
export function isRepresentative(l: StateLearning): boolean {
  if (l.onValues.length < REPRESENTATIVE_MIN_EACH || l.offValues.length < REPRESENTATIVE_MIN_EACH) return false;
  const tolerance = Math.max(TOLERANCE_W, REPRESENTATIVE_TOLERANCE_SHARE * Math.abs(l.powerW));
  return Math.abs(trimmedMean(l.onValues) - trimmedMean(l.offValues)) <= tolerance;
}

/** Mean of the values without the lowest and highest 10 %. */
export function trimmedMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * 0.1);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((s, x) => s + x, 0) / Math.max(1, kept.length);
}

/** Switch-off steps needed before their mean may stand for a device's mean power. */
const EDGE_MEAN_MIN_OFF = 8;
/** A burst is at least this much above the switch-on level; each of the two levels holds this share of the switch-offs; this share at most falls below. */
const BURST_MIN_RISE = 0.3;
const BURST_MIN_SHARE = 0.2;
const BURST_MAX_BELOW = 0.1;

/**
 * The mean power of a device whose edges disagree, from its switch-offs: a device is switched off
 * at a moment that has nothing to do with its bursts, so its switch-off steps sample its power at
 * random times while on, and their mean is its mean while on (a PC idling at 80 W with bursts to
 * 180 W a third of the time: switched on at idle, switched off at either). Null unless its edges
 * disagree (`isRepresentative` false), there are `EDGE_MEAN_MIN_OFF` switch-offs, and their trimmed
 * mean (at least the lowest and highest one left out, so one confounded switch-off cannot carry it)
 * differs from the median by more than max(2 W, 10 %). Of a bimodal sample (idle or burst) the median
 * picks one mode, whichever has a few more switch-offs; the mean weighs them as the device does.
 */
export function edgeMeanPower(l: StateLearning): number | null {
  if (isRepresentative(l) || l.offValues.length < EDGE_MEAN_MIN_OFF || l.onValues.length < CONFIDENT_EVENTS) return null;
  // The pattern of a device with bursts: switch-offs at the level the switch-ons see, and others well above it, few below.
  const base = median(l.onValues);
  if (base <= 0) return null;
  const share = (pick: (x: number) => boolean) => l.offValues.filter(pick).length / l.offValues.length;
  const atBase = share((x) => Math.abs(x - base) <= Math.max(TOLERANCE_W, REPRESENTATIVE_TOLERANCE_SHARE * base));
  const above = share((x) => x > base * (1 + BURST_MIN_RISE));
  const below = share((x) => x < base * (1 - BURST_MIN_RISE));
  if (atBase < BURST_MIN_SHARE || above < BURST_MIN_SHARE || below > BURST_MAX_BELOW) return null;
  const sorted = [...l.offValues].sort((a, b) => a - b);
  const cut = Math.max(1, Math.floor(sorted.length * 0.1));
  const kept = sorted.slice(cut, sorted.length - cut);
  const mean = kept.reduce((s, x) => s + x, 0) / kept.length;
  if (Math.abs(mean - l.powerW) <= Math.max(TOLERANCE_W, REPRESENTATIVE_TOLERANCE_SHARE * Math.abs(l.powerW))) return null;
  return mean > 0 ? mean : null;
}
