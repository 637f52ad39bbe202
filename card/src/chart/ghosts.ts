/**
 * Pure: the compared period (common/compare.ts) on the chart, as Home Assistant's energy cards show a
 * comparison: the earlier period's energy of each column, drawn faintly behind the current columns.
 *
 * ApexCharts 4.7 has no grouped stacks on this chart (the stacked free + paid columns, or the merged
 * column series of the hourly view), and putting the earlier columns side by side would halve every
 * column of a 217-hour view. So the ghosts are one translucent area (a single SVG path, so no cost in
 * render time) on the energy axis whose vertices sit on the column centres: ghost i is over column i.
 * A slot without a compared value (29 February, data not in) is a gap.
 */
import type { Bucket } from "./buckets.js";
import type { ApexOptions } from "./options.js";

export interface GhostInput {
  /** The compared bucket of each slot, or null. */
  ghosts: readonly (Bucket | null)[];
  /** The series' name in the tooltip: "Last week", "Same period last year". */
  name: string;
  color: string;
  format: { energy(kwh: number): string };
}

/** kWh of each ghost column (3 decimals, as the columns), null where there is none or it is a total band. */
export function ghostValues(ghosts: readonly (Bucket | null)[]): (number | null)[] {
  return ghosts.map((g) => (g && !g.total ? Math.round((g.free + g.paid) * 1000) / 1000 : null));
}

/** Adds the ghost series (last, after the carbon line if any) and its tooltip row to finished chart options. */
export function withGhosts(options: ApexOptions, input: GhostInput): ApexOptions {
  const existing = (options.series ?? []) as ApexAxisChartSeries;
  const merged = existing.some((s) => s.data.some((p) => p !== null && typeof p === "object"));
  const values = ghostValues(input.ghosts);
  const series: ApexAxisChartSeries = [...existing, { name: input.name, type: "area", data: merged ? values.map((y, i) => ({ x: String(i), y })) : values }];
  const perSeries = <T>(value: T | T[] | undefined, fallback: T, ghost: T): T[] => [
    ...existing.map((_, i) => (Array.isArray(value) ? (value[i] ?? fallback) : (value ?? fallback))),
    ghost,
  ];
  const colors = (options.colors ?? []) as string[];
  const axes = Array.isArray(options.yaxis) ? options.yaxis : options.yaxis ? [options.yaxis] : [];
  // The energy axis (the first) carries the ghosts, so they share the columns' scale.
  const [energy, ...rest] = axes;
  const names = energy?.seriesName === undefined ? [] : Array.isArray(energy.seriesName) ? energy.seriesName : [energy.seriesName];
  // Stacked columns: ApexCharts counts every series of the axis in the stack's height when it scales
  // it (with a cost or carbon axis beside it, the ghosts doubled the energy axis), so its top is set.
  const top = options.chart?.stacked ? niceTop(Math.max(stackedMax(existing), ...values.map((v) => v ?? 0)), typeof energy?.tickAmount === "number" ? energy.tickAmount : 4) : undefined;
  const energyAxis = energy ? { ...energy, seriesName: [...names, input.name], ...(top !== undefined ? { max: top } : {}) } : undefined;
  const yaxis = energyAxis ? (Array.isArray(options.yaxis) ? [energyAxis, ...rest] : energyAxis) : options.yaxis;
  const tooltip = options.tooltip?.custom;
  return {
    ...options,
    series,
    colors: [...existing.map((_, i) => colors[i] ?? input.color), input.color],
    stroke: {
      ...options.stroke,
      width: perSeries(options.stroke?.width as number | number[] | undefined, 0, 1.5),
      curve: [...existing.map(() => "straight" as const), "straight" as const],
      dashArray: perSeries(options.stroke?.dashArray as number | number[] | undefined, 0, 3),
    },
    fill: { ...options.fill, opacity: perSeries(options.fill?.opacity as number | number[] | undefined, 1, 0.18) },
    ...(yaxis ? { yaxis } : {}),
    ...(typeof tooltip === "function"
      ? {
          tooltip: {
            ...options.tooltip,
            custom: (args: { dataPointIndex: number }) => {
              const html = String(tooltip(args));
              const value = values[args.dataPointIndex];
              if (value === null || value === undefined || !html.endsWith("</div>")) return html;
              const row = `<div class="ei-tt-row" data-ghost><span class="ei-tt-dot" style="background:${input.color};opacity:.5"></span><span class="ei-tt-name">${escape(input.name)}</span><span class="ei-tt-value">${escape(input.format.energy(value))}</span></div>`;
              return html.slice(0, -"</div>".length) + row + "</div>";
            },
          },
        }
      : {}),
  };
}

/** The highest stack of the column series (their values added up per column). */
export function stackedMax(series: ApexAxisChartSeries): number {
  const sums: number[] = [];
  for (const s of series) {
    if (s.type !== "bar") continue;
    s.data.forEach((p, i) => {
      const y = p !== null && typeof p === "object" ? (p as { y?: unknown }).y : p;
      if (typeof y === "number") sums[i] = (sums[i] ?? 0) + y;
    });
  }
  return Math.max(0, ...sums.filter((v) => v !== undefined));
}

/** The axis top a nice scale of `ticks` steps (1, 2, 2.5 or 5 × 10ⁿ each) gives for `value`. */
export function niceTop(value: number, ticks: number): number {
  if (!(value > 0)) return ticks;
  const raw = value / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * magnitude;
  return Math.round(step * ticks * 1e9) / 1e9;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
