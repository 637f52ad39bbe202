/**
 * Numbers, money and dates as the user set them in their Home Assistant profile: number format,
 * 12/24-hour time, language, and the "server" or "local" time zone (hass.locale).
 */
import type { FrontendLocaleData, HomeAssistant } from "../ha-types.js";
import { browserTimeZone, isValidTimeZone } from "./time.js";

/** HA's own mapping (home-assistant/frontend src/common/number/format_number.ts). */
export function numberLocale(locale: FrontendLocaleData): string | string[] | undefined {
  switch (locale.number_format) {
    case "comma_decimal":
      return ["en-US", "en"];
    case "decimal_comma":
      return ["de", "es", "it"];
    case "space_comma":
      return ["fr", "sv", "cs"];
    case "system":
      return undefined;
    default:
      return locale.language;
  }
}

function useAmPm(locale: FrontendLocaleData): boolean | undefined {
  if (locale.time_format === "12") return true;
  if (locale.time_format === "24") return false;
  if (locale.time_format === "system") return undefined;
  const test = new Date(2020, 0, 1, 13).toLocaleString(locale.language, { hour: "numeric" });
  return /AM|PM|am|pm/.test(test);
}

/** The zone used to show times: the server's when the user chose "server", else the browser's. */
export function displayTimeZone(hass: HomeAssistant): string {
  const server = hass.config?.time_zone;
  if (hass.locale?.time_zone === "server" && server && isValidTimeZone(server)) return server;
  return browserTimeZone();
}

/** The zone in which HA cuts day and month statistics: always the server's. */
export function serverTimeZone(hass: HomeAssistant): string {
  const server = hass.config?.time_zone;
  return server && isValidTimeZone(server) ? server : browserTimeZone();
}

export interface Formatters {
  language: string;
  number(value: number, fractionDigits?: number): string;
  energy(kwh: number): string;
  /** Money in the cost statistic's currency (a code such as "NZD"); plain number + unit for anything else. */
  money(value: number, currency: string | undefined): string;
  percent(fraction: number): string;
  date(ms: number, timeZone: string, options: Intl.DateTimeFormatOptions): string;
  /** A range of dates the way the language writes one ("Mar 30 – Apr 7, 2026", "30 mar – 7 kwi 2026"). */
  dateRange(start: number, end: number, timeZone: string, options: Intl.DateTimeFormatOptions): string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function safeLanguage(language: string | undefined): string {
  try {
    return Intl.getCanonicalLocales(language ?? "en")[0] ?? "en";
  } catch {
    return "en";
  }
}

export function makeFormatters(input: FrontendLocaleData): Formatters {
  const locale: FrontendLocaleData = { ...input, language: safeLanguage(input.language) };
  const numLocale = numberLocale(locale);
  const grouping = locale.number_format !== "none";
  const hour12 = useAmPm(locale);
  const nf = (opts: Intl.NumberFormatOptions) =>
    cached(`n|${JSON.stringify(numLocale)}|${JSON.stringify(opts)}`, () => new Intl.NumberFormat(numLocale, { useGrouping: grouping, ...opts }));
  const dateFormat = (timeZone: string, options: Intl.DateTimeFormatOptions) => {
    const opts: Intl.DateTimeFormatOptions = { timeZone, ...options };
    if (options.hour !== undefined && hour12 !== undefined) opts.hour12 = hour12;
    return cached(`d|${locale.language}|${JSON.stringify(opts)}`, () => new Intl.DateTimeFormat(locale.language, opts));
  };
  const number = (value: number, fractionDigits = 1) =>
    nf({ minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
  return {
    language: locale.language,
    number,
    energy: (kwh) => `${number(kwh, Math.abs(kwh) >= 100 ? 0 : Math.abs(kwh) >= 10 ? 1 : 2)} kWh`,
    money(value, currency) {
      if (currency && /^[A-Z]{3}$/.test(currency)) {
        try {
          return nf({ style: "currency", currency }).format(value);
        } catch {
          // an unknown code: fall through to number + unit
        }
      }
      return currency ? `${number(value, 2)} ${currency}` : number(value, 2);
    },
    percent: (fraction) => nf({ style: "percent", maximumFractionDigits: 0 }).format(fraction),
    date(ms, timeZone, options) {
      return dateFormat(timeZone, options).format(ms);
    },
    dateRange(start, end, timeZone, options) {
      return dateFormat(timeZone, options).formatRange(start, end);
    },
  };
}
