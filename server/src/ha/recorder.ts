import { sendCommand, type Connection } from "./connection.js";
import type { ImportMetadata } from "./metadata.js";

/** Plain typed wrappers of HA's recorder websocket API (one function per command). */

export interface ImportRow {
  /** ISO 8601 with offset, on the hour. */
  start: string;
  state?: number;
  sum?: number;
  mean?: number;
  min?: number;
  max?: number;
}

export function importStatistics(conn: Connection, metadata: ImportMetadata, stats: ImportRow[]): Promise<null> {
  return sendCommand<null>(conn, { type: "recorder/import_statistics", metadata, stats });
}

export type StatisticType = "change" | "last_reset" | "max" | "mean" | "min" | "state" | "sum";
export type StatisticsPeriod = "5minute" | "hour" | "day" | "week" | "month";

export interface StatisticValue {
  /** Epoch milliseconds. */
  start: number;
  end: number;
  change?: number | null;
  state?: number | null;
  sum?: number | null;
  mean?: number | null;
  min?: number | null;
  max?: number | null;
}

export function statisticsDuringPeriod(
  conn: Connection,
  req: { startTime: Date; endTime?: Date; statisticIds: string[]; period: StatisticsPeriod; types?: StatisticType[]; units?: Record<string, string> },
): Promise<Record<string, StatisticValue[]>> {
  return sendCommand(conn, {
    type: "recorder/statistics_during_period",
    start_time: req.startTime.toISOString(),
    ...(req.endTime ? { end_time: req.endTime.toISOString() } : {}),
    statistic_ids: req.statisticIds,
    period: req.period,
    ...(req.types ? { types: req.types } : {}),
    ...(req.units ? { units: req.units } : {}),
  });
}

export interface StatisticMetadata {
  statistic_id: string;
  source: string;
  name: string | null;
  has_sum: boolean;
  statistics_unit_of_measurement: string | null;
  unit_class?: string | null;
}

export function getStatisticsMetadata(conn: Connection, statisticIds?: string[]): Promise<StatisticMetadata[]> {
  return sendCommand(conn, { type: "recorder/get_statistics_metadata", ...(statisticIds ? { statistic_ids: statisticIds } : {}) });
}

export function clearStatistics(conn: Connection, statisticIds: string[]): Promise<null> {
  return sendCommand(conn, { type: "recorder/clear_statistics", statistic_ids: statisticIds });
}
