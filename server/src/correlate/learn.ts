/**
 * Learned power of one (entity, power state) from the signed steps of its events: the lags at which
 * switch-on and switch-off steps agree (or each direction's settled lag), the median of the pooled
 * steps with a standard error from their MAD, and whether that is published and how confidently.
 */
import { biweightLocation, erf, MAD_TO_SIGMA, median, medianAbsoluteDeviation, standardErrorOfMedian } from "./robust.js";
import type { ProfileStatus } from "./types.js";

/**
 * Accepted signed steps (power of the state, in W) of one direction: one row per event, one column
 * per candidate lag, null where the event was not accepted at that lag.
 */
export type StepRows = readonly (readonly (number | null)[])[];

/** How much each row of `StepRows` counts (`stepWeight`), one per row; null: the sensor's steps count alike. */
export type RowWeights = readonly number[] | null;

/**
 * A step's weight: the inverse of its noise squared (`noiseW`, as the engine judges it for the sensor:
 * `stepNoiseFor`), at least `STEP_WEIGHT_NOISE_FLOOR_W`. A meter's noise grows with the power it reads
 * (1 % of it in the simulator): an 8 W light's step taken while an EV charger draws 7 kW has 70 W of
 * noise, one at a 300 W base load 4 W, and counting them alike let the few noisy steps inside the
 * biweight's core move it.
 */
export function stepWeight(noiseW: number): number {
  const sigma = Math.max(STEP_WEIGHT_NOISE_FLOOR_W, Number.isFinite(noiseW) ? noiseW : STEP_WEIGHT_NOISE_FLOOR_W);
  return 1 / (sigma * sigma);
}

/** Below any meter's reading noise (W); keeps a flat stretch's near-zero noise floor from giving one step all the weight. */
const STEP_WEIGHT_NOISE_FLOOR_W = 1;

export interface Estimate {
  powerW: number;
  standardErrorW: number;
  n: number;
}

export interface StateLearning extends Estimate {
  /** Index into the candidate lags chosen for switching on and off. */
  onLagIndex: number;
  offLagIndex: number;
  /** The accepted steps the estimate was computed from, and their weights (`stepWeight`; null: counted alike). */
  values: number[];
  weights: number[] | null;
  /** Of them (before changes between power states add theirs), the switch-on and the switch-off steps at their lags. */
  onValues: number[];
  offValues: number[];
  /** The median switch-on step at each candidate lag (null with fewer than `MIN_EVENTS`): how the load ramps up after switching on. */
  onProfile: (number | null)[];
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

/**
 * How a state's steps are summed up: their `median`; Tukey's biweight location (`biweightLocation`),
 * which is not pulled towards the side where most confounded steps lie and is nearly as efficient
 * as a mean on the rest; or, `clear-biweight`, the biweight only where the steps have a clear core
 * (their robust deviation at most `CLEAR_CORE_SPREAD_SHARE` of their median: a 60 W light's at 30 s,
 * not a fan speed's learned from a handful of scattered steps, whose biweight wanders).
 */
export type Location = "median" | "biweight" | "clear-biweight";

const CLEAR_CORE_SPREAD_SHARE = 0.5;

/**
 * The standard error the steps' judged noise allows (`stepWeight`: each weight the inverse of a step's
 * noise squared), W: that of their weighted mean, 1 / √Σweights; 0 when the steps count alike (no
 * weights, as with a sensor read every second). A few steps that agree by chance make a small robust
 * spread: a dimmed 7.6 W light read every 60 s (household seed 99993, fresh seed 99991) had four
 * switch-ons within 1.3 W of each other at 10.3 W, their readings' noise about 15 W each beside a heat
 * pump, and was labelled confident (standard error 0.38 W; 4.9 W with this). Over the nine reference
 * seeds it moved no miss and left four profiles at 10 s and one at 30 s estimated that were
 * confident (none of them off); energy figures moved both ways by at most 0.4 points.
 */
export function judgedNoiseSe(weights: RowWeights = null): number {
  if (!weights || weights.length === 0) return 0;
  return 1 / Math.sqrt(weights.reduce((s, w) => s + w, 0));
}

export function estimate(values: readonly number[], location: Location = "median", weights: RowWeights = null): Estimate {
  const n = values.length;
  if (n === 0) return { powerW: Number.NaN, standardErrorW: Number.POSITIVE_INFINITY, n: 0 };
  const middle = median(values);
  const clear = location === "clear-biweight" && MAD_TO_SIGMA * medianAbsoluteDeviation(values, middle) <= CLEAR_CORE_SPREAD_SHARE * Math.abs(middle);
  const powerW = location === "biweight" || clear ? biweightLocation(values, weights ?? undefined) : middle;
  const se = Math.max(standardErrorOfMedian(medianAbsoluteDeviation(values, powerW), n), STEP_ERROR_FLOOR_W / Math.sqrt(n), judgedNoiseSe(weights));
  return { powerW, standardErrorW: se, n };
}

/** A step grows between two lags when the paired growth exceeds this share of it and two standard errors. */
const GROWTH_SHARE = 0.02;
/** Most events must grow too, so that a few confounded windows cannot fake a ramp. */
const GROWTH_MAJORITY = 0.75;

export interface LagChoice {
  index: number;
  values: number[];
  weights: number[] | null;
  estimate: Estimate;
}

/** The accepted values of each lag, and their weights (null without row weights). */
function columnsOf(rows: StepRows, lagCount: number, weights: RowWeights): { values: number[][]; weights: (number[] | null)[] } {
  const values = Array.from({ length: lagCount }, (): number[] => []);
  const weightColumns = Array.from({ length: lagCount }, (): number[] | null => (weights ? [] : null));
  rows.forEach((r, k) => {
    for (let i = 0; i < lagCount; i += 1) {
      const v = r[i];
      if (v === null || v === undefined) continue;
      values[i]!.push(v);
      weightColumns[i]?.push(weights![k]!);
    }
  });
  return { values, weights: weightColumns };
}

/** The weights of two sets of steps taken together; null when either counts its steps alike. */
export function joinedWeights(a: readonly number[] | null, b: readonly number[] | null): number[] | null {
  return a && b ? [...a, ...b] : null;
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
export function chooseLag(rows: StepRows, lagCount: number, location: Location = "median", weights: RowWeights = null): LagChoice {
  const { values: columns, weights: weightColumns } = columnsOf(rows, lagCount, weights);
  const usable = candidateLags(columns);
  const grows = (i: number, j: number): boolean => {
    const diffs = rows.flatMap((r) => (r[i] != null && r[j] != null ? [r[j]! - r[i]!] : []));
    if (diffs.length < 2) return false;
    const growth = estimate(diffs, location);
    const level = Math.abs(median(columns[i]!));
    const majority = diffs.filter((d) => d > 0).length / diffs.length >= GROWTH_MAJORITY;
    return majority && growth.powerW > Math.max(GROWTH_SHARE * level, 2 * growth.standardErrorW);
  };
  const index = usable.find((i) => usable.every((j) => j <= i || !grows(i, j))) ?? 0;
  const values = columns[index] ?? [];
  const w = weightColumns[index] ?? null;
  return { index, values, weights: w, estimate: estimate(values, location, w) };
}

/** On and off medians agree within three combined standard errors plus 5 %. */
function agree(a: Estimate, b: Estimate): boolean {
  const allowed = 3 * Math.hypot(a.standardErrorW, b.standardErrorW) + TOLERANCE_SHARE * Math.max(Math.abs(a.powerW), Math.abs(b.powerW));
  return Math.abs(a.powerW - b.powerW) <= allowed;
}

/** A direction with too few events for its own lag choice takes the lag whose median is nearest the other direction's estimate. */
function nearestLag(columns: readonly number[][], weightColumns: readonly (number[] | null)[], target: number, location: Location): LagChoice {
  let best: LagChoice | null = null;
  columns.forEach((values, index) => {
    if (values.length === 0) return;
    const weights = weightColumns[index] ?? null;
    const e = estimate(values, location, weights);
    if (!best || Math.abs(e.powerW - target) < Math.abs(best.estimate.powerW - target)) best = { index, values, weights, estimate: e };
  });
  return best ?? { index: 0, values: [], weights: null, estimate: estimate([]) };
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
export function learnState(on: StepRows, off: StepRows, lagCount: number, location: Location = "median", onWeights: RowWeights = null, offWeights: RowWeights = null): StateLearning {
  const { values: onColumns, weights: onWeightColumns } = columnsOf(on, lagCount, onWeights);
  const { values: offColumns, weights: offWeightColumns } = columnsOf(off, lagCount, offWeights);
  const pool = (a: LagChoice, b: LagChoice, values: readonly number[], weights: readonly number[] | null): StateLearning => ({
    ...estimate(values, location, weights),
    onLagIndex: a.index,
    offLagIndex: b.index,
    values: [...values],
    weights: weights && [...weights],
    onValues: [...a.values],
    offValues: [...b.values],
    onProfile: onColumns.map((c) => (c.length >= MIN_EVENTS ? median(c) : null)),
  });
  const agreeing = (a: LagChoice, b: LagChoice) => a.estimate.n > 0 && b.estimate.n > 0 && agree(a.estimate, b.estimate);
  const shortest = (columns: number[][], weightColumns: (number[] | null)[]): LagChoice | null => {
    const i = candidateLags(columns)[0];
    if (i === undefined) return null;
    const weights = weightColumns[i] ?? null;
    return { index: i, values: columns[i]!, weights, estimate: estimate(columns[i]!, location, weights) };
  };
  const both = (x: LagChoice, y: LagChoice) => pool(x, y, [...x.values, ...y.values], joinedWeights(x.weights, y.weights));
  const [onShort, offShort] = [shortest(onColumns, onWeightColumns), shortest(offColumns, offWeightColumns)];
  if (onShort && offShort && agreeing(onShort, offShort)) return both(onShort, offShort);

  const a = chooseLag(on, lagCount, location, onWeights);
  const b = chooseLag(off, lagCount, location, offWeights);
  const few = (c: LagChoice) => c.estimate.n < MIN_EVENTS;
  const candidates: [LagChoice, LagChoice][] = [[a, b]];
  if (few(a) && b.estimate.n > 0) candidates.push([nearestLag(onColumns, onWeightColumns, b.estimate.powerW, location), b]);
  if (few(b) && a.estimate.n > 0) candidates.push([a, nearestLag(offColumns, offWeightColumns, a.estimate.powerW, location)]);
  for (const [x, y] of candidates) if (agreeing(x, y)) return both(x, y);
  // A device with bursts (a PC) is at its switch-on level at many of its switch-offs too, and above it at the others:
  // that level is its step, and its bursts are added by `edgeMean` (the median of the switch-offs picks either level).
  if (burstsOf(a.values, b.values) !== null) return pool(a, b, a.values, a.weights);
  if (!few(b)) return pool(a, b, b.values, b.weights);
  if (!few(a)) return pool(a, b, a.values, a.weights);
  return both(a, b);
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

/** The error a confident profile may have: max(2 W, 5 %) of its power, W. */
export function confidentToleranceW(powerW: number): number {
  return Math.max(TOLERANCE_W, TOLERANCE_SHARE * Math.abs(powerW));
}

/** What a level labelled confident may be off by, at most: max(2 W, 10 %) of its power, W (twice `confidentToleranceW`'s share). */
export function confidentMaxErrorW(powerW: number): number {
  return Math.max(TOLERANCE_W, 2 * TOLERANCE_SHARE * Math.abs(powerW));
}

export function statusOf(e: Estimate): ProfileStatus {
  if (!isPublishable(e)) return "learning";
  const tolerance = confidentToleranceW(e.powerW);
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
/** A burst is at least this much above the switch-on level (and "below" as much below it); each of the two levels holds this share of the switch-offs. */
const BURST_MIN_RISE = 0.3;
const BURST_MIN_SHARE = 0.2;
/** The share of switch-offs above must exceed the share below by this many standard errors (one-sided 90 %: the runs still have their say, `meanOfBursts`). */
const BURST_SIGMAS = 1.28;
/** A burst level's switch-offs agree within this share of its height above the switch-on level (robust deviation). */
const BURST_CLUSTER_SPREAD = 0.5;

/** The mean power of a device with bursts, from its switch-offs, and that mean's standard error (W). */
export interface EdgeMean {
  meanW: number;
  standardErrorW: number;
  /** The level its switch-ons see (its idle level), W. */
  baseW: number;
}

/** A device that idles at the level its switch-ons see and bursts above it, as its switch-offs show. */
export interface Bursts {
  /** The switch-on (idle) level and the burst level, W. */
  baseW: number;
  burstW: number;
  /** Share of the switch-offs in a burst (those above, less as many as other loads put below), its standard error, and of how many. */
  share: number;
  shareStandardError: number;
  offCount: number;
  /** Robust deviation (unscaled MAD) of the switch-offs above, W, and their number. */
  burstMadW: number;
  burstCount: number;
}

/**
 * The pattern of a device with bursts (a PC idling at 80 W with bursts to 150–200 W): its switch-ons
 * see one level, and its switch-offs, which come at moments that have nothing to do with its bursts,
 * are at that level or well above it, and those above agree on one level (switch-offs confounded by
 * other loads scatter: 64, 356 and 2438 W above a 40 W light are no burst level). Another load
 * switching in a step's windows moves it up as often as down (a fridge's cycles make a 120 W "level"
 * above a light as often as one below it), so the share in a burst is the share above less the share
 * below, and it must be clearly more than nothing. Null without `CONFIDENT_EVENTS` switch-ons and
 * `EDGE_MEAN_MIN_OFF` switch-offs, or without the pattern.
 */
export function burstsOf(onValues: readonly number[], offValues: readonly number[]): Bursts | null {
  if (offValues.length < EDGE_MEAN_MIN_OFF || onValues.length < CONFIDENT_EVENTS) return null;
  const base = median(onValues);
  if (base <= 0) return null;
  const n = offValues.length;
  const atBase = offValues.filter((x) => Math.abs(x - base) <= Math.max(TOLERANCE_W, REPRESENTATIVE_TOLERANCE_SHARE * base)).length / n;
  const above = offValues.filter((x) => x > base * (1 + BURST_MIN_RISE));
  const up = above.length / n;
  const down = offValues.filter((x) => x < base * (1 - BURST_MIN_RISE)).length / n;
  if (atBase < BURST_MIN_SHARE || up < BURST_MIN_SHARE) return null;
  // The difference of two shares of one sample: variance (up + down − (up − down)²) / n.
  const share = up - down;
  const shareStandardError = Math.sqrt(Math.max(0, up + down - share * share) / n);
  if (share < BURST_SIGMAS * shareStandardError) return null;
  const burst = median(above);
  const mad = medianAbsoluteDeviation(above, burst);
  if (MAD_TO_SIGMA * mad > BURST_CLUSTER_SPREAD * (burst - base)) return null;
  return { baseW: base, burstW: burst, share, shareStandardError, offCount: n, burstMadW: mad, burstCount: above.length };
}

/**
 * Whether a state's switch-offs are well above its switch-on level (by `BURST_MIN_RISE`) clearly more
 * often than its switch-ons are: by `BURST_SIGMAS` standard errors of the difference of the two
 * shares. Another load switching inside a step's windows puts switch-ons above that level as often
 * as switch-offs; a device with bursts puts only its switch-offs there. With a sensor read every 60 s
 * (`EntityInput.burstsMustStandOut`), whose one-reading windows span two minutes around each event,
 * a fridge's or a freezer's cycles put a 60 W kitchen light's switch-ons above 78 W 15 % of the time
 * and its switch-offs 22 % (33 and 36 of them): no burst. PCs idling at 80 W had 0-42 % of their
 * switch-ons above (other loads, a burst already under way) and 20-80 % of their switch-offs.
 */
export function switchOffsClearlyAbove(onValues: readonly number[], offValues: readonly number[]): boolean {
  if (onValues.length === 0 || offValues.length === 0) return false;
  const level = median(onValues);
  if (!(level > 0)) return false;
  const above = (values: readonly number[]) => values.filter((x) => x > level * (1 + BURST_MIN_RISE)).length / values.length;
  const [on, off] = [above(onValues), above(offValues)];
  const se = Math.sqrt((on * (1 - on)) / onValues.length + (off * (1 - off)) / offValues.length);
  return off - on > BURST_SIGMAS * se;
}

/**
 * The mean power of a device whose edges disagree because it has bursts (`burstsOf`): its switch-offs
 * sample its power at random times while on, so its mean is its idle level plus the share of
 * switch-offs in a burst times the burst's height, which one switch-off caught beside a kettle cannot
 * move far. Its standard error is mostly that of the share: with 15 switch-offs, a PC's is about 12 W.
 * Null without the pattern of bursts, or when the mean is within max(2 W, 10 %) of the idle level.
 * Not null merely because the edges' trimmed means agree (`isRepresentative`): a PC's switch-ons that
 * went straight into a burst (or caught another load) and its switch-offs beside a kettle going off
 * (−41 and −232 W) brought them within 10 % of each other while half its switch-offs were at its 80 W
 * idle and a third at 145–190 W; it was learned at its idle level, 34 % and 29 % low in two of the
 * nine reference seeds' households read every 10 s. So for a device with one power state (`oneState`);
 * a fan's speed, whose switch-offs share its edges with changes of speed, keeps the check (without it,
 * one fan read every 60 s went from 13 to 19 % high and missed the energy P90 on one of the nine seeds).
 */
export function edgeMean(l: StateLearning, oneState = false): EdgeMean | null {
  if (!oneState && isRepresentative(l)) return null;
  const b = burstsOf(l.onValues, l.offValues);
  if (b === null) return null;
  const height = b.burstW - b.baseW;
  const mean = b.baseW + b.share * height;
  if (mean - b.baseW <= Math.max(TOLERANCE_W, REPRESENTATIVE_TOLERANCE_SHARE * b.baseW)) return null;
  const heightSe = b.share * standardErrorOfMedian(b.burstMadW, b.burstCount);
  return { meanW: mean, standardErrorW: Math.max(Math.hypot(b.shareStandardError * height, heightSe), STEP_ERROR_FLOOR_W), baseW: b.baseW };
}

/**
 * The energy a load does not draw while it ramps up after each switch-on, W·ms: a heat pump's
 * 45 s dead time and 3-minute ramp, which its step (measured once it has settled, at lag
 * `onLagIndex`) times its on-time would count at full power (about 5 % of a 40-minute heating
 * cycle). From the median switch-on step at each lag up to the chosen one, each standing for the
 * power in the middle of its window; before the first, the first; in between, a straight line.
 * Zero when the chosen lag is the first (the load is at its level at once).
 */
export function rampDeficitWattMs(l: StateLearning, lagsS: readonly number[], windowOffsetMs: number, levelW: number): number {
  if (l.onLagIndex <= 0 || !(levelW > 0)) return 0;
  const points: { t: number; w: number }[] = [];
  for (let k = 0; k <= l.onLagIndex; k += 1) {
    const w = l.onProfile[k];
    if (w === null || w === undefined) continue;
    points.push({ t: (lagsS[k] ?? 0) * 1000 + windowOffsetMs, w: Math.min(levelW, Math.max(0, w)) });
  }
  if (points.length === 0) return 0;
  // The level is reached at the chosen lag's window.
  points[points.length - 1] = { t: points[points.length - 1]!.t, w: levelW };
  let deficit = (levelW - points[0]!.w) * points[0]!.t;
  for (let k = 1; k < points.length; k += 1) {
    const a = points[k - 1]!;
    const b = points[k]!;
    deficit += (levelW - (a.w + b.w) / 2) * (b.t - a.t);
  }
  return Math.max(0, deficit);
}

/** Moves (`movedWithSwitching`) needed before they can say anything. */
const MOVED_MIN_EVENTS = 5;
/** How many standard errors of their median the moves must be above zero. */
const MOVED_SIGMAS = 3;

/**
 * Whether a state's load mostly changed outside the windows its steps are measured over: the power
 * moved in the direction of the state's switching (up for a switch-on, down for a switch-off) typically
 * by more than the confident tolerance of `levelW`, and clearly (`MOVED_SIGMAS` standard errors of the
 * median). `moves` are each event's signed move (negated for a switch-off). The steps then miss part of
 * the change however well they agree, and the level is never confident:
 * - before the event (`EventMeasurement.movedBeforeW`): an integration that polls its device (every 30 s,
 *   say) stamps a switching 10–30 s after it, the window before holds the new level as often as not and
 *   the steps come out near zero; their agreement labelled an 8 W light confident at 2.9 W and a 92 W TV
 *   at 2.9 W (a variant of the harder household with every event 10–30 s late, read every second);
 * - after the window after (the step at the next lag less the step at the chosen one): a meter whose
 *   clock runs 8 s behind HA's shows each change 8 s into the window after, and a 60 W light was labelled
 *   confident at 50.6 W, a 2 kW kettle at 1794 W (the same household read on change, seeds 11 and 22).
 * On time, the moves are other loads switching and the base load's drift, about as often up as down.
 */
export function movedWithSwitching(moves: readonly number[], levelW: number): boolean {
  if (moves.length < MOVED_MIN_EVENTS) return false;
  const { m, se } = medianOfMoves(moves);
  return m > confidentToleranceW(levelW) && m > MOVED_SIGMAS * se;
}

/** The median of the moves and its standard error (from their MAD), W. */
function medianOfMoves(moves: readonly number[]): { m: number; se: number } {
  const m = median(moves);
  return { m, se: standardErrorOfMedian(medianAbsoluteDeviation(moves, m), moves.length) };
}

/** Moves (`mostlyWithSwitching`) needed before they can say anything about a meter: a few devices' worth. */
const METER_MIN_MOVES = 30;
/** How many standard deviations of the sign test the moves in the switchings' direction must be ahead by. */
const METER_SIGMAS = 3;

/**
 * Whether a meter's moves (`movedWithSwitching`'s, over all its devices' levels) are clearly more often in the
 * switching's direction than against it: a sign test, each move up or down with even odds on time, when the moves
 * are other loads switching and the base load's drift. On a meter whose clock runs behind HA's, each change lands
 * inside the window after and the step at the next lag has the rest of it; on one ahead, inside the window before.
 * Each device's own moves are too few or too small to say so (`movedWithSwitching`): an 8 W light whose steps
 * missed 2.4 W moved on by a median 1.8 W. In the harder household's variants (households 11, 22, 33, 44, 55, 66,
 * five sensor kinds each), on time the moves after the windows were at most 1.8 standard deviations ahead; read
 * every second with the changes 8 s late, 2.6 to 6.1, 12 s late 6.5 to 9.9. With them 8 s early, household 6's
 * moves before the windows were 5.6 ahead (on time 0.3): its 12 W light had been labelled confident at 9.6 W.
 */
export function mostlyWithSwitching(moves: readonly number[]): boolean {
  const up = moves.filter((m) => m > 0).length;
  const down = moves.filter((m) => m < 0).length;
  if (up + down < METER_MIN_MOVES) return false;
  return (up - down) / Math.sqrt(up + down) > METER_SIGMAS;
}

/** A level on a meter whose clock is off moved at most this share of its confident tolerance, clearly (`MOVED_LITTLE_SIGMAS`). */
const MOVED_LITTLE_TOLERANCE_SHARE = 0.5;
const MOVED_LITTLE_SIGMAS = 2;

/**
 * Whether a level's own moves (`movedWithSwitching`'s) show it missed little of its change: their median is
 * clearly (`MOVED_LITTLE_SIGMAS` standard errors) within half its confident tolerance. A level called confident
 * has a standard error of at most a quarter of max(2 W, 10 %) (the engine's `CONFIDENT_SE_SIGMAS`). On a meter whose clock is off
 * (`mostlyWithSwitching`), a kettle's 2 kW step misses a few watts, an 8 W light's a quarter of its step.
 */
export function movedLittle(moves: readonly number[], levelW: number): boolean {
  if (moves.length < MOVED_MIN_EVENTS) return false;
  const { m, se } = medianOfMoves(moves);
  return m + MOVED_LITTLE_SIGMAS * se <= MOVED_LITTLE_TOLERANCE_SHARE * confidentToleranceW(levelW);
}
