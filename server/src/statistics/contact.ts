/**
 * Contact Energy's statistics: per contract (ICP) `energy_insights:contact_<icp>_paid_energy`,
 * `_free_energy` (kWh) and `_paid_cost` (the account's currency), continuous sums, each period at
 * the finest resolution the store has (`composeHourly`). Pure: publishing is the Contact source's.
 */
import type { Store } from "../store/store.js";
import { composeHourly, type StatisticRows } from "./compose.js";
import { PROVIDER, seriesKey, statisticId, STATISTICS_SOURCE, type SeriesStatistic } from "./ids.js";

/** The three statistics of one Contact contract: paid and free kWh, and the paid cost. */
export function contactStatistics(icp: string, currency: string): SeriesStatistic[] {
  const describe = (kind: "paid_energy" | "free_energy" | "paid_cost", name: string, unit: string, unitClass: "energy" | null): SeriesStatistic => {
    const series = seriesKey(PROVIDER.contact, icp, kind);
    return { series, stat: { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Contact Energy ${icp} ${name}`, unit, unitClass, hasSum: true, hasMean: false } };
  };
  return [describe("paid_energy", "paid energy", "kWh", "energy"), describe("free_energy", "free energy", "kWh", "energy"), describe("paid_cost", "paid cost", currency, null)];
}

/** A contract's statistics with their rows, composed from the store's readings. */
export function contactStatisticRows(store: Store, icp: string, opts: { zone: string; currency: string }): StatisticRows[] {
  return contactStatistics(icp, opts.currency).map(({ series, stat }) => ({
    series,
    stat,
    rows: composeHourly({ hour: store.readings(series, "hour"), day: store.readings(series, "day"), month: store.readings(series, "month") }, opts.zone),
  }));
}
