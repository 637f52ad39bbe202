/**
 * Pure: what the card shows (a loaded range, its config, the plot area) → the ApexCharts options of
 * its chart: the tariff or device columns, the selected device's events, the carbon overlay.
 */
import { chartWithCarbon } from "../carbon-view.js";
import type { Formatters } from "../common/format.js";
import type { ResolvedCardConfig } from "../energy-insights-card-config.js";
import type { LoadedRange } from "../data/statistics-controller.js";
import type { LocalizeFunc } from "../localize/localize.js";
import { eventAnnotations } from "./annotations.js";
import { withGhosts } from "./ghosts.js";
import { deviceChartOptions } from "./devices.js";
import type { PlotArea } from "./energy-insights-chart.js";
import { bucketLabels, type LabelGroup } from "./labels.js";
import { buildChartOptions, type ApexOptions, type ChartTheme } from "./options.js";
import type { PeriodTotal } from "./totals.js";

export interface ViewOptionsInput {
  data: LoadedRange;
  config: ResolvedCardConfig;
  /** The chart's width in px (labels: about one per 56 px). */
  width: number;
  /** The plot area once ApexCharts has laid it out. */
  plot: PlotArea | undefined;
  height: number;
  theme: ChartTheme;
  colors: { free: string; paid: string; cost: string; accent: string };
  /** The selected device's events, on the hourly chart with a backend. */
  events: { time: string; kind: string }[];
  fmt: Formatters;
  t: LocalizeFunc;
  /** The server's time zone (days and months HA holds only as totals are named in it). */
  serverZone: string;
}

/** How a period held only as a total is named: in its tooltip, and on its band. */
function totalTitle(total: PeriodTotal, fmt: Formatters, t: LocalizeFunc, zone: string): { title: string; band: string } {
  if (total.kind === "day") {
    const period = fmt.date(total.start, zone, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
    return { title: t("totals.day_title", { period }), band: t("totals.day_band") };
  }
  const period = fmt.dateRange(total.start, total.end - 1, zone, { day: "numeric", month: "short", year: "numeric" });
  return { title: t("totals.month_title", { period }), band: t("totals.month_band") };
}

/** The chart's options, the day groups the card labels under an hourly chart, and the column names it labels under a daily or monthly one. */
export function viewOptions(input: ViewOptionsInput): { options: ApexOptions; groups: LabelGroup[]; columns: string[] } {
  const { data, config, fmt, t } = input;
  const plotWidth = input.plot?.width ?? 0;
  const labels = bucketLabels(data.buckets, data.range.view, data.range.timeZone, fmt, Math.floor((input.width || 600) / 56));
  const base = buildChartOptions({
    buckets: data.buckets,
    labels,
    names: { free: t("series.free"), paid: t("series.paid"), total: t("series.total"), cost: t("series.cost") },
    colors: { free: input.colors.free, paid: input.colors.paid, cost: input.colors.cost },
    showCost: config.showCost && !data.stack,
    hasCost: data.totals.cost !== null,
    theme: input.theme,
    height: input.height,
    plotWidth,
    totalTitle: (total) => totalTitle(total, fmt, t, input.serverZone),
    format: {
      energy: (kwh) => fmt.energy(kwh),
      axisEnergy: (kwh) => fmt.number(kwh, Math.abs(kwh) >= 10 ? 0 : 1),
      money: (value) => fmt.money(value, data.currency),
    },
    ...(data.pending ? { pending: { first: data.pending.first, count: data.pending.count, note: t("header.pending_tooltip") } } : {}),
  });
  const options = data.stack
    ? deviceChartOptions(base, {
        stack: data.stack,
        labels,
        names: { untracked: t("devices.untracked"), other: t("devices.other"), wholeHome: t("devices.whole_home") },
        format: { energy: (kwh) => fmt.energy(kwh) },
        notes: { excess: (kwh) => t("devices.excess", { kwh }), unmetered: t("devices.unmetered") },
      })
    : base;
  // The selected device's events as lines on the hourly chart (cleared with an empty list).
  if (config.backendUrl) {
    const marks = data.range.view === "hourly" && input.plot ? input.events : [];
    const events = marks.map((e) => ({ time: Date.parse(e.time), on: e.kind === "on" }));
    options.annotations = { ...options.annotations, xaxis: [...(options.annotations?.xaxis ?? []), ...eventAnnotations(data.buckets, events, plotWidth, input.colors.accent)] };
  }
  const carbon = data.carbonShown;
  const overlaid = carbon
    ? chartWithCarbon(options, carbon, { overlay: config.carbonOverlay, hourly: data.range.view === "hourly", width: plotWidth, t, fmt, axisLabelColor: input.theme.secondaryText })
    : options;
  // The compared period: faint, behind the columns, on their axis (chart/ghosts.ts).
  const compare = data.compare;
  const withCompare =
    compare && !data.stack
      ? withGhosts(overlaid, {
          ghosts: compare.ghosts,
          name: t(compare.range.mode === "year" ? "compare.year" : "compare.previous"),
          color: input.theme.secondaryText,
          format: { energy: (kwh) => fmt.energy(kwh) },
        })
      : overlaid;
  return { options: withCompare, groups: labels.groups, columns: labels.columns };
}
