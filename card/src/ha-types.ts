/**
 * The part of Home Assistant's frontend `hass` object this card uses (home-assistant/frontend
 * src/types.ts, src/data/translation.ts). Kept small and local instead of depending on a helper package.
 */

export type NumberFormat = "language" | "system" | "comma_decimal" | "decimal_comma" | "space_comma" | "none";
export type TimeFormat = "language" | "system" | "12" | "24";
export type TimeZoneSetting = "local" | "server";

export interface FrontendLocaleData {
  language: string;
  number_format?: NumberFormat;
  time_format?: TimeFormat;
  time_zone?: TimeZoneSetting;
}

export interface HassConfig {
  time_zone: string;
  currency?: string;
}

export interface HomeAssistant {
  callWS<T>(msg: { type: string; [key: string]: unknown }): Promise<T>;
  locale: FrontendLocaleData;
  language?: string;
  config: HassConfig;
  themes?: { darkMode?: boolean; theme?: string };
  /** The frontend's login; its access token is refreshed by the frontend (the backend API checks it with HA). */
  auth?: { data?: { access_token?: string } };
  /** The frontend's websocket connection: the same object for as long as the page is open (the card keys its caches on it). */
  connection?: object;
  /** The logged-in user (the card's stored statistics catalog is kept per HA URL and user). */
  user?: { id: string };
  /** Entity states (the device panel reads friendly names). */
  states?: Record<string, { attributes?: { friendly_name?: unknown } } | undefined>;
}

/** A card config as Lovelace stores it: `type` plus whatever keys the card defines (and a few of HA's own). */
export interface LovelaceCardConfig {
  type: string;
  [key: string]: unknown;
}

/** Sections-view sizing (HA 2024.11+); 12 columns, rows of 56 px. */
export interface LovelaceGridOptions {
  columns?: number | "full";
  rows?: number | "auto";
  min_columns?: number;
  max_columns?: number;
  min_rows?: number;
  max_rows?: number;
}

/** `window.customCards` entry read by the card picker. */
export interface CustomCardEntry {
  type: string;
  name: string;
  description?: string;
  preview?: boolean;
  documentationURL?: string;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}
