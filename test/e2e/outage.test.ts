/**
 * Issue 11's named scenarios against the real HA 2026.11.0: synced daily 1–10 April, then the
 * backend off until 26 September, with the same cache and with a lost one: HA's April (and every
 * month) equals the provider's total; and synced once a day at 18:00 UTC: every day the provider
 * has at a sync is in HA after it, none a day late.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { parseConfig } from "../../server/src/config/index.js";
import { connectToHa, type Connection } from "../../server/src/ha/connection.js";
import { statisticsDuringPeriod } from "../../server/src/ha/recorder.js";
import { seriesKey, statisticId } from "../../server/src/statistics/ids.js";
import { availableAtMs, dayHours, SIM_ZONE, sumAmounts, type SimContract } from "../../server/src/simulate/contact/data.js";
import { startContactSimulator, type ContactSimulator } from "../../server/src/simulate/contact/server.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { addDays, daysBetween } from "../../server/src/time/local.js";
import { LogCapture, testBackend } from "../helpers/backend.js";
import { soakAccounts } from "../helpers/soak.js";
import { startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";

const nz = (iso: string) => DateTime.fromISO(iso, { zone: SIM_ZONE }).toMillis();
const HOUR = 3600_000;

describe("outages and lost caches in Home Assistant 2026.11.0", { timeout: 900_000 }, () => {
  let ha: RunningHa;
  let conn: Connection;
  const dirs: string[] = [];

  before(async () => {
    ha = await startHomeAssistant("2026.11.0");
    conn = await connectToHa({ url: ha.url, token: ha.token }, { setupRetry: 5 });
  });
  after(async () => {
    conn?.close();
    await ha?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A simulator of its own (seeded accounts, so each scenario has statistics of its own) and a backend factory on one store path. */
  async function world(seed: number, start: number) {
    const clock = new ManualClock(start);
    const { accounts, logins } = soakAccounts(seed);
    const sim: ContactSimulator = await startContactSimulator({ clock, seed, accounts: [accounts[0]!], users: [logins[0]!] });
    const dir = mkdtempSync(join(tmpdir(), "ei-e2e-outage-"));
    dirs.push(dir);
    const storePath = join(dir, "energy-insights.db");
    const config = parseConfig(
      { home_assistant: { url: ha.url, token: ha.token }, store: { path: storePath }, contact: { base_url: sim.url, accounts: [{ username: logins[0]!.username, password: logins[0]!.password }] } },
      {},
    );
    const backend = () => testBackend(config, clock, { connectHa: true, logs: new LogCapture() });
    return { clock, sim, storePath, backend, contracts: accounts[0]!.contracts, seed };
  }

  async function monthInHa(contract: SimContract, kind: "paid_energy" | "free_energy" | "paid_cost", month: string): Promise<number> {
    const id = statisticId(seriesKey("contact", contract.icp, kind));
    const from = DateTime.fromISO(`${month}-01`, { zone: SIM_ZONE });
    const res = await statisticsDuringPeriod(conn, { startTime: from.toJSDate(), endTime: new Date(from.plus({ months: 1 }).toMillis() - 1), statisticIds: [id], period: "hour", types: ["state"] });
    return (res[id] ?? []).reduce((s, r) => s + (r.state ?? 0), 0);
  }

  function providerMonth(contract: SimContract, seed: number, month: string): { paid_energy: number; free_energy: number; paid_cost: number } {
    const from = DateTime.fromISO(`${month}-01`, { zone: SIM_ZONE });
    const s = sumAmounts(daysBetween(from.toISODate()!, from.endOf("month").toISODate()!).map((d) => sumAmounts(dayHours(contract, d, seed))));
    return { paid_energy: (s.wh - s.freeWh) / 1000, free_energy: s.freeWh / 1000, paid_cost: s.mills / 1000 };
  }

  for (const lost of [false, true]) {
    test(`synced daily 1–10 April, then off until 26 September${lost ? " and the cache lost" : " (same cache)"}: April and every later month equal the provider's totals`, async () => {
      const w = await world(lost ? 41 : 40, nz("2026-04-01T09:00"));
      try {
        let b = w.backend();
        for (let day = 0; day < 10; day += 1) {
          w.clock.set(nz("2026-04-01T09:00") + day * 24 * HOUR);
          const s = await b.app.service.syncOnce();
          assert.equal(s.ok, true, s.errors.join("; "));
        }
        const contract = w.contracts[0]!;
        const aprilBefore = await monthInHa(contract, "paid_energy", "2026-04");
        assert.ok(aprilBefore < providerMonth(contract, w.seed, "2026-04").paid_energy * 0.5, "HA has only part of April before the outage");
        b.app.close();
        if (lost) for (const suffix of ["", "-wal", "-shm"]) rmSync(w.storePath + suffix, { force: true });
        w.clock.set(nz("2026-09-26T09:00"));
        b = w.backend();
        const s = await b.app.service.syncOnce();
        assert.equal(s.ok, true, s.errors.join("; "));
        b.app.close();
        for (const c of w.contracts) {
          for (const month of ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]) {
            const want = providerMonth(c, w.seed, month);
            for (const kind of ["paid_energy", "free_energy", "paid_cost"] as const) {
              const got = await monthInHa(c, kind, month);
              assert.ok(Math.abs(got - want[kind]) < 1e-3, `${c.icp} ${kind} ${month}: HA ${got.toFixed(3)}, provider ${want[kind].toFixed(3)}`);
            }
          }
        }
      } finally {
        await w.sim.close();
      }
    });
  }

  test("synced once a day at 18:00 UTC: every day the provider has at a sync is in HA after it, hour by hour", async () => {
    const w = await world(42, Date.parse("2026-05-01T18:00:00Z"));
    try {
      const b = w.backend();
      for (let day = 0; day < 14; day += 1) {
        // A run takes a little while, so "18:00" is a few seconds later on some days than on others.
        w.clock.set(Date.parse("2026-05-01T18:00:00Z") + day * 24 * HOUR + (day % 2 === 0 ? 90_000 : 0));
        const s = await b.app.service.syncOnce();
        assert.equal(s.ok, true, s.errors.join("; "));
        const today = DateTime.fromMillis(w.clock.now(), { zone: SIM_ZONE }).toISODate()!;
        for (const c of w.contracts) {
          const id = statisticId(seriesKey("contact", c.icp, "paid_energy"));
          for (const d of daysBetween(addDays(today, -9), addDays(today, -1))) {
            if (availableAtMs(c.id, d, w.seed) > w.clock.now()) continue;
            const from = DateTime.fromISO(d, { zone: SIM_ZONE });
            const res = await statisticsDuringPeriod(conn, { startTime: from.toJSDate(), endTime: new Date(from.plus({ days: 1 }).toMillis() - 1), statisticIds: [id], period: "hour", types: ["state"] });
            assert.equal(res[id]?.length ?? 0, dayHours(c, d, w.seed).length, `${c.icp} ${d}: the provider has it at ${new Date(w.clock.now()).toISOString()}, HA has ${res[id]?.length ?? 0} hours`);
          }
        }
      }
      b.app.close();
    } finally {
      await w.sim.close();
    }
  });
});
