/**
 * What a device's measured runs show of its power over time, from their histograms of levels (`RunMeasurement.levels`):
 * its phases (a washer's heating and washing), how it tapers off (an EV charger once the car is nearly full) and how
 * much it modulates about its mean (a heat pump).
 */
import { median } from "./robust.js";
import { levelOfBin, LEVEL_BINS } from "./runs.js";
import type { Phase } from "./types.js";

/** A phase must hold this share of the time in the state. */
const PHASE_MIN_SHARE = 0.08;
const MAX_PHASES = 3;

/** The levels a device stands at for a good share of its time, from the runs' level histograms. */
export function phasesOf(histograms: readonly Float64Array[], runs: number): Phase[] {
  if (histograms.length === 0 || runs === 0) return [];
  const pooled = new Float64Array(LEVEL_BINS);
  for (const h of histograms) for (let i = 0; i < LEVEL_BINS; i += 1) pooled[i]! += h[i]!;
  const total = pooled.reduce((s, x) => s + x, 0);
  if (total <= 0) return [];
  const smooth = (i: number) => (pooled[i - 1] ?? 0) + 2 * pooled[i]! + (pooled[i + 1] ?? 0);
  const peaks: Phase[] = [];
  for (let i = 1; i < LEVEL_BINS; i += 1) {
    const here = smooth(i);
    if (!(here > smooth(i - 1) && here >= (i + 1 < LEVEL_BINS ? smooth(i + 1) : 0))) continue;
    // The peak's time: its bin and the neighbours down to where the histogram rises again.
    let ms = pooled[i]!;
    let weighted = pooled[i]! * levelOfBin(i);
    const take = (j: number) => {
      ms += pooled[j]!;
      weighted += pooled[j]! * levelOfBin(j);
    };
    for (let j = i - 1; j >= 1 && smooth(j) <= smooth(j + 1) && j >= i - 3; j -= 1) take(j);
    for (let j = i + 1; j < LEVEL_BINS && smooth(j) <= smooth(j - 1) && j <= i + 3; j += 1) take(j);
    if (ms / total < PHASE_MIN_SHARE) continue;
    peaks.push({ powerW: weighted / ms, minutesPerRun: ms / runs / 60_000 });
  }
  return peaks.sort((a, b) => b.minutesPerRun * b.powerW - a.minutesPerRun * a.powerW).slice(0, MAX_PHASES).sort((a, b) => b.powerW - a.powerW);
}

/** A device's switch-off step is at most this share of its switch-on step when it has stopped drawing before it is switched off. */
const TAPERED_OFF_SHARE = 0.1;
/** ...in this share of its switch-offs (an oven's thermostat has its heater off at two switch-offs in three: it does not taper). */
const TAPERED_OFF_RUNS = 0.9;
/** Fewer switch-ons or switch-offs than this do not show how a device stops. */
const TAPER_MIN_EVENTS = 3;

/**
 * The level a device switches on at when it stops drawing on its own before it is switched off (an
 * EV charger at 7.2 kW until the car is full, then 4 W until the charger is switched off): nearly
 * all its switch-off steps are at most `TAPERED_OFF_SHARE` of its median switch-on step. Null
 * otherwise (a washer, an oven, a PC, whose switch-offs catch them drawing).
 */
export function taperedOnLevelW(l: { onValues: readonly number[]; offValues: readonly number[] }): number | null {
  if (l.onValues.length < TAPER_MIN_EVENTS || l.offValues.length < TAPER_MIN_EVENTS) return null;
  const on = median(l.onValues);
  const done = l.offValues.filter((w) => Math.abs(w) <= TAPERED_OFF_SHARE * on).length;
  return on > 0 && done >= TAPERED_OFF_RUNS * l.offValues.length ? on : null;
}

/**
 * How long a tapering device takes to taper, ms: twice the time its runs stood between a quarter and
 * three quarters of its switch-on level above their baseline (the middle half of a straight taper),
 * median over runs. Not from 10 to 90 %: a heat pump's 1.2 kW on top of a done EV charger's 4 W
 * stood above 10 % of its 7.2 kW for hours.
 */
export function taperMs(histograms: readonly Float64Array[], levelW: number): number {
  if (histograms.length === 0) return 0;
  return (
    2 *
    median(
      histograms.map((h) => {
        let ms = 0;
        for (let i = 1; i < LEVEL_BINS; i += 1) {
          const w = levelOfBin(i);
          if (w > 0.25 * levelW && w < 0.75 * levelW) ms += h[i]!;
        }
        return ms;
      }),
    )
  );
}

/** How long one run of a tapering device stood at half its switch-on level or more above its baseline, ms: how long it drew its level (with the taper's first half). */
export function atLevelMs(histogram: Float64Array, levelW: number): number {
  let ms = 0;
  for (let i = 1; i < LEVEL_BINS; i += 1) if (levelOfBin(i) >= 0.5 * levelW) ms += histogram[i]!;
  return ms;
}

/**
 * A tapering device's power through one on-interval, for taking it out of another device's run: its
 * switch-on level for `atMs` from switching on (`atLevelMs` of its run),
 * then what it draws when done (`afterW`, its switch-off step). Its mean while on (an EV charger's
 * 3.5 kW over a night) is kilowatts off at every moment; this is off only around the taper. The
 * uncertainty: `levelSigmaW` at the level, half the level within half a taper (`taperMs`) of where
 * it ends, `afterW` after.
 */
export function taperedShape(
  iv: { from: number; to: number },
  atMs: number,
  levelW: number,
  options: { levelSigmaW: number; taperMs: number; afterW: number; tailMs: number },
): { curve: { from: number; to: number; powerW: number }[]; presence: { from: number; to: number; sigmaW: number }[] } {
  if (iv.to <= iv.from || levelW <= 0) return { curve: [], presence: [] };
  const end = iv.from + Math.min(iv.to - iv.from, Math.max(0, atMs));
  const curve = [
    { from: iv.from, to: end, powerW: levelW },
    { from: end, to: iv.to, powerW: options.afterW },
  ];
  const zoneFrom = Math.max(iv.from, end - options.taperMs / 2);
  const zoneTo = Math.min(iv.to + options.tailMs, end + options.taperMs / 2);
  const presence = [
    { from: iv.from, to: zoneFrom, sigmaW: options.levelSigmaW },
    { from: zoneFrom, to: zoneTo, sigmaW: levelW / 2 },
    { from: zoneTo, to: iv.to + options.tailMs, sigmaW: Math.abs(options.afterW) },
  ];
  return { curve, presence };
}

/** A state whose runs' levels stand within this many level bins (each 25 % wide) of their peak... */
const MODULATION_BAND_BINS = 2;
/** ...for at least this share of their time above the baseline modulates about one level. */
const MODULATION_MIN_SHARE = 0.6;

/**
 * How uncertain a device that varies while on is when taken out of another device's run at its mean
 * power in a state, W. When its runs' levels in that state (their histograms of time at each level
 * above the run's raw baseline, pooled; time at or below the baseline left out, as another load in
 * the baseline windows puts it there) stand within `MODULATION_BAND_BINS` bins of their peak for
 * `MODULATION_MIN_SHARE` of the time, and the mean is in that band, the device modulates about one
 * level (a heat pump's ±20 % about 1.2 kW, with its ramp: 81 % of its time there in one household),
 * and is as uncertain as its levels in the band spread (242 W about its 1.1 kW mean, not 1.1 kW), or as
 * its mean over the share of its time out of the band, if more.
 * Otherwise its mean, as unknown as it can be at any moment (a washer's heater at 2 kW or its
 * tumbling at 300 W about a mean of 630 W: 42 % of its time near its peak; an oven's 2.4 kW element
 * cycled against its 30 W fan).
 */
export function modulationSigmaW(histograms: readonly Float64Array[], meanW: number): number {
  const mean = Math.abs(meanW);
  const pooled = new Float64Array(LEVEL_BINS);
  for (const h of histograms) for (let i = 1; i < LEVEL_BINS; i += 1) pooled[i]! += h[i]!;
  const total = pooled.reduce((s, x) => s + x, 0);
  if (total <= 0 || !(mean > 0)) return mean;
  let peak = 1;
  for (let i = 1; i < LEVEL_BINS; i += 1) if (pooled[i]! > pooled[peak]!) peak = i;
  const lo = Math.max(1, peak - MODULATION_BAND_BINS);
  const hi = Math.min(LEVEL_BINS - 1, peak + MODULATION_BAND_BINS);
  let near = 0;
  for (let i = lo; i <= hi; i += 1) near += pooled[i]!;
  const within = levelOfBin(lo) <= mean && mean <= levelOfBin(hi);
  if (!within || near < MODULATION_MIN_SHARE * total) return mean;
  // The spread of its levels within the band, about its mean there.
  let weighted = 0;
  for (let i = lo; i <= hi; i += 1) weighted += pooled[i]! * levelOfBin(i);
  const middle = weighted / near;
  let square = 0;
  for (let i = lo; i <= hi; i += 1) square += pooled[i]! * (levelOfBin(i) - middle) ** 2;
  // ...or by its mean over the share of its time away from that level, if more (a heater's 50 W edges for 30 minutes of
  // its 4 hours about a 2.2 kW mean, its element's one level spreading by nothing).
  return Math.max(Math.sqrt(square / near), (mean * (total - near)) / total);
}
