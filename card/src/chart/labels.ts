/**
 * Pure: axis and tooltip labels for buckets, read in the zone whose midnights cut them
 * (the display zone for hours, the server's zone for days and months).
 */
import type { View } from "../const.js";
import type { Formatters } from "../common/format.js";
import { zonedParts } from "../common/time.js";
import type { Bucket } from "./buckets.js";

export interface LabelGroup {
  /** Index of the group's first bucket. */
  first: number;
  /** Number of buckets in the group (24 hours, or 23/25 on a DST day). */
  count: number;
  text: string;
  /** A six-hour mark inside a day (short hourly ranges), not a day's own label. */
  hour?: true;
}

export interface BucketLabels {
  /** The view the labels are for (the hourly view labels days, the others columns). */
  view: View;
  /** One per bucket; empty where the axis shows no label (hours other than midnight). */
  axis: string[];
  /**
   * Hourly view: one group per local day, labelled under the chart by the card itself; a range of
   * at most two days (a day picked on the date picker) also gets a group every six hours, named by
   * its hour, so that its axis says when, not only which day.
   */
  groups: LabelGroup[];
  /**
   * Daily and monthly views: every bucket's name ("5 Apr", "Apr 26"), which the card writes centred
   * under its column, as many as fit the plot's width (`pickColumnLabels`). Empty for hourly.
   */
  columns: string[];
  /** One per bucket: the whole period, e.g. "Sun 5 Apr, 02:00–03:00". */
  tooltip: string[];
}

/**
 * Which day or month buckets get an axis label when not all fit in `maxLabels`: every day, else
 * Mondays, else first days of months (daily); every k-th month from January (monthly).
 */
export function sparseAxis(buckets: Bucket[], view: View, timeZone: string, maxLabels: number): boolean[] {
  const parts = buckets.map((b) => zonedParts(b.start, timeZone));
  if (buckets.length <= maxLabels) return parts.map(() => true);
  if (view === "daily") {
    const monday = parts.map((p) => new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() === 1);
    if (monday.filter(Boolean).length <= maxLabels) return monday;
    const firsts = parts.map((p) => p.day === 1);
    const k = Math.ceil(firsts.filter(Boolean).length / maxLabels);
    return parts.map((p) => p.day === 1 && (p.month - 1) % k === 0);
  }
  const k = Math.ceil(buckets.length / maxLabels);
  return parts.map((p) => (p.month - 1) % k === 0);
}

/** Hourly ranges up to this many hours (two days, one of them 25 hours long) are labelled every six hours. */
const SHORT_HOURLY = 49;

export function bucketLabels(buckets: Bucket[], view: View, timeZone: string, fmt: Formatters, maxLabels = 12): BucketLabels {
  const labelled = view === "hourly" ? [] : sparseAxis(buckets, view, timeZone, Math.max(2, maxLabels));
  const short = buckets.length <= SHORT_HOURLY;
  const axis: string[] = [];
  const tooltip: string[] = [];
  const groups: LabelGroup[] = [];
  const columns: string[] = [];
  let lastDay = "";
  buckets.forEach((b, index) => {
    if (view === "hourly") {
      const p = zonedParts(b.start, timeZone);
      const day = `${p.year}-${p.month}-${p.day}`;
      const startsDay = p.hour === 0 && p.minute === 0;
      if (day !== lastDay) groups.push({ first: index, count: 0, text: fmt.date(b.start, timeZone, { day: "numeric", month: "short" }) });
      else if (short && p.hour % 6 === 0 && p.minute === 0) groups.push({ first: index, count: 0, text: fmt.date(b.start, timeZone, { hour: "numeric", minute: "2-digit" }), hour: true });
      axis.push(startsDay ? (groups[groups.length - 1] as LabelGroup).text : "");
      (groups[groups.length - 1] as LabelGroup).count += 1;
      lastDay = day;
      // Around a DST change the wall clock does not move by the bucket's length ("02:00–02:00" when
      // clocks go back): name the offsets then, so the repeated hour reads differently.
      const a = p;
      const z = zonedParts(b.end, timeZone);
      const wall = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute) - Date.UTC(a.year, a.month - 1, a.day, a.hour, a.minute);
      const time: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit", ...(wall !== b.end - b.start ? { timeZoneName: "short" } : {}) };
      const from = fmt.date(b.start, timeZone, time);
      const to = fmt.date(b.end, timeZone, time);
      tooltip.push(`${fmt.date(b.start, timeZone, { weekday: "short", day: "numeric", month: "short" })}, ${from}–${to}`);
    } else if (view === "daily") {
      const name = fmt.date(b.start, timeZone, { day: "numeric", month: "short" });
      columns.push(name);
      axis.push(labelled[index] ? name : "");
      tooltip.push(fmt.date(b.start, timeZone, { weekday: "long", day: "numeric", month: "long", year: "numeric" }));
    } else {
      const name = fmt.date(b.start, timeZone, { month: "short", year: "2-digit" });
      columns.push(name);
      axis.push(labelled[index] ? name : "");
      tooltip.push(fmt.date(b.start, timeZone, { month: "long", year: "numeric" }));
    }
  });
  return { view, axis, tooltip, groups, columns };
}

/** A day label needs about this many px. */
export const MIN_DAY_LABEL_PX = 28;

/** About the px a label ("Nov 27", "18:00", "12:00 PM") needs at the labels' 11 px: its characters, its padding and border. */
export function labelPx(text: string): number {
  return Math.max(MIN_DAY_LABEL_PX, text.length * 6 + 4);
}

/**
 * The px every label of a row is given, and at least how far apart they stand: the widest one's
 * (`labelPx`), so that the row's longest name ("Nov 27", "30 Sept") is as readable as its shortest.
 * The hourly day labels and the daily and monthly column names are both spaced by it.
 */
export function widestLabelPx(texts: readonly string[]): number {
  return texts.reduce((widest, text) => Math.max(widest, labelPx(text)), MIN_DAY_LABEL_PX);
}

/**
 * Which hourly day groups get their label when the plot is narrow: every k-th day, k the fewest days
 * whose width holds a label (so a half-width card still names some days rather than none), and
 * the px each label may use.
 */
export function dayLabelStride(dayWidthPx: number, minPx = MIN_DAY_LABEL_PX): { every: number; widthPx: number } {
  if (!(dayWidthPx > 0)) return { every: 1, widthPx: 0 };
  const every = Math.max(1, Math.ceil(minPx / dayWidthPx));
  return { every, widthPx: every * dayWidthPx };
}

const DAY_MS = 86_400_000;

/** Local civil day number (days since 1970-01-01) of each bucket's start. */
function civilDays(buckets: readonly Bucket[], timeZone: string): { day: number; month: number; dayOfMonth: number; months: number }[] {
  return buckets.map((b) => {
    const p = zonedParts(b.start, timeZone);
    return { day: Math.round(Date.UTC(p.year, p.month - 1, p.day) / DAY_MS), month: p.month, dayOfMonth: p.day, months: p.year * 12 + p.month - 1 };
  });
}

/**
 * Daily and monthly views: which columns are named, the densest rule whose labels stand at least
 * `minGapColumns` columns apart. Daily: every day, every 2nd day, Mondays, every 2nd Monday, then
 * first days of every 1, 2, 3, 6, 12… months. Monthly: every 1, 2, 3, 6, 12, 24… months from January.
 * The rules count from fixed dates (day and week numbers since 1970, January), so paging through
 * ranges keeps the same days named.
 */
export function columnLabelRule(buckets: readonly Bucket[], view: View, timeZone: string, minGapColumns: number): boolean[] {
  const days = civilDays(buckets, timeZone);
  const months = (k: number) => days.map((d) => (view === "daily" ? d.dayOfMonth === 1 : true) && d.months % k === 0);
  const monthStrides = [1, 2, 3, 6, 12];
  for (let k = 24; k < 12 * buckets.length; k *= 2) monthStrides.push(k);
  if (view === "monthly") {
    const k = monthStrides.find((m) => m >= minGapColumns) ?? (monthStrides[monthStrides.length - 1] as number);
    return months(k);
  }
  // 1970-01-05 (day 4) was a Monday.
  if (minGapColumns <= 1) return days.map(() => true);
  if (minGapColumns <= 2) return days.map((d) => d.day % 2 === 0);
  if (minGapColumns <= 7) return days.map((d) => (d.day - 4) % 7 === 0);
  if (minGapColumns <= 14) return days.map((d) => (d.day - 4) % 14 === 0);
  // Months are 28–31 days: the shortest must hold a label.
  const k = monthStrides.find((m) => m * 28 >= minGapColumns) ?? (monthStrides[monthStrides.length - 1] as number);
  return months(k);
}

/**
 * Daily and monthly views: which columns get their name under them, and where (the label's left edge,
 * `width` px wide, centred under the column). Every label gets the widest name's width
 * (`widestLabelPx`), and the densest rule of `columnLabelRule` whose labels stand that far apart is
 * taken; then a label is dropped if it would come closer than that to the previous one or reach past
 * `right` (the px where the labels' box ends) or left of 0, so none overlap or are cut.
 */
export function pickColumnLabels(
  buckets: Bucket[],
  view: View,
  timeZone: string,
  plot: { left: number; width: number },
  right: number,
  names: readonly string[],
): { index: number; left: number; width: number }[] {
  if (view === "hourly" || !buckets.length || !(plot.width > 0)) return [];
  const step = plot.width / buckets.length;
  const width = widestLabelPx(names);
  const picks = columnLabelRule(buckets, view, timeZone, Math.ceil(width / step - 1e-9));
  const out: { index: number; left: number; width: number }[] = [];
  let lastCentre = -Infinity;
  picks.forEach((picked, index) => {
    if (!picked) return;
    const centre = plot.left + (index + 0.5) * step;
    const left = centre - width / 2;
    if (centre - lastCentre < width || left < 0 || left + width > right) return;
    out.push({ index, left, width });
    lastCentre = centre;
  });
  return out;
}

/** "Mar 30 – Apr 7, 2026" (in the user's language) for the header; `end` is exclusive, so the last day shown is the one before it. */
export function rangeLabel(start: number, endExclusive: number, view: View, timeZone: string, fmt: Formatters): string {
  const options: Intl.DateTimeFormatOptions =
    view === "monthly" ? { month: "short", year: "numeric" } : { day: "numeric", month: "short", year: "numeric" };
  return fmt.dateRange(start, endExclusive - 1, timeZone, options);
}
