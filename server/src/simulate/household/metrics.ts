/**
 * Scores learned profiles against the household's ground truth, with the reference's metrics
 * (`correlation.md` §3): per-entity power and energy error, NILMTK's fraction of energy assigned
 * correctly (FEAC), coverage and small-load bias.
 */
import type { DeviceProfile } from "../../correlate/types.js";
import type { DeviceTruth, Household } from "./household.js";

/** Power and energy errors and coverage are over entities of at least this rated power. */
export const SCORED_MIN_W = 20;
/** The small lights whose bias is reported separately. */
export const SMALL_LOAD_MAX_W = 12;

export interface EntityScore {
  entityId: string;
  nominalW: number;
  truePowerW: number;
  trueEnergyKwh: number;
  /** Learned energy over learned on-time of the entity's published states; null when none is published. */
  powerW: number | null;
  energyKwh: number | null;
  /** |learned − true| ÷ true; null when not published. */
  powerError: number | null;
  energyError: number | null;
  events: number;
}

export interface HouseholdScore {
  entities: EntityScore[];
  /** Σ over all tracked entities of min(true share, learned share) of the tracked energy. */
  feac: number;
  /** Share of scored entities with a published power. */
  coverage: number;
}

export function scoreHousehold(house: Household, profiles: readonly DeviceProfile[]): HouseholdScore {
  const entities = house.truth.map((truth) => scoreEntity(truth, profiles.filter((p) => p.entityId === truth.entityId)));
  // FEAC assumes non-negative predictions; a learned negative power (the first design can) counts as none.
  const learned = (e: EntityScore) => Math.max(0, e.energyKwh ?? 0);
  const trueTotal = entities.reduce((s, e) => s + e.trueEnergyKwh, 0);
  const learnedTotal = entities.reduce((s, e) => s + learned(e), 0);
  let feac = 0;
  if (trueTotal > 0 && learnedTotal > 0) for (const e of entities) feac += Math.min(e.trueEnergyKwh / trueTotal, learned(e) / learnedTotal);
  const scored = entities.filter((e) => e.nominalW >= SCORED_MIN_W);
  return { entities, feac, coverage: scored.filter((e) => e.powerW !== null).length / scored.length };
}

function scoreEntity(truth: DeviceTruth, profiles: readonly DeviceProfile[]): EntityScore {
  const published = profiles.filter((p) => p.powerW !== null && p.energyKwh !== null);
  const energyKwh = published.length > 0 ? published.reduce((s, p) => s + p.energyKwh!, 0) : null;
  const onTimeH = published.reduce((s, p) => s + p.onTimeH, 0);
  const powerW = energyKwh !== null && onTimeH > 0 ? (energyKwh * 1000) / onTimeH : null;
  return {
    entityId: truth.entityId,
    nominalW: truth.nominalW,
    truePowerW: truth.powerW,
    trueEnergyKwh: truth.energyKwh,
    powerW,
    energyKwh,
    powerError: powerW === null ? null : Math.abs(powerW - truth.powerW) / truth.powerW,
    energyError: energyKwh === null ? null : Math.abs(energyKwh - truth.energyKwh) / truth.energyKwh,
    events: published.reduce((s, p) => s + p.events, 0),
  };
}

export interface ScoreSummary {
  powerErrorMedian: number;
  powerErrorP90: number;
  energyErrorMedian: number;
  energyErrorP90: number;
  /** Mean over households. */
  feac: number;
  /** Published scored entities over all scored entities, pooled over households. */
  coverage: number;
  /** Learned minus true power of the small lights, in W, where learned. */
  smallLoadBiasW: number[];
}

/** Pools the scored entities of several households (seeds) into one set of figures. */
export function summarise(scores: readonly HouseholdScore[]): ScoreSummary {
  const scored = scores.flatMap((s) => s.entities.filter((e) => e.nominalW >= SCORED_MIN_W));
  const powerErrors = scored.flatMap((e) => (e.powerError === null ? [] : [e.powerError]));
  const energyErrors = scored.flatMap((e) => (e.energyError === null ? [] : [e.energyError]));
  const small = scores.flatMap((s) => s.entities.filter((e) => e.nominalW <= SMALL_LOAD_MAX_W && e.powerW !== null));
  return {
    powerErrorMedian: quantile(powerErrors, 0.5),
    powerErrorP90: quantile(powerErrors, 0.9),
    energyErrorMedian: quantile(energyErrors, 0.5),
    energyErrorP90: quantile(energyErrors, 0.9),
    feac: scores.reduce((s, x) => s + x.feac, 0) / Math.max(1, scores.length),
    coverage: scored.filter((e) => e.powerW !== null).length / Math.max(1, scored.length),
    smallLoadBiasW: small.map((e) => e.powerW! - e.truePowerW),
  };
}

/** Quantile with linear interpolation between order statistics (NumPy's default); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
