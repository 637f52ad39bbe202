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
import { CARD_NAME, CARD_VERSION, STACKS, THEME_COLORS, VIEWS, VIEW_LIMITS } from "./const.js";
import { CLEANEST_HOURS, DEFAULTS, validateConfig } from "./energy-insights-card-config.js";
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
  /** `default`: ha-form shows it as the field's placeholder (what the card uses when the field is empty). */
  | { name: string; selector: HaFormSelector; required?: boolean; default?: string | number | boolean }
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
  "period",
  "collection_key",
  "compare",
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
    default: VIEW_LIMITS[view].default,
  });
  const color = (name: "free" | "paid" | "cost"): HaFormSchema => ({ name: `${name}_color`, selector: { text: {} }, default: THEME_COLORS[name] });
  return [
    { name: "title", selector: { text: {} }, default: accounts.length > 1 ? t("accounts.all_title", { count: String(accounts.length) }) : t("card.default_title") },
    { name: "view", selector: { select: { mode: "dropdown", options: VIEWS.map((v) => ({ value: v, label: t(`view.${v}`) })) } }, default: DEFAULTS.view },
    {
      type: "grid",
      name: "",
      schema: [
        // Not required: HA's dropdown then offers an empty choice, which is the card's own dates.
        { name: "period", selector: { select: { mode: "dropdown", options: [{ value: "energy", label: t("editor.period_energy") }] } } },
        { name: "collection_key", selector: { text: {} } },
      ],
    },
    { name: "compare", selector: { select: { mode: "dropdown", options: COMPARE_CHOICES.map((v) => ({ value: v, label: t(`editor.compare_${v}`) })) } } },
    { name: "stack", selector: { select: { mode: "dropdown", options: STACKS.map((v) => ({ value: v, label: t(`editor.stack_${v}`) })) } }, default: DEFAULTS.stack },
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
        color("free"),
        color("paid"),
        color("cost"),
      ],
    },
    { name: "show_cost", selector: { boolean: {} }, default: DEFAULTS.showCost },
    { name: "backend_url", selector: { text: {} } },
    { name: "backend_addon", selector: { text: {} } },
    { name: "carbon_intensity", selector: { statistic: {} } },
    { name: "emissions", selector: { statistic: {} } },
    {
      type: "grid",
      name: "",
      schema: [
        { name: "carbon_overlay", selector: { select: { mode: "dropdown", options: CARBON_OVERLAYS.map((v) => ({ value: v, label: t(`editor.overlay_${v}`) })) } }, default: DEFAULTS.carbonOverlay },
        { name: "cleanest_hours", selector: { number: { min: CLEANEST_HOURS.min, max: CLEANEST_HOURS.max, step: 1, mode: "box" } }, default: CLEANEST_HOURS.default },
      ],
    },
  ];
}

/** `compare`'s choices; empty follows the date picker's comparison. */
const COMPARE_CHOICES = ["previous", "year", "none"] as const;

/** The whole-number fields with a range, as the form shows them. */
const RANGES: Record<string, { min: number; max: number; default: number }> = {
  ...Object.fromEntries(Object.values(VIEW_LIMITS).map((l) => [l.key, l])),
  cleanest_hours: CLEANEST_HOURS,
};

/** A whole number the form can show but the card does not take (outside its field's range). */
function outOfRange(config: Record<string, unknown>, field: string): number | undefined {
  const range = RANGES[field];
  const value = config[field];
  return range && typeof value === "number" && Number.isInteger(value) && (value < range.min || value > range.max) ? value : undefined;
}

export function getConfigForm(accounts: readonly DiscoveredAccount[] = []): LovelaceConfigForm {
  const language = editorLanguage();
  const t = localizer(language);
  const schema = editorSchema(language, accounts);
  const defaults = new Map(leaves(schema).map((f) => [f.name, f.default]));
  // What the form last showed: a number out of its range is explained at its field (the card refuses it).
  let shown: Record<string, unknown> = {};
  const selectLabel = (name: string, value: unknown) => {
    const leaf = leaves(schema).find((f) => f.name === name);
    const select = leaf && "select" in leaf.selector ? leaf.selector.select : undefined;
    return select?.options.find((o) => o.value === value)?.label ?? String(value);
  };
  const extra = (name: string): string | undefined =>
    name === "title"
      ? `${CARD_NAME} card ${CARD_VERSION}`
      : name === "paid_energy" || name === "account"
        ? t("editor.statistics_helper")
        : name === "backend_url"
          ? t("editor.backend_helper")
          : name === "carbon_intensity"
            ? t("editor.carbon_helper")
            : name === "cleanest_hours"
              ? t("editor.cleanest_helper")
              : name === "period"
                ? `${t("editor.default", { value: t("editor.period_own") })} ${t("editor.period_helper")}`
                : name === "collection_key"
                  ? t("editor.collection_key_helper")
                  : name === "compare"
                    ? `${t("editor.compare_default")} ${t("editor.compare_helper")}`
                    : undefined;
  return {
    schema,
    // HA falls back to YAML when this throws: only for what the form cannot show. A whole number out of
    // its range stays in the form, explained at its field.
    assertConfig: (config) => {
      shown = { ...config };
      const inRange = { ...config };
      for (const field of Object.keys(RANGES)) if (outOfRange(inRange, field) !== undefined) inRange[field] = (RANGES[field] as { default: number }).default;
      validateConfig(inRange);
    },
    computeLabel: (schema) => ((EDITOR_FIELDS as readonly string[]).includes(schema.name) ? t(`editor.${schema.name}` as TranslationKey) : undefined),
    computeHelper: (field) => {
      const range = RANGES[field.name];
      const parts: string[] = [];
      if (range) {
        const bad = outOfRange(shown, field.name);
        parts.push(
          bad !== undefined
            ? t("editor.out_of_range", { value: String(bad), min: String(range.min), max: String(range.max) })
            : t("editor.range", { min: String(range.min), max: String(range.max), default: String(range.default) }),
        );
      } else {
        const value = defaults.get(field.name);
        // Text fields show their default as a placeholder; lists say theirs.
        if (value !== undefined && (field.name === "view" || field.name === "stack" || field.name === "carbon_overlay")) {
          parts.push(t("editor.default", { value: selectLabel(field.name, value) }));
        }
      }
      const more = extra(field.name);
      if (more) parts.push(more);
      return parts.length ? parts.join(" ") : undefined;
    },
  };
}

/** Every field of a schema, grids opened. */
export function leaves(schema: readonly HaFormSchema[]): Extract<HaFormSchema, { selector: unknown }>[] {
  return schema.flatMap((s) => ("schema" in s ? leaves(s.schema) : [s]));
}
