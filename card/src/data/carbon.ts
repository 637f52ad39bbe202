/**
 * The carbon statistics the card overlays: which ones (configured, derived from the energy ids, or
 * discovered), and picking them out of the card's one `recorder/statistics_during_period` answer.
 * Intensity is a mean statistic (`types: ["mean"]`), emissions a sum (`["change"]`).
 */
import { parseStatisticId, siblingStatisticId } from "../../../server/src/statistics/ids.js";
import { STATISTICS_SOURCE, type Kind } from "../const.js";
import { signalOf, type CarbonIds, type CarbonSignal } from "../chart/carbon.js";
import type { Statistics, StatisticsMetaData } from "./recorder.js";

export interface CarbonStatistics {
  /** Only the ids HA has. */
  ids: CarbonIds;
  signal: CarbonSignal;
  stats: Statistics;
}

/** Pure: the backend's intensity statistic among metadata rows; gCO2eq/kWh before a percentile, then by id. */
export function pickIntensity(rows: readonly StatisticsMetaData[], provider?: string): string | undefined {
  const isIndex = (id: string) => parseStatisticId(id)?.kind === "signal_index";
  return rows
    .filter((r) => r.source === STATISTICS_SOURCE && parseStatisticId(r.statistic_id)?.family === "carbon")
    .filter((r) => !provider || parseStatisticId(r.statistic_id)!.owner.startsWith(`${provider}_`))
    .map((r) => r.statistic_id)
    .sort((a, b) => Number(isIndex(a)) - Number(isIndex(b)) || a.localeCompare(b))[0];
}

/** Pure: the emissions statistic beside an account's energy statistics (`…_paid_energy` → `…_emissions`). */
export function emissionsIdFor(ids: Partial<Record<Kind, string>>): string | undefined {
  const id = ids.paid_energy ?? ids.free_energy;
  return id ? siblingStatisticId(id, "emissions") : undefined;
}

/**
 * Pure: the carbon statistics among a statistics answer, or undefined when HA has neither of `ids`
 * (no rows in the range and no metadata row). The card asks for them in its one
 * `recorder/statistics_during_period` call, beside the energy (`types` change and mean).
 */
export function carbonFrom(stats: Statistics, ids: CarbonIds, metadata: ReadonlyMap<string, StatisticsMetaData>): CarbonStatistics | undefined {
  const has = (id: string | undefined): id is string => Boolean(id && (stats[id]?.length || metadata.has(id)));
  const intensity = has(ids.intensity) ? ids.intensity : undefined;
  const emissions = has(ids.emissions) ? ids.emissions : undefined;
  if (!intensity && !emissions) return undefined;
  const present: CarbonIds = { ...(intensity ? { intensity } : {}), ...(emissions ? { emissions } : {}) };
  const own: Statistics = {};
  for (const id of [intensity, emissions]) if (id && stats[id]) own[id] = stats[id];
  return { ids: present, signal: intensity ? signalOf(intensity, metadata.get(intensity)?.statistics_unit_of_measurement) : "intensity", stats: own };
}
