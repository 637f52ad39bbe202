/**
 * Issue 13 item 4, "Download CSV": the header's button saves the shown columns, one row each, as the
 * browser's download of a Blob (no server round trip): what is in the file, and its name.
 */
import { expect } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, shadow, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();

/** Clicks the card's CSV button and returns the downloaded file, caught at the page's Blob URL and link. */
async function download(card: EnergyInsightsCard): Promise<{ name: string; type: string; text: string; clicks: number }> {
  const created: Blob[] = [];
  const links: HTMLAnchorElement[] = [];
  const createObjectURL = URL.createObjectURL;
  const click = HTMLAnchorElement.prototype.click;
  URL.createObjectURL = (blob: Blob | MediaSource) => {
    created.push(blob as Blob);
    return `blob:test/${created.length}`;
  };
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    links.push(this);
  };
  try {
    const button = shadow(card).querySelector<HTMLButtonElement>("[data-csv]");
    expect(button, "no CSV button").to.not.equal(null);
    expect(button!.getAttribute("aria-label")).to.equal("Download CSV");
    button!.click();
  } finally {
    URL.createObjectURL = createObjectURL;
    HTMLAnchorElement.prototype.click = click;
  }
  expect(created).to.have.length(1);
  expect(links).to.have.length(1);
  expect(links[0]!.href).to.equal("blob:test/1");
  expect(links[0]!.isConnected, "the temporary link is removed").to.equal(false);
  return { name: links[0]!.download, type: created[0]!.type, text: await created[0]!.text(), clicks: links.length };
}

describe("download CSV", () => {
  afterEach(unmountAll);

  it("daily: a header, one row per column in local time with its offset, the days not in yet empty (not 0)", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), { ...CONFIG, view: "daily" });
    const file = await download(card);
    expect(file.type).to.equal("text/csv;charset=utf-8");
    expect(file.name).to.equal("energy-insights_0000012345abc_daily_2026-03-04_2026-04-07.csv");
    const lines = file.text.split("\r\n");
    expect(lines.at(-1), "ends with a line break").to.equal("");
    expect(lines[0]).to.equal("start,paid_kwh,free_kwh,cost_nzd");
    const rows = lines.slice(1, -1);
    const buckets = card.data.data!.buckets;
    expect(rows).to.have.length(buckets.length);
    expect(rows[0]!.startsWith("2026-03-04T00:00:00+13:00,")).to.equal(true);
    // 5 April has 25 hours: the next day starts at +12:00.
    expect(rows.find((r) => r.startsWith("2026-04-06T00:00:00+12:00,"))).to.not.equal(undefined);
    rows.slice(0, -1).forEach((row, i) => {
      const [, paid, free, cost] = row.split(",");
      const b = buckets[i]!;
      expect(Number(paid), `paid ${i}`).to.be.closeTo(b.paid, 1e-6);
      expect(Number(free), `free ${i}`).to.be.closeTo(b.free, 1e-6);
      expect(Number(cost), `cost ${i}`).to.be.closeTo(b.cost!, 1e-6);
    });
    // 7 April: not in yet.
    expect(rows.at(-1)).to.equal("2026-04-07T00:00:00+12:00,,,");
  });

  it("hourly: 217 rows of the range, the repeated 02:00 of the DST day once at +13:00 and once at +12:00", async () => {
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
    const file = await download(card);
    expect(file.name).to.equal("energy-insights_0000012345abc_hourly_2026-03-30_2026-04-07.csv");
    const rows = file.text.split("\r\n").slice(1, -1);
    expect(rows).to.have.length(217);
    expect(rows.filter((r) => r.startsWith("2026-04-05T02:00:00")).map((r) => r.slice(19, 25))).to.deep.equal(["+13:00", "+12:00"]);
    const total = rows.reduce((sum, r) => sum + Number(r.split(",")[1] || 0) + Number(r.split(",")[2] || 0), 0);
    expect(total).to.be.closeTo(card.data.data!.totals.total, 1e-3);
  });
});
