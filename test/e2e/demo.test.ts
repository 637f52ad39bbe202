/**
 * `npm run demo` as a newcomer runs it (`node bin/energy-insights.js demo`, what the npm script
 * runs), headless: once it says it is ready, every view of the card and the Energy dashboard show
 * data in Chromium, the household lives on (whole-home power changes in HA and the backend records
 * it), a status line comes every minute, and Ctrl-C (SIGINT) stops everything: the demo exits and
 * no process of Home Assistant's group is left. Screenshots: test/artifacts/demo/<view>.png; with
 * DEMO_SCREENSHOTS=docs they also replace the README's docs/demo-*.png.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import type { Page } from "puppeteer-core";
import type { DemoInfo } from "../../dev/demo/run.js";
import { processGroup, startDemoProcess, type DemoProcess } from "../helpers/demo.js";
import { launchBrowser, type DeepQueryWindow, type HaBrowser } from "../../dev/harness/browser.js";
import { connectWebSocket } from "../../dev/harness/ha.js";
import type { StatusResult } from "../../server/src/api/protocol.js";

const root = new URL("../..", import.meta.url).pathname;
const ARTIFACTS = join(root, "test", "artifacts", "demo");
const DOCS = join(root, "docs");
const NZ = "Pacific/Auckland";
/** The first run of a machine builds the card; HA starts in seconds to a minute. */
const READY_TIMEOUT_MS = 300_000;
const WAIT_MS = 60_000;
/** The screenshots the README shows (docs/demo-<name>.png). */
const README_SHOTS = ["hourly", "devices", "carbon", "energy", "contracts", "compare", "picker", "phone"];

interface SeriesSummary {
  name: string;
  points: number;
  sum: number;
}

/** What the page shows of one card. */
interface CardSummary {
  title: string;
  status: string;
  series: SeriesSummary[];
  bands: number;
  /** The header's figures by key (used, free, cost, saved, emissions, …). */
  totals: Record<string, string>;
  panel: string | null;
  devices: string[];
  /** The devices panel's cost column, row by row. */
  deviceCosts: string[];
  /** The account chips' labels (a card without an account, when there are several). */
  accounts: string[];
  meters: number;
  text: string;
}

interface CardElement extends HTMLElement {
  status: string;
  chartOptions?: { series?: { name: string; data: (number | null | { y: number | null })[] }[]; annotations?: { xaxis?: unknown[] } };
}

/** Waits until every card of the page has rendered (and its devices panel, if any, has loaded), then reads them. */
async function readCards(page: Page): Promise<CardSummary[]> {
  await page.waitForFunction(
    () => {
      const cards = (window as unknown as DeepQueryWindow).__deepQueryAll("energy-insights-card") as CardElement[];
      return (
        cards.length > 0 &&
        cards.every((c) => {
          const panel = c.shadowRoot?.querySelector(".panel")?.getAttribute("data-panel");
          return c.status !== "loading" && (c.chartOptions?.series?.length ?? 0) > 0 && (panel === undefined || panel === null || panel === "ready");
        })
      );
    },
    { timeout: WAIT_MS, polling: 250 },
  );
  return page.evaluate(() => {
    const w = window as unknown as DeepQueryWindow;
    return (w.__deepQueryAll("energy-insights-card") as CardElement[]).map((card) => {
      const root = card.shadowRoot!;
      const series = (card.chartOptions?.series ?? []).map((s) => {
        const values = s.data.map((d) => (d !== null && typeof d === "object" ? d.y : d)).filter((v): v is number => typeof v === "number");
        return { name: s.name, points: values.length, sum: values.reduce((a, b) => a + b, 0) };
      });
      return {
        title: root.querySelector(".title, h1, .header")?.textContent?.trim() ?? "",
        status: card.status,
        series,
        bands: card.chartOptions?.annotations?.xaxis?.length ?? 0,
        totals: Object.fromEntries([...root.querySelectorAll<HTMLElement>("[data-total]")].map((el) => [el.dataset.total!, el.querySelector(".value")?.textContent?.trim() ?? ""])),
        panel: root.querySelector(".panel")?.getAttribute("data-panel") ?? null,
        devices: [...root.querySelectorAll("tr.device")].map((tr) => tr.getAttribute("data-entity") ?? ""),
        deviceCosts: [...root.querySelectorAll("tr.device td[data-col=cost]")].map((td) => td.textContent?.trim() ?? ""),
        meters: root.querySelectorAll("li.meter").length,
        text: w.__deepText(root).replace(/\s+/g, " "),
        accounts: [...root.querySelectorAll<HTMLElement>("button.account")].map((b) => b.textContent?.trim() ?? ""),
      };
    });
  });
}

const seriesSum = (card: CardSummary, name: RegExp) => card.series.filter((s) => name.test(s.name)).reduce((a, s) => a + s.sum, 0);
/** kWh of the columns: paid and free, or their total where the card draws each hour as one column coloured by tariff. */
const ENERGY = /^(Paid|Free|Total)$/;

describe("npm run demo", { timeout: 600_000 }, () => {
  let demo: DemoProcess;
  let info: DemoInfo;
  let browser: HaBrowser;
  let readyAt = 0;
  const output = () => demo.output();

  before(async () => {
    demo = await startDemoProcess(READY_TIMEOUT_MS);
    readyAt = Date.now();
    info = demo.info;
    browser = await launchBrowser({ url: info.haUrl, token: info.haToken }, { viewport: { width: 1280, height: 1000 }, timeZone: NZ });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    // Only if a test failed before stopping it: nothing of the demo may outlive the test run.
    demo?.kill();
  });

  /** A tab without animations, so that screenshots show charts drawn. */
  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.emulateMediaFeatures([{ name: "prefers-reduced-motion", value: "reduce" }]);
    return page;
  }

  /** Saves the page's screenshot in test/artifacts/demo (and, for the README's, in docs/ with DEMO_SCREENSHOTS=docs). */
  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    if (process.env.DEMO_SCREENSHOTS === "docs" && README_SHOTS.includes(name)) copyFileSync(join(ARTIFACTS, `${name}.png`), join(DOCS, `demo-${name}.png`));
  }

  /** Days between today (NZ) and the newest NZ day with the home's usage in HA. */
  async function daysBackToNewestUsage(): Promise<number> {
    const ha = await connectWebSocket(info.haUrl.replace(/^http/, "ws") + "/api/websocket", info.haToken);
    try {
      const today = DateTime.now().setZone(NZ).startOf("day");
      const ids = [info.statistics.paid, info.statistics.free];
      const rows = (await ha.call({ type: "recorder/statistics_during_period", start_time: today.minus({ days: 6 }).toISO(), statistic_ids: ids, period: "hour", types: ["change"] })) as Record<string, { start: number; change: number | null }[]>;
      const newest = Math.max(...ids.flatMap((id) => (rows[id] ?? []).filter((r) => (r.change ?? 0) > 0).map((r) => r.start)));
      assert.ok(Number.isFinite(newest), `the home's usage of the last days in HA: ${JSON.stringify(rows).slice(0, 300)}`);
      return Math.round(today.diff(DateTime.fromMillis(newest, { zone: NZ }).startOf("day"), "days").days);
    } finally {
      ha.close();
    }
  }

  /**
   * Opens a view of the demo's dashboard, waits for `ready` (what must be on the page besides the
   * drawn cards) and for the cards, then screenshots it as `shot` (the view's path by default).
   */
  async function openView<T = undefined>(path: string, opts: { ready?: (page: Page) => Promise<T>; width?: number; shot?: string } = {}): Promise<{ page: Page; cards: CardSummary[]; ready: T }> {
    const view = info.views.find((v) => v.path === path);
    assert.ok(view, `the demo has a ${path} view: ${JSON.stringify(info.views)}`);
    const page = await newPage();
    if (opts.width) await page.setViewport({ width: opts.width, height: 844 });
    await page.goto(view.url, { waitUntil: "load" });
    const ready = (await opts.ready?.(page)) as T;
    const cards = await readCards(page);
    await screenshot(page, opts.shot ?? path);
    return { page, cards, ready };
  }

  /** Waits until the compare view's ghosts, bill and CSV button are there (they arrive after the first paint). */
  async function comparePartsShown(page: Page): Promise<void> {
    const present = () =>
      page.evaluate(() => {
        const root = ((window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement | null)?.shadowRoot;
        return { compare: Boolean(root?.querySelector("[data-compare]")), bill: Boolean(root?.querySelector("[data-bill]")), csv: Boolean(root?.querySelector("[data-csv]")) };
      });
    const deadline = Date.now() + WAIT_MS;
    let parts = await present();
    while (!(parts.compare && parts.bill && parts.csv) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      parts = await present();
    }
    if (!(parts.compare && parts.bill && parts.csv)) {
      await screenshot(page, "compare-failed");
      const [card] = await readCards(page);
      assert.fail(`after ${WAIT_MS / 1000} s: ${JSON.stringify(parts)}; the card says: ${card?.text.slice(0, 600)}`);
    }
  }

  test("the console says what is where", () => {
    assert.match(output(), /Energy Insights demo is ready/);
    assert.match(output(), new RegExp(`Home Assistant +${info.haUrl.replace(/[.]/g, "\\.")} +user "test", password "test-password"`));
    for (const v of info.views) assert.ok(output().includes(v.url), `${v.title}'s URL printed`);
    assert.ok(output().includes(info.energyUrl), "the Energy dashboard's URL printed");
    for (const d of info.devices) assert.match(output(), new RegExp(`Learned ${d.name} \\(${d.entityId.replace(".", "\\.")}`), `a line for ${d.entityId}`);
  });

  test("hourly: paid and free kWh, cost, carbon intensity, the cleanest hours, the learned devices and the OneMeter reader", async () => {
    const { page, cards } = await openView("hourly");
    const [card] = cards;
    assert.equal(card!.status, "ready");
    assert.ok(seriesSum(card!, ENERGY) > 10, JSON.stringify(card!.series));
    assert.match(card!.totals["free-share"] ?? "", /^[1-9]\d*%$/, `a free share: ${JSON.stringify(card!.totals)}`);
    assert.ok(seriesSum(card!, /^Cost$/) > 1, "cost line");
    assert.ok(card!.series.some((s) => /carbon/i.test(s.name) && s.points >= 24 * 9), `intensity over the nine days: ${JSON.stringify(card!.series)}`);
    assert.match(card!.totals.emissions ?? "", /^[1-9][\d.,]* kg CO2eq$/, `emissions in the header: ${JSON.stringify(card!.totals)}`);
    assert.match(card!.text, /Cleanest hours ahead/);
    // A device learned in more than one state (the heat pump heating and cooling) has a row for each.
    assert.deepEqual([...new Set(card!.devices)].sort(), info.devices.map((d) => d.entityId).sort(), "every household device learned and listed");
    assert.ok(card!.deviceCosts.filter((c) => /\d/.test(c)).length >= info.devices.length - 1, `devices costed at Contact's prices: ${JSON.stringify(card!.deviceCosts)}`);
    assert.equal(card!.meters, 1, "the OneMeter reader's status line");
    await page.close();
  });

  test("daily and monthly: weeks and months of usage with emissions", async () => {
    for (const path of ["daily", "monthly"]) {
      const { page, cards } = await openView(path);
      assert.equal(cards[0]!.status, "ready", path);
      assert.ok(seriesSum(cards[0]!, ENERGY) > 100, `${path}: ${JSON.stringify(cards[0]!.series)}`);
      assert.match(cards[0]!.totals.emissions ?? "", /^[1-9][\d.,]* kg CO2eq$/, `${path}: emissions in the header: ${JSON.stringify(cards[0]!.totals)}`);
      await page.close();
    }
  });

  test("carbon: Electricity Maps as bands, WattTime as a line", async () => {
    const { page, cards } = await openView("carbon");
    assert.equal(cards.length, 2);
    // A band per run of hours at one colour level: many over nine days of a daily cycle.
    assert.ok(cards[0]!.bands >= 18, `${cards[0]!.bands} bands`);
    assert.ok(cards[1]!.series.some((s) => /carbon/i.test(s.name) && s.points >= 24 * 7 && s.sum > 0), `WattTime's line: ${JSON.stringify(cards[1]!.series)}`);
    await page.close();
  });

  test("contracts: a card with nothing configured shows every contract, with All summing them (issue 17)", async () => {
    const { page, cards } = await openView("contracts");
    const [card] = cards;
    assert.equal(card!.status, "ready");
    assert.equal(card!.accounts.length, 4, `All and the three contracts: ${JSON.stringify(card!.accounts)}`);
    assert.equal(card!.accounts[0], "All");
    assert.match(card!.title, /All 3 contracts/);
    assert.ok(seriesSum(card!, ENERGY) > 100, JSON.stringify(card!.series));
    await page.close();
  });

  test("compare: the period before as ghosts with the change in the header, the bill from the backend, Download CSV", async () => {
    const { page, cards } = await openView("compare", { ready: comparePartsShown });
    const [card] = cards;
    assert.equal(card!.status, "ready");
    assert.match(card!.text, /[+−-]\d+\s?% vs/, `the change against the period before: ${card!.text.slice(0, 400)}`);
    const bill = await page.evaluate(() => {
      const root = ((window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement).shadowRoot!;
      return [...root.querySelectorAll("[data-bill-part]")].map((p) => p.textContent?.trim() ?? "");
    });
    assert.match(bill.join(" · "), /^This bill so far NZ\$\d[\d,.]* · projected NZ\$\d[\d,.]* · next bill in \d+ days?$/, `the bill: ${JSON.stringify(bill)}`);
    assert.ok(card!.series.some((s) => /previous|before|vs|compared/i.test(s.name) && s.sum > 10), `a ghost series with the period before: ${JSON.stringify(card!.series)}`);
    await page.close();
  });

  test("date picker: the card follows HA's energy date picker on the same dashboard, today's hours not in yet", async () => {
    const followedPicker = async (page: Page) => {
      const followed = await page.waitForFunction(
        `(() => {
          const card = window.__deepQuery("energy-insights-card");
          const state = card && card.energyDate && card.energyDate.state;
          if (!state || state.status === "waiting") return false;
          if (state.status !== "following") return { status: state.status, keys: state.keys };
          const range = card.data && card.data.data && card.data.data.range;
          return range ? { status: state.status, pickerStart: state.selection.start, cardStart: range.start } : false;
        })()`,
        { timeout: WAIT_MS, polling: 250 },
      );
      return (await followed.jsonValue()) as { status: string; pickerStart?: number; cardStart?: number; keys?: string[] };
    };
    const { page, cards, ready: got } = await openView("picker", { ready: followedPicker });
    assert.equal(got.status, "following", JSON.stringify(got));
    assert.equal(got.cardStart, got.pickerStart, "the card shows the picker's dates");
    // HA's picker opens on today, which Contact has not published yet: the card says so.
    assert.match(cards[0]!.text, /Contact publishes 1–3 days late; last data/, cards[0]!.text.slice(0, 400));
    assert.match(cards[0]!.text, /Used so far/, "the totals are so far");
    await page.close();
  });

  test("phone width (390 px): the compare view's card inside the screen, its header figures wrapped onto several rows", async () => {
    const { page } = await openView("compare", { ready: comparePartsShown, width: 390, shot: "phone" });
    const layout = await page.evaluate(() => {
      const card = (window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as HTMLElement;
      const root = card.shadowRoot!;
      const box = card.getBoundingClientRect();
      const inside = [...root.querySelectorAll<HTMLElement>("[data-total], [data-bill-part], [data-compare], [data-csv], energy-insights-chart")].map((el) => {
        const r = el.getBoundingClientRect();
        return { what: el.dataset.total ?? el.dataset.billPart ?? el.tagName.toLowerCase(), left: r.left - box.left, right: box.right - r.right };
      });
      const rows = new Set([...root.querySelectorAll<HTMLElement>("[data-total]")].map((el) => Math.round(el.getBoundingClientRect().top)));
      return { cardRight: box.right, screen: window.innerWidth, inside, rows: rows.size, scrolls: root.querySelector(".card, ha-card")!.scrollWidth > root.querySelector(".card, ha-card")!.clientWidth };
    });
    assert.ok(layout.cardRight <= layout.screen, `the card within the 390 px screen: ${JSON.stringify(layout)}`);
    for (const part of layout.inside) assert.ok(part.left >= -0.5 && part.right >= -0.5, `${part.what} inside the card: ${JSON.stringify(part)}`);
    assert.equal(layout.scrolls, false, "nothing clipped or scrolled sideways");
    assert.ok(layout.rows > 1, `the header figures wrap: ${layout.rows} row(s)`);
    await page.close();
  });

  test("by device: the hours split into learned devices and the untracked rest", async () => {
    const { page, cards } = await openView("devices");
    const names = cards[0]!.series.map((s) => s.name);
    assert.ok(names.includes("Untracked"), `series ${names}`);
    const devices = cards[0]!.series.filter((s) => info.devices.some((d) => d.name === s.name));
    assert.ok(devices.length >= 3 && devices.every((s) => s.sum > 0), `learned devices stacked: ${JSON.stringify(cards[0]!.series)}`);
    assert.ok(seriesSum(cards[0]!, /^Untracked$/) > 1);
    await page.close();
  });

  test("OneMeter: the reader's hourly import and its status line", async () => {
    const { page, cards } = await openView("onemeter");
    assert.ok(seriesSum(cards[0]!, ENERGY) > 10, JSON.stringify(cards[0]!.series));
    assert.equal(cards[0]!.meters, 1);
    await page.close();
  });

  test("the Energy dashboard: the home's grid use with cost, and the learned devices", async () => {
    const page = await newPage();
    await page.goto(info.energyUrl, { waitUntil: "load" });
    await page.waitForFunction(() => ["hui-energy-sources-table-card", "hui-energy-period-selector", "hui-energy-devices-detail-graph-card"].every((t) => (window as unknown as DeepQueryWindow).__deepQuery(t) !== null), { timeout: WAIT_MS, polling: 250 });
    // Today has no grid data yet (Contact publishes a day one to three days late): step back to the newest day HA has.
    const clicks = await daysBackToNewestUsage();
    for (let i = 0; i < clicks; i += 1) {
      await page.evaluate(() => {
        const selector = (window as unknown as DeepQueryWindow).__deepQuery("hui-energy-period-selector")!;
        selector.shadowRoot!.querySelector<HTMLElement>(".date-actions ha-icon-button")!.click();
      });
    }
    const totals = (): string => {
      const w = window as unknown as DeepQueryWindow;
      return w.__deepText(w.__deepQuery("hui-energy-sources-table-card")!).replace(/\s+/g, " ");
    };
    await page.waitForFunction(`/Grid total [1-9][\\d.,]* kWh/.test((${totals.toString()})())`, { timeout: WAIT_MS, polling: 250 });
    const text = await page.evaluate(totals);
    assert.match(text, /paid energy [\d.]+ kWh NZ\$(?!0\.00)[\d.,]+/, `paid energy with its cost: ${text}`);
    assert.match(text, /Grid total [1-9][\d.,]* kWh/, text);
    const devices = await page.evaluate(() => (window as unknown as DeepQueryWindow).__deepText((window as unknown as DeepQueryWindow).__deepQuery("hui-energy-devices-detail-graph-card")!).replace(/\s+/g, " "));
    assert.ok(info.devices.filter((d) => devices.includes(`${d.name} (learned)`)).length >= 3, `learned devices in the Energy dashboard: ${devices}`);
    await screenshot(page, "energy");
    await page.close();
  });

  test("a device switched by hand draws its power in whole-home power", async () => {
    const heater = "switch.heater";
    const headers = { Authorization: `Bearer ${info.haToken}`, "Content-Type": "application/json" };
    const read = async (id: string) => (await (await fetch(`${info.haUrl}/api/states/${id}`, { headers })).json()) as { state: string; last_updated: string };
    const on = (await read(heater)).state !== "on";
    const before = await read("sensor.home_power");
    const res = await fetch(`${info.haUrl}/api/services/switch/turn_${on ? "on" : "off"}`, { method: "POST", headers, body: JSON.stringify({ entity_id: heater }) });
    assert.ok(res.ok, `switch.turn_${on ? "on" : "off"}: ${res.status}`);
    const deadline = Date.now() + WAIT_MS;
    let now = await read(heater);
    while (now.state !== (on ? "on" : "off") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await read(heater);
    }
    const switched = Date.parse(now.last_updated);
    // The first whole-home reading after the switch (every 5 s).
    let after = before;
    while (Date.parse(after.last_updated) <= switched && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      after = await read("sensor.home_power");
    }
    const step = Number(after.state) - Number(before.state);
    // The heater draws 1,500 W; the rest of the house moves a little between two readings.
    assert.ok(Math.abs(step - (on ? 1500 : -1500)) < 375, `whole-home power ${before.state} W → ${after.state} W after switching the heater ${on ? "on" : "off"} by hand`);
  });

  test("the household lives: whole-home power changes in HA, the backend records it, a status line every minute", async () => {
    // Long enough for a status line (every minute) and for recording to move past the start.
    const socket = await connectWebSocket(info.apiUrl, info.haToken);
    try {
      let status: StatusResult;
      const deadline = Date.now() + 120_000;
      for (;;) {
        status = (await socket.call({ type: "status" })) as StatusResult;
        const recorded = Date.parse(status.correlation.recorded_until ?? "");
        if ((recorded > readyAt + 30_000 && /\[\d\d:\d\d\] Contact: checked/.test(output())) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      assert.ok(Date.parse(status.correlation.recorded_until ?? "") > readyAt + 30_000, `recording goes on: ${JSON.stringify(status.correlation)}`);
      assert.equal(status.correlation.devices, info.devices.length, "every device learned");
      assert.match(output(), /\[\d\d:\d\d\] Contact: checked .* devices learned: \d+ of \d+ · home power [\d,]+ W/, "a status line");
    } finally {
      socket.close();
    }
    const ha = await connectWebSocket(info.haUrl.replace(/^http/, "ws") + "/api/websocket", info.haToken);
    try {
      const history = (await ha.call({ type: "history/history_during_period", start_time: new Date(readyAt).toISOString(), entity_ids: ["sensor.home_power"], minimal_response: true, no_attributes: true })) as Record<string, { s: string }[]>;
      const values = new Set((history["sensor.home_power"] ?? []).map((r) => r.s));
      assert.ok(values.size >= 5, `whole-home power changed ${values.size} times since the demo was ready`);
    } finally {
      ha.close();
    }
  });

  test("Ctrl-C stops everything: the demo exits and no process of Home Assistant is left", async () => {
    assert.ok(info.haPid, "HA's process id");
    assert.notDeepEqual(processGroup(info.haPid), [], "HA runs before the stop");
    const code = await demo.interrupt();
    assert.equal(code, 0, output().split("\n").slice(-10).join("\n"));
    assert.match(output(), /Stopped: simulators, backend and Home Assistant are down\./);
    assert.deepEqual(processGroup(info.haPid), [], "no process of HA's group");
    assert.equal(existsSync(info.haConfigDir), false, "HA's config dir removed");
  });
});
