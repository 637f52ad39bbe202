/**
 * `carbon/forecast`: the forecast each carbon job stored (`carbon:forecast:<series>` in the kv store,
 * raw 5-minute or hourly points) as hourly means, so the card can pick the cleanest hours ahead.
 */
import { statisticId, carbonSeries } from "../statistics/ids.js";
import { forecastKey, hourlyAggregates, type CarbonHealth } from "../sync/carbon-job.js";
import { INTENSITY_UNIT } from "../statistics/carbon.js";
import type { CarbonPoint } from "../sync/carbon-sources.js";
import type { CarbonForecastView } from "./protocol.js";

/** What the job stores: when it fetched, and the provider's points (epoch seconds, gCO2eq/kWh). */
interface StoredForecast {
  at: number;
  points: CarbonPoint[];
}

function parseStored(text: string | undefined): StoredForecast | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<StoredForecast>;
    if (typeof value.at !== "number" || !Array.isArray(value.points)) return undefined;
    const points = value.points.filter((p): p is CarbonPoint => typeof p?.at === "number" && typeof p.value === "number" && Number.isFinite(p.value));
    return { at: value.at, points };
  } catch {
    return undefined;
  }
}

/** Pure: each running intensity provider's stored forecast, hourly. Percentile providers and providers without a stored forecast are left out. */
export function carbonForecastViews(read: (key: string) => string | undefined, health: readonly CarbonHealth[]): CarbonForecastView[] {
  const out: CarbonForecastView[] = [];
  for (const h of health) {
    if (!h.account || h.signal !== "intensity") continue;
    const series = carbonSeries(h.provider, h.account, h.signal).mean;
    const stored = parseStored(read(forecastKey(series)));
    if (!stored || stored.points.length === 0) continue;
    out.push({
      provider: h.provider,
      region: h.account,
      statistic_id: statisticId(series),
      unit: INTENSITY_UNIT,
      fetched_at: new Date(stored.at).toISOString(),
      hours: hourlyAggregates(stored.points, Number.POSITIVE_INFINITY).map((x) => ({ start: new Date(x.start * 1000).toISOString(), intensity: x.mean })),
    });
  }
  return out;
}
