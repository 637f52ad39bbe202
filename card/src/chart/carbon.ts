/**
 * Pure: the carbon overlay of the card. Intensity and emissions statistics (and the backend's
 * forecast) are lined up with the chart's buckets, then drawn either as a line on their own axis or
 * as background bands coloured from clean (green) to dirty (red) relative to the shown range; the
 * cleanest forecast hours are highlighted. WattTime's percentile signal is labelled as a percentile,
 * never as gCO2eq/kWh.
 */
import type { XAxisAnnotation } from "./annotations.js";
import type { Bucket } from "./buckets.js";
import { escapeHtml, type ApexOptions } from "./options.js";
import type { Statistics } from "../data/recorder.js";

export const CARBON_OVERLAYS = ["line", "bands", "none"] as const;
export type CarbonOverlay = (typeof CARBON_OVERLAYS)[number];

/** "percentile": WattTime's signal-index (0–100, unit "%"), not an intensity. */
export type CarbonSignal = "intensity" | "percentile";

const HOUR = 3_600_000;

export interface ForecastHour {
  /** Epoch ms of the hour's start. */
  start: number;
  intensity: number;
}

/** The carbon figures of each bucket, index for index with the chart's buckets. */
export interface CarbonSeries {
  signal: CarbonSignal;
  /** Mean intensity (or percentile) of each bucket; null where none. */
  intensity: (number | null)[];
  /** kg CO2eq of each bucket; null where none. */
  emissions: (number | null)[];
  /** True for buckets that are forecast hours (no energy, intensity from the forecast). */
  forecast: boolean[];
}

export interface CarbonIds {
  intensity?: string;
  emissions?: string;
}

/** The signal of an intensity statistic: from its unit ("%" is the percentile), else from its id. */
export function signalOf(statisticId: string, unit: string | null | undefined): CarbonSignal {
  if (unit) return unit.trim() === "%" ? "percentile" : "intensity";
  return statisticId.endsWith("_signal_index") ? "percentile" : "intensity";
}

/**
 * Buckets for every period the carbon statistics have and the energy statistics lack (intensity is
 * read hourly, energy arrives days late), and, when given, one per forecast hour after the last one.
 * Added buckets have no energy, so totals do not change.
 */
export function withCarbonBuckets(buckets: readonly Bucket[], stats: Statistics, ids: CarbonIds, forecast: readonly ForecastHour[] = []): Bucket[] {
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  for (const id of [ids.intensity, ids.emissions]) {
    for (const row of (id && stats[id]) || []) {
      if (!byStart.has(row.start)) byStart.set(row.start, { start: row.start, end: row.end, free: 0, paid: 0, cost: null });
    }
  }
  const sorted = [...byStart.values()].sort((a, b) => a.start - b.start);
  const lastEnd = sorted.at(-1)?.end ?? Number.NEGATIVE_INFINITY;
  for (const f of forecast) if (f.start >= lastEnd && !byStart.has(f.start)) sorted.push({ start: f.start, end: f.start + HOUR, free: 0, paid: 0, cost: null });
  return sorted.sort((a, b) => a.start - b.start);
}

/** Lines the statistics (and forecast hours that have no statistic) up with `buckets`. */
export function carbonSeries(buckets: readonly Bucket[], stats: Statistics, ids: CarbonIds, signal: CarbonSignal, forecast: readonly ForecastHour[] = []): CarbonSeries {
  const intensity = new Map<number, number>();
  const emissions = new Map<number, number>();
  for (const row of (ids.intensity && stats[ids.intensity]) || []) if (typeof row.mean === "number") intensity.set(row.start, row.mean);
  for (const row of (ids.emissions && stats[ids.emissions]) || []) if (typeof row.change === "number") emissions.set(row.start, row.change);
  const predicted = new Map(forecast.map((f) => [f.start, f.intensity]));
  const out: CarbonSeries = { signal, intensity: [], emissions: [], forecast: [] };
  for (const b of buckets) {
    const measured = intensity.get(b.start);
    const future = measured === undefined ? predicted.get(b.start) : undefined;
    out.intensity.push(measured ?? future ?? null);
    out.emissions.push(emissions.get(b.start) ?? null);
    out.forecast.push(future !== undefined);
  }
  return out;
}

export interface CarbonTotals {
  /** kg CO2eq over the measured buckets; null without an emissions row. */
  emissions: number | null;
  /** Mean of the measured buckets' intensities; null without any. */
  meanIntensity: number | null;
}

export function carbonTotals(series: CarbonSeries): CarbonTotals {
  let emissions: number | null = null;
  let sum = 0;
  let count = 0;
  series.intensity.forEach((v, i) => {
    const e = series.emissions[i];
    if (e !== null && e !== undefined) emissions = (emissions ?? 0) + e;
    if (v !== null && !series.forecast[i]) {
      sum += v;
      count += 1;
    }
  });
  return { emissions, meanIntensity: count ? sum / count : null };
}

/**
 * The `count` cleanest hours that start within `horizonMs` from the current hour, as runs of
 * consecutive hours (start, exclusive end), in time order. Ties go to the earlier hour.
 */
export function cleanestHours(forecast: readonly ForecastHour[], now: number, count = 3, horizonMs = 24 * HOUR): { start: number; end: number }[] {
  if (count <= 0) return [];
  const from = Math.floor(now / HOUR) * HOUR;
  const ahead = forecast.filter((f) => f.start >= from && f.start < now + horizonMs && Number.isFinite(f.intensity));
  const chosen = [...ahead]
    .sort((a, b) => a.intensity - b.intensity || a.start - b.start)
    .slice(0, count)
    .map((f) => f.start)
    .sort((a, b) => a - b);
  const runs: { start: number; end: number }[] = [];
  for (const start of chosen) {
    const last = runs.at(-1);
    if (last && last.end === start) last.end = start + HOUR;
    else runs.push({ start, end: start + HOUR });
  }
  return runs;
}

// ---- drawing -----------------------------------------------------------------------------------

/** Colour levels of the bands, clean → dirty. */
export const BAND_LEVELS = 5;
export const BAND_CLASS = "ei-carbon-band";
export const CLEANEST_CLASS = "ei-cleanest";
export const CLEANEST_COLOR = "#2e7d32";

/** Hue from green (level 0) to red (last level). */
export function bandColor(level: number): string {
  const hue = Math.round(120 * (1 - level / (BAND_LEVELS - 1)));
  return `hsl(${hue}, 75%, 45%)`;
}

/** Level of each value relative to the range of `values` (null stays null; one value or a flat range is level 0). */
export function bandLevels(values: readonly (number | null)[]): (number | null)[] {
  const present = values.filter((v): v is number => v !== null);
  if (!present.length) return values.map(() => null);
  const min = Math.min(...present);
  const span = Math.max(...present) - min;
  return values.map((v) => (v === null ? null : span > 0 ? Math.min(BAND_LEVELS - 1, Math.floor(((v - min) / span) * BAND_LEVELS)) : 0));
}

/**
 * Background rectangles, one per run of neighbouring buckets of the same level (few SVG nodes), placed in
 * pixels of a plot `width` wide: the hourly axis has no labels ApexCharts could place them by.
 */
export function intensityBands(values: readonly (number | null)[], width: number): XAxisAnnotation[] {
  if (width <= 0 || !values.length) return [];
  const slot = width / values.length;
  const levels = bandLevels(values);
  const out: XAxisAnnotation[] = [];
  let i = 0;
  while (i < levels.length) {
    const level = levels[i];
    let j = i;
    while (j + 1 < levels.length && levels[j + 1] === level) j += 1;
    if (level !== null && level !== undefined) {
      const color = bandColor(level);
      out.push({ x: `${px(i * slot)}px`, x2: `${px((j + 1) * slot)}px`, fillColor: color, borderColor: color, strokeDashArray: 0, opacity: 0.22, id: BAND_CLASS });
    }
    i = j + 1;
  }
  return out;
}

/** Highlight rectangles for the cleanest hours that fall on buckets of the chart. */
export function cleanestBands(buckets: readonly Bucket[], runs: readonly { start: number; end: number }[], width: number): XAxisAnnotation[] {
  if (width <= 0 || !buckets.length) return [];
  const slot = width / buckets.length;
  const out: XAxisAnnotation[] = [];
  for (const run of runs) {
    const first = buckets.findIndex((b) => b.start >= run.start && b.start < run.end);
    if (first < 0) continue;
    let last = first;
    while (last + 1 < buckets.length && (buckets[last + 1] as Bucket).start < run.end) last += 1;
    out.push({
      x: `${px(first * slot)}px`,
      x2: `${px((last + 1) * slot)}px`,
      fillColor: CLEANEST_COLOR,
      borderColor: CLEANEST_COLOR,
      strokeDashArray: 3,
      opacity: 0.3,
      id: CLEANEST_CLASS,
    });
  }
  return out;
}

function px(value: number): number {
  return Math.round(value * 10) / 10;
}

export interface CarbonDrawInput {
  series: CarbonSeries;
  overlay: CarbonOverlay;
  /** Series and axis name, e.g. "Carbon intensity" or "Carbon signal (percentile)". */
  name: string;
  /** Axis title: "gCO2eq/kWh" or "percentile (%)". */
  unitLabel: string;
  color: string;
  axisLabelColor: string;
  /** Bands and highlights need the plot width; without it (first layout) none are drawn. */
  width: number;
  /** Already placed highlights (cleanest hours). */
  highlights: XAxisAnnotation[];
  format: { intensity(value: number): string; emissions(kg: number): string };
  names: { intensity: string; emissions: string; forecast: string };
}

/**
 * Adds the overlay to options from `buildChartOptions`: a line series with its own (right-hand) axis,
 * or bands behind the columns; emissions and intensity rows in the tooltip.
 */
export function withCarbon(options: ApexOptions, input: CarbonDrawInput): ApexOptions {
  const out: ApexOptions = { ...options };
  const { series } = input;
  const existing = (options.series ?? []) as ApexAxisChartSeries;
  if (input.overlay === "line" && series.intensity.some((v) => v !== null)) {
    const merged = existing.some((s) => s.data.some((p) => p !== null && typeof p === "object"));
    const values = series.intensity.map((v) => (v === null ? null : Math.round(v * 10) / 10));
    out.series = [...existing, { name: input.name, type: "line", data: merged ? values.map((y, i) => ({ x: String(i), y })) : values }];
    const widths = options.stroke?.width;
    const before = Array.isArray(widths) ? widths : existing.map(() => (typeof widths === "number" ? widths : 0));
    out.stroke = { ...options.stroke, width: [...before, 2] };
    const colors = (options.colors ?? []) as string[];
    out.colors = [...existing.map((_, i) => colors[i] ?? input.color), input.color];
    const axes = Array.isArray(options.yaxis) ? options.yaxis : options.yaxis ? [options.yaxis] : [];
    const style = { colors: input.axisLabelColor, fontSize: "11px" };
    out.yaxis = [
      ...axes,
      {
        seriesName: input.name,
        opposite: true,
        min: 0,
        ...(input.series.signal === "percentile" ? { max: 100 } : { forceNiceScale: true }),
        tickAmount: 4,
        title: { text: input.unitLabel, style: { color: input.axisLabelColor, fontSize: "11px", fontWeight: 400 } },
        labels: { style, formatter: (v: number) => String(Math.round(v)) },
      },
    ];
  }
  const bands = input.overlay === "bands" ? intensityBands(series.intensity, input.width) : [];
  if (bands.length || input.highlights.length) {
    out.annotations = { ...options.annotations, xaxis: [...bands, ...(options.annotations?.xaxis ?? []), ...input.highlights] };
  }
  const base = options.tooltip?.custom;
  if (typeof base === "function") {
    out.tooltip = {
      ...options.tooltip,
      custom: (args: { dataPointIndex: number }) => {
        const html = String(base(args));
        const rows = carbonTooltipRows(input, args.dataPointIndex);
        return rows && html.endsWith("</div>") ? html.slice(0, -"</div>".length) + rows + "</div>" : html;
      },
    };
  }
  return out;
}

/** The tooltip's carbon rows of one bucket ("" when it has none). */
export function carbonTooltipRows(input: Pick<CarbonDrawInput, "series" | "format" | "names" | "color" | "overlay">, index: number): string {
  const { series } = input;
  const intensity = series.intensity[index];
  const emissions = series.emissions[index];
  const row = (color: string | null, name: string, value: string, key: string) =>
    `<div class="ei-tt-row" data-carbon="${key}">${color ? `<span class="ei-tt-dot" style="background:${escapeHtml(color)}"></span>` : ""}` +
    `<span class="ei-tt-name">${escapeHtml(name)}</span><span class="ei-tt-value">${escapeHtml(value)}</span></div>`;
  let out = "";
  if (emissions !== null && emissions !== undefined) out += row(null, input.names.emissions, input.format.emissions(emissions), "emissions");
  if (intensity !== null && intensity !== undefined) {
    const name = series.forecast[index] ? `${input.names.intensity} (${input.names.forecast})` : input.names.intensity;
    out += row(input.overlay === "line" ? input.color : null, name, input.format.intensity(intensity), "intensity");
  }
  return out;
}
