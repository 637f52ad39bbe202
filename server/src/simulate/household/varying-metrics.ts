/**
 * Scores learned profiles against the harder household's truth (issue 12), over every tracked
 * device: energy error, the power error of single-level devices, coverage, FEAC over the devices
 * other than the two biggest, and profiles labelled confident that are off by more than
 * max(2 W, 10 %) of their state's true mean power.
 */
import type { DeviceProfile } from "../../correlate/types.js";
import { quantile } from "./metrics.js";
import type { StateTruth, VaryingHousehold, VaryingTruth } from "./varying.js";

/** A confident profile may be off by at most this: max(2 W, 10 %). */
export const CONFIDENT_TOLERANCE_W = 2;
export const CONFIDENT_TOLERANCE_SHARE = 0.1;

export interface VaryingEntityScore {
  entityId: string;
  singleLevel: boolean;
  trueEnergyKwh: number;
  truePowerW: number;
  /** Learned energy of the published profiles; null when none is published (not covered). */
  energyKwh: number | null;
  /** Learned energy over learned on-time. */
  powerW: number | null;
  energyError: number | null;
  powerError: number | null;
}

export interface ConfidentMiss {
  entityId: string;
  state: string;
  level: string | null;
  powerW: number;
  truePowerW: number;
}

export interface VaryingScore {
  entities: VaryingEntityScore[];
  /** FEAC over the devices other than the two with the most true energy. */
  feacOthers: number;
  /** Confident profiles (with a true state to compare with). */
  confident: number;
  confidentMisses: ConfidentMiss[];
}

/** Whether a profile's energy is published (goes into statistics and the scores). */
export function isPublished(p: DeviceProfile): boolean {
  return p.energyKwh !== null && p.status !== "learning" && p.published;
}

export function scoreVaryingHousehold(house: VaryingHousehold, profiles: readonly DeviceProfile[]): VaryingScore {
  const entities = house.truth.map((truth) => scoreEntity(truth, profiles.filter((p) => p.entityId === truth.entityId)));
  const biggest = new Set([...house.truth].sort((a, b) => b.energyKwh - a.energyKwh).slice(0, 2).map((t) => t.entityId));
  const others = entities.filter((e) => !biggest.has(e.entityId));
  const confidentMisses: ConfidentMiss[] = [];
  let confident = 0;
  for (const p of profiles) {
    if (p.status !== "confident" || p.powerW === null) continue;
    const truth = stateTruth(house.truth.find((t) => t.entityId === p.entityId), p.state, p.level);
    if (!truth) continue;
    confident += 1;
    if (Math.abs(p.powerW - truth.powerW) > Math.max(CONFIDENT_TOLERANCE_W, CONFIDENT_TOLERANCE_SHARE * truth.powerW)) {
      confidentMisses.push({ entityId: p.entityId, state: p.state, level: p.level, powerW: p.powerW, truePowerW: truth.powerW });
    }
  }
  return { entities, feacOthers: feac(others), confident, confidentMisses };
}

/** The truth of a profile's state: its level's, or all levels of the state together when the profile has none. */
function stateTruth(truth: VaryingTruth | undefined, state: string, level: string | null): StateTruth | null {
  if (!truth) return null;
  const matching = truth.states.filter((s) => s.state === state && (level === null || s.level === level));
  if (matching.length === 0) return null;
  const energyKwh = matching.reduce((s, x) => s + x.energyKwh, 0);
  const onTimeH = matching.reduce((s, x) => s + x.onTimeH, 0);
  return { state, level, energyKwh, onTimeH, powerW: onTimeH > 0 ? (energyKwh * 1000) / onTimeH : 0 };
}

function scoreEntity(truth: VaryingTruth, profiles: readonly DeviceProfile[]): VaryingEntityScore {
  const published = profiles.filter(isPublished);
  const energyKwh = published.length > 0 ? published.reduce((s, p) => s + p.energyKwh!, 0) : null;
  const onTimeH = published.reduce((s, p) => s + p.onTimeH, 0);
  const powerW = energyKwh !== null && onTimeH > 0 ? (energyKwh * 1000) / onTimeH : null;
  return {
    entityId: truth.entityId,
    singleLevel: truth.singleLevel,
    trueEnergyKwh: truth.energyKwh,
    truePowerW: truth.powerW,
    energyKwh,
    powerW,
    energyError: energyKwh === null ? null : Math.abs(energyKwh - truth.energyKwh) / truth.energyKwh,
    powerError: powerW === null ? null : Math.abs(powerW - truth.powerW) / truth.powerW,
  };
}

/** NILMTK's FEAC: Σ min(true share, learned share) over the entities; an unpublished one counts as 0. */
function feac(entities: readonly VaryingEntityScore[]): number {
  const trueTotal = entities.reduce((s, e) => s + e.trueEnergyKwh, 0);
  const learnedTotal = entities.reduce((s, e) => s + Math.max(0, e.energyKwh ?? 0), 0);
  if (trueTotal <= 0 || learnedTotal <= 0) return 0;
  return entities.reduce((s, e) => s + Math.min(e.trueEnergyKwh / trueTotal, Math.max(0, e.energyKwh ?? 0) / learnedTotal), 0);
}

export interface VaryingSummary {
  energyErrorMedian: number;
  energyErrorP90: number;
  /** Of the single-level devices. */
  powerErrorMedian: number;
  powerErrorP90: number;
  /** Of every device (no target; shown for reference). */
  allPowerErrorMedian: number;
  allPowerErrorP90: number;
  coverage: number;
  /** Mean over households. */
  feacOthers: number;
  confident: number;
  confidentMisses: ConfidentMiss[];
}

/** Pools several households' (seeds') devices into one set of figures. */
export function summariseVarying(scores: readonly VaryingScore[]): VaryingSummary {
  const all = scores.flatMap((s) => s.entities);
  const errors = (list: readonly VaryingEntityScore[], pick: (e: VaryingEntityScore) => number | null) => list.flatMap((e) => (pick(e) === null ? [] : [pick(e)!]));
  const single = all.filter((e) => e.singleLevel);
  return {
    energyErrorMedian: quantile(errors(all, (e) => e.energyError), 0.5),
    energyErrorP90: quantile(errors(all, (e) => e.energyError), 0.9),
    powerErrorMedian: quantile(errors(single, (e) => e.powerError), 0.5),
    powerErrorP90: quantile(errors(single, (e) => e.powerError), 0.9),
    allPowerErrorMedian: quantile(errors(all, (e) => e.powerError), 0.5),
    allPowerErrorP90: quantile(errors(all, (e) => e.powerError), 0.9),
    coverage: all.filter((e) => e.energyKwh !== null).length / Math.max(1, all.length),
    feacOthers: scores.reduce((s, x) => s + x.feacOthers, 0) / Math.max(1, scores.length),
    confident: scores.reduce((s, x) => s + x.confident, 0),
    confidentMisses: scores.flatMap((s) => s.confidentMisses),
  };
}
