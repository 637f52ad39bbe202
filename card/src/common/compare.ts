/**
 * Comparison with an earlier period, as Home Assistant's energy cards offer it: the range to fetch
 * (the previous period of the same length, or the same period a year earlier), its columns lined
 * up with the current ones as ghost columns, and the header figure ("+12 % vs last week").
 *
 * Pure. Ranges are moved on the civil calendar of the range's zone (time.ts), never by fixed
 * milliseconds: a previous week across a DST change is 7 calendar days, a previous month is the
 * calendar month, and a ghost column sits on the column with the same calendar position.
 */
import type { Bucket } from "../chart/buckets.js";
import type { FrontendLocaleData } from "../ha-types.js";
import type { LocalizeFunc } from "../localize/localize.js";
import { numberLocale } from "./format.js";
import { type CivilDate, addDays, civilDateOf, zonedInstant, zonedParts } from "./time.js";

/** "previous": the period of the same length just before; "year": the same dates a year earlier. */
export type CompareMode = "previous" | "year";

/** HA's own names (energy collection `compareMode`): "previous" and "yoy"; before HA 2024.x's modes, `compare: true` meant the previous period. */
export function compareModeOf(value: unknown): CompareMode | null {
  if (value === "previous" || value === true) return "previous";
  if (value === "yoy" || value === "year") return "year";
  return null;
}

/** The columns' period, as the recorder names it (5-minute columns line up like hours, by their wall-clock time). */
export type ComparePeriod = "5minute" | "hour" | "day" | "week" | "month";

/** The range shown: what `viewRange` (range.ts) returns fits, and so does the energy date picker's. */
export interface ShownRange {
  /** Inclusive start and exclusive end, epoch ms. */
  start: number;
  end: number;
  /** The zone whose calendar the range is cut in. */
  timeZone: string;
  /** The columns' period. */
  period: ComparePeriod;
}

/** How far the compared range lies before the shown one, in calendar units. */
export type CompareShift = { days: number } | { months: number };

export interface CompareRange {
  start: number;
  end: number;
  mode: CompareMode;
  /** Move a compared column's calendar position by this to find its current column. */
  shift: CompareShift;
  /** The shown range's length in its own words, for the figure's wording. */
  span: CompareSpan;
}

/** A range's length: whole calendar months, or calendar days. */
export type CompareSpan = { months: number } | { days: number };

/** Whole months when the range runs from a first of the month to a first of the month at midnight; else calendar days (rounded up). */
export function spanOf(range: Pick<ShownRange, "start" | "end" | "timeZone">): CompareSpan {
  const a = zonedParts(range.start, range.timeZone);
  const b = zonedParts(range.end, range.timeZone);
  const midnight = (p: typeof a) => p.hour === 0 && p.minute === 0 && p.second === 0;
  if (a.day === 1 && b.day === 1 && midnight(a) && midnight(b)) {
    const months = (b.year - a.year) * 12 + (b.month - a.month);
    if (months > 0) return { months };
  }
  const days = civilDayNumber(b) - civilDayNumber(a) + (midnight(b) ? 0 : 1);
  return { days: Math.max(1, days) };
}

/**
 * The range to compare `range` with. `previous` ends where the shown one starts and has its
 * length in calendar days (or whole months); `year` is the same wall-clock range a year earlier
 * (29 February becomes 28 February, as HA's date-fns `addYears` does).
 */
export function compareRange(range: ShownRange, mode: CompareMode): CompareRange {
  const span = spanOf(range);
  if (mode === "year") {
    return { start: shiftInstant(range.start, range.timeZone, { months: -12 }), end: shiftInstant(range.end, range.timeZone, { months: -12 }), mode, shift: { months: 12 }, span };
  }
  const back: CompareShift = "months" in span ? { months: -span.months } : { days: -span.days };
  return { start: shiftInstant(range.start, range.timeZone, back), end: range.start, mode, shift: "months" in span ? { months: span.months } : { days: span.days }, span };
}

/**
 * The compared rows lined up with the shown columns: entry i is the compared value for column i
 * (`currentStarts[i]`), or null where the earlier period has no column at that calendar position
 * (a 29 February, the extra hour of a DST day, a missing row). Each compared row is used once.
 */
export function alignGhosts<T>(
  currentStarts: readonly number[],
  compared: readonly { start: number; value: T }[],
  shift: CompareShift,
  period: ComparePeriod,
  timeZone: string,
): (T | null)[] {
  const byKey = new Map<string, T>();
  const seen = new Map<string, number>();
  for (const row of compared) {
    const key = positionKey(row.start, timeZone, period, shift, seen);
    if (key !== null && !byKey.has(key)) byKey.set(key, row.value);
  }
  const seenNow = new Map<string, number>();
  return currentStarts.map((start) => {
    const key = positionKey(start, timeZone, period, { days: 0 }, seenNow);
    return key === null ? null : (byKey.get(key) ?? null);
  });
}

export interface CompareTotals {
  current: number;
  previous: number;
  /** (current − previous) / previous; null when the earlier total is 0 or nothing overlaps. */
  change: number | null;
  /** Columns counted: those with a value in both periods (so data not in yet is left out of both). */
  columns: number;
}

/** Totals over the columns both periods have values for, and the relative change. */
export function compareTotals(current: readonly (number | null | undefined)[], ghosts: readonly (number | null | undefined)[]): CompareTotals {
  let a = 0;
  let b = 0;
  let columns = 0;
  current.forEach((value, i) => {
    const ghost = ghosts[i];
    if (value === null || value === undefined || ghost === null || ghost === undefined || !Number.isFinite(value) || !Number.isFinite(ghost)) return;
    a += value;
    b += ghost;
    columns += 1;
  });
  return { current: a, previous: b, change: columns > 0 && b !== 0 ? (a - b) / b : null, columns };
}

export interface ComparedBuckets {
  /** For each slot, the compared period's bucket at the same calendar position (null where none): the ghost columns. */
  ghosts: (Bucket | null)[];
  /** kWh (free + paid) over the slots both periods have data for: the header figure's numbers. */
  energy: CompareTotals;
  /** Cost over the slots both periods have a cost for. */
  cost: CompareTotals;
}

/**
 * The chart's view of a comparison: `slots` are the starts of every column of the shown range
 * (those not in yet included, so ghosts are drawn there too), `current` and `compared` the buckets
 * of the two ranges (chart/buckets.ts `toBuckets`).
 */
export function compareBuckets(slots: readonly number[], current: readonly Bucket[], compared: readonly Bucket[], range: Pick<CompareRange, "shift">, period: ComparePeriod, timeZone: string): ComparedBuckets {
  const ghosts = alignGhosts(slots, compared.map((b) => ({ start: b.start, value: b })), range.shift, period, timeZone);
  const byStart = new Map(current.map((b) => [b.start, b]));
  const now = slots.map((s) => byStart.get(s) ?? null);
  const kwh = (b: Bucket | null) => (b && !b.total ? b.free + b.paid : null);
  const money = (b: Bucket | null) => (b && !b.total ? b.cost : null);
  return { ghosts, energy: compareTotals(now.map(kwh), ghosts.map(kwh)), cost: compareTotals(now.map(money), ghosts.map(money)) };
}

/** What the compared period is called: "last week", "last month", "the previous 9 days", "a year ago". */
export function comparedPeriodWords(range: Pick<CompareRange, "mode" | "span">, localize: LocalizeFunc): string {
  if (range.mode === "year") return localize("compare.year_ago");
  const span = range.span;
  if ("months" in span) {
    if (span.months === 1) return localize("compare.last_month");
    if (span.months === 12) return localize("compare.last_year");
    return localize("compare.previous_months", { n: String(span.months) });
  }
  if (span.days === 1) return localize("compare.yesterday");
  if (span.days === 7) return localize("compare.last_week");
  return localize("compare.previous_days", { n: String(span.days) });
}

/**
 * The header figure: "+12 % vs last week", "−3 % vs a year ago", "same as last month"; null when
 * there is nothing to compare (no overlap, an earlier total of 0).
 */
export function compareFigure(totals: CompareTotals, range: Pick<CompareRange, "mode" | "span">, locale: FrontendLocaleData, localize: LocalizeFunc): string | null {
  if (totals.change === null) return null;
  const period = comparedPeriodWords(range, localize);
  const rounded = Math.round(totals.change * 100);
  if (rounded === 0) return localize("compare.same", { period });
  const format = new Intl.NumberFormat(numberLocale(locale), { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" });
  return localize("compare.figure", { change: format.format(totals.change).replace("-", "−"), period });
}

// ---- calendar helpers --------------------------------------------------------------------------

function civilDayNumber(d: CivilDate): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000);
}

/** `date` moved by whole months, keeping its day (clamped to the month's last day). */
function addMonthsClamped(date: CivilDate, months: number): CivilDate {
  const first = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  const year = first.getUTCFullYear();
  const month = first.getUTCMonth() + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { year, month, day: Math.min(date.day, last) };
}

function shiftCivil(date: CivilDate, shift: CompareShift): CivilDate {
  return "days" in shift ? addDays(date, shift.days) : addMonthsClamped(date, shift.months);
}

/** The instant with the same wall-clock time as `ms`, moved on the calendar. */
function shiftInstant(ms: number, timeZone: string, shift: CompareShift): number {
  const p = zonedParts(ms, timeZone);
  const date = shiftCivil(p, shift);
  return zonedInstant({ ...date, hour: p.hour, minute: p.minute, second: p.second }, timeZone);
}

/**
 * A column's calendar position after `shift`: "2026-11-03" (day), "2026-11" (month), or
 * "2026-11-03T02#1" (hour, with the occurrence of that wall hour: the repeated hour of the
 * autumn DST day is #2; 5-minute columns add the minute; a week is its first day). Null for a shifted day that does not exist (29 February a year on).
 */
function positionKey(ms: number, timeZone: string, period: ComparePeriod, shift: CompareShift, seen: Map<string, number>): string | null {
  const p = zonedParts(ms, timeZone);
  const civil = civilDateOf(ms, timeZone);
  if (period === "month") {
    const m = shiftCivil({ ...civil, day: 1 }, shift);
    return `${m.year}-${pad(m.month)}`;
  }
  const d = shiftCivil(civil, shift);
  if ("months" in shift && d.day !== civil.day) return null;
  const day = `${d.year}-${pad(d.month)}-${pad(d.day)}`;
  if (period === "day" || period === "week") return day;
  const hour = `${day}T${pad(p.hour)}${period === "5minute" ? `:${pad(p.minute)}` : ""}`;
  const n = (seen.get(hour) ?? 0) + 1;
  seen.set(hour, n);
  return `${hour}#${n}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
