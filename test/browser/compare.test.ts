/**
 * Issue 13 item 4, compare: `compare: previous | year` draws the earlier period's energy as a faint
 * area behind the columns (one ghost per column, at the same calendar position), and the header says
 * "+12% vs the previous 30 days". The compared statistics never delay the first paint: the current
 * period is drawn first, the ghosts join it.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { RENDERED_EVENT } from "../../card/src/const.js";
import { localMidnight, localParts, makeFakeHass, type FakeHass, type FixtureStatistic, type WsMessage } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, shadow, statisticsCalls, text, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();

/** kWh (free + paid) of the fixture in [start, end): the truth, from the rows, not from the card. */
function kwh(stats: FixtureStatistic[], start: number, end: number): number {
  let sum = 0;
  for (const s of stats.filter((x) => x.id === IDS.free_energy || x.id === IDS.paid_energy)) for (const r of s.rows) if (r.start >= start && r.start < end) sum += r.change;
  return sum;
}

/** The local day `days` calendar days from the one `ms` falls in, as [midnight, next midnight). */
function dayShifted(ms: number, days: number): [number, number] {
  const p = localParts(ms, TZ);
  const a = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  const b = new Date(Date.UTC(p.year, p.month - 1, p.day + days + 1));
  return [localMidnight(a.getUTCFullYear(), a.getUTCMonth() + 1, a.getUTCDate(), TZ), localMidnight(b.getUTCFullYear(), b.getUTCMonth() + 1, b.getUTCDate(), TZ)];
}

type Point = number | null | { x: string; y: number | null };
function ghostSeries(card: EnergyInsightsCard): { name: string; type?: string; data: Point[] } | undefined {
  const series = (card.chartOptions?.series ?? []) as { name: string; type?: string; data: Point[] }[];
  return series.find((s) => s.type === "area");
}
const yOf = (p: Point | undefined) => (p !== null && typeof p === "object" ? p.y : (p ?? null));

describe("compare", () => {
  afterEach(unmountAll);

  it("daily, previous: one ghost per column, each the day 30 days earlier, and the header figure over the days both have", async () => {
    // The household used a fifth less before 9 March (the shown range's start): the figure is about +25%.
    const cut = localMidnight(2026, 3, 9, TZ);
    const grown = statistics.map((s) => ({ ...s, rows: s.rows.map((r) => (r.start < cut ? { ...r, change: r.change * 0.8 } : r)) }));
    const fake = makeFakeHass({ statistics: grown, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily", daily_days: 30, compare: "previous" });
    await waitUntil(() => card.data.data?.compare && ghostSeries(card), "no ghosts drawn", { timeout: 10_000 });
    await card.updateComplete;
    const data = card.data.data!;
    expect(data.buckets).to.have.length(30);
    // Two calls: the shown range and the compared one (the same ids and period).
    const calls = statisticsCalls(fake);
    expect(calls).to.have.length(2);
    expect(calls[1]!.period).to.equal("day");
    expect(calls[1]!.statistic_ids).to.deep.equal(calls[0]!.statistic_ids);
    // 7 Feb – 8 Mar, asked for in whole months (1 Feb – 31 Mar), so a month HA holds only as a total is found as one.
    expect(Date.parse(calls[1]!.start_time as string)).to.equal(localMidnight(2026, 2, 1, TZ));
    expect(Date.parse(calls[1]!.end_time as string)).to.equal(localMidnight(2026, 4, 1, TZ) - 1);
    expect(data.compare!.range).to.deep.include({ start: localMidnight(2026, 2, 7, TZ), end: data.range.start });

    const ghost = ghostSeries(card)!;
    expect(ghost.name).to.equal("Previous period");
    expect(ghost.data).to.have.length(data.buckets.length);
    let current = 0;
    let previous = 0;
    data.buckets.forEach((b, i) => {
      const [start, end] = dayShifted(b.start, -30);
      const expected = kwh(grown, start, end);
      expect(yOf(ghost.data[i]), `ghost of column ${i}`).to.be.closeTo(expected, 0.001);
      // The figure counts the days with data in both periods (7 April is not in yet).
      const now = kwh(grown, b.start, b.end);
      if (now > 0) {
        current += now;
        previous += expected;
      }
    });
    const pct = Math.round(((current - previous) / previous) * 100);
    expect(pct).to.be.within(20, 30);
    expect(text(card, "[data-compare]")).to.equal(`${pct > 0 ? "+" : "−"}${Math.abs(pct)}% vs the previous 30 days`);
    // The ghosts are drawn: an area path on the chart, behind nothing else changing (35 columns still).
    expect(shadow(card).querySelectorAll(".apexcharts-area-series path").length).to.be.greaterThan(0);
    expect(shadow(card).querySelectorAll(".apexcharts-bar-area").length).to.equal(60);
    expect([...shadow(card).querySelectorAll(".legend .key")].map((k) => k.textContent!.trim())).to.deep.equal(["Free", "Paid", "Previous period"]);
    // The tooltip names the compared day's energy.
    const tooltip = card.chartOptions!.tooltip!.custom as (a: { dataPointIndex: number }) => string;
    expect(tooltip({ dataPointIndex: 3 })).to.contain("Previous period");
  });

  it("hourly, year: the first paint has no ghosts and does not wait for them; they join the same chart when in", async () => {
    const fake = makeFakeHass({ statistics: contactFixture({ from: [2025, 3, 1], hourlyFrom: [2025, 3, 1] }), timeZone: TZ });
    // The compared period answers late.
    const answer = fake.callWS.bind(fake);
    fake.callWS = async <T,>(msg: WsMessage): Promise<T> => {
      if (msg.type === "recorder/statistics_during_period" && Date.parse(msg.start_time as string) < Date.parse("2026-01-01T00:00:00Z")) await new Promise((r) => setTimeout(r, 400));
      return answer<T>(msg);
    };
    const painted: boolean[] = [];
    const card = await mount(fake as FakeHass, { ...CONFIG, compare: "year" }, { prepare: (c) => c.addEventListener(RENDERED_EVENT, () => painted.push(Boolean(ghostSeries(c)))) });
    expect(painted).to.deep.equal([false]);
    expect(card.data.data!.compare).to.equal(undefined);
    await waitUntil(() => painted.length === 2, "the ghosts are never drawn", { timeout: 10_000 });
    expect(painted).to.deep.equal([false, true]);
    const data = card.data.data!;
    const ghost = ghostSeries(card)!;
    expect(ghost.name).to.equal("Same period last year");
    // Hour i of 30 Mar 2026 (NZDT) sits on the same wall hour of 30 Mar 2025.
    const i = 5;
    const p = localParts(data.buckets[i]!.start, TZ);
    const start = localMidnight(p.year - 1, p.month, p.day, TZ) + p.hour * 3_600_000;
    expect(yOf(ghost.data[i])).to.be.closeTo(kwh(fake.options.statistics, start, start + 3_600_000), 0.001);
    expect(text(card, "[data-compare]")).to.match(/^[+−]?\d+% vs a year ago$|^Same as a year ago$/);
    expect(shadow(card).querySelectorAll(".apexcharts-canvas")).to.have.length(1);
  });

  it("daily, year, where a year ago HA only has month totals: no ghost spikes (gaps), and no figure", async () => {
    // A year before 4 Mar – 7 Apr 2026 the fixture has one row per month (in the month's first hour).
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily", compare: "year" });
    await waitUntil(() => card.data.data?.compare, "no comparison", { timeout: 10_000 });
    await card.updateComplete;
    const ghost = ghostSeries(card)!;
    expect(ghost.data.map(yOf).filter((y) => y !== null)).to.deep.equal([]);
    expect(card.data.data!.compare!.energy.change).to.equal(null);
    expect(shadow(card).querySelector("[data-compare]")).to.equal(null);
  });

  it("at 390 px the figure and the CSV button stay inside the card, the figure whole", async () => {
    const cut = localMidnight(2026, 3, 9, TZ);
    const grown = statistics.map((s) => ({ ...s, rows: s.rows.map((r) => (r.start < cut ? { ...r, change: r.change * 0.8 } : r)) }));
    const card = await mount(makeFakeHass({ statistics: grown, timeZone: TZ }), { ...CONFIG, view: "daily", daily_days: 30, compare: "previous" }, { width: 390 });
    await waitUntil(() => shadow(card).querySelector("[data-compare]"), "no figure", { timeout: 10_000 });
    const box = shadow(card).querySelector("ha-card")!.getBoundingClientRect();
    for (const selector of ["[data-compare]", "[data-csv]", "[data-range]"]) {
      const el = shadow(card).querySelector<HTMLElement>(selector)!;
      const r = el.getBoundingClientRect();
      expect(r.left, selector).to.be.at.least(box.left - 0.5);
      expect(r.right, selector).to.be.at.most(box.right + 0.5);
      expect(el.scrollWidth, `${selector} not cut short`).to.be.at.most(el.clientWidth + 1);
    }
  });

  it("without compare: no second call, no ghost, no figure", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily" });
    expect(statisticsCalls(fake)).to.have.length(1);
    expect(ghostSeries(card)).to.equal(undefined);
    expect(shadow(card).querySelector("[data-compare]")).to.equal(null);
  });
});
