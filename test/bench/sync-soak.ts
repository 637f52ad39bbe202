import { DateTime } from "luxon";
import { availableAtMs, DEFAULT_SIM_ACCOUNTS, SIM_ZONE } from "../../server/src/simulate/contact/data.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { addDays, daysBetween, localDay } from "../../server/src/time/local.js";
import { startHomeAssistant } from "../../dev/harness/ha.js";
import { startContactSimulator } from "../../server/src/simulate/contact/server.js";
import { SIM_SEED, testBackend, testConfig } from "../helpers/backend.js";
import { runSoak, type SoakResult } from "../helpers/soak.js";
import type { Figure } from "./report.js";
import { seedsFrom } from "./seed.js";

const HOUR = 3600_000;
/** Before issue 11: the daily probe once a day, so a day could wait a day more than it had to. */
const BASELINE_REQUESTS_PER_DAY = 2.38;

/**
 * Freshness and cost of checks every 6 hours over 30 simulated days against the Contact simulator,
 * in two kinds of provider: a steady one (every day published 30 h after it ends) and an erratic one
 * (24–72 h, a different lag each day and contract, so days arrive out of order and in bursts). For
 * each day, the time from the provider having it to the check that fetched it (and published it, in
 * the same check); and the requests each contract cost a day after the first week, logins included
 * (one login serves its three contracts).
 */
async function freshness(delayHours?: number): Promise<{ days: number; maxH: number; medianH: number; perDay: number; checkH: number }> {
  const contracts = DEFAULT_SIM_ACCOUNTS.flatMap((a) => a.contracts);
  const start = DateTime.fromISO("2026-04-10T09:00", { zone: SIM_ZONE }).toMillis();
  const clock = new ManualClock(start);
  const sim = await startContactSimulator({ clock, seed: SIM_SEED, ...(delayHours !== undefined ? { delayHours } : {}) });
  const config = testConfig(sim);
  const { app } = testBackend(config, clock);
  try {
    await app.service.syncOnce();
    sim.clearLog();
    const seen = new Map<string, number>();
    const days = 30;
    // Requests are counted once the backend has had a week to learn the provider's rhythm.
    const warmUpDays = 7;
    const checkMs = config.sync.checkInterval * 1000;
    for (let t = start + checkMs; t <= start + days * 24 * HOUR; t += checkMs) {
      if (t - checkMs < start + warmUpDays * 24 * HOUR && t >= start + warmUpDays * 24 * HOUR) sim.clearLog();
      clock.set(t);
      if (app.service.nextCheckAt() <= t) await app.service.syncOnce();
      for (const c of contracts) {
        for (const [day, cov] of app.store.periods("contact", c.icp, "hour")) if (cov.rows > 0 && !seen.has(`${c.id}|${day}`)) seen.set(`${c.id}|${day}`, t);
      }
    }
    const lags: number[] = [];
    const lastDay = addDays(localDay((start + days * 24 * HOUR) / 1000, SIM_ZONE), -4);
    for (const c of contracts) {
      for (const day of daysBetween(addDays(localDay(start / 1000, SIM_ZONE), -1), lastDay)) {
        const at = seen.get(`${c.id}|${day}`);
        lags.push(at === undefined ? Number.POSITIVE_INFINITY : at - availableAtMs(c.id, day, SIM_SEED, delayHours));
      }
    }
    lags.sort((a, b) => a - b);
    return { days: lags.length, maxH: lags.at(-1)! / HOUR, medianH: lags[Math.floor(lags.length / 2)]! / HOUR, perDay: sim.requestLog.length / contracts.length / (days - warmUpDays), checkH: checkMs / HOUR };
  } finally {
    app.close();
    await sim.close();
  }
}

export async function benchSyncFreshness(): Promise<Figure[]> {
  const steady = await freshness(30);
  const erratic = await freshness();
  return [
    { name: `Steady provider: longest time from a day at the provider to HA (${steady.days} contract-days, checks every ${steady.checkH} h)`, value: steady.maxH, unit: "h", target: { op: "<=", value: steady.checkH } },
    {
      name: "Steady provider: Contact requests per contract per steady day (logins included)",
      value: steady.perDay,
      unit: "requests/day",
      target: { op: "<=", value: 3 },
      baseline: { name: "a probe once a day, a day up to a day late", value: BASELINE_REQUESTS_PER_DAY },
    },
    { name: `Erratic provider (24–72 h): longest time from a day at the provider to HA (${erratic.days} contract-days)`, value: erratic.maxH, unit: "h", target: { op: "<=", value: erratic.checkH } },
    { name: "Erratic provider: median time from a day at the provider to HA", value: erratic.medianH, unit: "h" },
    { name: "Erratic provider: Contact requests per contract per day (a day is due at most checks: the price of being on time)", value: erratic.perDay, unit: "requests/day" },
  ];
}

/** Scenarios of the long soak, each from its own seed (drawn from the run's `--seed` and printed, so a failure can be replayed). */
const SOAK_SCENARIOS = 3;

/**
 * The long soak: several seeded scenarios of six simulated months each against the real HA
 * 2026.11.0, at least 50 SIGKILLs and 5 outages in all, every hour, day and month compared with
 * the simulator's truth at the end.
 */
export async function benchSoak(runSeed: number): Promise<Figure[]> {
  const seeds = seedsFrom(runSeed, SOAK_SCENARIOS);
  const ha = await startHomeAssistant("2026.11.0");
  const results: SoakResult[] = [];
  try {
    for (const [i, seed] of seeds.entries()) {
      const result = await runSoak({
        seed,
        ha,
        runs: 40,
        from: "2026-03-25T09:00",
        to: "2026-10-06T09:00",
        outages: 2,
        maxOutageDays: [20, 70, 120][i]!,
        dailyDays: [35, 100, 200][i]!,
        haRestarts: 1,
        killChance: 0.6,
      });
      console.log(`  seed ${seed}: ${result.runs} runs, ${result.kills} kills, ${result.outages} outages, ${result.freshStores} lost caches, ${result.haRestarts} HA restarts, ${result.faults} fault bursts, ${result.revisions} revisions${result.problems.length ? `\n    ${result.problems.slice(0, 10).join("\n    ")}` : ""}`);
      results.push(result);
    }
  } finally {
    await ha.stop();
  }
  const total = (f: (r: SoakResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const clean = results.filter((r) => r.problems.length === 0).length;
  return [
    { name: `Soak scenarios (seeds ${seeds.join(", ")})`, value: results.length, unit: "scenarios" },
    { name: "CLI runs", value: total((r) => r.runs), unit: "runs" },
    { name: "SIGKILLs at random moments", value: total((r) => r.kills), unit: "kills", target: { op: ">=", value: 50 } },
    { name: "Backend outages (hours to months, the cache lost in some)", value: total((r) => r.outages), unit: "outages", target: { op: ">=", value: 5 } },
    { name: "Scenarios whose end state equals the provider's truth", value: clean, unit: "scenarios", target: { op: ">=", value: results.length } },
    { name: "Hours checked", value: total((r) => r.hoursChecked), unit: "hours" },
    { name: "Hours wrong", value: total((r) => r.hoursWrong), unit: "hours", target: { op: "<=", value: 0 } },
    { name: "Days and months wrong", value: total((r) => r.daysWrong + r.monthsWrong), unit: "periods", target: { op: "<=", value: 0 } },
    { name: "Negative changes and sum breaks", value: total((r) => r.negativeChanges + r.sumBreaks), unit: "rows", target: { op: "<=", value: 0 } },
  ];
}
