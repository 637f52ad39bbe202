/**
 * Calendar arithmetic in an IANA time zone with nothing but `Intl`.
 *
 * Days and months are moved on the civil calendar (year, month, day) and only then turned into an
 * instant in the zone, so a view never assumes a day is 24 hours or a month 30 days: DST days have
 * 23 or 25 hours and every day/month boundary is the zone's own midnight.
 */

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

export interface CivilDateTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partFormatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the zone (HA sends IANA names; a browser may lack a very new one). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    partFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Readings already made: a chart asks for the same hours several times (labels, totals, bands), and Intl's formatToParts is the slow part. */
const readings = new Map<string, Readonly<CivilDateTime>>();
const MAX_READINGS = 20_000;

/** The wall-clock reading of instant `ms` in `timeZone`. */
export function zonedParts(ms: number, timeZone: string): CivilDateTime {
  const key = `${timeZone}|${ms}`;
  const known = readings.get(key);
  if (known) return { ...known };
  const out: CivilDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of partFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type in out) out[part.type as keyof CivilDateTime] = Number(part.value);
  }
  if (readings.size >= MAX_READINGS) readings.clear();
  readings.set(key, { ...out });
  return out;
}

/** The zone's offset from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks show `civil` (midnight when no time is given). A wall time
 * skipped by a DST jump maps to the instant just after the jump, as HA's own date helpers do.
 */
export function zonedInstant(civil: CivilDate & Partial<CivilDateTime>, timeZone: string): number {
  const wall = Date.UTC(civil.year, civil.month - 1, civil.day, civil.hour ?? 0, civil.minute ?? 0, civil.second ?? 0);
  let ms = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(ms, timeZone);
  if (second !== ms) {
    // Near a transition the first guess used the other side's offset; keep the reading that lands on `wall`,
    // else (a skipped wall time) the later instant.
    ms = wall - offsetAt(second, timeZone) === second ? second : Math.max(ms, second);
  }
  return ms;
}

export function civilDateOf(ms: number, timeZone: string): CivilDate {
  const p = zonedParts(ms, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/** Calendar day arithmetic (no time zone involved: the civil calendar has no DST). */
export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The first day of the month `months` after `date`'s month. */
export function addMonths(date: CivilDate, months: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: 1 };
}

export function startOfDay(ms: number, timeZone: string): number {
  return zonedInstant(civilDateOf(ms, timeZone), timeZone);
}
