/**
 * `energy-insights verify` and `--repair` against the real HA 2026.11.0: statistics published from
 * the Contact simulator, then damaged inside HA (a wrong hour, a sum that jumps, a negative change,
 * a wrong unit); verify names each, `--repair` imports them again from the last good sum, and
 * verify is clean after, with every hour equal to the provider's again.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { runVerify, type VerifyReport } from "../../server/src/cli/verify.js";
import { parseConfig, type EnergyInsightsConfig } from "../../server/src/config/index.js";
import { connectToHa, type Connection } from "../../server/src/ha/connection.js";
import { importMetadata } from "../../server/src/ha/metadata.js";
import { importStatistics, statisticsDuringPeriod } from "../../server/src/ha/recorder.js";
import { parseHaVersion } from "../../server/src/ha/version.js";
import { createLogger } from "../../server/src/log.js";
import { contactStatistics } from "../../server/src/statistics/contact.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { SIM_USER, simulator, testBackend } from "../helpers/backend.js";
import { startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";

const ICP = "0000012345ABC";
let ha: RunningHa;
let conn: Connection;
let dir: string;

before(async () => {
  ha = await startHomeAssistant("2026.11.0");
  conn = await connectToHa({ url: ha.url, token: ha.token }, { setupRetry: 5 });
  dir = mkdtempSync(join(tmpdir(), "ei-e2e-verify-"));
});
after(async () => {
  conn?.close();
  await ha?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function hours(id: string, from: number, to: number) {
  const res = await statisticsDuringPeriod(conn, { startTime: new Date(from), endTime: new Date(to - 1), statisticIds: [id], period: "hour", types: ["state", "sum"] });
  return res[id] ?? [];
}

async function verify(config: EnergyInsightsConfig, clock: ManualClock, repair: boolean): Promise<{ code: number; report: VerifyReport; text: string }> {
  const lines: string[] = [];
  const code = await runVerify(config, { log: createLogger({ level: "silent" }), clock, out: (l) => lines.push(l), repair, json: true });
  const text = lines.join("\n");
  return { code, report: JSON.parse(text.slice(text.indexOf("{"))) as VerifyReport, text };
}

test("verify finds a wrong hour, a sum jump, a negative change and a wrong unit; --repair puts them right", { timeout: 600_000 }, async () => {
  const clock = new ManualClock(DateTime.fromISO("2026-04-10T09:00", { zone: "Pacific/Auckland" }).toMillis());
  const sim = await simulator(clock);
  try {
    const config = parseConfig(
      {
        home_assistant: { url: ha.url, token: ha.token },
        store: { path: join(dir, "energy-insights.db") },
        contact: { base_url: sim.url, accounts: [{ username: SIM_USER.username, password: SIM_USER.password, contracts: [ICP] }] },
      },
      {},
    );
    const backend = testBackend(config, clock, { connectHa: true });
    const synced = await backend.app.service.syncOnce();
    backend.app.close();
    assert.equal(synced.ok, true, synced.errors.join("; "));

    const clean = await verify(config, clock, false);
    assert.equal(clean.code, 0, clean.text);
    assert.ok(clean.report.statistics.length >= 3);

    const [paid, free, cost] = contactStatistics(ICP, "NZD");
    const day = DateTime.fromISO("2026-04-06", { zone: "Pacific/Auckland" }).toMillis();
    const before = await hours(paid!.stat.statisticId, day, day + 86_400_000);
    assert.equal(before.length, 24);
    const version = parseHaVersion(conn.haVersion);
    const iso = (ms: number) => new Date(ms).toISOString();
    // A wrong value with a sum that follows it (HA's hour 5 doubled), and a sum that jumps at hour 12.
    const h5 = before[5]!;
    await importStatistics(conn, importMetadata(paid!.stat, version), [{ start: iso(h5.start), state: h5.state! * 2, sum: h5.sum! + h5.state! }]);
    const freeRows = await hours(free!.stat.statisticId, day, day + 86_400_000);
    const h12 = freeRows[12]!;
    await importStatistics(conn, importMetadata(free!.stat, version), [{ start: iso(h12.start), state: h12.state!, sum: h12.sum! + 50 }]);
    // A negative change: the cost's sum goes down at hour 20.
    const costRows = await hours(cost!.stat.statisticId, day, day + 86_400_000);
    const h20 = costRows[20]!;
    await importStatistics(conn, importMetadata(cost!.stat, version), [{ start: iso(h20.start), state: h20.state!, sum: costRows[19]!.sum! - 1 }]);
    // A wrong unit on the paid energy.
    await importStatistics(conn, { ...importMetadata(paid!.stat, version), unit_of_measurement: "Wh" }, [{ start: iso(before[0]!.start), state: before[0]!.state!, sum: before[0]!.sum! }]);

    let found: Awaited<ReturnType<typeof verify>> | undefined;
    const kinds = (id: string) => found!.report.statistics.find((s) => s.statisticId === id)!.problems.map((p) => p.kind);
    // HA writes imports in the background: verify until the last damage (the unit) shows.
    for (let i = 0; i < 200 && !(found && kinds(paid!.stat.statisticId).includes("metadata")); i += 1) {
      found = await verify(config, clock, false);
    }
    assert.equal(found!.code, 1, found!.text);
    assert.ok(kinds(paid!.stat.statisticId).includes("value_mismatch"), found!.text);
    assert.ok(kinds(paid!.stat.statisticId).includes("metadata"), found!.text);
    assert.ok(kinds(free!.stat.statisticId).includes("sum_break") || kinds(free!.stat.statisticId).includes("value_mismatch"), found!.text);
    assert.ok(kinds(cost!.stat.statisticId).includes("negative_change"), found!.text);

    const repaired = await verify(config, clock, true);
    assert.equal(repaired.code, 0, repaired.text);
    assert.ok(repaired.report.statistics.some((s) => s.repairedFrom), repaired.text);
    const after = await hours(paid!.stat.statisticId, day, day + 86_400_000);
    assert.deepEqual(after.map((r) => [r.state, r.sum]), before.map((r) => [r.state, r.sum]), "every hour as the provider gave it again");
    assert.equal((await verify(config, clock, false)).code, 0);
  } finally {
    await sim.close();
  }
});
