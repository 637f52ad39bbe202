import type { ComposedRow } from "../../server/src/statistics/compose.js";

/** Hourly usage rows (what `emissionsOfPeriods` costs) from kWh by hour start, epoch s. */
export function hourlyUsage(kwhByHour: ReadonlyMap<number, number>): ComposedRow[] {
  return [...kwhByHour].sort(([a], [b]) => a - b).map(([start, value]) => ({ start, end: start + 3600, value }));
}
