/**
 * The card in Chromium with a `hass` that answers like Home Assistant: each view asks once for all of
 * its statistics and shows HA's buckets with the right totals, in Pacific/Auckland across a DST change.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import type { ApexOptions } from "../../card/src/chart/options.js";
import { makeFakeHass, type FakeHass, type FixtureStatistic } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture, countRows, sumRows } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { click, mount, nextRender, numberIn, shadow, shownPrecision, statisticsCalls, text, total, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();
const stat = (id: string): FixtureStatistic => statistics.find((s) => s.id === id)!;

const iso = (s: string) => Date.parse(s);
/** Ranges as UTC instants, written out by hand from the NZ calendar (NZDT +13 until 5 April 2026 03:00, then NZST +12). */
const RANGES = {
  hourly: { start: iso("2026-03-29T11:00:00Z"), end: iso("2026-04-07T12:00:00Z") }, // 30 Mar 00:00 NZDT – 8 Apr 00:00 NZST
  hourlyPrevious: { start: iso("2026-03-20T11:00:00Z"), end: iso("2026-03-29T11:00:00Z") }, // 21 Mar – 30 Mar
  daily: { start: iso("2026-03-03T11:00:00Z"), end: iso("2026-04-07T12:00:00Z") }, // 4 Mar – 8 Apr
  monthly: { start: iso("2024-10-31T11:00:00Z"), end: iso("2026-04-30T12:00:00Z") }, // 1 Nov 2024 – 1 May 2026
  dstDay: { start: iso("2026-04-04T11:00:00Z"), end: iso("2026-04-05T12:00:00Z") }, // Sun 5 Apr 2026, 25 hours
};

function expected(range: { start: number; end: number }) {
  const free = sumRows(stat(IDS.free_energy), range.start, range.end);
  const paid = sumRows(stat(IDS.paid_energy), range.start, range.end);
  const cost = sumRows(stat(IDS.paid_cost), range.start, range.end);
  return { free, paid, total: free + paid, cost, share: free / (free + paid), saved: (free * cost) / paid };
}

function seriesSum(options: ApexOptions | undefined, index: number): number {
  const series = options?.series?.[index] as { data: (number | null)[] } | undefined;
  return (series?.data ?? []).reduce<number>((a, b) => a + (b ?? 0), 0);
}

type Point = { x: string; y: number; fillColor: string };
/**
 * Free and paid energy as the chart draws them: two stacked series, or (where every bucket is all free
 * or all paid) one series whose columns are coloured free or paid.
 */
function drawn(options: ApexOptions | undefined): { free: number; paid: number; columns: number; paths: number } {
  const series = (options?.series ?? []) as { type?: string; data: (number | null | Point)[] }[];
  const bars = series.filter((s) => s.type === "bar");
  if (bars.length === 1) {
    const points = bars[0]!.data as Point[];
    const freeColor = "#008FFB";
    return {
      free: points.filter((p) => p.fillColor === freeColor).reduce((a, p) => a + p.y, 0),
      paid: points.filter((p) => p.fillColor !== freeColor).reduce((a, p) => a + p.y, 0),
      columns: points.length,
      paths: points.length,
    };
  }
  expect(options?.chart?.stacked, "two series are stacked").to.equal(true);
  expect(bars[0]!.data.length).to.equal(bars[1]!.data.length);
  return { free: seriesSum(options, 0), paid: seriesSum(options, 1), columns: bars[0]!.data.length, paths: 2 * bars[0]!.data.length };
}

function expectHeader(card: EnergyInsightsCard, want: ReturnType<typeof expected>): void {
  const energy = total(card, "energy");
  expect(numberIn(energy)).to.be.closeTo(want.total, shownPrecision(energy));
  expect(energy).to.contain("kWh");
  const share = total(card, "free-share");
  expect(numberIn(share) / 100).to.be.closeTo(want.share, 0.005 + 1e-9);
  const freeKwh = text(card, '[data-total="free-share"] .sub');
  expect(numberIn(freeKwh)).to.be.closeTo(want.free, shownPrecision(freeKwh));
  const cost = total(card, "cost");
  expect(numberIn(cost)).to.be.closeTo(want.cost, 0.005 + 1e-9);
  expect(cost).to.match(/\$/);
  const saved = total(card, "saved");
  expect(numberIn(saved)).to.be.closeTo(want.saved, 0.005 + 1e-9);
}

function expectSeries(card: EnergyInsightsCard, want: ReturnType<typeof expected>, buckets: number, form?: "merged" | "stacked"): void {
  const options = card.chartOptions;
  const chart = drawn(options);
  expect(chart.columns, "columns").to.equal(buckets);
  expect(chart.free).to.be.closeTo(want.free, 0.0005 * buckets + 1e-9);
  expect(chart.paid).to.be.closeTo(want.paid, 0.0005 * buckets + 1e-9);
  if (form) expect(chart.paths === buckets ? "merged" : "stacked").to.equal(form);
  expect(options?.chart?.animations?.enabled).to.equal(false);
  expect(options?.markers?.size).to.equal(0);
  // ApexCharts drew exactly the paths the options ask for: one per column (and series when stacked).
  const bars = shadow(card).querySelectorAll(".apexcharts-bar-area").length;
  expect(bars, "SVG columns").to.equal(chart.paths);
}

function expectOneCall(fake: FakeHass, period: string, range: { start: number; end: number }): void {
  const calls = statisticsCalls(fake);
  expect(calls, "one statistics call per view").to.have.length(1);
  const call = calls[0]!;
  expect(call.statistic_ids).to.have.members([IDS.paid_energy, IDS.free_energy, IDS.paid_cost]);
  expect(call.period).to.equal(period);
  expect(call.types).to.deep.equal(["change"]);
  expect(call.units).to.deep.equal({ energy: "kWh" });
  expect(Date.parse(call.start_time as string)).to.equal(range.start);
  // 1 ms before the range end: HA returns a bucket that starts exactly at end_time.
  expect(Date.parse(call.end_time as string)).to.equal(range.end - 1);
}

describe("energy-insights-card views", () => {
  afterEach(unmountAll);

  it("hourly (default, last 9 days): one call, HA's hours, totals in the header and the chart", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    expect(card.status).to.equal("ready");
    expectOneCall(fake, "hour", RANGES.hourly);
    // Data ends at 7 Apr 00:00: 8 days with data, one of them 25 hours long.
    const rows = countRows(stat(IDS.paid_energy), RANGES.hourly.start, RANGES.hourly.end);
    expect(rows).to.equal(8 * 24 + 1);
    const want = expected(RANGES.hourly);
    expectHeader(card, want);
    // The axis spans the whole range: 7 April's 24 hours, not in yet, follow the data as empty slots.
    expectSeries(card, want, rows + 24, "merged"); // every hour is all free or all paid: one path per hour
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Apr 6, 23:00");
    expect(text(card, '[data-total="energy"] .label')).to.equal("Used so far");
    expect(text(card, "[data-range]")).to.equal("Mar 30 – Apr 7, 2026");
    expect(shadow(card).querySelector('[data-view="hourly"]')?.getAttribute("aria-pressed")).to.equal("true");
  });

  it("\"Free hours saved\" explains itself: free kWh × the period's average paid price, with both numbers", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    const info = shadow(card).querySelector<HTMLElement>('[data-total="saved"] [data-info="saved"]')!;
    expect(info.tabIndex, "reachable by keyboard").to.equal(0);
    const hint = info.getAttribute("title")!;
    expect(info.getAttribute("aria-label")).to.equal(hint);
    expect(hint).to.match(/^Free kWh × this period's average paid price: /);
    const want = expected(RANGES.hourly);
    const [free, price] = [...hint.matchAll(/(\d[\d,]*\.?\d*)/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(free).to.be.closeTo(want.free, 0.05);
    expect(price).to.be.closeTo(want.cost / want.paid, 0.005);
    expect(numberIn(total(card, "saved"))).to.be.closeTo(want.saved, 0.005 + 1e-9);
    const noCost = await mount(makeFakeHass({ statistics: statistics.filter((x) => x.id !== IDS.paid_cost), timeZone: TZ }), CONFIG);
    expect(shadow(noCost).querySelector('[data-info="saved"]')!.getAttribute("title")).to.contain("without a cost statistic the price is not known");
  });

  it("a narrow card still names its days under the hourly chart: every k-th day, none overlapping", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    const labels = () => [...shadow(card).querySelectorAll<HTMLElement>(".xlabel")].filter((l) => l.textContent!.trim() !== "");
    expect(labels().length, "wide: every day of the range named (9: the axis runs on past the data, which ends on 7 Apr)").to.equal(9);
    (card.parentElement as HTMLElement).style.width = "230px";
    await waitUntil(() => labels().length > 0 && labels().length < 9, `narrow: ${labels().length} day labels`, { timeout: 5_000 });
    const boxes = labels().map((l) => l.getBoundingClientRect());
    for (let i = 1; i < boxes.length; i += 1) expect(boxes[i]!.left, "labels do not overlap").to.be.at.least(boxes[i - 1]!.right - 0.5);
    expect(labels()[0]!.textContent).to.contain("Mar 30");
  });

  it("hourly across the DST change: 5 April 2026 has 25 hourly columns, labelled in NZ time", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    const options = card.chartOptions!;
    const categories = (options.xaxis?.categories as string[]) ?? [];
    // Axis labels only at local midnights: one per day of the range, 9 days (7 April not in yet).
    expect(categories.filter((c) => c !== "")).to.deep.equal(["Mar 30", "Mar 31", "Apr 1", "Apr 2", "Apr 3", "Apr 4", "Apr 5", "Apr 6", "Apr 7"]);
    const sunday = categories.indexOf("Apr 5");
    const monday = categories.indexOf("Apr 6");
    expect(monday - sunday, "hours on 5 April").to.equal(25);
    // The tooltip reads the bucket's own start and end: the repeated 02:00 hour is there twice.
    const tooltip = (options.tooltip?.custom as (a: { dataPointIndex: number }) => string) ?? (() => "");
    const titles = Array.from({ length: 25 }, (_, i) => /ei-tt-title">([^<]*)</.exec(tooltip({ dataPointIndex: sunday + i }))?.[1] ?? "");
    const twoOClock = titles.filter((t) => t.startsWith("Sun, Apr 5, 02:00"));
    expect(twoOClock).to.deep.equal(["Sun, Apr 5, 02:00 GMT+13–02:00 GMT+12", "Sun, Apr 5, 02:00–03:00"]);
    expect(titles[0]).to.equal("Sun, Apr 5, 00:00–01:00");
    expect(titles[24]).to.equal("Sun, Apr 5, 23:00–00:00");
  });

  it("daily (35 days): HA's day buckets cut at NZ midnight, the DST day sums its 25 hours", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    fake.calls.length = 0;
    const rendered = nextRender(card);
    await click(card, '[data-view="daily"]');
    await rendered;
    expectOneCall(fake, "day", RANGES.daily);
    const want = expected(RANGES.daily);
    expectHeader(card, want);
    expectSeries(card, want, 35, "stacked"); // 34 days with data, then 7 April (not in yet)
    // 35 days do not fit as labels: Mondays are labelled (the tooltip names every day).
    const categories = card.chartOptions!.xaxis!.categories as string[];
    expect(categories.filter((c) => c !== "")).to.deep.equal(["Mar 9", "Mar 16", "Mar 23", "Mar 30", "Apr 6"]);
    const dst = categories.indexOf("Apr 6") - 1;
    const tooltip = card.chartOptions!.tooltip!.custom as (a: { dataPointIndex: number }) => string;
    expect(tooltip({ dataPointIndex: dst })).to.contain("Sunday, April 5, 2026");
    expect(tooltip({ dataPointIndex: 0 })).to.contain("Wednesday, March 4, 2026");
    const freeOnDst = (card.chartOptions!.series![0] as { data: number[] }).data[dst]!;
    const paidOnDst = (card.chartOptions!.series![1] as { data: number[] }).data[dst]!;
    expect(freeOnDst + paidOnDst).to.be.closeTo(
      sumRows(stat(IDS.free_energy), RANGES.dstDay.start, RANGES.dstDay.end) + sumRows(stat(IDS.paid_energy), RANGES.dstDay.start, RANGES.dstDay.end),
      0.002,
    );
    expect(countRows(stat(IDS.paid_energy), RANGES.dstDay.start, RANGES.dstDay.end)).to.equal(25);
    expect(text(card, "[data-range]")).to.equal("Mar 4 – Apr 7, 2026");
  });

  it("monthly (18 months): HA's month buckets, coarse old rows included, totals right", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "monthly" });
    expectOneCall(fake, "month", RANGES.monthly);
    const want = expected(RANGES.monthly);
    expectHeader(card, want);
    expectSeries(card, want, 18, "stacked");
    const categories = card.chartOptions!.xaxis!.categories as string[];
    expect(categories).to.have.length(18);
    expect(categories.filter((c) => c !== "")).to.include.members(["Jan 25", "Jan 26"]);
    expect(text(card, "[data-range]")).to.equal("Nov 2024 – Apr 2026");
  });

  it("previous/next move the hourly range by whole days in NZ time; next is off at the present", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    expect(shadow(card).querySelector<HTMLButtonElement>(".next")!.disabled).to.equal(true);
    fake.calls.length = 0;
    let rendered = nextRender(card);
    await click(card, ".prev");
    await rendered;
    expectOneCall(fake, "hour", RANGES.hourlyPrevious);
    expectHeader(card, expected(RANGES.hourlyPrevious));
    expect(countRows(stat(IDS.paid_energy), RANGES.hourlyPrevious.start, RANGES.hourlyPrevious.end)).to.equal(9 * 24);
    expect(shadow(card).querySelector<HTMLButtonElement>(".next")!.disabled).to.equal(false);
    fake.calls.length = 0;
    rendered = nextRender(card);
    await click(card, ".next");
    await rendered;
    expectOneCall(fake, "hour", RANGES.hourly);
  });

  it("hourly view of days the backend imported as one row per day: each day is a day-wide band of its total, not a column (header unchanged)", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const now = Date.parse("2026-01-10T22:00:00Z"); // 11 Jan 2026 NZDT, before the hourly window (from 26 Feb)
    const card = await mount(fake, CONFIG, { now });
    const range = { start: Date.parse("2026-01-02T11:00:00Z"), end: Date.parse("2026-01-11T11:00:00Z") }; // 3 Jan – 12 Jan
    expectOneCall(fake, "hour", range);
    // 3–10 Jan are over: each total is spread over its 24 hours (no column); 11 Jan (today, not over) stays one column.
    const today = { start: Date.parse("2026-01-10T11:00:00Z"), end: range.end };
    const chart = drawn(card.chartOptions);
    // …and the 23 hours after it, not in yet, run the axis on to the range's end.
    expect(chart.columns).to.equal(8 * 24 + 1 + 23);
    expect(chart.free + chart.paid).to.be.closeTo(expected(today).total, 0.001);
    expectHeader(card, expected(range));
  });

  it("moving from hourly rows into days imported as one row each: the days become bands, the hours stay columns", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const now = Date.parse("2026-03-06T22:00:00Z"); // 7 Mar 2026 NZDT; hourly rows begin 26 Feb
    const card = await mount(fake, CONFIG, { now });
    const hourly = { start: Date.parse("2026-02-26T11:00:00Z"), end: Date.parse("2026-03-07T11:00:00Z") }; // 27 Feb – 7 Mar
    expectSeries(card, expected(hourly), 9 * 24, "merged");
    const rendered = nextRender(card);
    await click(card, ".prev");
    await rendered;
    const mixed = { start: Date.parse("2026-02-17T11:00:00Z"), end: Date.parse("2026-02-26T11:00:00Z") }; // 18 – 26 Feb: 8 day rows + 24 hours
    // The 8 day totals are spread over their hours as bands (no columns); 26 Feb's hours are columns.
    const hours = { start: Date.parse("2026-02-25T11:00:00Z"), end: mixed.end };
    expectSeries(card, expected(hours), 8 * 24 + 24, "merged");
    expectHeader(card, expected(mixed));
    const back = nextRender(card);
    await click(card, ".next");
    await back;
    expectSeries(card, expected(hourly), 9 * 24, "merged");
    expectHeader(card, expected(hourly));
  });

  it("cost as its own series: a line on a second axis with the cost statistic's value per bucket", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily", show_cost: true, paid_color: "#112233" });
    const options = card.chartOptions!;
    expect(options.series).to.have.length(3);
    expect((options.series![2] as { type: string }).type).to.equal("line");
    expect(seriesSum(options, 2)).to.be.closeTo(expected(RANGES.daily).cost, 0.02);
    expect(options.yaxis).to.be.an("array").with.length(2);
    expect(options.colors?.[1]).to.equal("#112233");
    const html = (options.tooltip!.custom as (a: { dataPointIndex: number }) => string)({ dataPointIndex: 0 });
    expect(html).to.contain("Cost").and.to.contain("NZ$");
  });

  it("hourly with cost as a series: one column series plus the cost line, each on its axis", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, show_cost: true });
    const options = card.chartOptions!;
    expect(options.series!.map((s) => (s as { type: string }).type)).to.deep.equal(["bar", "line"]);
    expect(options.stroke!.width).to.deep.equal([0, 2]);
    const costs = (options.series![1] as { data: { y: number | null }[] }).data.map((p) => p.y ?? 0);
    expect(costs.reduce((a, b) => a + b, 0)).to.be.closeTo(expected(RANGES.hourly).cost, 0.0005 * costs.length);
    expect(shadow(card).querySelectorAll(".apexcharts-line-series path.apexcharts-line").length).to.equal(1);
  });

  it("follows the user's language, number format and dark theme", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ, language: "pl", numberFormat: "decimal_comma", darkMode: true });
    const card = await mount(fake, { ...CONFIG, view: "monthly" });
    expect(text(card, '[data-view="monthly"]')).to.equal("Miesięcznie");
    expect(text(card, '[data-total="energy"] .label')).to.equal("Zużycie");
    expect(total(card, "energy")).to.match(/^\d{1,3}(\.\d{3})+ kWh$/); // German-style grouping for decimal_comma
    expect(card.chartOptions!.theme!.mode).to.equal("dark");
  });

  it("falls back to English for a language it does not have", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ, language: "de" });
    const card = await mount(fake, CONFIG);
    expect(text(card, '[data-view="daily"]')).to.equal("Daily");
  });

  it("with the browser's time zone chosen, hourly days start at the browser's midnight", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ, zoneSetting: "local" });
    await mount(fake, CONFIG);
    const call = statisticsCalls(fake)[0]!;
    const today = new Date(Date.parse("2026-04-06T22:00:00Z"));
    const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 8); // the browser's own calendar
    expect(Date.parse(call.start_time as string)).to.equal(start.getTime());
  });
});

describe("energy-insights-card states", () => {
  afterEach(unmountAll);

  it("finds the backend's statistics by itself when no ids are configured", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: "custom:energy-insights-card" });
    expect(fake.calls[0]!.type).to.equal("recorder/list_statistic_ids");
    expectOneCall(fake, "hour", RANGES.hourly);
    expectHeader(card, expected(RANGES.hourly));
  });

  it("provider alone keeps discovery to that provider", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: "custom:energy-insights-card", provider: "onemeter" }, { expectChart: false });
    expect(card.status).to.equal("empty");
    expect(statisticsCalls(fake)).to.have.length(0);
  });

  it("account + provider build the backend's ids", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: "custom:energy-insights-card", account: "0000012345ABC" });
    expectOneCall(fake, "hour", RANGES.hourly);
    expect(card.status).to.equal("ready");
  });

  it("no statistics at all: says what was looked for, asks whether the backend runs, links to Troubleshooting and the backend section", async () => {
    const fake = makeFakeHass({ statistics: [], timeZone: TZ });
    const card = await mount(fake, { type: "custom:energy-insights-card" }, { expectChart: false });
    expect(card.status).to.equal("empty");
    expect(text(card, '[data-state="empty"] .state-title')).to.equal("No Energy Insights statistics found in Home Assistant");
    expect(text(card, '[data-state="empty"]')).to.contain("Is the backend running? It publishes energy_insights:contact_<account>_… after its first sync.");
    const links = [...shadow(card).querySelectorAll<HTMLAnchorElement>('[data-state="empty"] a')];
    expect(links.map((l) => l.textContent!.trim())).to.deep.equal(["README › Troubleshooting", "How to run the backend"]);
    expect(links[0]!.href).to.match(/#troubleshooting$/);
    expect(links[1]!.href).to.match(/#run-the-backend$/);
    expect(statisticsCalls(fake)).to.have.length(0);
  });

  it("no statistics of the configured provider: the pattern names that provider", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: "custom:energy-insights-card", provider: "OneMeter" }, { expectChart: false });
    expect(text(card, '[data-state="empty"]')).to.contain("energy_insights:onemeter_<account>_…");
  });

  it("configured ids that HA does not know: the empty state names each id and what to check", async () => {
    const fake = makeFakeHass({ statistics: [], timeZone: TZ });
    const card = await mount(fake, CONFIG, { expectChart: false });
    expect(card.status).to.equal("empty");
    const box = '[data-state="empty"][data-reason="unknown-ids"]';
    expect(text(card, `${box} .state-title`)).to.equal("Home Assistant has no statistic with the id in this card's configuration:");
    expect([...shadow(card).querySelectorAll(`${box} code`)].map((c) => c.textContent)).to.deep.equal([IDS.paid_energy, IDS.free_energy]);
    expect(text(card, box)).to.contain("Check paid_energy, free_energy or account");
    const typo = await mount(makeFakeHass({ statistics, timeZone: TZ }), { type: "custom:energy-insights-card", account: "0000099999XYZ" }, { expectChart: false });
    expect([...shadow(typo).querySelectorAll(`${box} code`)].map((c) => c.textContent)).to.deep.equal([
      "energy_insights:contact_0000099999xyz_paid_energy",
      "energy_insights:contact_0000099999xyz_free_energy",
    ]);
  });

  it("once the backend has imported, the next look finds the statistics (nothing empty is cached)", async () => {
    const options = { statistics: [] as FixtureStatistic[], timeZone: TZ };
    const fake = makeFakeHass(options);
    const card = await mount(fake, { type: "custom:energy-insights-card" }, { expectChart: false });
    expect(card.status).to.equal("empty");
    options.statistics.push(...statistics);
    const rendered = nextRender(card);
    card.refresh(); // what the 30-minute timer does
    await rendered;
    expectHeader(card, expected(RANGES.hourly));
  });

  it("taken out of the page and put back (Lovelace edit mode), it draws its chart again", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    const parent = card.parentElement!;
    card.remove();
    expect(shadow(card).querySelectorAll(".apexcharts-bar-area").length).to.equal(0);
    const rendered = nextRender(card);
    parent.appendChild(card);
    await rendered;
    expect(shadow(card).querySelectorAll(".apexcharts-bar-area").length).to.be.greaterThan(0);
    expect(statisticsCalls(fake)).to.have.length(1); // no new request for data it has
  });

  it("a range without rows: header at zero and a 'no data' note, navigation still there", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG, { now: Date.parse("2023-01-01T00:00:00Z"), expectChart: false });
    expect(card.status).to.equal("ready");
    expect(text(card, '[data-state="no-data"]')).to.equal("No data for this period.");
    expect(numberIn(total(card, "energy"))).to.equal(0);
    expect(total(card, "cost")).to.equal("—");
    expect(shadow(card).querySelector(".prev")).to.not.equal(null);
  });

  it("a failing callWS: an error state with HA's message and a retry that recovers", async () => {
    let failing = true;
    const fake = makeFakeHass({
      statistics,
      timeZone: TZ,
      fail: (msg) => (failing && msg.type === "recorder/statistics_during_period" ? { code: "unknown_error", message: "Recorder is not running" } : undefined),
    });
    const errors: unknown[] = [];
    const onError = (ev: PromiseRejectionEvent | ErrorEvent) => errors.push(ev);
    window.addEventListener("unhandledrejection", onError);
    window.addEventListener("error", onError);
    try {
      const card = await mount(fake, CONFIG, { expectChart: false });
      expect(card.status).to.equal("error");
      expect(text(card, '[data-state="error"]')).to.contain("Could not load statistics from Home Assistant: Recorder is not running");
      expect(text(card, '[data-state="error"]')).to.contain("Home Assistant's log (Settings › System › Logs)");
      failing = false;
      const rendered = nextRender(card);
      await click(card, ".retry");
      await rendered;
      expect(card.status).to.equal("ready");
      expectHeader(card, expected(RANGES.hourly));
      expect(errors).to.have.length(0);
    } finally {
      window.removeEventListener("unhandledrejection", onError);
      window.removeEventListener("error", onError);
    }
  });

  it("shows a loading state while HA answers", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ, delayMs: 300 });
    const card = document.createElement("energy-insights-card");
    card.clock = () => Date.parse("2026-04-06T22:00:00Z");
    card.setConfig(CONFIG);
    card.hass = fake as never;
    document.body.appendChild(card);
    await card.updateComplete;
    expect(card.status).to.equal("loading");
    expect(shadow(card).querySelector('[data-state="loading"]')).to.not.equal(null);
    await waitUntil(() => card.status === "ready", "never ready", { timeout: 10_000 });
    card.remove();
  });
});
