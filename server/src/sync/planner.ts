import { addDays, addMonths, dayStart, daysBetween, hoursInDay, localDay, monthStart, monthsBetween } from "../time/local.js";

/** What the store knows of one local period (a day, or a month "YYYY-MM") at one resolution. */
export interface PeriodCoverage {
  /** Number of records stored for the period (hours for hourly days, 1 otherwise). */
  rows: number;
  /** Total kWh of the period's records. */
  totalKwh: number;
  /** Total cost, when the provider gave one. */
  cost: number | null;
  /** When this period was last fetched (epoch ms). */
  fetchedAt: number;
}

export interface ContractCoverage {
  hourly: ReadonlyMap<string, PeriodCoverage>;
  daily: ReadonlyMap<string, PeriodCoverage>;
  monthly: ReadonlyMap<string, PeriodCoverage>;
  /** Last successful call of the daily endpoint over the recent days (the availability and revision probe). */
  lastProbeAt: number | undefined;
  /** Last attempt of each request key ("probe" for the probe), and whether it succeeded. */
  attempts: ReadonlyMap<string, Attempt>;
}

export interface Attempt {
  at: number;
  ok: boolean;
}

export const PROBE_KEY = "probe";

export type Interval = "hourly" | "daily" | "monthly";

export interface UsageRequest {
  interval: Interval;
  /** Inclusive local dates (YYYY-MM-DD); monthly requests run from a month's first to a month's last day. */
  from: string;
  to: string;
  /** Stable identity of the request, for attempt bookkeeping. */
  key: string;
  /** Why it is asked for; shown in logs and `--json`. */
  reason: string;
}

export interface PlannerSettings {
  zone: string;
  hourlyDays: number;
  dailyDays: number;
  monthlyMonths: number;
  /** How often the daily endpoint is asked for new and revised days (default 24 h). */
  probeIntervalMs: number;
  /** A failed request is not tried again sooner than this (the check interval). */
  retryAfterMs: number;
  /** The daily endpoint refuses longer ranges. */
  maxDailyRangeDays: number;
  /** Extends the daily and monthly windows back to this date (backfill). */
  backfillFrom?: string;
}

/** Totals may differ by rounding: a few tenths of a Wh per hour, never a real revision. */
const KWH_TOLERANCE = 0.005;
const COST_TOLERANCE = 0.005;

/**
 * The next requests for one contract (pure). Called again after the requests are done, until it
 * returns nothing: first the probe (one daily call over the recent days: which days exist, and
 * their totals), then hourly days that exist but are missing, incomplete or disagree with their
 * day total (a revision), and month totals for periods older than the daily window.
 */
export function planContract(cov: ContractCoverage, nowMs: number, s: PlannerSettings): UsageRequest[] {
  const today = localDay(nowMs / 1000, s.zone);
  const yesterday = addDays(today, -1);
  const hourlyFrom = addDays(today, -s.hourlyDays);
  let dailyFrom = addDays(today, -s.dailyDays);
  if (s.backfillFrom && s.backfillFrom < dailyFrom) dailyFrom = s.backfillFrom;
  const failedRecently = (key: string) => {
    const a = cov.attempts.get(key);
    return a !== undefined && !a.ok && nowMs - a.at < s.retryAfterMs;
  };
  const succeededSince = (key: string, since: number) => {
    const a = cov.attempts.get(key);
    return a !== undefined && a.ok && a.at >= since;
  };

  const probeDue = cov.lastProbeAt === undefined || nowMs - cov.lastProbeAt >= s.probeIntervalMs;
  if (probeDue && !failedRecently(PROBE_KEY)) {
    const missingDaily = daysBetween(dailyFrom, yesterday).find((d) => !cov.daily.has(d));
    const from = missingDaily !== undefined && missingDaily < hourlyFrom ? missingDaily : hourlyFrom;
    return chunkDays(from, yesterday, s.maxDailyRangeDays).map(([a, b]) => ({
      interval: "daily" as const,
      from: a,
      to: b,
      key: `daily:${a}:${b}`,
      reason: cov.lastProbeAt === undefined ? "first sync" : "new and revised days",
    }));
  }

  const requests: UsageRequest[] = [];
  const monthly = neededMonths(cov, today, dailyFrom, s);
  if (monthly.length > 0) {
    const from = `${monthly[0]}-01`;
    const to = addDays(`${addMonths(monthly.at(-1)!, 1)}-01`, -1);
    const key = `monthly:${from}:${to}`;
    if (!failedRecently(key) && !succeededSince(key, nowMs - s.probeIntervalMs)) requests.push({ interval: "monthly", from, to, key, reason: "month totals older than the daily window" });
  }

  for (const day of daysBetween(hourlyFrom, yesterday)) {
    const daily = cov.daily.get(day);
    if (!daily) continue; // not published by the provider yet
    const hourly = cov.hourly.get(day);
    const key = `hourly:${day}`;
    let reason: string | undefined;
    if (!hourly) reason = "new day";
    else if (daily.fetchedAt > hourly.fetchedAt) {
      if (hourly.rows < hoursInDay(day, s.zone)) reason = "incomplete day";
      else if (disagrees(hourly, daily)) reason = "revised day";
    }
    // Asked since the provider last told us about this day: wait for the next probe.
    if (reason && !failedRecently(key) && !succeededSince(key, daily.fetchedAt)) {
      requests.push({ interval: "hourly", from: day, to: day, key, reason });
    }
  }
  return requests;
}

function disagrees(hourly: PeriodCoverage, daily: PeriodCoverage): boolean {
  if (Math.abs(hourly.totalKwh - daily.totalKwh) > KWH_TOLERANCE + 0.0005 * hourly.rows) return true;
  if (hourly.cost !== null && daily.cost !== null && Math.abs(hourly.cost - daily.cost) > COST_TOLERANCE + 0.0005 * hourly.rows) return true;
  return false;
}

/** Months of the monthly window that start before the daily window and are not stored yet. */
function neededMonths(cov: ContractCoverage, today: string, dailyFrom: string, s: PlannerSettings): string[] {
  const thisMonth = today.slice(0, 7);
  let from = addMonths(thisMonth, -s.monthlyMonths);
  if (s.backfillFrom && s.backfillFrom.slice(0, 7) < from) from = s.backfillFrom.slice(0, 7);
  const lastComplete = addMonths(thisMonth, -1);
  const dailyStart = dayStart(dailyFrom, s.zone);
  return monthsBetween(from, lastComplete).filter((m) => monthStart(m, s.zone) < dailyStart && !cov.monthly.has(m));
}

/** Inclusive [from, to] day ranges of at most `maxDays` days. */
export function chunkDays(from: string, to: string, maxDays: number): [string, string][] {
  const out: [string, string][] = [];
  for (let a = from; a <= to; a = addDays(a, maxDays)) {
    const b = addDays(a, maxDays - 1);
    out.push([a, b < to ? b : to]);
  }
  return out;
}
