import type { PeriodCoverage } from "../store/rows.js";
import { addDays, addMonths, dayStart, daysBetween, hoursInDay, localDay, monthStart, monthsBetween } from "../time/local.js";

export type { PeriodCoverage };

export interface ContractCoverage {
  hourly: ReadonlyMap<string, PeriodCoverage>;
  daily: ReadonlyMap<string, PeriodCoverage>;
  monthly: ReadonlyMap<string, PeriodCoverage>;
  /** When the daily endpoint last answered for the whole recent window (the revision checksum). */
  lastChecksumAt: number | undefined;
  /** Last successful call of each monthly request key (month totals are asked at most once a probe interval). */
  monthlyAskedAt: ReadonlyMap<string, number>;
  /**
   * Lower bounds of the provider's lag measured lately (ms after a day's end at which it was asked
   * for and not there yet; the newest last). They decide how soon after its end a day is asked for.
   */
  lagBounds?: readonly { at: number; ms: number }[];
}

/** What has been asked already in the current check: nothing is asked twice in one check. */
export interface CheckProgress {
  asked: ReadonlySet<string>;
}

export type Interval = "hourly" | "daily" | "monthly";

export interface UsageRequest {
  interval: Interval;
  /** Inclusive local dates (YYYY-MM-DD); monthly requests run from a month's first to a month's last day. */
  from: string;
  to: string;
  /** Stable identity of the request: nothing is asked twice in one check. */
  key: string;
  /** Why it is asked for; shown in logs and `--json`. */
  reason: string;
  /** Set on the last request of a daily probe that covers the whole revision window: when it succeeds, the checksum is done. */
  completesChecksum?: boolean;
  /** Asks whether days not in yet are at the provider now (a daily probe, or the hours of the one day due). */
  probe?: boolean;
}

export interface PlannerSettings {
  zone: string;
  hourlyDays: number;
  dailyDays: number;
  monthlyMonths: number;
  /** How often the daily endpoint is read over the whole hourly window for revised days (default 24 h). */
  probeIntervalMs: number;
  /** How often the service checks (default 6 h): the margin on a lag that is not steady. */
  checkIntervalMs: number;
  /** The daily endpoint refuses longer ranges. */
  maxDailyRangeDays: number;
  /** How far back the provider keeps daily data: an outage is filled with days back to this, at most. */
  maxDailyHistoryDays: number;
  /** Extends the daily and monthly windows back to this date (backfill). */
  backfillFrom?: string;
}

/** Lag bounds that must agree before a provider counts as steady, and how often a steady one is measured again. */
const STEADY_BOUNDS = 4;
const REMEASURE_AFTER_MS = 3 * 86_400_000;
/** Totals may differ by rounding: a few tenths of a Wh per hour, never a real revision. */
const KWH_TOLERANCE = 0.005;
const COST_TOLERANCE = 0.005;
/** A check that runs a little earlier in the day than the one before still reads the checksum (clock drift, a slow run). */
const CHECKSUM_SLACK_MS = 3600_000;
/**
 * A day missing from the provider's answer while later days are there is a hole, not a late day,
 * once it is this much older than the newest day the provider has: it is recorded as empty and no
 * longer asked at every check (the daily checksum still reads it within the hourly window).
 */
const HOLE_AFTER_DAYS = 7;

/**
 * The next requests for one contract (pure). The caller runs them, records each answer with its
 * coverage in one transaction, and calls again until nothing is left; `progress` keeps one check
 * from asking anything twice (a failed or empty answer waits for the next check, not a loop).
 *
 * - At every check where a day up to yesterday is not in yet, one daily call from the first such
 *   day asks which days the provider has now (one request, however many days are late), so a day
 *   is in HA within one check interval of the provider having it. Once a probe interval, the call
 *   reaches back over the whole hourly window: the day totals are the checksum that finds revisions.
 * - Hourly days that exist but are missing, incomplete or disagree with their day total are asked
 *   one request a day (the provider refuses longer hourly ranges).
 * - After an outage (the newest stored day older than the daily window), the daily window reaches
 *   back to the day after it, so the gap is filled at the finest resolution still offered.
 * - Month totals for the periods older than the daily window.
 */
export function planContract(cov: ContractCoverage, nowMs: number, s: PlannerSettings, progress: CheckProgress = { asked: new Set() }): UsageRequest[] {
  const today = localDay(nowMs / 1000, s.zone);
  const yesterday = addDays(today, -1);
  const hourlyFrom = addDays(today, -s.hourlyDays);
  const dailyFrom = dailyWindowStart(cov, today, s);

  const pending = pendingDays(cov, dailyFrom, yesterday, s.zone);
  // Only days that may be at the provider by now: a steady provider costs one probe a day, not one a check.
  const floor = lagFloor(cov.lagBounds ?? [], nowMs, s);
  const due = pending.filter((d) => nowMs - dayStart(addDays(d, 1), s.zone) * 1000 > floor);
  // A probe reaches back over the hourly window (the checksum) once a day, and any probe in the
  // second half of that day does too: the checksum then rides on the day's probe, one login a day.
  const sinceChecksum = cov.lastChecksumAt === undefined ? Number.POSITIVE_INFINITY : nowMs - cov.lastChecksumAt;
  // With no day due, it waits up to one more check for one, so the day's probe carries it.
  const checksumDue = sinceChecksum >= s.probeIntervalMs - CHECKSUM_SLACK_MS && (due.length > 0 || sinceChecksum >= s.probeIntervalMs + s.checkIntervalMs - CHECKSUM_SLACK_MS);
  const withChecksum = checksumDue || (due.length > 0 && sinceChecksum >= s.probeIntervalMs / 2);
  const probedThisCheck = [...progress.asked].some((k) => k.startsWith("daily:"));
  const probeFrom = withChecksum ? (pending[0] !== undefined && pending[0] < hourlyFrom ? pending[0] : hourlyFrom) : due[0];
  if (probeFrom !== undefined && !probedThisCheck) {
    const chunks = chunkDays(probeFrom, yesterday, s.maxDailyRangeDays);
    const probe = chunks.map(([a, b], i) => ({
      interval: "daily" as const,
      from: a,
      to: b,
      key: `daily:${a}:${b}`,
      reason: cov.lastChecksumAt === undefined ? "first sync" : withChecksum ? "new and revised days" : "new days",
      probe: true,
      ...(withChecksum && i === chunks.length - 1 ? { completesChecksum: true } : {}),
    }));
    // A probe goes first and whole, once a check: what follows is planned from its answers.
    return probe;
  }

  const requests: UsageRequest[] = [];
  const monthly = neededMonths(cov, today, dailyFrom, s);
  if (monthly.length > 0) {
    const from = `${monthly[0]}-01`;
    const to = addDays(`${addMonths(monthly.at(-1)!, 1)}-01`, -1);
    const key = `monthly:${from}:${to}`;
    const askedAt = cov.monthlyAskedAt.get(key);
    const recently = askedAt !== undefined && nowMs - askedAt < s.probeIntervalMs - CHECKSUM_SLACK_MS;
    if (!progress.asked.has(key) && !recently) requests.push({ interval: "monthly", from, to, key, reason: "month totals older than the daily window" });
  }

  for (const day of daysBetween(hourlyFrom, yesterday)) {
    const daily = cov.daily.get(day);
    if (!daily || daily.rows === 0) continue; // not published by the provider (yet)
    const hourly = cov.hourly.get(day);
    const key = `hourly:${day}`;
    if (progress.asked.has(key)) continue;
    let reason: string | undefined;
    if (!hourly || hourly.rows === 0) reason = "new day";
    else if (daily.fetchedAt > hourly.fetchedAt) {
      // Asked since the provider last told us about this day: wait for its next day total.
      if (hourly.rows < hoursInDay(day, s.zone)) reason = "incomplete day";
      else if (disagrees(hourly, daily)) reason = "revised day";
    }
    if (reason) requests.push({ interval: "hourly", from: day, to: day, key, reason });
  }
  return requests;
}

/**
 * The first day whose total the daily endpoint is asked for: the daily window (or the backfill),
 * reaching back after an outage to the day after the newest day stored at any resolution.
 */
export function dailyWindowStart(cov: ContractCoverage, today: string, s: PlannerSettings): string {
  let from = addDays(today, -s.dailyDays);
  if (s.backfillFrom && s.backfillFrom < from) from = s.backfillFrom;
  const newest = newestStoredDay(cov);
  if (newest !== undefined && newest < addDays(from, -1)) {
    const limit = addDays(today, -s.maxDailyHistoryDays);
    const after = addDays(newest, 1);
    from = after > limit ? after : limit < from ? limit : from;
  }
  return from;
}

/**
 * How long after its end a day is first asked for (ms). Each bound says "this day was not there yet
 * this long after its end". At least four recent bounds that agree within a check interval are a
 * steady provider: a day is asked for only after the smallest (one probe a day), and every third
 * day from one check earlier, so the bounds stay measured. Otherwise (too few bounds, or an erratic
 * provider whose days may come at any time) a day is asked for at every check once it has ended.
 */
export function lagFloor(bounds: readonly { at: number; ms: number }[], nowMs: number, s: Pick<PlannerSettings, "checkIntervalMs">): number {
  if (bounds.length === 0) return 0;
  const ms = bounds.map((b) => b.ms);
  const min = Math.min(...ms);
  const steady = bounds.length >= STEADY_BOUNDS && Math.max(...ms) - min <= s.checkIntervalMs;
  const newest = Math.max(...bounds.map((b) => b.at));
  if (!steady) return 0;
  return nowMs - newest < REMEASURE_AFTER_MS ? min : Math.max(0, min - s.checkIntervalMs);
}

/** How long a measured lag bound counts: a provider that changes its rhythm is noticed within this. */
const LAG_MEMORY_MS = 30 * 86_400_000;

/** Per contract: when each day not in yet was last asked for and absent, and the lag bounds measured. */
export interface LagState {
  absent: Record<string, number>;
  bounds: { at: number; ms: number }[];
}

/**
 * What a probe's answer (asked at `at`, already stored in `cov`) says about the provider's lag: a
 * day still absent is remembered as absent at `at`; a day that arrived gives the bound "it was not
 * there this long after its end" when it was absent at the check just before (an older absence,
 * from a probe for an earlier day that only passed over it, says little and would pull the floor down).
 */
export function updateLag(prev: LagState, req: UsageRequest, cov: Pick<ContractCoverage, "daily" | "hourly">, at: number, s: Pick<PlannerSettings, "zone" | "checkIntervalMs">): LagState {
  const lag: LagState = { absent: { ...prev.absent }, bounds: [...prev.bounds] };
  for (const day of daysBetween(req.from, req.to)) {
    const end = dayStart(addDays(day, 1), s.zone) * 1000;
    if (end > at) continue;
    const total = cov.daily.get(day);
    const arrived = (total?.rows ?? 0) > 0 || (cov.hourly.get(day)?.rows ?? 0) >= hoursInDay(day, s.zone);
    const absentAt = lag.absent[day];
    if (!arrived && !total) lag.absent[day] = at;
    else {
      if (arrived && absentAt !== undefined && at - absentAt <= 1.5 * s.checkIntervalMs) lag.bounds.push({ at, ms: absentAt - end });
      delete lag.absent[day];
    }
  }
  lag.bounds = lag.bounds.filter((b) => at - b.at <= LAG_MEMORY_MS && b.ms >= 0);
  // Days absent for a month are holes or outages, not lags worth remembering.
  for (const [day, t] of Object.entries(lag.absent)) if (at - t > LAG_MEMORY_MS) delete lag.absent[day];
  return lag;
}

/**
 * Days of the daily window not in yet: no day total, and not all of their hours either (a day
 * fetched hour by hour before its day total counts as in; an incomplete one does not).
 */
export function pendingDays(cov: ContractCoverage, from: string, to: string, zone: string): string[] {
  return daysBetween(from, to).filter((d) => !cov.daily.has(d) && (cov.hourly.get(d)?.rows ?? 0) < hoursInDay(d, zone));
}

function newestStoredDay(cov: ContractCoverage): string | undefined {
  let newest: string | undefined;
  for (const map of [cov.daily, cov.hourly]) for (const [day, c] of map) if (c.rows > 0 && (newest === undefined || day > newest)) newest = day;
  for (const [month, c] of cov.monthly) {
    if (c.rows === 0) continue;
    const last = addDays(`${addMonths(month, 1)}-01`, -1);
    if (newest === undefined || last > newest) newest = last;
  }
  return newest;
}

/**
 * Days of a daily answer's range that the answer lacks although the provider has later days, and
 * that are old enough not to be late: holes in the provider's data, recorded as empty periods.
 */
export function holesInAnswer(from: string, to: string, answered: ReadonlySet<string>): string[] {
  const present = [...answered].sort();
  const newest = present.at(-1);
  if (newest === undefined) return [];
  const cutoff = addDays(newest, -HOLE_AFTER_DAYS);
  return daysBetween(from, to < cutoff ? to : cutoff).filter((d) => !answered.has(d));
}

function disagrees(hourly: PeriodCoverage, daily: PeriodCoverage): boolean {
  if (Math.abs(hourly.totalKwh - daily.totalKwh) > KWH_TOLERANCE + 0.0005 * hourly.rows) return true;
  if (hourly.cost !== null && daily.cost !== null && Math.abs(hourly.cost - daily.cost) > COST_TOLERANCE + 0.0005 * hourly.rows) return true;
  return false;
}

/** Months of the monthly window that start before the daily window and are not stored yet, nor known day by day. */
function neededMonths(cov: ContractCoverage, today: string, dailyFrom: string, s: PlannerSettings): string[] {
  const thisMonth = today.slice(0, 7);
  let from = addMonths(thisMonth, -s.monthlyMonths);
  if (s.backfillFrom && s.backfillFrom.slice(0, 7) < from) from = s.backfillFrom.slice(0, 7);
  const lastComplete = addMonths(thisMonth, -1);
  const dailyStart = dayStart(dailyFrom, s.zone);
  const everyDayKnown = (m: string) => daysBetween(`${m}-01`, addDays(`${addMonths(m, 1)}-01`, -1)).every((d) => cov.daily.has(d));
  return monthsBetween(from, lastComplete).filter((m) => monthStart(m, s.zone) < dailyStart && !cov.monthly.has(m) && !everyDayKnown(m));
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
