/**
 * Issue 13 item 5, the bill: with `backend_url`, the backend's status carries each account's bill
 * (server/src/api/protocol.ts BillStatus) and the card's header shows the card's account's: "This bill
 * so far NZ$84.20 · projected NZ$131 · next bill in 12 days", with what the figures are made of as
 * its title. It wraps figure by figure at phone width; the chart never waits for it.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { BillStatus } from "../../card/src/common/bill.js";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { DEFAULT_STATUS, FakeBackend } from "./helpers/fake-backend.js";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, shadow, text, unmountAll } from "./helpers/mount.js";

const statistics = contactFixture();
const CONFIG = { type: "custom:energy-insights-card", ...IDS, backend_url: "ws://backend.test:8099" };

function bill(account: string, icp: string, soFar: number): BillStatus {
  return {
    provider: "contact",
    account,
    nickname: null,
    currency: "NZD",
    contracts: [{ icp, contract_id: "1350000001", plan: "Good Nights" }],
    balance: 0,
    amount_due: 356.06,
    amount_paid: 356.06,
    payment_due: "2026-04-03",
    next_bill: "2026-04-19",
    read_at: "2026-04-06T20:00:00.000Z",
    period: {
      start: "2026-03-19",
      end: "2026-04-19",
      start_derived: false,
      days: 31,
      days_to_next_bill: 12,
      data_until: "2026-04-06",
      days_with_data: 19,
      usage_so_far: 40.5,
      so_far: soFar,
      daily_average: 3.1,
      projected: 131.04,
      daily_fixed_charge: 2.3,
    },
  };
}

async function mountWithBills(bills: BillStatus[] | undefined, width = 600): Promise<{ card: EnergyInsightsCard; backend: FakeBackend }> {
  const backend = new FakeBackend({ devices: [], correlations: [], status: { ...DEFAULT_STATUS, ...(bills ? { bills } : {}) } });
  const fake = Object.assign(makeFakeHass({ statistics, timeZone: TZ }), { auth: { data: { access_token: "token" } } });
  const card = await mount(fake, CONFIG, { width, prepare: (c) => (c.backendSocket = backend.factory) });
  return { card, backend };
}

describe("bill in the header", () => {
  afterEach(unmountAll);

  it("the card's account's bill (matched by its ICP among several accounts), with its hint", async () => {
    const { card } = await mountWithBills([bill("509999999", "0000099999XYZ", 12), bill("501234567", "0000012345ABC", 84.2)]);
    await waitUntil(() => shadow(card).querySelector("[data-bill]"), "no bill shown", { timeout: 10_000 });
    expect([...shadow(card).querySelectorAll("[data-bill-part]")].map((p) => p.textContent!.trim())).to.deep.equal([
      "This bill so far NZ$84.20",
      "projected NZ$131",
      "next bill in 12 days",
    ]);
    const title = shadow(card).querySelector("[data-bill]")!.getAttribute("title")!;
    expect(title).to.match(/^Usage cost of the days in so far \(to Apr 6\) plus the daily charge of NZ\$2\.30 a day/);
    expect(title).to.contain("Bill period Mar 19 – Apr 18.");
  });

  it("at 390 px the figures wrap as whole items, inside the card", async () => {
    const { card } = await mountWithBills([bill("501234567", "0000012345ABC", 84.2)], 390);
    await waitUntil(() => shadow(card).querySelector("[data-bill]"), "no bill shown", { timeout: 10_000 });
    const box = shadow(card).querySelector("ha-card")!.getBoundingClientRect();
    const parts = [...shadow(card).querySelectorAll<HTMLElement>("[data-bill-part]")];
    for (const part of parts) {
      const r = part.getBoundingClientRect();
      expect(r.right, part.textContent!).to.be.at.most(box.right + 0.5);
      expect(part.scrollWidth, "not cut short").to.be.at.most(part.clientWidth + 1);
      // One line each: a figure wraps as a whole.
      expect(r.height).to.be.lessThan(parseFloat(getComputedStyle(part).lineHeight) * 1.5 || 30);
    }
    const rows = new Set(parts.map((p) => Math.round(p.getBoundingClientRect().top)));
    expect(rows.size, "more than one row at 390 px").to.be.greaterThan(1);
  });

  it("no bill for the card's account, or no backend: nothing shown", async () => {
    const { card } = await mountWithBills([bill("509999999", "0000099999XYZ", 12), bill("508888888", "0000088888QQQ", 5)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(shadow(card).querySelector("[data-bill]")).to.equal(null);
    unmountAll();
    const plain = await mount(makeFakeHass({ statistics, timeZone: TZ }), { type: "custom:energy-insights-card", ...IDS });
    expect(text(plain, "[data-bill]")).to.equal("");
  });
});
