/**
 * When the card's chart needs new ApexCharts options: a key of everything besides the data that
 * changes them (locale, theme, colours, cost, carbon overlay, marked events, and the plot's width
 * when marks are placed in px). Pure, so the card only compares strings.
 */
import type { ResolvedCardConfig } from "../energy-insights-card-config.js";
import type { HomeAssistant } from "../ha-types.js";
import type { LoadedRange } from "../data/statistics-controller.js";
import type { LabelGroup } from "./labels.js";

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
