/**
 * The carbon overlay in Chromium: intensity and emissions statistics from a fake hass that answers
 * like Home Assistant (a mean statistic and a sum statistic), drawn as a line on its own axis or as
 * bands; emissions in the header and tooltips; the percentile labelled as such; the cleanest
 * forecast hours from the backend highlighted.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { bandColor } from "../../card/src/chart/carbon.js";
import { makeFakeHass, type FixtureStatistic } from "./helpers/fake-hass.js";
import { FakeBackend } from "./helpers/fake-backend.js";
import { CARBON_IDS, IDS, TZ, carbonFixture, contactFixture, intensityAt, sumRows } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, mount, nextRender, numberIn, shadow, shownPrecision, statisticsCalls, text, total, unmountAll } from "./helpers/mount.js";

const HOUR = 3_600_000;
const energy = contactFixture({ from: [2026, 3, 1] });
/** The hourly view: 30 Mar 00:00 NZDT – 8 Apr 00:00 NZST; energy ends 7 Apr 00:00, intensity at NOW (10:00). */
const RANGE = { start: Date.parse("2026-03-29T11:00:00Z"), end: Date.parse("2026-04-07T12:00:00Z") };
const carbon = carbonFixture(energy, RANGE.start, NOW);
const CONFIG = { type: "custom:energy-insights-card", ...IDS };

type LinePoint = number | null | { x: string; y: number | null };
type Series = { name: string; type?: string; data: LinePoint[] };

function seriesNamed(card: EnergyInsightsCard, name: string): Series | undefined {
  return (card.chartOptions?.series as Series[] | undefined)?.find((s) => s.name === name);
}

function yOf(p: LinePoint): number | null {
  return p !== null && typeof p === "object" ? p.y : p;
}

/** The (x, y) points of an SVG path made of M/L commands. */
function pathPoints(d: string): [number, number][] {
  const numbers = (d.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g) ?? []).map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) out.push([numbers[i]!, numbers[i + 1]!]);
  return out;
}

/**
 * Mounts the card and waits for its chart with the carbon statistics. In a page without the statistics
 * catalog the first chart is the energy alone (one call, ids configured); the catalog, asked after that
 * paint, names the intensity and emissions statistics, and the chart is updated with them.
 */
async function mountWithCarbon(...args: Parameters<typeof mount>): Promise<EnergyInsightsCard> {
  const card = await mount(...args);
  if (!card.data.data?.carbon) await nextRender(card, 15_000);
  await card.updateComplete;
  return card;
}

describe("carbon overlay", () => {
  afterEach(unmountAll);

  it("line: intensity on its own right-hand axis with the statistic's values; emissions and mean intensity in the header", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    const card = await mountWithCarbon(fake, CONFIG);
    expect(card.status).to.equal("ready");

    // First paint: the energy alone (one call; the page had no statistics catalog). Once the catalog
    // names intensity and emissions: one call with everything, mean for intensity and change for the sums.
    const calls = statisticsCalls(fake);
    expect(calls).to.have.length(2);
    expect(calls[0]!.statistic_ids).to.have.members([IDS.paid_energy, IDS.free_energy, IDS.paid_cost]);
    const carbonCall = calls[1]!;
    expect(carbonCall.statistic_ids).to.have.members([IDS.paid_energy, IDS.free_energy, IDS.paid_cost, CARBON_IDS.intensity, CARBON_IDS.emissions]);
    expect(carbonCall.types).to.have.members(["mean", "change"]);
    expect(carbonCall.period).to.equal("hour");

    const line = seriesNamed(card, "Carbon intensity");
    expect(line?.type).to.equal("line");
    // One point per hour of the range (the axis spans it all): intensity runs on 10 hours past the energy, up to now; none after.
    const hours = (NOW - RANGE.start) / HOUR;
    expect(line!.data).to.have.length((RANGE.end - RANGE.start) / HOUR);
    line!.data.slice(0, hours).forEach((p, i) => expect(yOf(p), `hour ${i}`).to.be.closeTo(intensityAt(RANGE.start + i * HOUR), 0.05 + 1e-9));
    expect(line!.data.slice(hours).every((p) => yOf(p) === null), "no intensity after now").to.equal(true);
    const axes = card.chartOptions?.yaxis as { seriesName?: string | string[]; opposite?: boolean; title?: { text?: string } }[];
    const axis = axes.find((a) => a.seriesName === "Carbon intensity");
    expect(axis?.opposite).to.equal(true);
    expect(axis?.title?.text).to.equal("gCO2eq/kWh");

    // Drawn: a line path whose heights follow the values (y = a − b·value, b > 0) on a second y axis.
    expect(shadow(card).querySelectorAll(".apexcharts-yaxis").length).to.equal(2);
    const path = shadow(card).querySelector(".apexcharts-line-series path.apexcharts-line");
    expect(path, "line path").to.not.equal(null);
    const points = pathPoints(path!.getAttribute("d") ?? "");
    const values = line!.data.slice(0, hours).map(yOf) as number[];
    // (where the values stop, ApexCharts may end the path with one more move to the next slot)
    expect(points.length).to.be.within(values.length, values.length + 1);
    const [lo, hi] = [values.indexOf(Math.min(...values)), values.indexOf(Math.max(...values))];
    const slope = (points[lo]![1] - points[hi]![1]) / (values[hi]! - values[lo]!);
    expect(slope).to.be.greaterThan(0);
    values.forEach((v, i) => expect(points[lo]![1] - (v - values[lo]!) * slope, `y of hour ${i}`).to.be.closeTo(points[i]![1], 0.6));

    const emissions = total(card, "emissions");
    const want = sumRows(carbon.find((s) => s.id === CARBON_IDS.emissions), RANGE.start, RANGE.end);
    expect(emissions).to.contain("kg CO2eq");
    expect(numberIn(emissions)).to.be.closeTo(want, 0.05);
    const meanWant = values.reduce((a, v) => a + v, 0) / values.length;
    expect(numberIn(text(card, '[data-total="emissions"] .sub'))).to.be.closeTo(meanWant, 0.5 + 1e-9);
    expect(text(card, ".legend")).to.contain("Carbon intensity");
    // The card's own day labels still sit under the plot.
    await waitUntil(() => shadow(card).querySelectorAll(".xlabel").length > 0, "no day labels under the chart", { timeout: 15_000 });
  });

  it("a second card on the page (the catalog in hand): energy and carbon in one call before its first paint, nothing else asked", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    await mountWithCarbon(fake, CONFIG);
    fake.calls.length = 0;
    const second = await mount(fake, CONFIG);
    expect(fake.calls.map((c) => c.type)).to.deep.equal(["recorder/statistics_during_period"]);
    expect(fake.calls[0]!.statistic_ids).to.have.members([IDS.paid_energy, IDS.free_energy, IDS.paid_cost, CARBON_IDS.intensity, CARBON_IDS.emissions]);
    expect(seriesNamed(second, "Carbon intensity")?.type).to.equal("line");
    expect(total(second, "emissions")).to.contain("kg CO2eq");
  });

  it("a card that loaded before another card checked the catalog still gets the carbon once it paints (two cards on a page opened for the first time)", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    // The first card's statistics answer is slow: it was asked before any catalog was in hand.
    fake.options.delayMs = 1500;
    const slow = mount(fake, CONFIG);
    await waitUntil(() => fake.calls.length >= 1, "the first card asked nothing", { timeout: 10_000 });
    fake.options.delayMs = 0;
    // The second card loads, paints and checks the catalog while the first one still waits.
    const quick = await mountWithCarbon(fake, CONFIG);
    expect(quick.data.data?.carbon, "the second card has the carbon").to.not.equal(undefined);
    const first = await slow;
    await waitUntil(() => Boolean(first.data.data?.carbon) && seriesNamed(first, "Carbon intensity") !== undefined, "the first card never got the carbon", { timeout: 15_000 });
  });

  it("tooltip: each hour's emissions and intensity", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    const card = await mountWithCarbon(fake, CONFIG);
    const custom = card.chartOptions?.tooltip?.custom as (a: { dataPointIndex: number }) => string;
    const box = document.createElement("div");
    const hour = 20; // 30 Mar 20:00 NZDT: in the evening peak
    box.innerHTML = custom({ dataPointIndex: hour });
    const start = RANGE.start + hour * HOUR;
    const emissionRow = carbon.find((s) => s.id === CARBON_IDS.emissions)!.rows.find((r) => r.start === start)!;
    expect(numberIn(box.querySelector('[data-carbon="emissions"] .ei-tt-value')!.textContent!)).to.be.closeTo(emissionRow.change, 0.005 + 1e-9);
    const intensity = box.querySelector('[data-carbon="intensity"] .ei-tt-value')!.textContent!;
    expect(intensity).to.contain("gCO2eq/kWh");
    expect(numberIn(intensity)).to.be.closeTo(intensityAt(start), 0.5 + 1e-9);
    // The energy rows are still there.
    expect(box.textContent).to.contain("Total");
  });

  it("bands: one background rectangle per run of the same level, green for the cleanest hours and red for the dirtiest, no line", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    const card = await mountWithCarbon(fake, { ...CONFIG, carbon_overlay: "bands" });
    expect(seriesNamed(card, "Carbon intensity")).to.equal(undefined);
    await waitUntil(() => shadow(card).querySelectorAll("rect.apexcharts-annotation-rect.ei-carbon-band").length > 0, "no bands drawn", { timeout: 10_000 });
    const rects = [...shadow(card).querySelectorAll<SVGRectElement>("rect.apexcharts-annotation-rect.ei-carbon-band")];
    const values: number[] = [];
    for (let t = RANGE.start; t < NOW; t += HOUR) values.push(intensityAt(t));
    const min = Math.min(...values);
    const max = Math.max(...values);
    const level = (v: number) => Math.min(4, Math.floor(((v - min) / (max - min)) * 5));
    const width = rects.reduce((a, r) => a + Number(r.getAttribute("width")), 0);
    const slot = width / values.length;
    // Every hour is under a rectangle of its own level's colour.
    values.forEach((v, i) => {
      const x = (i + 0.5) * slot;
      const rect = rects.find((r) => Number(r.getAttribute("x")) <= x && x < Number(r.getAttribute("x")) + Number(r.getAttribute("width")));
      expect(rect, `hour ${i} has a band`).to.not.equal(undefined);
      expect(rect!.getAttribute("fill"), `hour ${i}`).to.equal(bandColor(level(v)));
    });
    // Runs are merged: fewer rectangles than hours, and no two neighbours of the same colour.
    expect(rects.length).to.be.lessThan(values.length);
    const sorted = rects.sort((a, b) => Number(a.getAttribute("x")) - Number(b.getAttribute("x")));
    sorted.slice(1).forEach((r, i) => expect(r.getAttribute("fill")).to.not.equal(sorted[i]!.getAttribute("fill")));
    expect(sorted.map((r) => r.getAttribute("fill"))).to.include.members([bandColor(0), bandColor(4)]);
  });

  it("percentile signal: labelled as a percentile on the axis, in the tooltip and the header, never as gCO2eq/kWh", async () => {
    const percentile = carbonFixture(energy, RANGE.start, NOW, { percentile: true });
    const fake = makeFakeHass({ statistics: [...energy, ...percentile], timeZone: TZ });
    const card = await mountWithCarbon(fake, CONFIG);
    const line = seriesNamed(card, "Carbon signal (percentile)");
    expect(line?.type).to.equal("line");
    const axes = card.chartOptions?.yaxis as { seriesName?: string; title?: { text?: string }; max?: number }[];
    const axis = axes.find((a) => a.seriesName === "Carbon signal (percentile)")!;
    expect(axis.title?.text).to.equal("percentile (%)");
    expect(axis.max).to.equal(100);
    const value = total(card, "intensity");
    expect(value).to.match(/^\d+ %$/);
    expect(text(card, '[data-total="intensity"] .label')).to.equal("Carbon signal (percentile)");
    const custom = card.chartOptions?.tooltip?.custom as (a: { dataPointIndex: number }) => string;
    expect(custom({ dataPointIndex: 3 })).to.match(/Carbon signal \(percentile\).*\d+ %/);
    expect(shadow(card).textContent).to.not.contain("gCO2eq");
    expect(JSON.stringify(card.chartOptions?.yaxis)).to.not.contain("gCO2eq");
  });

  it("forecast from the backend: the next hours extend the hourly chart and the cleanest ones are highlighted and listed", async () => {
    const forecastHours = Array.from({ length: 24 }, (_, i) => NOW + i * HOUR);
    // Cleanest: 13:00, 14:00 and 02:00 NZST (NOW is 10:00 NZST, 22:00Z).
    const values = forecastHours.map((t, i) => (i === 3 || i === 4 ? 20 : i === 16 ? 25 : 100 + i));
    const backend = new FakeBackend({
      devices: [],
      correlations: [],
      forecast: [
        {
          provider: "electricity_maps",
          region: "NZ",
          statistic_id: CARBON_IDS.intensity,
          unit: "gCO2eq/kWh",
          fetched_at: new Date(NOW).toISOString(),
          hours: forecastHours.map((t, i) => ({ start: new Date(t).toISOString(), intensity: values[i]! })),
        },
      ],
    });
    const fake = Object.assign(makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ }), { auth: { data: { access_token: "token" } } });
    const card = await mountWithCarbon(fake, { ...CONFIG, backend_url: "ws://backend.test:8099" }, { prepare: (c) => (c.backendSocket = backend.factory) });
    await waitUntil(() => text(card, "[data-cleanest]") !== "", "no cleanest hours shown", { timeout: 10_000 });
    expect(text(card, "[data-cleanest]")).to.equal("Cleanest hours ahead: 13:00–15:00, 02:00–03:00");
    await waitUntil(() => shadow(card).querySelectorAll("rect.apexcharts-annotation-rect.ei-cleanest").length === 2, "cleanest hours not highlighted", { timeout: 10_000 }).catch(() => {
      throw new Error(`${shadow(card).querySelectorAll("rect.apexcharts-annotation-rect.ei-cleanest").length} rects; ${JSON.stringify(card.chartOptions?.annotations)}`);
    });

    // The line goes on with the forecast: measured hours up to NOW, then the 24 forecast hours.
    const line = seriesNamed(card, "Carbon intensity")!;
    const measured = (NOW - RANGE.start) / HOUR;
    expect(line.data).to.have.length(measured + 24);
    expect(yOf(line.data[measured + 3]!)).to.equal(20);
    const custom = card.chartOptions?.tooltip?.custom as (a: { dataPointIndex: number }) => string;
    expect(custom({ dataPointIndex: measured + 3 })).to.contain("Carbon intensity (forecast)");
    expect(custom({ dataPointIndex: measured - 1 })).to.not.contain("forecast");
    // Highlights sit over the forecast hours they name.
    const rects = [...shadow(card).querySelectorAll<SVGRectElement>("rect.apexcharts-annotation-rect.ei-cleanest")].sort((a, b) => Number(a.getAttribute("x")) - Number(b.getAttribute("x")));
    const [x0, x1] = rects.map((r) => Number(r.getAttribute("x"))) as [number, number];
    // One slot per column: where the second column starts (the first starts at 0).
    const slot = Number(/^M ([\d.]+)/.exec(shadow(card).querySelectorAll(".apexcharts-bar-area")[1]!.getAttribute("d")!)![1]);
    expect((x1 - x0) / slot).to.be.closeTo(13, 0.2); // 13:00 NZST to 02:00 NZST
    expect(x0 / slot).to.be.closeTo(measured + 3, 0.2);
    expect(Number(rects[0]!.getAttribute("width")) / slot).to.be.closeTo(2, 0.1);
    expect(Number(rects[1]!.getAttribute("width")) / slot).to.be.closeTo(1, 0.1);
    // The totals are the measured energy only.
    const used = total(card, "energy");
    const kwh = sumRows(energy.find((s) => s.id === IDS.paid_energy), RANGE.start, RANGE.end) + sumRows(energy.find((s) => s.id === IDS.free_energy), RANGE.start, RANGE.end);
    expect(numberIn(used)).to.be.closeTo(kwh, shownPrecision(used));
  });

  it("daily view: emissions summed per day and the mean intensity per day", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    const card = await mountWithCarbon(fake, { ...CONFIG, view: "daily" });
    const line = seriesNamed(card, "Carbon intensity")!;
    const data = line.data.map(yOf).filter((v): v is number => v !== null);
    // 30 Mar – 7 Apr have intensity: 9 days, each the mean of its hours.
    expect(data).to.have.length(9);
    const day = (stat: FixtureStatistic | undefined, from: number, to: number) => (stat?.rows ?? []).filter((r) => r.start >= from && r.start < to);
    const first = day(carbon[0], RANGE.start, RANGE.start + 24 * HOUR).map((r) => r.mean!);
    expect(data[0]).to.be.closeTo(first.reduce((a, v) => a + v, 0) / first.length, 0.05 + 1e-9);
    expect(numberIn(total(card, "emissions"))).to.be.closeTo(sumRows(carbon.find((s) => s.id === CARBON_IDS.emissions), RANGE.start, RANGE.end), 0.05);
  });

  it("carbon_overlay none: no line and no bands, emissions still in the header", async () => {
    const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
    const card = await mountWithCarbon(fake, { ...CONFIG, carbon_overlay: "none" });
    expect(seriesNamed(card, "Carbon intensity")).to.equal(undefined);
    expect(shadow(card).querySelectorAll("rect.apexcharts-annotation-rect.ei-carbon-band").length).to.equal(0);
    expect(total(card, "emissions")).to.contain("kg CO2eq");
  });
});
