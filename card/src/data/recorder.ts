/**
 * Home Assistant's recorder websocket API, one typed function per command (as home-assistant/frontend
 * src/data/recorder.ts does). Components never build websocket messages themselves.
 */
import type { HomeAssistant } from "../ha-types.js";

export type StatisticPeriod = "5minute" | "hour" | "day" | "week" | "month";
export type StatisticType = "change" | "last_reset" | "max" | "mean" | "min" | "state" | "sum";

/** One row of `recorder/statistics_during_period`; `start`/`end` are epoch ms. Only the requested types are present. */
export interface StatisticValue {
  start: number;
  end: number;
  change?: number | null;
  last_reset?: number | null;
  max?: number | null;
  mean?: number | null;
  min?: number | null;
  sum?: number | null;
  state?: number | null;
}

/** Rows per statistic id; ids with no rows in the range are absent. */
export type Statistics = Record<string, StatisticValue[]>;

export interface StatisticsUnitConfiguration {
  energy?: "Wh" | "kWh" | "MWh" | "GJ";
  [unitClass: string]: string | undefined;
}

/** `recorder/list_statistic_ids` and `recorder/get_statistics_metadata` rows (fields vary by HA version). */
export interface StatisticsMetaData {
  statistic_id: string;
  source: string;
  name?: string | null;
  statistics_unit_of_measurement?: string | null;
  display_unit_of_measurement?: string | null;
  unit_class?: string | null;
  has_sum?: boolean;
  has_mean?: boolean;
  mean_type?: number;
}

export function fetchStatistics(
  hass: HomeAssistant,
  start: Date,
  end: Date | undefined,
  statisticIds: string[],
  period: StatisticPeriod,
  units?: StatisticsUnitConfiguration,
  types?: StatisticType[],
): Promise<Statistics> {
  return hass.callWS<Statistics>({
    type: "recorder/statistics_during_period",
    start_time: start.toISOString(),
    ...(end ? { end_time: end.toISOString() } : {}),
    statistic_ids: statisticIds,
    period,
    ...(units ? { units } : {}),
    ...(types ? { types } : {}),
  });
}

export function listStatisticIds(hass: HomeAssistant, statisticType?: "sum" | "mean"): Promise<StatisticsMetaData[]> {
  return hass.callWS<StatisticsMetaData[]>({
    type: "recorder/list_statistic_ids",
    ...(statisticType ? { statistic_type: statisticType } : {}),
  });
}

export function getStatisticsMetadata(hass: HomeAssistant, statisticIds?: string[]): Promise<StatisticsMetaData[]> {
  return hass.callWS<StatisticsMetaData[]>({
    type: "recorder/get_statistics_metadata",
    ...(statisticIds ? { statistic_ids: statisticIds } : {}),
  });
}
