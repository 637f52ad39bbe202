/**
 * The visual editor, as an `ha-form` schema that Home Assistant renders itself (`static getConfigForm()`
 * on the card). HA's frontend has read `getConfigForm` from a card's class since 2023.5 (frontend
 * PR #16142, `hui-element-editor` → `hui-form-editor`), so 2024.3 has it. `hui-form-editor` hands
 * `ha-form` the whole config and emits what comes back, so keys the schema does not show are kept.
 *
 * Only selectors that 2024.3 already has are used (text, number, select, boolean, statistic, grid).
 * `assertConfig` runs the card's own checks: a config the form cannot show falls back to YAML with
 * the same message the card would show.
 */
import { CARD_NAME, CARD_VERSION, STACKS, VIEWS, VIEW_LIMITS } from "./const.js";
import { CLEANEST_HOURS, validateConfig } from "./energy-insights-card-config.js";
import { CARBON_OVERLAYS } from "./chart/carbon.js";
import type { LovelaceCardConfig } from "./ha-types.js";
import { accountLabel, splitAccountKey, type DiscoveredAccount } from "./data/discovery.js";
import { localizer, type TranslationKey } from "./localize/localize.js";

/** The subset of HA's `HaFormSchema` the editor uses. */
export type HaFormSelector =
  | { text: Record<string, never> | { type?: "text" | "color" } }
  | { number: { min: number; max: number; step?: number; mode?: "box" | "slider" } }
  | { select: { mode?: "dropdown" | "list"; custom_value?: boolean; options: { value: string; label: string }[] } }
  | { boolean: Record<string, never> }
  | { statistic: Record<string, never> };

export type HaFormSchema =
  | { name: string; selector: HaFormSelector; required?: boolean }
  | { type: "grid"; name: ""; schema: HaFormSchema[] };

export interface LovelaceConfigForm {
  schema: HaFormSchema[];
  assertConfig?: (config: LovelaceCardConfig) => void;
  computeLabel?: (schema: { name: string }) => string | undefined;
  computeHelper?: (schema: { name: string }) => string | undefined;
}

/** HA sets `<html lang>` to the user's language; getConfigForm is static and gets no `hass`. */
function editorLanguage(): string | undefined {
  return typeof document !== "undefined" ? document.documentElement.lang || undefined : undefined;
}

const EDITOR_FIELDS = [
  "title",
  "view",
  "stack",
  "hourly_days",
  "daily_days",
  "monthly_months",
  "provider",
  "account",
  "paid_energy",
  "free_energy",
  "paid_cost",
  "free_color",
  "paid_color",
  "cost_color",
  "show_cost",
  "backend_url",
  "backend_addon",
  "carbon_intensity",
  "emissions",
  "carbon_overlay",
  "cleanest_hours",
] as const;
export type EditorField = (typeof EDITOR_FIELDS)[number];

/**
 * @param accounts the backend's accounts found in HA: the account field becomes a dropdown of them
 *   (by name; a value typed by hand is still accepted), else it is a text field.
 */
export function editorSchema(language = editorLanguage(), accounts: readonly DiscoveredAccount[] = []): HaFormSchema[] {
  const t = localizer(language);
  const account: HaFormSchema = accounts.length
    ? {
        name: "account",
        selector: {
          select: {
            mode: "dropdown",
            custom_value: true,
            options: accounts.map((a) => ({ value: splitAccountKey(a.key).account, label: accountLabel(a) })),
          },
        },
      }
    : { name: "account", selector: { text: {} } };
  const span = (view: keyof typeof VIEW_LIMITS): HaFormSchema => ({
    name: VIEW_LIMITS[view].key,
    selector: { number: { min: VIEW_LIMITS[view].min, max: VIEW_LIMITS[view].max, step: 1, mode: "box" } },
  });
  return [
    { name: "title", selector: { text: {} } },
    { name: "view", selector: { select: { mode: "dropdown", options: VIEWS.map((v) => ({ value: v, label: t(`view.${v}`) })) } } },
    { name: "stack", selector: { select: { mode: "dropdown", options: STACKS.map((v) => ({ value: v, label: t(`editor.stack_${v}`) })) } } },
    { type: "grid", name: "", schema: [span("hourly"), span("daily"), span("monthly")] },
    { name: "paid_energy", selector: { statistic: {} } },
    { name: "free_energy", selector: { statistic: {} } },
    { name: "paid_cost", selector: { statistic: {} } },
    {
      type: "grid",
      name: "",
      schema: [
        { name: "provider", selector: { text: {} } },
        account,
      ],
    },
    {
      type: "grid",
      name: "",
      schema: [
        { name: "free_color", selector: { text: {} } },
        { name: "paid_color", selector: { text: {} } },
        { name: "cost_color", selector: { text: {} } },
      ],
    },
    { name: "show_cost", selector: { boolean: {} } },
    { name: "backend_url", selector: { text: {} } },
    { name: "backend_addon", selector: { text: {} } },
    { name: "carbon_intensity", selector: { statistic: {} } },
    { name: "emissions", selector: { statistic: {} } },
    {
      type: "grid",
      name: "",
      schema: [
        { name: "carbon_overlay", selector: { select: { mode: "dropdown", options: CARBON_OVERLAYS.map((v) => ({ value: v, label: t(`editor.overlay_${v}`) })) } } },
        { name: "cleanest_hours", selector: { number: { min: CLEANEST_HOURS.min, max: CLEANEST_HOURS.max, step: 1, mode: "box" } } },
      ],
    },
  ];
}

export function getConfigForm(accounts: readonly DiscoveredAccount[] = []): LovelaceConfigForm {
  const language = editorLanguage();
  const t = localizer(language);
  return {
    schema: editorSchema(language, accounts),
    assertConfig: (config) => {
      validateConfig(config);
    },
    computeLabel: (schema) => ((EDITOR_FIELDS as readonly string[]).includes(schema.name) ? t(`editor.${schema.name}` as TranslationKey) : undefined),
    computeHelper: (schema) =>
      schema.name === "title"
        ? `${CARD_NAME} card ${CARD_VERSION}`
        : schema.name === "paid_energy" || schema.name === "account"
        ? t("editor.statistics_helper")
        : schema.name === "backend_url"
          ? t("editor.backend_helper")
          : schema.name === "carbon_intensity"
            ? t("editor.carbon_helper")
            : schema.name === "cleanest_hours"
              ? t("editor.cleanest_helper")
              : undefined,
  };
}
