/**
 * The carbon statistics: `energy_insights:<provider>_<region or zone>_carbon_intensity` (hourly
 * mean/min/max, gCO2eq/kWh, no sum; WattTime's percentile as `..._signal_index`, unit %), and
 * `energy_insights:contact_<icp>_emissions` (kWh × intensity, kg CO2eq, continuous sums through
 * the same publisher as energy). Pure: reading the providers and publishing are the carbon sync's.
 */
import type { Store } from "../store/store.js";
import { composeHourly, roundTo, type ComposedRow, type MeanRow, type StatisticRows } from "./compose.js";
import { carbonSeries, PROVIDER, seriesKey, statisticId, STATISTICS_SOURCE, type CarbonProviderId, type CarbonSignal, type SeriesStatistic } from "./ids.js";

export const INTENSITY_UNIT = "gCO2eq/kWh";
export const EMISSIONS_UNIT = "kg CO2eq";
const LABEL: Record<CarbonProviderId, string> = { watttime: "WattTime", electricity_maps: "Electricity Maps" };

/** A carbon provider's region or zone and what it gives there: one intensity statistic. */
export interface CarbonTarget {
  provider: CarbonProviderId;
  account: string;
  signal: CarbonSignal;
}

/** The intensity statistic of a region or zone. HA has no unit converter for gCO2eq/kWh (nor %), so unit_class is null. */
export function intensityStatistic(provider: CarbonProviderId, account: string, signal: CarbonSignal): SeriesStatistic {
  const { mean } = carbonSeries(provider, account, signal);
  const name = signal === "intensity" ? `${LABEL[provider]} ${account} carbon intensity` : `${LABEL[provider]} ${account} carbon signal index (percentile, not gCO2eq/kWh)`;
  return { series: mean, stat: { statisticId: statisticId(mean), source: STATISTICS_SOURCE, name, unit: signal === "intensity" ? INTENSITY_UNIT : "%", unitClass: null, hasSum: false, hasMean: true } };
}

export function emissionsStatistic(icp: string): SeriesStatistic {
  const series = seriesKey(PROVIDER.contact, icp, "emissions");
  return { series, stat: { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Contact Energy ${icp} emissions`, unit: EMISSIONS_UNIT, unitClass: null, hasSum: true, hasMean: false } };
}

/** The stored hourly mean/min/max of an intensity series. */
export function intensityRows(store: Store, target: CarbonTarget): MeanRow[] {
  const s = carbonSeries(target.provider, target.account, target.signal);
  const min = new Map(store.readings(s.min, "hour").map((r) => [r.start, r.value]));
  const max = new Map(store.readings(s.max, "hour").map((r) => [r.start, r.value]));
  return store.readings(s.mean, "hour").map((r) => ({ start: r.start, mean: r.value, min: min.get(r.start) ?? r.value, max: max.get(r.start) ?? r.value }));
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
      for (const r of store.readings(seriesKey(PROVIDER.contact, icp, kind), resolution)) out.set(r.start, roundTo((out.get(r.start) ?? 0) + r.value));
    }
    return [...out].sort((a, b) => a[0] - b[0]).map(([start, value]) => ({ start, value }));
  };
  return composeHourly({ hour: at("hour"), day: at("day"), month: at("month") }, zone);
}

/** The intensity emissions are computed from: an average one (Electricity Maps) before a marginal one (WattTime MOER); never a percentile. */
export function emissionsIntensity(targets: readonly CarbonTarget[]): CarbonTarget | undefined {
  return targets.find((t) => t.provider === PROVIDER.electricityMaps && t.signal === "intensity") ?? targets.find((t) => t.signal === "intensity");
}

/** Every intensity statistic of `targets` with its hours, then each contract's emissions (from `emissionsIntensity`). */
export function carbonStatisticRows(store: Store, targets: readonly CarbonTarget[], opts: { icps: readonly string[]; zone: string }): StatisticRows[] {
  const out: StatisticRows[] = targets.map((t) => ({ ...intensityStatistic(t.provider, t.account, t.signal), means: intensityRows(store, t) }));
  const source = emissionsIntensity(targets);
  if (source) {
    const intensity = intensityRows(store, source);
    for (const icp of opts.icps) out.push({ ...emissionsStatistic(icp), rows: emissionsOfPeriods(contractUsage(store, icp, opts.zone), intensity) });
  }
  return out;
}
