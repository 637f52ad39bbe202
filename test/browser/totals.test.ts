/**
 * Day and month totals drawn as totals: where HA only holds a day's total (in its first hour) or a
 * month's (in its first uncovered day), the card spreads it over the period it covers and draws one
 * band labelled as a total, outside the y scale; the header's totals still count it.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { Bucket } from "../../card/src/chart/buckets.js";
import { findTotals, spreadTotals } from "../../card/src/chart/totals.js";
import { TOTAL_BAND_CLASS } from "../../card/src/chart/options.js";
import { makeFakeHass, localMidnight, type FixtureStatistic } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture, sumRows } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, mount, numberIn, shadow, shownPrecision, total, unmountAll } from "./helpers/mount.js";
import { DEFAULT_STATUS, FakeBackend } from "./helpers/fake-backend.js";

const HOUR = 3_600_000;
const CONFIG = { type: "custom:energy-insights-card", ...IDS };
/** Local midnight of a civil date (a day or month past the end rolls over, as Date.UTC does). */
const mid = (y: number, m: number, d: number) => {
  const c = new Date(Date.UTC(y, m - 1, d));
  return localMidnight(c.getUTCFullYear(), c.getUTCMonth() + 1, c.getUTCDate(), TZ);
};
const hour = (start: number, kwh = 1): Bucket => ({ start, end: start + HOUR, free: 0, paid: kwh, cost: null });
const day = (y: number, m: number, d: number, kwh = 1): Bucket => ({ start: mid(y, m, d), end: mid(y, m, d + 1), free: 0, paid: kwh, cost: null });
const hoursOf = (y: number, m: number, d: number): Bucket[] => {
  const out: Bucket[] = [];
  for (let t = mid(y, m, d); t < mid(y, m, d + 1); t += HOUR) out.push(hour(t, 0.5));
  return out;
};

describe("totals: which buckets hold a coarser total (pure rules)", () => {
  const rangeEnd = mid(2026, 4, 8);

  it("hourly, from the rows: a day whose only row is its first hour, and which is over, is a day total", () => {
    const buckets = [hour(mid(2026, 3, 30), 20), hour(mid(2026, 3, 31), 21), ...hoursOf(2026, 4, 1)];
    const found = findTotals(buckets, "hourly", TZ, { now: NOW, rangeEnd });
    expect(found.map((f) => [f.index, f.kind, f.end])).to.deep.equal([
      [0, "day", mid(2026, 3, 31)],
      [1, "day", mid(2026, 4, 1)],
    ]);
  });

  it("hourly: a day with any other hour is hourly, and today's lone first hour is not a total (the day is not over)", () => {
    const today = mid(2026, 4, 7);
    const buckets = [hour(mid(2026, 4, 6)), hour(mid(2026, 4, 6) + 5 * HOUR), hour(today)];
    expect(findTotals(buckets, "hourly", TZ, { now: NOW, rangeEnd })).to.deep.equal([]);
  });

  it("hourly, from the backend's status: only before its hourly series starts", () => {
    const buckets = [hour(mid(2026, 3, 30), 20), hour(mid(2026, 3, 31), 21)];
    const found = findTotals(buckets, "hourly", TZ, { now: NOW, rangeEnd, finerFrom: mid(2026, 3, 31) });
    expect(found.map((f) => f.index)).to.deep.equal([0]);
  });

  it("hourly: the DST day's total covers its 25 hours", () => {
    const spread = spreadTotals([hour(mid(2026, 4, 5), 25)], "hourly", TZ, { now: NOW, rangeEnd });
    expect(spread).to.have.length(25);
    expect(spread.every((b) => b.total?.paid === 25 && b.free === 0 && b.paid === 0)).to.equal(true);
    expect(spread.at(-1)!.end).to.equal(mid(2026, 4, 6));
  });

  it("daily, from the rows: a day followed by days of its month without rows covers them, up to the next row", () => {
    const buckets = [day(2026, 3, 1, 300), day(2026, 3, 15), day(2026, 3, 16)];
    const found = findTotals(buckets, "daily", TZ, { now: NOW, rangeEnd });
    expect(found.map((f) => [f.index, f.kind, f.end])).to.deep.equal([[0, "month", mid(2026, 3, 15)]]);
    const spread = spreadTotals(buckets, "daily", TZ, { now: NOW, rangeEnd });
    expect(spread).to.have.length(14 + 2);
    expect(spread.slice(0, 14).every((b) => b.total?.paid === 300)).to.equal(true);
  });

  it("daily: a month total with no later row covers its whole month; days in a row are never totals", () => {
    const buckets = [day(2026, 1, 1, 500), day(2026, 3, 1), day(2026, 3, 2), day(2026, 3, 3)];
    const found = findTotals(buckets, "daily", TZ, { now: NOW, rangeEnd });
    expect(found.map((f) => [f.index, f.end])).to.deep.equal([[0, mid(2026, 2, 1)]]);
  });

  it("daily: a gap that is not over yet, or that runs past the range, is not a total", () => {
    // 2 April: the provider is late, the latest day (30 March) is followed by nothing yet, although March is over.
    const now = mid(2026, 4, 2) + 10 * HOUR;
    expect(findTotals([day(2026, 3, 29), day(2026, 3, 30)], "daily", TZ, { now, rangeEnd: mid(2026, 4, 3) })).to.deep.equal([]);
    // A gap before the next row that is not over yet.
    expect(findTotals([day(2026, 3, 29), day(2026, 3, 31)], "daily", TZ, { now: mid(2026, 3, 30) + HOUR, rangeEnd: mid(2026, 3, 31) })).to.deep.equal([]);
    // A past range ending on 10 March: its last day's next rows are outside it.
    expect(findTotals([day(2026, 3, 9)], "daily", TZ, { now: NOW, rangeEnd: mid(2026, 3, 10) })).to.deep.equal([]);
  });

  it("daily, from the backend's status: only before its daily series starts", () => {
    const buckets = [day(2026, 1, 1, 500), day(2026, 2, 1, 400)];
    const found = findTotals(buckets, "daily", TZ, { now: NOW, rangeEnd, finerFrom: mid(2026, 2, 1) });
    expect(found.map((f) => f.index)).to.deep.equal([0]);
  });

  it("monthly: nothing is coarser than a month", () => {
    expect(findTotals([day(2026, 1, 1, 500)], "monthly", TZ, { now: NOW, rangeEnd })).to.deep.equal([]);
  });
});

type Point = { x: string; y: number | null };
function drawnValues(options: { series?: unknown } | undefined): (number | null)[] {
  const bars = ((options?.series ?? []) as { type?: string; data: (number | null | Point)[] }[]).filter((s) => s.type === "bar");
  const n = bars[0]?.data.length ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const values = bars.map((s) => {
      const p = s.data[i];
      return p !== null && typeof p === "object" ? p.y : (p ?? null);
    });
    return values.every((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);
  });
}

function tooltipOf(card: { chartOptions?: { tooltip?: { custom?: unknown } } }, index: number): string {
  return (card.chartOptions?.tooltip?.custom as (a: { dataPointIndex: number }) => string)({ dataPointIndex: index });
}

describe("totals: the card draws a day or month total as a band", () => {
  afterEach(unmountAll);

  // Hourly data from 3 April, daily from 15 March, month totals before.
  const statistics = contactFixture({ hourlyFrom: [2026, 4, 3], dailyFrom: [2026, 3, 15] });
  const stat = (id: string): FixtureStatistic => statistics.find((s) => s.id === id)!;

  it("hourly: 30 Mar – 2 Apr (day totals) are 24-hour bands without columns, outside the y scale; the header counts them", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    await waitUntil(() => shadow(card).querySelectorAll(`rect.apexcharts-annotation-rect.${TOTAL_BAND_CLASS}`).length === 4, "no bands of day totals", { timeout: 10_000 });
    const values = drawnValues(card.chartOptions);
    // 4 spread days (30, 31 Mar, 1, 2 Apr) + 4 hourly days + the 25-hour 5 April = 8 × 24 + 1 slots, then 7 April (not in yet).
    expect(values).to.have.length(9 * 24 + 1);
    expect(values.slice(0, 4 * 24).every((v) => v === null), "no column in the days held as totals").to.equal(true);
    const largestHour = Math.max(...values.filter((v): v is number => v !== null));
    expect(largestHour).to.be.below(3);
    const dayTotal = sumRows(stat(IDS.paid_energy), mid(2026, 3, 30), mid(2026, 3, 31)) + sumRows(stat(IDS.free_energy), mid(2026, 3, 30), mid(2026, 3, 31));
    expect(dayTotal).to.be.above(10 * largestHour);
    // The y axis is scaled to the hours: its top label is far below a day's total.
    const yLabels = [...shadow(card).querySelectorAll(".apexcharts-yaxis-label tspan")].map((l) => l.textContent);
    expect(Math.max(...yLabels.map(Number)), yLabels.join()).to.be.below(dayTotal / 3);
    // Each band is a day wide: 24 of the 193 slots.
    const rects = [...shadow(card).querySelectorAll<SVGRectElement>(`rect.apexcharts-annotation-rect.${TOTAL_BAND_CLASS}`)];
    const plot = card.chartOptions!.annotations!.xaxis!;
    expect(plot).to.have.length(4);
    const widths = rects.map((r) => Number(r.getAttribute("width")));
    const slot = widths[0]! / 24;
    for (const w of widths) expect(w).to.be.closeTo(24 * slot, 1);
    expect(shadow(card).textContent ?? "").to.not.contain("undefined");
    const labels = [...shadow(card).querySelectorAll(".apexcharts-xaxis-annotations text")].map((t) => t.textContent);
    expect(labels).to.include("Day total, no hourly data");
    // Each label inside its band.
    const texts = [...shadow(card).querySelectorAll<SVGTextElement>(`.apexcharts-xaxis-annotations text.${TOTAL_BAND_CLASS}`)].map((t) => t.getBoundingClientRect());
    const bandBoxes = rects.map((r) => r.getBoundingClientRect()).sort((a, b) => a.left - b.left);
    expect(texts).to.have.length(4);
    texts.sort((a, b) => a.left - b.left).forEach((t, i) => {
      expect(t.left, `label ${i} left`).to.be.at.least(bandBoxes[i]!.left - 0.5);
      expect(t.right, `label ${i} right`).to.be.at.most(bandBoxes[i]!.right + 0.5);
    });
    // The tooltip of any hour of such a day is the day's total, named as one.
    const tip = tooltipOf(card, 5);
    expect(tip).to.contain("day total, no hourly data");
    expect(tip).to.contain("Mon, Mar 30, 2026");
    expect(numberIn(/Total<\/span><span class="ei-tt-value">([^<]*)</.exec(tip)![1]!)).to.be.closeTo(dayTotal, 0.05);
    // The header's totals include the day totals.
    const start = mid(2026, 3, 30);
    const end = mid(2026, 4, 8);
    const want = sumRows(stat(IDS.paid_energy), start, end) + sumRows(stat(IDS.free_energy), start, end);
    const used = total(card, "energy");
    expect(numberIn(used)).to.be.closeTo(want, shownPrecision(used));
  });

  it("daily: the month total of 1–14 March is a 14-day band, outside the y scale", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily", daily_days: 45 });
    await waitUntil(() => shadow(card).querySelectorAll(`rect.apexcharts-annotation-rect.${TOTAL_BAND_CLASS}`).length === 1, "no band of the month total", { timeout: 10_000 });
    const values = drawnValues(card.chartOptions);
    // 1–14 March spread (14 slots) + 15 March – 6 April (23 days) + 7 April (not in yet).
    expect(values).to.have.length(14 + 23 + 1);
    expect(values.slice(0, 14).every((v) => v === null)).to.equal(true);
    const largestDay = Math.max(...values.filter((v): v is number => v !== null));
    const monthPart = sumRows(stat(IDS.paid_energy), mid(2026, 3, 1), mid(2026, 3, 15)) + sumRows(stat(IDS.free_energy), mid(2026, 3, 1), mid(2026, 3, 15));
    expect(monthPart).to.be.above(5 * largestDay);
    const yLabels = [...shadow(card).querySelectorAll(".apexcharts-yaxis-label tspan")].map((l) => l.textContent);
    expect(Math.max(...yLabels.map(Number)), yLabels.join()).to.be.below(monthPart / 3);
    const labels = [...shadow(card).querySelectorAll(".apexcharts-xaxis-annotations text")].map((t) => t.textContent);
    expect(labels).to.include("Month total, no daily data");
    const tip = tooltipOf(card, 3);
    expect(tip).to.match(/Mar 1 – 14, 2026: total, no daily data/);
    const used = total(card, "energy");
    const all = sumRows(stat(IDS.paid_energy), mid(2026, 2, 23), mid(2026, 4, 8)) + sumRows(stat(IDS.free_energy), mid(2026, 2, 23), mid(2026, 4, 8));
    expect(numberIn(used)).to.be.closeTo(all, shownPrecision(used));
  });

  it("with backend_url: the backend's status says where hourly data starts, and wins over the rows' shape", async () => {
    // 2 April has only its first hour (the provider's other hours are missing): by its shape a day total.
    const aprilSecond = mid(2026, 4, 2);
    const gappy = contactFixture().map((st) => ({ ...st, rows: st.rows.filter((r) => r.start < aprilSecond + HOUR || r.start >= mid(2026, 4, 3)) }));
    const bands = (card: Awaited<ReturnType<typeof mount>>) => (card.chartOptions?.annotations?.xaxis ?? []).filter((a) => a.id === TOTAL_BAND_CLASS).length;
    const values = (card: Awaited<ReturnType<typeof mount>>) => drawnValues(card.chartOptions);

    const alone = await mount(makeFakeHass({ statistics: gappy, timeZone: TZ }), CONFIG);
    await waitUntil(() => bands(alone) === 1, "by its shape, 2 April is a day total", { timeout: 10_000 });

    // The backend has hourly data from 26 February: 2 April is an hourly day with one hour, drawn as one column.
    const status = {
      ...DEFAULT_STATUS,
      providers: [
        {
          provider: "contact",
          healthy: true,
          series: [{ account: "0000012345ABC", resolution: "hour", covered_from: "2026-02-26", covered_to: "2026-04-06", last_success: "2026-04-06T21:00:00.000Z", last_attempt: "2026-04-06T21:00:00.000Z", consecutive_failures: 0, last_error: null }],
        },
      ],
    };
    const backend = new FakeBackend({ devices: [], correlations: [], status });
    const fake = Object.assign(makeFakeHass({ statistics: gappy, timeZone: TZ }), { auth: { data: { access_token: "token" } } });
    const card = await mount(fake, { ...CONFIG, backend_url: "ws://backend.test:8099" }, { prepare: (c) => (c.backendSocket = backend.factory) });
    await waitUntil(() => card.chartOptions !== undefined && bands(card) === 0 && values(card).length === 7 * 24 + 1 + 1 + 24, `with the status no band (${bands(card)} bands, ${values(card).length} columns)`, { timeout: 10_000 });
    const index = 3 * 24; // 30, 31 March, 1 April, then 2 April 00:00
    expect(values(card)[index]).to.be.a("number");
  });
});
