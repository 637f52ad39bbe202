/**
 * Finding the learned devices' energy statistics in Home Assistant: `energy_insights:device_<entity>_energy`
 * (source `energy_insights`, has_sum), which the backend imports once it has learned a device. Only
 * HA's statistics are read, so the by-device view works without the backend API.
 */
import { STATISTICS_SOURCE } from "../const.js";
import type { HomeAssistant } from "../ha-types.js";
import type { DeviceStatistic } from "../chart/devices.js";
import { deviceSlugOf, slug } from "../../../server/src/statistics/ids.js";
import type { StatisticsMetaData } from "./recorder.js";

/**
 * Pure: the device statistics among HA's statistic metadata, sorted by id. Named by the entity's
 * friendly name where an entity's slug matches the id (the backend slugs `switch.kettle` to
 * `switch_kettle`), else by the statistic's own name, else by the id's entity part.
 */
export function findDeviceStatistics(rows: readonly StatisticsMetaData[], states?: HomeAssistant["states"]): DeviceStatistic[] {
  const found = rows
    .filter((row) => row.source === STATISTICS_SOURCE && deviceSlugOf(row.statistic_id) !== null && row.has_sum !== false)
    .sort((a, b) => a.statistic_id.localeCompare(b.statistic_id));
  if (!found.length) return [];
  const friendly = new Map<string, string>();
  for (const [entityId, state] of Object.entries(states ?? {})) {
    const name = state?.attributes?.friendly_name;
    if (typeof name === "string" && name) friendly.set(slug(entityId), name);
  }
  return found.map((row) => {
    const entitySlug = deviceSlugOf(row.statistic_id) as string;
    return { statisticId: row.statistic_id, name: friendly.get(entitySlug) ?? (row.name || entitySlug) };
  });
}
