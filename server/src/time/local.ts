import { DateTime } from "luxon";

/** Calendar arithmetic in a named time zone. Day and month boundaries are never fixed offsets. */

export function assertZone(zone: string): void {
  if (!DateTime.now().setZone(zone).isValid) throw new Error(`unknown time zone "${zone}"`);
}

/** YYYY-MM-DD of the local day containing `epochSec`. */
export function localDay(epochSec: number, zone: string): string {
  return DateTime.fromSeconds(epochSec, { zone }).toISODate()!;
}

/** YYYY-MM of the local month containing `epochSec`. */
export function localMonth(epochSec: number, zone: string): string {
  return DateTime.fromSeconds(epochSec, { zone }).toFormat("yyyy-MM");
}

export function dayStart(day: string, zone: string): number {
  return DateTime.fromISO(day, { zone }).startOf("day").toSeconds();
}

export function dayEnd(day: string, zone: string): number {
  return DateTime.fromISO(day, { zone }).startOf("day").plus({ days: 1 }).toSeconds();
}

export function monthStart(month: string, zone: string): number {
  return DateTime.fromISO(`${month}-01`, { zone }).startOf("month").toSeconds();
}

export function monthEnd(month: string, zone: string): number {
  return DateTime.fromISO(`${month}-01`, { zone }).startOf("month").plus({ months: 1 }).toSeconds();
}

/** 23, 24 or 25 (DST days). */
export function hoursInDay(day: string, zone: string): number {
  return Math.round((dayEnd(day, zone) - dayStart(day, zone)) / 3600);
}

export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: "UTC" }).plus({ days: n }).toISODate()!;
}

export function addMonths(month: string, n: number): string {
  return DateTime.fromISO(`${month}-01`, { zone: "UTC" }).plus({ months: n }).toFormat("yyyy-MM");
}

/** Inclusive list of days from `from` to `to`. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

export function monthOfDay(day: string): string {
  return day.slice(0, 7);
}
