/**
 * A `hass` whose `callWS` answers the recorder commands the card uses exactly as Home Assistant does
 * (shapes from ../shared/reference/ha-api.md §1.6, 2024.3-era metadata fields):
 * - `recorder/statistics_during_period`: HA's voluptuous schema (extra keys → `invalid_format`),
 *   rows `{start, end, <requested types>}` in epoch ms, ids without rows absent, day and month buckets
 *   cut at the server zone's midnights (found here by stepping through the zone hour by hour, not with
 *   the card's own time code);
 * - `recorder/list_statistic_ids`, `recorder/get_statistics_metadata`;
 * - anything else: `unknown_command`. Errors reject with `{code, message}` as home-assistant-js-websocket does.
 * Also bundled into the benchmark page (test/bench/card-render.ts), so it imports nothing from the card.
 */

export interface FixtureRow {
  /** Epoch ms of a UTC hour start. */
  start: number;
  /** Sum statistics: the hour's change. */
  change: number;
  /** Mean statistics (`hasMean`): the hour's mean (min and max default to it). */
  mean?: number;
  min?: number;
  max?: number;
}

export interface FixtureStatistic {
  id: string;
  name: string;
  unit: string;
  unitClass: string | null;
  rows: FixtureRow[];
  /** A mean statistic (has_mean, no sum), such as carbon intensity; default: a sum statistic. */
  hasMean?: boolean;
}

export interface WsMessage {
  type: string;
  [key: string]: unknown;
}

export interface WsError {
  code: string;
  message: string;
}

export interface FakeHassOptions {
  statistics: FixtureStatistic[];
  timeZone?: string;
  /** hass.locale.time_zone */
  zoneSetting?: "server" | "local";
  language?: string;
  numberFormat?: "language" | "system" | "comma_decimal" | "decimal_comma" | "space_comma" | "none";
  timeFormat?: "language" | "system" | "12" | "24";
  darkMode?: boolean;
  currency?: string;
  /** Return an error to reject a message with it (after validation). */
  fail?: (msg: WsMessage) => WsError | undefined;
  /** Delay every answer by this many ms. */
  delayMs?: number;
}

export interface FakeHass {
  callWS<T>(msg: WsMessage): Promise<T>;
  locale: { language: string; number_format: string; time_format: string; time_zone: string };
  language: string;
  config: { time_zone: string; currency: string };
  themes: { darkMode: boolean };
  /** Every message the card sent, in order. */
  calls: WsMessage[];
  options: FakeHassOptions;
}

const HOUR = 3_600_000;
const PERIODS = ["5minute", "hour", "day", "week", "month"];
const TYPES = ["change", "last_reset", "max", "mean", "min", "state", "sum"];

function invalid(message: string): WsError {
  return { code: "invalid_format", message };
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();
export function localParts(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number } {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit" });
    partFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! };
}

/** The instant of local midnight of a civil date, by walking whole hours (every zone used here has whole-hour offsets). */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const civil = Date.UTC(year, month - 1, day);
  for (let t = civil - 15 * HOUR; t <= civil + 15 * HOUR; t += HOUR) {
    const p = localParts(t, timeZone);
    if (p.year === year && p.month === month && p.day === day) return t;
  }
  throw new Error(`no midnight for ${year}-${month}-${day} in ${timeZone}`);
}

const bucketCache = new Map<string, { start: number; end: number }>();
/** The bucket found last per zone and period: rows come in order, so most rows fall in it (no Intl call for them). */
const lastBucket = new Map<string, { start: number; end: number }>();

function bucketOf(start: number, period: string, timeZone: string): { start: number; end: number } {
  if (period === "hour") return { start, end: start + HOUR };
  const last = lastBucket.get(`${timeZone}|${period}`);
  if (last && start >= last.start && start < last.end) return last;
  const found = findBucket(start, period, timeZone);
  lastBucket.set(`${timeZone}|${period}`, found);
  return found;
}

function findBucket(start: number, period: string, timeZone: string): { start: number; end: number } {
  const p = localParts(start, timeZone);
  const key = `${timeZone}|${period}|${p.year}-${p.month}-${period === "day" ? p.day : 1}`;
  let bucket = bucketCache.get(key);
  if (!bucket) {
    bucket = computeBucket(p, period, timeZone);
    bucketCache.set(key, bucket);
  }
  return bucket;
}

function computeBucket(p: { year: number; month: number; day: number }, period: string, timeZone: string): { start: number; end: number } {
  if (period === "day") {
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    return {
      start: localMidnight(p.year, p.month, p.day, timeZone),
      end: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
    };
  }
  if (period === "month") {
    const next = new Date(Date.UTC(p.year, p.month, 1));
    return { start: localMidnight(p.year, p.month, 1, timeZone), end: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, timeZone) };
  }
  throw new Error(`period ${period} is not emulated`);
}

function validateStatisticsDuringPeriod(msg: WsMessage): WsError | undefined {
  const allowed = new Set(["type", "start_time", "end_time", "statistic_ids", "period", "units", "types"]);
  for (const key of Object.keys(msg)) if (!allowed.has(key)) return invalid(`extra keys not allowed @ data['${key}']`);
  if (typeof msg.start_time !== "string") return invalid("required key not provided @ data['start_time']");
  if (msg.end_time !== undefined && typeof msg.end_time !== "string") return invalid("expected str for dictionary value @ data['end_time']");
  const ids = msg.statistic_ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.some((id) => typeof id !== "string")) {
    return invalid("length of value must be at least 1 for dictionary value @ data['statistic_ids']");
  }
  if (typeof msg.period !== "string" || !PERIODS.includes(msg.period)) return invalid("value must be one of ['5minute', 'day', 'hour', 'month', 'week'] @ data['period']");
  if (msg.types !== undefined && (!Array.isArray(msg.types) || msg.types.some((t) => !TYPES.includes(t as string)))) {
    return invalid("value must be one of ['change', 'last_reset', 'max', 'mean', 'min', 'state', 'sum'] @ data['types']");
  }
  if (msg.units !== undefined && (typeof msg.units !== "object" || msg.units === null)) return invalid("expected dict for dictionary value @ data['units']");
  if (Number.isNaN(Date.parse(msg.start_time))) return { code: "invalid_start_time", message: "Invalid start_time" };
  if (typeof msg.end_time === "string" && Number.isNaN(Date.parse(msg.end_time))) return { code: "invalid_end_time", message: "Invalid end_time" };
  return undefined;
}

function metadataRow(s: FixtureStatistic) {
  return {
    statistic_id: s.id,
    display_unit_of_measurement: s.unit,
    has_mean: Boolean(s.hasMean),
    has_sum: !s.hasMean,
    name: s.name,
    source: s.id.split(":")[0],
    statistics_unit_of_measurement: s.unit,
    unit_class: s.unitClass,
  };
}

export function statisticsDuringPeriod(statistics: FixtureStatistic[], msg: WsMessage, timeZone: string): Record<string, Record<string, number>[]> {
  const start = Date.parse(msg.start_time as string);
  const end = typeof msg.end_time === "string" ? Date.parse(msg.end_time) : Infinity;
  const period = msg.period as string;
  const types = (msg.types as string[] | undefined) ?? TYPES;
  const result: Record<string, Record<string, number>[]> = {};
  for (const id of msg.statistic_ids as string[]) {
    const stat = statistics.find((s) => s.id === id);
    if (!stat) continue;
    const buckets = new Map<number, { start: number; end: number; change: number; means: number[]; min: number; max: number }>();
    for (const row of stat.rows) {
      // Like real HA: a row starting exactly at end_time is included (the frontend ends 1 ms early).
      if (row.start < start || row.start > end) continue;
      const b = bucketOf(row.start, period, timeZone);
      const acc = buckets.get(b.start) ?? { ...b, change: 0, means: [], min: Infinity, max: -Infinity };
      acc.change += row.change;
      if (row.mean !== undefined) {
        acc.means.push(row.mean);
        acc.min = Math.min(acc.min, row.min ?? row.mean);
        acc.max = Math.max(acc.max, row.max ?? row.mean);
      }
      buckets.set(b.start, acc);
    }
    if (buckets.size === 0) continue; // HA leaves out ids with no rows
    result[id] = [...buckets.values()]
      .sort((a, b) => a.start - b.start)
      .map((b) => {
        const out: Record<string, number> = { start: b.start, end: b.end };
        // HA aggregates days and months of a mean statistic from its hours: mean of means, min of mins, max of maxes.
        if (stat.hasMean) {
          const mean = b.means.reduce((a, v) => a + v, 0) / b.means.length;
          if (types.includes("mean")) out.mean = Math.round(mean * 1e6) / 1e6;
          if (types.includes("min")) out.min = b.min;
          if (types.includes("max")) out.max = b.max;
        } else if (types.includes("change")) out.change = Math.round(b.change * 1e6) / 1e6;
        return out;
      });
  }
  return result;
}

export function makeFakeHass(options: FakeHassOptions): FakeHass {
  const timeZone = options.timeZone ?? "Pacific/Auckland";
  const calls: WsMessage[] = [];
  const answer = (msg: WsMessage): unknown => {
    switch (msg.type) {
      case "recorder/statistics_during_period": {
        const error = validateStatisticsDuringPeriod(msg);
        if (error) throw error;
        return statisticsDuringPeriod(options.statistics, msg, timeZone);
      }
      case "recorder/list_statistic_ids": {
        if (msg.statistic_type !== undefined && msg.statistic_type !== "sum" && msg.statistic_type !== "mean") throw invalid("value must be one of ['mean', 'sum']");
        const wanted = msg.statistic_type === undefined ? options.statistics : options.statistics.filter((s) => Boolean(s.hasMean) === (msg.statistic_type === "mean"));
        return wanted.map(metadataRow);
      }
      case "recorder/get_statistics_metadata": {
        const ids = msg.statistic_ids as string[] | undefined;
        return options.statistics.filter((s) => !ids || ids.includes(s.id)).map(metadataRow);
      }
      default:
        throw { code: "unknown_command", message: "Unknown command." } satisfies WsError;
    }
  };
  const hass: FakeHass = {
    calls,
    options,
    locale: {
      language: options.language ?? "en",
      number_format: options.numberFormat ?? "language",
      time_format: options.timeFormat ?? "24",
      time_zone: options.zoneSetting ?? "server",
    },
    language: options.language ?? "en",
    config: { time_zone: timeZone, currency: options.currency ?? "NZD" },
    themes: { darkMode: options.darkMode ?? false },
    async callWS<T>(msg: WsMessage): Promise<T> {
      calls.push(structuredClone(msg));
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const failure = options.fail?.(msg);
      if (failure) throw failure;
      return structuredClone(answer(msg)) as T;
    },
  };
  return hass;
}
