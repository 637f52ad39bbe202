/**
 * Colours: by default the card takes Home Assistant's Energy dashboard palette (CSS variables), falls
 * back to its own where a theme has none, and a colour in the config wins.
 */
import { expect } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, shadow, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();
const HA_PALETTE = { "--energy-grid-consumption-color": "#488fc2", "--energy-non-fossil-color": "#0f9d58" };

/** Fill colours of the drawn columns (merged hourly series: one per column). */
function columnColors(card: EnergyInsightsCard): Set<string> {
  const bars = (card.chartOptions!.series as { type?: string; data: { fillColor?: string }[] }[]).filter((s) => s.type === "bar");
  return new Set(bars[0]!.data.map((p) => p.fillColor ?? ""));
}

function legendColors(card: EnergyInsightsCard): string[] {
  return [...shadow(card).querySelectorAll<HTMLElement>(".legend .dot")].map((d) => getComputedStyle(d).backgroundColor);
}

describe("colours", () => {
  afterEach(() => {
    unmountAll();
    for (const name of Object.keys(HA_PALETTE)) document.documentElement.style.removeProperty(name);
  });

  it("default: HA's energy palette (paid = grid consumption, free = non-fossil green), in the chart and the legend", async () => {
    for (const [name, value] of Object.entries(HA_PALETTE)) document.documentElement.style.setProperty(name, value);
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    expect([...columnColors(card)].sort()).to.deep.equal(["#0f9d58", "#488fc2"]);
    expect(legendColors(card).slice(0, 2)).to.deep.equal(["rgb(15, 157, 88)", "rgb(72, 143, 194)"]);
  });

  it("a theme without the palette: the card's own colours", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    expect([...columnColors(card)].sort()).to.deep.equal(["#008FFB", "#FEB019"]);
  });

  it("colours in the config win over the palette", async () => {
    for (const [name, value] of Object.entries(HA_PALETTE)) document.documentElement.style.setProperty(name, value);
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), { ...CONFIG, free_color: "#112233", paid_color: "var(--accent-color, #445566)" });
    expect([...columnColors(card)].sort()).to.deep.equal(["#112233", "#445566"]);
  });
});
