/**
 * The bill of the current period: what it holds so far and what it will come to. Pure (no store,
 * no clock): dates are local calendar days (YYYY-MM-DD) in the account's zone, so DST days are
 * days like any other, and "now" is an argument.
 *
 * It runs in the backend, not the card: the backend holds every day's cost of the period in its
 * store whatever the card shows (an hourly view of 9 days does not cover a month's bill), knows
 * the configured daily charge and the bill dates, and sends the result in `status`; the card
 * only words it (card/src/common/bill.ts).
 *
 * Definitions:
 * - the period is [start, end): from the bill that opened it up to the day before the next bill;
 * - "so far" runs to the last day of the period with data (Contact publishes 1–3 days late):
 *   the usage cost of those days with data plus the daily charge for every day up to it;
 * - the daily average is the usage cost of the most recent days with data (up to 7, from the
 *   4 weeks before today, the previous period's included when this one has just started);
 * - projected = usage so far + average × each day of the period without data + the daily charge
 *   for every day of the period.
 */
import { DateTime } from "luxon";
import type { Reading } from "../store/rows.js";
import { addDays, hoursInDay, localDay } from "../time/local.js";

export interface BillPeriod {
  /** First day of the period (the last bill date). */
  start: string;
  /** The next bill date: the period's exclusive end. */
  end: string;
  /** True when `start` was derived from `end` and the billing frequency rather than seen. */
  derivedStart: boolean;
}

export interface BillProjectionInput {
  period: Pick<BillPeriod, "start" | "end">;
  /** Usage cost of each local day with complete data (days outside the period feed the average only). */
  dailyCosts: ReadonlyMap<string, number>;
  /** Fixed charge per day, all contracts of the bill together; 0 when not configured. */
  dailyFixedCharge: number;
  /** Epoch ms. */
  now: number;
  zone: string;
  /** How many recent days with data make the daily average (default 7). */
  averageDays?: number;
}

export interface BillProjection {
  start: string;
  end: string;
  /** Days in the period. */
  periodDays: number;
  /** Whole days from today to the next bill date (0 on the day itself). */
  daysToNextBill: number;
  /** The last day of the period with data; null when none has any yet. */
  dataUntil: string | null;
  daysWithData: number;
  /** Usage cost of the period's days with data. */
  usageSoFar: number;
  /** Usage so far plus the daily charge for every day up to `dataUntil`. */
  soFar: number;
  /** Average usage cost per day; null without any recent day with data. */
  dailyAverage: number | null;
  /** Null when there is no daily average to project with. */
  projected: number | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RECENT_WINDOW_DAYS = 28;

/** Calendar days from `a` to `b` (b − a), in UTC so that no DST day is 23 or 25 hours. */
export function daysFrom(a: string, b: string): number {
  return Math.round(DateTime.fromISO(b, { zone: "utc" }).diff(DateTime.fromISO(a, { zone: "utc" }), "days").days);
}

const plusDays = addDays;

/** Today in `zone`, as YYYY-MM-DD. */
export function localToday(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).toISODate() ?? "";
}

/** How far one bill is from the next, read from Contact's `billingFrequency` ("Monthly" in every capture; a month when unknown). */
export function billingStep(frequency: string | undefined): { months: number } | { days: number } {
  const f = (frequency ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
  if (f.includes("fortnight")) return { days: 14 };
  if (f.includes("week")) return { days: 7 };
  if (f.includes("quarter") || f.includes("3month") || f.includes("threemonth")) return { months: 3 };
  if (f.includes("bimonth") || f.includes("2month") || f.includes("twomonth")) return { months: 2 };
  return { months: 1 };
}

/**
 * The period today falls in, from what the account says: its next bill date and, when seen, the
 * bill date before it (else one billing step before the next). A next bill date already past
 * (facts not read again since) is rolled forward by billing steps. Null without a next bill date.
 */
export function currentBillPeriod(facts: { nextBillDate?: string | undefined; lastBillDate?: string | undefined; billingFrequency?: string | undefined }, today: string): BillPeriod | null {
  if (!facts.nextBillDate || !DAY.test(facts.nextBillDate) || !DAY.test(today)) return null;
  const step = billingStep(facts.billingFrequency);
  const back = (d: string) => DateTime.fromISO(d, { zone: "utc" }).minus(step).toISODate() ?? d;
  const forward = (d: string) => DateTime.fromISO(d, { zone: "utc" }).plus(step).toISODate() ?? d;
  let end = facts.nextBillDate;
  let rolled = false;
  for (let i = 0; end <= today && i < 100; i += 1) {
    end = forward(end);
    rolled = true;
  }
  const seen = !rolled && facts.lastBillDate && DAY.test(facts.lastBillDate) && facts.lastBillDate < end && facts.lastBillDate <= today ? facts.lastBillDate : undefined;
  return seen ? { start: seen, end, derivedStart: false } : { start: back(end), end, derivedStart: true };
}

export function projectBill(input: BillProjectionInput): BillProjection {
  const { period, dailyCosts, dailyFixedCharge, now, zone } = input;
  const averageDays = Math.max(1, input.averageDays ?? 7);
  const today = localToday(now, zone);
  const periodDays = Math.max(0, daysFrom(period.start, period.end));

  let usageSoFar = 0;
  let daysWithData = 0;
  let dataUntil: string | null = null;
  for (let i = 0; i < periodDays; i += 1) {
    const day = plusDays(period.start, i);
    if (day > today) break;
    const cost = dailyCosts.get(day);
    if (cost === undefined || !Number.isFinite(cost)) continue;
    usageSoFar += cost;
    daysWithData += 1;
    dataUntil = day;
  }
  const fixedDaysSoFar = dataUntil === null ? 0 : daysFrom(period.start, dataUntil) + 1;
  const soFar = usageSoFar + dailyFixedCharge * fixedDaysSoFar;

  const recent: number[] = [];
  for (let i = 0; i <= RECENT_WINDOW_DAYS && recent.length < averageDays; i += 1) {
    const cost = dailyCosts.get(plusDays(today, -i));
    if (cost !== undefined && Number.isFinite(cost)) recent.push(cost);
  }
  const dailyAverage = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null;
  const projected = dailyAverage === null ? null : usageSoFar + dailyAverage * (periodDays - daysWithData) + dailyFixedCharge * periodDays;

  return {
    start: period.start,
    end: period.end,
    periodDays,
    daysToNextBill: Math.max(0, daysFrom(today, period.end)),
    dataUntil,
    daysWithData,
    usageSoFar: round2(usageSoFar),
    soFar: round2(soFar),
    dailyAverage: dailyAverage === null ? null : round2(dailyAverage),
    projected: projected === null ? null : round2(projected),
  };
}

/** Money to the cent, without binary noise (84.2 not 84.19999999). */
function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}

/**
 * Usage cost per local day of one contract from its stored cost readings: a day's hours when all
 * of them are in (23, 24 or 25), else its day total; a day with only some hours and no total is
 * not complete and left out (the projection estimates it).
 */
export function dailyCostsOf(series: { hour: readonly Reading[]; day: readonly Reading[] }, zone: string): Map<string, number> {
  const hours = new Map<string, { n: number; sum: number }>();
  for (const r of series.hour) {
    const day = localDay(r.start, zone);
    const h = hours.get(day) ?? { n: 0, sum: 0 };
    h.n += 1;
    h.sum += r.value;
    hours.set(day, h);
  }
  const out = new Map<string, number>();
  for (const r of series.day) out.set(localDay(r.start, zone), r.value);
  for (const [day, h] of hours) if (h.n >= hoursInDay(day, zone)) out.set(day, h.sum);
  return out;
}

/** The days every contract of a bill has, with their costs summed: a day one contract lacks is not complete for the bill. */
export function combineDailyCosts(perContract: readonly ReadonlyMap<string, number>[]): Map<string, number> {
  const [first, ...rest] = perContract;
  const out = new Map<string, number>();
  if (!first) return out;
  for (const [day, cost] of first) {
    let sum = cost;
    let complete = true;
    for (const other of rest) {
      const c = other.get(day);
      if (c === undefined) {
        complete = false;
        break;
      }
      sum += c;
    }
    if (complete) out.set(day, sum);
  }
  return out;
}
