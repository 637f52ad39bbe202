/**
 * Learned device energy as HA statistics: `energy_insights:device_<entity>_energy` (kWh, has_sum,
 * continuous sums through the publisher), and, only when asked, the Energy dashboard's
 * "individual devices" entries for them.
 */
import type { HourlyEnergy } from "../correlate/engine.js";
import { roundTo, type ComposedRow } from "./compose.js";
import type { Store } from "../store/store.js";
import { sendCommand, type Connection } from "../ha/connection.js";
import { currentUser, getPrefs } from "../ha/energy.js";
import type { StatisticDescription } from "../ha/metadata.js";
import { publishStatistic, type PublishOptions, type PublishResult } from "../ha/publisher.js";
import { deviceSeriesKey, STATISTICS_SOURCE, statisticId } from "./ids.js";

const HOUR_MS = 3600_000;

export function deviceStatistic(entityId: string, name: string): StatisticDescription {
  return {
    statisticId: statisticId(deviceSeriesKey(entityId)),
    source: STATISTICS_SOURCE,
    name: `${name} (learned)`,
    unit: "kWh",
    unitClass: "energy",
    hasSum: true,
    hasMean: false,
  };
}

/**
 * Hourly rows per entity (all of its power states together), from its first hour with energy to
 * the last hour before `to` (ms), hours without energy as 0 so the sums carry on through them.
 */
export function deviceRows(hourly: readonly HourlyEnergy[], to: number): Map<string, ComposedRow[]> {
  const byEntity = new Map<string, Map<number, number>>();
  for (const h of hourly) {
    let hours = byEntity.get(h.entityId);
    if (!hours) byEntity.set(h.entityId, (hours = new Map()));
    hours.set(h.hourStart, (hours.get(h.hourStart) ?? 0) + h.kwh);
  }
  const lastHour = Math.ceil(to / HOUR_MS) * HOUR_MS;
  const out = new Map<string, ComposedRow[]>();
  for (const [entityId, hours] of [...byEntity].sort(([a], [b]) => a.localeCompare(b))) {
    const first = Math.min(...hours.keys());
    const rows: ComposedRow[] = [];
    for (let h = first; h < lastHour; h += HOUR_MS) rows.push({ start: h / 1000, end: h / 1000 + 3600, value: roundTo(hours.get(h) ?? 0) });
    out.set(entityId, rows);
  }
  return out;
}

/** Publishes each entity's rows with the statistics publisher (continuous sums, read back). */
export async function publishDeviceStatistics(
  conn: Connection,
  store: Store,
  rows: ReadonlyMap<string, readonly ComposedRow[]>,
  names: (entityId: string) => string,
  opts: PublishOptions = {},
): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const [entityId, composed] of rows) {
    results.push(await publishStatistic(conn, store, deviceSeriesKey(entityId), deviceStatistic(entityId, names(entityId)), composed, opts));
  }
  return results;
}

/**
 * Adds the statistics to the Energy prefs' `device_consumption`, keeping every entry the user has.
 * Only for an administrator (HA refuses `energy/save_prefs` otherwise); returns the ids added.
 */
export async function addDevicesToEnergyPrefs(conn: Connection, statisticIds: readonly string[]): Promise<string[]> {
  const user = await currentUser(conn);
  if (!user.is_admin) throw new Error(`the Home Assistant user "${user.name}" is not an administrator, so devices cannot be added to the Energy dashboard`);
  const prefs = await getPrefs(conn);
  const existing = (prefs?.device_consumption ?? []) as { stat_consumption?: unknown }[];
  const have = new Set(existing.map((d) => d.stat_consumption));
  const added = statisticIds.filter((id) => !have.has(id));
  if (added.length === 0) return [];
  await sendCommand(conn, { type: "energy/save_prefs", device_consumption: [...existing, ...added.map((id) => ({ stat_consumption: id }))] });
  return added;
}
