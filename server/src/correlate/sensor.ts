/**
 * What kind of power sensor the readings come from, and the window geometry that follows from it.
 * A periodic sensor's held value can be one interval old, so the window after an event starts one
 * interval (plus the relay delay) later; a report-on-change sensor reports a step when it happens.
 */
import type { DeadBand, PowerSeries } from "./power-series.js";
import { median } from "./robust.js";
import type { SensorProfile } from "./types.js";

/** The profile is estimated from this many readings, or from the first `CHARACTERISE_SPAN_MS` if fewer. */
export const CHARACTERISE_READINGS = 257;
export const CHARACTERISE_SPAN_MS = 6 * 3600_000;

/**
 * How far a periodic sensor's gap may be from a whole number of intervals: twice the 90th percentile
 * of how far the gaps near the median one are from it (the sensor's own jitter), at least half a
 * second, at most 65 % of the interval. A reading jittered by ±30 % of the interval makes a gap of
 * 1 ± 0.6 intervals (triangular; its 90th percentile 0.41), and a 1 s sensor jittered by ±0.2 s one of
 * 1 ± 0.4 s: a fixed 25 % of the interval counted only 66 % and 86 % of them regular, and a dropped
 * reading's double gap as irregular too (one of seed 8675309's households: its 1 s sensor taken for
 * on-change). A heartbeat's gaps are exact, so an on-change sensor's reports between two heartbeats
 * stand out even when they are rare.
 */
const JITTER_SPAN = 2;
const MIN_TOLERANCE_S = 0.5;
const MAX_TOLERANCE_SHARE = 0.65;
/** A gap of up to this many intervals is one reading, or a few dropped ones, of a periodic sensor. */
const MAX_DROPPED_RUN = 4;

/**
 * Gaps spread wider than this share of the interval (or than this many seconds), jitter and reports at random
 * alike: a sensor reporting a load switched every 5–30 s has gaps uniformly 5–30 s apart, 86 % of them within
 * 65 % of a whole number of its median gap (17 s), as a periodic sensor jittered by ±30 %. Its readings are not
 * on a clock: the mean resultant of their phases on the best interval within 10 % of the median gap is at most
 * 0.15 (in the unit test's on-change sensors), while that of a sensor jittered by ±30 % of its interval is
 * about 0.5 (uniform jitter: sin(0.6π)/(0.6π); 0.44–0.55 in the unit test, at 1–60 s, up to a fifth dropped).
 * Only spread gaps are checked: a periodic sensor whose timing drifts from reading to reading loses its phase.
 */
const PHASE_CHECK_SHARE = 0.3;
const PHASE_CHECK_S = 0.6;
const MIN_COHERENCE = 0.3;

/** The interval within 10 % of `interval` on which the readings' phases agree most, and how much (0–1). */
function phaseLock(series: PowerSeries, last: number, interval: number): { intervalS: number; coherence: number } {
  const start = series.timeAt(0);
  const times: number[] = [];
  for (let i = 0; i <= last; i += 1) times.push((series.timeAt(i) - start) / 1000);
  const step = interval / (8 * times.length);
  let best = { intervalS: interval, coherence: 0 };
  for (let p = 0.9 * interval; p <= 1.1 * interval; p += step) {
    let c = 0;
    let sn = 0;
    for (const t of times) {
      const a = (2 * Math.PI * t) / p;
      c += Math.cos(a);
      sn += Math.sin(a);
    }
    const coherence = Math.hypot(c, sn) / times.length;
    if (coherence > best.coherence) best = { intervalS: p, coherence };
  }
  return best;
}

/**
 * Periodic when most gaps between readings are near a whole number of intervals (jitter and dropped
 * readings allowed; `tolerance` above) and almost none is cut short, shorter than one interval by more
 * than the jitter. A report-on-change sensor on a flat load with a heartbeat also has mostly equal gaps,
 * but its reports of changes cut some short; on a busy load its reports come on its clock, a share of
 * them one tick apart, far shorter than the typical gap.
 */
export function characteriseSensor(series: PowerSeries): SensorProfile | null {
  const n = series.length;
  if (n < 3) return null;
  const start = series.timeAt(0);
  let last = 0;
  while (last + 1 < n && last + 1 < CHARACTERISE_READINGS && series.timeAt(last + 1) < start + CHARACTERISE_SPAN_MS) last += 1;
  const gaps: number[] = [];
  for (let i = 1; i <= last; i += 1) gaps.push((series.timeAt(i) - series.timeAt(i - 1)) / 1000);
  if (gaps.length < 2) return null;
  const typical = median(gaps);
  // The interval: the median of the gaps near the typical one (with a fifth of the readings dropped, the median gap is
  // 8 % long at ±30 % jitter; this is within about 2 %).
  const interval = median(gaps.filter((g) => g >= 0.5 * typical && g <= 1.5 * typical));
  const offsets = gaps.filter((g) => g >= 0.5 * interval && g <= 1.5 * interval).map((g) => Math.abs(g - interval)).sort((a, b) => a - b);
  const jitter = offsets[Math.floor(offsets.length * 0.9)] ?? 0;
  const tolerance = Math.min(MAX_TOLERANCE_SHARE * interval, Math.max(MIN_TOLERANCE_S, JITTER_SPAN * jitter));
  const regular =
    gaps.filter((g) => {
      const k = Math.round(g / interval);
      return k >= 1 && k <= MAX_DROPPED_RUN && Math.abs(g - k * interval) <= tolerance;
    }).length / gaps.length;
  const cutShort = gaps.filter((g) => g < interval - tolerance).length / gaps.length;
  const noiseW = series.noiseFloor(start, series.timeAt(last), 2) ?? 0;
  let kind: SensorProfile["kind"] = regular >= 0.8 && cutShort <= 0.02 ? "periodic" : "on-change";
  if (kind === "periodic" && JITTER_SPAN * jitter > Math.max(PHASE_CHECK_SHARE * interval, PHASE_CHECK_S)) {
    // Widely spread gaps: a periodic sensor's readings still keep to its clock, an on-change sensor's do not.
    const phase = phaseLock(series, last, interval);
    if (phase.coherence < MIN_COHERENCE) kind = "on-change";
    else return { kind, intervalS: phase.intervalS, noiseW };
  }
  if (kind === "periodic") return { kind, intervalS: interval, noiseW };
  // Most reports are changes of at least the threshold; heartbeats repeat a value with noise. The fifth of smallest
  // differences is about where the threshold is.
  const diffs: number[] = [];
  for (let i = 1; i <= last; i += 1) diffs.push(Math.abs(series.wattsAt(i) - series.wattsAt(i - 1)));
  diffs.sort((a, b) => a - b);
  // The meter measures on a clock (every second, in the simulator); two reports are never closer than one tick.
  const sampleS = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.01)]!;
  return { kind, intervalS: typical, noiseW, resolutionW: diffs[Math.floor(diffs.length * 0.2)] ?? 0, sampleS };
}

/** Readings (and distinct values among them) needed before their common step says anything; at most this many of the latest are looked at. */
const QUANTUM_MIN_READINGS = 50;
const QUANTUM_MIN_VALUES = 5;
const QUANTUM_READINGS = 10_000;

/**
 * The step (W) the latest readings all come in: the greatest common divisor of their values in hundredths
 * of a watt, when the noise spreads them over neighbouring steps (at least half of the gaps between their
 * distinct values, in order, are one step); else 0 (too few readings or values to tell, or a few loads'
 * levels that happen to share a divisor: a noise-free series of 60, 70 and 85 W is not read in 5 W steps).
 * A sensor read in 0.1 W gives 0.1; one reporting in kW with two decimals, 10.
 */
export function readingQuantumW(series: PowerSeries): number {
  const n = series.length;
  if (n < QUANTUM_MIN_READINGS) return 0;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const values = new Set<number>();
  let g = 0;
  for (let i = Math.max(0, n - QUANTUM_READINGS); i < n; i += 1) {
    const v = Math.round(series.wattsAt(i) * 100);
    values.add(v);
    g = gcd(Math.abs(v), g);
  }
  if (values.size < QUANTUM_MIN_VALUES || g === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  let neighbours = 0;
  for (let i = 1; i < sorted.length; i += 1) if (sorted[i]! - sorted[i - 1]! === g) neighbours += 1;
  return 2 * neighbours >= sorted.length - 1 ? g / 100 : 0;
}

/** True once enough readings are in for `characteriseSensor` to give its final answer. */
export function canCharacterise(series: PowerSeries, completeUntil: number): boolean {
  const n = series.length;
  if (n >= CHARACTERISE_READINGS) return true;
  return n >= 3 && completeUntil >= series.timeAt(0) + CHARACTERISE_SPAN_MS;
}

/** Where the windows around an event go, in milliseconds relative to the event. */
export interface WindowGeometry {
  /** The window before ends this long before the event (clock skew between HA and the meter). */
  preGuardMs: number;
  /** The window after starts this long after the event (relay delay, and an on-change sensor's report delay). */
  postGuardMs: number;
  widthMs: number;
  /**
   * Periodic sensors: a window uses only readings taken inside it, so that a reading from before
   * the event, still held, is not mistaken for the new power. This is what lets the window start
   * right after the relay delay instead of a whole interval later. The window before does so too: at
   * 60 s, a one-interval window before an event otherwise held the reading before it for most of its
   * span, an interval further from the event.
   */
  freshReadingsOnly: boolean;
  /** A window shorter than this is not used. */
  minWindowMs: number;
  /** A window needs this much held signal (s) and this many readings taken inside it. */
  minSupportS: number;
  minReadings: number;
  /** A held reading older than this describes nothing. */
  staleMs: number;
  /** On-change sensors with a known resolution: a window's level is the dead band's (`DeadBand`), not the held values' median. */
  deadBand?: DeadBand;
  /**
   * Windows of one reading each (read every 30 s): a window's reading is averaged with the one next to it
   * outside the window (before the window before, after the window after) when the two agree within their
   * noise (`measureEvent`, `PAIR_SIGMAS`).
   */
  pairedReadings?: boolean;
  /**
   * Periodic sensors read often enough for several readings a window: how fast the base load wanders
   * (a random walk's variance per second, W²/s), for walking each window's level out from the event
   * (`walkedLevel`).
   */
  walkDriftW2PerS?: number;
}

/** Seconds between HA's timestamp and the load actually changing (0.3–1.8 s), plus sampling jitter. */
const RELAY_DELAY_S = 2;
const CLOCK_SKEW_S = 3;
const ON_CHANGE_REPORT_DELAY_S = 2;
/**
 * Windows are this wide, or one interval of a periodic sensor read less often: one reading on each
 * side of the event, the nearest. Over three intervals (90 s at 30 s, 3 minutes at 60 s), the base
 * load's random walk (about 3 W a minute) and the other loads switching in between moved each step
 * more than the median of three readings took noise out: with the simulator's truth, the reading
 * just before and just after (their biweight over all events) missed the 8 % power P90 of the
 * single-level devices on 6 of the nine reference seeds at 30 s, the learner with 90 s windows on 9
 * (an 8 W hall light +35 %, +24 %, −22 % in one seed's households; +11 %, +5 %, −6 % with one reading).
 * A sensor read every 10 s keeps 30 s windows of three readings.
 */
const MIN_WINDOW_S = 30;
/**
 * Windows of one reading (a sensor read less often than every 15 s) have their reading paired with the
 * next one out (`WindowGeometry.pairedReadings`) up to this interval: read every 30 s, one reading's noise
 * (2 W and 1 % of a 300 W base load: about 3.6 W) was most of an 8 W light's step error: on one
 * household (seed 1676508722) the learner's accepted steps of an 8 W hall light had a median error of
 * -2 W as read, +0.1 W on the noise-free trace at the same instants. At 60 s too (the reading next out
 * one to two minutes from the event): the base load's random walk adds about 9 W² a minute against a
 * reading's 13 W² of noise, so the second reading out still takes noise out (its best weight is about
 * 0.37; plain pairing is close). Over the nine reference seeds the 60 s misses went 11 -> 8 and the
 * total 22 -> 19, over four fresh ones (99991, 4242, 314159, 271828) 13 -> 10; seed by seed it is not
 * all gain (seed 2024's single-level power median 1.5 -> 4.5 %, seed 8675309's P90 7.4 -> 11.2 %).
 */
const PAIRED_READINGS_MAX_INTERVAL_S = 90;
/**
 * How fast the base load wanders, as a random walk's variance per second (W²/s): about 3 W a minute, the
 * simulator's. A sensor read every 1 to 15 s has each window's level walked out from the event with it
 * (`walkedLevel`) instead of the window's median: over the nine reference seeds and four fresh ones, the
 * harder household's single-level power error (RMS over 260 devices) went 4.84 -> 2.18 % at 1 s and
 * 5.02 -> 3.70 % at 10 s, the energy error 4.59 -> 3.68 and 5.12 -> 4.21 %, the misses 29 -> 24 (at 10 s
 * 6 -> 1) and no confident profile was off (2.19 and 3.88 % once a meter whose walked steps come out short
 * keeps the windows' medians, `walkedStepsShort`). It matters little what the drift is taken to be: 0.015 to
 * 0.5 W²/s gave 2.18-2.61 % at 1 s and 3.70-3.87 % at 10 s, 1.5 W²/s 2.43 and 4.25 %. Read every 60 s
 * (`pairedReadings`), the walk did worse than pairing (more misses; the energy median missed); every 30 s
 * about even (single-level RMS 4.97 -> 4.71 %, 24 misses either way over the thirteen seeds).
 */
const BASE_DRIFT_W2_PER_S = 0.15;
/** An on-change sensor repeats an unchanged value at least every few minutes (HA keeps it 15 min at most). */
const ON_CHANGE_STALE_S = 15 * 60;

/**
 * The noise of an on-change meter's measurements, as a share of its resolution: its reports differ by
 * at least the resolution, so their spread says nothing of it. The simulator's is 2–5 W (2 W and 1 %
 * of the power) under a 10 W threshold; the level over the learner's windows, with the true switching
 * times, missed about as little with 3 W as with 6 W (the single-level power P90 over seed 101's
 * households 10.0 and 9.4 %, with the true noise 10.1 %). Over the nine reference seeds, 0.3 and 0.4
 * left 39 misses, 0.5 left 40. The windows stay 30 s wide: 60 s ones let other loads in (45 misses),
 * 20 s ones gained nothing (39), nor did the simulator's true threshold (2 % of the power above 500 W; 40).
 */
const DEAD_BAND_NOISE_SHARE = 0.4;
/** A dead band needs reports this many measurements apart, typically (the simulator's on-change sensor: 4–9 s at 1 s). */
const DEAD_BAND_MIN_GAPS = 2;

export function windowGeometry(sensor: SensorProfile): WindowGeometry {
  if (sensor.kind === "on-change") {
    const resolution = sensor.resolutionW ?? 0;
    const sampleS = sensor.sampleS ?? 0;
    // A sensor that reports at nearly every measurement has no dead band to speak of: a 1 s periodic one whose
    // jitter made it look on-change (one of seed 8675309's households, before the gaps were judged by the sensor's
    // own jitter) reports every 1 s, its clock 0.6 s.
    const deadBand = resolution > 0 && sampleS > 0 && sensor.intervalS >= DEAD_BAND_MIN_GAPS * sampleS ? { thresholdW: resolution, noiseW: DEAD_BAND_NOISE_SHARE * resolution, sampleMs: sampleS * 1000 } : undefined;
    return {
      ...(deadBand ? { deadBand } : {}),
      preGuardMs: CLOCK_SKEW_S * 1000,
      postGuardMs: (RELAY_DELAY_S + ON_CHANGE_REPORT_DELAY_S) * 1000,
      widthMs: MIN_WINDOW_S * 1000,
      freshReadingsOnly: false,
      minWindowMs: 5000,
      minSupportS: 5,
      minReadings: 0,
      staleMs: ON_CHANGE_STALE_S * 1000,
    };
  }
  const interval = sensor.intervalS;
  return {
    preGuardMs: CLOCK_SKEW_S * 1000,
    postGuardMs: RELAY_DELAY_S * 1000,
    widthMs: Math.max(MIN_WINDOW_S, interval) * 1000,
    freshReadingsOnly: true,
    minWindowMs: 1000,
    minSupportS: 0,
    minReadings: 1,
    // Two dropped readings in a row still count as held; a longer silence is an outage.
    staleMs: (3 * interval + 2) * 1000,
    ...(interval > MIN_WINDOW_S / 2 && interval < PAIRED_READINGS_MAX_INTERVAL_S ? { pairedReadings: true } : { walkDriftW2PerS: BASE_DRIFT_W2_PER_S }),
  };
}
