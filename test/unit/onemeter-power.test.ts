/**
 * OneMeter's live power as the correlation engine's whole-home power: the pure parts (which
 * register, which source), and the wired app (simulator → poll → collector → engine → status) on a
 * simulated household whose true power the simulated reader reports once a minute.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import WebSocket from "ws";
import { createApp, type App } from "../../server/src/app.js";
import { parseReadings } from "../../server/src/providers/onemeter/parse.js";
import { startAppApi } from "../../server/src/api/app-api.js";
import type { StatusResult } from "../../server/src/api/protocol.js";
import { parseConfig } from "../../server/src/config/index.js";
import { chooseWholeHome, PushedPowerSource } from "../../server/src/sync/power-source.js";
import type { PowerSensor } from "../../server/src/ha/discovery.js";
import { TRACKED_DEVICES } from "../../server/src/simulate/household/devices.js";
import { simulateHousehold } from "../../server/src/simulate/household/household.js";
import { TraceCursor } from "../../server/src/simulate/household/trace.js";
import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { oneMeterPowerW } from "../../server/src/sync/onemeter-job.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { asConnection, FakeHa } from "../helpers/fake-ha.js";
import { oneMeterPolls } from "../../server/src/sync/onemeter-source.js";

const MIN = 60_000;
const DEVICE = DEFAULT_SIM_METERS[0]!.id;
const SOURCE = `onemeter:${DEVICE}`;

test("live power: 16.7.0 where the meter has it, else 1.7.0 − 2.7.0; kW to W with the multiplier", () => {
  // Through the provider's parser, which reads the power registers into the snapshot.
  const power = (registers: Record<string, number | string>, multiplier: number) => oneMeterPowerW(parseReadings({ readings: [{ date: "2026-06-01T00:00:00Z", ...registers }] })[0]!, multiplier);
  assert.equal(power({ "16_7_0": 0.41, "1_7_0": 9 }, 1), 410);
  assert.equal(power({ "16_7_0": "1.25" }, 2), 2500);
  assert.equal(power({ "1_7_0": 0.3, "2_7_0": 1.1 }, 1), -800, "exporting: negative");
  assert.equal(power({ "1_7_0": 0.3 }, 30), 9000);
  assert.equal(power({ "1_8_0": 12345.67 }, 1), null);
});

test("whole-home choice: auto prefers HA's sensor, else the first external source; an explicit choice wins; an unknown one is a problem", () => {
  const sensor: PowerSensor = { entityId: "sensor.home_power", name: "Home power", unit: "W", toWatts: 1, source: "discovered" };
  const a = new PushedPowerSource("onemeter:a", "OneMeter a");
  const b = new PushedPowerSource("onemeter:b", "OneMeter b");
  assert.equal(chooseWholeHome("auto", sensor, [a, b]).kind, "home_assistant");
  const fallback = chooseWholeHome("auto", null, [a, b]);
  assert.equal(fallback.kind === "external" && fallback.id, "onemeter:a");
  const explicit = chooseWholeHome("onemeter:b", sensor, [a, b]);
  assert.equal(explicit.kind === "external" && explicit.id, "onemeter:b");
  assert.deepEqual(chooseWholeHome("home_assistant", null, [a]), { kind: "none", problem: null });
  const unknown = chooseWholeHome("onemeter:c", sensor, [a]);
  assert.equal(unknown.kind, "none");
  assert.match(unknown.kind === "none" ? (unknown.problem ?? "") : "", /onemeter:c is not a configured source \(configured: onemeter:a\)/);
  assert.deepEqual(chooseWholeHome("auto", null, []), { kind: "none", problem: null });

  const got: number[] = [];
  const stop = a.subscribe((samples) => got.push(...samples.map((s) => s.w)));
  a.push([{ t: 1, w: 5 }]);
  stop();
  a.push([{ t: 2, w: 6 }]);
  assert.deepEqual(got, [5], "nothing after unsubscribing");
});

/** `status` over the backend API, as the card asks for it. */
async function apiStatus(app: App, clock: ManualClock): Promise<StatusResult> {
  const api = await startAppApi(app, { clock, log: { debug() {}, info() {}, warn() {}, error() {} }, validateToken: () => Promise.resolve({ userId: "u", name: "User", isAdmin: false }) });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}`);
    const messages: Record<string, unknown>[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "auth", access_token: "t" }));
    ws.send(JSON.stringify({ id: 1, type: "status" }));
    const deadline = Date.now() + 30_000;
    while (!messages.some((m) => m.id === 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const answer = messages.find((m) => m.id === 1) as { success: boolean; result: StatusResult } | undefined;
    assert.ok(answer?.success, JSON.stringify(messages));
    return answer.result;
  } finally {
    await api.close();
  }
}

test("live power: with no HA power sensor, a OneMeter reader's minute readings are the whole-home power; devices are learned from them, also after a restart", async (t) => {
  // One day of a household with a heater, a dehumidifier and a porch light running often, and the untracked loads around them.
  const devices = TRACKED_DEVICES.filter((d) => ["switch.heater", "switch.dehumidifier", "light.porch"].includes(d.entityId)).map((d) => ({
    ...d,
    schedule: { ...d.schedule, runsPerDay: 8 } as typeof d.schedule,
  }));
  const start = Date.UTC(2026, 3, 6);
  const house = simulateHousehold({ seed: 2, days: 1, start, devices });
  const clock = new ManualClock(start);
  const truth = new TraceCursor(house.trace);
  // The reader in its 1-minute mode, delivering each minute; 16.7.0 is the household's power (0.01 kW resolution).
  const sim = await startOneMeterSimulator({
    clock,
    meters: [{ ...DEFAULT_SIM_METERS[0]!, registers: ["15_8_0"] }],
    readoutEveryMs: MIN,
    deliveryEveryMs: MIN,
    powerKw: (_, at) => truth.powerAt(at) / 1000,
  });
  const dir = mkdtempSync(join(tmpdir(), "ei-om-power-"));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = parseConfig(
    {
      home_assistant: { token: "t" },
      store: { path: join(dir, "cache.db") },
      onemeter: { base_url: sim.url, api_key: sim.apiKey, devices: [DEVICE], poll_interval: "1m", backfill_days: 0 },
      power: { history_days: 0, device_statistics: false },
    },
    {},
  );
  const ha = new FakeHa();
  for (const d of devices) ha.set(d.entityId, start - MIN, "off");
  const log = pino({ level: "silent" });

  let app = createApp(config, { clock, log, connect: asConnection(ha), http: { timeoutMs: 30_000 } });
  try {
    await app.collector!.start();
    assert.deepEqual(app.collector!.status().wholeHomeSource, { kind: "external", id: SOURCE, name: `OneMeter ${DEVICE}` }, "HA has no power sensor: the reader is the whole-home power");
    const events = [...house.events].sort((a, b) => a.t - b.t);
    let next = 0;
    for (let now = start + MIN; now <= house.end; now += MIN) {
      for (; next < events.length && events[next]!.t <= now; next += 1) {
        const e = events[next]!;
        clock.set(e.t);
        ha.emit(e.entityId, e.t, e.to);
      }
      clock.set(now);
      const summary = await app.service.syncOnce();
      assert.equal(oneMeterPolls(summary.fetched)[0]?.ok, true, oneMeterPolls(summary.fetched)[0]?.error);
      app.collector!.flush();
    }

    const samples = app.store.powerSamples(SOURCE);
    assert.ok(samples.length >= 1438, `${samples.length} readings stored`);
    const check = new TraceCursor(house.trace);
    for (const s of samples) {
      assert.equal(s.t % MIN, 0, "stamped with the reading's time");
      assert.ok(Math.abs(s.w - check.powerAt(s.t)) <= 5.01, `${s.w} W at ${new Date(s.t).toISOString()} is not the household's ${check.powerAt(s.t)} W`);
    }
    const sensor = app.collector!.engine.sensor();
    assert.equal(sensor?.kind, "periodic");
    assert.equal(sensor?.intervalS, 60);

    const learned = (engineApp: App, entityId: string) => engineApp.collector!.engine.profiles().find((p) => p.entityId === entityId && p.state === "on")?.powerW ?? null;
    // Within 5 %, plus half of 16.7.0's resolution (0.01 kW) for the small light.
    for (const entityId of ["switch.heater", "switch.dehumidifier", "light.porch"]) {
      const want = house.truth.find((x) => x.entityId === entityId)!.powerW;
      const got = learned(app, entityId);
      assert.ok(got !== null && Math.abs(got - want) <= 0.05 * want + 5, `${entityId}: learned ${got} W, true ${want.toFixed(1)} W`);
    }

    const status = await apiStatus(app, clock);
    assert.deepEqual(status.correlation.whole_home_source, { kind: "external", id: SOURCE, name: `OneMeter ${DEVICE}` });
    assert.equal(status.correlation.whole_home_sensor, null);
    assert.ok(status.correlation.devices >= 3);
    assert.equal(status.onemeter?.[0]?.power_kw, Math.round(check.powerAt(house.end) / 10) / 100, "status shows the last reading's power");

    // A restart: the engine is rebuilt from the stored readings and knows the heater again at once.
    app.close();
    app = createApp(config, { clock, log, connect: asConnection(ha) });
    await app.collector!.start();
    const heater = learned(app, "switch.heater");
    assert.ok(heater !== null && Math.abs(heater - 1500) / 1500 <= 0.05, `heater after restart ${heater} W`);
  } finally {
    app.close();
  }
});

test("live power: an HA whole-home sensor wins under auto; power.whole_home: onemeter:<device> makes the reader the source anyway", async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 3, 6, 12, 0));
  const sim = await startOneMeterSimulator({ clock, readoutEveryMs: MIN, deliveryEveryMs: MIN, powerKw: () => 0.75 });
  const dir = mkdtempSync(join(tmpdir(), "ei-om-power-"));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ha = new FakeHa();
  ha.set("sensor.home_power", clock.now() - MIN, "300", { device_class: "power", unit_of_measurement: "W", friendly_name: "Home power" });
  const log = pino({ level: "silent" });
  const configFor = (wholeHome: string, path: string) =>
    parseConfig(
      {
        home_assistant: { token: "t" },
        store: { path: join(dir, path) },
        onemeter: { base_url: sim.url, api_key: sim.apiKey, devices: [DEVICE], poll_interval: "1m", backfill_days: 0 },
        power: { history_days: 0, device_statistics: false, whole_home: wholeHome },
      },
      {},
    );

  const auto = createApp(configFor("auto", "a.db"), { clock, log, connect: asConnection(ha) });
  try {
    await auto.collector!.start();
    assert.equal(auto.collector!.status().wholeHomeSource?.id, "sensor.home_power");
    await auto.service.syncOnce();
    auto.collector!.flush();
    assert.deepEqual(auto.store.powerSamples(SOURCE).map((s) => s.w), [750], "the reader's power is recorded even when not learned from");
  } finally {
    auto.close();
  }

  const chosen = createApp(configFor(SOURCE, "b.db"), { clock, log, connect: asConnection(ha) });
  try {
    await chosen.collector!.start();
    assert.deepEqual(chosen.collector!.status().wholeHomeSource, { kind: "external", id: SOURCE, name: `OneMeter ${DEVICE}` });
    const status = await apiStatus(chosen, clock);
    assert.equal(status.correlation.whole_home_source?.id, SOURCE);
    assert.equal(status.correlation.whole_home_sensor, null);
    assert.deepEqual(status.correlation.problems, [], "a reader read every minute is fine");
  } finally {
    chosen.close();
  }

  // A reader in its 15-minute mode: status says that few devices can be learned, and what to change.
  const slow = createApp(configFor(SOURCE, "c.db"), { clock, log, connect: asConnection(ha), collector: { engine: { sensor: { kind: "periodic", intervalS: 900, noiseW: 5 } } } });
  try {
    await slow.collector!.start();
    const status = await apiStatus(slow, clock);
    assert.match(status.correlation.problems.join("\n"), new RegExp(`whole-home power from ${SOURCE} comes every 15 min: .*onemeter.poll_interval: 1m`));
  } finally {
    slow.close();
  }
});
