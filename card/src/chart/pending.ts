/**
 * Pure: the part of the shown range whose data is not in Home Assistant yet. Providers publish late
 * (Contact 1–3 days), so the last rows often end before the range does. The axis still spans the whole
 * range: empty slots follow the last bucket up to the range's end (hours; or the zone's days or months,
 * from its own calendar), and the slots between the last data and now are "not in yet".
 */
import type { ViewRange } from "../common/range.js";
import { addDays, addMonths, civilDateOf, zonedInstant } from "../common/time.js";
import type { Bucket } from "./buckets.js";

const HOUR = 3_600_000;

export interface PendingSlots {
  /** Index of the first slot after the last data, and how many slots up to now are waiting for data. */
  first: number;
  count: number;
  /**
   * The last bucket with data, start and exclusive end: the range's last one, or for a range without
   * data yet the provider's last hour before it. The note names it by its start.
   */
  lastDataStart: number;
  lastDataEnd: number;
}

/** The provider's last hour with data before the range, for a range that has none yet. */
export interface LastDataBefore {
  start: number;
  end: number;
}

function nextStart(start: number, range: ViewRange): number {
  if (range.view === "hourly") return start + HOUR;
  const day = civilDateOf(start, range.timeZone);
  return zonedInstant(range.view === "daily" ? addDays(day, 1) : addMonths({ ...day, day: 1 }, 1), range.timeZone);
}

/**
 * The buckets with empty slots from the last one to the range's end, and which slots are waiting for
 * data (from the last data up to `now`); no pending slots when the data reaches now or the range's end.
 * A range without any data is "not in yet" from its start only when the provider's last data is known
 * (`before`, the last hour before the range); without it the range is simply empty.
 */
export function withPendingSlots(buckets: readonly Bucket[], range: ViewRange, now: number, before?: LastDataBefore): { buckets: Bucket[]; pending?: PendingSlots } {
  const last = buckets.at(-1) ?? before;
  if (!last) return { buckets: [] };
  const out = [...buckets];
  let start = buckets.at(-1)?.end ?? range.start;
  while (start < range.end) {
    const end = Math.min(nextStart(start, range), range.end);
    out.push({ start, end, free: 0, paid: 0, cost: null });
    start = end;
  }
  const first = buckets.length;
  let count = 0;
  while (first + count < out.length && (out[first + count] as Bucket).start < now) count += 1;
  if (count === 0) return { buckets: out };
  return { buckets: out, pending: { first, count, lastDataStart: last.start, lastDataEnd: last.end } };
}
