/**
 * The card's pure cores, in the same browser: zone arithmetic (DST, half-hour shifts, a skipped
 * midnight), view ranges, bucketing of HA's rows, totals, and the chart option builder.
 */
import { expect } from "@open-wc/testing";
import { addDays, addMonths, civilDateOf, zonedInstant, zonedParts } from "../../card/src/common/time.js";
import { viewRange } from "../../card/src/common/range.js";
import { makeFormatters } from "../../card/src/common/format.js";
import { toBuckets, totalsOf } from "../../card/src/chart/buckets.js";
import { bucketLabels, dayLabelStride, labelPx, pickColumnLabels, widestLabelPx } from "../../card/src/chart/labels.js";
import { buildChartOptions, canMergeSeries, escapeHtml, tooltipHtml, type ChartInput } from "../../card/src/chart/options.js";
import { groupAccounts } from "../../card/src/data/discovery.js";
import { resolveConfig, slug, statisticIdFor } from "../../card/src/energy-insights-card-config.js";
import { localizer, resolveLanguage } from "../../card/src/localize/localize.js";
import { describe, it } from "./helpers/mocha.js";

/** Wall-clock reading of an instant, read independently through Intl's formatter. */
function wall(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
}

describe("time zone arithmetic", () => {
  const cases: [string, number, number, number][] = [
    ["Pacific/Auckland", 2026, 4, 5], // 25-hour day
    ["Pacific/Auckland", 2025, 9, 28], // 23-hour day
    ["Pacific/Chatham", 2026, 4, 5], // +12:45/+13:45
    ["Australia/Lord_Howe", 2026, 4, 5], // 30-minute DST shift
    ["Asia/Kolkata", 2026, 1, 1], // +05:30
    ["Europe/Warsaw", 2026, 3, 29],
    ["America/New_York", 2026, 11, 1],
    ["UTC", 2026, 1, 1],
  ];
  for (const [zone, y, m, d] of cases) {
    it(`midnight of ${y}-${m}-${d} in ${zone} reads 00:00 there`, () => {
      const ms = zonedInstant({ year: y, month: m, day: d }, zone);
      expect(wall(ms, zone)).to.equal(`${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")} 00:00`);
      expect(civilDateOf(ms, zone)).to.deep.equal({ year: y, month: m, day: d });
    });
  }

  it("a midnight skipped by DST maps to the first instant of that day (America/Santiago, 8 Sep 2024)", () => {
    const ms = zonedInstant({ year: 2024, month: 9, day: 8 }, "America/Santiago");
    expect(wall(ms, "America/Santiago")).to.equal("2024-09-08 01:00");
    expect(wall(ms - 1, "America/Santiago")).to.equal("2024-09-07 23:59");
  });

  it("days and months move on the calendar", () => {
    expect(addDays({ year: 2026, month: 2, day: 27 }, 2)).to.deep.equal({ year: 2026, month: 3, day: 1 });
    expect(addDays({ year: 2024, month: 3, day: 1 }, -1)).to.deep.equal({ year: 2024, month: 2, day: 29 });
    expect(addMonths({ year: 2026, month: 1, day: 31 }, 1)).to.deep.equal({ year: 2026, month: 2, day: 1 });
    expect(addMonths({ year: 2026, month: 1, day: 15 }, -13)).to.deep.equal({ year: 2024, month: 12, day: 1 });
    expect(zonedParts(Date.parse("2026-04-04T13:30:00Z"), "Pacific/Auckland")).to.deep.include({ day: 5, hour: 2, minute: 30 });
  });
});

describe("view ranges", () => {
  const now = Date.parse("2026-04-06T22:00:00Z"); // 7 Apr 2026 10:00 NZST
  it("hourly: N whole local days ending today; the DST day is 25 hours long", () => {
    const r = viewRange("hourly", 3, 0, now, "Pacific/Auckland", "UTC");
    expect(wall(r.start, "Pacific/Auckland")).to.equal("2026-04-05 00:00");
    expect(wall(r.end, "Pacific/Auckland")).to.equal("2026-04-08 00:00");
    expect((r.end - r.start) / 3_600_000).to.equal(73);
    expect(r.period).to.equal("hour");
  });
  it("daily and monthly use the server's zone, whatever the display zone", () => {
    const d = viewRange("daily", 35, 1, now, "UTC", "Pacific/Auckland");
    expect(wall(d.start, "Pacific/Auckland")).to.equal("2026-01-28 00:00");
    expect(wall(d.end, "Pacific/Auckland")).to.equal("2026-03-04 00:00");
    const m = viewRange("monthly", 18, 0, now, "UTC", "Pacific/Auckland");
    expect(wall(m.start, "Pacific/Auckland")).to.equal("2024-11-01 00:00");
    expect(wall(m.end, "Pacific/Auckland")).to.equal("2026-05-01 00:00");
    expect(m.period).to.equal("month");
  });
});

describe("buckets and totals", () => {
  const ids = { paid_energy: "a:paid", free_energy: "a:free", paid_cost: "a:cost" };
  it("joins HA's rows by start, keeps HA's end, missing cost stays unknown", () => {
    const buckets = toBuckets(
      {
        "a:paid": [
          { start: 0, end: 10, change: 2 },
          { start: 10, end: 25, change: 3 },
        ],
        "a:free": [{ start: 25, end: 30, change: 1 }],
        "a:cost": [{ start: 0, end: 10, change: 0.6 }],
      },
      ids,
    );
    expect(buckets).to.deep.equal([
      { start: 0, end: 10, free: 0, paid: 2, cost: 0.6 },
      { start: 10, end: 25, free: 0, paid: 3, cost: null },
      { start: 25, end: 30, free: 1, paid: 0, cost: null },
    ]);
    const t = totalsOf(buckets);
    expect(t).to.deep.include({ free: 1, paid: 5, total: 6, buckets: 3 });
    expect(t.cost).to.be.closeTo(0.6, 1e-12);
    expect(t.averagePaidPrice).to.be.closeTo(0.12, 1e-12);
    expect(t.freeSaved).to.be.closeTo(0.12, 1e-12);
    expect(t.freeShare).to.be.closeTo(1 / 6, 1e-12);
  });
  it("no paid energy or no cost: no price and no saving (never divide by zero)", () => {
    expect(totalsOf([{ start: 0, end: 1, free: 2, paid: 0, cost: 0 }])).to.deep.include({ averagePaidPrice: null, freeSaved: null });
    expect(totalsOf([{ start: 0, end: 1, free: 2, paid: 1, cost: null }])).to.deep.include({ cost: null, freeSaved: null });
    expect(totalsOf([])).to.deep.include({ total: 0, freeShare: null, cost: null });
  });
});

describe("chart options", () => {
  const fmt = makeFormatters({ language: "en", number_format: "language", time_format: "24" });
  const buckets = [
    { start: Date.parse("2026-04-04T11:00:00Z"), end: Date.parse("2026-04-05T12:00:00Z"), free: 1.23456, paid: 10, cost: 3.5 },
    { start: Date.parse("2026-04-05T12:00:00Z"), end: Date.parse("2026-04-06T12:00:00Z"), free: 1, paid: 9, cost: null },
  ];
  const input = (extra: Partial<ChartInput> = {}): ChartInput => ({
    buckets,
    labels: bucketLabels(buckets, "daily", "Pacific/Auckland", fmt),
    names: { free: "Free", paid: "Paid", total: "Total", cost: "Cost" },
    colors: { free: "#008FFB", paid: "#FEB019", cost: "#00B8A9" },
    showCost: false,
    hasCost: true,
    theme: { dark: false, text: "#000", secondaryText: "#666", grid: "#ddd", background: "#fff" },
    height: 240,
    format: { energy: fmt.energy, axisEnergy: (v) => fmt.number(v, 0), money: (v) => fmt.money(v, "NZD") },
    ...extra,
  });
  it("two stacked column series, one value per bucket, no animation or markers", () => {
    const o = buildChartOptions(input());
    expect(o.series).to.deep.equal([
      { name: "Free", type: "bar", data: [1.235, 1] },
      { name: "Paid", type: "bar", data: [10, 9] },
    ]);
    expect(o.chart).to.deep.include({ type: "bar", stacked: true });
    expect(o.chart!.animations).to.deep.equal({ enabled: false });
    expect(o.xaxis!.categories).to.deep.equal(["Apr 5", "Apr 6"]);
  });
  it("the tooltip gives each bucket's cost from the cost statistic, or a dash", () => {
    const i = input();
    expect(tooltipHtml(i, 0)).to.contain("Sunday, April 5, 2026").and.to.contain("NZ$3.50").and.to.contain("11.2 kWh");
    expect(tooltipHtml(i, 1)).to.contain("Cost</span><span class=\"ei-tt-value\">—");
    expect(escapeHtml(`<img src=x onerror="a">`)).to.equal("&lt;img src=x onerror=&quot;a&quot;&gt;");
  });
  it("one coloured column per bucket only where each bucket is all free or all paid, and the card labels the axis", () => {
    const hourly = [
      { start: 0, end: 1, free: 0, paid: 2, cost: 1 },
      { start: 1, end: 2, free: 1, paid: 0, cost: 0 },
    ];
    const groups = [{ first: 0, count: 2, text: "Apr 5" }];
    expect(canMergeSeries({ buckets: hourly, labels: { view: "hourly", axis: [], tooltip: [], groups, columns: [] } })).to.equal(true);
    expect(canMergeSeries({ buckets: hourly, labels: { view: "daily", axis: [], tooltip: [], groups: [], columns: [] } })).to.equal(false);
    expect(canMergeSeries({ buckets: [...hourly, { start: 2, end: 3, free: 1, paid: 1, cost: 0 }], labels: { view: "hourly", axis: [], tooltip: [], groups, columns: [] } })).to.equal(false);
    const o = buildChartOptions(input({ buckets: hourly, labels: { view: "hourly", axis: ["Apr 5", ""], tooltip: ["a", "b"], groups, columns: [] } }));
    expect(o.series).to.deep.equal([
      {
        name: "Total",
        type: "bar",
        data: [
          { x: "0", y: 2, fillColor: "#FEB019" },
          { x: "1", y: 1, fillColor: "#008FFB" },
        ],
      },
    ]);
    expect(o.chart!.stacked).to.equal(false);
  });

  it("cost as a series: a line on its own axis, with gaps where HA has no cost row", () => {
    const o = buildChartOptions(input({ showCost: true }));
    expect(o.series![2]).to.deep.equal({ name: "Cost", type: "line", data: [3.5, null] });
    expect(o.yaxis).to.have.length(2);
  });
});

describe("discovery, ids and languages", () => {
  it("groups the backend's statistics per account and ignores everything else", () => {
    const row = (statistic_id: string, source = "energy_insights", unit = "kWh") => ({ statistic_id, source, statistics_unit_of_measurement: unit });
    const accounts = groupAccounts([
      row("sensor.house_energy", "recorder"),
      row("energy_insights:onemeter_abc_free_energy"),
      row("energy_insights:contact_0000012345abc_paid_energy"),
      row("energy_insights:contact_0000012345abc_paid_cost", "energy_insights", "NZD"),
      row("energy_insights:contact_0000012345abc_carbon_intensity"),
      row("other:contact_x_paid_energy", "other"),
    ]);
    expect(accounts.map((a) => a.key)).to.deep.equal(["contact_0000012345abc", "onemeter_abc"]);
    expect(accounts[0]).to.deep.include({ currency: "NZD" });
    expect(accounts[0]!.ids).to.deep.equal({
      paid_energy: "energy_insights:contact_0000012345abc_paid_energy",
      paid_cost: "energy_insights:contact_0000012345abc_paid_cost",
    });
  });
  it("slugs account and provider like the backend; explicit ids win", () => {
    expect(slug("  0000012345-ABC ")).to.equal("0000012345_abc");
    expect(statisticIdFor("Contact", "0000012345ABC", "free_energy")).to.equal("energy_insights:contact_0000012345abc_free_energy");
    const r = resolveConfig({ type: "custom:energy-insights-card", account: "X1", paid_cost: "energy_insights:mine" });
    expect(r.ids).to.deep.equal({
      paid_energy: "energy_insights:contact_x1_paid_energy",
      free_energy: "energy_insights:contact_x1_free_energy",
      paid_cost: "energy_insights:mine",
    });
  });
  it("languages: en, pl, mi, region variants, fallback to English per string", () => {
    expect(resolveLanguage("pl-PL")).to.equal("pl");
    expect(resolveLanguage("mi")).to.equal("mi");
    expect(resolveLanguage("zh-Hans")).to.equal("en");
    expect(localizer("mi")("view.daily")).to.equal("Ia rā");
    expect(localizer("mi")("editor.paid_cost")).to.equal("Cost statistic");
    expect(localizer("pl")("state.error", { message: "x" })).to.equal("Nie udało się wczytać statystyk: x");
  });
});

describe("hourly day labels", () => {
  const hourFmt = makeFormatters({ language: "en", number_format: "language", time_format: "24" });
  it("a range of up to two days is also labelled every six hours (the DST day's first group holds its extra hour); longer ranges by day only", () => {
    const zone = "Pacific/Auckland";
    const hoursOf = (start: number, n: number) => Array.from({ length: n }, (_, i) => ({ start: start + i * 3_600_000, end: start + (i + 1) * 3_600_000, free: 0, paid: 1, cost: null }));
    const apr7 = zonedInstant({ year: 2026, month: 4, day: 7 }, zone);
    const day = bucketLabels(hoursOf(apr7, 24), "hourly", zone, hourFmt);
    expect(day.groups.map((g) => [g.text, g.first, g.count])).to.deep.equal([["Apr 7", 0, 6], ["06:00", 6, 6], ["12:00", 12, 6], ["18:00", 18, 6]]);
    const amPm = bucketLabels(hoursOf(apr7, 24), "hourly", zone, makeFormatters({ language: "en", number_format: "language", time_format: "12" }));
    expect(amPm.groups.map((g) => g.text), "as HA writes hours in 12-hour time").to.deep.equal(["Apr 7", "6:00 AM", "12:00 PM", "6:00 PM"]);
    expect(amPm.tooltip[6], "the tooltip's hours too").to.equal("Tue, Apr 7, 6:00 AM–7:00 AM");
    expect(day.tooltip[6]).to.equal("Tue, Apr 7, 06:00–07:00");
    const apr5 = zonedInstant({ year: 2026, month: 4, day: 5 }, zone);
    const dst = bucketLabels(hoursOf(apr5, 25 + 24), "hourly", zone, hourFmt);
    expect(dst.groups.map((g) => [g.text, g.count])).to.deep.equal([["Apr 5", 7], ["06:00", 6], ["12:00", 6], ["18:00", 6], ["Apr 6", 6], ["06:00", 6], ["12:00", 6], ["18:00", 6]]);
    const three = bucketLabels(hoursOf(apr5, 25 + 48), "hourly", zone, hourFmt);
    expect(three.groups.map((g) => g.text)).to.deep.equal(["Apr 5", "Apr 6", "Apr 7"]);
  });
  it("a wide day gets its own label; narrow days are labelled every k-th day, k the fewest whose width holds a label", () => {
    expect(dayLabelStride(40)).to.deep.equal({ every: 1, widthPx: 40 });
    expect(dayLabelStride(28)).to.deep.equal({ every: 1, widthPx: 28 });
    expect(dayLabelStride(22.6)).to.deep.equal({ every: 2, widthPx: 45.2 });
    expect(dayLabelStride(9)).to.deep.equal({ every: 4, widthPx: 36 });
    expect(dayLabelStride(0)).to.deep.equal({ every: 1, widthPx: 0 });
  });
});

describe("daily and monthly column labels", () => {
  const zone = "Pacific/Auckland";
  const fmt = makeFormatters({ language: "en", number_format: "language", time_format: "24" });
  const daysOf = (n: number) => {
    const mar2 = zonedInstant({ year: 2026, month: 3, day: 2 }, zone); // a Monday
    return Array.from({ length: n }, (_, i) => ({ start: mar2 + i * 86_400_000 + 3_600_000, end: mar2 + (i + 1) * 86_400_000, free: 0, paid: 1, cost: null }));
  };
  const pick = (buckets: ReturnType<typeof daysOf>, view: "daily" | "monthly", plot: { left: number; width: number }, right: number) =>
    pickColumnLabels(buckets, view, zone, plot, right, bucketLabels(buckets, view, zone, fmt).columns);
  const weekday = (b: { start: number }) => new Date(b.start).toLocaleDateString("en", { weekday: "short", timeZone: zone });

  it("one width for every label of a row: the widest one's text ('Mar 10' needs more than 'Mar 2')", () => {
    expect(widestLabelPx(["Mar 2", "Mar 10", "Mar 3"])).to.equal(labelPx("Mar 10"));
    expect(labelPx("Mar 10")).to.be.above(labelPx("Mar 2"));
    expect(widestLabelPx([])).to.equal(labelPx(""));
  });

  it("the densest readable rule: every day, every 2nd day, Mondays, every 2nd Monday; centred under their column, a label's width apart, none past the right edge", () => {
    const width = labelPx("Mar 10");
    const wide = pick(daysOf(14), "daily", { left: 40, width: 14 * 50 }, 40 + 14 * 50 + 4);
    expect(wide.map((p) => p.index)).to.deep.equal([...Array(14).keys()]);
    expect(wide[0]).to.deep.equal({ index: 0, left: 40 + 25 - width / 2, width });
    // 35 days in 900 px (a 1,000 px card): 25.7 px a day holds a label every other day, not only Mondays.
    const everyOther = pick(daysOf(35), "daily", { left: 40, width: 900 }, 944);
    expect(everyOther.length).to.be.within(17, 18);
    everyOther.slice(1).forEach((p, i) => expect(p.index - everyOther[i]!.index).to.equal(2));
    const narrow = pick(daysOf(35), "daily", { left: 40, width: 330 }, 374);
    expect(narrow.map((p) => p.index)).to.deep.equal([0, 7, 14, 21, 28]);
    // The last Monday's label would reach past the right edge when the plot ends at its column.
    const tight = pick(daysOf(29), "daily", { left: 40, width: 290 }, 334);
    expect(tight.map((p) => p.index)).to.deep.equal([0, 7, 14, 21]);
    const fortnights = pick(daysOf(70), "daily", { left: 40, width: 300 }, 344);
    expect(fortnights.length).to.be.within(4, 5);
    fortnights.slice(1).forEach((p, i) => expect(p.index - fortnights[i]!.index).to.equal(14));
    expect(fortnights.map((p) => weekday(daysOf(70)[p.index]!))).to.satisfy((days: string[]) => days.every((d) => d === "Mon"));
    for (const picks of [wide, everyOther, narrow, tight, fortnights]) picks.slice(1).forEach((p, i) => expect(p.left - picks[i]!.left).to.be.at.least(p.width));
    expect(pick(daysOf(3), "daily", { left: 0, width: 0 }, 300)).to.deep.equal([]);
    expect(pickColumnLabels(daysOf(3), "hourly", zone, { left: 0, width: 300 }, 300, [])).to.deep.equal([]);
  });

  it("the same days are named whichever day the range starts on (every other day counts from a fixed date)", () => {
    const days = daysOf(40);
    const from0 = pick(days.slice(0, 35), "daily", { left: 0, width: 900 }, 904).map((p) => days[p.index]!.start);
    const from1 = pick(days.slice(1, 36), "daily", { left: 0, width: 900 }, 904).map((p) => days[p.index + 1]!.start);
    expect(from1.filter((t) => t <= from0[from0.length - 1]!)).to.deep.equal(from0.filter((t) => t >= from1[0]!));
  });

  it("months: every month, else every 2nd, 3rd or 6th from January", () => {
    const jan25 = zonedInstant({ year: 2025, month: 1, day: 1 }, zone);
    const months = Array.from({ length: 18 }, (_, i) => {
      const start = zonedInstant(addMonths({ year: 2025, month: 1, day: 1 }, i), zone);
      return { start, end: start + 28 * 86_400_000, free: 0, paid: 1, cost: null };
    });
    expect(months[0]!.start).to.equal(jan25);
    const names = (picks: { index: number }[]) => picks.map((p) => zonedParts(months[p.index]!.start, zone).month);
    expect(names(pick(months, "monthly", { left: 40, width: 18 * 50 }, 40 + 18 * 50 + 4))).to.have.length(18);
    expect(names(pick(months, "monthly", { left: 40, width: 18 * 25 }, 40 + 18 * 25 + 4))).to.deep.equal([1, 3, 5, 7, 9, 11, 1, 3, 5]);
    expect(names(pick(months, "monthly", { left: 40, width: 18 * 15 }, 40 + 18 * 15 + 4))).to.deep.equal([1, 4, 7, 10, 1, 4]);
  });
});
