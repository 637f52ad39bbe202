/**
 * Issue 4's acceptance against a real Home Assistant (both pinned versions): the backend polls the
 * OneMeter simulator and HA's hourly import, export, tariff and reactive statistics equal the
 * simulator's register differences; a burst of late readings fills a gap and every later sum
 * follows; Energy prefs with import as grid consumption and export as return validate clean.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../server/src/config/index.js";
import { connectToHa, type Connection } from "../../server/src/ha/connection.js";
import { addGridImports, validateEnergy } from "../../server/src/ha/energy.js";
import { getStatisticsMetadata, statisticsDuringPeriod, type StatisticValue } from "../../server/src/ha/recorder.js";
import { parseHaVersion } from "../../server/src/ha/version.js";
import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator, type OneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { oneMeterStatistics } from "../../server/src/sync/onemeter-statistics.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { LogCapture, testBackend, type TestBackend } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant, type RunningHa } from "./harness/ha.js";

const DEVICE = DEFAULT_SIM_METERS[0]!.id;
const HOUR = 3_600_000;
const EPS = 1e-6;
const REGISTERS = ["1_8_0", "1_8_1", "1_8_2", "2_8_0", "5_8_0", "8_8_0"] as const;
const STATS = new Map(oneMeterStatistics(DEVICE, [...REGISTERS, "15_8_0"]).map((s) => [s.register, s.stat]));
const id = (register: string): string => STATS.get(register)!.statisticId;

async function rows(conn: Connection, statisticId: string, from: number, to: number): Promise<StatisticValue[]> {
  const res = await statisticsDuringPeriod(conn, { startTime: new Date(from), endTime: new Date(to - 1), statisticIds: [statisticId], period: "hour", types: ["change", "sum", "state"] });
  return res[statisticId] ?? [];
}

function assertContinuous(list: StatisticValue[], label: string): void {
  for (let i = 1; i < list.length; i += 1) {
    const step = list[i]!.sum! - list[i - 1]!.sum!;
    assert.ok(step > -EPS, `${label}: negative step at ${new Date(list[i]!.start).toISOString()}`);
    assert.ok(Math.abs(step - (list[i]!.state ?? 0)) < 1e-5, `${label}: sum step ${step} != hour value ${list[i]!.state} at ${new Date(list[i]!.start).toISOString()}`);
    assert.equal(list[i]!.start - list[i - 1]!.start, HOUR, `${label}: a gap in the hours at ${new Date(list[i]!.start).toISOString()}`);
  }
}

/** Every whole hour in [from, to) in HA equals the simulator's register difference (multiplier 1). */
async function assertHoursEqualRegisters(conn: Connection, sim: OneMeterSimulator, from: number, to: number): Promise<void> {
  for (const register of REGISTERS) {
    const got = await rows(conn, id(register), from, to);
    assert.equal(got.length, (to - from) / HOUR, `${register}: ${got.length} hours in ${new Date(from).toISOString()}..${new Date(to).toISOString()}`);
    for (const r of got) {
      const a = sim.registersAt(DEVICE, r.start)![register]!;
      const b = sim.registersAt(DEVICE, r.start + HOUR)![register]!;
      assert.ok(Math.abs((r.change ?? Number.NaN) - (b - a)) < EPS, `${register} ${new Date(r.start).toISOString()}: HA ${r.change}, registers ${b - a}`);
    }
  }
}

for (const version of HA_VERSIONS) {
  describe(`OneMeter into Home Assistant ${version}`, { timeout: 900_000 }, () => {
    let ha: RunningHa;
    let sim: OneMeterSimulator;
    let conn: Connection;
    let backend: TestBackend;
    let storeDir: string | undefined;
    const start = Date.parse("2026-06-10T09:05:00Z");
    const clock = new ManualClock(start);
    const logs = new LogCapture();

    before(async () => {
      ha = await startHomeAssistant(version);
      sim = await startOneMeterSimulator({ clock, hexKeys: true });
      storeDir = mkdtempSync(join(tmpdir(), "ei-e2e-onemeter-"));
      const config = parseConfig(
        {
          home_assistant: { url: ha.url, token: ha.token },
          store: { path: join(storeDir, "energy-insights.db") },
          power: { enabled: false },
          onemeter: { base_url: sim.url, api_key: sim.apiKey, devices: [DEVICE], poll_interval: "15m", backfill_days: 3 },
        },
        {},
      );
      backend = testBackend(config, clock, { connectHa: true, logs });
      conn = await connectToHa({ url: ha.url, token: ha.token }, { setupRetry: 5 });
    });

    after(async () => {
      const haLog = ha ? readFileSync(ha.logFile, "utf8") : "";
      assert.doesNotMatch(haLog, /called without specifying|Invalid (statistic_id|timestamp)|Unsupported unit_class|Error (while|during) .*statistic/i);
      conn?.close();
      backend?.app.close();
      await sim?.close();
      await ha?.stop();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
      if (sim) assert.ok(!logs.text.includes(sim.apiKey), "the API key reached the backend's log");
    });

    test("a first sync backfills 3 days: every whole hour of import, export, both tariffs and reactive Q1/Q4 equals the register difference", async () => {
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      const firstWhole = Math.ceil((start - 3 * 24 * HOUR) / HOUR) * HOUR + HOUR;
      const lastWhole = Math.floor(start / HOUR) * HOUR;
      await assertHoursEqualRegisters(conn, sim, firstWhole, lastWhole);
      for (const register of REGISTERS) assertContinuous(await rows(conn, id(register), 0, start + HOUR), register);
      const meta = await getStatisticsMetadata(conn, [id("1_8_0"), id("5_8_0")]);
      const unit = new Map(meta.map((m) => [m.statistic_id, m.statistics_unit_of_measurement]));
      assert.equal(unit.get(id("1_8_0")), "kWh");
      assert.equal(unit.get(id("5_8_0")), "kvarh", "HA keeps reactive energy in kvarh");
    });

    test("readings held back by the reader arrive later in one burst: the gap's hours become exact and every later sum follows", async () => {
      const gapFrom = Math.floor(clock.now() / HOUR) * HOUR + HOUR;
      const gapTo = gapFrom + 5 * HOUR;
      sim.holdBack(gapFrom, gapTo);
      clock.set(gapTo + 2 * HOUR + 5 * 60_000);
      let summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      const before = await rows(conn, id("1_8_0"), gapFrom, gapTo);
      assert.equal(before.length, 5, "the gap is spread over its hours meanwhile, never one spike");
      assertContinuous(await rows(conn, id("1_8_0"), 0, clock.now()), "import with a gap");

      sim.deliver();
      clock.advance(15 * 60_000);
      summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      await assertHoursEqualRegisters(conn, sim, gapFrom - 2 * HOUR, Math.floor(clock.now() / HOUR) * HOUR);
      for (const register of REGISTERS) assertContinuous(await rows(conn, id(register), 0, clock.now() + HOUR), `${register} after the burst`);
      // Nothing counted twice or lost: the last sum is the register's increase since the first reading read.
      const total = await rows(conn, id("1_8_0"), 0, clock.now() + HOUR);
      const firstReading = Math.ceil((start - 3 * 24 * HOUR) / (15 * 60_000)) * 15 * 60_000;
      const lastReading = sim.visibleUntil(clock.now());
      const increase = sim.registersAt(DEVICE, lastReading)!["1_8_0"]! - sim.registersAt(DEVICE, firstReading)!["1_8_0"]!;
      assert.ok(Math.abs(total.at(-1)!.sum! - increase) < 1e-4, `last sum ${total.at(-1)!.sum}, register increase ${increase}`);
    });

    test("Energy prefs: import as grid consumption and export as return save, and energy/validate is clean", async () => {
      const prefs = await addGridImports(conn, [{ energyStatisticId: id("1_8_0"), costStatisticId: null, returnStatisticId: id("2_8_0") }], parseHaVersion(conn.haVersion));
      const text = JSON.stringify(prefs.energy_sources);
      assert.ok(text.includes(id("1_8_0")) && text.includes(id("2_8_0")), text);
      const validation = await validateEnergy(conn);
      assert.deepEqual(validation.energy_sources.flat(), [], JSON.stringify(validation));
    });
  });
}
