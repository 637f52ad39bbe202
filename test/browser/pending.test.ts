/**
 * Issue 13, data not in yet: Contact publishes a day 1–3 days late, so the shown range runs past the
 * last imported hour. The axis still spans the whole range, the hours from the last data up to now are
 * a hatched "not in yet" area over the plot, the header says when the last data is from and that the
 * totals are "so far"; a card opened on a present range without any data yet opens on the one before.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, click, mount, nextRender, shadow, text, unmountAll } from "./helpers/mount.js";

const HOUR = 3_600_000;
const CONFIG = { type: "custom:energy-insights-card", ...IDS };
/** Data through 6 April (NZ); NOW is 7 April 10:00 NZST. */
const statistics = contactFixture();
/** 30 Mar 00:00 NZDT – 8 Apr 00:00 NZST: 217 hours (5 April has 25). */
const HOURLY = { start: Date.parse("2026-03-29T11:00:00Z"), end: Date.parse("2026-04-07T12:00:00Z") };
const LAST_DATA_END = Date.parse("2026-04-06T12:00:00Z"); // 7 Apr 00:00 NZST

function pendingArea(card: EnergyInsightsCard): HTMLElement | null {
  return shadow(card).querySelector<HTMLElement>("[data-pending-area]");
}

describe("data not in yet", () => {
  afterEach(unmountAll);

  it("hourly: the axis spans the whole range; the hours from the last data to now are hatched, the header names the last hour, the totals are 'so far'", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    const data = card.data.data!;
    const slots = (HOURLY.end - HOURLY.start) / HOUR;
    expect(data.buckets).to.have.length(slots);
    expect(data.buckets.at(-1)!.end).to.equal(HOURLY.end);
    const first = (LAST_DATA_END - HOURLY.start) / HOUR;
    expect(data.pending).to.deep.equal({ first, count: (NOW - LAST_DATA_END) / HOUR, lastDataStart: LAST_DATA_END - HOUR, lastDataEnd: LAST_DATA_END });
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Apr 6, 23:00");
    expect(text(card, '[data-total="energy"] .label')).to.equal("Used so far");
    expect(text(card, '[data-total="cost"] .label')).to.equal("Cost so far");

    // The hatch covers exactly the 10 hours from 7 Apr 00:00 to now, over the plot area.
    await waitUntil(() => pendingArea(card), "no hatched area", { timeout: 5_000 });
    const plot = shadow(card).querySelector("energy-insights-chart")!.plot!;
    const step = plot.width / slots;
    const area = pendingArea(card)!;
    expect(parseFloat(area.style.left)).to.be.closeTo(plot.left + first * step, 0.01);
    expect(parseFloat(area.style.width)).to.be.closeTo(10 * step, 0.01);
    expect(parseFloat(area.style.height)).to.be.greaterThan(100);
    expect(getComputedStyle(area).backgroundImage).to.contain("repeating-linear-gradient");
    expect(getComputedStyle(area).pointerEvents, "the tooltips stay reachable").to.equal("none");
    // Drawn where the slots are: its left edge is where the first empty column's slot begins.
    const chartBox = shadow(card).querySelector("energy-insights-chart")!.getBoundingClientRect();
    const bars = [...shadow(card).querySelectorAll(".apexcharts-bar-area")];
    expect(bars).to.have.length(slots);
    expect(area.getBoundingClientRect().left - chartBox.left).to.be.closeTo(plot.left + first * step, 1);

    // Tooltips: an hour not in yet says so; an hour with data does not.
    const tooltip = card.chartOptions!.tooltip!.custom as (a: { dataPointIndex: number }) => string;
    expect(tooltip({ dataPointIndex: first + 2 })).to.contain("Not in yet");
    expect(tooltip({ dataPointIndex: first - 1 })).to.not.contain("Not in yet");
  });

  it("daily: the last day with data is named; a range whose data is complete has no note, no hatch and plain totals", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, view: "daily" });
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Apr 6");
    expect(card.data.data!.pending?.count).to.equal(1);
    const rendered = nextRender(card);
    await click(card, ".prev");
    await rendered;
    expect(card.data.data!.pending).to.equal(undefined);
    expect(shadow(card).querySelector("[data-pending]")).to.equal(null);
    expect(pendingArea(card)).to.equal(null);
    expect(text(card, '[data-total="energy"] .label')).to.equal("Used");
  });

  it("opened on a present range without any data yet: it opens on the range before (which has data), and next goes back to the present, not in yet from its start", async () => {
    // Data through 25 March: nothing in 30 Mar – 7 Apr.
    const late = contactFixture({ to: [2026, 3, 26] });
    const fake = makeFakeHass({ statistics: late, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    const range = card.data.data!.range;
    expect(range.start).to.equal(Date.parse("2026-03-20T11:00:00Z")); // 21 Mar
    expect(range.end).to.equal(HOURLY.start);
    expect(text(card, "[data-range]")).to.equal("Mar 21 – 29, 2026");
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Mar 25, 23:00");
    const next = shadow(card).querySelector<HTMLButtonElement>(".next")!;
    expect(next.disabled, "the present is one step ahead").to.equal(false);
    await click(card, ".next");
    await waitUntil(() => card.status === "ready", "present not loaded");
    await card.updateComplete;
    // The present has no data yet: all of it up to now is not in yet, with the last data (from the week before) named.
    expect(card.data.data!.pending).to.deep.include({ first: 0, count: (NOW - HOURLY.start) / HOUR });
    expect(text(card, "[data-pending]")).to.equal("Contact publishes 1–3 days late; last data Mar 25, 23:00");
    expect(shadow(card).querySelector<HTMLButtonElement>(".next")!.disabled).to.equal(true);
  });
});
