/**
 * The carbon statistics the card overlays: which ones (configured, derived from the energy ids, or
 * discovered), and one `recorder/statistics_during_period` call for them beside the energy call.
 * Intensity is a mean statistic (`types: ["mean"]`), emissions a sum (`["change"]`).
 */
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

const INTENSITY_ID = new RegExp(`^${STATISTICS_SOURCE}:([a-z0-9_]+?)_(carbon_intensity|signal_index)$`);

/** Pure: the backend's intensity statistic among metadata rows; gCO2eq/kWh before a percentile, then by id. */
export function pickIntensity(rows: readonly StatisticsMetaData[], provider?: string): string | undefined {
  return rows
    .filter((r) => r.source === STATISTICS_SOURCE && INTENSITY_ID.test(r.statistic_id))
    .filter((r) => !provider || r.statistic_id.startsWith(`${STATISTICS_SOURCE}:${provider}_`))
    .map((r) => r.statistic_id)
    .sort((a, b) => Number(a.endsWith("_signal_index")) - Number(b.endsWith("_signal_index")) || a.localeCompare(b))[0];
}

export async function discoverIntensity(hass: HomeAssistant, provider?: string): Promise<string | undefined> {
  return pickIntensity(await listStatisticIds(hass, "mean"), provider);
}

/** Pure: the emissions statistic beside an account's energy statistics (`…_paid_energy` → `…_emissions`). */
export function emissionsIdFor(ids: Partial<Record<Kind, string>>): string | undefined {
  const id = ids.paid_energy ?? ids.free_energy;
  const match = id ? /^(energy_insights:[a-z0-9_]+?)_(?:paid_energy|free_energy)$/.exec(id) : null;
  return match ? `${match[1]}_emissions` : undefined;
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
