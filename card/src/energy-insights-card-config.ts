/**
 * The card's configuration: its type, its defaults, and the checks `setConfig` runs.
 *
 * Hand-written checks rather than a schema library: they cost nothing in the bundle and every
 * message names the field and says what is allowed, which is what Home Assistant shows the user.
 * Keys the card does not know are kept (Home Assistant adds its own, e.g. `grid_options`, `visibility`).
 */
import { CARD_TYPE, DEFAULT_PROVIDER, THEME_COLORS, KINDS, STACKS, VIEWS, VIEW_LIMITS, type Kind, type Stack, type View } from "./const.js";
import { accountStatisticId, slug, STATISTIC_OR_ENTITY_ID } from "../../server/src/statistics/ids.js";
import { INGRESS_BACKEND, ingressTarget } from "./data/ingress.js";
import type { LovelaceCardConfig } from "./ha-types.js";
import { CARBON_OVERLAYS, type CarbonOverlay } from "./chart/carbon.js";
import { isOptionProblem, readEnergyOptions, type EnergyCardOptions } from "./data/energy-date.js";

export interface EnergyInsightsCardConfig extends LovelaceCardConfig {
  type: string;
  title?: string;
  /** The view the card opens with (the user can switch in the card). */
  view?: View;
  /** Split the columns by tariff (free and paid, the default) or by learned device (the user can switch in the card). */
  stack?: Stack;
  hourly_days?: number;
  daily_days?: number;
  monthly_months?: number;
  /** With `account`: the statistics are `energy_insights:<provider>_<account>_<kind>`; alone: discovery keeps to this provider. */
  provider?: string;
  account?: string;
  /** Explicit statistic ids; each one wins over `provider`/`account`. */
  paid_energy?: string;
  free_energy?: string;
  paid_cost?: string;
  free_color?: string;
  paid_color?: string;
  cost_color?: string;
  /** Draw cost as its own line on a second axis (it is always in the tooltip). */
  show_cost?: boolean;
  /** The backend API (ws://, wss://, or http(s):// meaning the same host), or `ingress` (the add-on's): shows the device panel. */
  backend_url?: string;
  /** With `backend_url: ingress` (ignored otherwise): the add-on's slug, when it is not one of DEFAULT_ADDON_SLUGS. */
  backend_addon?: string;
  /** Carbon intensity statistic (`…_carbon_intensity`, or WattTime's `…_signal_index`); default: discovered. */
  carbon_intensity?: string;
  /** Emissions statistic (kg CO2eq); default: the one beside the energy statistics. */
  emissions?: string;
  /** How intensity is drawn on the chart: a line on its own axis, background bands, or not at all. */
  carbon_overlay?: CarbonOverlay;
  /** How many of the next 24 hours' cleanest forecast hours to highlight (needs `backend_url`); 0: none. */
  cleanest_hours?: number;
  /** `energy`: follow the Energy dashboard's date picker instead of the card's own ranges. */
  period?: "energy";
  /** With `period: energy`: which date picker (its collection key); default the dashboard's own. */
  collection_key?: string;
  /** Ghost columns and a header figure against the previous period or the same period a year earlier; `none` turns off the picker's comparison. */
  compare?: "previous" | "year" | "none";
}

/** The config with every default applied: what the card renders from. */
export interface ResolvedCardConfig {
  title: string | undefined;
  view: View;
  stack: Stack;
  spans: Record<View, number>;
  ids: Partial<Record<Kind, string>>;
  /** Slugged provider to keep discovery to (when no ids or account are configured). */
  provider: string | undefined;
  colors: { free: string; paid: string; cost: string };
  showCost: boolean;
  /** `backend_url` trimmed, `ingress` or `ingress:<backend_addon>` for the add-on's ingress; undefined: no device panel. */
  backendUrl: string | undefined;
  /** Explicit carbon ids (others are found by the card). */
  carbon: { intensity: string | undefined; emissions: string | undefined };
  carbonOverlay: CarbonOverlay;
  cleanestHours: number;
  /** `period`, `collection_key` and `compare` (data/energy-date.ts). */
  energy: EnergyCardOptions;
}

export const CLEANEST_HOURS = { default: 3, min: 0, max: 12 } as const;

/** What the card uses for a field left out (the editor shows the same). */
export const DEFAULTS = { view: "hourly", stack: "tariff", showCost: false, carbonOverlay: "line" } as const satisfies {
  view: View;
  stack: Stack;
  showCost: boolean;
  carbonOverlay: CarbonOverlay;
};

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid configuration: ${message}`);
    this.name = "ConfigError";
  }
}

/** ws://, wss://, http:// or https://, a host, then an optional port and path (no spaces). */
const BACKEND_URL_OR_INGRESS = new RegExp(`^(?:${INGRESS_BACKEND}|(?:wss?|https?)://[^\\s/?#@]+(?:[/?#]\\S*)?)$`, "i");
const ADDON_SLUG = /^[a-z0-9_]+$/;
const COLOR = /^(?:#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgb|rgba|hsl|hsla)\([^();:]*\)|var\(--[A-Za-z0-9_-]+(?:,\s*[^();:]+)?\))$/;

/** `backend_url: ingress` (any case, surrounding spaces ignored, as the URL check does). */
function isIngress(value: unknown): boolean {
  return typeof value === "string" && value.trim().toLowerCase() === INGRESS_BACKEND;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "a list" : "an object";
}

function optionalString(config: Record<string, unknown>, field: string, pattern?: RegExp, what?: string): void {
  const value = config[field];
  // Absent or empty (what the visual editor leaves behind when a field is cleared) means "use the default".
  if (value === undefined || value === "") return;
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(field, `"${field}" must be a non-empty text (got ${show(value)}).`);
  }
  if (pattern && !pattern.test(value.trim())) {
    throw new ConfigError(field, `"${field}" must be ${what} (got ${show(value)}).`);
  }
}

function optionalInteger(config: Record<string, unknown>, field: string, min: number, max: number): void {
  const value = config[field];
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `"${field}" must be a whole number from ${min} to ${max} (got ${show(value)}).`);
  }
}

/** Throws a {@link ConfigError} naming the first bad field; returns the config unchanged otherwise. */
export function validateConfig(input: unknown): EnergyInsightsCardConfig {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ConfigError("", `the card configuration must be an object (got ${show(input)}).`);
  }
  const config = input as Record<string, unknown>;
  if (config.type !== CARD_TYPE) {
    throw new ConfigError("type", `"type" must be "${CARD_TYPE}" (got ${show(config.type)}).`);
  }
  if (config.title !== undefined && typeof config.title !== "string") {
    throw new ConfigError("title", `"title" must be a text (got ${show(config.title)}).`);
  }
  if (config.view !== undefined && !(VIEWS as readonly unknown[]).includes(config.view)) {
    throw new ConfigError("view", `"view" must be one of ${VIEWS.map((v) => `"${v}"`).join(", ")} (got ${show(config.view)}).`);
  }
  if (config.stack !== undefined && !(STACKS as readonly unknown[]).includes(config.stack)) {
    throw new ConfigError("stack", `"stack" must be one of ${STACKS.map((v) => `"${v}"`).join(", ")} (got ${show(config.stack)}).`);
  }
  for (const limit of Object.values(VIEW_LIMITS)) optionalInteger(config, limit.key, limit.min, limit.max);
  optionalString(config, "provider", /^[A-Za-z0-9_ -]+$/, "letters, digits, spaces, \"-\" or \"_\"");
  optionalString(config, "account", /[A-Za-z0-9]/, 'an account or ICP such as "0000012345ABC"');
  for (const kind of KINDS) {
    optionalString(config, kind, STATISTIC_OR_ENTITY_ID, 'a statistic id such as "energy_insights:contact_0000012345abc_' + kind + '"');
  }
  for (const field of ["carbon_intensity", "emissions"]) {
    optionalString(config, field, STATISTIC_OR_ENTITY_ID, `a statistic id such as "energy_insights:${field === "emissions" ? "contact_0000012345abc_emissions" : "electricity_maps_nz_carbon_intensity"}"`);
  }
  if (config.carbon_overlay !== undefined && !(CARBON_OVERLAYS as readonly unknown[]).includes(config.carbon_overlay)) {
    throw new ConfigError("carbon_overlay", `"carbon_overlay" must be one of ${CARBON_OVERLAYS.map((v) => `"${v}"`).join(", ")} (got ${show(config.carbon_overlay)}).`);
  }
  optionalInteger(config, "cleanest_hours", CLEANEST_HOURS.min, CLEANEST_HOURS.max);
  for (const field of ["free_color", "paid_color", "cost_color"]) {
    optionalString(config, field, COLOR, 'a colour such as "#008FFB", "rgb(0, 143, 251)" or "var(--accent-color)"');
  }
  optionalString(config, "backend_url", BACKEND_URL_OR_INGRESS, `"${INGRESS_BACKEND}" (the Energy Insights add-on) or a ws://, wss://, http:// or https:// URL such as "ws://homeassistant.local:8099"`);
  optionalString(config, "backend_addon", ADDON_SLUG, 'an add-on slug such as "fc6063be_energy_insights" (lowercase letters, digits and "_")');
  const energy = readEnergyOptions(config);
  if (isOptionProblem(energy)) throw new ConfigError(energy.field, energy.message);
  if (config.show_cost !== undefined && typeof config.show_cost !== "boolean") {
    throw new ConfigError("show_cost", `"show_cost" must be true or false (got ${show(config.show_cost)}).`);
  }
  return config as EnergyInsightsCardConfig;
}

export { slug };

/** The backend's statistic id of an account's kind (the backend's own module makes it). */
export function statisticIdFor(provider: string, account: string, kind: Kind): string | undefined {
  return accountStatisticId(provider, account, kind);
}

export function resolveConfig(config: EnergyInsightsCardConfig): ResolvedCardConfig {
  const ids: Partial<Record<Kind, string>> = {};
  for (const kind of KINDS) {
    const explicit = config[kind]?.trim();
    if (explicit) ids[kind] = explicit;
    else if (config.account) {
      const id = statisticIdFor(config.provider || DEFAULT_PROVIDER, config.account, kind);
      if (id) ids[kind] = id;
    }
  }
  return {
    title: config.title || undefined,
    view: config.view ?? DEFAULTS.view,
    stack: config.stack ?? DEFAULTS.stack,
    spans: {
      hourly: config.hourly_days ?? VIEW_LIMITS.hourly.default,
      daily: config.daily_days ?? VIEW_LIMITS.daily.default,
      monthly: config.monthly_months ?? VIEW_LIMITS.monthly.default,
    },
    ids,
    provider: config.provider ? slug(config.provider) : undefined,
    colors: {
      free: config.free_color?.trim() || THEME_COLORS.free,
      paid: config.paid_color?.trim() || THEME_COLORS.paid,
      cost: config.cost_color?.trim() || THEME_COLORS.cost,
    },
    showCost: config.show_cost ?? DEFAULTS.showCost,
    backendUrl: isIngress(config.backend_url) ? ingressTarget(config.backend_addon?.trim() || undefined) : config.backend_url?.trim() || undefined,
    carbon: { intensity: config.carbon_intensity?.trim() || undefined, emissions: config.emissions?.trim() || undefined },
    carbonOverlay: config.carbon_overlay ?? DEFAULTS.carbonOverlay,
    cleanestHours: config.cleanest_hours ?? CLEANEST_HOURS.default,
    energy: energyOptionsOf(config),
  };
}

/** `period`, `collection_key` and `compare` of a config `validateConfig` accepted. */
function energyOptionsOf(config: EnergyInsightsCardConfig): EnergyCardOptions {
  const options = readEnergyOptions(config);
  return isOptionProblem(options) ? { followEnergy: false, collectionKey: undefined, compare: undefined } : options;
}
