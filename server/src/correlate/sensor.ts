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
 * Periodic when most gaps between readings are within 25 % of the median gap (jitter and the odd
 * dropped reading allowed) and almost none is shorter than half of it. A report-on-change sensor on
 * a flat load with a heartbeat also has mostly equal gaps, but its reports of changes cut some short.
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
  const regular = gaps.filter((g) => Math.abs(g - typical) <= 0.25 * typical).length / gaps.length;
  const cutShort = gaps.filter((g) => g < 0.5 * typical).length / gaps.length;
  const noiseW = series.noiseFloor(start, series.timeAt(last), 2) ?? 0;
  const kind = regular >= 0.8 && cutShort <= 0.02 ? "periodic" : "on-change";
  if (kind === "periodic") return { kind, intervalS: typical, noiseW };
  // Most reports are changes of at least the threshold; heartbeats repeat a value with noise. The fifth of smallest
  // differences is about where the threshold is.
  const diffs: number[] = [];
  for (let i = 1; i <= last; i += 1) diffs.push(Math.abs(series.wattsAt(i) - series.wattsAt(i - 1)));
  diffs.sort((a, b) => a - b);
  // The meter measures on a clock (every second, in the simulator); two reports are never closer than one tick.
  const sampleS = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.01)]!;
  return { kind, intervalS: typical, noiseW, resolutionW: diffs[Math.floor(diffs.length * 0.2)] ?? 0, sampleS };
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
    // jitter made it look on-change (one of seed 8675309's households) reports every 1 s, its clock 0.6 s.
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
  };
}
