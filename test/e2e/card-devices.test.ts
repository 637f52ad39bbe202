/**
 * Issue 6 item 5 inside a real Home Assistant (both pinned versions): whole-home paid/free energy and
 * two learned devices' energy are imported through the backend's publisher, the backend API runs
 * with learned devices and their events (a fixed correlation source: learning itself is
 * test/e2e/devices.test.ts's job), and the card, given `backend_url`, shows the devices panel,
 * marks the selected device's events on the hourly chart, and splits the hours by device with
 * "untracked" = whole home − devices, all read from HA's statistics. Screenshots:
 * test/artifacts/card-devices-<version>.png (page) and -card.png (the card alone).
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import type { Page } from "puppeteer-core";
import { startAppApi, type CorrelationSource } from "../../server/src/api/app-api.js";
import type { ApiServer } from "../../server/src/api/server.js";
import { parseConfig } from "../../server/src/config/index.js";
import type { DeviceProfile, EventStep } from "../../server/src/correlate/types.js";
import { connectToHa, type Connection } from "../../server/src/ha/connection.js";
import { deviceStatistic } from "../../server/src/statistics/devices.js";
import { publishDeviceStatistics } from "../../server/src/sync/power-collector.js";
import { publishStatistic } from "../../server/src/ha/publisher.js";
import { statisticsDuringPeriod } from "../../server/src/ha/recorder.js";
import type { ComposedRow } from "../../server/src/statistics/compose.js";
import { contactStatistics } from "../../server/src/statistics/contact.js";
import { systemClock } from "../../server/src/time/clock.js";
import { LogCapture, testBackend, type TestBackend } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";
import { confirmHttpConfig, launchBrowser, type DeepQueryWindow, type HaBrowser, type PageProblem } from "../../dev/harness/browser.js";
import { addModuleResource, createDashboard, localPath } from "../../dev/harness/lovelace.js";

const NZ = "Pacific/Auckland";
const HOUR = 3_600_000;
const root = new URL("../..", import.meta.url).pathname;
const BUNDLE = join(root, "dist", "energy-insights-card.js");
const ARTIFACTS = join(root, "test", "artifacts");
const ICP = "0000099999E2E";
const [PAID, FREE] = contactStatistics(ICP, "NZD");
const KETTLE = { entityId: "switch.e2e_kettle", name: "Kettle" };
const HEAT_PUMP = { entityId: "climate.e2e_heat_pump", name: "Heat pump" };

/**
 * The card's hourly view at the real "now": the 9 NZ days ending with today. The meter's rows end at
 * yesterday's midnight (the provider is a day or more late); the devices' run to the last full hour.
 */
const now = Date.now();
const today = DateTime.fromMillis(now, { zone: NZ }).startOf("day");
const RANGE = { start: today.minus({ days: 8 }).toMillis(), end: today.plus({ days: 1 }).toMillis() };
const METER_END = today.minus({ days: 1 }).toMillis();
const DEVICES_END = Math.floor(now / HOUR) * HOUR;
/** One hour in which the heat pump's energy is more than the meter's: the card must say so. */
const EXCESS_HOUR = today.minus({ days: 3 }).set({ hour: 12 }).toMillis();

const localHour = (t: number) => DateTime.fromMillis(t, { zone: NZ }).hour;
const hours = (from: number, to: number) => Array.from({ length: Math.max(0, (to - from) / HOUR) }, (_, i) => from + i * HOUR);
const row = (t: number, value: number): ComposedRow => ({ start: t / 1000, end: t / 1000 + 3600, value });

/** Whole-home kWh of an hour, split like a free-hours plan: 21:00–24:00 free. */
function meter(t: number, i: number): { paid: number; free: number } {
  const kwh = Math.round((0.9 + ((i * 37) % 10) / 10 + (localHour(t) >= 17 && localHour(t) <= 20 ? 0.8 : 0)) * 1000) / 1000;
  return localHour(t) >= 21 ? { paid: 0, free: kwh } : { paid: kwh, free: 0 };
}

function deviceKwh(entityId: string, t: number): number {
  const h = localHour(t);
  if (entityId === KETTLE.entityId) return h === 7 ? 0.2 : 0;
  if (t === EXCESS_HOUR) return 3;
  return h >= 17 && h <= 20 ? 0.8 : 0;
}

/** The kettle's on/off events of the shown days, at 07:10 and 07:13 local, all in the past. */
function kettleSteps(): EventStep[] {
  const steps: EventStep[] = [];
  for (let d = 0; d < 9; d++) {
    const seven = today.minus({ days: 8 - d }).set({ hour: 7, minute: 10 }).toMillis();
    for (const [t, on] of [[seven, true], [seven + 3 * 60_000, false]] as const) {
      if (t > now - HOUR) continue;
      steps.push({
        t,
        entityId: KETTLE.entityId,
        from: on ? "off" : "on",
        to: on ? "on" : "off",
        kind: on ? "on" : "off",
        state: "on",
        stepW: on ? 1850 : -1848,
        preW: on ? 300 : 2150,
        postW: on ? 2150 : 302,
        lagS: 1,
        accepted: true,
        reason: null,
        conflictWith: null,
      });
    }
  }
  return steps;
}

function profile(entityId: string, state: string, powerW: number, events: number, energyKwh: number): DeviceProfile {
  return { entityId, state, level: null, published: true, energyFrom: "steps", stepW: powerW, range: null, phases: [], kwhPerRun: null, runs: 0, measuredRuns: 0, cleanRuns: 0, powerW, standardErrorW: 12, confidence: 0.93, status: "confident", events, seenEvents: events, lagS: { on: 1, off: 1 }, onTimeH: energyKwh / (powerW / 1000), ghostRuns: 0, energyKwh, cost: energyKwh * 0.3 };
}

interface CardElement extends HTMLElement {
  status: string;
  chartOptions?: { series?: unknown[]; chart?: { type?: string; stacked?: boolean }; annotations?: { xaxis?: unknown[] }; tooltip?: { custom?: unknown } };
}

for (const version of HA_VERSIONS) {
  describe(`The card's devices inside Home Assistant ${version}`, { timeout: 600_000 }, () => {
    let ha: RunningHa;
    let conn: Connection;
    let backend: TestBackend;
    let api: ApiServer;
    let storeDir: string;
    let browser: HaBrowser;
    let dashboardUrl: string;
    const logs = new LogCapture();
    const steps = kettleSteps();

    before(async () => {
      assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build first`);
      ha = await startHomeAssistant(version, { www: [BUNDLE] });
      await confirmHttpConfig(ha);
      storeDir = mkdtempSync(join(tmpdir(), "ei-e2e-card-devices-"));
      const config = parseConfig(
        {
          home_assistant: { url: ha.url, token: ha.token },
          store: { path: join(storeDir, "energy-insights.db") },
          api: { host: "127.0.0.1", port: 0 },
          power: { enabled: false },
        },
        {},
      );
      backend = testBackend(config, systemClock, { logs });
      conn = await connectToHa({ url: ha.url, token: ha.token }, { setupRetry: 5 });

      // The meter (paid and free) and the devices, through the backend's own publisher.
      const meterHours = hours(RANGE.start, METER_END).map((t, i) => ({ t, ...meter(t, i) }));
      await publishStatistic(conn, backend.app.store, PAID!.series, PAID!.stat, meterHours.map((h) => row(h.t, h.paid)));
      await publishStatistic(conn, backend.app.store, FREE!.series, FREE!.stat, meterHours.map((h) => row(h.t, h.free)));
      const deviceRows = new Map([KETTLE, HEAT_PUMP].map((d) => [d.entityId, hours(RANGE.start, DEVICES_END).map((t) => row(t, deviceKwh(d.entityId, t)))]));
      await publishDeviceStatistics(conn, backend.app.store, deviceRows, (id) => (id === KETTLE.entityId ? KETTLE.name : HEAT_PUMP.name));
      // The devices' entities, so the card names them as HA does.
      for (const d of [KETTLE, HEAT_PUMP]) {
        const res = await fetch(`${ha.url}/api/states/${d.entityId}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${ha.token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ state: "off", attributes: { friendly_name: d.name } }),
        });
        assert.ok(res.ok, `POST /api/states/${d.entityId}: ${res.status}`);
      }

      const source: CorrelationSource = {
        profiles: () => [profile(KETTLE.entityId, "on", 1850, steps.length / 2, 1.6), profile(HEAT_PUMP.entityId, "heat", 1200, 14, 25.6)],
        steps: (f = {}) => steps.filter((s) => (f.since === undefined || s.t >= f.since) && (f.entityId === undefined || s.entityId === f.entityId)),
        // The totals above were learned over the shown range: the panel shows them per day.
        observedSpan: () => ({ from: RANGE.start, until: DEVICES_END }),
      };
      // Users' tokens are checked against this HA, as in production.
      api = await startAppApi(backend.app, { clock: systemClock, log: { debug() {}, info() {}, warn() {}, error() {} }, correlations: source });

      await addModuleResource(ha, await localPath(ha, BUNDLE));
      dashboardUrl = await createDashboard(ha, {
        urlPath: "energy-devices",
        title: "Energy devices",
        config: {
          views: [
            {
              title: "Devices",
              path: "devices",
              cards: [{ type: "custom:energy-insights-card", title: "Electricity", paid_energy: PAID!.stat.statisticId, free_energy: FREE!.stat.statisticId, backend_url: `ws://127.0.0.1:${api.port}` }],
            },
          ],
        },
      });
      browser = await launchBrowser(ha, { viewport: { width: 1000, height: 1150 }, timeZone: NZ });
      mkdirSync(ARTIFACTS, { recursive: true });
    });

    after(async () => {
      await browser?.close();
      await api?.close();
      conn?.close();
      backend?.app.close();
      await ha?.stop();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
    });

    test("the devices panel lists the backend's devices; a selected device's events are marked; the hours split by device", (t: TestContext) => withPage(browser, version, async (page) => {
      await page.goto(dashboardUrl, { waitUntil: "load" });
      // The chart from HA's statistics and the panel from the backend API.
      await page.waitForFunction(
        () => {
          const card = (window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement | null;
          const panel = card?.shadowRoot?.querySelector(".panel")?.getAttribute("data-panel");
          return card?.status === "ready" && panel === "ready" && card.shadowRoot!.querySelectorAll("tr.device").length === 2;
        },
        { timeout: 60_000, polling: 250 },
      );
      const rows = await page.evaluate(() => {
        const root = ((window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement).shadowRoot!;
        return [...root.querySelectorAll("tr.device")].map((tr) => ({
          entity: tr.getAttribute("data-entity"),
          name: tr.querySelector(".device-select")!.textContent!.replace(/\s+/g, " ").trim(),
          power: tr.querySelector('[data-col="power"]')!.textContent!.trim(),
          confidence: tr.querySelector('[data-col="confidence"]')!.textContent!.trim(),
          energyHeader: root.querySelector(".devices thead")!.textContent!.replace(/\s+/g, " "),
        }));
      });
      t.diagnostic(`panel: ${JSON.stringify(rows)}`);
      assert.deepEqual(rows.map((r) => [r.entity, r.name.split(" (")[0], r.power, r.confidence]), [
        [KETTLE.entityId, "Kettle", "1,850 W", "93%"],
        [HEAT_PUMP.entityId, "Heat pump", "1,200 W", "93%"],
      ]);
      assert.match(rows[0]!.energyHeader, /kWh\/day.*Cost\/day/, "energy and cost per day over the recorded span");

      // Select the kettle: its events in the shown hours become lines on the hourly chart. The axis
      // spans the whole range (the hours after the meter's last row are drawn as not in yet), so
      // every event of the range has its place, by tariff and by device alike.
      const inRange = (end: number) => steps.filter((s) => s.t >= RANGE.start && s.t < end).length;
      assert.ok(inRange(METER_END) >= 12, `${inRange(METER_END)} kettle events in the metered hours`);
      await page.evaluate((entity: string) => {
        const root = ((window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement).shadowRoot!;
        root.querySelector<HTMLButtonElement>(`tr.device[data-entity="${entity}"] .device-select`)!.click();
      }, KETTLE.entityId);
      const marks = async (want: number) =>
        page.waitForFunction(
          (want: number) => {
            const card = (window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement;
            const lines = card.shadowRoot!.querySelectorAll(".apexcharts-xaxis-annotations line").length;
            // The panel counts the marks drawn, not the events fetched (some fall in hours without a column).
            const said = card.shadowRoot!.querySelector("[data-marks]")?.textContent?.trim();
            return (card.chartOptions?.annotations?.xaxis?.length ?? 0) === want && lines === want && said === `${want} events of Kettle marked on the chart.` ? lines : false;
          },
          { timeout: 30_000, polling: 250 },
          want,
        );
      await marks(inRange(RANGE.end));

      // By device: wait for the button (the card looks the device statistics up in HA), switch, read the chart.
      await page.waitForFunction(() => ((window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement).shadowRoot!.querySelector('[data-stack="device"]') !== null, { timeout: 30_000, polling: 250 });
      const shown = await page.evaluate(async () => {
        const card = (window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card") as CardElement;
        const rendered = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no render within 30 s (status ${card.status})`)), 30_000);
          card.addEventListener("energy-insights-rendered", () => (clearTimeout(timer), resolve()), { once: true });
        });
        card.shadowRoot!.querySelector<HTMLButtonElement>('[data-stack="device"]')!.click();
        await rendered;
        const options = card.chartOptions!;
        const custom = options.tooltip!.custom as (a: { dataPointIndex: number }) => string;
        const series = JSON.parse(JSON.stringify(options.series)) as { name: string; type: string; data: { x: number; y: number }[] }[];
        const hourCount = series[0]!.data.length / 2;
        return {
          type: options.chart?.type,
          stacked: options.chart?.stacked,
          series,
          tooltips: Array.from({ length: hourCount }, (_, i) => custom({ dataPointIndex: 2 * i })),
          legend: [...card.shadowRoot!.querySelectorAll(".legend .key")].map((k) => k.textContent!.trim()),
          note: card.shadowRoot!.querySelector("[data-excess-note]")?.textContent?.trim() ?? null,
          pressed: card.shadowRoot!.querySelector('[data-stack="device"]')!.getAttribute("aria-pressed"),
        };
      });
      assert.equal(shown.pressed, "true");
      assert.equal(shown.type, "area");
      assert.equal(shown.stacked, true);
      assert.deepEqual(shown.series.map((s) => s.name), ["Heat pump", "Kettle", "Untracked"]);
      assert.deepEqual(shown.legend, ["Heat pump", "Kettle", "Untracked"]);

      // What HA holds for the same hours, read back the way the card asks (end 1 ms early).
      const ids = { paid: PAID!.stat.statisticId, free: FREE!.stat.statisticId, heat: deviceStatistic(HEAT_PUMP.entityId, HEAT_PUMP.name).statisticId, kettle: deviceStatistic(KETTLE.entityId, KETTLE.name).statisticId };
      const stats = await statisticsDuringPeriod(conn, { startTime: new Date(RANGE.start), endTime: new Date(RANGE.end - 1), statisticIds: Object.values(ids), period: "hour", types: ["change"], units: { energy: "kWh" } });
      const at = (id: string) => new Map((stats[id] ?? []).map((r) => [r.start, r.change ?? 0]));
      const [paid, free, heat, kettle] = [at(ids.paid), at(ids.free), at(ids.heat), at(ids.kettle)];
      const starts = [...new Set([...paid.keys(), ...[...heat, ...kettle].filter(([, v]) => v !== 0).map(([s]) => s)])].sort((a, b) => a - b);
      assert.equal(shown.series[0]!.data.length / 2, starts.length, "one flat step per hour with meter or device energy");
      const value = (s: number, i: number) => shown.series[s]!.data[2 * i]!.y;
      let unmetered = 0;
      starts.forEach((start, i) => {
        const label = new Date(start).toISOString();
        assert.ok(Math.abs(value(0, i) - (heat.get(start) ?? 0)) < 5e-4, `${label} heat pump ${value(0, i)} vs HA ${heat.get(start)}`);
        assert.ok(Math.abs(value(1, i) - (kettle.get(start) ?? 0)) < 5e-4, `${label} kettle`);
        const metered = paid.has(start) || free.has(start);
        const whole = (paid.get(start) ?? 0) + (free.get(start) ?? 0);
        const devices = (heat.get(start) ?? 0) + (kettle.get(start) ?? 0);
        const untracked = metered ? Math.max(0, whole - devices) : 0;
        assert.ok(Math.abs(value(2, i) - untracked) < 5e-4, `${label} untracked ${value(2, i)}, HA: ${whole} − ${devices}`);
        if (!metered) {
          unmetered += 1;
          assert.match(shown.tooltips[i]!, /data-unmetered/, `${label}: no meter data yet, said so`);
        }
        if (start === EXCESS_HOUR) assert.match(shown.tooltips[i]!, /data-excess>The learned devices add up to [\d.]+ kWh more than the meter/);
        else assert.doesNotMatch(shown.tooltips[i]!, /data-excess/, label);
      });
      assert.ok(unmetered >= 1, "hours after the meter's last row are shown with the devices alone");
      assert.ok(starts.includes(EXCESS_HOUR));
      assert.match(shown.note ?? "", /more than the meter: 1 \(/);

      // The kettle's events stay marked on the by-device chart, today's too.
      await marks(inRange(RANGE.end));
      await page.screenshot({ path: join(ARTIFACTS, `card-devices-${version}.png`) });
      const card = await page.evaluateHandle(() => (window as unknown as DeepQueryWindow).__deepQuery("energy-insights-card")!);
      await card.asElement()!.screenshot({ path: join(ARTIFACTS, `card-devices-${version}-card.png`) });
      t.diagnostic(`${starts.length} hours (${unmetered} without meter data), ${inRange(DEVICES_END)} kettle events marked`);
    }));

    test("no console error or uncaught exception from our card", () => {
      const ours = browser.problems.filter((p: PageProblem) => /energy-insights/i.test(`${p.url ?? ""} ${p.text}`));
      assert.deepEqual(ours, [], "console errors from the card");
    });
  });
}

async function withPage(browser: HaBrowser, version: string, use: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  try {
    await use(page);
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `failed-card-devices-${version}.png`) }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}
