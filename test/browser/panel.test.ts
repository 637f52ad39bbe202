/**
 * The correlations panel against a fake of the backend API's websocket that answers as
 * server/src/api does (helpers/fake-backend.ts): the card logs in with hass.auth's token, lists the
 * learned devices with their figures and recent events, marks the selected device's events on the
 * hourly chart as ApexCharts x-axis annotations, follows `correlations_updated`, and says clearly
 * when the backend is not reachable or refuses the login, while the statistics chart keeps working.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { validateConfig } from "../../card/src/energy-insights-card-config.js";
import { backendSocketUrl } from "../../card/src/data/backend.js";
import { eventX } from "../../card/src/chart/annotations.js";
import { makeFakeHass, type FakeHass } from "./helpers/fake-hass.js";
import type { StatusResult } from "../../card/src/data/backend.js";
import { DEFAULT_STATUS, FakeBackend, device, event, type FakeBackendOptions } from "./helpers/fake-backend.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { click, mount, shadow, text, total, unmountAll } from "./helpers/mount.js";

type OneMeterStatus = NonNullable<StatusResult["onemeter"]>[number];

const URL_ = "ws://backend.test:8099";
const CONFIG = { type: "custom:energy-insights-card", ...IDS, backend_url: URL_ };
const statistics = contactFixture({ from: [2026, 3, 1] });
/** The hourly view's range at NOW (30 Mar 00:00 NZDT – 8 Apr 00:00 NZST). */
const HOURLY_START = "2026-03-29T11:00:00.000Z";

const KETTLE = "switch.kettle";
const HEAT_PUMP = "climate.heat_pump";
const DEVICES = [
  device(KETTLE, { power_w: 1850.4, confidence: 0.934, events: 12, seen_events: 14, energy_kwh: 3.456, cost: 1.0368, on_time_h: 1.87 }),
  device(HEAT_PUMP, { state: "heat", status: "learning", power_w: null, standard_error_w: null, confidence: 0.2, events: 2, seen_events: 3, energy_kwh: null, cost: null, currency: null }),
];
const CORRELATIONS = [
  event(KETTLE, "2026-03-20T00:00:00.000Z", true, 1849), // before the hourly range
  event(KETTLE, "2026-04-05T20:15:00.000Z", true, 1852),
  event(KETTLE, "2026-04-05T20:18:00.000Z", false, 1848),
  event(HEAT_PUMP, "2026-04-06T06:30:00.000Z", true, 900),
  event(KETTLE, "2026-04-06T08:00:00.000Z", true, 1851),
  { ...event(HEAT_PUMP, "2026-04-06T09:00:00.000Z", false, 880), accepted: false, reason: "ambiguous", conflict_with: KETTLE },
];

function withAuth(fake: FakeHass, token = "token"): FakeHass {
  return Object.assign(fake, {
    auth: { data: { access_token: token } },
    states: { [KETTLE]: { attributes: { friendly_name: "Kettle" } } },
  });
}

async function mountWith(options: Partial<FakeBackendOptions> & { config?: Record<string, unknown>; language?: string; width?: number } = {}) {
  const backend = new FakeBackend({ devices: DEVICES, correlations: CORRELATIONS, ...options });
  const fake = withAuth(makeFakeHass({ statistics, timeZone: TZ, ...(options.language ? { language: options.language } : {}) }));
  const card = await mount(fake, (options.config ?? CONFIG) as { type: string }, {
    ...(options.width ? { width: options.width } : {}),
    prepare: (c) => {
      c.backendSocket = backend.factory;
    },
  });
  return { backend, fake, card };
}

function panelState(card: EnergyInsightsCard): string | null {
  return shadow(card).querySelector(".panel")?.getAttribute("data-panel") ?? null;
}

async function panelReady(card: EnergyInsightsCard, state = "ready"): Promise<void> {
  await waitUntil(() => panelState(card) === state, `panel never "${state}" (is ${panelState(card)})`, { timeout: 10_000 });
  await card.updateComplete;
}

function cell(card: EnergyInsightsCard, entity: string, col: string): string {
  return text(card, `tr.device[data-entity="${entity}"] [data-col="${col}"]`);
}

function annotations(card: EnergyInsightsCard): { x?: unknown; strokeDashArray?: number }[] {
  return (card.chartOptions?.annotations?.xaxis ?? []) as { x?: unknown; strokeDashArray?: number }[];
}

describe("correlations panel", () => {
  afterEach(() => unmountAll());

  it("at phone width (390 px) each device is a block with its figures labelled, inside the card; wider, a table with a header row", async () => {
    const { card } = await mountWith({ width: 390 });
    await panelReady(card);
    const box = shadow(card).querySelector("ha-card")!.getBoundingClientRect();
    const cells = [...shadow(card).querySelectorAll<HTMLElement>("tr.device td")];
    expect(cells.length).to.equal(DEVICES.length * 7);
    const outside = cells.filter((c) => c.getBoundingClientRect().right > box.right + 0.5 || c.getBoundingClientRect().left < box.left - 0.5).map((c) => c.dataset.col);
    expect(outside, "cells outside the card").to.deep.equal([]);
    expect(getComputedStyle(shadow(card).querySelector(".devices thead")!).display).to.equal("none");
    expect(getComputedStyle(shadow(card).querySelector('[data-col="power"]')!, "::before").content).to.equal('"Power "');
    unmountAll();
    const { card: wide } = await mountWith({ width: 1000 });
    await panelReady(wide);
    expect(getComputedStyle(shadow(wide).querySelector(".devices thead")!).display).to.equal("table-header-group");
    expect(getComputedStyle(shadow(wide).querySelector('[data-col="power"]')!, "::before").content).to.equal("none");
  });

  it("logs in with the HA token and lists devices with learned power, confidence, events, energy and cost", async () => {
    const { backend, card } = await mountWith();
    await panelReady(card);
    expect(backend.urls).to.deep.equal([URL_]);
    expect(backend.received[0]).to.deep.equal({ type: "auth", access_token: "token" });
    const types = backend.commands().map((c) => c.type);
    expect(types).to.include.members(["devices/list", "correlations/list", "status", "subscribe_updates"]);
    const ids = backend.commands().map((c) => c.id as number);
    expect(ids, "ids increase").to.deep.equal([...ids].sort((a, b) => a - b));

    const rows = shadow(card).querySelectorAll("tr.device");
    expect(rows.length).to.equal(2);
    expect(text(card, `tr.device[data-entity="${KETTLE}"] .device-select`)).to.equal("Kettle");
    expect(cell(card, KETTLE, "power")).to.equal("1,850 W");
    expect(cell(card, KETTLE, "confidence")).to.equal("93%");
    expect(cell(card, KETTLE, "events")).to.equal("12/14");
    // devices/list gives no learning period (an older backend): totals, labelled as such.
    expect(cell(card, KETTLE, "energy")).to.equal("3.46 kWh");
    expect(cell(card, KETTLE, "cost")).to.equal("NZ$1.04");
    expect(text(card, ".devices thead")).to.contain("Energy (total)").and.contain("Cost (total)");
    expect(shadow(card).querySelector("[data-period-unknown]"), "says the period is unknown").not.to.equal(null);
    // A device still learning: no power, energy or cost yet; its state and "learning" shown.
    expect(text(card, `tr.device[data-entity="${HEAT_PUMP}"] td:first-child`)).to.contain(HEAT_PUMP).and.contain("(heat)").and.contain("learning");
    expect(cell(card, HEAT_PUMP, "power")).to.equal("—");
    expect(cell(card, HEAT_PUMP, "energy")).to.equal("—");
    expect(cell(card, HEAT_PUMP, "cost")).to.equal("—");

    // Recent events, newest first, with their signed step; one not counted says why.
    const events = [...shadow(card).querySelectorAll(".event")];
    expect(events.length).to.equal(CORRELATIONS.length);
    expect(events[0]!.getAttribute("data-entity")).to.equal(HEAT_PUMP);
    expect(events[0]!.textContent).to.contain("not counted: ambiguous");
    const steps = events.map((e) => e.querySelector("[data-step]")!.textContent);
    expect(steps).to.deep.equal(["−880 W", "+1,851 W", "+900 W", "−1,848 W", "+1,852 W", "+1,849 W"]);
    // The statistics chart is untouched.
    expect(total(card, "energy")).to.contain("kWh");
    expect(annotations(card)).to.deep.equal([]);
  });

  it("energy and cost per day once the backend says a day or more was recorded; totals over the hours before that", async () => {
    const over = (days: number) => DEVICES.map((d) => ({ ...d, period_days: days }));
    const { card } = await mountWith({ devices: over(4) });
    await panelReady(card);
    expect(text(card, ".devices thead")).to.contain("kWh/day").and.contain("Cost/day");
    expect(cell(card, KETTLE, "energy")).to.equal("0.86 kWh"); // 3.456 kWh over 4 days
    expect(cell(card, KETTLE, "cost")).to.equal("NZ$0.26"); // 1.0368 over 4 days
    const costCell = (c: typeof card, entity: string) => shadow(c).querySelector(`tr.device[data-entity="${entity}"] [data-col="cost"]`)!;
    expect(costCell(card, KETTLE).hasAttribute("title"), "a known cost has no note").to.equal(false);
    expect(text(card, "[data-period-days]")).to.contain("4 days");
    expect(shadow(card).querySelector("[data-period-unknown]")).to.equal(null);
    unmountAll();

    // A backend without a provider's prices does not know the currency: HA's is used.
    const noCurrency = await mountWith({ devices: over(4).map((d) => ({ ...d, currency: null })) });
    await panelReady(noCurrency.card);
    expect(cell(noCurrency.card, KETTLE, "cost")).to.equal("NZ$0.26");
    unmountAll();

    // Energy but no price (no Contact account, or none of its prices yet): "—" says why.
    const noPrice = await mountWith({ devices: over(4).map((d) => ({ ...d, cost: null, currency: null })) });
    await panelReady(noPrice.card);
    expect(cell(noPrice.card, KETTLE, "cost")).to.equal("—");
    expect(costCell(noPrice.card, KETTLE).getAttribute("title")).to.contain("No price known");
    expect(costCell(noPrice.card, HEAT_PUMP).hasAttribute("title"), "a device still learning has no energy either: no note").to.equal(false);
    unmountAll();

    const young = await mountWith({ devices: over(0.25) });
    await panelReady(young.card);
    expect(text(young.card, ".devices thead")).to.contain("Energy (total)");
    expect(cell(young.card, KETTLE, "energy")).to.equal("3.46 kWh");
    expect(text(young.card, "[data-period-short]")).to.contain("6 h");
  });

  it("selecting a device marks its events in the shown range on the hourly chart; selecting it again clears them", async () => {
    const { backend, card } = await mountWith();
    await panelReady(card);
    await click(card, `tr.device[data-entity="${KETTLE}"] .device-select`);
    await waitUntil(() => annotations(card).length > 0, "no annotations after selecting", { timeout: 10_000 });
    const query = backend.commands("correlations/list").at(-1)!;
    expect(query).to.include({ entity_id: KETTLE, since: HOURLY_START });
    // Three kettle events fall in the range (the one of 20 March does not): on, off, on.
    const marks = annotations(card);
    expect(marks.length).to.equal(3);
    expect(marks.map((m) => m.strokeDashArray)).to.deep.equal([0, 3, 0]);
    const xs = marks.map((m) => parseFloat(String(m.x)));
    expect(String(marks[0]!.x)).to.match(/px$/);
    expect(xs[0]).to.be.below(xs[1]!);
    expect(xs[1]).to.be.below(xs[2]!);
    // Placed in the hour of the event: 20:15Z is 08:15 NZST on 6 April.
    const buckets = card.data.data!.buckets;
    const width = shadow(card).querySelector("energy-insights-chart")!.plot!.width;
    expect(xs[0]).to.be.closeTo(eventX(buckets, Date.parse("2026-04-05T20:15:00Z"), width)!, 0.01);
    await card.updateComplete;
    expect(text(card, "[data-marks]")).to.equal("3 events of Kettle marked on the chart.");
    // ApexCharts drew them.
    await waitUntil(() => shadow(card).querySelectorAll(".apexcharts-xaxis-annotations line").length === 3, "annotation lines not drawn");
    expect(shadow(card).querySelector(`tr.device[data-entity="${KETTLE}"]`)!.classList.contains("selected")).to.equal(true);

    await click(card, `tr.device[data-entity="${KETTLE}"] .device-select`);
    await waitUntil(() => annotations(card).length === 0, "annotations stay after deselecting");
    await waitUntil(() => shadow(card).querySelectorAll(".apexcharts-xaxis-annotations line").length === 0, "annotation lines stay");
  });

  it("follows correlations_updated: the device list is fetched again", async () => {
    const { backend, card } = await mountWith();
    await panelReady(card);
    backend.options.devices = [...DEVICES, device("light.lounge", { power_w: 9.6, confidence: 0.81, events: 30, seen_events: 30, energy_kwh: 0.5, cost: 0.15 })];
    backend.publish({ type: "correlations_updated", at: "2026-04-06T22:01:00.000Z", devices: 2 });
    await waitUntil(() => shadow(card).querySelectorAll("tr.device").length === 3, "new device not shown");
    await card.updateComplete;
    expect(cell(card, "light.lounge", "power")).to.equal("9.6 W");
    expect(cell(card, "light.lounge", "confidence")).to.equal("81%");
  });

  it("no devices learned yet: says so, with what the backend reports as limiting", async () => {
    const { card } = await mountWith({
      devices: [],
      correlations: [],
      status: {
        backend_version: "0.1.0",
        ha_version: null,
        now: "2026-04-06T22:00:00.000Z",
        next_check: null,
        sync_running: false,
        providers: [],
        correlation: { enabled: true, running: true, whole_home_sensor: null, whole_home_source: null, tracked_entities: 0, recorded_until: null, devices: 0, problems: ["no whole-home power sensor found"] },
      },
    });
    await panelReady(card);
    expect(text(card, ".panel [data-empty]")).to.contain("No devices learned yet.").and.contain("no whole-home power sensor found");
  });

  it("one health line per OneMeter reader: status, battery, reading age, power now, this and last month; warnings for a low battery, a meter error and an old reading", async () => {
    const meter = (over: Partial<OneMeterStatus>): OneMeterStatus => ({
      device_id: "03b38411-d37b-4957-8d5b-641db7bde29a",
      name: "Home",
      serial: "OM-4711",
      meter_serial: "11722779",
      firmware: "3.1.0",
      hardware: "4.5",
      status: "ok",
      battery_voltage: 3.09,
      battery_percent: 87,
      meter_errors: "0",
      failed_readouts: 3,
      last_reading: "2026-04-06T21:45:00.000Z",
      power_kw: 0.41,
      tariff: "G12",
      usage_this_month_kwh: 123.45,
      usage_previous_month_kwh: 456.78,
      last_poll: "2026-04-06T21:59:00.000Z",
      next_poll: "2026-04-06T22:15:00.000Z",
      ...over,
    });
    const onemeter = [
      meter({}),
      meter({ device_id: "5b9a0c1e-0000-4000-8000-000000000002", name: "Garage", status: "meter_error", meter_errors: "4", battery_percent: 15, last_reading: "2026-04-06T19:30:00.000Z", power_kw: null, usage_previous_month_kwh: null }),
    ];
    const { card } = await mountWith({ status: { ...DEFAULT_STATUS, now: "2026-04-06T22:00:00.000Z", onemeter } });
    await panelReady(card);
    const line = (id: string, col: string) => text(card, `.meter[data-meter="${id}"] [data-col="${col}"]`);
    const home = onemeter[0]!.device_id;
    const garage = onemeter[1]!.device_id;
    expect(text(card, `.meter[data-meter="${home}"] .meter-name`)).to.equal("OneMeter Home");
    expect(line(home, "status")).to.equal("ok");
    expect(line(home, "battery")).to.equal("battery 87 %");
    expect(line(home, "reading")).to.equal("reading 15 min ago");
    expect(line(home, "power")).to.equal("0.41 kW now");
    expect(line(home, "this-month")).to.equal("this month 123 kWh");
    expect(line(home, "previous-month")).to.equal("last month 457 kWh");
    const homeLine = shadow(card).querySelector(`.meter[data-meter="${home}"]`)!;
    expect(homeLine.classList.contains("warn"), "a healthy reader is not a warning").to.equal(false);
    expect(homeLine.getAttribute("role")).to.equal(null);

    const garageLine = shadow(card).querySelector(`.meter[data-meter="${garage}"]`)!;
    expect(garageLine.classList.contains("warn")).to.equal(true);
    expect(garageLine.getAttribute("role")).to.equal("alert");
    expect(garageLine.getAttribute("data-warnings")).to.equal("status battery stale");
    expect(line(garage, "status")).to.equal("meter error");
    expect(line(garage, "battery")).to.equal("battery 15 %");
    expect(line(garage, "reading")).to.equal("reading 2 h ago");
    expect(shadow(card).querySelector(`.meter[data-meter="${garage}"] [data-col="power"]`), "no power reported: not shown").to.equal(null);
    expect(getComputedStyle(garageLine).color, "drawn in the warning colour").to.not.equal(getComputedStyle(homeLine).color);
    // The devices table is still there under the health lines.
    expect(cell(card, KETTLE, "power")).to.equal("1,850 W");

    // Polish.
    const { card: pl } = await mountWith({ language: "pl", status: { ...DEFAULT_STATUS, onemeter } });
    await panelReady(pl);
    expect(text(pl, `.meter[data-meter="${garage}"] [data-col="status"]`)).to.equal("błąd licznika");
    expect(text(pl, `.meter[data-meter="${home}"] [data-col="reading"]`)).to.equal("odczyt 15 min temu");
  });

  it("a backend that cannot be reached: the panel says so with the URL, the chart still renders", async () => {
    // A real WebSocket to a closed loopback port (connection refused).
    const fake = withAuth(makeFakeHass({ statistics, timeZone: TZ }));
    const card = await mount(fake, { ...CONFIG, backend_url: "http://127.0.0.1:1/api" });
    await panelReady(card, "unreachable");
    expect(text(card, ".panel")).to.contain("Backend not reachable at ws://127.0.0.1:1/api").and.contain("charts keep working");
    expect(shadow(card).querySelector(".panel [role=alert]")).not.to.equal(null);
    expect(card.status).to.equal("ready");
    expect(shadow(card).querySelector(".chart svg"), "chart drawn").not.to.equal(null);
    expect(total(card, "energy")).to.contain("kWh");

    // The same through the fake (socket error and close 1006 before open).
    const { card: other } = await mountWith({ unreachable: true });
    await panelReady(other, "unreachable");
    expect(text(other, ".panel")).to.contain(`Backend not reachable at ${URL_}`);
    expect(other.status).to.equal("ready");
  });

  it("a refused login says so clearly and is not retried on its own", async () => {
    const { backend, card } = await mountWith({ tokens: ["someone-else"] });
    await panelReady(card, "auth_refused");
    expect(text(card, ".panel")).to.contain(`The backend at ${URL_} refused the Home Assistant login`).and.contain("did not accept this access token");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(backend.sockets.length, "no reconnect loop with a refused token").to.equal(1);
    expect(card.status).to.equal("ready");
  });

  it("without backend_url: no panel and no connection", async () => {
    const { backend, card } = await mountWith({ config: { type: "custom:energy-insights-card", ...IDS } });
    await card.updateComplete;
    expect(shadow(card).querySelector(".panel")).to.equal(null);
    expect(backend.sockets.length).to.equal(0);
    expect(annotations(card), "no marks").to.deep.equal([]);
  });

  it("speaks Polish and Māori", async () => {
    const { card } = await mountWith({ language: "pl" });
    await panelReady(card);
    expect(text(card, ".panel-title")).to.equal("Urządzenia");
    expect(text(card, ".devices thead")).to.contain("Moc");
    const { card: mi } = await mountWith({ language: "mi", tokens: ["x"] });
    await panelReady(mi, "auth_refused");
    expect(text(mi, ".panel")).to.contain("I whakakāhore te tuara");
  });

  it("backend_url accepts ws, wss, http and https URLs and names the field otherwise", () => {
    for (const url of ["ws://homeassistant.local:8099", "wss://ha.example.org/energy", "http://192.168.1.5:8099", "https://ha.example.org/api/hassio_ingress/abc"]) {
      expect(() => validateConfig({ type: "custom:energy-insights-card", backend_url: url }), url).not.to.throw();
    }
    for (const url of ["ftp://host", "homeassistant.local:8099", "ws://", "ws://host name", 8099]) {
      expect(() => validateConfig({ type: "custom:energy-insights-card", backend_url: url }), String(url)).to.throw(/backend_url/);
    }
    expect(backendSocketUrl("https://ha.example.org/x")).to.equal("wss://ha.example.org/x");
    expect(backendSocketUrl("HTTP://host:8099")).to.equal("ws://host:8099");
    expect(backendSocketUrl("wss://host")).to.equal("wss://host");
  });

  it("no statistics yet, with backend_url: the empty state says whether the backend has ever synced, from its status", async () => {
    const series = (last_success: string | null, last_error: string | null) => ({
      account: "0000012345ABC", resolution: "hour", covered_from: null, covered_to: null, last_success, last_attempt: last_success, consecutive_failures: last_error ? 1 : 0, last_error,
    });
    const note = async (status: StatusResult) => {
      const backend = new FakeBackend({ devices: [], correlations: [], status });
      const fake = withAuth(makeFakeHass({ statistics: [], timeZone: TZ }));
      const card = await mount(fake, { type: "custom:energy-insights-card", backend_url: "ws://backend.test:8099" }, { expectChart: false, prepare: (c) => (c.backendSocket = backend.factory) });
      await waitUntil(() => shadow(card).querySelector("[data-backend-note]"), "no backend note in the empty state", { timeout: 10_000 });
      return text(card, "[data-backend-note]");
    };
    const provider = (s: ReturnType<typeof series>) => ({ provider: "contact", healthy: !s.last_error, series: [s] });
    expect(await note({ ...DEFAULT_STATUS, providers: [provider(series(null, null))] })).to.equal("The backend answers but has not finished a sync yet.");
    expect(await note({ ...DEFAULT_STATUS, providers: [provider(series(null, "Contact login refused (401)"))] })).to.equal("The backend's last sync failed: Contact login refused (401)");
    expect(await note({ ...DEFAULT_STATUS, providers: [provider(series("2026-04-06T21:00:00.000Z", null))] })).to.contain("The backend has synced");
  });
});
