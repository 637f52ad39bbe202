/**
 * Issue 2's acceptance against a real Home Assistant (both pinned versions): the backend syncs from
 * the Contact Energy simulator and HA returns exactly the simulator's values, through DST days,
 * new days, revisions, restarts, a corrupt cache and an HA restart in the middle of a publish.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { connectToHa, whenRunning, type Connection } from "../../server/src/ha/connection.js";
import { addGridImports, validateEnergy } from "../../server/src/ha/energy.js";
import { publishStatistic } from "../../server/src/ha/publisher.js";
import { statisticsDuringPeriod, type StatisticValue } from "../../server/src/ha/recorder.js";
import { contactStatistics } from "../../server/src/statistics/contact.js";
import { availableAtMs, dayHours, DEFAULT_SIM_ACCOUNTS, revisionKey, sumAmounts, type SimContract } from "../../server/src/simulate/contact/data.js";
import type { ContactSimulator } from "../../server/src/simulate/contact/server.js";
import { parseConfig } from "../../server/src/config/index.js";
import { openStore } from "../../server/src/store/store.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { addDays, daysBetween } from "../../server/src/time/local.js";
import { LogCapture, SIM_SEED, SIM_USER, simulator, testBackend, type TestBackend } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";
import { runDoctor } from "../../server/src/cli/doctor.js";
import { createLogger } from "../../server/src/log.js";

const NZ = "Pacific/Auckland";
const nz = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toMillis();
const ALL = DEFAULT_SIM_ACCOUNTS.flatMap((a) => a.contracts);
/** Two contracts in two accounts: one on a free-hours plan, one not. */
const CONTRACTS = [ALL[0]!, ALL[2]!];
const EPS = 1e-6;

interface Expected {
  paid: number;
  free: number;
  cost: number;
}

/** Hours revised in the simulator during the run (the simulator's own `revise` keys). */
const revisions = new Map<string, number>();

function expectedHours(contract: SimContract, day: string): Map<number, Expected> {
  return new Map(dayHours(contract, day, SIM_SEED, revisions).map((h) => [h.utc * 1000, { paid: (h.wh - h.freeWh) / 1000, free: h.freeWh / 1000, cost: h.mills / 1000 }]));
}

function expectedDay(contract: SimContract, day: string): Expected {
  const s = sumAmounts(dayHours(contract, day, SIM_SEED, revisions));
  return { paid: (s.wh - s.freeWh) / 1000, free: s.freeWh / 1000, cost: s.mills / 1000 };
}

/** Days of the hourly window the simulator already serves at `nowMs`. */
function availableHourlyDays(contract: SimContract, nowMs: number, hourlyDays = 9): string[] {
  const today = DateTime.fromMillis(nowMs, { zone: NZ }).toISODate()!;
  return daysBetween(addDays(today, -hourlyDays), addDays(today, -1)).filter((d) => availableAtMs(contract.id, d, SIM_SEED) <= nowMs);
}

function ids(contract: SimContract) {
  const [paid, free, cost] = contactStatistics(contract.icp, "NZD").map((s) => s.stat.statisticId);
  return { paid: paid!, free: free!, cost: cost! };
}

/** Rows of [from, to): HA includes a bucket starting exactly at end_time, so end 1 ms before, as the frontend does. */
async function rows(conn: Connection, id: string, from: number, to: number, period: "hour" | "day" | "month" = "hour"): Promise<StatisticValue[]> {
  const res = await statisticsDuringPeriod(conn, { startTime: new Date(from), endTime: new Date(to - 1), statisticIds: [id], period, types: ["change", "sum", "state"] });
  return res[id] ?? [];
}

type Snapshot = Record<string, StatisticValue[]>;

/** Every row of every statistic of ours, as HA has it. */
async function snapshot(conn: Connection): Promise<Snapshot> {
  const all: Snapshot = {};
  for (const c of CONTRACTS) for (const id of Object.values(ids(c))) all[id] = await rows(conn, id, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1));
  return all;
}

/**
 * Nothing HA had is lost, changed or duplicated: every earlier row is there unchanged, and rows
 * added since (days the provider published meanwhile) only follow the last earlier row.
 */
function assertKeptSnapshot(actual: Snapshot, expected: Snapshot): void {
  for (const [id, want] of Object.entries(expected)) {
    const got = actual[id] ?? [];
    assert.ok(got.length >= want.length, `${id}: ${got.length} rows, had ${want.length}`);
    for (let i = 0; i < want.length; i += 1) {
      const g = got[i];
      const w = want[i];
      if (JSON.stringify(g) !== JSON.stringify(w)) {
        assert.fail(`${id} differs at row ${i} of ${want.length} (now ${got.length} rows): expected ${JSON.stringify(w)} (${w ? new Date(w.start).toISOString() : "-"}), got ${JSON.stringify(g)} (${g ? new Date(g.start).toISOString() : "-"})`);
      }
    }
  }
}

function assertContinuous(list: StatisticValue[], label: string): void {
  for (let i = 1; i < list.length; i += 1) {
    const step = list[i]!.sum! - list[i - 1]!.sum!;
    assert.ok(step > -EPS, `${label}: negative step at ${new Date(list[i]!.start).toISOString()}`);
    assert.ok(Math.abs(step - (list[i]!.state ?? 0)) < 1e-5, `${label}: sum step ${step} != hour value ${list[i]!.state} at ${new Date(list[i]!.start).toISOString()}`);
  }
}

/** HA's hourly rows equal the simulator's hours for every available day of the hourly window. */
async function assertHourlyWindow(conn: Connection, nowMs: number): Promise<void> {
  for (const contract of CONTRACTS) {
    const id = ids(contract);
    for (const day of availableHourlyDays(contract, nowMs)) {
      const expected = expectedHours(contract, day);
      const from = DateTime.fromISO(day, { zone: NZ }).toMillis();
      const to = DateTime.fromISO(day, { zone: NZ }).plus({ days: 1 }).toMillis();
      for (const [kind, sid] of Object.entries(id) as [keyof Expected, string][]) {
        const got = await rows(conn, sid, from, to);
        assert.equal(got.length, expected.size, `${sid} ${day}: ${got.length} hours, expected ${expected.size}`);
        for (const r of got) {
          const e = expected.get(r.start);
          assert.ok(e, `${sid}: unexpected hour ${new Date(r.start).toISOString()}`);
          assert.ok(Math.abs((r.change ?? Number.NaN) - e[kind]) < EPS, `${sid} ${new Date(r.start).toISOString()}: change ${r.change}, expected ${e[kind]}`);
        }
      }
    }
  }
}

for (const version of HA_VERSIONS) {
  describe(`Contact Energy into Home Assistant ${version}`, { timeout: 1_500_000 }, () => {
    let ha: RunningHa;
    let sim: ContactSimulator;
    let conn: Connection;
    const clock = new ManualClock(nz("2026-04-10T09:00"));
    let backend: TestBackend;
    let storePath: string;
    let storeDir: string | undefined;
    const logs = new LogCapture();

    const newBackend = () => {
      const config = parseConfig(
        {
          home_assistant: { url: ha.url, token: ha.token },
          store: { path: storePath },
          contact: { base_url: sim.url, accounts: [{ username: SIM_USER.username, password: SIM_USER.password, contracts: CONTRACTS.map((c) => c.id) }] },
        },
        {},
      );
      return testBackend(config, clock, { connectHa: true, logs });
    };

    before(async () => {
      revisions.clear();
      ha = await startHomeAssistant(version);
      sim = await simulator(clock);
      storeDir = mkdtempSync(join(tmpdir(), "ei-e2e-store-"));
      storePath = join(storeDir, "energy-insights.db");
      backend = newBackend();
      conn = await connectToHa({ url: ha.url, token: ha.token }, { setupRetry: 5 });
    });

    after(async () => {
      // HA accepted our metadata as it is, with no deprecation (mean_type, unit_class) and no import error.
      const haLog = ha ? readFileSync(ha.logFile, "utf8") : "";
      assert.doesNotMatch(haLog, /called without specifying|Invalid (statistic_id|timestamp)|Error (while|during) .*statistic/i);
      conn?.close();
      backend?.app.close();
      await sim?.close();
      await ha?.stop();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
      for (const secret of [SIM_USER.password, ha?.token]) if (secret) assert.ok(!logs.text.includes(secret), "a secret reached the backend's log");
    });

    test("cold sync in April: the 25-hour day hour by hour, older days as day totals, older months as month totals", async () => {
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      assert.ok(availableHourlyDays(CONTRACTS[0]!, clock.now()).includes("2026-04-05"));
      await assertHourlyWindow(conn, clock.now());
      for (const contract of CONTRACTS) {
        const id = ids(contract);
        // Days older than the hourly window: HA's day buckets (cut in HA's Pacific/Auckland) equal the day totals.
        for (const day of ["2026-03-07", "2026-03-15", "2026-03-31"]) {
          const got = await rows(conn, id.paid, nz(`${day}T00:00`), nz(`${addDays(day, 1)}T00:00`), "day");
          assert.equal(got.length, 1, `${day}: ${JSON.stringify(got.map((r) => ({ ...r, iso: new Date(r.start).toISOString() })))}`);
          assert.ok(Math.abs(got[0]!.change! - expectedDay(contract, day).paid) < EPS, `${contract.icp} ${day}: ${got[0]!.change} vs ${expectedDay(contract, day).paid}`);
        }
        // A month older than the daily window: its total, once.
        const month = await rows(conn, id.free, nz("2026-01-01T00:00"), nz("2026-02-01T00:00"), "month");
        const jan = daysBetween("2026-01-01", "2026-01-31").map((d) => expectedDay(contract, d).free).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs((month[0]?.change ?? 0) - jan) < 1e-4, `${contract.icp} January free: ${month[0]?.change} vs ${jan}`);
        assertContinuous(await rows(conn, id.cost, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)), id.cost);
      }
    });

    test("October: the 23-hour September day hour by hour; sums continue across the months between", async () => {
      clock.set(nz("2026-10-02T09:00"));
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      assert.ok(availableHourlyDays(CONTRACTS[1]!, clock.now()).includes("2026-09-27"));
      const sept = await rows(conn, ids(CONTRACTS[1]!).paid, nz("2026-09-27T00:00"), nz("2026-09-28T00:00"));
      assert.equal(sept.length, 23);
      await assertHourlyWindow(conn, clock.now());
      for (const c of CONTRACTS) for (const id of Object.values(ids(c))) assertContinuous(await rows(conn, id, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)), id);
    });

    test("the next day: only the probe and the new day are fetched, and the sums continue", async () => {
      const before = await rows(conn, ids(CONTRACTS[0]!).paid, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1));
      sim.clearLog();
      clock.advance(24 * 3600_000);
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      const usage = sim.requestLog.filter((r) => r.path.startsWith("/usage/"));
      const hourly = usage.filter((r) => r.query.interval === "hourly");
      assert.ok(usage.length <= CONTRACTS.length * 3, `${usage.length} usage requests`);
      assert.ok(hourly.every((r) => r.query.from! >= "2026-09-28"), `hourly re-fetched old days: ${hourly.map((r) => r.query.from).join(", ")}`);
      assert.ok(hourly.length >= 1, "a new day was fetched");
      const afterRows = await rows(conn, ids(CONTRACTS[0]!).paid, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1));
      assert.ok(afterRows.length > before.length);
      assert.deepEqual(afterRows.slice(0, before.length), before, "earlier rows are untouched");
      assertContinuous(afterRows, "paid after a new day");
      await assertHourlyWindow(conn, clock.now());
    });

    test("a revised past hour is picked up and every later sum follows", async () => {
      const contract = CONTRACTS[0]!;
      const day = availableHourlyDays(contract, clock.now())[2]!;
      const hour = dayHours(contract, day, SIM_SEED)[8]!;
      sim.revise(contract.id, hour.utc, 5.555);
      revisions.set(revisionKey(contract.id, hour.utc), 5555);
      clock.advance(24 * 3600_000);
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      const got = await rows(conn, ids(contract).paid, hour.utc * 1000, hour.utc * 1000 + 3600_000);
      assert.ok(Math.abs(got[0]!.change! - 5.555) < EPS, `revised hour shows ${got[0]!.change}`);
      assertContinuous(await rows(conn, ids(contract).paid, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)), "paid after a revision");
      await assertHourlyWindow(conn, clock.now());
    });

    test("a restart inside the check interval makes no provider call and changes nothing", async () => {
      const snap = await snapshot(conn);
      backend.app.close();
      sim.clearLog();
      clock.advance(3600_000);
      backend = newBackend();
      const stop = new AbortController();
      const running = backend.app.service.run(stop.signal);
      await new Promise((r) => setTimeout(r, 200));
      stop.abort();
      await running;
      assert.equal(sim.requestLog.length, 0);
      assert.deepEqual(await snapshot(conn), snap);
    });

    test("a corrupt cache is moved aside and rebuilt; nothing HA had is lost, changed or duplicated", async () => {
      const snap = await snapshot(conn);
      backend.app.close();
      writeFileSync(storePath, Buffer.alloc(65536, 0x5a));
      backend = newBackend();
      const summary = await backend.app.service.syncOnce();
      assert.equal(summary.ok, true, summary.errors.join("; "));
      assertKeptSnapshot(await snapshot(conn), snap);
      assert.match(logs.text, /moved aside/);
      for (const c of CONTRACTS) for (const id of Object.values(ids(c))) assertContinuous(await rows(conn, id, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)), `${id} after the rebuild`);
    });

    test("Home Assistant stopped and started during a publish: it completes with no gap and no duplicate", async () => {
      const { store } = openStore(":memory:");
      const series = "restart_check_0000012345abc_paid_energy";
      const stat = { ...contactStatistics("restart-check", "NZD")[0]!.stat, statisticId: `energy_insights:${series}`, name: "restart check" };
      const start = Date.UTC(2025, 0, 1) / 1000;
      const composed = Array.from({ length: 8760 }, (_, i) => ({ start: start + i * 3600, end: start + (i + 1) * 3600, value: ((i * 37) % 100) / 100 }));
      let restarted = false;
      const publishing = publishStatistic(conn, store, series, stat, composed, { chunkRows: 300 });
      // Its failure is reported by the `await` below, after the restart: not as an unhandled
      // rejection that would end this test mid-restart and start the next one against a starting HA.
      const outcome = { failed: false };
      publishing.catch(() => (outcome.failed = true));
      while (!restarted && !outcome.failed) {
        await new Promise((r) => setTimeout(r, 20));
        const done = store.published(series).length;
        if (done > 0 && done < composed.length) {
          restarted = true;
          await ha.restart();
        } else if (done >= composed.length) break;
      }
      const result = await publishing;
      // HA is back when restart() returns, but this test's own connection may still be waiting out its
      // reconnect delay (the publish itself waits for it): commands sent meanwhile fail at once.
      await whenRunning(conn, 60_000);
      assert.ok(restarted, "HA was restarted while the publish was running");
      assert.equal(result.rowsSent, 8760);
      const got = await rows(conn, stat.statisticId, start * 1000, (start + 8760 * 3600) * 1000);
      assert.equal(got.length, 8760, "no gap");
      assert.equal(new Set(got.map((r) => r.start)).size, 8760, "no duplicate");
      assertContinuous(got, "after the restart");
      store.close();
    });

    test("Energy prefs with our statistics save, validate clean, and the dashboard's own request returns our rows", async () => {
      const imports = CONTRACTS.flatMap((c) => [
        { energyStatisticId: ids(c).paid, costStatisticId: ids(c).cost },
        { energyStatisticId: ids(c).free, costStatisticId: null },
      ]);
      const { parseHaVersion } = await import("../../server/src/ha/version.js");
      const prefs = await addGridImports(conn, imports, parseHaVersion(conn.haVersion));
      assert.ok(JSON.stringify(prefs.energy_sources).includes(ids(CONTRACTS[0]!).paid));
      const validation = await validateEnergy(conn);
      const issues = validation.energy_sources.flat();
      assert.deepEqual(issues, [], JSON.stringify(validation));
      const res = await statisticsDuringPeriod(conn, {
        startTime: new Date(nz("2026-09-28T00:00")),
        endTime: new Date(nz("2026-10-01T00:00") - 1),
        statisticIds: imports.map((i) => i.energyStatisticId),
        period: "day",
        types: ["change"],
        units: { energy: "kWh" },
      });
      for (const c of CONTRACTS) {
        const days = res[ids(c).paid] ?? [];
        assert.equal(days.length, 3, JSON.stringify(days.map((r) => ({ ...r, iso: new Date(r.start).toISOString() }))));
        assert.ok(Math.abs(days[0]!.change! - expectedDay(c, "2026-09-28").paid) < EPS);
      }
    });

    test("doctor passes every check: provider login, HA reachable, administrator, statistics, Energy dashboard", async () => {
      const lines: string[] = [];
      const log = createLogger({ level: "silent" });
      const code = await runDoctor(backend.config, { log, clock, out: (l) => lines.push(l) });
      const text = lines.join("\n");
      assert.equal(code, 0, text);
      assert.match(text, /✓ Contact Energy demo@example.com: logged in/);
      assert.match(text, new RegExp(`✓ Home Assistant ${version.replace(/\./g, "\\.")} reachable`));
      assert.match(text, /an administrator/);
      assert.match(text, /✓ the Energy dashboard uses our statistics and reports no issue with them/);
    });
  });
}
