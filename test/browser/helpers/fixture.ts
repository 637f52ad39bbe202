/**
 * Statistics shaped like the backend imports them for one Contact Energy ICP in Pacific/Auckland:
 * hourly rows for the recent past; older days as one row in the day's first local hour; older months as
 * one row in the month's first hour (DESIGN: statistics publisher). "Good Nights" free hours 21:00–24:00.
 * Crosses both NZ DST changes (2025-09-28: 23 hours; 2026-04-05: 25 hours).
 */
import { localMidnight, localParts, type FixtureRow, type FixtureStatistic } from "./fake-hass.js";

export const TZ = "Pacific/Auckland";
export const ICP = "0000012345ABC";
export const IDS = {
  paid_energy: "energy_insights:contact_0000012345abc_paid_energy",
  free_energy: "energy_insights:contact_0000012345abc_free_energy",
  paid_cost: "energy_insights:contact_0000012345abc_paid_cost",
} as const;

const HOUR = 3_600_000;

export interface FixtureOptions {
  /** First local day with data. */
  from?: [number, number, number];
  /** First local day without data (data is 1–3 days late). */
  to?: [number, number, number];
  /** Hours from this local day on are hourly; before it, one row per day. */
  hourlyFrom?: [number, number, number];
  /** Days from this local day on are daily; before it, one row per month. */
  dailyFrom?: [number, number, number];
  /** Instead of free hours: this share of every hour is free (a plan with both in one hour: stacked columns). */
  freeShareEveryHour?: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function contactFixture(options: FixtureOptions = {}): FixtureStatistic[] {
  const [fy, fm, fd] = options.from ?? [2024, 9, 1];
  const [ty, tm, td] = options.to ?? [2026, 4, 7];
  const [hy, hm, hd] = options.hourlyFrom ?? [2026, 2, 26];
  const [dy, dm, dd] = options.dailyFrom ?? [2025, 8, 1];
  const from = localMidnight(fy, fm, fd, TZ);
  const to = localMidnight(ty, tm, td, TZ);
  const hourlyFrom = localMidnight(hy, hm, hd, TZ);
  const dailyFrom = localMidnight(dy, dm, dd, TZ);

  const paid: FixtureRow[] = [];
  const free: FixtureRow[] = [];
  const cost: FixtureRow[] = [];
  // Coarse rows go to the first hour of their local day or month.
  const add = (rows: FixtureRow[], start: number, change: number) => {
    const last = rows[rows.length - 1];
    if (last && last.start === start) last.change = round3(last.change + change);
    else rows.push({ start, change });
  };
  let dayStart = from;
  let monthStart = from;
  for (let t = from, i = 0; t < to; t += HOUR, i++) {
    const p = localParts(t, TZ);
    if (p.hour === 0) dayStart = t;
    if (p.hour === 0 && p.day === 1) monthStart = t;
    const usage = round3(0.3 + (p.hour >= 7 && p.hour <= 9 ? 0.5 : 0) + (p.hour >= 17 && p.hour <= 20 ? 0.8 : 0) + ((i * 7919) % 100) / 400);
    const share = options.freeShareEveryHour ?? (p.hour >= 21 ? 1 : 0);
    const freeKwh = round3(usage * share);
    const paidKwh = round3(usage - freeKwh);
    const price = (p.hour >= 7 && p.hour <= 10) || (p.hour >= 17 && p.hour <= 20) ? 0.36 : 0.27;
    const at = t >= hourlyFrom ? t : t >= dailyFrom ? dayStart : monthStart;
    add(paid, at, paidKwh);
    add(free, at, freeKwh);
    add(cost, at, round3(paidKwh * price));
  }
  return [
    { id: IDS.paid_energy, name: `Contact ${ICP} paid energy`, unit: "kWh", unitClass: "energy", rows: paid },
    { id: IDS.free_energy, name: `Contact ${ICP} free energy`, unit: "kWh", unitClass: "energy", rows: free },
    { id: IDS.paid_cost, name: `Contact ${ICP} paid cost`, unit: "NZD", unitClass: null, rows: cost },
  ];
}

/** Sum of a statistic's rows that start in [start, end): what HA's buckets in that range add up to. */
export function sumRows(stat: FixtureStatistic | undefined, start: number, end: number): number {
  let total = 0;
  for (const row of stat?.rows ?? []) if (row.start >= start && row.start < end) total += row.change;
  return total;
}

export function countRows(stat: FixtureStatistic | undefined, start: number, end: number): number {
  return (stat?.rows ?? []).filter((r) => r.start >= start && r.start < end).length;
}

export const CARBON_IDS = {
  intensity: "energy_insights:electricity_maps_nz_carbon_intensity",
  percentile: "energy_insights:watttime_nz_signal_index",
  emissions: "energy_insights:contact_0000012345abc_emissions",
} as const;

/** A made-up hour's intensity (gCO2eq/kWh): dirtier in the evening peak, never twice the same pattern in a row. */
export function intensityAt(t: number): number {
  const p = localParts(t, TZ);
  return round3(60 + (p.hour >= 17 && p.hour <= 20 ? 140 : 0) + (p.hour >= 1 && p.hour <= 4 ? -30 : 0) + (((t / HOUR) * 37) % 50));
}

/**
 * Hourly intensity (a mean statistic, as the backend publishes it) from `from` to `to`, which may run
 * past the energy (intensity is read hourly, energy days late), and the emissions of every hourly
 * energy row that has an intensity: (paid + free kWh) × intensity / 1000, kg CO2eq.
 */
export function carbonFixture(energy: FixtureStatistic[], from: number, to: number, options: { percentile?: boolean } = {}): FixtureStatistic[] {
  const intensity: FixtureRow[] = [];
  for (let t = from; t < to; t += HOUR) {
    const v = intensityAt(t);
    const mean = options.percentile ? Math.round((v / 250) * 100) : v;
    intensity.push({ start: t, change: 0, mean, min: mean - 1, max: mean + 1 });
  }
  const kwh = new Map<number, number>();
  for (const s of energy.filter((x) => x.id === IDS.paid_energy || x.id === IDS.free_energy)) for (const r of s.rows) kwh.set(r.start, (kwh.get(r.start) ?? 0) + r.change);
  const emissions: FixtureRow[] = [];
  if (!options.percentile) {
    for (const row of intensity) {
      const used = kwh.get(row.start);
      if (used !== undefined && row.start >= from) emissions.push({ start: row.start, change: round3((used * (row.mean as number)) / 1000) });
    }
  }
  return [
    options.percentile
      ? { id: CARBON_IDS.percentile, name: "WattTime NZ carbon signal index (percentile, not gCO2eq/kWh)", unit: "%", unitClass: null, rows: intensity, hasMean: true }
      : { id: CARBON_IDS.intensity, name: "Electricity Maps NZ carbon intensity", unit: "gCO2eq/kWh", unitClass: null, rows: intensity, hasMean: true },
    ...(emissions.length ? [{ id: CARBON_IDS.emissions, name: `Contact Energy ${ICP} emissions`, unit: "kg CO2eq", unitClass: null, rows: emissions }] : []),
  ];
}
