import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { parseConfig } from "../../server/src/config/index.js";
import { PowerCollector, timedLevels } from "../../server/src/sync/power-collector.js";
import { recordedUntil } from "../../server/src/store/state.js";
import type { Connection } from "../../server/src/ha/connection.js";
import { discoverPower, isTracked, readingInWatts, wattsPerUnit } from "../../server/src/ha/discovery.js";
import { historyPieces, timedStates, type CompressedState } from "../../server/src/ha/history.js";
import { openStore, type Store } from "../../server/src/store/store.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { entity, FakeHa } from "../helpers/fake-ha.js";

const T0 = Date.UTC(2026, 3, 10, 0, 0, 0);
const S = 1000;
const MIN = 60 * S;

const power = (entityId: string, state: string, unit = "W", name?: string) =>
  entity(entityId, state, { device_class: "power", unit_of_measurement: unit, ...(name ? { friendly_name: name } : {}) });

// ---- discovery ----------------------------------------------------------------------------------


/** Collectors started by a test, stopped after it even when an assertion failed (a running one keeps the run alive). */
const started: PowerCollector[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});
function track(collector: PowerCollector): PowerCollector {
  started.push(collector);
  return collector;
}

test("discovery: W and kW normalised to W, other units refused", () => {
  assert.equal(wattsPerUnit("W"), 1);
  assert.equal(wattsPerUnit("kW"), 1000);
  assert.equal(wattsPerUnit(" kw "), 1000);
  assert.equal(wattsPerUnit("kWh"), null);
  assert.equal(wattsPerUnit(undefined), null);
  assert.equal(readingInWatts("1.25", 1000), 1250);
  assert.equal(readingInWatts("unavailable", 1), null);
  assert.equal(readingInWatts("", 1), null);
});

test("discovery: the whole-home sensor by name, circuits apart, kW sensors, tracked domains, daily energy noted", () => {
  const states = [
    power("sensor.kettle_plug_power", "2000"),
    power("sensor.power_meter", "0.9", "kW"),
    power("sensor.home_power", "1.2", "kW", "Home power"),
    power("sensor.kitchen_circuit_power", "300"),
    power("sensor.odd_unit_power", "5", "VA"),
    entity("sensor.energy_today", "3.2", { device_class: "energy", unit_of_measurement: "kWh", friendly_name: "Energy today" }),
    entity("switch.heater", "off"),
    entity("light.lamp", "on"),
    entity("climate.heat_pump", "heat"),
    entity("binary_sensor.door", "off"),
    entity("input_boolean.pump", "off"),
  ];
  const d = discoverPower(states);
  assert.equal(d.wholeHome?.entityId, "sensor.home_power");
  assert.equal(d.wholeHome?.toWatts, 1000);
  assert.equal(d.wholeHome?.name, "Home power");
  assert.deepEqual(d.circuits.map((c) => c.entityId), ["sensor.kitchen_circuit_power"]);
  assert.deepEqual(d.otherPowerSensors.map((c) => c.entityId), ["sensor.kettle_plug_power", "sensor.power_meter"], "a VA sensor is not a power sensor in W");
  assert.deepEqual(d.dailyEnergySensors.map((c) => c.entityId), ["sensor.energy_today"]);
  assert.deepEqual(d.tracked, ["climate.heat_pump", "light.lamp", "switch.heater"]);
  assert.deepEqual(d.problems, []);

  // Without a whole-home name, sensor.power_* is the next best; a smart plug is never guessed.
  assert.equal(discoverPower(states.filter((s) => s.entity_id !== "sensor.home_power")).wholeHome?.entityId, "sensor.power_meter");
  assert.equal(discoverPower([power("sensor.kettle_plug_power", "2000")]).wholeHome, null);
  // Among equal names, the larger reading is the whole home.
  assert.equal(discoverPower([power("sensor.house_total", "300"), power("sensor.home_total", "2.5", "kW")]).wholeHome?.entityId, "sensor.home_total");
});

test("discovery: overrides win, and what cannot be used is reported", () => {
  const states = [power("sensor.home_power", "1200"), power("sensor.mains", "1.3", "kW"), power("sensor.oven", "2000"), entity("sensor.bad", "3", { unit_of_measurement: "A" }), entity("input_boolean.pump", "off")];
  const d = discoverPower(states, { wholeHomeSensor: "sensor.mains", circuitSensors: ["sensor.oven", "sensor.bad", "sensor.gone"], entities: ["input_boolean.pump", "fan_group.missing"] });
  assert.equal(d.wholeHome?.entityId, "sensor.mains");
  assert.equal(d.wholeHome?.source, "config");
  assert.equal(d.wholeHome?.toWatts, 1000);
  assert.deepEqual(d.circuits.map((c) => c.entityId), ["sensor.oven"]);
  assert.deepEqual(d.tracked, ["fan_group.missing", "input_boolean.pump"]);
  assert.equal(d.problems.length, 3, d.problems.join("; "));
  assert.match(d.problems.join("\n"), /sensor\.bad has unit "A", expected W or kW/);
  assert.match(d.problems.join("\n"), /sensor\.gone does not exist/);
  assert.ok(isTracked("input_boolean.pump", { entities: ["input_boolean.pump"] }));
  assert.ok(isTracked("media_player.tv"));
  assert.ok(!isTracked("sensor.home_power"));
});

test("history: compressed rows become timed states; periods are cut into pieces", () => {
  const rows: CompressedState[] = [{ s: "on", lu: 20.5 }, { s: "off", lu: 10, lc: 9.25 }];
  assert.deepEqual(timedStates(rows), [
    { t: 9250, state: "off" },
    { t: 20500, state: "on" },
  ]);
  assert.deepEqual(historyPieces(0, 10, 4), [
    { from: 0, to: 4 },
    { from: 4, to: 8 },
    { from: 8, to: 10 },
  ]);
});

test("history with attributes: a change of state at its last-changed time, a change of brightness alone at its last-updated time", () => {
  const rows: CompressedState[] = [
    { s: "on", lu: 30, lc: 10, a: { brightness: 64 } },
    { s: "on", lu: 10, lc: 10, a: { brightness: 255 } },
    { s: "off", lu: 50, lc: 49, a: {} },
  ];
  assert.deepEqual(timedLevels("light.desk", rows), [
    { t: 10_000, state: "on", level: "brightness 100 %" },
    { t: 30_000, state: "on", level: "brightness 30 %" },
    { t: 49_000, state: "off", level: null },
  ]);
  assert.deepEqual(timedLevels("switch.kettle", [{ s: "on", lu: 5, a: { brightness: 10 } }]), [{ t: 5000, state: "on", level: null }], "a switch has no level");
});

test("collector: a light's brightness, from history and live, makes events with levels; a change of brightness alone is an event", async () => {
  const clock = new ManualClock(T0 + 3600 * S);
  const ha = new FakeHa();
  ha.set("sensor.home_power", T0 - 3600 * S, "300", { device_class: "power", unit_of_measurement: "W" });
  ha.set("light.desk", T0 - 3600 * S, "off", {});
  ha.set("light.desk", T0 + 10 * MIN, "on", { brightness: 255 });
  ha.set("light.desk", T0 + 20 * MIN, "on", { brightness: 128 });
  ha.set("light.desk", T0 + 30 * MIN, "off", {});
  const dir = mkdtempSync(join(tmpdir(), "ei-collector-"));
  const store = openStore(join(dir, "cache.db")).store;
  try {
    const config = parseConfig({ home_assistant: { token: "t" }, power: { history_days: 1 } }, {});
    const collector = track(new PowerCollector({ ha: () => Promise.resolve(ha as unknown as Connection), store, clock, log: quietLog(), power: config.power }));
    await collector.start();
    const fromHistory = store.stateEvents().map((e) => ({ t: e.t, from: e.from, to: e.to, fromLevel: e.fromLevel, toLevel: e.toLevel }));
    assert.deepEqual(fromHistory, [
      { t: T0 + 10 * MIN, from: "off", to: "on", fromLevel: null, toLevel: "brightness 100 %" },
      { t: T0 + 20 * MIN, from: "on", to: "on", fromLevel: "brightness 100 %", toLevel: "brightness 50 %" },
      { t: T0 + 30 * MIN, from: "on", to: "off", fromLevel: "brightness 50 %", toLevel: null },
    ]);
    ha.emit("light.desk", clock.now() + MIN, "on", { brightness: 26 });
    ha.emit("light.desk", clock.now() + 2 * MIN, "on", { brightness: 26 });
    collector.flush();
    const live = store.stateEvents(clock.now());
    assert.equal(live.length, 1, "the same state and level again is no event");
    assert.equal(live[0]!.toLevel, "brightness 10 %");
    collector.stop();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the collector with a fake connection ------------------------------------------------------

const HEATER_W = 1500;
const LAMP_W = 60;
const BASE_W = 300;

/** A 5 s power sensor in kW over [from, to) with a little noise, and the switches' states; loads follow a 1 s relay delay. */
function drive(ha: FakeHa, from: number, to: number, runs: { entityId: string; w: number; on: number; off: number }[], live: boolean): void {
  const events = runs.flatMap((r) => [
    { t: r.on, entityId: r.entityId, state: "on" },
    { t: r.off, entityId: r.entityId, state: "off" },
  ]);
  let noise = 0;
  for (let t = from; t < to; t += 5 * S) {
    for (const e of events.filter((x) => x.t >= t - 5 * S && x.t < t)) (live ? ha.emit.bind(ha) : ha.set.bind(ha))(e.entityId, e.t, e.state);
    noise = (noise * 7 + 3) % 11;
    const w = BASE_W + (noise - 5) * 0.4 + runs.filter((r) => t >= r.on + S && t < r.off + S).reduce((sum, r) => sum + r.w, 0);
    (live ? ha.emit.bind(ha) : ha.set.bind(ha))("sensor.home_power", t, (w / 1000).toFixed(4));
  }
}

function cycles(entityId: string, w: number, first: number, count: number, everyMs: number, onMs: number) {
  return Array.from({ length: count }, (_, i) => ({ entityId, w, on: first + i * everyMs, off: first + i * everyMs + onMs }));
}

function quietLog() {
  return pino({ level: "silent" });
}

test("collector: learns from HA's history on first start, records live changes, resumes after a restart and reads the gap after a reconnect", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ei-collector-"));
  const path = join(dir, "cache.db");
  let store: Store | undefined;
  try {
    const clock = new ManualClock(T0 + 2 * 3600 * S);
    const ha = new FakeHa();
    ha.set("sensor.home_power", T0 - 3600 * S, "0.3", { device_class: "power", unit_of_measurement: "kW", friendly_name: "Home power" });
    ha.set("switch.heater", T0 - 3600 * S, "off", { friendly_name: "Heater" });
    ha.set("light.lamp", T0 - 3600 * S, "off", { friendly_name: "Lamp" });
    // Two hours of history: the heater runs 4 min every 10 min.
    drive(ha, T0, clock.now(), cycles("switch.heater", HEATER_W, T0 + 5 * MIN, 11, 10 * MIN, 4 * MIN), false);

    const config = parseConfig({ home_assistant: { token: "t" }, power: { history_days: 1 } }, {});
    store = openStore(path).store;
    const collector = track(new PowerCollector({ ha: () => Promise.resolve(ha as unknown as Connection), store, clock, log: quietLog(), power: config.power }));
    await collector.start();
    assert.equal(ha.historyRequests.length, 8, "one day of history in 6-hour pieces, each read without attributes and, for the light, with");
    assert.deepEqual(ha.historyRequests[0], { ...ha.historyRequests[0]!, ids: ["sensor.home_power", "switch.heater"], attributes: false });
    assert.deepEqual(ha.historyRequests[1], { ...ha.historyRequests[1]!, ids: ["light.lamp"], attributes: true }, "only the light's attributes are read");
    const heater = collector.engine.profiles().find((p) => p.entityId === "switch.heater" && p.state === "on");
    assert.ok(heater?.powerW, "the heater is learned from history");
    assert.ok(Math.abs(heater.powerW - HEATER_W) / HEATER_W < 0.05, `heater ${heater.powerW} W`);
    assert.equal(store.stateEvents().length, 22, "every history change stored once");
    assert.ok(store.powerSamples("sensor.home_power").every((s) => s.w > 250 && s.w < 2000), "stored in W");
    assert.equal(collector.status().wholeHome?.entityId, "sensor.home_power");

    // Live: the lamp goes on and off every 2 minutes for half an hour.
    const liveFrom = clock.now();
    const lamp = cycles("light.lamp", LAMP_W, liveFrom + MIN, 8, 4 * MIN, 2 * MIN);
    for (let t = liveFrom; t < liveFrom + 40 * MIN; t += MIN) {
      drive(ha, t, t + MIN, lamp, true);
      clock.set(t + MIN);
      collector.flush();
    }
    const learned = collector.engine.profiles().find((p) => p.entityId === "light.lamp" && p.state === "on");
    assert.ok(learned?.powerW, "the lamp is learned live");
    assert.ok(Math.abs(learned.powerW - LAMP_W) / LAMP_W < 0.05, `lamp ${learned.powerW} W`);
    assert.equal(store.stateEvents(liveFrom).length, 16);
    assert.equal(recordedUntil(store), clock.now() - 3000);

    // Restart: a new collector on the same file resumes from the store and reads only the gap.
    collector.stop();
    store.close();
    store = openStore(path).store;
    clock.advance(10 * MIN);
    ha.historyRequests.length = 0;
    const again = track(new PowerCollector({ ha: () => Promise.resolve(ha as unknown as Connection), store, clock, log: quietLog(), power: config.power }));
    await again.start();
    assert.equal(ha.historyRequests.length, 2, "the gap, read without attributes and for the light with them");
    assert.ok(ha.historyRequests.every((r) => r.start === liveFrom + 40 * MIN - 3000), "history from where the data was complete");
    const relearned = again.engine.profiles().find((p) => p.entityId === "light.lamp" && p.state === "on");
    assert.ok(relearned?.powerW && Math.abs(relearned.powerW - LAMP_W) / LAMP_W < 0.05, "the lamp is known again after the restart");

    // A reconnect (HA restarted): the gap is read from HA's history; nothing is stored twice.
    const events = store.stateEvents().length;
    ha.connected = false;
    ha.set("switch.heater", clock.now() + MIN, "on");
    ha.set("switch.heater", clock.now() + 5 * MIN, "off");
    clock.advance(10 * MIN);
    ha.connected = true;
    ha.reconnect();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(store.stateEvents().length, events + 2, "the heater's run during the gap was read from history");
    again.flush();
    assert.equal(store.stateEvents().length, events + 2);
    again.stop();
  } finally {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("collector: unavailable states are neither events nor readings, and a new entity's first state is only its baseline", async () => {
  const clock = new ManualClock(T0);
  const ha = new FakeHa();
  ha.set("sensor.home_power", T0 - MIN, "300", { device_class: "power", unit_of_measurement: "W" });
  ha.set("switch.tv", T0 - MIN, "off");
  const { store } = openStore(":memory:");
  try {
    const config = parseConfig({ home_assistant: { token: "t" }, power: { history_days: 0 } }, {});
    const collector = track(new PowerCollector({ ha: () => Promise.resolve(ha as unknown as Connection), store, clock, log: quietLog(), power: config.power }));
    await collector.start();
    assert.equal(ha.historyRequests.length, 0, "history_days 0 reads no history");
    ha.emit("switch.tv", T0 + 10 * S, "on");
    ha.emit("switch.tv", T0 + 20 * S, "unavailable");
    ha.emit("switch.tv", T0 + 30 * S, "on");
    ha.emit("switch.tv", T0 + 40 * S, "off");
    ha.emit("sensor.home_power", T0 + 41 * S, "unavailable");
    ha.emit("light.new", T0 + 50 * S, "on");
    ha.emit("light.new", T0 + 60 * S, "off");
    clock.advance(MIN);
    collector.flush();
    assert.deepEqual(
      store.stateEvents().map((e) => `${e.entityId} ${e.from}>${e.to}`),
      ["switch.tv off>on", "switch.tv on>off", "light.new on>off"],
    );
    assert.deepEqual(store.powerSamples("sensor.home_power").map((s) => s.w), [300]);
    collector.stop();
  } finally {
    store.close();
  }
});
