/**
 * Brings HA in line with what a provider's statistics module made of the store: each statistic
 * through the publisher (sums continuous, chunked, confirmed), one after the other, in order. A
 * failure throws; the caller reports it and the next check tries again.
 */
import type { Logger } from "pino";
import type { Connection } from "../ha/connection.js";
import { publishMeanStatistic, publishStatistic, type PublishOptions, type PublishResult } from "../ha/publisher.js";
import type { StatisticRows } from "../statistics/compose.js";
import type { Store } from "../store/store.js";

export async function publishStatistics(conn: Connection, store: Store, statistics: readonly StatisticRows[], opts: { log?: Logger; publish?: PublishOptions } = {}): Promise<PublishResult[]> {
  const publish = { ...opts.publish, ...(opts.log ? { log: opts.log } : {}) };
  const results: PublishResult[] = [];
  for (const s of statistics) {
    const res = "means" in s ? await publishMeanStatistic(conn, store, s.series, s.stat, s.means, publish) : await publishStatistic(conn, store, s.series, s.stat, s.rows, publish);
    if (res.rowsSent > 0) opts.log?.info({ statistic: s.stat.statisticId, rows: res.rowsSent }, "published statistics");
    results.push(res);
  }
  return results;
}
