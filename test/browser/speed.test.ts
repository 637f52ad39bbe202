/**
 * Issue 13, speed: what the card asks Home Assistant before its first paint (one call when the ids are
 * in its config, two without: the statistics catalog, then the statistics), the catalog shared by the
 * cards of a page and kept across a reload (sessionStorage per HA URL and user), and one ApexCharts
 * chart per card, updated in place when the view, range or data change.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { RENDERED_EVENT } from "../../card/src/const.js";
import { makeFakeHass, type FakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, beforeEach, describe, it } from "./helpers/mocha.js";
import { click, mount, nextRender, shadow, unmountAll } from "./helpers/mount.js";

const statistics = contactFixture();
const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const DISCOVER = { type: "custom:energy-insights-card" };
const LIST = "recorder/list_statistic_ids";
const STATS = "recorder/statistics_during_period";

/** Mounts the card and returns it with the websocket calls it had made when its first chart was painted. */
async function mountCounting(fake: FakeHass, config: Record<string, unknown> & { type: string }): Promise<{ card: EnergyInsightsCard; before: string[] }> {
  let before: string[] = [];
  const card = await mount(fake, config, {
    prepare: (c) => c.addEventListener(RENDERED_EVENT, () => (before = fake.calls.map((m) => m.type)), { once: true }),
  });
  return { card, before };
}

/** A fake hass of a logged-in user, as HA's frontend gives cards (the catalog is stored per user). */
function userHass(): FakeHass {
  return Object.assign(makeFakeHass({ statistics, timeZone: TZ }), { user: { id: "user-1" } });
}

describe("speed: calls before the first paint", () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => {
    unmountAll();
    sessionStorage.clear();
  });

  it("ids in the config: exactly one call before the first paint, the statistics; the catalog is asked after it", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const { before } = await mountCounting(fake, CONFIG);
    expect(before).to.deep.equal([STATS]);
    // Afterwards, once: the catalog (accounts, devices, carbon statistics, units), nothing else.
    await waitUntil(() => fake.calls.length === 2, "the catalog is not asked after the paint");
    expect(fake.calls.map((c) => c.type)).to.deep.equal([STATS, LIST]);
    expect(fake.calls[1]).to.not.have.property("statistic_type"); // one list of every type
  });

  it("no ids: two calls before the first paint, the catalog and the statistics", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const { before } = await mountCounting(fake, DISCOVER);
    expect(before).to.deep.equal([LIST, STATS]);
  });

  it("a second card on the page uses the first card's catalog: one call", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    await mountCounting(fake, DISCOVER);
    fake.calls.length = 0;
    const { before } = await mountCounting(fake, { ...DISCOVER, view: "daily" });
    expect(before).to.deep.equal([STATS]);
  });

  it("after a reload (a new page, the same HA user): the stored catalog, one call without ids; the catalog is checked once, after the paint", async () => {
    const first = userHass();
    await mountCounting(first, DISCOVER);
    unmountAll();
    // A reload: a new hass object and connection for the same user; what the page kept in memory is gone.
    const again = userHass();
    const { before } = await mountCounting(again, DISCOVER);
    expect(before).to.deep.equal([STATS]);
    await waitUntil(() => again.calls.length === 2, "the catalog is not checked after the paint");
    expect(again.calls.map((c) => c.type)).to.deep.equal([STATS, LIST]);
  });

  it("a view switch asks for its statistics only (one call), and the timer's refresh checks the catalog again", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const { card } = await mountCounting(fake, CONFIG);
    await waitUntil(() => fake.calls.length === 2, "catalog");
    fake.calls.length = 0;
    const rendered = nextRender(card);
    await click(card, '[data-view="daily"]');
    await rendered;
    expect(fake.calls.map((c) => c.type)).to.deep.equal([STATS]);
    fake.calls.length = 0;
    const refreshed = nextRender(card);
    card.refresh();
    await refreshed;
    await waitUntil(() => fake.calls.length === 2, "the refresh does not check the catalog");
    expect(fake.calls.map((c) => c.type)).to.deep.equal([STATS, LIST]);
  });
});

describe("speed: one chart, updated", () => {
  afterEach(unmountAll);

  it("moving back and forth and switching between the daily and monthly views update the same ApexCharts chart in the same element", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily" });
    const element = shadow(card).querySelector("energy-insights-chart");
    // ApexCharts draws a new SVG on each update, inside the canvas of its chart, whose id is the chart's own.
    const chartId = shadow(card).querySelector(".apexcharts-canvas")?.id;
    expect(element).to.not.equal(null);
    expect(chartId).to.match(/^apexcharts/);
    for (const selector of [".prev", ".next", '[data-view="monthly"]', ".prev", '[data-view="daily"]']) {
      const rendered = nextRender(card);
      await click(card, selector);
      const detail = await rendered;
      expect(shadow(card).querySelectorAll(".apexcharts-canvas").length, selector).to.equal(1);
      expect(shadow(card).querySelector(".apexcharts-canvas")?.id, `${selector}: the same chart`).to.equal(chartId);
      // (compared as a boolean: chai would print the whole element on a mismatch)
      expect(shadow(card).querySelector("energy-insights-chart") === element, `${selector}: the same element`).to.equal(true);
      expect(detail.bars).to.be.greaterThan(0);
    }
  });

  it("the hourly view (one series coloured by tariff) and the daily view (two stacked) keep the element; the chart is made anew for the other layout", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    const element = shadow(card).querySelector("energy-insights-chart");
    for (const selector of ['[data-view="daily"]', '[data-view="hourly"]']) {
      const rendered = nextRender(card);
      await click(card, selector);
      await rendered;
      expect(shadow(card).querySelectorAll(".apexcharts-canvas").length, selector).to.equal(1);
      expect(shadow(card).querySelector("energy-insights-chart") === element, `${selector}: the same element`).to.equal(true);
    }
  });
});
