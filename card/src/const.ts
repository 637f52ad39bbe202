/** Names and defaults shared by the card, its editor and its data layer. */

export const CARD_ELEMENT = "energy-insights-card";
export const CARD_TYPE = `custom:${CARD_ELEMENT}`;
export const CARD_NAME = "Energy Insights";
export const CARD_VERSION = "0.1.0";

/** Where the empty state sends people: the README section that explains how to run the backend. */
export const DOCS_URL = "https://github.com/energy-insights/energy-insights#readme";
export const SETUP_URL = "https://github.com/energy-insights/energy-insights#run-the-backend";
export const TROUBLESHOOTING_URL = "https://github.com/energy-insights/energy-insights#troubleshooting";

/** `source` of every statistic the backend imports (DESIGN: statistics publisher). */
export { STATISTICS_SOURCE } from "../../server/src/statistics/ids.js";
export const DEFAULT_PROVIDER = "contact";

export const VIEWS = ["hourly", "daily", "monthly"] as const;
export type View = (typeof VIEWS)[number];

/** What the columns are split by: the tariff (free and paid) or the learned devices (plus "untracked"). */
export const STACKS = ["tariff", "device"] as const;
export type Stack = (typeof STACKS)[number];

/**
 * Devices with a series of their own in the by-device view; the rest are "other devices". Each
 * series costs ApexCharts one SVG path per column: 4 devices + other + untracked at 9 hourly days is
 * 6 × 216 paths (test/bench/card-render.ts measures it).
 */
export const MAX_DEVICE_SERIES = 4;

/** Default and largest span of each view. The hourly view is bounded because ApexCharts' stacked
 * columns slow down super-linearly with the number of bars (reference/card-anchors.md §7). */
export const VIEW_LIMITS = {
  hourly: { key: "hourly_days", default: 9, min: 1, max: 31 },
  daily: { key: "daily_days", default: 35, min: 1, max: 366 },
  monthly: { key: "monthly_months", default: 18, min: 1, max: 60 },
} as const;

/** The first design of this product chose these; both stay readable on light and dark themes. Now the fallbacks of THEME_COLORS. */
export const DEFAULT_COLORS = { free: "#008FFB", paid: "#FEB019", cost: "#00B8A9" } as const;

/**
 * The card's default colours: Home Assistant's Energy dashboard palette, so the card matches the
 * dashboard beside it (paid kWh are grid consumption there; free kWh take the palette's green), with
 * DEFAULT_COLORS where a theme or an older HA has no such variable. HA has no cost colour. A colour in
 * the config wins.
 */
export const THEME_COLORS = {
  free: `var(--energy-non-fossil-color, ${DEFAULT_COLORS.free})`,
  paid: `var(--energy-grid-consumption-color, ${DEFAULT_COLORS.paid})`,
  cost: DEFAULT_COLORS.cost,
} as const;

/** Statistic kinds the card reads, as they end the backend's statistic ids. */
export const KINDS = ["paid_energy", "free_energy", "paid_cost"] as const;
export type Kind = (typeof KINDS)[number];

/** How often a card showing the current period fetches again (the backend imports a few times a day). */
export const REFRESH_MS = 30 * 60 * 1000;

/** performance.mark names and the event the card fires once a chart is on screen (used by the bench). */
export const MARK_DATA_READY = "energy-insights:data-ready";
export const MARK_CHART_PAINTED = "energy-insights:chart-painted";
export const RENDERED_EVENT = "energy-insights-rendered";
