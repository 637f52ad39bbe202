/**
 * The OneMeter provider end to end without HA: the real client, HTTP policy, store and poller
 * against the loopback simulator, over simulated hours with a ManualClock.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { startAppApi } from "../../server/src/api/app-api.js";
import type { OneMeterDeviceStatus, ServerMessage } from "../../server/src/api/protocol.js";
import { createApp } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import { createLogger } from "../../server/src/log.js";
import { ProviderError } from "../../server/src/providers/errors.js";
import { OneMeterClient } from "../../server/src/providers/onemeter/client.js";
import { DEFAULT_SIM_METERS, FULL_REGISTERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator, type OneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { createHttpClient } from "../../server/src/providers/http.js";
import { oneMeterRegisterSeries } from "../../server/src/statistics/ids.js";
import { hourlyFromRegister } from "../../server/src/statistics/onemeter.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { runOneMeterBackend, type OneMeterRun } from "../helpers/onemeter.js";
import { oneMeterPolls } from "../../server/src/sync/onemeter-source.js";

const DEVICE = DEFAULT_SIM_METERS[0]!.id;
const START = Date.parse("2026-06-01T10:07:23Z");
const MIN = 60_000;
const HOUR = 60 * MIN;

async function sim(t: TestContext, clock: ManualClock, opts: { hexKeys?: boolean; readoutEveryMs?: number } = {}): Promise<OneMeterSimulator> {
  const s = await startOneMeterSimulator({ clock, ...opts });
  t.after(() => s.close());
  return s;
}

function client(s: OneMeterSimulator, apiKey = s.apiKey) {
  const attempts: number[] = [];
  const c = new OneMeterClient({ baseUrl: s.url, apiKey, http: createHttpClient({ provider: "onemeter", retries: 0, timeoutMs: 30_000, onAttempt: () => attempts.push(1) }) });
  return { c, attempts };
}

test("client: device and readings from the simulator; 401, 404, 429 and malformed bodies are one request and one clear error", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock);
  const { c, attempts } = client(s);
  const d = await c.device(DEVICE);
  assert.equal(attempts.length, 1);
  assert.equal(d.firmware, "3.1.0");
  assert.equal(d.batteryVoltage, 3.09);
  assert.equal(d.lastReading?.at, Date.parse("2026-06-01T10:00:00Z"));
  const readings = await c.readings(DEVICE, Date.parse("2026-06-01T08:00:00Z"), d.lastReading!.at);
  assert.equal(readings.length, 9);
  assert.deepEqual(Object.keys(readings[0]!.energy).sort(), [...FULL_REGISTERS].sort());
  assert.equal(readings.at(-1)!.energy["1_8_0"], s.registersAt(DEVICE, d.lastReading!.at)!["1_8_0"]);
  assert.ok(s.requestLog.every((r) => r.status === 200));

  const expectFailure = async (what: () => Promise<unknown>, kind: string, message: RegExp) => {
    const before = s.requestLog.length;
    await assert.rejects(what, (err: unknown) => err instanceof ProviderError && err.kind === kind && message.test(err.message) && !err.message.includes(s.apiKey));
    assert.equal(s.requestLog.length - before, 1, `${kind}: one request, no retry`);
  };
  await expectFailure(() => client(s, "wrong-key").c.device(DEVICE), "auth", /API key rejected/);
  await expectFailure(() => c.device("00000000-0000-4000-8000-000000000000"), "not_found", /device not found/);
  s.setFaults({ rateLimit: { retryAfterSec: 120, count: 1 } });
  await expectFailure(() => c.device(DEVICE), "rate_limited", /limiting requests/);
  s.setFaults({ malformedBody: { count: 1, on: "readings" } });
  await expectFailure(() => c.readings(DEVICE, START - HOUR, START), "bad_response", /not JSON/);
  s.setFaults({ serverError: { status: 503, count: 1 } });
  await expectFailure(() => c.device(DEVICE), "server", /server failed/);
  assert.deepEqual(await c.readings(DEVICE, START + 10 * HOUR, START + 11 * HOUR), [], "No readings found (404) is no readings");
});

test("client: hex OBIS keys and missing registers read as the same registers", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock, { hexKeys: true });
  const { c } = client(s);
  const hex = await c.readings(DEVICE, START - HOUR, START);
  assert.ok(s.requestLog.length === 1);
  s.setHexKeys(false);
  const dec = await c.readings(DEVICE, START - HOUR, START);
  assert.deepEqual(hex, dec);
  const blink = await startOneMeterSimulator({ clock, meters: [{ ...DEFAULT_SIM_METERS[0]!, registers: ["15_8_0"] }], hexKeys: true });
  t.after(() => blink.close());
  const only = await client(blink).c.readings(DEVICE, START - HOUR, START);
  assert.deepEqual(Object.keys(only[0]!.energy), ["15_8_0"]);
});

type Run = OneMeterRun;

function backend(t: TestContext, s: OneMeterSimulator, clock: ManualClock, pollInterval: string): Run {
  const run = runOneMeterBackend(s, clock, pollInterval, DEVICE);
  t.after(() => run.stop());
  return run;
}

const devicePolls = (s: OneMeterSimulator) => s.requestLog.filter((r) => r.path === `/devices/${DEVICE}`);

/** Whole hours of the store's registers that equal the simulator's register differences (fails on the first that does not). */
function assertHoursMatch(run: Run, s: OneMeterSimulator, register: string): number {
  const rows = hourlyFromRegister(run.app.store.readings(oneMeterRegisterSeries(DEVICE, register), "hour"));
  let checked = 0;
  // The hour of the first reading is left out (partial); the last may still be running.
  assert.ok(rows.length > 0 && rows[0]!.start * 1000 >= run.app.store.readings(oneMeterRegisterSeries(DEVICE, register), "hour")[0]!.start * 1000, "no partial first hour");
  for (const r of rows.slice(0, -1)) {
    const a = s.registersAt(DEVICE, r.start * 1000)![register]!;
    const b = s.registersAt(DEVICE, (r.start + 3600) * 1000)![register]!;
    assert.ok(Math.abs(r.value - (b - a)) < 1e-6, `${register} ${new Date(r.start * 1000).toISOString()}: ${r.value} vs ${b - a}`);
    checked += 1;
  }
  return checked;
}

test("polling: on the clock's marks, never under 60 s apart, over 8 simulated hours; hours equal the register differences", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock);
  const run = backend(t, s, clock, "5m");
  await run.runUntil(START + 8 * HOUR);
  for (const register of ["1_8_0", "1_8_1", "1_8_2", "2_8_0", "5_8_0", "8_8_0"]) {
    const checked = assertHoursMatch(run, s, register);
    assert.ok(checked >= 2 * 24 + 6, `${register}: ${checked} hours checked`);
  }
  await run.stop();
  const polls = devicePolls(s);
  assert.equal(polls[0]!.at, START, "the device is read at start");
  for (const p of polls.slice(1)) assert.equal(p.at % (5 * MIN), 0, `poll at ${new Date(p.at).toISOString()} is not on a 5-minute mark`);
  for (let i = 1; i < polls.length; i += 1) assert.ok(polls[i]!.at - polls[i - 1]!.at >= MIN, "polls at least 60 s apart");
  assert.ok(polls.length >= 8 * 12 && polls.length <= 8 * 12 + 2, `${polls.length} device polls`);
  const readings = s.requestLog.filter((r) => r.path.endsWith("/readings"));
  assert.ok(readings.length <= 8 * 4 + 8 + 2, `${readings.length} readings requests`);
  assert.ok(s.requestLog.every((r) => r.status === 200), "no failed request");
});

test("1-minute polling on a minute mark right after start still waits 60 s", async (t) => {
  const clock = new ManualClock(Date.parse("2026-06-01T10:07:50Z"));
  const s = await sim(t, clock);
  const run = backend(t, s, clock, "1m");
  await run.runUntil(clock.now() + 2 * HOUR);
  await run.stop();
  const polls = devicePolls(s);
  assert.equal(polls[1]!.at, Date.parse("2026-06-01T10:09:00Z"), "10:08 is only 10 s after the first poll");
  for (let i = 1; i < polls.length; i += 1) assert.ok(polls[i]!.at - polls[i - 1]!.at >= MIN && polls[i]!.at % MIN === 0);
});

test("a reader in 1-minute mode polled every minute: one device request a minute, readings far less often, hours exact", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock, { readoutEveryMs: MIN });
  const run = backend(t, s, clock, "1m");
  await run.runUntil(START + 3 * HOUR);
  assert.ok(assertHoursMatch(run, s, "1_8_0") >= 2 * 24 + 1, "hourly statistics as exact as when every reading is fetched");
  await run.stop();
  const polls = devicePolls(s);
  assert.ok(polls.length >= 3 * 60 && polls.length <= 3 * 60 + 2, `${polls.length} device polls`);
  const readings = s.requestLog.filter((r) => r.path.endsWith("/readings"));
  // Readings are asked for only when the cloud has something newer than the store (the reader sends
  // in batches) or the hourly tail re-read is due: measured 13 in 3 hours, not one a minute.
  assert.ok(readings.length <= 1 + 3 * 5, `${readings.length} readings requests in 3 hours, not one a minute`);
});

test("a rejected key (401) and a rate limit (429) each log one clear error and back off, not a storm", async (t) => {
  for (const fault of ["unauthorized", "rateLimit"] as const) {
    const clock = new ManualClock(START);
    const s = await sim(t, clock);
    const run = backend(t, s, clock, "1m");
    await run.runUntil(START + 10 * MIN);
    const faultFrom = clock.now();
    s.setFaults(fault === "unauthorized" ? { unauthorized: {} } : { rateLimit: { retryAfterSec: 60 } });
    await run.runUntil(faultFrom + 4 * HOUR);
    const during = s.requestLog.filter((r) => r.at >= faultFrom);
    s.clearFaults();
    await run.runUntil(faultFrom + 12 * HOUR);
    await run.stop();
    assert.ok(during.length >= 1 && during.every((r) => r.status === (fault === "unauthorized" ? 401 : 429)), `${fault}: ${JSON.stringify(during.map((r) => r.status))}`);
    // 1-minute polling would have asked 240 times in 4 hours.
    assert.ok(during.length <= (fault === "unauthorized" ? 3 : 6), `${fault}: ${during.length} requests in 4 hours`);
    const errors = run.logs.lines().filter((l) => l.msg === "OneMeter poll failed; polling again later");
    assert.equal(errors.length, 1, `${fault}: ${errors.length} error lines`);
    assert.match(String(errors[0]!.err), fault === "unauthorized" ? /API key rejected/ : /limiting requests/);
    assert.ok(!run.logs.text.includes(s.apiKey), "the key never reaches the log");
    assert.ok(run.logs.lines().some((l) => l.msg === "OneMeter polls work again"), `${fault}: recovered`);
  }
});

test("an unknown device: one clear error, and the status says so", async (t) => {
  const clock = new ManualClock(START);
  const s = await startOneMeterSimulator({ clock, meters: [] });
  t.after(() => s.close());
  const run = backend(t, s, clock, "15m");
  await run.runUntil(START + 3 * HOUR);
  const state = run.app.store.allSyncStates().find((x) => x.provider === "onemeter");
  assert.match(state?.lastError ?? "", /device not found/);
  await run.stop();
  assert.ok(devicePolls(s).length <= 3, `${devicePolls(s).length} requests`);
});

async function status(run: Run): Promise<OneMeterDeviceStatus[]> {
  const api = await startAppApi(run.app, { clock: run.clock, log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: async () => ({ userId: "u", name: "U", isAdmin: false }) });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}`);
    const inbox: ServerMessage[] = [];
    ws.on("message", (d) => inbox.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "auth", access_token: "t" }));
    ws.send(JSON.stringify({ id: 1, type: "status" }));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = inbox.find((x) => x.type === "result");
      if (m && m.type === "result" && m.success) {
        ws.close();
        return (m.result as { onemeter?: OneMeterDeviceStatus[] }).onemeter ?? [];
      }
      if (Date.now() > deadline) throw new Error(JSON.stringify(inbox));
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await api.close();
  }
}

test("status shows the device's battery, firmware, errors and monthly usage as the simulator reports them", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock);
  const run = backend(t, s, clock, "15m");
  await run.runUntil(START + 20 * MIN);
  let [d] = await status(run);
  assert.equal(d!.device_id, DEVICE);
  assert.equal(d!.battery_voltage, 3.09);
  assert.equal(d!.battery_percent, 87);
  assert.equal(d!.firmware, "3.1.0");
  assert.equal(d!.meter_errors, "0");
  assert.equal(d!.status, "ok");
  assert.equal(d!.serial, "OM-4711");
  assert.equal(d!.meter_serial, "OM-4711");
  assert.equal(d!.tariff, "G12");
  assert.equal(d!.last_reading, "2026-06-01T10:15:00.000Z");
  assert.equal(d!.next_poll, "2026-06-01T10:30:00.000Z");
  assert.ok(d!.usage_this_month_kwh !== null && d!.usage_this_month_kwh > 0);
  assert.ok(d!.usage_previous_month_kwh !== null && d!.usage_previous_month_kwh > 100, String(d!.usage_previous_month_kwh));
  s.setDiagnostics(DEVICE, { firmware: "3.2.1", batteryVoltage: 2.71, batteryPercent: 12, meterErrors: "4" });
  await run.runUntil(START + 40 * MIN);
  [d] = await status(run);
  assert.deepEqual([d!.firmware, d!.battery_voltage, d!.battery_percent, d!.meter_errors, d!.status], ["3.2.1", 2.71, 12, "4", "meter_error"]);
  await run.stop();
});

test("sync --once backfills backfill_days on the first poll, and backfill --from reaches further back with progress", async (t) => {
  const clock = new ManualClock(START);
  const s = await sim(t, clock);
  const config = parseConfig(
    {
      home_assistant: { token: "unused-token" },
      store: { path: join(mkdtempSync(join(tmpdir(), "ei-onemeter-")), "cache.db") },
      power: { enabled: false },
      onemeter: { base_url: s.url, api_key: s.apiKey, devices: [DEVICE], backfill_days: 2 },
    },
    {},
  );
  const app = createApp(config, { clock, log: createLogger({ level: "silent" }), connectHa: false, http: { timeoutMs: 30_000 } });
  t.after(() => app.close());
  let summary = await app.service.syncOnce();
  assert.equal(summary.ok, true, summary.errors.join("; "));
  assert.equal(oneMeterPolls(summary.fetched)[0]?.requests, 2, "the device, then one window of readings");
  const first = app.store.readings(oneMeterRegisterSeries(DEVICE, "1_8_0"), "hour")[0]!;
  assert.equal(first.start * 1000, Date.parse("2026-05-30T10:15:00Z"));

  const progress: [number, number, string][] = [];
  clock.advance(HOUR);
  summary = await app.service.syncOnce({ backfillFrom: "2026-05-15", onRequest: (done, planned, what) => progress.push([done, planned, what]) });
  assert.equal(summary.ok, true, summary.errors.join("; "));
  assert.equal(app.store.readings(oneMeterRegisterSeries(DEVICE, "1_8_0"), "hour")[0]!.start * 1000, Date.parse("2026-05-15T00:00:00Z"));
  assert.ok(progress.length >= 3, JSON.stringify(progress));
  assert.deepEqual(progress.map((p) => p[0]), progress.map((_, i) => i));
  assert.ok(progress.every((p) => p[1] === progress.length && p[2].includes(DEVICE)));
  // Nothing more to backfill: the next backfill asks only for what is new.
  progress.length = 0;
  clock.advance(HOUR);
  await app.service.syncOnce({ backfillFrom: "2026-05-15", onRequest: (done, planned, what) => progress.push([done, planned, what]) });
  assert.equal(progress.length, 1);
});
