/**
 * A floor under the single-level power error: the power of each single-level device as an oracle
 * would learn it, knowing every other load exactly, the device's true switching instants and the
 * meter's noise, with only the base load's random walk and the noise itself unknown. No learner knows
 * as much (it sees neither the untracked loads nor the exact instants), so a target the oracle misses
 * is beyond what the readings hold.
 *
 * What is left of a reading once the other loads are taken out is the base load, plus the device's
 * power while it is on, plus noise. A Kalman filter over two states, the base level (a random walk)
 * and the device's power (a constant), gives at its last reading the generalised least-squares
 * estimate of the power from every reading, each weighted by its noise and by how far the base load
 * can have wandered since the last one.
 */
import { BASE_WALK_VARIANCE_PER_S } from "./household.js";
import { readingNoiseW, type SensorModel } from "./sensors.js";
import { mergeTracks, TraceCursor } from "./trace.js";
import type { VaryingHousehold } from "./varying.js";
import type { PowerSample } from "../../correlate/types.js";

export interface OracleReading {
  /** ms */
  t: number;
  /** The reading less every other load: the base load, the device's power while on, and noise (W). */
  residualW: number;
  /** Whether the device drew its power at `t`. */
  on: boolean;
  /** The reading's noise (standard deviation, W). */
  noiseW: number;
}

export interface OracleEstimate {
  powerW: number;
  standardErrorW: number;
}

/** Variance given to what nothing has told yet (W²): far beyond any household's power. */
const UNKNOWN_VARIANCE = 1e12;

/** The device's power from readings in time order, the base load wandering by `walkVariancePerS` W² a second. */
export function oraclePower(readings: readonly OracleReading[], walkVariancePerS: number): OracleEstimate {
  // State (base, power), covariance [[a, c], [c, d]].
  let base = 0;
  let power = 0;
  let a = UNKNOWN_VARIANCE;
  let c = 0;
  let d = UNKNOWN_VARIANCE;
  let last = readings[0]?.t ?? 0;
  for (const r of readings) {
    a += (walkVariancePerS * (r.t - last)) / 1000;
    last = r.t;
    const x = r.on ? 1 : 0;
    const ha = a + x * c;
    const hd = c + x * d;
    const innovationVariance = ha + x * hd + r.noiseW * r.noiseW;
    const innovation = r.residualW - (base + x * power);
    const ka = ha / innovationVariance;
    const kd = hd / innovationVariance;
    base += ka * innovation;
    power += kd * innovation;
    a -= ka * ha;
    c -= ka * hd;
    d -= kd * hd;
  }
  return { powerW: power, standardErrorW: Math.sqrt(Math.max(0, d)) };
}

export interface OracleDevice extends OracleEstimate {
  entityId: string;
  truePowerW: number;
}

/**
 * Every single-level device's power as the oracle learns it from `samples`, read from `house` with
 * `model`. Only for periodic sensors: a report-on-change meter's silences say the power stayed inside
 * its dead band, which this filter cannot weigh, so it returns null for them.
 */
export function singleLevelOracle(house: VaryingHousehold, samples: readonly PowerSample[], model: SensorModel): OracleDevice[] | null {
  if (model.kind !== "periodic") return null;
  const { baseW, start } = house.trace;
  return house.truth
    .filter((truth) => truth.singleLevel)
    .map((truth) => {
      const total = new TraceCursor(house.trace);
      const own = new TraceCursor(mergeTracks(start, new Float32Array(1), [truth.track]));
      const readings = samples.map((s): OracleReading => {
        const trueW = total.powerAt(s.t);
        const ownW = own.powerAt(s.t);
        const second = Math.min(baseW.length - 1, Math.max(0, Math.floor((s.t - start) / 1000)));
        const othersW = trueW - baseW[second]! - ownW;
        return { t: s.t, residualW: s.w - othersW, on: ownW > 0, noiseW: readingNoiseW(model, trueW) };
      });
      return { entityId: truth.entityId, truePowerW: truth.powerW, ...oraclePower(readings, BASE_WALK_VARIANCE_PER_S) };
    });
}
