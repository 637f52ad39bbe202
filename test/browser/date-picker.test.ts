/**
 * Issue 13 item 4, `period: energy`: the card follows the Energy dashboard's date picker through the
 * energy collection HA's frontend keeps on the websocket connection (`hass.connection._energy`, or
 * `_energy_<key>` with `collection_key`), as HA's own energy cards do: the picked dates choose the view
 * (a day hourly, a week or month daily, a year monthly) and a new pick loads again; the picker's
 * comparison turns the ghosts on. Without a picker the card says so and shows its own dates.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyDataLike } from "../../card/src/data/energy-date.js";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { localMidnight, makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, asHass, mount, nextRender, shadow, statisticsCalls, text, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS, period: "energy" };
const statistics = contactFixture();

/** HA's energy collection as far as the card sees it: its dates, its comparison, its subscribers. */
class FakeEnergyCollection {
  readonly subscribers = new Set<(data: EnergyDataLike) => void>();
  constructor(
    public start: Date,
    public end: Date | undefined,
    public compare: string | undefined = undefined,
  ) {}
  subscribe(fn: (data: EnergyDataLike) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
  /** The user picks dates (HA ends a picked range at the last millisecond of its last day). */
  pick(start: Date, end: Date | undefined, compareMode?: string): void {
    this.start = start;
    this.end = end;
    this.compare = compareMode;
    for (const fn of this.subscribers) fn({ start, end, ...(compareMode ? { compareMode, startCompare: new Date(0) } : {}) });
  }
}

const day = (y: number, m: number, d: number) => new Date(localMidnight(y, m, d, TZ));
const lastMs = (y: number, m: number, d: number) => new Date(localMidnight(y, m, d, TZ) - 1);

function withCollection(key: string, collection: FakeEnergyCollection | undefined) {
  const fake = makeFakeHass({ statistics, timeZone: TZ });
  return Object.assign(fake, { connection: collection ? { [key]: collection } : {} });
}

function viewButtons(card: EnergyInsightsCard): number {
  return shadow(card).querySelectorAll("[data-view]").length;
}

const after: (() => void)[] = [];

describe("date picker (period: energy)", () => {
  afterEach(() => {
    unmountAll();
    for (const done of after.splice(0)) done();
  });

  it("follows the picked week (daily columns, no own navigation), then a picked day (hourly) and a comparison; stops following when removed", async () => {
    // Mon 30 Mar – Sun 5 Apr 2026 (the DST change is on the 5th).
    const collection = new FakeEnergyCollection(day(2026, 3, 30), lastMs(2026, 4, 6));
    const fake = withCollection("_energy", collection);
    const card = await mount(fake, CONFIG);
    let data = card.data.data!;
    expect(data.range).to.deep.include({ view: "daily", start: day(2026, 3, 30).getTime(), end: day(2026, 4, 6).getTime(), timeZone: TZ });
    expect(data.buckets).to.have.length(7);
    expect(text(card, "[data-range]")).to.equal("Mar 30 – Apr 5, 2026");
    expect(shadow(card).querySelector(".prev"), "the picker moves the dates").to.equal(null);
    expect(shadow(card).querySelector(".next")).to.equal(null);
    expect(viewButtons(card), "the picker sets the view").to.equal(0);
    expect(statisticsCalls(fake)).to.have.length(1);
    expect(statisticsCalls(fake)[0]!.period).to.equal("day");

    // The user picks Sunday 5 April (25 hours: NZDT ends).
    let rendered = nextRender(card);
    collection.pick(day(2026, 4, 5), lastMs(2026, 4, 6));
    await rendered;
    data = card.data.data!;
    expect(data.range).to.deep.include({ view: "hourly", start: day(2026, 4, 5).getTime(), end: day(2026, 4, 6).getTime() });
    expect(data.buckets).to.have.length(25);
    expect(statisticsCalls(fake).at(-1)!.period).to.equal("hour");

    // The picker's "Compare" (previous): ghosts of Saturday 4 April, and the figure.
    rendered = nextRender(card);
    collection.pick(day(2026, 4, 5), lastMs(2026, 4, 6), "previous");
    await rendered;
    await waitUntil(() => card.data.data?.compare, "no comparison", { timeout: 10_000 });
    await card.updateComplete;
    expect(card.data.data!.compare!.range.mode).to.equal("previous");
    expect(card.data.data!.compare!.range.start).to.equal(day(2026, 4, 4).getTime());
    expect(text(card, "[data-compare]")).to.match(/vs the day before$/);

    // A config without period: energy stops following (and the card's own navigation is back).
    card.setConfig({ type: "custom:energy-insights-card", ...IDS });
    await card.updateComplete;
    await waitUntil(() => card.status === "ready" && card.data.data?.range.view === "hourly" && card.data.data.buckets.length > 200, "own range not loaded");
    expect(collection.subscribers.size).to.equal(0);
  });

  it("today picked before the provider has published it: the whole day's axis, the hours up to now not in yet, the last data named, totals so far", async () => {
    // NOW is 7 April 10:00 NZST; the fixture's data ends 6 April 23:00 (Contact publishes days late).
    const collection = new FakeEnergyCollection(day(2026, 4, 7), lastMs(2026, 4, 8));
    const fake = withCollection("_energy", collection);
    const card = await mount(fake, CONFIG);
    const data = card.data.data!;
    expect(data.range).to.deep.include({ view: "hourly", start: day(2026, 4, 7).getTime(), end: day(2026, 4, 8).getTime() });
    expect(data.buckets, "an empty slot for each hour of the day").to.have.length(24);
    expect(data.pending).to.deep.include({ first: 0, count: 10 });
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Apr 6, 23:00");
    expect(text(card, '[data-total="energy"] .label')).to.equal("Used so far");
    await waitUntil(() => shadow(card).querySelector("[data-pending-area]"), "no hatched area", { timeout: 5_000 });
    // One more call than a range with data: the week before, for the last hour.
    expect(statisticsCalls(fake)).to.have.length(2);
  });

  it("a year picked: monthly columns; 'until now' ends with today; collection_key picks that dashboard's picker; leaving the page unsubscribes", async () => {
    const mine = new FakeEnergyCollection(day(2025, 1, 1), lastMs(2026, 1, 1));
    const other = new FakeEnergyCollection(day(2026, 4, 1), undefined);
    const fake = Object.assign(makeFakeHass({ statistics, timeZone: TZ }), { connection: { _energy: other, _energy_upstairs: mine } });
    const card = await mount(fake, { ...CONFIG, collection_key: "energy_upstairs" }, { expectChart: false });
    await waitUntil(() => card.status === "ready", "not loaded");
    expect(card.data.data!.range).to.deep.include({ view: "monthly", start: day(2025, 1, 1).getTime(), end: day(2026, 1, 1).getTime() });
    expect(other.subscribers.size).to.equal(0);
    expect(mine.subscribers.size).to.equal(1);
    // "Until now": from 1 April to the end of today (7 April), daily.
    const rendered = nextRender(card);
    mine.pick(day(2026, 4, 1), undefined);
    await rendered;
    expect(card.data.data!.range).to.deep.include({ view: "daily", start: day(2026, 4, 1).getTime(), end: day(2026, 4, 8).getTime() });
    unmountAll();
    expect(mine.subscribers.size).to.equal(0);
  });

  it("the card's compare wins over the picker's: none turns the picker's comparison off, year replaces it", async () => {
    const collection = new FakeEnergyCollection(day(2026, 3, 30), lastMs(2026, 4, 6), "previous");
    const fake = withCollection("_energy", collection);
    const off = await mount(fake, { ...CONFIG, compare: "none" });
    await new Promise((r) => setTimeout(r, 200));
    expect(off.data.data!.compare).to.equal(undefined);
    expect(statisticsCalls(fake)).to.have.length(1);
    unmountAll();
    const year = await mount(withCollection("_energy", collection), { ...CONFIG, compare: "year" });
    await waitUntil(() => year.data.data?.compare, "no comparison", { timeout: 10_000 });
    expect(year.data.data!.compare!.range).to.deep.include({ mode: "year", start: day(2025, 3, 30).getTime(), end: day(2025, 4, 6).getTime() });
    // Without its own compare the card follows the picker's.
    unmountAll();
    const follows = await mount(withCollection("_energy", collection), CONFIG);
    await waitUntil(() => follows.data.data?.compare, "no comparison", { timeout: 10_000 });
    expect(follows.data.data!.compare!.range.mode).to.equal("previous");
  });

  it("no date picker on the dashboard: 'waiting', then the note naming the collection looked for, and the card's own dates", async () => {
    const fake = withCollection("_energy", undefined);
    // Mounted as mount() does, without waiting for the chart.
    const card = document.createElement("energy-insights-card");
    card.clock = () => NOW;
    card.setConfig(CONFIG);
    card.hass = asHass(fake);
    const box = document.createElement("div");
    box.style.width = "600px";
    box.appendChild(card);
    document.body.appendChild(box);
    after.push(() => box.remove());
    await card.updateComplete;
    // Still waiting for a picker (nothing asked of HA yet).
    expect(card.status).to.equal("loading");
    expect(shadow(card).querySelector('[data-energy-date="waiting"]')).to.not.equal(null);
    expect(statisticsCalls(fake)).to.have.length(0);
    await waitUntil(() => shadow(card).querySelector('[data-energy-date="missing"]'), "no missing note", { timeout: 8_000 });
    await waitUntil(() => card.status === "ready", "own dates not loaded", { timeout: 8_000 });
    await card.updateComplete;
    expect(text(card, '[data-energy-date="missing"]')).to.contain("No energy date picker on this dashboard (collection _energy)");
    expect(card.data.data!.range.view).to.equal("hourly");
    expect(shadow(card).querySelector(".prev"), "its own navigation").to.not.equal(null);
    expect(viewButtons(card)).to.equal(3);
  });
});
