/**
 * Configuration: every invalid field is rejected by name (HA shows the message in its error card),
 * the visual editor's schema round-trips a config, the stub finds the backend's statistics, and the
 * card registers itself for the card picker.
 */
import { expect } from "@open-wc/testing";
import "../../card/src/energy-insights-card.js";
import { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { resolveConfig, validateConfig } from "../../card/src/energy-insights-card-config.js";
import { editorSchema, getConfigForm, type HaFormSchema } from "../../card/src/energy-insights-card-editor.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { describe, it } from "./helpers/mocha.js";
import { asHass } from "./helpers/mount.js";

const TYPE = "custom:energy-insights-card";

const INVALID: [string, Record<string, unknown>, RegExp][] = [
  ["type", { type: "custom:something-else" }, /"type" must be "custom:energy-insights-card"/],
  ["title", { title: 42 }, /"title" must be a text/],
  ["view", { view: "weekly" }, /"view" must be one of "hourly", "daily", "monthly" \(got "weekly"\)/],
  ["hourly_days", { hourly_days: 40 }, /"hourly_days" must be a whole number from 1 to 31 \(got 40\)/],
  ["hourly_days (fraction)", { hourly_days: 2.5 }, /"hourly_days" must be a whole number/],
  ["hourly_days (text)", { hourly_days: "9" }, /"hourly_days" must be a whole number from 1 to 31 \(got "9"\)/],
  ["daily_days", { daily_days: 0 }, /"daily_days" must be a whole number from 1 to 366/],
  ["monthly_months", { monthly_months: 61 }, /"monthly_months" must be a whole number from 1 to 60/],
  ["provider", { provider: "contact/energy", account: "1" }, /"provider" must be letters, digits/],
  ["account", { account: "---" }, /"account" must be an account or ICP/],
  ["paid_energy", { paid_energy: "Energy Insights:paid" }, /"paid_energy" must be a statistic id/],
  ["free_energy", { free_energy: 12 }, /"free_energy" must be a non-empty text \(got 12\)/],
  ["paid_cost", { paid_cost: "cost" }, /"paid_cost" must be a statistic id/],
  ["free_color", { free_color: "blue; background: url(x)" }, /"free_color" must be a colour/],
  ["paid_color", { paid_color: "#12345" }, /"paid_color" must be a colour/],
  ["paid_color (CSS smuggled in)", { paid_color: "rgb(0;position:fixed)" }, /"paid_color" must be a colour/],
  ["cost_color", { cost_color: ["#fff"] }, /"cost_color" must be a non-empty text \(got a list\)/],
  ["show_cost", { show_cost: "yes" }, /"show_cost" must be true or false \(got "yes"\)/],
  ["carbon_intensity", { carbon_intensity: "Carbon intensity" }, /"carbon_intensity" must be a statistic id such as "energy_insights:electricity_maps_nz_carbon_intensity"/],
  ["emissions", { emissions: 5 }, /"emissions" must be a non-empty text \(got 5\)/],
  ["carbon_overlay", { carbon_overlay: "area" }, /"carbon_overlay" must be one of "line", "bands", "none" \(got "area"\)/],
  ["cleanest_hours", { cleanest_hours: 13 }, /"cleanest_hours" must be a whole number from 0 to 12 \(got 13\)/],
  ["stack", { stack: "devices" }, /"stack" must be one of "tariff", "device" \(got "devices"\)/],
  ["period", { period: "week" }, /"period" must be "energy"/],
  ["collection_key", { collection_key: "energy_upstairs" }, /"collection_key" only applies with period: energy/],
  ["compare", { compare: "yoy" }, /"compare" must be one of "previous", "year", "none" \(got "yoy"\)/],
];

function leaves(schema: HaFormSchema[]): Extract<HaFormSchema, { selector: unknown }>[] {
  return schema.flatMap((s) => ("schema" in s ? leaves(s.schema) : [s]));
}

describe("energy-insights-card config", () => {
  for (const [field, patch, message] of INVALID) {
    it(`rejects an invalid ${field} with a message that names it`, () => {
      const card = new EnergyInsightsCard();
      expect(() => card.setConfig({ type: TYPE, ...patch })).to.throw(message);
      expect(() => card.setConfig({ type: TYPE, ...patch })).to.throw(/^Invalid configuration: /);
    });
  }

  it("rejects a config that is not an object", () => {
    expect(() => validateConfig(null)).to.throw(/must be an object/);
    expect(() => validateConfig("custom:energy-insights-card")).to.throw(/must be an object/);
  });

  it("accepts the documented options, empty editor fields and keys Home Assistant adds", () => {
    const card = new EnergyInsightsCard();
    const config = {
      type: TYPE,
      title: "Power",
      view: "daily",
      hourly_days: 31,
      daily_days: 366,
      monthly_months: 1,
      provider: "contact",
      account: "0000012345ABC",
      ...IDS,
      free_color: "var(--energy-non-fossil-color, #0f9d58)",
      paid_color: "rgb(254, 176, 25)",
      cost_color: "#abc",
      show_cost: true,
      grid_options: { columns: 12 },
      visibility: [],
      paid_energy_extra: "kept",
    };
    card.setConfig(config);
    expect(card.config).to.deep.equal(config);
    card.setConfig({ type: TYPE, title: "", account: "", free_color: "", paid_energy: "" });
  });

  it("the editor form round-trips a config: every field it shows is accepted, unknown keys stay", () => {
    const form = getConfigForm();
    const fields = leaves(form.schema).map((s) => s.name);
    expect(fields).to.have.members([
      "title", "view", "stack", "hourly_days", "daily_days", "monthly_months", "provider", "account",
      "paid_energy", "free_energy", "paid_cost", "free_color", "paid_color", "cost_color", "show_cost", "backend_url", "backend_addon",
      "carbon_intensity", "emissions", "carbon_overlay", "cleanest_hours", "period", "collection_key", "compare",
    ]);
    // hui-form-editor hands ha-form the whole config and emits what comes back: simulate a user editing every field.
    let config: Record<string, unknown> = { type: TYPE, ...IDS, view_layout: { position: "main" } };
    const values: Record<string, unknown> = {
      title: "Home", view: "monthly", stack: "device", hourly_days: 14, daily_days: 60, monthly_months: 24, provider: "contact",
      account: "0000012345ABC", paid_energy: IDS.paid_energy, free_energy: IDS.free_energy, paid_cost: IDS.paid_cost,
      free_color: "#008FFB", paid_color: "#FEB019", cost_color: "#00B8A9", show_cost: true,
      backend_url: "ingress", backend_addon: "fc6063be_energy_insights",
      carbon_intensity: "energy_insights:watttime_caiso_north_carbon_intensity",
      emissions: "energy_insights:contact_0000012345abc_emissions", carbon_overlay: "bands", cleanest_hours: 0,
      period: "energy", collection_key: "energy_upstairs", compare: "year",
    };
    for (const leaf of leaves(form.schema)) {
      config = { ...config, [leaf.name]: values[leaf.name] };
      form.assertConfig!(config as { type: string });
      expect(form.computeLabel!({ name: leaf.name }), `label of ${leaf.name}`).to.be.a("string").and.not.equal("");
    }
    const card = new EnergyInsightsCard();
    card.setConfig(config as { type: string });
    expect(card.config).to.deep.equal(config);
    expect(card.view).to.equal("monthly");
    // The same form reads back what it wrote: every value is allowed by its selector.
    for (const leaf of leaves(form.schema)) {
      const selector = leaf.selector as Record<string, { min?: number; max?: number; options?: { value: string }[] }>;
      const value = config[leaf.name];
      if (selector.number) expect(value).to.be.within(selector.number.min!, selector.number.max!);
      if (selector.select) expect(selector.select.options!.map((o) => o.value)).to.include(value);
      if (selector.boolean) expect(value).to.be.a("boolean");
    }
  });

  it("the editor's assertConfig rejects what the form cannot show (HA then falls back to YAML)", () => {
    const form = getConfigForm();
    expect(() => form.assertConfig!({ type: TYPE, view: "weekly" })).to.throw(/"view" must be one of/);
    expect(() => form.assertConfig!({ type: TYPE, hourly_days: "9" })).to.throw(/hourly_days/);
    expect(() => form.assertConfig!({ type: TYPE, hourly_days: 2.5 })).to.throw(/hourly_days/);
  });

  it("every editor field shows what the card uses when it is empty (ha-form's placeholder, or the helper for lists)", () => {
    const form = getConfigForm();
    const card = resolveConfig(validateConfig({ type: TYPE }));
    const defaults = Object.fromEntries(leaves(form.schema).map((f) => [f.name, (f as { default?: unknown }).default]));
    expect(defaults).to.deep.include({
      title: "Energy",
      view: card.view,
      stack: card.stack,
      hourly_days: card.spans.hourly,
      daily_days: card.spans.daily,
      monthly_months: card.spans.monthly,
      free_color: card.colors.free,
      paid_color: card.colors.paid,
      cost_color: card.colors.cost,
      show_cost: card.showCost,
      carbon_overlay: card.carbonOverlay,
      cleanest_hours: card.cleanestHours,
    });
    // The rest are found by the card when empty, and their helper says so.
    for (const name of Object.keys(defaults).filter((n) => defaults[n] === undefined)) {
      expect(["provider", "account", "paid_energy", "free_energy", "paid_cost", "backend_url", "backend_addon", "carbon_intensity", "emissions", "period", "collection_key", "compare"], name).to.include(name);
    }
    // The date picker and the comparison: empty is the card's own dates, and the picker's comparison (none without it).
    expect(card.energy).to.deep.equal({ followEnergy: false, collectionKey: undefined, compare: undefined });
    expect(form.computeHelper!({ name: "period" })).to.contain("Empty: The card's own");
    expect(form.computeHelper!({ name: "compare" })).to.contain("Empty: as the date picker compares");
    expect(form.computeHelper!({ name: "collection_key" })).to.contain("Empty: the dashboard's own");
    expect(form.computeHelper!({ name: "paid_energy" })).to.contain("Leave empty");
    expect(form.computeHelper!({ name: "view" })).to.contain("Empty: Hourly");
    expect(form.computeHelper!({ name: "stack" })).to.contain("Empty: Free and paid");
    expect(form.computeHelper!({ name: "carbon_overlay" })).to.contain("Empty: Line (own axis)");
    expect(form.computeHelper!({ name: "hourly_days" })).to.equal("From 1 to 31; empty: 9.");
  });

  it("number fields carry their range; a value out of it stays in the form, explained at the field (never YAML)", () => {
    const form = getConfigForm();
    const ranges = Object.fromEntries(leaves(form.schema).filter((f) => "number" in f.selector).map((f) => [f.name, (f.selector as { number: { min: number; max: number } }).number]));
    expect(ranges).to.deep.equal({
      hourly_days: { min: 1, max: 31, step: 1, mode: "box" },
      daily_days: { min: 1, max: 366, step: 1, mode: "box" },
      monthly_months: { min: 1, max: 60, step: 1, mode: "box" },
      cleanest_hours: { min: 0, max: 12, step: 1, mode: "box" },
    });
    const config = { type: TYPE, hourly_days: 40 };
    expect(() => form.assertConfig!(config)).to.not.throw();
    expect(form.computeHelper!({ name: "hourly_days" })).to.equal("40 is outside 1 to 31: the card does not draw with it. Use a number from 1 to 31.");
    expect(form.computeHelper!({ name: "daily_days" })).to.equal("From 1 to 366; empty: 35.");
    // The preview (the card) says the same in its error.
    expect(() => new EnergyInsightsCard().setConfig(config)).to.throw(/"hourly_days" must be a whole number from 1 to 31 \(got 40\)/);
    // Other problems are still found while one number is out of range.
    expect(() => form.assertConfig!({ ...config, view: "weekly" })).to.throw(/"view"/);
    form.assertConfig!({ type: TYPE, hourly_days: 12, cleanest_hours: -1 });
    expect(form.computeHelper!({ name: "hourly_days" })).to.equal("From 1 to 31; empty: 9.");
    expect(form.computeHelper!({ name: "cleanest_hours" })).to.contain("-1 is outside 0 to 12");
  });

  it("the editor labels follow the page language (HA sets <html lang>)", () => {
    const schema = editorSchema("pl");
    const view = leaves(schema).find((s) => s.name === "view")!;
    const options = (view.selector as { select: { options: { label: string }[] } }).select.options.map((o) => o.label);
    expect(options).to.deep.equal(["Godzinowo", "Dziennie", "Miesięcznie"]);
  });

  it("getStubConfig finds the backend's statistics (source energy_insights)", async () => {
    const other = { id: "sensor.energy", name: "x", unit: "kWh", unitClass: "energy", rows: [] };
    const fake = makeFakeHass({ statistics: [other, ...contactFixture({ from: [2026, 4, 1] })], timeZone: TZ });
    const stub = await EnergyInsightsCard.getStubConfig(asHass(fake));
    expect(stub).to.deep.equal({ type: TYPE, ...IDS });
    const empty = await EnergyInsightsCard.getStubConfig(asHass(makeFakeHass({ statistics: [] })));
    expect(empty).to.deep.equal({ type: TYPE });
    const failing = makeFakeHass({ statistics: [], fail: () => ({ code: "unauthorized", message: "Unauthorized" }) });
    expect(await EnergyInsightsCard.getStubConfig(asHass(failing))).to.deep.equal({ type: TYPE });
  });

  it("registers in window.customCards with a preview, and sizes itself for masonry and sections", () => {
    const entry = window.customCards?.find((c) => c.type === "energy-insights-card");
    expect(entry).to.include({ name: "Energy Insights", preview: true });
    expect(customElements.get("energy-insights-card")).to.equal(EnergyInsightsCard);
    const card = new EnergyInsightsCard();
    expect(card.getCardSize()).to.equal(6);
    // As tall as its content (on a phone the header's figures wrap onto more lines), 5 rows at least.
    expect(card.getGridOptions()).to.deep.equal({ columns: 12, min_columns: 6, rows: "auto", min_rows: 5 });
    expect(card.getLayoutOptions()).to.deep.equal({ grid_columns: 4, grid_min_columns: 2, grid_rows: "auto", grid_min_rows: 5 });
  });
});
