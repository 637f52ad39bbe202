/**
 * Strings in the user's Home Assistant language (hass.locale.language), falling back to English for a
 * language or a string we do not have. "pl-PL" and "pl" both find Polish.
 */
import type { HomeAssistant } from "../ha-types.js";
import { en, type Translation } from "./languages/en.js";
import { mi } from "./languages/mi.js";
import { pl } from "./languages/pl.js";

type Section = keyof Translation;
type Partial2<T> = { [K in keyof T]?: Partial<T[K]> };
export type TranslationKey = { [S in Section]: `${S}.${Extract<keyof Translation[S], string>}` }[Section];

const LANGUAGES: Record<string, Partial2<Translation>> = { en, pl, mi };

export const SUPPORTED_LANGUAGES = Object.keys(LANGUAGES);

export function resolveLanguage(language: string | undefined): string {
  if (!language) return "en";
  const lower = language.toLowerCase();
  if (LANGUAGES[lower]) return lower;
  const base = lower.split(/[-_]/)[0] ?? "";
  return LANGUAGES[base] ? base : "en";
}

export type LocalizeFunc = (key: TranslationKey, vars?: Record<string, string>) => string;

export function localizer(language: string | undefined): LocalizeFunc {
  const table = LANGUAGES[resolveLanguage(language)] ?? en;
  return (key, vars) => {
    const [section, name] = key.split(".") as [Section, string];
    const sectionTable = table[section] as Record<string, string> | undefined;
    const fallback = en[section] as Record<string, string>;
    let text = sectionTable?.[name] ?? fallback[name] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(v);
    return text;
  };
}

export function localize(hass: HomeAssistant | undefined, key: TranslationKey, vars?: Record<string, string>): string {
  return localizer(hass?.locale?.language ?? hass?.language)(key, vars);
}
