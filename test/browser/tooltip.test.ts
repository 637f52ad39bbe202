/**
 * The tooltip always shows the column under the pointer, in every view and after every view switch,
 * with a real mouse (Chromium's, through @web/test-runner-commands).
 */
import { expect, waitUntil } from "@open-wc/testing";
import { resetMouse, sendMouse } from "@web/test-runner-commands";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { click, mount, nextRender, shadow, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();

/** The tooltip title ApexCharts shows now ("" when hidden). */
function shownTitle(card: EnergyInsightsCard): string {
  const tip = shadow(card).querySelector<HTMLElement>(".apexcharts-tooltip");
  if (!tip || !tip.classList.contains("apexcharts-active")) return "";
  return tip.querySelector(".ei-tt-title")?.textContent ?? "";
}

/** What the card's tooltip says for column `index`. */
function titleOf(card: EnergyInsightsCard, index: number): string {
  const html = (card.chartOptions!.tooltip!.custom as (a: { dataPointIndex: number }) => string)({ dataPointIndex: index });
  return /ei-tt-title">([^<]*)</.exec(html)?.[1] ?? "";
}

/** The middle of column `index` of the plot, in page px (the plot is divided evenly between columns). */
function columnPoint(card: EnergyInsightsCard, index: number, columns: number): [number, number] {
  const grid = shadow(card).querySelector(".apexcharts-grid")!.getBoundingClientRect();
  const x = grid.left + ((index + 0.5) * grid.width) / columns;
  return [Math.round(x), Math.round(grid.top + grid.height * 0.75)];
}

async function hover(card: EnergyInsightsCard, index: number, columns: number): Promise<void> {
  const [x, y] = columnPoint(card, index, columns);
  await sendMouse({ type: "move", position: [x, y] });
  const want = titleOf(card, index);
  await waitUntil(() => shownTitle(card) === want, `tooltip of column ${index} should be "${want}", is "${shownTitle(card)}"`, { timeout: 5_000 });
}

function columns(card: EnergyInsightsCard): number {
  const bars = (card.chartOptions!.series as { type?: string; data: unknown[] }[]).find((s) => s.type === "bar")!;
  return bars.data.length;
}

describe("tooltip", () => {
  afterEach(async () => {
    await resetMouse();
    unmountAll();
  });

  it("shows the column under the pointer, the first column included, in every view and after each switch", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    await hover(card, 30, columns(card));
    await hover(card, 0, columns(card));
    for (const view of ["daily", "monthly", "hourly", "daily"]) {
      // The pointer was on another view's column; it moves off the chart to the view buttons and back.
      const rendered = nextRender(card);
      await click(card, `[data-view="${view}"]`);
      await rendered;
      const n = columns(card);
      await hover(card, Math.min(5, n - 1), n);
      await hover(card, 0, n);
      await hover(card, n - 1, n);
      await hover(card, 0, n);
    }
    expect(shownTitle(card)).to.equal(titleOf(card, 0));
  });
});
