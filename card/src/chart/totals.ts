/**
 * Pure: periods that Home Assistant only holds as a total, found and spread over the time they cover.
 *
 * Where the provider only has a day (or month) total, the backend imports it in the first hour of the
 * local day (or of the month's first day it has nothing finer for), as HA's opower does; HA's hourly
 * answer then shows one hour holding a whole day, and its daily answer one day holding a month. Drawn
 * as it comes, that is a column up to ~24× an hour's, and the y axis rescales to it. Here such a
 * bucket becomes one slot per hour (or day) of the period it covers, each without a column, and all
 * carrying the total; the chart draws them as one band labelled as a total, outside the y scale.
 *
 * Which bucket is a total:
 * - with the backend's status (`finerFrom`: the first instant its finer series covers), a bucket
 *   before it whose period has no other row;
 * - otherwise from the shape of the rows:
 *   hourly view: a local day whose only row is in its first hour, and which is over;
 *   daily view: a day followed by days of its month without a row and then by a later row (the total
 *   covers it and them, up to that row or the month's end), and that span is over; or, with no later
 *   row in the range, a month's 1st whose whole month is over and inside the range. A day with a row
 *   of its own right after it is never a total.
 * Days and months are the zone's own (where the backend cut them: HA's server zone); hours are hours.
 */
import type { View } from "../const.js";
import { addDays, addMonths, civilDateOf, zonedInstant, zonedParts } from "../common/time.js";
import type { Bucket } from "./buckets.js";

const HOUR = 3_600_000;

export type TotalKind = "day" | "month";

/** A period HA holds as one total: the buckets it is spread over all point at it. */
export interface PeriodTotal {
  kind: TotalKind;
  start: number;
  /** Exclusive. */
  end: number;
  free: number;
  paid: number;
  cost: number | null;
}

export interface TotalsContext {
  now: number;
  /** Exclusive end of the range shown: a total is never spread past it (what follows is not known). */
  rangeEnd: number;
  /** Where the backend's status says its hourly (hourly view) or daily (daily view) series starts. */
  finerFrom?: number | undefined;
}

export interface FoundTotal {
  index: number;
  kind: TotalKind;
  /** Exclusive end of the period the bucket's total covers. */
  end: number;
}

function dayEnd(ms: number, zone: string): number {
  return zonedInstant(addDays(civilDateOf(ms, zone), 1), zone);
}

function monthEnd(ms: number, zone: string): number {
  return zonedInstant(addMonths(civilDateOf(ms, zone), 1), zone);
}

/**
 * The buckets of `view` that hold a coarser total (see the module comment for the rules).
 */
export function findTotals(buckets: readonly Bucket[], view: View, zone: string, when: TotalsContext): FoundTotal[] {
  const { now, rangeEnd, finerFrom } = when;
  const out: FoundTotal[] = [];
  if (view === "monthly") return out;
  buckets.forEach((b, i) => {
    const next = buckets[i + 1];
    if (view === "hourly") {
      const p = zonedParts(b.start, zone);
      if (p.hour !== 0 || p.minute !== 0) return;
      const end = Math.min(dayEnd(b.start, zone), rangeEnd);
      // A total only when it is the day's only row.
      if (next && next.start < end) return;
      if (end <= b.end) return;
      const isTotal = finerFrom !== undefined ? b.start < finerFrom : end <= now;
      if (isTotal) out.push({ index: i, kind: "day", end });
      return;
    }
    // Daily view: the total covers the days after it that have no row, up to the next row or the month's end.
    const end = Math.min(monthEnd(b.start, zone), next?.start ?? rangeEnd);
    if (end <= b.end) return;
    // Without a later row, only a whole month's total (on its 1st, the month inside the range) is one:
    // the latest days of data are followed by nothing because the provider is late, not because of a total.
    if (!next && finerFrom === undefined && (zonedParts(b.start, zone).day !== 1 || end !== monthEnd(b.start, zone))) return;
    const isTotal = finerFrom !== undefined ? b.start < finerFrom : end <= now;
    if (isTotal) out.push({ index: i, kind: "month", end });
  });
  return out;
}

/** The slots (hours or days of `zone`) from `start` to `end`. */
function slots(kind: TotalKind, start: number, end: number, zone: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  if (kind === "day") {
    for (let t = start; t < end; t += HOUR) out.push({ start: t, end: Math.min(t + HOUR, end) });
    return out;
  }
  for (let t = start; t < end; ) {
    const next = Math.min(dayEnd(t, zone), end);
    out.push({ start: t, end: next });
    t = next;
  }
  return out;
}

/**
 * `buckets` with every total found replaced by slots over its period: no energy of their own, each
 * carrying the total (so tooltips and the band can name it). Totals of the range are not changed by
 * this: compute them from the buckets before.
 */
export function spreadTotals(buckets: readonly Bucket[], view: View, zone: string, when: TotalsContext): Bucket[] {
  const found = findTotals(buckets, view, zone, when);
  if (!found.length) return [...buckets];
  const byIndex = new Map(found.map((f) => [f.index, f]));
  const out: Bucket[] = [];
  buckets.forEach((b, i) => {
    const f = byIndex.get(i);
    if (!f) {
      out.push(b);
      return;
    }
    const total: PeriodTotal = { kind: f.kind, start: b.start, end: f.end, free: b.free, paid: b.paid, cost: b.cost };
    for (const s of slots(f.kind, b.start, f.end, zone)) out.push({ start: s.start, end: s.end, free: 0, paid: 0, cost: null, total });
  });
  return out;
}

/** Runs of neighbouring slots that share one total: [first index, last index, total]. */
export function totalRuns(buckets: readonly Bucket[]): { first: number; last: number; total: PeriodTotal }[] {
  const out: { first: number; last: number; total: PeriodTotal }[] = [];
  buckets.forEach((b, i) => {
    if (!b.total) return;
    const run = out[out.length - 1];
    if (run && run.total === b.total && run.last === i - 1) run.last = i;
    else out.push({ first: i, last: i, total: b.total });
  });
  return out;
}
