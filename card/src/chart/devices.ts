/**
 * Pure: whole-home buckets and learned device energy → columns stacked by device.
 *
 * Each column is the whole home (paid + free, from the provider's meter) split into the learned
 * devices and "untracked" (whole home − devices, never below 0). Where the devices add up to more
 * than the whole home, the difference is kept as `excess` so the tooltip can say so instead of hiding
 * it. Hours with device energy but no meter row yet (the provider's data is 1–3 days late) become
 * columns of their own, marked unmetered: their untracked part is unknown, not 0.
 *
 * Every series costs ApexCharts one SVG path per column, so only the `maxDevices` biggest devices of
 * the range get a series; the rest are summed into "other devices" (the tooltip still names each).
 */
import type ApexCharts from "apexcharts";
import type { StatisticValue } from "../data/recorder.js";
import type { Bucket } from "./buckets.js";
import type { BucketLabels } from "./labels.js";
import { escapeHtml } from "./options.js";

type ApexOptions = ApexCharts.ApexOptions;

/** A learned device's energy statistic, `energy_insights:device_<entity>_energy`. */
export interface DeviceStatistic {
  statisticId: string;
  name: string;
}

export interface DeviceRows extends DeviceStatistic {
  /** HA's rows for the shown range (`change` per bucket, kWh). */
  rows: readonly StatisticValue[];
}

export type StackKind = "device" | "other" | "untracked";

export interface StackSeries {
  kind: StackKind;
  /** The device's statistic id; `other` and `untracked` for the grouped series. */
  key: string;
  /** The device's name (other/untracked are named by the chart, in the user's language). */
  name: string;
  color: string;
  /** kWh per bucket, rounded to 3 decimals like the card's other series. */
  values: number[];
}

export interface DeviceStack {
  /** The whole-home buckets plus the hours that only devices have, sorted by start. */
  buckets: Bucket[];
  /** Per bucket: whether the meter has a row for it (else whole home and untracked are unknown). */
  metered: boolean[];
  /** Bottom to top: devices by energy in the range, then "other devices", then "untracked". */
  series: StackSeries[];
  /** Every device with energy in the range, biggest first, for the tooltip (each one named; grouped ones in the colour of "other devices"). */
  devices: StackSeries[];
  /** Per bucket: kWh by which the devices exceed the metered whole home (0 where they do not). */
  excess: number[];
}

export interface StackOptions {
  /** Devices with a series of their own; the rest become "other devices". */
  maxDevices: number;
}

/** Distinct on light and dark themes; none is the grey of "untracked" or the slate of "other devices". */
export const DEVICE_PALETTE = [
  "#00B8A9",
  "#F6416C",
  "#775DD0",
  "#FF9800",
  "#3F51B5",
  "#8BC34A",
  "#E91E63",
  "#00BCD4",
  "#CDDC39",
  "#795548",
] as const;
export const OTHER_COLOR = "#78909C";
export const UNTRACKED_COLOR = "#BDBDBD";

/** Below this (kWh) a difference is rounding in HA's sums, not devices exceeding the meter. */
const EXCESS_TOLERANCE = 0.0005;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * A colour per statistic id that depends only on the set of devices, not on the range shown or on
 * which devices are biggest in it: ids in sorted order each take their hashed slot, or the next free one.
 */
export function deviceColors(statisticIds: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  for (const id of [...new Set(statisticIds)].sort()) {
    let slot = hash(id) % DEVICE_PALETTE.length;
    if (taken.size < DEVICE_PALETTE.length) while (taken.has(slot)) slot = (slot + 1) % DEVICE_PALETTE.length;
    taken.add(slot);
    colors.set(id, DEVICE_PALETTE[slot] as string);
  }
  return colors;
}

export function stackByDevice(whole: readonly Bucket[], devices: readonly DeviceRows[], options: StackOptions): DeviceStack {
  // The columns: every whole-home bucket, and every bucket start a device has that the meter has not.
  const byStart = new Map<number, Bucket>();
  for (const b of whole) byStart.set(b.start, b);
  const meteredStarts = new Set(byStart.keys());
  for (const d of devices) {
    for (const row of d.rows) {
      if (!byStart.has(row.start) && (row.change ?? 0) !== 0) byStart.set(row.start, { start: row.start, end: row.end, free: 0, paid: 0, cost: null });
    }
  }
  const buckets = [...byStart.values()].sort((a, b) => a.start - b.start);
  const index = new Map(buckets.map((b, i) => [b.start, i]));
  const metered = buckets.map((b) => meteredStarts.has(b.start));

  const colors = deviceColors(devices.map((d) => d.statisticId));
  const ranked = devices
    .map((d) => {
      const raw = new Array<number>(buckets.length).fill(0);
      for (const row of d.rows) {
        const i = index.get(row.start);
        if (i !== undefined) raw[i] = (raw[i] as number) + (row.change ?? 0);
      }
      return { device: d, raw, total: raw.reduce((a, b) => a + b, 0) };
    })
    .filter((d) => round(d.total) > 0)
    .sort((a, b) => b.total - a.total || a.device.statisticId.localeCompare(b.device.statisticId));

  // Grouping a single device into "other devices" saves no series: it keeps its own.
  const own = ranked.length <= options.maxDevices + 1 ? ranked : ranked.slice(0, Math.max(0, options.maxDevices));
  const grouped = ranked.slice(own.length);
  const deviceSeries = (d: (typeof ranked)[number], color = colors.get(d.device.statisticId) as string): StackSeries => ({
    kind: "device",
    key: d.device.statisticId,
    name: d.device.name,
    color,
    values: d.raw.map(round),
  });

  const sumDevices = buckets.map((_, i) => ranked.reduce((a, d) => a + (d.raw[i] as number), 0));
  const wholeKwh = buckets.map((b) => b.free + b.paid);
  const series: StackSeries[] = own.map((d) => deviceSeries(d));
  if (grouped.length) {
    series.push({
      kind: "other",
      key: "other",
      name: "",
      color: OTHER_COLOR,
      values: buckets.map((_, i) => round(grouped.reduce((a, d) => a + (d.raw[i] as number), 0))),
    });
  }
  series.push({
    kind: "untracked",
    key: "untracked",
    name: "",
    color: UNTRACKED_COLOR,
    values: buckets.map((_, i) => (metered[i] ? round(Math.max(0, (wholeKwh[i] as number) - (sumDevices[i] as number))) : 0)),
  });
  const excess = buckets.map((_, i) => {
    const over = (sumDevices[i] as number) - (wholeKwh[i] as number);
    return metered[i] && over > EXCESS_TOLERANCE ? round(over) : 0;
  });
  return { buckets, metered, series, devices: [...own.map((d) => deviceSeries(d)), ...grouped.map((d) => deviceSeries(d, OTHER_COLOR))], excess };
}

export interface DeviceChartInput {
  stack: DeviceStack;
  labels: BucketLabels;
  names: { untracked: string; other: string; wholeHome: string };
  format: { energy(kwh: number): string };
  /** Tooltip notes, already in the user's language. */
  notes: { excess(kwh: string): string; unmetered: string };
}

export function seriesName(s: StackSeries, names: DeviceChartInput["names"]): string {
  return s.kind === "device" ? s.name : s.kind === "other" ? names.other : names.untracked;
}

export function deviceTooltipHtml(input: DeviceChartInput, index: number): string {
  const { stack, names, format } = input;
  const bucket = stack.buckets[index];
  if (!bucket) return "";
  const row = (color: string | null, name: string, value: string, attrs = "") =>
    `<div class="ei-tt-row"${attrs}>${color ? `<span class="ei-tt-dot" style="background:${escapeHtml(color)}"></span>` : ""}` +
    `<span class="ei-tt-name">${escapeHtml(name)}</span><span class="ei-tt-value">${escapeHtml(value)}</span></div>`;
  const devices = stack.devices
    .filter((d) => (d.values[index] as number) > 0)
    .sort((a, b) => (b.values[index] as number) - (a.values[index] as number))
    .map((d) => row(d.color, d.name, format.energy(d.values[index] as number)))
    .join("");
  const untracked = stack.series[stack.series.length - 1] as StackSeries;
  const metered = stack.metered[index];
  const excess = stack.excess[index] as number;
  return (
    `<div class="ei-tt"><div class="ei-tt-title">${escapeHtml(input.labels.tooltip[index] ?? "")}</div>` +
    devices +
    (metered
      ? row(untracked.color, names.untracked, format.energy(untracked.values[index] as number)) + row(null, names.wholeHome, format.energy(bucket.free + bucket.paid))
      : `<div class="ei-tt-note" data-unmetered>${escapeHtml(input.notes.unmetered)}</div>`) +
    (excess > 0 ? `<div class="ei-tt-note ei-tt-warn" data-excess>${escapeHtml(input.notes.excess(format.energy(excess)))}</div>` : "") +
    `</div>`
  );
}

/** Where each hour's flat top starts and ends inside its slot [i, i + 1] of the hourly area chart. */
const EDGE = 0.01;

/**
 * The by-device chart from the card's usual options (`base`: axes, theme, sizes, no cost line): its
 * series, colours and tooltip replaced by the stack's.
 *
 * Days and months are stacked columns, as split by tariff. Hours are a stacked area on a numeric
 * axis instead, one SVG path per series rather than one per column and series: each hour is flat
 * across its slot [i, i + 1] (points at i + EDGE and i + 1 − EDGE), so it reads like columns without
 * gaps, and the slots are where the card puts its day labels and event marks. ApexCharts needed
 * 1.4 s for 6 × 217 stacked columns (test/bench/card-render.ts); the area takes a fraction of that.
 */
export function deviceChartOptions(base: ApexOptions, input: DeviceChartInput): ApexOptions {
  const { stack, names } = input;
  const baseAxis = (Array.isArray(base.yaxis) ? base.yaxis[0] : base.yaxis) ?? {};
  const { seriesName: _ignored, ...axis } = baseAxis;
  const hourly = input.labels.view === "hourly";
  const common: ApexOptions = {
    ...base,
    colors: stack.series.map((s) => s.color),
    yaxis: axis,
    tooltip: { ...base.tooltip, custom: ({ dataPointIndex }: { dataPointIndex: number }) => deviceTooltipHtml(input, hourly ? Math.floor(dataPointIndex / 2) : dataPointIndex) },
  };
  if (!hourly) {
    return {
      ...common,
      chart: { ...base.chart, stacked: true },
      series: stack.series.map((s) => ({ name: seriesName(s, names), type: "bar", data: s.values })),
      stroke: { width: 0 },
    };
  }
  const n = stack.buckets.length;
  return {
    ...common,
    chart: { ...base.chart, type: "area", stacked: true },
    series: stack.series.map((s) => ({
      name: seriesName(s, names),
      type: "area",
      data: s.values.flatMap((y, i) => [
        { x: i + EDGE, y },
        { x: i + 1 - EDGE, y },
      ]),
    })),
    stroke: { width: 0, curve: "straight" },
    fill: { type: "solid", opacity: 1 },
    xaxis: {
      ...base.xaxis,
      type: "numeric",
      min: 0,
      max: n,
      tickAmount: Math.min(n, 24),
      categories: [],
      labels: { show: false },
    },
  };
}
