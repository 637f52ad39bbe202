import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import type { App } from "../../server/src/app.js";
import { startAppApi, type CorrelationSource } from "../../server/src/api/app-api.js";
import type { ServerMessage } from "../../server/src/api/protocol.js";
import type { ApiUser } from "../../server/src/api/server.js";
import type { DeviceProfile, EventStep } from "../../server/src/correlate/types.js";
import type { SyncSummary } from "../../server/src/service.js";
import type { CarbonHealth } from "../../server/src/sync/carbon-job.js";
import { carbonForecastViews } from "../../server/src/api/carbon-forecast.js";
import { openStore, type Store } from "../../server/src/store/store.js";
import { ManualClock } from "../../server/src/time/clock.js";

// The API wired to an app: status from the store's sync state, sync/run through the service (one
// at a time), devices from a correlation source, and the events that follow.

const NOW = Date.parse("2026-04-10T00:00:00Z");
const users: Record<string, ApiUser> = { admin: { userId: "a", name: "Admin", isAdmin: true }, resident: { userId: "r", name: "Resident", isAdmin: false } };

function fakeApp(store: Store, syncs: { count: number }, carbon: CarbonHealth[] = []): App {
  const summary: SyncSummary = { startedAt: "2026-04-10T00:00:00.000Z", finishedAt: "2026-04-10T00:00:02.000Z", ok: true, fetched: [], published: [{ statisticId: "energy_insights:contact_1_paid_energy", rowsSent: 24, firstChanged: undefined, lastStart: undefined, lastSum: undefined }], errors: [] };
  return {
    config: { api: { host: "127.0.0.1", port: 0 }, homeAssistant: { websocketUrl: "ws://127.0.0.1:1/api/websocket" }, contact: { currency: "NZD", timeZone: "Pacific/Auckland", dailyFixedCharge: 0, accounts: [] } },
    store,
    service: {
      nextCheckAt: () => NOW + 6 * 3600_000,
      lastCheck: () => ({ at: NOW - 60_000, failures: 2, error: "Contact Energy contract 0000012345ABC: HTTP 502 from Contact" }),
      health: () => [{ name: "carbon intensity", provider: "carbon", healthy: true, lastSuccess: null, lastError: null, carbon }],
      syncOnce: async () => {
        syncs.count += 1;
        // Long enough that the second admin's request, sent at the same moment, finds it running.
        await new Promise((r) => setTimeout(r, 1000));
        store.recordSync("contact", "1350000001", "hour", { at: NOW, ok: true, from: "2026-04-01", to: "2026-04-08" });
        return summary;
      },
    },
    collector: undefined,
  } as unknown as App;
}

function profile(entityId: string, powerW: number | null, events: number): DeviceProfile {
  return { entityId, state: "on", level: null, published: powerW !== null, energyFrom: "steps", stepW: powerW, range: null, phases: [], kwhPerRun: null, runs: 0, measuredRuns: 0, cleanRuns: 0, powerW, standardErrorW: 1, confidence: 0.9, status: powerW === null ? "learning" : "confident", events, seenEvents: events, lagS: { on: 0, off: 0 }, onTimeH: 2, ghostRuns: 0, energyKwh: powerW === null ? null : (powerW * 2) / 1000, cost: powerW === null ? null : 0.1 };
}

function step(t: number): EventStep {
  return { t, entityId: "switch.kettle", from: "off", to: "on", kind: "on", state: "on", stepW: 2000, preW: 300, postW: 2300, lagS: 0, accepted: true, reason: null, conflictWith: null };
}

/** Opens, authenticates and hands back a sender and a message reader. */
async function connect(port: number, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const inbox: ServerMessage[] = [];
  let wake = () => {};
  ws.on("message", (data) => {
    inbox.push(JSON.parse(String(data)) as ServerMessage);
    wake();
  });
  const take = async (pred: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const i = inbox.findIndex(pred);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(inbox)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  await new Promise((r) => ws.once("open", r));
  ws.send(JSON.stringify({ type: "auth", access_token: token }));
  await take((m) => m.type === "auth_ok");
  let id = 0;
  const call = async (message: Record<string, unknown>) => {
    const mine = ++id;
    ws.send(JSON.stringify({ id: mine, ...message }));
    return take((m) => m.type === "result" && m.id === mine);
  };
  return { ws, call, take };
}

test("api app: status shows each provider's series health; devices are empty while power is off", async () => {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-api-")), "store.db"));
  store.recordSync("contact", "1350000001", "hour", { at: NOW - 3600_000, ok: true, from: "2026-04-01", to: "2026-04-08" });
  store.recordSync("contact", "1350000001", "day", { at: NOW, ok: false, error: "HTTP 502 from Contact" });
  const api = await startAppApi(fakeApp(store, { count: 0 }), { clock: new ManualClock(NOW), log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: async (t) => users[t] ?? null });
  try {
    const c = await connect(api.port, "resident");
    const status = await c.call({ type: "status" });
    assert.ok(status.type === "result" && status.success);
    const result = status.result as Record<string, unknown>;
    assert.equal(result.now, "2026-04-10T00:00:00.000Z");
    assert.equal(result.next_check, "2026-04-10T06:00:00.000Z");
    assert.deepEqual(result.last_check, { finished_at: "2026-04-09T23:59:00.000Z", ok: false, failures_in_a_row: 2, error: "Contact Energy contract 0000012345ABC: HTTP 502 from Contact" });
    assert.deepEqual(result.providers, [
      {
        provider: "contact",
        healthy: false,
        series: [
          { account: "1350000001", resolution: "day", covered_from: null, covered_to: null, last_success: null, last_attempt: "2026-04-10T00:00:00.000Z", consecutive_failures: 1, last_error: "HTTP 502 from Contact" },
          { account: "1350000001", resolution: "hour", covered_from: "2026-04-01", covered_to: "2026-04-08", last_success: "2026-04-09T23:00:00.000Z", last_attempt: "2026-04-09T23:00:00.000Z", consecutive_failures: 0, last_error: null },
        ],
      },
    ]);
    assert.deepEqual(result.bills, [], "Contact is configured; no accounts read yet");
    assert.deepEqual(result.correlation, { enabled: false, running: false, whole_home_sensor: null, whole_home_source: null, tracked_entities: 0, recorded_until: null, devices: 0, problems: [] });
    assert.deepEqual(await c.call({ type: "devices/list" }), { id: 2, type: "result", success: true, result: [] });
    c.ws.close();
  } finally {
    await api.close();
    store.close();
  }
});

test("api app: sync/run runs one sync however many admins ask, and subscribers hear sync_finished and status_changed", async () => {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-api-")), "store.db"));
  const syncs = { count: 0 };
  const api = await startAppApi(fakeApp(store, syncs), { clock: new ManualClock(NOW), log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: async (t) => users[t] ?? null, statusPollMs: 20 });
  try {
    const watcher = await connect(api.port, "resident");
    await watcher.call({ type: "subscribe_updates" });
    const a = await connect(api.port, "admin");
    const b = await connect(api.port, "admin");
    const [ra, rb] = await Promise.all([a.call({ type: "sync/run" }), b.call({ type: "sync/run" })]);
    assert.equal(syncs.count, 1, "the second request joined the running sync");
    const expected = { started_at: "2026-04-10T00:00:00.000Z", finished_at: "2026-04-10T00:00:02.000Z", ok: true, errors: [], published: [{ statistic_id: "energy_insights:contact_1_paid_energy", rows: 24 }] };
    assert.deepEqual(ra.type === "result" && ra.success && ra.result, expected);
    assert.deepEqual(rb.type === "result" && rb.success && rb.result, expected);
    const finished = await watcher.take((m) => m.type === "event" && m.event.type === "sync_finished");
    assert.ok(finished.type === "event" && finished.event.type === "sync_finished" && finished.event.status.providers[0]?.series[0]?.covered_to === "2026-04-08");

    // A scheduled check (here: the store changing behind the API's back) is published too.
    store.recordSync("contact", "1350000001", "day", { at: NOW, ok: false, error: "timeout" });
    // (sync_running going true and false was published as well, while the sync ran.)
    const changed = await watcher.take((m) => m.type === "event" && m.event.type === "status_changed" && m.event.status.providers[0]?.healthy === false);
    assert.ok(changed.type === "event" && changed.event.type === "status_changed" && changed.event.status.providers[0]?.series[0]?.last_error === "timeout");
    for (const c of [watcher, a, b]) c.ws.close();
  } finally {
    await api.close();
    store.close();
  }
});

test("api app: devices and correlations come from the correlation source; learned changes are published", async () => {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-api-")), "store.db"));
  let profiles = [profile("switch.kettle", 2000, 6), profile("light.hall", null, 1)];
  const steps = [step(NOW - 3000), step(NOW - 2000), step(NOW - 1000)];
  const source: CorrelationSource = {
    profiles: () => profiles,
    steps: (f = {}) => steps.filter((s) => (f.since === undefined || s.t >= f.since) && (f.entityId === undefined || s.entityId === f.entityId)),
    // Energy and cost are totals over 2.5 recorded days: the card divides by period_days.
    observedSpan: () => ({ from: NOW - 2.5 * 86_400_000, until: NOW }),
  };
  const api = await startAppApi(fakeApp(store, { count: 0 }), { clock: new ManualClock(NOW), log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: async (t) => users[t] ?? null, statusPollMs: 20, correlations: source });
  try {
    const c = await connect(api.port, "resident");
    const devices = await c.call({ type: "devices/list" });
    assert.ok(devices.type === "result" && devices.success);
    assert.deepEqual(devices.result, [
      { entity_id: "switch.kettle", state: "on", status: "confident", power_w: 2000, standard_error_w: 1, confidence: 0.9, events: 6, seen_events: 6, on_time_h: 2, energy_kwh: 4, cost: 0.1, currency: "NZD", period_days: 2.5, level: null, energy_from: "steps", step_w: 2000, range_w: null, phases: [], kwh_per_run: null, published: true },
      { entity_id: "light.hall", state: "on", status: "learning", power_w: null, standard_error_w: 1, confidence: 0.9, events: 1, seen_events: 1, on_time_h: 2, energy_kwh: null, cost: null, currency: null, period_days: 2.5, level: null, energy_from: "steps", step_w: null, range_w: null, phases: [], kwh_per_run: null, published: false },
    ]);
    const recent = await c.call({ type: "correlations/list", limit: 2 });
    assert.ok(recent.type === "result" && recent.success);
    assert.deepEqual((recent.result as { time: string }[]).map((s) => s.time), ["2026-04-09T23:59:58.000Z", "2026-04-09T23:59:59.000Z"], "the most recent, oldest first");
    const since = await c.call({ type: "correlations/list", since: "2026-04-09T23:59:59Z", entity_id: "switch.kettle" });
    assert.equal(since.type === "result" && since.success && (since.result as unknown[]).length, 1);
    const status = await c.call({ type: "status" });
    assert.ok(status.type === "result" && status.success && (status.result as { correlation: { enabled: boolean; devices: number } }).correlation.devices === 1);

    await c.call({ type: "subscribe_updates" });
    profiles = [profile("switch.kettle", 2000, 6), profile("light.hall", 9, 5)];
    const updated = await c.take((m) => m.type === "event" && m.event.type === "correlations_updated");
    assert.ok(updated.type === "event" && updated.event.type === "correlations_updated" && updated.event.devices === 2);
    c.ws.close();
  } finally {
    await api.close();
    store.close();
  }
});

function carbonHealth(provider: CarbonHealth["provider"], account: string, signal: CarbonHealth["signal"]): CarbonHealth {
  return { provider, account, signal, planScope: null, forecast: signal === "intensity", lastSuccess: NOW, lastAttempt: NOW, consecutiveFailures: 0, attempts: 1, successes: 1, tokenRefreshes: 0, lastError: null, stopped: false };
}

test("api app: carbon/forecast gives any user each intensity provider's stored forecast as hourly means", async () => {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-api-")), "store.db"));
  const hour = NOW / 1000;
  // WattTime: 5-minute points (two hours, 12 each); Electricity Maps: hourly points.
  const fiveMinute = Array.from({ length: 24 }, (_, i) => ({ at: hour + i * 300, value: i < 12 ? 100 + i : 300 }));
  store.set("carbon:forecast:watttime_caiso_north_carbon_intensity", JSON.stringify({ at: NOW, points: fiveMinute }));
  store.set("carbon:forecast:electricity_maps_nz_carbon_intensity", JSON.stringify({ at: NOW - 60_000, points: [{ at: hour, value: 80 }, { at: hour + 3600, value: 95.5 }] }));
  const health = [carbonHealth("watttime", "CAISO_NORTH", "intensity"), carbonHealth("electricity_maps", "NZ", "intensity"), carbonHealth("watttime", "PJM", "percentile")];
  const api = await startAppApi(fakeApp(store, { count: 0 }, health), { clock: new ManualClock(NOW), log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: async (t) => users[t] ?? null });
  try {
    const c = await connect(api.port, "resident");
    const answer = await c.call({ type: "carbon/forecast" });
    assert.ok(answer.type === "result" && answer.success, JSON.stringify(answer));
    assert.deepEqual(answer.result, [
      {
        provider: "watttime",
        region: "CAISO_NORTH",
        statistic_id: "energy_insights:watttime_caiso_north_carbon_intensity",
        unit: "gCO2eq/kWh",
        fetched_at: "2026-04-10T00:00:00.000Z",
        hours: [
          { start: "2026-04-10T00:00:00.000Z", intensity: 105.5 },
          { start: "2026-04-10T01:00:00.000Z", intensity: 300 },
        ],
      },
      {
        provider: "electricity_maps",
        region: "NZ",
        statistic_id: "energy_insights:electricity_maps_nz_carbon_intensity",
        unit: "gCO2eq/kWh",
        fetched_at: "2026-04-09T23:59:00.000Z",
        hours: [
          { start: "2026-04-10T00:00:00.000Z", intensity: 80 },
          { start: "2026-04-10T01:00:00.000Z", intensity: 95.5 },
        ],
      },
    ]);
    const extra = await c.call({ type: "carbon/forecast", region: "NZ" });
    assert.ok(extra.type === "result" && !extra.success && extra.error.code === "invalid_format", JSON.stringify(extra));
    c.ws.close();
  } finally {
    await api.close();
    store.close();
  }
});

test("api carbon forecast: percentile providers, providers not started and unreadable stored forecasts are left out", () => {
  const stored: Record<string, string> = {
    "carbon:forecast:watttime_pjm_signal_index": JSON.stringify({ at: NOW, points: [{ at: NOW / 1000, value: 40 }] }),
    "carbon:forecast:electricity_maps_de_carbon_intensity": "{not json",
    "carbon:forecast:electricity_maps_fr_carbon_intensity": JSON.stringify({ at: NOW, points: [] }),
  };
  const health = [carbonHealth("watttime", "PJM", "percentile"), carbonHealth("electricity_maps", "DE", "intensity"), carbonHealth("electricity_maps", "FR", "intensity"), { ...carbonHealth("watttime", "x", null), account: null }];
  assert.deepEqual(carbonForecastViews((k) => stored[k], health), []);
  stored["carbon:forecast:electricity_maps_fr_carbon_intensity"] = JSON.stringify({ at: NOW, points: [{ at: NOW / 1000 + 3600, value: 51 }, { at: "bad", value: 1 }] });
  assert.deepEqual(carbonForecastViews((k) => stored[k], health).map((v) => [v.region, v.hours]), [["FR", [{ start: "2026-04-10T01:00:00.000Z", intensity: 51 }]]]);
});
