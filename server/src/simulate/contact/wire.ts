/**
 * Usage records as Contact's API writes them: numbers as strings with 2 or 3 decimals, local
 * dates with their offset, free hours marked in both `offpeakValue` and `unchargedValue`
 * (shared/reference/providers.md §1.4).
 */
import type { SimAmounts } from "./data.js";

export interface WireUsageRecord {
  currency: "NZD";
  year: number;
  month: number;
  day: number;
  hour: number;
  date: string;
  value: string;
  dollarValue: string | null;
  offpeakValue: string;
  unchargedValue: string;
  offpeakDollarValue: string;
  unit: "kWh";
  timeZone: string;
  percentage: number;
  type: "dollar";
}

/** One hour, day or month to write: where it starts locally, and what it holds. */
export interface WirePeriod {
  /** Local YYYY-MM-DD of the start. */
  date: string;
  hour: number;
  offsetMin: number;
  amounts: SimAmounts;
  /** An hour inside a free-hours window (written with "0.00" off-peak dollars, as captured). */
  freeHour: boolean;
}

/** `withCost` false gives `dollarValue: null`, as the API does when `ba` is left out. */
export function toWireRecords(periods: readonly WirePeriod[], zone: string, withCost: boolean): WireUsageRecord[] {
  const totalWh = periods.reduce((sum, p) => sum + p.amounts.wh, 0);
  return periods.map((p) => {
    const [year, month, day] = p.date.split("-").map(Number) as [number, number, number];
    return {
      currency: "NZD",
      year,
      month,
      day,
      hour: p.hour,
      date: `${p.date}T${pad(p.hour)}:00:00.000${formatOffset(p.offsetMin)}`,
      value: formatKwh(p.amounts.wh),
      dollarValue: withCost ? formatMills(p.amounts.mills) : null,
      offpeakValue: formatKwh(p.amounts.freeWh),
      unchargedValue: formatKwh(p.amounts.freeWh),
      offpeakDollarValue: p.freeHour ? "0.00" : "0.000",
      unit: "kWh",
      timeZone: zone,
      percentage: totalWh === 0 ? 0 : Math.round((p.amounts.wh / totalWh) * 10_000) / 100,
      type: "dollar",
    };
  });
}

/** Wh as kWh with 3 decimals, or 2 when the third is 0 ("1.41", "17.152", "0.00"). */
export function formatKwh(wh: number): string {
  const text = formatThousandths(wh);
  return text.endsWith("0") ? text.slice(0, -1) : text;
}

/** Mills as NZD with 3 decimals ("0.505"). */
export function formatMills(mills: number): string {
  return formatThousandths(mills);
}

function formatThousandths(n: number): string {
  const abs = Math.abs(n);
  return `${n < 0 ? "-" : ""}${Math.trunc(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
