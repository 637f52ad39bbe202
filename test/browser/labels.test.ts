/**
 * X axis labels measured in Chromium: at card widths of 390, 500 and 1,000 px, in every view, every
 * label's box lies inside the card, its text is not cut, and no two labels intersect. The card writes
 * them itself in every view: day spans under the hourly chart, and each column's name centred under
 * its column in the daily and monthly views.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { CARBON_IDS, IDS, TZ, carbonFixture, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { click, mount, nextRender, shadow, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  cut: boolean;
}

function own(card: EnergyInsightsCard): boolean {
  return [...shadow(card).querySelectorAll<HTMLElement>(".xlabel")].some((l) => l.textContent!.trim() !== "");
}

function labelBoxes(card: EnergyInsightsCard): Box[] {
  const root = shadow(card);
  const own = [...root.querySelectorAll<HTMLElement>(".xlabel")].filter((l) => l.textContent!.trim() !== "");
  if (own.length) {
    // The card's own day labels (hourly view): the text must fit its span (which hides overflow).
    return own.map((l) => {
      const r = l.getBoundingClientRect();
      return { text: l.textContent!.trim(), left: r.left, right: r.left + Math.max(r.width, l.scrollWidth), top: r.top, bottom: r.bottom, cut: l.scrollWidth > l.clientWidth + 0.5 };
    });
  }
  return [...root.querySelectorAll<SVGTextElement>(".apexcharts-xaxis-label")]
    .filter((t) => (t.querySelector("tspan")?.textContent ?? "").trim() !== "")
    .map((t) => {
      const r = t.getBoundingClientRect();
      const shown = t.querySelector("tspan")?.textContent ?? "";
      return { text: shown.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom, cut: shown.includes("...") };
    });
}

function problems(card: EnergyInsightsCard): string[] {
  const out: string[] = [];
  const cardBox = shadow(card).querySelector("ha-card")!.getBoundingClientRect();
  const boxes = labelBoxes(card).sort((a, b) => a.left - b.left);
  if (boxes.length < 2) out.push(`only ${boxes.length} labels`);
  // ApexCharts' SVG clips what lies outside it: a label must be inside it too.
  const svg = shadow(card).querySelector(".apexcharts-svg")?.getBoundingClientRect();
  for (const b of boxes) {
    if (svg && !own(card) && (b.left < svg.left - 0.5 || b.right > svg.right + 0.5)) out.push(`"${b.text}" cut by the chart's edge (${b.left.toFixed(1)}–${b.right.toFixed(1)} of ${svg.left.toFixed(1)}–${svg.right.toFixed(1)})`);
    if (b.left < cardBox.left - 0.5 || b.right > cardBox.right + 0.5) out.push(`"${b.text}" outside the card (${b.left.toFixed(1)}–${b.right.toFixed(1)} of ${cardBox.left}–${cardBox.right})`);
    if (b.cut) out.push(`"${b.text}" cut`);
  }
  // Every label the card asked for is drawn (ApexCharts drops the ones that would overlap or not fit).
  const wanted = ((card.chartOptions?.xaxis?.categories ?? []) as string[]).filter((c) => c !== "");
  const drawnTexts = boxes.map((b) => b.text);
  if (!own(card) && wanted.length && wanted.join() !== drawnTexts.join()) out.push(`asked for ${wanted.join(", ")}; drawn ${drawnTexts.join(", ")}`);
  for (let i = 1; i < boxes.length; i += 1) {
    const [a, b] = [boxes[i - 1]!, boxes[i]!];
    if (b.left < a.right - 0.5 && b.top < a.bottom && a.top < b.bottom) out.push(`"${a.text}" and "${b.text}" overlap`);
  }
  return out;
}

/** Daily and monthly: each named column's label is centred under that column's bar (within 1 px); none from ApexCharts. */
function offCentre(card: EnergyInsightsCard): string[] {
  const root = shadow(card);
  const out: string[] = [];
  if (root.querySelectorAll(".apexcharts-xaxis-label").length) out.push("ApexCharts drew x axis labels too");
  const bars = [...(root.querySelector(".apexcharts-bar-series .apexcharts-series")?.querySelectorAll<SVGPathElement>(".apexcharts-bar-area") ?? [])];
  const columns = [...root.querySelectorAll<HTMLElement>(".xlabel.column")];
  if (columns.length < 2) out.push(`only ${columns.length} column labels`);
  for (const label of columns) {
    const bar = bars[Number(label.dataset.column)]?.getBoundingClientRect();
    if (!bar || !(bar.width > 0)) {
      out.push(`"${label.textContent}": no bar ${label.dataset.column}`);
      continue;
    }
    const l = label.getBoundingClientRect();
    const [labelCentre, barCentre] = [l.left + l.width / 2, bar.left + bar.width / 2];
    if (Math.abs(labelCentre - barCentre) > 1) out.push(`"${label.textContent}" centred at ${labelCentre.toFixed(1)}, its column at ${barCentre.toFixed(1)}`);
  }
  return out;
}

describe("x axis labels", () => {
  afterEach(unmountAll);

  for (const width of [390, 500, 1000]) {
    it(`at ${width} px, daily and monthly: the card's own labels, each centred under its column, none from ApexCharts`, async () => {
      const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG, { width });
      const found: string[] = [];
      for (const view of ["daily", "monthly"]) {
        const rendered = nextRender(card);
        await click(card, `[data-view="${view}"]`);
        await rendered;
        await waitUntil(() => shadow(card).querySelectorAll(".xlabel.column").length > 0, `${view}: no labels`, { timeout: 5_000 });
        await new Promise((r) => requestAnimationFrame(r));
        found.push(...offCentre(card).map((p) => `${view}: ${p}`));
      }
      expect(found).to.deep.equal([]);
    });
  }

  for (const width of [390, 500, 1000]) {
    it(`at ${width} px: inside the card, not cut, not overlapping, in every view`, async () => {
      const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG, { width });
      const found: string[] = [];
      for (const view of ["hourly", "daily", "monthly"]) {
        if (view !== "hourly") {
          const rendered = nextRender(card);
          await click(card, `[data-view="${view}"]`);
          await rendered;
        }
        // The card places its day labels once ApexCharts has laid out the plot.
        await waitUntil(() => labelBoxes(card).length > 0, `${view}: no labels`, { timeout: 5_000 });
        await new Promise((r) => requestAnimationFrame(r));
        found.push(...problems(card).map((p) => `${view}: ${p}`));
      }
      expect(found).to.deep.equal([]);
    });
  }

  for (const width of [390, 700, 1000]) {
    it(`at ${width} px, daily: the densest readable step (every day, every 2nd day, Mondays…), the labels whole and apart`, async () => {
      // 35 days ending 6 April, with two-digit dates ("Mar 30") the widest.
      const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG, { width });
      const rendered = nextRender(card);
      await click(card, '[data-view="daily"]');
      await rendered;
      await waitUntil(() => shadow(card).querySelectorAll(".xlabel.column").length > 1, "no labels", { timeout: 5_000 });
      await new Promise((r) => requestAnimationFrame(r));
      const labels = [...shadow(card).querySelectorAll<HTMLElement>(".xlabel.column")];
      const columns = labels.map((l) => Number(l.dataset.column));
      const strides = new Set(columns.slice(1).map((c, i) => c - columns[i]!));
      expect(strides.size, `one step between labels: ${columns.join(", ")}`).to.equal(1);
      const stride = [...strides][0]!;
      // The widest label's text, measured, and the column's width in px.
      const texts = labels.map((l) => {
        const range = document.createRange();
        range.selectNodeContents(l);
        return range.getBoundingClientRect().width;
      });
      const widest = Math.max(...texts);
      const centres = labels.map((l) => l.getBoundingClientRect().left + l.getBoundingClientRect().width / 2);
      const columnPx = (centres[centres.length - 1]! - centres[0]!) / (columns[columns.length - 1]! - columns[0]!);
      const steps = [1, 2, 7, 14];
      expect(steps, `a step of ${stride} days`).to.include(stride);
      // A denser step would have left less than a readable 10 px between the widest labels (the old rule named only Mondays at 1,000 px, where every 2nd day leaves 21 px).
      for (const denser of steps.filter((s) => s < stride)) expect(denser * columnPx, `every ${denser} days would fit (${widest.toFixed(1)} px labels, ${columnPx.toFixed(1)} px a day)`).to.be.below(widest + 10);
      expect(stride * columnPx, "apart").to.be.at.least(widest + 4);
      if (width >= 1000) expect(stride, "a wide card names more than the Mondays").to.be.at.most(2);
      expect(problems(card)).to.deep.equal([]);
    });
  }

  it("hourly days with two-digit dates ('Mar 27') at widths between 390 and 700 px: whole or left out, never cut", async () => {
    // Nine days ending 29 March (NZ): every day label has two digits.
    // With the cost line and carbon intensity, as in the demo: three y axes leave the plot narrowest.
    const late = contactFixture({ from: [2026, 3, 15], to: [2026, 3, 30] });
    const now = Date.parse("2026-03-29T22:00:00Z");
    const carbon = carbonFixture(late, Date.parse("2026-03-15T11:00:00Z"), now);
    const config = { ...CONFIG, show_cost: true, carbon_intensity: CARBON_IDS.intensity, emissions: CARBON_IDS.emissions };
    const found: string[] = [];
    for (let width = 390; width <= 700; width += 15) {
      const card = await mount(makeFakeHass({ statistics: [...late, ...carbon], timeZone: TZ }), config, { width, now });
      if (!card.data.data?.carbon) await nextRender(card, 15_000);
      await waitUntil(() => labelBoxes(card).length > 0, "no labels", { timeout: 5_000 });
      await new Promise((r) => requestAnimationFrame(r));
      found.push(...problems(card).map((p) => `${width} px: ${p}`));
      unmountAll();
    }
    expect(found).to.deep.equal([]);
  });

  for (const width of [390, 500, 1000]) {
    it(`at ${width} px, one and two days hourly (a day picked on the date picker): the day and every six hours labelled, whole, apart`, async () => {
      const found: string[] = [];
      for (const [days, timeFormat] of [[1, "24"], [2, "24"], [1, "12"], [2, "12"]] as const) {
        const card = await mount(makeFakeHass({ statistics, timeZone: TZ, timeFormat }), { ...CONFIG, hourly_days: days }, { width });
        await waitUntil(() => labelBoxes(card).length > 0, "no labels", { timeout: 5_000 });
        await new Promise((r) => requestAnimationFrame(r));
        const texts = labelBoxes(card).map((b) => b.text);
        // Two days of 12-hour labels ("12:00 PM") fit only a wide card; narrower, the hours are left out rather than cut.
        if ((days === 1 || width >= 1000) && !texts.some((t) => t.startsWith("12:00"))) found.push(`${days} d, ${timeFormat} h: no hour labels (${texts.join(", ")})`);
        found.push(...problems(card).map((p) => `${days} d, ${timeFormat} h: ${p}`));
        unmountAll();
      }
      expect(found).to.deep.equal([]);
    });
  }

  for (const width of [390, 500, 1000]) {
    it(`at ${width} px, the hourly view's last day with only some of its hours yet: its label is shown whole or not at all`, async () => {
      const found: string[] = [];
      const lastDay = Date.parse("2026-04-05T12:00:00Z"); // 6 Apr 00:00 NZST
      // Around the widths where a day label starts to fit.
      for (const hours of [2, 3, 4, 5, 6, 7, 8, 12]) {
        const cut = lastDay + hours * 3_600_000;
        const partial = statistics.map((st) => ({ ...st, rows: st.rows.filter((r) => r.start < cut) }));
        const card = await mount(makeFakeHass({ statistics: partial, timeZone: TZ }), CONFIG, { width });
        await waitUntil(() => labelBoxes(card).length > 0, "no labels", { timeout: 5_000 });
        await new Promise((r) => requestAnimationFrame(r));
        found.push(...problems(card).map((p) => `${hours} h: ${p}`));
        unmountAll();
      }
      expect(found).to.deep.equal([]);
    });
  }
});
