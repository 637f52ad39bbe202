/**
 * The compared period of a loaded range (`compare: previous | year`): what to ask Home Assistant
 * for, and its rows lined up with the shown columns (common/compare.ts does the calendar work).
 */
import { sumBuckets, toBuckets, type Bucket } from "../chart/buckets.js";
import { spreadTotals } from "../chart/totals.js";
import { compareBuckets, compareRange, type ComparedBuckets, type CompareMode, type CompareRange } from "../common/compare.js";
import type { ViewRange } from "../common/range.js";
import { addDays, addMonths, civilDateOf, zonedInstant } from "../common/time.js";
import type { Kind } from "../const.js";
import type { HomeAssistant } from "../ha-types.js";
import { fetchStatistics, type Statistics } from "./recorder.js";

/** The compared period lined up with the shown columns (ghosts) and its totals. */
export interface ShownCompare extends ComparedBuckets {
  range: CompareRange;
}

/** A compared period being fetched. */
export interface ComparedFetch {
  range: CompareRange;
  /** What is asked for: the compared range out to whole days or months (see `comparedWindow`). */
  window: { start: number; end: number };
  /** Undefined when HA's answer failed: no comparison is shown. */
  stats: Promise<Statistics | undefined>;
}

/**
 * The compared range out to whole days of `serverZone` (hourly view) or whole months (daily view):
 * a day or month HA holds only as a total (in its first hour or day, chart/totals.ts) is then seen
 * with the rows around it and found as one, so it is a gap in the ghosts, not a column 24 or 30
 * times too high. The monthly view's rows are months already.
 */
export function comparedWindow(view: ViewRange["view"], compared: { start: number; end: number }, serverZone: string): { start: number; end: number } {
  if (view === "monthly") return { start: compared.start, end: compared.end };
  const first = civilDateOf(compared.start, serverZone);
  const last = civilDateOf(compared.end - 1, serverZone);
  if (view === "hourly") return { start: zonedInstant(first, serverZone), end: zonedInstant(addDays(last, 1), serverZone) };
  return { start: zonedInstant({ ...first, day: 1 }, serverZone), end: zonedInstant(addMonths({ ...last, day: 1 }, 1), serverZone) };
}

/** Starts asking HA for the compared period of `range` (the same ids and period). */
export function fetchCompared(hass: HomeAssistant, range: ViewRange, mode: CompareMode, ids: string[], serverZone: string): ComparedFetch {
  const c = compareRange({ start: range.start, end: range.end, timeZone: range.timeZone, period: range.period }, mode);
  const window = comparedWindow(range.view, c, serverZone);
  const stats = fetchStatistics(hass, new Date(window.start), new Date(window.end - 1), ids, range.period, { energy: "kWh" }, ["change"]).catch(() => undefined);
  return { range: c, window, stats };
}

/**
 * The compared period's rows as ghosts of the shown columns: `accounts` summed as the shown buckets
 * are (without cost when their currencies differ), totals spread, lined up by calendar position.
 */
export function shownCompare(
  stats: Statistics,
  fetched: Pick<ComparedFetch, "range" | "window">,
  shown: { range: ViewRange; accounts: Partial<Record<Kind, string>>[]; withoutCost: boolean; buckets: Bucket[]; slots: number[]; now: number; serverZone: string },
): ShownCompare {
  const before = sumBuckets(shown.accounts.map((ids) => toBuckets(stats, shown.withoutCost ? { ...ids, paid_cost: undefined } : ids)));
  const spread = spreadTotals(before, shown.range.view, shown.serverZone, { now: shown.now, rangeEnd: fetched.window.end });
  return { ...compareBuckets(shown.slots, shown.buckets, spread, fetched.range, shown.range.period, shown.range.timeZone), range: fetched.range };
}
