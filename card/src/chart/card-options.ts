/**
 * The card's chart options: when new ones are needed (a key of everything besides the data that
 * changes them: locale, theme, colours, cost, carbon overlay, marked events, and the plot's width
 * when marks are placed in px; pure, so the card only compares strings) and how they are assembled
 * from Home Assistant's locale and theme.
 */
import { makeFormatters, serverTimeZone } from "../common/format.js";
import { DEFAULT_COLORS } from "../const.js";
import type { ResolvedCardConfig } from "../energy-insights-card-config.js";
import type { HomeAssistant } from "../ha-types.js";
import type { LoadedRange } from "../data/statistics-controller.js";
import { localizer } from "../localize/localize.js";
import type { PlotArea } from "./energy-insights-chart.js";
import type { LabelGroup } from "./labels.js";
import type { ApexOptions } from "./options.js";
import { chartTheme, resolvedColor } from "./theme.js";
import { viewOptions } from "./view-options.js";

/** The key of the options for `data`; `plotWidth` counts only when something is placed in px (carbon bands or cleanest hours, total bands, marked events). */
export function chartOptionsKey(ctx: { data: LoadedRange; config: ResolvedCardConfig; hass: HomeAssistant; marksKey: string; plotWidth: number | undefined }): string {
  const { data, config, hass, marksKey } = ctx;
  const shown = data.carbonShown;
  const placedInPx = (shown && (config.carbonOverlay === "bands" || shown.cleanest.length > 0)) || data.buckets.some((b) => b.total) || marksKey;
  return [
    JSON.stringify(hass.locale ?? { language: "en" }),
    hass.themes?.darkMode,
    hass.themes?.theme,
    JSON.stringify(config.colors),
    config.showCost,
    config.carbonOverlay,
    marksKey,
    placedInPx ? ctx.plotWidth : "",
  ].join("|");
}

/** Whether two lists of day labels show the same (the card re-renders its labels only when not). */
export function sameLabelGroups(a: readonly LabelGroup[], b: readonly LabelGroup[]): boolean {
  return a.length === b.length && a.every((g, i) => g.first === b[i]?.first && g.text === b[i]?.text);
}

/** The ApexCharts options (and the hourly view's day labels) for `data`, in `host`'s theme colours and `hass`'s locale. */
export function cardChartOptions(
  host: Element,
  ctx: { data: LoadedRange; config: ResolvedCardConfig; hass: HomeAssistant; width: number; plot: PlotArea | undefined; height: number; events: { time: string; kind: string }[] },
): { options: ApexOptions; groups: LabelGroup[]; columns: string[] } {
  const { config, hass } = ctx;
  const locale = hass.locale ?? { language: "en" };
  return viewOptions({
    data: ctx.data,
    config,
    width: ctx.width,
    plot: ctx.plot,
    height: ctx.height,
    theme: chartTheme(host, Boolean(hass.themes?.darkMode)),
    colors: {
      free: resolvedColor(host, config.colors.free, DEFAULT_COLORS.free),
      paid: resolvedColor(host, config.colors.paid, DEFAULT_COLORS.paid),
      cost: resolvedColor(host, config.colors.cost, DEFAULT_COLORS.cost),
      accent: resolvedColor(host, "var(--accent-color)", "#ff5722"),
    },
    events: ctx.events,
    fmt: makeFormatters(locale),
    t: localizer(locale.language),
    serverZone: serverTimeZone(hass),
  });
}
