/**
 * Issue 4's acceptance against a real Home Assistant (both pinned versions): the backend polls the
 * OneMeter simulator and HA's hourly import, export, tariff and reactive statistics equal the
 * simulator's register differences; a burst of late readings fills a gap and every later sum
 * follows; with onemeter.add_to_energy_prefs the backend puts import as grid consumption and export
 * as return into the Energy prefs (once, keeping the user's own sources) and they validate clean.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../server/src/config/index.js";
import { connectToHa, sendCommand, type Connection } from "../../server/src/ha/connection.js";
import { getPrefs, validateEnergy } from "../../server/src/ha/energy.js";
import { getStatisticsMetadata, statisticsDuringPeriod, type StatisticValue } from "../../server/src/ha/recorder.js";
import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator, type OneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { oneMeterStatistics } from "../../server/src/statistics/onemeter.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { LogCapture, testBackend, type TestBackend } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";

const DEVICE = DEFAULT_SIM_METERS[0]!.id;
const HOUR = 3_600_000;
const EPS = 1e-6;
const REGISTERS = ["1_8_0", "1_8_1", "1_8_2", "2_8_0", "5_8_0", "8_8_0"] as const;
const STATS = new Map(oneMeterStatistics(DEVICE, [...REGISTERS, "15_8_0"]).map((s) => [s.register, s.stat]));
const id = (register: string): string => STATS.get(register)!.statisticId;
/** A source the user set up themselves (any kWh statistic will do for HA's validation). */
const USER_SOLAR = { type: "solar", stat_energy_from: id("1_8_1"), config_entry_solar_forecast: null };

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
      // Computes the simulated registers since installation now, not inside the first request: on a
      // loaded machine that took longer than the test backend's 300 ms request timeout.
      sim.registersAt(DEVICE, start);
      storeDir = mkdtempSync(join(tmpdir(), "ei-e2e-onemeter-"));
      const config = parseConfig(
        {
          home_assistant: { url: ha.url, token: ha.token },
          store: { path: join(storeDir, "energy-insights.db") },
          power: { enabled: false },
          onemeter: { base_url: sim.url, api_key: sim.apiKey, devices: [DEVICE], poll_interval: "15m", backfill_days: 3, add_to_energy_prefs: true },
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
      // The user's own source (solar, on a statistic that exists once we publish), which must survive our changes to the prefs.
      await sendCommand(conn, { type: "energy/save_prefs", energy_sources: [USER_SOLAR] });
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
      assertSumIsIncrease(total, clock.now());
    });

    /** The last sum is the register's increase from the first whole hour read to the newest reading: nothing counted twice or lost. */
    function assertSumIsIncrease(list: StatisticValue[], now: number): void {
      const firstWholeHour = Math.ceil((start - 3 * 24 * HOUR) / HOUR) * HOUR;
      const lastReading = sim.visibleUntil(now);
      const increase = sim.registersAt(DEVICE, lastReading)!["1_8_0"]! - sim.registersAt(DEVICE, firstWholeHour)!["1_8_0"]!;
      assert.ok(Math.abs(list.at(-1)!.sum! - increase) < 1e-4, `last sum ${list.at(-1)!.sum}, register increase ${increase}`);
    }

    test("the cache is lost during an outage longer than backfill_days: the next start reads from where HA's statistics end, and nothing is lost", async () => {
      backend.app.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(join(storeDir!, `energy-insights.db${suffix}`), { force: true });
      clock.advance(5 * 24 * HOUR);
      backend = testBackend(backend.config, clock, { connectHa: true, logs });
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      assert.match(logs.text, /reading from where Home Assistant's statistics end/);
      const total = await rows(conn, id("1_8_0"), 0, clock.now() + HOUR);
      assertContinuous(total, "import after the lost cache");
      assertSumIsIncrease(total, clock.now());
      await assertHoursEqualRegisters(conn, sim, Math.floor(clock.now() / HOUR) * HOUR - 6 * 24 * HOUR, Math.floor(clock.now() / HOUR) * HOUR);
    });

    test("Energy prefs (add_to_energy_prefs): import is grid consumption and export its return, once; the user's source stays; energy/validate is clean", async () => {
      const prefs = await getPrefs(conn);
      const sources = prefs?.energy_sources ?? [];
      const text = JSON.stringify(sources);
      assert.equal(text.split(`"${id("1_8_0")}"`).length - 1, 1, `import once: ${text}`);
      assert.equal(text.split(`"${id("2_8_0")}"`).length - 1, 1, `export once: ${text}`);
      const grid = sources.filter((s) => s.type === "grid");
      // 2024.3: one grid source with flow_from/flow_to lists; 2026.3 and later: one flat grid source per import.
      const imports = grid.flatMap((g) => (Array.isArray(g.flow_from) ? (g.flow_from as Record<string, unknown>[]).map((f) => f.stat_energy_from) : [g.stat_energy_from]));
      const returns = grid.flatMap((g) => (Array.isArray(g.flow_to) ? (g.flow_to as Record<string, unknown>[]).map((f) => f.stat_energy_to) : [g.stat_energy_to]));
      assert.deepEqual(imports, [id("1_8_0")]);
      assert.deepEqual(returns, [id("2_8_0")]);
      assert.ok(sources.some((s) => s.type === "solar" && s.stat_energy_from === USER_SOLAR.stat_energy_from), "the user's solar source is kept");
      const validation = await validateEnergy(conn);
      assert.deepEqual(validation.energy_sources.flat(), [], JSON.stringify(validation));
    });
  });
}
