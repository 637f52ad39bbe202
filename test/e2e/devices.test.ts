// Device energy against a real Home Assistant (a plumbing check, kept short): power and device
// states go through HA's own state machine (REST POST /api/states), the backend's collector records
// them live over the websocket, learns both devices, and imports their energy statistics.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import { deviceStatistic } from "../../server/src/statistics/devices.js";
import { collectSecrets, createLogger } from "../../server/src/log.js";
import { systemClock } from "../../server/src/time/clock.js";
import { LogCapture } from "../helpers/backend.js";
import { connectWebSocket, HA_VERSIONS, startHomeAssistant } from "../../dev/harness/ha.js";

const BASE_W = 300;
const DEVICES = [
  { entityId: "switch.e2e_heater", name: "Heater", w: 1200 },
  { entityId: "switch.e2e_lamp", name: "Lamp", w: 150 },
] as const;
/**
 * Two on/off cycles of each device, 13 s apart (the on-change windows need 5 s of support between
 * an entity's own events), the devices 36 s apart (another entity's event inside an event's windows
 * makes it ambiguous). The load follows the switch 1 s later, like a relay.
 */
const SWITCHES: { at: number; entityId: string; state: "on" | "off" }[] = [
  ...[10, 23, 36, 49].map((at, i) => ({ at, entityId: DEVICES[0].entityId, state: i % 2 === 0 ? ("on" as const) : ("off" as const) })),
  ...[85, 98, 111, 124].map((at, i) => ({ at, entityId: DEVICES[1].entityId, state: i % 2 === 0 ? ("on" as const) : ("off" as const) })),
];
const RELAY_S = 1;
/** The sensor reports every 2 s (with ±2 W of noise) and at once when the load steps. */
const SENSOR_EVERY_S = 2;
const END_S = 124 + 36;
/** What the engine is told about that sensor; only lag 0, since nothing here starts slowly. */
const ENGINE = { sensor: { kind: "on-change" as const, intervalS: SENSOR_EVERY_S, noiseW: 2 }, lagsS: [0] };

function powerAt(s: number): number {
  let w = BASE_W;
  for (const d of DEVICES) {
    const last = SWITCHES.filter((e) => e.entityId === d.entityId && e.at + RELAY_S <= s).at(-1);
    if (last?.state === "on") w += d.w;
  }
  return w;
}

/** Sensor posts and switch posts, in time order (seconds from the start). */
function schedule(): { at: number; entityId: string; state: string }[] {
  const out: { at: number; entityId: string; state: string }[] = SWITCHES.map((e) => ({ ...e }));
  let noise = 0;
  const reading = (at: number) => {
    noise = (noise * 7 + 3) % 11;
    return { at, entityId: "sensor.home_power", state: (powerAt(at) + (noise - 5) * 0.4).toFixed(1) };
  };
  for (let at = 0; at <= END_S; at += SENSOR_EVERY_S) out.push(reading(at));
  for (const e of SWITCHES) out.push(reading(e.at + RELAY_S));
  return out.sort((a, b) => a.at - b.at);
}

interface StatRow {
  start: number;
  sum?: number | null;
  state?: number | null;
}

// Both versions at once: each test mostly waits for its real-time schedule (~3 minutes), and the two
// share nothing (own Home Assistant, own store).
describe("device energy learned live", { concurrency: true }, () => {
  for (const version of HA_VERSIONS) {
    test(`device energy learned live from Home Assistant ${version}`, { timeout: 600_000 }, async () => {
      const haStart = Date.now();
      const ha = await startHomeAssistant(version);
      const haStartS = (Date.now() - haStart) / 1000;
      const dir = mkdtempSync(join(tmpdir(), "ei-devices-"));
      let app: App | undefined;
      const logs = new LogCapture();
      const started = Date.now();
      try {
        const post = async (entityId: string, state: string, attributes: Record<string, unknown> = {}) => {
          const res = await fetch(`${ha.url}/api/states/${entityId}`, {
            method: "POST",
            headers: { Authorization: `Bearer ${ha.token}`, "Content-Type": "application/json" },
            body: JSON.stringify({ state, attributes }),
          });
          assert.ok(res.ok, `POST /api/states/${entityId}: ${res.status}`);
        };
        const attributes: Record<string, Record<string, unknown>> = {
          "sensor.home_power": { device_class: "power", unit_of_measurement: "W", state_class: "measurement", friendly_name: "Home power" },
          ...Object.fromEntries(DEVICES.map((d) => [d.entityId, { friendly_name: d.name }])),
        };
        await post("sensor.home_power", String(BASE_W), attributes["sensor.home_power"]);
        for (const d of DEVICES) await post(d.entityId, "off", attributes[d.entityId]);

        const config = parseConfig(
          {
            home_assistant: { url: ha.url, token: ha.token },
            store: { path: join(dir, "cache.db") },
            log: { level: "debug" },
            // One day of history: reads the states just posted through history/history_during_period.
            power: { history_days: 1, add_devices_to_energy_prefs: true },
          },
          {},
        );
        const log = createLogger({ level: "debug", secrets: collectSecrets(config), destination: logs });
        app = createApp(config, { clock: systemClock, log, collector: { engine: ENGINE, flushEveryMs: 1000 } });
        const collector = app.collector;
        assert.ok(collector, "the collector is on by default");
        await collector.start();
        assert.equal(collector.status().wholeHome?.entityId, "sensor.home_power");

        const t0 = Date.now();
        for (const step of schedule()) {
          const wait = t0 + step.at * 1000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await post(step.entityId, step.state, attributes[step.entityId]);
        }

        // Learned within the targets: median power error ≤ 5 % (and each device within 5 % here).
        const deadline = Date.now() + 30_000;
        const learned = () => collector.engine.profiles().filter((p) => p.state === "on" && p.powerW !== null);
        while (learned().length < DEVICES.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
        const profiles = learned();
        const errors = DEVICES.map((d) => {
          const p = profiles.find((x) => x.entityId === d.entityId);
          assert.ok(p?.powerW, `${d.entityId} learned (steps: ${JSON.stringify(collector.engine.steps({ entityId: d.entityId }))})`);
          assert.ok(p.events >= 3, `${d.entityId}: ${p.events} events learned from`);
          return Math.abs(p.powerW - d.w) / d.w;
        });
        const median = [...errors].sort((a, b) => a - b)[Math.floor(errors.length / 2)]!;
        assert.ok(Math.max(...errors) <= 0.05 && median <= 0.05, `power errors ${errors.map((e) => `${(e * 100).toFixed(1)} %`).join(", ")}`);
        assert.equal(app.store.stateEvents(t0).length, SWITCHES.length, "every switch change stored");

        // A check publishes device energy; HA returns it.
        const summary = await app.service.syncOnce();
        assert.deepEqual(summary.errors, []);
        const ids = DEVICES.map((d) => deviceStatistic(d.entityId, d.name).statisticId);
        assert.deepEqual(summary.published.map((p) => p.statisticId).sort(), [...ids].sort());
        const socket = await connectWebSocket(ha.wsUrl, ha.token);
        try {
          const stats = (await socket.call({
            type: "recorder/statistics_during_period",
            start_time: new Date(started - 3600_000).toISOString(),
            statistic_ids: ids,
            period: "hour",
            types: ["sum", "state"],
          })) as Record<string, StatRow[]>;
          for (const d of DEVICES) {
            const id = deviceStatistic(d.entityId, d.name).statisticId;
            const rows = stats[id] ?? [];
            assert.ok(rows.length >= 1, `${id}: rows in HA`);
            const sum = rows.at(-1)!.sum ?? Number.NaN;
            const profile = profiles.find((p) => p.entityId === d.entityId)!;
            assert.ok(Math.abs(sum - profile.energyKwh!) < 1e-5, `${id}: sum ${sum} kWh, learned ${profile.energyKwh} kWh`);
            const truth = (26 * d.w) / 3_600_000; // two runs of 13 s
            assert.ok(Math.abs(sum - truth) / truth < 0.1, `${id}: ${sum} kWh, about ${truth} kWh expected`);
          }
          const meta = (await socket.call({ type: "recorder/get_statistics_metadata", statistic_ids: ids })) as { statistic_id: string; source: string; has_sum: boolean; statistics_unit_of_measurement: string }[];
          assert.equal(meta.length, 2);
          for (const m of meta) assert.deepEqual([m.source, m.has_sum, m.statistics_unit_of_measurement], ["energy_insights", true, "kWh"]);
          const prefs = (await socket.call({ type: "energy/get_prefs" })) as { device_consumption: { stat_consumption: string }[] };
          assert.deepEqual(prefs.device_consumption.map((d) => d.stat_consumption).sort(), [...ids].sort(), "added to the Energy prefs (explicit option)");
        } finally {
          socket.close();
        }
        console.log(`HA ${version}: started in ${haStartS.toFixed(0)} s; devices driven, learned and imported in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      } catch (err) {
        console.log(logs.text.split("\n").slice(-40).join("\n"));
        throw err;
      } finally {
        app?.close();
        await ha.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
