/**
 * Issue 11's short soak: one seeded scenario of several simulated months against the real HA
 * 2026.11.0 — random SIGKILLs of the real CLI, outages (one over a month), lost caches, an HA
 * restart in the middle of a publish, revisions and provider fault bursts across both DST changes —
 * then every hour, day and month in HA must equal the simulator's truth. `npm run bench` runs
 * longer ones with more kills and outages.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { runSoak } from "../helpers/soak.js";
import { startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";

const SEED = Number(process.env.SOAK_SEED ?? 20261205);
let ha: RunningHa;

before(async () => {
  ha = await startHomeAssistant("2026.11.0");
});
after(async () => {
  await ha?.stop();
});

test(`soak (seed ${SEED}): kills, outages, lost caches, an HA restart, revisions and faults end with HA equal to the provider`, async () => {
  const lines: string[] = [];
  const result = await runSoak({
    seed: SEED,
    ha,
    runs: 16,
    from: "2026-03-28T09:00",
    to: "2026-10-04T09:00",
    outages: 2,
    // Longer than the daily window, with the cache lost half the time: months HA holds in part
    // must get exactly their remainder; over 90 daily days the probe spans two requests.
    maxOutageDays: 110,
    dailyDays: 100,
    haRestarts: 1,
    killChance: 0.45,
    log: (line) => lines.push(line),
  });
  const summary = `seed ${SEED}: ${result.runs} runs, ${result.kills} kills, ${result.outages} outages, ${result.freshStores} lost caches, ${result.haRestarts} HA restarts, ${result.faults} fault bursts, ${result.revisions} revisions; ${result.hoursChecked} hours, ${result.daysChecked} days, ${result.monthsChecked} months checked`;
  console.log(summary);
  const detail = `${summary}\n${result.problems.join("\n")}\n--- runs ---\n${lines.join("\n")}`;
  assert.ok(result.kills >= 3, `the scenario killed only ${result.kills} runs\n${detail}`);
  assert.equal(result.haRestarts, 1, detail);
  assert.ok(result.freshStores >= 1, `no cache was lost\n${detail}`);
  assert.ok(result.hoursChecked > 500 && result.daysChecked > 100 && result.monthsChecked > 30, detail);
  assert.deepEqual(result.problems, [], detail);
  assert.equal(result.hoursWrong + result.daysWrong + result.monthsWrong + result.sumBreaks + result.negativeChanges, 0, detail);
});
