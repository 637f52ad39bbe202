/**
 * Pure: Home Assistant's statistics rows → one bucket per period, and the totals of a range.
 *
 * Buckets are exactly the rows HA returns (their `start`/`end`, cut by HA in the server's zone);
 * nothing here computes a boundary. A bucket exists when any of the statistics has a row for it.
 */
import type { Kind } from "../const.js";
import type { Statistics, StatisticValue } from "../data/recorder.js";
import type { PeriodTotal } from "./totals.js";

export interface Bucket {
  start: number;
  end: number;
  free: number;
  paid: number;
  /** From the cost statistic for this very bucket; null where it has no row (never price × energy). */
  cost: number | null;
  /**
   * Set on the slots of a day (hourly view) or month (daily view) that HA only holds as a total: the
   * slots have no energy of their own and are drawn as one band (chart/totals.ts).
   */
  total?: PeriodTotal;
}

export interface Totals {
  free: number;
  paid: number;
  total: number;
  /** null when no cost statistic row falls in the range. */
  cost: number | null;
  /** free / (free + paid); null when nothing was used. */
  freeShare: number | null;
  /** cost / paid kWh over the range; null without cost or paid energy. */
  averagePaidPrice: number | null;
  /** free kWh × average paid price: what the free hours would have cost. */
  freeSaved: number | null;
  buckets: number;
}

function rowsOf(stats: Statistics, id: string | undefined): StatisticValue[] {
  return (id && stats[id]) || [];
}

export function toBuckets(stats: Statistics, ids: Partial<Record<Kind, string>>): Bucket[] {
  const byStart = new Map<number, Bucket>();
  const bucket = (row: StatisticValue): Bucket => {
    let b = byStart.get(row.start);
    if (!b) {
      b = { start: row.start, end: row.end, free: 0, paid: 0, cost: null };
      byStart.set(row.start, b);
    }
    return b;
  };
  for (const row of rowsOf(stats, ids.free_energy)) bucket(row).free += row.change ?? 0;
  for (const row of rowsOf(stats, ids.paid_energy)) bucket(row).paid += row.change ?? 0;
  for (const row of rowsOf(stats, ids.paid_cost)) {
    const b = bucket(row);
    if (row.change !== null && row.change !== undefined) b.cost = (b.cost ?? 0) + row.change;
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Several accounts' buckets added up bucket by bucket (HA cut them all the same way). */
export function sumBuckets(lists: Bucket[][]): Bucket[] {
  if (lists.length === 1) return lists[0] as Bucket[];
  const byStart = new Map<number, Bucket>();
  for (const list of lists) {
    for (const b of list) {
      const sum = byStart.get(b.start);
      if (!sum) byStart.set(b.start, { ...b });
      else {
        sum.free += b.free;
        sum.paid += b.paid;
        if (b.cost !== null) sum.cost = (sum.cost ?? 0) + b.cost;
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

export function totalsOf(buckets: Bucket[]): Totals {
  let free = 0;
  let paid = 0;
  let cost: number | null = null;
  for (const b of buckets) {
    free += b.free;
    paid += b.paid;
    if (b.cost !== null) cost = (cost ?? 0) + b.cost;
  }
  const total = free + paid;
  const averagePaidPrice = cost !== null && paid > 0 ? cost / paid : null;
  return {
    free,
    paid,
    total,
    cost,
    freeShare: total > 0 ? free / total : null,
    averagePaidPrice,
    freeSaved: averagePaidPrice !== null ? free * averagePaidPrice : null,
    buckets: buckets.length,
  };
}
