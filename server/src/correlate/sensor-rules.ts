/**
 * How the learner treats a sensor's steps by the kind of sensor: how many readings its windows hold, how much noise
 * each step carries (its weight), and how a state's steps are summed up.
 */
import type { Location } from "./learn.js";
import type { EventMeasurement } from "./measure.js";
import { windowGeometry, type WindowGeometry } from "./sensor.js";
import type { SensorProfile } from "./types.js";

/**
 * With windows at least this wide (ms: a sensor read every 60 s or less often), or of one reading (one
 * read every 30 s, `singleReadingWindows`), a state's steps count by their noise (`stepNoiseFor`): a reading's
 * noise is the sensor's (`noiseW`, at least `MIN_READING_NOISE_W`) and `LEVEL_NOISE_SHARE` of the level it reads (a meter's accuracy class, and
 * the more that is going on the more moves between two readings a minute apart). A 40 W porch light
 * on at the evening's busiest hour, its steps read beside an oven, a kettle and a dishwasher, learns
 * mostly from the steps read at a quieter moment. Over the nine reference seeds at 60 s, the median
 * |error| of the single-level lights went 8.4 -> 6.3 % (8 W hall), 11.6 -> 8.6 % (12 W bedside) and
 * 5.1 -> 3.7 % (40 W porch; its P90 24.7 -> 7.5 %), and the 60 s misses 16 -> 12 (five medians and
 * seed 5's energy P90 met, seed 101's power and energy medians and seed 5's power median missed at
 * 3.6, 3.2 and 5.5 %). A share of 0.5 or 2 % and a floor of 2 or 5 W did about as well. At 30 s,
 * the 12 W bedside light's P90 |error| went 15.4 -> 10.3 %, the porch's 8.0 -> 6.0 %, and the 30 s
 * misses 6 -> 5 (power P90s: 8 of 9 seeds lower, one 0.4 higher). Not tried with windows of a few
 * readings (10 s) nor with a report-on-change sensor.
 */
const STEPS_BY_NOISE_MIN_WINDOW_MS = 45_000;
const LEVEL_NOISE_SHARE = 0.01;
const MIN_READING_NOISE_W = 1;
/**
 * How a state's steps are summed up (`estimate`), by the sensor. Steps measured by a periodic sensor
 * over windows at most `BIWEIGHT_MAX_WINDOW_MS` wide (read every 10 s or faster), or over windows of
 * one reading (`singleReadingWindows`: read every 30 s or less often) have a near-normal
 * core with outliers where another load moved: their biweight (an 8 W light's median at 10 s was
 * 9.2 W, pulled up by other loads caught more often above than below, its biweight 8.5 W); at 60 s,
 * one-reading steps summed by their biweight missed 62 figures over the nine reference seeds, by the
 * clear biweight 63. Over other windows up to `CLEAR_BIWEIGHT_MAX_WINDOW_MS` (90 s windows of three
 * readings every 30 s, before one-reading windows) the biweight where the steps have a clear core (a
 * 60 W light's median was 63 W). Wider windows, and an on-change sensor's few held readings quantised
 * by its resolution, give steps whose median served better on both simulated households. Behind an
 * on-change sensor's dead band (`WindowGeometry.deadBand`) the steps are no longer quantised: their
 * biweight (with the engine's `FEW_READINGS_SE_SHARE`) left 5 on-change misses over the nine reference seeds, their
 * median 9.
 */
const BIWEIGHT_MAX_WINDOW_MS = 60_000;
const CLEAR_BIWEIGHT_MAX_WINDOW_MS = 120_000;

/**
 * Whether a sensor's windows hold a few readings each (at most three): a periodic one read every 10 s
 * or less often (its windows shorter than 3.5 intervals, the interval being measured a hair either side
 * of 10 s). From 30 s on, one reading each (`windowGeometry`).
 */
export function fewReadingWindows(sensor: SensorProfile): boolean {
  return sensor.kind === "periodic" && windowGeometry(sensor).widthMs < 3.5 * sensor.intervalS * 1000;
}

/** Whether a sensor's windows hold one reading each: a periodic one read every 30 s or less often (its windows shorter than two intervals). */
export function singleReadingWindows(sensor: SensorProfile): boolean {
  return sensor.kind === "periodic" && windowGeometry(sensor).widthMs < 2 * sensor.intervalS * 1000;
}

/**
 * Whether the readings inside a device's runs show its bursts by their jumps (`jumpExcessSigmas`): with one reading a
 * window (a periodic sensor read every 30 s or less often), and with a report-on-change sensor, whose every report is a
 * jump. On change, a PC's switch-ons caught its bursts as often as its switch-offs, its edges hid them, and it was
 * charged its idle level (-31 to -36 % in several of 160 households); its runs' jumps show them. Read every 1 to 15 s,
 * its edges do.
 */
export function jumpsShowBursts(sensor: SensorProfile): boolean {
  return singleReadingWindows(sensor) || sensor.kind === "on-change";
}

/**
 * How a step's noise is judged, for its weight (`stepWeight`), by the sensor; null: steps count alike.
 * - Windows of a few readings but more than one (read every 10 s): the noise floor of the hour before
 *   the event (`EventMeasurement.noiseW`), where the meter's noise is most of a step's error. With the
 *   true switching times and windows of three readings every 10 s, the single-level power P90 missed
 *   8 % on 5 of the nine reference seeds unweighted, on 1 weighted so (the learner: 10 s misses 9 -> 5).
 * - Windows of one reading (read every 30 s or less often), or at least `STEPS_BY_NOISE_MIN_WINDOW_MS`
 *   wide: the noise of its readings before and after at the levels they read. There the noise floor of
 *   consecutive readings is mostly loads moving between them, not noise (weighted by it, 30 and 60 s
 *   missed 15 more figures over the nine seeds).
 * - Read every second, a step's error is mostly other loads (its window's 30 readings take the noise
 *   out), and weighting it by its noise labelled a wrong level confident on one of the nine seeds.
 */
export function stepNoiseFor(sensor: SensorProfile | null, geometry: WindowGeometry | null): ((m: EventMeasurement) => number) | null {
  if (sensor === null || geometry === null) return null;
  if (geometry.widthMs >= STEPS_BY_NOISE_MIN_WINDOW_MS || singleReadingWindows(sensor)) {
    const readingNoiseW = readingNoiseFor(sensor);
    return (m) => {
      const pre = m.preW ?? 0;
      const lag = m.lags.find((l) => l.reason === null && l.stepW !== null);
      const post = lag?.postW ?? pre;
      // A level averaged over two readings (`WindowGeometry.pairedReadings`) has √2 less of their noise.
      return Math.hypot(readingNoiseW(pre) / Math.sqrt(m.preReadings ?? 1), readingNoiseW(post) / Math.sqrt(lag?.postReadings ?? 1));
    };
  }
  if (fewReadingWindows(sensor)) return (m) => m.noiseW;
  return null;
}

/** A reading's noise at the level it reads (`STEPS_BY_NOISE_MIN_WINDOW_MS`). */
export function readingNoiseFor(sensor: SensorProfile): (w: number) => number {
  const floorW = Math.max(MIN_READING_NOISE_W, sensor.noiseW);
  return (w) => Math.hypot(floorW, LEVEL_NOISE_SHARE * Math.abs(w));
}

export function locationFor(sensor: SensorProfile | null, geometry: WindowGeometry | null): Location {
  if (geometry?.deadBand) return "biweight";
  if (sensor?.kind !== "periodic" || geometry === null) return "median";
  if (geometry.widthMs <= BIWEIGHT_MAX_WINDOW_MS || singleReadingWindows(sensor)) return "biweight";
  return geometry.widthMs <= CLEAR_BIWEIGHT_MAX_WINDOW_MS ? "clear-biweight" : "median";
}
