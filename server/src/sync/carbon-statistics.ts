/**
 * The carbon statistics: `energy_insights:<provider>_<region or zone>_carbon_intensity` (hourly
 * mean/min/max, gCO2eq/kWh, no sum; WattTime's percentile as `..._signal_index`, unit %), and
 * `energy_insights:contact_<icp>_emissions` (hourly kWh × intensity, kg CO2eq, continuous sums
 * through the same publisher as energy).
 */
import type { Logger } from "pino";
import type { Connection } from "../ha/connection.js";
import type { SeriesStatistic } from "../statistics/ids.js";
import { publishMeanStatistic, publishStatistic, type MeanRow, type PublishOptions, type PublishResult } from "../ha/publisher.js";
import { seriesKey, statisticId, STATISTICS_SOURCE, carbonSeries } from "../statistics/ids.js";
import type { ComposedRow } from "../statistics/compose.js";
import { composeHourly, roundTo } from "../statistics/compose.js";
import type { Store } from "../store/store.js";

import type { CarbonProviderId, CarbonScope } from "./carbon-sources.js";
import { CONTACT } from "./contact-job.js";

export const INTENSITY_UNIT = "gCO2eq/kWh";
export const EMISSIONS_UNIT = "kg CO2eq";
const LABEL: Record<CarbonProviderId, string> = { watttime: "WattTime", electricity_maps: "Electricity Maps" };

/** The intensity statistic of a region or zone. HA has no unit converter for gCO2eq/kWh (nor %), so unit_class is null. */
export function intensityStatistic(provider: CarbonProviderId, account: string, signal: CarbonScope["signal"]): SeriesStatistic {
  const { mean } = carbonSeries(provider, account, signal);
  const name = signal === "intensity" ? `${LABEL[provider]} ${account} carbon intensity` : `${LABEL[provider]} ${account} carbon signal index (percentile, not gCO2eq/kWh)`;
  return { series: mean, stat: { statisticId: statisticId(mean), source: STATISTICS_SOURCE, name, unit: signal === "intensity" ? INTENSITY_UNIT : "%", unitClass: null, hasSum: false, hasMean: true } };
}

export function emissionsStatistic(icp: string): SeriesStatistic {
  const series = seriesKey(CONTACT, icp, "emissions");
  return { series, stat: { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Contact Energy ${icp} emissions`, unit: EMISSIONS_UNIT, unitClass: null, hasSum: true, hasMean: false } };
}

/** The stored hourly mean/min/max of an intensity series. */
export function intensityRows(store: Store, provider: CarbonProviderId, account: string, signal: CarbonScope["signal"]): MeanRow[] {
  const s = carbonSeries(provider, account, signal);
  const min = new Map(store.readings(s.min, "hour").map((r) => [r.start, r.value]));
  const max = new Map(store.readings(s.max, "hour").map((r) => [r.start, r.value]));
  return store.readings(s.mean, "hour").map((r) => ({ start: r.start, mean: r.value, min: min.get(r.start) ?? r.value, max: max.get(r.start) ?? r.value }));
}

/**
 * Hourly emissions of a contract: (paid + free kWh) × the hour's mean intensity / 1000, kg CO2eq.
 * Only hours with both a usage and an intensity; an hour whose intensity arrives later is added
 * then, and the publisher re-sends every later sum from it, so sums stay continuous.
 */
export function emissionsRows(kwhByHour: ReadonlyMap<number, number>, intensity: readonly MeanRow[]): ComposedRow[] {
  const rows: ComposedRow[] = [];
  for (const i of intensity) {
    const kwh = kwhByHour.get(i.start);
    if (kwh === undefined) continue;
    rows.push({ start: i.start, end: i.start + 3600, value: roundTo((kwh * i.mean) / 1000) });
  }
  return rows;
}

/**
 * Emissions of usage at any resolution: an hour's kWh × its intensity, and a day or month total
 * (where the provider has no hours) × the mean intensity of its hours, when every one of them has
 * an intensity; usage without them gets no emissions rather than a guess.
 */
export function emissionsOfPeriods(usage: readonly ComposedRow[], intensity: readonly MeanRow[]): ComposedRow[] {
  const byHour = new Map(intensity.map((i) => [i.start, i.mean]));
  const rows: ComposedRow[] = [];
  for (const u of usage) {
    let sum = 0;
    let hours = 0;
    for (let h = u.start; h < u.end; h += 3600) {
      const mean = byHour.get(h);
      if (mean === undefined) {
        hours = 0;
        break;
      }
      sum += mean;
      hours += 1;
    }
    if (hours > 0) rows.push({ start: u.start, end: u.end, value: roundTo((u.value * (sum / hours)) / 1000) });
  }
  return rows;
}

/** A contract's usage (paid + free) as HA gets it: each period at the finest resolution stored. */
export function contractUsage(store: Store, icp: string, zone: string): ComposedRow[] {
  const at = (resolution: "hour" | "day" | "month") => {
    const out = new Map<number, number>();
    for (const kind of ["paid_energy", "free_energy"] as const) {
      for (const r of store.readings(seriesKey(CONTACT, icp, kind), resolution)) out.set(r.start, roundTo((out.get(r.start) ?? 0) + r.value));
    }
    return [...out].sort((a, b) => a[0] - b[0]).map(([start, value]) => ({ start, value }));
  };
  return composeHourly({ hour: at("hour"), day: at("day"), month: at("month") }, zone);
}

/** A contract's stored hourly usage (paid + free), by hour start. */
export function contractKwhByHour(store: Store, icp: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const kind of ["paid_energy", "free_energy"] as const) {
    for (const r of store.readings(seriesKey(CONTACT, icp, kind), "hour")) out.set(r.start, roundTo((out.get(r.start) ?? 0) + r.value));
  }
  return out;
}

export interface CarbonPublishTarget {
  provider: CarbonProviderId;
  account: string;
  signal: CarbonScope["signal"];
}

/**
 * Publishes every intensity statistic, and each contract's emissions from `emissionsFrom` (an
 * intensity provider, never a percentile).
 */
export async function publishCarbon(
  conn: Connection,
  store: Store,
  targets: readonly CarbonPublishTarget[],
  opts: { icps: readonly string[]; zone: string; emissionsFrom?: CarbonPublishTarget; log?: Logger; publish?: PublishOptions },
): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  const publish = { ...opts.publish, ...(opts.log ? { log: opts.log } : {}) };
  for (const t of targets) {
    const { series, stat } = intensityStatistic(t.provider, t.account, t.signal);
    const res = await publishMeanStatistic(conn, store, series, stat, intensityRows(store, t.provider, t.account, t.signal), publish);
    if (res.rowsSent > 0) opts.log?.info({ statistic: stat.statisticId, rows: res.rowsSent }, "published statistics");
    results.push(res);
  }
  const source = opts.emissionsFrom;
  if (source && source.signal === "intensity") {
    const intensity = intensityRows(store, source.provider, source.account, source.signal);
    for (const icp of opts.icps) {
      const { series, stat } = emissionsStatistic(icp);
      const rows = emissionsOfPeriods(contractUsage(store, icp, opts.zone), intensity);
      const res = await publishStatistic(conn, store, series, stat, rows, publish);
      if (res.rowsSent > 0) opts.log?.info({ statistic: stat.statisticId, rows: res.rowsSent }, "published statistics");
      results.push(res);
    }
  }
  return results;
}
