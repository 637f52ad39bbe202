/**
 * The carbon statistics the card overlays: which ones (configured, derived from the energy ids, or
 * discovered), and one `recorder/statistics_during_period` call for them beside the energy call.
 * Intensity is a mean statistic (`types: ["mean"]`), emissions a sum (`["change"]`).
 */
import { parseStatisticId, siblingStatisticId } from "../../../server/src/statistics/ids.js";
import { STATISTICS_SOURCE, type Kind } from "../const.js";
import type { HomeAssistant } from "../ha-types.js";
import { signalOf, type CarbonIds, type CarbonSignal } from "../chart/carbon.js";
import { fetchStatistics, listStatisticIds, type StatisticPeriod, type Statistics, type StatisticsMetaData } from "./recorder.js";

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

export async function discoverIntensity(hass: HomeAssistant, provider?: string): Promise<string | undefined> {
  return pickIntensity(await listStatisticIds(hass, "mean"), provider);
}

/** Pure: the emissions statistic beside an account's energy statistics (`…_paid_energy` → `…_emissions`). */
export function emissionsIdFor(ids: Partial<Record<Kind, string>>): string | undefined {
  const id = ids.paid_energy ?? ids.free_energy;
  return id ? siblingStatisticId(id, "emissions") : undefined;
}

/**
 * The carbon statistics of a range, or undefined when HA has none of `ids`.
 * `metadata` answers `recorder/get_statistics_metadata` (the card caches it).
 */
export async function loadCarbon(
  hass: HomeAssistant,
  ids: CarbonIds,
  start: Date,
  end: Date,
  period: StatisticPeriod,
  metadata: (ids: string[]) => Promise<StatisticsMetaData[]>,
): Promise<CarbonStatistics | undefined> {
  const wanted = [ids.intensity, ids.emissions].filter((id): id is string => Boolean(id));
  if (!wanted.length) return undefined;
  const rows = await metadata(wanted);
  const known = (id: string | undefined) => (id ? rows.find((r) => r.statistic_id === id) : undefined);
  const intensity = known(ids.intensity);
  const emissions = known(ids.emissions);
  if (!intensity && !emissions) return undefined;
  const present: CarbonIds = { ...(intensity ? { intensity: intensity.statistic_id } : {}), ...(emissions ? { emissions: emissions.statistic_id } : {}) };
  const types = [...(emissions ? (["change"] as const) : []), ...(intensity ? (["mean"] as const) : [])];
  const stats = await fetchStatistics(hass, start, end, [present.intensity, present.emissions].filter((id): id is string => Boolean(id)), period, undefined, types);
  return { ids: present, signal: intensity ? signalOf(intensity.statistic_id, intensity.statistics_unit_of_measurement) : "intensity", stats };
}
