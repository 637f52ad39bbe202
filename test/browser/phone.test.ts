/**
 * Issue 13, phone width: at 390 px (a phone in portrait, HA's card at full width) nothing of the card is
 * cut off or drawn outside it, in every view, with the carbon figures and the account chips, and the
 * header's figures wrap onto more lines instead.
 */
import { expect } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { CARBON_IDS, ICP, IDS, TZ, carbonFixture, contactFixture } from "./helpers/fixture.js";
import type { FixtureStatistic } from "./helpers/fake-hass.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, mount, nextRender, shadow, unmountAll } from "./helpers/mount.js";

const PHONE = 390;
const energy = contactFixture({ from: [2026, 3, 1] });
const carbon = carbonFixture(energy, Date.parse("2026-03-29T11:00:00Z"), NOW);

/** The Contact fixture as another ICP's (as accounts.test.ts builds them). */
function accountFixture(icp: string): FixtureStatistic[] {
  return contactFixture().map((s) => ({ ...s, id: s.id.replace(ICP.toLowerCase(), icp.toLowerCase()), name: s.name.replace(ICP, icp) }));
}

/** Elements of the card (its shadow root, the chart's SVG included) that reach outside the card's box, as "tag.class right>limit". */
function outside(card: EnergyInsightsCard): string[] {
  const box = shadow(card).querySelector("ha-card")!.getBoundingClientRect();
  const out: string[] = [];
  for (const el of shadow(card).querySelectorAll<Element>("ha-card *")) {
    // ApexCharts keeps its tooltip and crosshair out of sight until the pointer is over a column.
    if (el.closest(".apexcharts-tooltip, .apexcharts-xaxistooltip, .apexcharts-yaxistooltip, .apexcharts-xcrosshairs, .apexcharts-ycrosshairs")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""} ${Math.round(r.left)}–${Math.round(r.right)} (card ${Math.round(box.left)}–${Math.round(box.right)})`);
  }
  return out;
}

/** Texts cut short inside their own box (ellipsis or overflow hidden). */
function clipped(card: EnergyInsightsCard): string[] {
  return [...shadow(card).querySelectorAll<HTMLElement>(".title, .view, .account, .range, .total .label, .total .value, .total .sub, .key, .state, .chart-note")]
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.className}: "${el.textContent?.trim()}"`);
}

/** The distinct rows the header's figures sit on. */
function totalRows(card: EnergyInsightsCard): number {
  return new Set([...shadow(card).querySelectorAll<HTMLElement>(".total")].map((t) => Math.round(t.getBoundingClientRect().top))).size;
}

describe("phone width (390 px)", () => {
  afterEach(unmountAll);

  for (const view of ["hourly", "daily", "monthly"] as const) {
    it(`${view} view with carbon: nothing outside the card or cut short; the figures wrap`, async () => {
      const fake = makeFakeHass({ statistics: [...energy, ...carbon], timeZone: TZ });
      const card = await mount(fake, { type: "custom:energy-insights-card", ...IDS, view, carbon_intensity: CARBON_IDS.intensity, emissions: CARBON_IDS.emissions }, { width: PHONE });
      if (!card.data.data?.carbon) await nextRender(card, 15_000);
      await card.updateComplete;
      expect(card.getBoundingClientRect().width).to.equal(PHONE);
      expect(shadow(card).querySelectorAll(".total").length, "energy, free share, cost, saved, emissions").to.equal(5);
      expect(outside(card)).to.deep.equal([]);
      expect(clipped(card)).to.deep.equal([]);
      expect(totalRows(card), "the five figures do not fit one line at 390 px").to.be.greaterThan(1);
      const haCard = shadow(card).querySelector<HTMLElement>("ha-card")!;
      expect(haCard.scrollWidth).to.be.at.most(haCard.clientWidth);
      expect(haCard.scrollHeight, "nothing hidden below").to.be.at.most(haCard.clientHeight + 1);
    });
  }

  it("three accounts: the chips wrap, the title and buttons stay whole", async () => {
    const statistics = [...accountFixture(ICP), ...accountFixture("0000067890DEF"), ...accountFixture("0000055555GHI")];
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), { type: "custom:energy-insights-card" }, { width: PHONE });
    expect(shadow(card).querySelectorAll(".account").length).to.equal(4);
    expect(outside(card)).to.deep.equal([]);
    expect(clipped(card)).to.deep.equal([]);
  });

  it("the empty state (no statistics yet): its text and links wrap inside the card", async () => {
    const card = await mount(makeFakeHass({ statistics: [], timeZone: TZ }), { type: "custom:energy-insights-card" }, { width: PHONE, expectChart: false });
    expect(card.status).to.equal("empty");
    expect(outside(card)).to.deep.equal([]);
    expect(clipped(card)).to.deep.equal([]);
  });
});
