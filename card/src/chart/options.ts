/**
 * Pure: buckets → ApexCharts options for stacked free + paid columns, with the cost of each bucket in
 * the tooltip and, optionally, as a line on a second axis.
 *
 * Everything that costs render time is off: animations, markers, data labels, toolbar, zoom,
 * selection, hover filters and Apex's own legend (the card draws its own). One bar per bucket HA
 * returned; nothing is resampled here.
 */
import type ApexCharts from "apexcharts";
import type { XAxisAnnotation } from "./annotations.js";
import type { Bucket } from "./buckets.js";
import type { BucketLabels } from "./labels.js";
import { totalRuns, type PeriodTotal } from "./totals.js";

export type ApexOptions = ApexCharts.ApexOptions;

export interface ChartTheme {
  dark: boolean;
  text: string;
  secondaryText: string;
  grid: string;
  background: string;
}

export interface ChartInput {
  buckets: Bucket[];
  labels: BucketLabels;
  names: { free: string; paid: string; total: string; cost: string };
  colors: { free: string; paid: string; cost: string };
  showCost: boolean;
  /** Whether any bucket has a cost (no cost axis or tooltip line otherwise). */
  hasCost: boolean;
  theme: ChartTheme;
  height: number;
  /** The plot area's width in px once ApexCharts has laid it out (0 before): bands of totals are placed in px. */
  plotWidth?: number;
  /** Title of a period HA only holds as a total, e.g. "Day total, no hourly data · Mon 30 Mar"; its band's label. */
  totalTitle?: (total: PeriodTotal) => { title: string; band: string };
  format: {
    energy(kwh: number): string;
    axisEnergy(kwh: number): string;
    money(value: number): string;
  };
  /** Slots the provider has not published yet (chart/pending.ts): their tooltip says so. */
  pending?: { first: number; count: number; note: string };
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** 3 decimals are enough for kWh and money and keep the series small. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Class (ApexCharts annotation id) of the band a day or month total is drawn as. */
export const TOTAL_BAND_CLASS = "ei-total-band";

export function tooltipHtml(input: ChartInput, index: number): string {
  const slot = input.buckets[index];
  if (!slot) return "";
  // A slot of a period held only as a total: the tooltip is the total's, named as one.
  const b = slot.total ?? slot;
  const title = slot.total ? (input.totalTitle?.(slot.total).title ?? "") : (input.labels.tooltip[index] ?? "");
  const row = (color: string | null, name: string, value: string) =>
    `<div class="ei-tt-row">${color ? `<span class="ei-tt-dot" style="background:${escapeHtml(color)}"></span>` : ""}` +
    `<span class="ei-tt-name">${escapeHtml(name)}</span><span class="ei-tt-value">${escapeHtml(value)}</span></div>`;
  return (
    `<div class="ei-tt"${slot.total ? ` data-total-kind="${slot.total.kind}"` : ""}><div class="ei-tt-title">${escapeHtml(title)}</div>` +
    row(input.colors.free, input.names.free, input.format.energy(b.free)) +
    row(input.colors.paid, input.names.paid, input.format.energy(b.paid)) +
    row(null, input.names.total, input.format.energy(b.free + b.paid)) +
    (input.hasCost ? row(input.showCost ? input.colors.cost : null, input.names.cost, b.cost === null ? "—" : input.format.money(b.cost)) : "") +
    (input.pending && index >= input.pending.first && index < input.pending.first + input.pending.count
      ? `<div class="ei-tt-note" data-pending>${escapeHtml(input.pending.note)}</div>`
      : "") +
    `</div>`
  );
}

/**
 * True when one column per bucket can show the stack: no bucket has both free and paid energy (the
 * usual hourly case: an hour is either free or paid). Only used where the card labels the axis itself,
 * because ApexCharts then takes categories from the points.
 */
export function canMergeSeries(input: Pick<ChartInput, "buckets" | "labels">): boolean {
  return input.labels.view === "hourly" && input.buckets.every((b) => round(b.free) === 0 || round(b.paid) === 0);
}

export function buildChartOptions(input: ChartInput): ApexOptions {
  const { buckets, names, colors, theme } = input;
  const withCostLine = input.showCost && input.hasCost;
  // Stacked columns cost ApexCharts one SVG path per bucket and series, and it slows down faster than
  // linearly with paths. Where every bucket is all free or all paid, a single series coloured per
  // column draws the same picture with half the paths (about 2.5× faster at 9 hourly days).
  const merged = canMergeSeries(input);
  const series: ApexAxisChartSeries = merged
    ? [
        {
          name: names.total,
          type: "bar",
          // Slots of a total have no column (null keeps them out of the y scale); the band shows them.
          data: buckets.map((b, i) => ({ x: String(i), y: b.total ? null : round(b.free + b.paid), fillColor: round(b.free) > 0 ? colors.free : colors.paid })),
        },
      ]
    : [
        { name: names.free, type: "bar", data: buckets.map((b) => (b.total ? null : round(b.free))) },
        { name: names.paid, type: "bar", data: buckets.map((b) => (b.total ? null : round(b.paid))) },
      ];
  if (withCostLine) {
    const cost = buckets.map((b) => (b.cost === null ? null : round(b.cost)));
    // ApexCharts wants every series of a mixed chart in the same data form.
    series.push({ name: names.cost, type: "line", data: merged ? cost.map((y, i) => ({ x: String(i), y })) : cost });
  }

  const axisLabelStyle = { colors: theme.secondaryText, fontSize: "11px" };
  const energyAxis: ApexYAxis = {
    seriesName: merged ? [names.total] : [names.free, names.paid],
    min: 0,
    forceNiceScale: true,
    tickAmount: 4,
    title: { text: "kWh", style: { color: theme.secondaryText, fontSize: "11px", fontWeight: 400 } },
    labels: { style: axisLabelStyle, formatter: (v: number) => input.format.axisEnergy(v) },
  };
  const yaxis: ApexYAxis[] = [energyAxis];
  if (withCostLine) {
    yaxis.push({
      seriesName: names.cost,
      opposite: true,
      min: 0,
      forceNiceScale: true,
      tickAmount: 4,
      labels: { style: axisLabelStyle, formatter: (v: number) => input.format.money(v) },
    });
  }

  const bands = totalBands(input);
  return {
    ...(bands.length ? { annotations: { xaxis: bands } } : {}),
    chart: {
      type: "bar",
      height: input.height,
      stacked: !merged,
      stackOnlyBar: true,
      background: "transparent",
      foreColor: theme.text,
      fontFamily: "inherit",
      parentHeightOffset: 0,
      animations: { enabled: false },
      toolbar: { show: false },
      zoom: { enabled: false },
      selection: { enabled: false },
      redrawOnParentResize: true,
      redrawOnWindowResize: true,
    },
    theme: { mode: theme.dark ? "dark" : "light" },
    series,
    colors: merged ? [colors.paid, colors.cost] : [colors.free, colors.paid, colors.cost],
    fill: { opacity: 1 },
    stroke: { width: withCostLine ? [...Array<number>(series.length - 1).fill(0), 2] : 0, curve: "straight" },
    markers: { size: 0, strokeWidth: 0, hover: { size: 0, sizeOffset: 0 } },
    dataLabels: { enabled: false },
    legend: { show: false },
    plotOptions: { bar: { columnWidth: buckets.length > 100 ? "100%" : "80%", borderRadius: 0 } },
    grid: {
      borderColor: theme.grid,
      strokeDashArray: 0,
      xaxis: { lines: { show: false } },
      yaxis: { lines: { show: true } },
      padding: { left: 4, right: 4, top: 0, bottom: 0 },
    },
    states: { hover: { filter: { type: "none" } }, active: { filter: { type: "none" } } },
    xaxis: {
      type: "category",
      categories: input.labels.axis,
      // Column i fills slot i of the plot (the card places its day labels and bands the same way); with
      // "on" the first and last columns were centred on the plot's edges, half cut off, and the first
      // one's outer half could not be hovered (its tooltip stayed on the previous column).
      tickPlacement: "between",
      // The card writes the axis labels itself under the plot, in every view (templates.ts): one SVG
      // text per hour cost ~40 ms at 9 days, and ApexCharts' label layout about a third of the daily render.
      labels: { show: false },
      axisTicks: { show: false },
      axisBorder: { color: theme.grid },
      tooltip: { enabled: false },
      crosshairs: { show: false },
    },
    yaxis: withCostLine ? yaxis : energyAxis,
    tooltip: {
      shared: true,
      intersect: false,
      theme: theme.dark ? "dark" : "light",
      followCursor: false,
      custom: ({ dataPointIndex }: { dataPointIndex: number }) => tooltipHtml(input, dataPointIndex),
    },
  };
}

/**
 * One band per period HA only holds as a total, across the slots of its period, in px of the plot
 * (the hourly axis has no labels ApexCharts could place it by), labelled as a total.
 */
export function totalBands(input: Pick<ChartInput, "buckets" | "plotWidth" | "totalTitle" | "colors" | "theme">): XAxisAnnotation[] {
  const width = input.plotWidth ?? 0;
  if (width <= 0 || !input.buckets.length) return [];
  const slot = width / input.buckets.length;
  return totalRuns(input.buckets).map((run) => {
    const left = run.first * slot;
    const right = (run.last + 1) * slot;
    const color = run.total.free > run.total.paid ? input.colors.free : input.colors.paid;
    const text = input.totalTitle?.(run.total).band ?? "";
    return {
      x: `${Math.round(left * 10) / 10}px`,
      x2: `${Math.round(right * 10) / 10}px`,
      fillColor: color,
      borderColor: color,
      strokeDashArray: 4,
      opacity: 0.18,
      id: TOTAL_BAND_CLASS,
      label: {
        text,
        // Wide enough for the words across; otherwise up the band.
        orientation: right - left >= text.length * 6 + 8 ? "horizontal" : "vertical",
        position: "top",
        borderWidth: 0,
        // ApexCharts writes the label at the band's left edge: centre it in the band.
        offsetX: Math.round(((right - left) / 2) * 10) / 10,
        textAnchor: "middle",
        style: { background: "transparent", color: input.theme.secondaryText, fontSize: "10px" },
      },
    };
  });
}
