import type { PublishedRow } from "../store/rows.js";
import { roundTo, type ComposedRow } from "./compose.js";

export type { PublishedRow };

export interface PublishPlan {
  /** Rows to import, in order, each with its continued running sum. Empty when HA is up to date. */
  rows: PublishedRow[];
  /** Start of the first row that differs from what HA has (undefined when nothing does). */
  firstChanged: number | undefined;
}

const SAME = 1e-6;
/** Totals that differ by less than this (plus 0.5 Wh a row) are the same day seen at two resolutions, rounded. */
const REVISION_TOLERANCE = 0.005;

/**
 * What must be sent so that HA's rows equal `composed`, with continuous sums.
 *
 * - Everything from the first hour that differs from `published` is re-sent, its sum continuing
 *   from the published sum of the row before it (`seedSum` when that is before `published[0]`);
 *   earlier rows are never touched.
 * - Nothing is ever coarsened: where a composed period (a day or month total) contains published
 *   rows at other hours (HA already has finer data, e.g. after the store was rebuilt with less
 *   history), HA's rows are kept for that period, and what the period's total adds to them (its
 *   remainder) goes into the period's first hour that HA has no row for, so HA's day and month
 *   totals equal the provider's. Published rows outside every composed period are kept as they are.
 */
export function planPublish(composed: readonly ComposedRow[], published: readonly PublishedRow[], seedSum = 0): PublishPlan {
  const target = keepFinerPublished(composed, published);
  let i = 0;
  while (i < target.length && i < published.length && target[i]!.start === published[i]!.start && Math.abs(target[i]!.value - published[i]!.value) <= SAME) i += 1;
  if (i === target.length) return { rows: [], firstChanged: undefined };

  let sum = i > 0 ? published[i - 1]!.sum : seedSum;
  const rows: PublishedRow[] = [];
  for (let j = i; j < target.length; j += 1) {
    const r = target[j]!;
    sum = roundTo(sum + r.value);
    rows.push({ start: r.start, value: r.value, sum });
  }
  return { rows, firstChanged: target[i]!.start };
}

function keepFinerPublished(composed: readonly ComposedRow[], published: readonly PublishedRow[]): { start: number; value: number }[] {
  if (published.length === 0) return composed.map(({ start, value }) => ({ start, value }));
  const out: { start: number; value: number }[] = [];
  let p = 0;
  for (const row of composed) {
    // Published rows before this period and outside any composed period stay.
    while (p < published.length && published[p]!.start < row.start) out.push(published[p++]!);
    const inside: PublishedRow[] = [];
    while (p < published.length && published[p]!.start < row.end) inside.push(published[p++]!);
    const finerInHa = row.end - row.start > 3600 && inside.some((r) => r.start !== row.start);
    if (finerInHa) out.push(...withRemainder(row, inside));
    else out.push({ start: row.start, value: row.value });
  }
  while (p < published.length) out.push(published[p++]!);
  return out;
}

/**
 * HA's finer rows inside a coarse period, and the period's total less their sum in the first hour
 * of the period that has no row; where every hour has a row, the last one takes it. When HA's rows
 * add up to more than the total (a revision down that the backend never saw in detail, e.g. before
 * an outage that lost its cache), the period is drawn as its total instead: its first hour takes the
 * total and HA's other rows of the period become 0, since a negative bar is never drawn. Rounding
 * noise below the planner's revision threshold changes nothing.
 */
function withRemainder(period: ComposedRow, inside: readonly PublishedRow[]): { start: number; value: number }[] {
  const out: { start: number; value: number }[] = inside.map(({ start, value }) => ({ start, value }));
  const remainder = roundTo(period.value - inside.reduce((sum, r) => sum + r.value, 0));
  if (remainder < -(REVISION_TOLERANCE + 0.0005 * inside.length)) {
    return [{ start: period.start, value: period.value }, ...inside.filter((r) => r.start !== period.start).map((r) => ({ start: r.start, value: 0 }))];
  }
  if (remainder <= SAME) return out;
  const taken = new Set(inside.map((r) => r.start));
  let at = period.start;
  while (at < period.end && taken.has(at)) at += 3600;
  if (at >= period.end) {
    out[out.length - 1] = { start: out.at(-1)!.start, value: roundTo(out.at(-1)!.value + remainder) };
    return out;
  }
  out.push({ start: at, value: remainder });
  return out.sort((a, b) => a.start - b.start);
}
