/**
 * The card's carbon parts, kept out of the card element: what a loaded range shows once the carbon
 * statistics and the backend's forecast are added (pure), the header total, the "cleanest hours
 * ahead" line, and the overlay added to the chart options.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { Bucket } from "./chart/buckets.js";
import {
  carbonSeries,
  carbonTotals,
  cleanestBands,
  cleanestHours,
  withCarbon,
  withCarbonBuckets,
  type CarbonOverlay,
  type CarbonSeries,
  type CarbonTotals,
  type ForecastHour,
} from "./chart/carbon.js";
import type { ApexOptions } from "./chart/options.js";
import type { Formatters } from "./common/format.js";
import type { View } from "./const.js";
import type { CarbonForecastView } from "./data/backend.js";
import type { CarbonStatistics } from "./data/carbon.js";
import type { LocalizeFunc } from "./localize/localize.js";

/** Line colour of the intensity; the bands go from green to red. */
export const CARBON_COLOR = "#8E24AA";

export interface CarbonShown {
  buckets: Bucket[];
  series: CarbonSeries;
  totals: CarbonTotals;
  /** The cleanest forecast hours ahead, as runs of hours. */
  cleanest: { start: number; end: number }[];
}

/** The forecast hours of the intensity statistic shown (a forecast is only ever in gCO2eq/kWh). */
export function forecastFor(forecasts: readonly CarbonForecastView[] | undefined, intensityId: string | undefined): ForecastHour[] {
  const match = forecasts?.find((f) => f.statistic_id === intensityId);
  return (match?.hours ?? []).map((h) => ({ start: Date.parse(h.start), intensity: h.intensity })).filter((h) => Number.isFinite(h.start));
}

/**
 * Buckets and carbon figures of a loaded range. The present hourly range goes on with the forecast
 * hours of the next 24 h (no energy yet), so the cleanest hours can be marked on the chart.
 */
export function shownCarbon(input: {
  buckets: Bucket[];
  carbon: CarbonStatistics | undefined;
  view: View;
  offset: number;
  now: number;
  forecasts: readonly CarbonForecastView[] | undefined;
  cleanestCount: number;
}): CarbonShown | undefined {
  const { carbon } = input;
  if (!carbon) return undefined;
  const hours = carbon.signal === "intensity" ? forecastFor(input.forecasts, carbon.ids.intensity) : [];
  const ahead = hours.filter((h) => h.start + 3_600_000 > input.now && h.start < input.now + 24 * 3_600_000);
  const extend = input.view === "hourly" && input.offset === 0 ? ahead : [];
  const buckets = withCarbonBuckets(input.buckets, carbon.stats, carbon.ids, extend);
  const series = carbonSeries(buckets, carbon.stats, carbon.ids, carbon.signal, extend);
  return { buckets, series, totals: carbonTotals(series), cleanest: cleanestHours(ahead, input.now, input.cleanestCount) };
}

export function intensityText(value: number, signal: CarbonSeries["signal"], fmt: Formatters): string {
  return signal === "percentile" ? `${fmt.number(value, 0)} %` : `${fmt.number(value, 0)} gCO2eq/kWh`;
}

export function emissionsText(kg: number, fmt: Formatters): string {
  return `${fmt.number(kg, Math.abs(kg) >= 100 ? 0 : Math.abs(kg) >= 10 ? 1 : 2)} kg CO2eq`;
}

/** The overlay on the chart's options. */
export function chartWithCarbon(
  options: ApexOptions,
  shown: CarbonShown,
  ctx: { overlay: CarbonOverlay; hourly: boolean; width: number; t: LocalizeFunc; fmt: Formatters; axisLabelColor: string },
): ApexOptions {
  const { series } = shown;
  const percentile = series.signal === "percentile";
  return withCarbon(options, {
    series,
    // Bands and highlights only where one bucket is one hour; a line works in every view.
    overlay: ctx.overlay === "bands" && !ctx.hourly ? "none" : ctx.overlay,
    name: ctx.t(percentile ? "carbon.signal" : "carbon.intensity"),
    unitLabel: percentile ? ctx.t("carbon.percentile_unit") : "gCO2eq/kWh",
    color: CARBON_COLOR,
    axisLabelColor: ctx.axisLabelColor,
    width: ctx.width,
    highlights: ctx.hourly ? cleanestBands(shown.buckets, shown.cleanest, ctx.width) : [],
    format: { intensity: (v) => intensityText(v, series.signal, ctx.fmt), emissions: (kg) => emissionsText(kg, ctx.fmt) },
    names: { intensity: ctx.t(percentile ? "carbon.signal" : "carbon.intensity"), emissions: ctx.t("carbon.emissions"), forecast: ctx.t("carbon.forecast") },
  });
}

/** The header's emissions (with the mean intensity under it), or the mean intensity alone. */
export function renderCarbonTotal(shown: CarbonShown | undefined, fmt: Formatters, t: LocalizeFunc): TemplateResult | typeof nothing {
  if (!shown) return nothing;
  const { emissions, meanIntensity } = shown.totals;
  const mean = meanIntensity === null ? undefined : t("carbon.mean", { value: intensityText(meanIntensity, shown.series.signal, fmt) });
  if (emissions !== null) {
    return html`<div class="total" data-total="emissions">
      <span class="label">${t("carbon.emissions")}</span><span class="value">${emissionsText(emissions, fmt)}</span>${mean ? html`<span class="sub">${mean}</span>` : nothing}
    </div>`;
  }
  if (meanIntensity === null) return nothing;
  return html`<div class="total" data-total="intensity">
    <span class="label">${t(shown.series.signal === "percentile" ? "carbon.signal" : "carbon.intensity")}</span
    ><span class="value">${intensityText(meanIntensity, shown.series.signal, fmt)}</span>
  </div>`;
}

/** "Cleanest hours ahead: 01:00–04:00, 13:00–14:00" in the display zone. */
export function renderCleanest(shown: CarbonShown | undefined, fmt: Formatters, t: LocalizeFunc, timeZone: string): TemplateResult | typeof nothing {
  if (!shown?.cleanest.length) return nothing;
  const time = (ms: number) => fmt.date(ms, timeZone, { hour: "numeric", minute: "2-digit" });
  const hours = shown.cleanest.map((r) => `${time(r.start)}–${time(r.end)}`).join(", ");
  return html`<div class="cleanest" data-cleanest>${t("carbon.cleanest_ahead", { hours })}</div>`;
}
