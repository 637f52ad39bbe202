/**
 * Learned device energy as HA statistics: `energy_insights:device_<entity>_energy` (kWh, has_sum,
 * continuous sums through the publisher). Publishing them and adding them to the Energy dashboard
 * is the collector's (`sync/power-collector.ts`, `ha/energy.ts`).
 */
import type { HourlyEnergy } from "../correlate/engine.js";
import { roundTo, type ComposedRow } from "./compose.js";
import { deviceSeriesKey, STATISTICS_SOURCE, statisticId, type StatisticDescription } from "./ids.js";

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
