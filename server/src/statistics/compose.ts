import type { Reading } from "../store/rows.js";
import { dayEnd, dayStart, hoursInDay, localDay, monthEnd, monthStart } from "../time/local.js";
import type { SeriesStatistic } from "./ids.js";

export type { Reading };

/** One hourly statistics row to be imported, with the period whose total it carries. */
export interface ComposedRow {
  start: number;
  /** Exclusive end of the period this value covers: start + 3600 for an hour, the local day or month end otherwise. */
  end: number;
  value: number;
}

/** One hour of a mean statistic (carbon intensity): no state or sum. */
export interface MeanRow {
  start: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * A statistic with the rows HA should have of it: what a provider's module under `statistics/`
 * makes of the store's readings, and all the publisher needs. A sum statistic (energy, cost,
 * emissions) has `rows`; a mean statistic (carbon intensity) has `means`.
 */
export type StatisticRows = SeriesStatistic & ({ rows: ComposedRow[] } | { means: MeanRow[] });

export interface SeriesAtResolutions {
  hour: Reading[];
  day: Reading[];
  month: Reading[];
}

const EPS = 1e-9;

/**
 * The hourly rows HA gets for one series, each period at the finest resolution the store has:
 * a day's hours when the day is complete (or when no day total exists), else the day total in the
 * day's first hour, else what the month total leaves after its finer days, in the first hour of the
 * month's first day that has nothing finer (as HA's opower does). Nothing is counted twice.
 */
export function composeHourly(series: SeriesAtResolutions, zone: string): ComposedRow[] {
  const hoursByDay = new Map<string, Reading[]>();
  for (const r of series.hour) {
    const day = localDay(r.start, zone);
    const list = hoursByDay.get(day);
    if (list) list.push(r);
    else hoursByDay.set(day, [r]);
  }
  const dayTotals = new Map(series.day.map((r) => [localDay(r.start, zone), r.value]));

  const rows: ComposedRow[] = [];
  const coveredDays = new Map<string, number>();
  const days = new Set([...hoursByDay.keys(), ...dayTotals.keys()]);
  for (const day of days) {
    const hours = hoursByDay.get(day) ?? [];
    const total = dayTotals.get(day);
    const complete = hours.length >= hoursInDay(day, zone);
    if (hours.length > 0 && (complete || total === undefined)) {
      for (const h of hours) rows.push({ start: h.start, end: h.start + 3600, value: h.value });
      coveredDays.set(day, hours.reduce((s, h) => s + h.value, 0));
    } else if (total !== undefined) {
      rows.push({ start: dayStart(day, zone), end: dayEnd(day, zone), value: total });
      coveredDays.set(day, total);
    }
  }

  for (const m of series.month) {
    const month = localDay(m.start, zone).slice(0, 7);
    const start = monthStart(month, zone);
    const end = monthEnd(month, zone);
    let finer = 0;
    let firstUncovered: number | undefined;
    let uncoveredEnd = end;
    for (let t = start; t < end; t = dayEnd(localDay(t, zone), zone)) {
      const covered = coveredDays.get(localDay(t, zone));
      if (covered === undefined) firstUncovered ??= t;
      else {
        finer += covered;
        if (firstUncovered !== undefined && uncoveredEnd === end) uncoveredEnd = t;
      }
    }
    if (firstUncovered === undefined) continue;
    const remainder = Math.max(0, roundTo(m.value - finer));
    if (remainder > EPS || finer === 0) rows.push({ start: firstUncovered, end: uncoveredEnd, value: remainder });
  }

  return rows.sort((a, b) => a.start - b.start);
}

export function roundTo(x: number, decimals = 6): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
