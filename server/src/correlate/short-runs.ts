/**
 * Power of loads that run too briefly for windows between their on and off events (a cover motor
 * running 25 s under a 30 s sensor): the energy above the baseline during the run, divided by the
 * run's length. One run seen by a periodic sensor is coarse (the run holds zero or one reading),
 * but the held signal's integral is unbiased when the sampling phase is random, so the ratio of
 * summed energies to summed durations converges where a median of steps cannot.
 */
import type { HoldLimits, PowerSeries } from "./power-series.js";
import type { WindowGeometry } from "./sensor.js";
import type { Estimate } from "./learn.js";

export interface RunMeasurement {
  durationS: number;
  /** Energy above the baseline, in joules. */
  excessJ: number;
}

/** Longer runs are left to the step method: the baseline drifts too much over them. */
export const MAX_RUN_MS = 30 * 60_000;
/** Baselines before and after the run must agree within max(3σ, this), or another load moved. */
const BASELINE_AGREEMENT_W = 10;

export interface RunInput {
  onT: number;
  offT: number;
  /** Median power before the on event and after the off event. */
  beforeW: number | null;
  afterW: number | null;
  noiseW: number;
  conflictIn: (from: number, to: number) => string | null;
}

export function measureRun(input: RunInput, series: PowerSeries, geometry: WindowGeometry, limits: HoldLimits): RunMeasurement | null {
  const { onT, offT, beforeW, afterW } = input;
  if (beforeW === null || afterW === null || offT <= onT || offT - onT > MAX_RUN_MS) return null;
  if (Math.abs(afterW - beforeW) > Math.max(3 * input.noiseW, BASELINE_AGREEMENT_W)) return null;
  if (input.conflictIn(onT - geometry.preGuardMs - geometry.widthMs, offT + geometry.settleMs + geometry.widthMs) !== null) return null;
  // Readings taken while the load ran hold up to one interval past the off event.
  const end = offT + geometry.settleMs;
  const { joules, supportS } = series.excessEnergy(onT, end, (beforeW + afterW) / 2, limits);
  if (supportS < 0.9 * ((end - onT) / 1000)) return null;
  return { durationS: (offT - onT) / 1000, excessJ: joules };
}

/** Summed excess energy over summed run time, with the standard error of that ratio. */
export function learnFromRuns(runs: readonly RunMeasurement[]): Estimate {
  const n = runs.length;
  let energy = 0;
  let duration = 0;
  for (const r of runs) {
    energy += r.excessJ;
    duration += r.durationS;
  }
  if (n === 0 || duration <= 0) return { powerW: Number.NaN, standardErrorW: Number.POSITIVE_INFINITY, n };
  const powerW = energy / duration;
  // Ratio-estimator variance: residuals of each run's energy from powerW × its duration.
  let residuals = 0;
  for (const r of runs) residuals += (r.excessJ - powerW * r.durationS) ** 2;
  const meanDuration = duration / n;
  const standardErrorW = n > 1 ? Math.sqrt(residuals / (n - 1) / n) / meanDuration : Number.POSITIVE_INFINITY;
  return { powerW, standardErrorW, n };
}
