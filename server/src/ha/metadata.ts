import type { StatisticDescription } from "../statistics/ids.js";
import { atLeast, type HaVersion } from "./version.js";

export type { StatisticDescription } from "../statistics/ids.js";

/** The `metadata` object of `recorder/import_statistics`, in the shape a given HA accepts. */
export type ImportMetadata = {
  has_sum: boolean;
  name: string;
  source: string;
  statistic_id: string;
  unit_of_measurement: string;
  has_mean?: boolean;
  mean_type?: 0 | 1;
  unit_class?: string | null;
};

/**
 * HA's command schema rejects keys it does not know, so one payload cannot fit every version:
 * - up to 2025.3: `has_mean` (mean_type and unit_class are unknown keys);
 * - 2025.4 to 2025.10: `mean_type` (0 none, 1 arithmetic), has_mean optional, unit_class unknown;
 * - from 2025.11: `mean_type` and `unit_class`, no `has_mean` (deprecated, gone in 2026.11).
 */
export function importMetadata(stat: StatisticDescription, ha: HaVersion): ImportMetadata {
  const base = {
    has_sum: stat.hasSum,
    name: stat.name,
    source: stat.source,
    statistic_id: stat.statisticId,
    unit_of_measurement: stat.unit,
  };
  if (!atLeast(ha, 2025, 4)) return { ...base, has_mean: stat.hasMean };
  const meanType = stat.hasMean ? 1 : 0;
  if (!atLeast(ha, 2025, 11)) return { ...base, mean_type: meanType };
  return { ...base, mean_type: meanType, unit_class: stat.unitClass };
}
