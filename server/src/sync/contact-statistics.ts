import type { Logger } from "pino";
import type { Connection } from "../ha/connection.js";
import type { SeriesStatistic } from "../statistics/ids.js";
import { publishStatistic, type PublishOptions, type PublishResult } from "../ha/publisher.js";
import { seriesKey, statisticId, STATISTICS_SOURCE } from "../statistics/ids.js";
import { composeHourly } from "../statistics/compose.js";
import type { Store } from "../store/store.js";
import { CONTACT } from "./contact-job.js";

/** The three statistics of one Contact contract: paid and free kWh, and the paid cost. */
export function contactStatistics(icp: string, currency: string): SeriesStatistic[] {
  const describe = (kind: "paid_energy" | "free_energy" | "paid_cost", name: string, unit: string, unitClass: "energy" | null): SeriesStatistic => {
    const series = seriesKey(CONTACT, icp, kind);
    return { series, stat: { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Contact Energy ${icp} ${name}`, unit, unitClass, hasSum: true, hasMean: false } };
  };
  return [describe("paid_energy", "paid energy", "kWh", "energy"), describe("free_energy", "free energy", "kWh", "energy"), describe("paid_cost", "paid cost", currency, null)];
}

/** Composes each statistic from the store at its finest resolution and brings HA in line. */
export async function publishContract(conn: Connection, store: Store, icp: string, opts: { zone: string; currency: string; log?: Logger; publish?: PublishOptions }): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const { series, stat } of contactStatistics(icp, opts.currency)) {
    const composed = composeHourly({ hour: store.readings(series, "hour"), day: store.readings(series, "day"), month: store.readings(series, "month") }, opts.zone);
    const res = await publishStatistic(conn, store, series, stat, composed, { ...opts.publish, ...(opts.log ? { log: opts.log } : {}) });
    if (res.rowsSent > 0) opts.log?.info({ statistic: stat.statisticId, rows: res.rowsSent }, "published statistics");
    results.push(res);
  }
  return results;
}
