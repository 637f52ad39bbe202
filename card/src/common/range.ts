/**
 * The time range each view shows, moved by whole periods with previous/next.
 *
 * Hourly: the last N days of the display zone (the zone the user chose for times). Daily and monthly:
 * the last N days or months of the server's zone, because that is where HA cuts its day and month
 * statistics; asking from another zone's midnight would give partial first and last buckets.
 */
import type { View } from "../const.js";
import type { StatisticPeriod } from "../data/recorder.js";
import { addDays, addMonths, civilDateOf, zonedInstant } from "./time.js";

export interface ViewRange {
  view: View;
  period: StatisticPeriod;
  /** Inclusive start and exclusive end, epoch ms. */
  start: number;
  end: number;
  /** The zone the boundaries are midnights of. */
  timeZone: string;
}

export const PERIOD_OF: Record<View, StatisticPeriod> = { hourly: "hour", daily: "day", monthly: "month" };

/**
 * @param span  days (hourly, daily) or months (monthly) shown at once
 * @param offset 0 for the range ending with the current day/month, 1 for the one before, …
 */
export function viewRange(view: View, span: number, offset: number, now: number, displayZone: string, serverZone: string): ViewRange {
  const timeZone = view === "hourly" ? displayZone : serverZone;
  const today = civilDateOf(now, timeZone);
  if (view === "monthly") {
    const endMonth = addMonths(today, 1 - offset * span);
    const startMonth = addMonths(endMonth, -span);
    return { view, period: "month", start: zonedInstant(startMonth, timeZone), end: zonedInstant(endMonth, timeZone), timeZone };
  }
  const endDay = addDays(today, 1 - offset * span);
  const startDay = addDays(endDay, -span);
  return { view, period: PERIOD_OF[view], start: zonedInstant(startDay, timeZone), end: zonedInstant(endDay, timeZone), timeZone };
}
