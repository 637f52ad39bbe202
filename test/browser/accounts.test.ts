/**
 * Several contracts: without `account` or ids the card shows every account the backend published, with
 * a chip per account and "All" (their sum, the default), titled by what is shown; the editor offers
 * the accounts as a dropdown; a card added from the picker fixes none of them. One account: as before.
 */
import { expect, waitUntil } from "@open-wc/testing";
import { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { makeFakeHass, type FixtureStatistic } from "./helpers/fake-hass.js";
import { ICP, IDS, TZ, contactFixture, sumRows } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { asHass, click, mount, nextRender, numberIn, shadow, shownPrecision, statisticsCalls, text, total, unmountAll } from "./helpers/mount.js";

const TYPE = "custom:energy-insights-card";
const ICPS = [ICP, "0000067890DEF", "0000011111GHI"];

/** The Contact fixture as another ICP's, its usage scaled so that each account's totals differ. */
function accountFixture(icp: string, scale: number): FixtureStatistic[] {
  return contactFixture().map((s) => ({
    ...s,
    id: s.id.replace(ICP.toLowerCase(), icp.toLowerCase()),
    name: s.name.replace(ICP, icp),
    rows: s.rows.map((r) => ({ ...r, change: Math.round(r.change * scale * 1000) / 1000 })),
  }));
}

const statistics = [...accountFixture(ICPS[0]!, 1), ...accountFixture(ICPS[1]!, 2), ...accountFixture(ICPS[2]!, 0.5)];
const HOURLY = { start: Date.parse("2026-03-29T11:00:00Z"), end: Date.parse("2026-04-07T12:00:00Z") };

function used(icp: string): number {
  const id = (kind: string) => `energy_insights:contact_${icp.toLowerCase()}_${kind}`;
  const stat = (kind: string) => statistics.find((s) => s.id === id(kind));
  return sumRows(stat("paid_energy"), HOURLY.start, HOURLY.end) + sumRows(stat("free_energy"), HOURLY.start, HOURLY.end);
}

function chips(card: EnergyInsightsCard): { key: string; label: string; pressed: boolean }[] {
  return [...shadow(card).querySelectorAll<HTMLButtonElement>(".accounts button")].map((b) => ({
    key: b.dataset.account ?? "",
    label: b.textContent!.trim(),
    pressed: b.getAttribute("aria-pressed") === "true",
  }));
}

describe("several accounts", () => {
  afterEach(() => {
    unmountAll();
    document.querySelectorAll("home-assistant").forEach((e) => e.remove());
  });

  it("without account: every account as a chip and All (their sum, chosen first), titled as such, in one statistics call", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: TYPE });
    expect(chips(card)).to.deep.equal([
      { key: "all", label: "All", pressed: true },
      { key: "contact_0000011111ghi", label: "Contact 0000011111GHI", pressed: false },
      { key: "contact_0000012345abc", label: "Contact 0000012345ABC", pressed: false },
      { key: "contact_0000067890def", label: "Contact 0000067890DEF", pressed: false },
    ]);
    expect(text(card, ".title")).to.equal("All 3 contracts");
    const energy = total(card, "energy");
    expect(numberIn(energy)).to.be.closeTo(ICPS.reduce((a, icp) => a + used(icp), 0), shownPrecision(energy));
    const calls = statisticsCalls(fake);
    expect(calls).to.have.length(1);
    expect(calls[0]!.statistic_ids).to.have.length(9);
  });

  it("a chip shows that account alone, titled by its name; All sums them again", async () => {
    const fake = makeFakeHass({ statistics, timeZone: TZ });
    const card = await mount(fake, { type: TYPE });
    let rendered = nextRender(card);
    await click(card, '[data-account="contact_0000067890def"]');
    await rendered;
    expect(text(card, ".title")).to.equal("Contact 0000067890DEF");
    expect(chips(card).find((c) => c.pressed)?.key).to.equal("contact_0000067890def");
    let energy = total(card, "energy");
    expect(numberIn(energy)).to.be.closeTo(used(ICPS[1]!), shownPrecision(energy));
    expect(statisticsCalls(fake).at(-1)!.statistic_ids).to.have.members([
      "energy_insights:contact_0000067890def_paid_energy",
      "energy_insights:contact_0000067890def_free_energy",
      "energy_insights:contact_0000067890def_paid_cost",
    ]);
    rendered = nextRender(card);
    await click(card, '[data-account="all"]');
    await rendered;
    energy = total(card, "energy");
    expect(numberIn(energy)).to.be.closeTo(ICPS.reduce((a, icp) => a + used(icp), 0), shownPrecision(energy));
    expect(text(card, ".title")).to.equal("All 3 contracts");
  });

  it("one account, or an account in the config: no chips, as before", async () => {
    const one = await mount(makeFakeHass({ statistics: contactFixture(), timeZone: TZ }), { type: TYPE });
    expect(shadow(one).querySelector(".accounts")).to.equal(null);
    expect(text(one, ".title")).to.equal("Energy");
    const chosen = await mount(makeFakeHass({ statistics, timeZone: TZ }), { type: TYPE, account: ICPS[2] });
    expect(shadow(chosen).querySelector(".accounts")).to.equal(null);
    const energy = total(chosen, "energy");
    expect(numberIn(energy)).to.be.closeTo(used(ICPS[2]!), shownPrecision(energy));
  });

  it("the editor offers the accounts found in HA as a dropdown (from the page's <home-assistant> hass)", async () => {
    const host = document.createElement("home-assistant") as HTMLElement & { hass?: unknown };
    host.hass = asHass(makeFakeHass({ statistics, timeZone: TZ }));
    document.body.appendChild(host);
    const form = await EnergyInsightsCard.getConfigForm();
    const flat = form.schema.flatMap((s) => ("schema" in s ? s.schema : [s]));
    const account = flat.find((s) => "name" in s && s.name === "account") as { selector: { select?: { custom_value?: boolean; options: { value: string; label: string }[] } } };
    expect(account.selector.select?.custom_value).to.equal(true);
    expect(account.selector.select?.options).to.deep.equal([
      { value: "0000011111ghi", label: "Contact 0000011111GHI" },
      { value: "0000012345abc", label: "Contact 0000012345ABC" },
      { value: "0000067890def", label: "Contact 0000067890DEF" },
    ]);
    // What the dropdown writes is an account the card shows.
    const card = await mount(makeFakeHass({ statistics, timeZone: TZ }), { type: TYPE, account: "0000011111ghi" });
    const energy = total(card, "energy");
    expect(numberIn(energy)).to.be.closeTo(used(ICPS[2]!), shownPrecision(energy));
    host.remove();
    // Without HA's page (or its recorder) the account is a text field.
    const plain = await EnergyInsightsCard.getConfigForm();
    const field = plain.schema.flatMap((s) => ("schema" in s ? s.schema : [s])).find((s) => "name" in s && s.name === "account") as { selector: object };
    expect(field.selector).to.deep.equal({ text: {} });
  });

  it("a card added from the picker with several accounts fixes none (it shows them all); with one, its ids", async () => {
    expect(await EnergyInsightsCard.getStubConfig(asHass(makeFakeHass({ statistics, timeZone: TZ })))).to.deep.equal({ type: TYPE });
    expect(await EnergyInsightsCard.getStubConfig(asHass(makeFakeHass({ statistics: contactFixture(), timeZone: TZ })))).to.deep.equal({ type: TYPE, ...IDS });
  });

  it("accounts whose costs are in different currencies are summed without a cost", async () => {
    const other = accountFixture(ICPS[1]!, 2).map((s) => (s.id.endsWith("_paid_cost") ? { ...s, unit: "AUD" } : s));
    const fake = makeFakeHass({ statistics: [...contactFixture(), ...other], timeZone: TZ });
    const card = await mount(fake, { type: TYPE });
    await waitUntil(() => chips(card).length === 3, "no chips");
    expect(total(card, "cost")).to.equal("—");
  });
});
