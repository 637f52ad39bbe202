/**
 * The power step of one event: the median of the held power in a window after the event (at each
 * candidate lag) minus the median in a window before it, with the reasons not to learn from it.
 */
import type { PowerSeries, WindowStats } from "./power-series.js";
import type { WindowGeometry } from "./sensor.js";
import type { ExclusionReason } from "./types.js";

export interface LagMeasurement {
  lagS: number;
  postW: number | null;
  stepW: number | null;
  reason: ExclusionReason | null;
  conflictWith: string | null;
  /**
   * With levels walked out from the event (`walkedLevel`), the step from the windows' medians instead, for a meter
   * whose walked steps come out short (its clock off HA's: the engine's `walkedStepsShort`); absent otherwise.
   */
  windowStepW?: number | null;
  /** Readings averaged into `postW` (`WindowGeometry.pairedReadings`): 2 when paired, else absent. */
  postReadings?: number;
  /**
   * Behind an on-change sensor's dead band: how far (W) the farthest reading held in either window
   * was from its window's level, that is how much something else moved there (`acceptedStep`).
   */
  movedW?: number;
  /**
   * Behind an on-change sensor's dead band: true when no report was taken from the window before's end to the window
   * after's, so that both levels are one held report (`acceptedStep`).
   */
  silentAfter?: boolean;
}

export interface EventMeasurement {
  preW: number | null;
  /** Readings averaged into `preW` (`WindowGeometry.pairedReadings`): 2 when paired, else absent. */
  preReadings?: number;
  /** Robust noise of the readings before the event, in W. */
  noiseW: number;
  /**
   * How far the power moved just before the event (W): the window before's level less that of the
   * window one width earlier (not reaching the entity's previous event); null when there is none.
   * An event HA stamps well after its load changed shows its step here (`movedWithSwitching`).
   */
  movedBeforeW?: number | null;
  /** One entry per candidate lag, in the engine's lag order. */
  lags: LagMeasurement[];
  /**
   * The same lags with the window one width earlier than the window before (the one `movedBeforeW` compares with) as
   * the level before: for a meter whose changes show before HA's events (`OffClock`: its clock ahead, or an integration
   * that stamps its switchings 10-30 s late), whose window before holds the change. Window medians, no walk; absent
   * when there is no such window (the entity's previous event too near).
   */
  earlyLags?: LagMeasurement[];
}

export interface MeasureInput {
  t: number;
  /** Times of the same entity's previous and next events: the windows never reach past them. */
  previousOwnEvent: number | null;
  nextOwnEvent: number | null;
  /** The nearest other entity with an event in [from, to], or null. */
  conflictIn: (from: number, to: number) => string | null;
  /** Times of other entities' events in [from, to], in order: a level's walk out from the event stops at them (`walkedLevel`). */
  othersIn?: (from: number, to: number) => readonly number[];
}

export interface MeasureSettings {
  series: PowerSeries;
  geometry: WindowGeometry;
  lagsS: readonly number[];
  completeUntil: number;
  /** Used when too few readings precede the event to estimate the local noise. */
  sensorNoiseW: number;
  /** A reading's noise at the level it reads (W), for pairing readings (`WindowGeometry.pairedReadings`). */
  readingNoiseW?: (w: number) => number;
}

/** How far back the local noise floor looks. */
export const NOISE_LOOKBACK_MS = 3600_000;
/** A window spread above max(NOISY_SIGMAS·σ, NOISY_STEP_SHARE·|step|) means something else moved inside it. */
const NOISY_SIGMAS = 3;
const NOISY_STEP_SHARE = 0.25;

/**
 * A window's one reading and the one next to it outside the window are averaged when they are at most
 * this many of their difference's noise apart (√2 times a reading's), so that a fridge or a charger
 * switching between them leaves the nearer one alone. At 30 s over the nine reference seeds, the
 * single-level power P90 missed 8 % on 5 seeds with one reading each side (17.1, 15.8, 14.3, 10.7,
 * 9.3 %), on 3 with pairs within 3 (11.6, 11.5 and 8.1 %, a new miss on seed 101 from 6.3 %; the
 * nine-seed total 25 -> 23); within 2, 4 (and an energy median at 3.06 %: total 25); within 4, 4
 * (total 24). Both readings always averaged (two-interval windows, their median) missed 13 figures at
 * 30 s instead of 5: the second reading out holds another load's switching too often.
 */
const PAIR_SIGMAS = 3;

/** How far after an event its windows can reach: data up to here must be complete before it is measured. */
export function reachAfterMs(geometry: WindowGeometry, lagsS: readonly number[]): number {
  return geometry.postGuardMs + Math.max(0, ...lagsS) * 1000 + Math.max(geometry.pairedReadings ? 2 : 1, geometry.walkDriftW2PerS ? WALK_MAX_WIDTHS : 1) * geometry.widthMs;
}

/** A level's walk out from the event (`walkedLevel`) reaches at most this many window widths. */
const WALK_MAX_WIDTHS = 3;
/** ...and stops at the first reading this many of its standard deviations from the level so far. */
const WALK_SIGMAS = 3;

/**
 * The power level at the inner end of a window (next to the event) from the readings walking out from
 * it, one at a time, until one is more than `WALK_SIGMAS` from the level so far (another load switched),
 * or the walk reaches `outer`, an outage or `WALK_MAX_WIDTHS` widths: the base load wanders as a random
 * walk (`driftW2PerS`) under white reading noise, so the best level next to the event weighs the nearest
 * readings most (a Kalman filter run from the farthest reading kept in towards the event). Null when
 * no reading lies between `inner` and `outer`.
 */
export function walkedLevel(
  series: PowerSeries,
  inner: number,
  outer: number,
  noiseW: (w: number) => number,
  driftW2PerS: number,
  staleMs: number,
): { level: number; readings: number } | null {
  const direction = outer >= inner ? 1 : -1;
  let i = series.indexAtOrBefore(inner);
  if (direction > 0 && (i < 0 || series.timeAt(i) < inner)) i += 1;
  if (i < 0 || i >= series.length) return null;
  const inside = (t: number) => (direction > 0 ? t >= inner && t <= outer : t <= inner && t >= outer);
  if (!inside(series.timeAt(i))) return null;
  const kept = [i];
  let x = series.wattsAt(i);
  let p = noiseW(x) ** 2;
  for (let j = i + direction; j >= 0 && j < series.length; j += direction) {
    const t = series.timeAt(j);
    const dt = Math.abs(t - series.timeAt(j - direction));
    if (!inside(t) || dt > staleMs) break;
    const y = series.wattsAt(j);
    const r = noiseW(y) ** 2;
    const predicted = p + (driftW2PerS * dt) / 1000;
    if (Math.abs(y - x) > WALK_SIGMAS * Math.sqrt(predicted + r)) break;
    const gain = predicted / (predicted + r);
    x += gain * (y - x);
    p = (1 - gain) * predicted;
    kept.push(j);
  }
  // Back in from the farthest reading kept: the filtered level at the nearest one uses them all.
  let level = series.wattsAt(kept[kept.length - 1]!);
  p = noiseW(level) ** 2;
  for (let k = kept.length - 2; k >= 0; k -= 1) {
    const j = kept[k]!;
    const y = series.wattsAt(j);
    const r = noiseW(y) ** 2;
    const predicted = p + (driftW2PerS * Math.abs(series.timeAt(j) - series.timeAt(kept[k + 1]!))) / 1000;
    const gain = predicted / (predicted + r);
    level += gain * (y - level);
    p = (1 - gain) * predicted;
  }
  return { level, readings: kept.length };
}

export function measureEvent(input: MeasureInput, settings: MeasureSettings): EventMeasurement {
  const { series, geometry: g, completeUntil } = settings;
  const { t } = input;
  const limits = (takenFrom?: number) => ({ staleMs: g.staleMs, completeUntil, ...(g.freshReadingsOnly && takenFrom !== undefined ? { takenFrom } : {}) });
  // An on-change sensor's level over a window is its dead band's, not its held values' median (`PowerSeries.deadBandLevel`).
  const window = (from: number, to: number): WindowStats | null => {
    const stats = series.window(from, to, limits(from));
    if (!stats || !g.deadBand) return stats;
    return { ...stats, median: series.deadBandLevel(from, to, limits(from), g.deadBand) ?? stats.median };
  };
  const farthest = (from: number, to: number, level: number): number => {
    let w = 0;
    series.eachPiece(from, to, limits(from), (x) => {
      w = Math.max(w, Math.abs(x - level));
    });
    return w;
  };
  // A window of one reading averaged with the next one out, when the two agree within their noise.
  const paired = (inner: WindowStats, outer: WindowStats | null): WindowStats => {
    const noise = settings.readingNoiseW;
    if (!g.pairedReadings || !noise || !outer || inner.readings !== 1 || outer.readings !== 1) return inner;
    const a = inner.median;
    const b = outer.median;
    if (Math.abs(a - b) > PAIR_SIGMAS * Math.SQRT2 * noise(a)) return inner;
    return { ...inner, median: (a + b) / 2, readings: 2 };
  };
  const preEnd = t - g.preGuardMs;
  const clippedStart = input.previousOwnEvent === null ? -Infinity : input.previousOwnEvent + g.postGuardMs;
  const preStart = Math.max(preEnd - g.widthMs, clippedStart);
  const preShort = preEnd - preStart < g.minWindowMs;
  const single = preShort ? null : window(preStart, preEnd);
  // The reading before the window before, when it agrees with the window's (`WindowGeometry.pairedReadings`).
  const outerStart = Math.max(preStart - g.widthMs, clippedStart);
  const pre = single && preStart > clippedStart ? paired(single, outerStart < preStart ? window(outerStart, preStart) : null) : single;
  // With a known drift (`WindowGeometry.walkDriftW2PerS`), a window's level is walked out from the event (`walkedLevel`).
  const walked = (stats: WindowStats | null, inner: number, outer: number): WindowStats | null => {
    const drift = g.walkDriftW2PerS;
    if (!stats || !drift || !settings.readingNoiseW) return stats;
    const others = input.othersIn?.(Math.min(inner, outer), Math.max(inner, outer)) ?? [];
    const limit = others.length === 0 ? outer : inner < outer ? others[0]! - g.preGuardMs : others[others.length - 1]! + g.postGuardMs;
    // Another entity's event right at the window's inner end (an ambiguous step): nothing to walk.
    if ((limit - inner) * (outer - inner) <= 0) return stats;
    const w = walkedLevel(series, inner, limit, settings.readingNoiseW, drift, g.staleMs);
    return w ? { ...stats, median: w.level } : stats;
  };
  const preLevel = walked(pre, preEnd, Math.max(clippedStart, preEnd - WALK_MAX_WIDTHS * g.widthMs));
  const noiseW = series.noiseFloor(t - NOISE_LOOKBACK_MS, preEnd) ?? settings.sensorNoiseW;
  const earlierStart = preStart - g.widthMs;
  const earlier = single && !preShort && earlierStart >= clippedStart ? window(earlierStart, preStart) : null;
  const earlyUsable = earlier !== null && enoughSupport(earlier, g);

  // The windows after never reach the entity's next event.
  const nextLimit = input.nextOwnEvent === null ? Infinity : input.nextOwnEvent - g.preGuardMs;
  const early: LagMeasurement[] = [];
  const lags = settings.lagsS.map((lagS): LagMeasurement => {
    const postStart = t + g.postGuardMs + lagS * 1000;
    const postEnd = Math.min(postStart + g.widthMs, nextLimit);
    const postShort = postEnd - postStart < g.minWindowMs;
    const singlePost = postShort ? null : window(postStart, postEnd);
    const outerEnd = Math.min(postEnd + g.widthMs, nextLimit);
    const postWindow = singlePost && postEnd < nextLimit ? paired(singlePost, outerEnd > postEnd ? window(postEnd, outerEnd) : null) : singlePost;
    const post = walked(postWindow, postStart, Math.min(nextLimit, postStart + WALK_MAX_WIDTHS * g.widthMs));
    const stepW = preLevel && post ? post.median - preLevel.median : null;
    const windowStepW = g.walkDriftW2PerS ? (pre && postWindow ? postWindow.median - pre.median : null) : undefined;
    const movedW = g.deadBand && pre && post ? Math.max(farthest(preStart, preEnd, pre.median), farthest(postStart, postEnd, post.median)) : undefined;
    const lastReport = g.deadBand ? series.indexAtOrBefore(postEnd) : -1;
    const silentAfter = lastReport >= 0 && series.timeAt(lastReport) <= preEnd;
    const result = (reason: ExclusionReason | null, conflictWith: string | null = null): LagMeasurement => ({
      lagS,
      postW: postWindow ? postWindow.median : null,
      stepW,
      reason,
      conflictWith,
      ...(windowStepW === undefined ? {} : { windowStepW }),
      ...(post && post.readings > (singlePost?.readings ?? 0) ? { postReadings: post.readings } : {}),
      ...(movedW === undefined ? {} : { movedW }),
      ...(silentAfter ? { silentAfter } : {}),
    });
    if (earlyUsable) early.push(earlyLag(lagS, earlier!, earlierStart, singlePost, postWindow, postEnd));
    if (preShort || postShort) return result("short-window");
    if (!pre || !post || !enoughSupport(single!, g) || !enoughSupport(singlePost!, g) || stepW === null) return result("no-data");
    const conflict = input.conflictIn(preStart, postEnd);
    if (conflict !== null) return result("ambiguous", conflict);
    // Judged by the windows' step: a walked one comes out short on a meter whose clock is off HA's (`windowStepW`).
    if (Math.max(pre.mad, post.mad) > Math.max(NOISY_SIGMAS * noiseW, NOISY_STEP_SHARE * Math.abs(windowStepW ?? stepW))) return result("noisy");
    return result(null);
  });
  // The window before the window before, as the level before (`earlyLags`): judged as the usual pair is, over its wider span.
  function earlyLag(lagS: number, before: WindowStats, from: number, singlePost: WindowStats | null, postWindow: WindowStats | null, postEnd: number): LagMeasurement {
    const stepW = postWindow ? postWindow.median - before.median : null;
    const result = (reason: ExclusionReason | null, conflictWith: string | null = null): LagMeasurement => ({ lagS, postW: postWindow ? postWindow.median : null, stepW, reason, conflictWith });
    if (!singlePost || !postWindow || stepW === null) return result("short-window");
    if (!enoughSupport(singlePost, g)) return result("no-data");
    const conflict = input.conflictIn(from, postEnd);
    if (conflict !== null) return result("ambiguous", conflict);
    if (Math.max(before.mad, postWindow.mad) > Math.max(NOISY_SIGMAS * noiseW, NOISY_STEP_SHARE * Math.abs(stepW))) return result("noisy");
    return result(null);
  }
  return {
    preW: pre ? pre.median : null,
    ...(pre && single && pre.readings > single.readings ? { preReadings: pre.readings } : {}),
    noiseW,
    movedBeforeW: earlyUsable && single ? single.median - earlier!.median : null,
    lags,
    ...(earlyUsable ? { earlyLags: early } : {}),
  };
}

function enoughSupport(stats: WindowStats, g: WindowGeometry): boolean {
  return stats.supportS >= g.minSupportS && stats.readings >= g.minReadings;
}
