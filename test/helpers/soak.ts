/**
 * A randomized, model-based soak of the Contact sync against a real Home Assistant: months of
 * simulated time with two logins and several contracts, the real CLI (`sync --once --now …`) killed
 * with SIGKILL at random moments, backend outages of hours to months, lost caches, HA restarted in
 * the middle of a publish, provider revisions, 5xx, 429 and malformed bursts, both DST changes. At
 * the end every hour, day and month HA holds is compared with the simulator's truth.
 *
 * The short seeded version runs in `npm test` (test/e2e/soak.test.ts); the bench runs long ones.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { connectToHa, type Connection } from "../../server/src/ha/connection.js";
import { statisticsDuringPeriod, type StatisticValue } from "../../server/src/ha/recorder.js";
import { statisticId, seriesKey } from "../../server/src/statistics/ids.js";
import { availableAtMs, dayHours, DEFAULT_SIM_ACCOUNTS, revisionKey, SIM_ZONE, sumAmounts, type SimAccount, type SimContract } from "../../server/src/simulate/contact/data.js";
import { startContactSimulator, type ContactSimulator, type Faults } from "../../server/src/simulate/contact/server.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { addDays, daysBetween, hoursInDay, localDay } from "../../server/src/time/local.js";

const HOUR_MS = 3600_000;
const DAY_MS = 86_400_000;
const BIN = new URL("../../bin/energy-insights.js", import.meta.url).pathname;
const KINDS = ["paid_energy", "free_energy", "paid_cost"] as const;
const TOLERANCE = 1e-4;
const SOAK_HOURLY_DAYS = 14;

export interface SoakHa {
  url: string;
  token: string;
  restart(): Promise<void>;
}

export interface SoakOptions {
  seed: number;
  ha: SoakHa;
  /** CLI runs before the final ones (kills and their recoveries count as runs). */
  runs: number;
  /** First and last simulated instant (ISO, provider's zone). Spanning early April and late September covers both DST changes. */
  from: string;
  to: string;
  /** How many outages (the backend off for days to months) the schedule holds at least. */
  outages: number;
  /** The longest outage, in days. */
  maxOutageDays: number;
  /** Restarts of HA in the middle of a publish. */
  haRestarts: number;
  /** The backend's daily window (sync.daily_days): over 90 days the daily probe spans several requests. */
  dailyDays: number;
  /** Chance that a run is killed with SIGKILL at a random moment (the first, cold, run always is). */
  killChance?: number;
  /** Told what happens, a line at a time. */
  log?: (line: string) => void;
}

export interface SoakResult {
  seed: number;
  runs: number;
  kills: number;
  outages: number;
  freshStores: number;
  haRestarts: number;
  faults: number;
  revisions: number;
  failedRuns: number;
  hoursChecked: number;
  hoursWrong: number;
  daysChecked: number;
  daysWrong: number;
  monthsChecked: number;
  monthsWrong: number;
  /** Rows whose sum does not continue the row before, or that go down. */
  sumBreaks: number;
  negativeChanges: number;
  /** Everything that differs from the truth, most telling first (capped). */
  problems: string[];
}

/** Deterministic random numbers (mulberry32), so a seed replays the same scenario. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two logins, three accounts, four contracts; ids and ICPs carry the seed so scenarios share one HA. */
export function soakAccounts(seed: number): { logins: { username: string; password: string; accountIds: string[] }[]; accounts: SimAccount[] } {
  const tag = String(seed).padStart(4, "0").slice(-4);
  const base = DEFAULT_SIM_ACCOUNTS;
  const contract = (c: SimContract, n: number): SimContract => ({ ...c, id: `${c.id.slice(0, 6)}${tag}${n}`, icp: `${c.icp.slice(0, 7)}S${tag}${n}`, premiseId: `${c.premiseId}${n}` });
  const accounts: SimAccount[] = [
    { ...base[0]!, id: `5${tag}001`, contracts: base[0]!.contracts.map((c, i) => contract(c, i + 1)) },
    { ...base[1]!, id: `5${tag}002`, contracts: base[1]!.contracts.map((c, i) => contract(c, i + 3)) },
    { id: `5${tag}003`, nickname: "Flat", contracts: [contract({ ...base[0]!.contracts[0]!, scale: 0.7, address: "3/9 Hill Rd" }, 4)] },
  ];
  return {
    accounts,
    logins: [
      { username: `soak-a-${tag}@example.com`, password: "soak-password-a", accountIds: [accounts[0]!.id] },
      { username: `soak-b-${tag}@example.com`, password: "soak-password-b", accountIds: [accounts[1]!.id, accounts[2]!.id] },
    ],
  };
}

interface Step {
  at: number;
  kind: "check" | "outage";
  kill: boolean;
  freshStore: boolean;
  haRestart: boolean;
  fault?: Partial<Faults>;
  revise: boolean;
}

/** The scenario: check times with outages between some, and what goes wrong at each. */
export function soakSchedule(opts: Pick<SoakOptions, "seed" | "runs" | "from" | "to" | "outages" | "maxOutageDays" | "haRestarts" | "killChance">): Step[] {
  const rnd = random(opts.seed);
  const start = DateTime.fromISO(opts.from, { zone: SIM_ZONE }).toMillis();
  const end = DateTime.fromISO(opts.to, { zone: SIM_ZONE }).toMillis();
  const span = end - start;
  // Outages first: their lengths are drawn, the rest of the span is shared by the checks.
  const outageLengths = Array.from({ length: opts.outages }, (_, i) => (i === 0 ? opts.maxOutageDays : 3 + rnd() * (opts.maxOutageDays - 3)) * DAY_MS);
  const outageTotal = outageLengths.reduce((a, b) => a + b, 0);
  const gap = Math.max(6 * HOUR_MS, (span - outageTotal) / Math.max(1, opts.runs - opts.outages));
  const outageAt = new Set<number>();
  while (outageAt.size < opts.outages) outageAt.add(1 + Math.floor(rnd() * (opts.runs - 2)));
  const restartAt = new Set<number>();
  while (restartAt.size < opts.haRestarts) restartAt.add(1 + Math.floor(rnd() * (opts.runs - 1)));
  const faults: Partial<Faults>[] = [
    { serverError: { status: 500, count: 2 + Math.floor(rnd() * 5) } },
    { serverError: { status: 503, count: 20 } },
    { rateLimit: { retryAfterSec: 1, count: 5 } },
    { malformedBody: { count: 1, on: "usage" } },
    { malformedBody: { count: 30 } },
    { emptyArray: { count: 40 } },
    { unauthorized: { count: 3, on: "usage" } },
    { staleToken502: { count: 2 } },
  ];
  const steps: Step[] = [];
  let t = start;
  let outages = 0;
  for (let i = 0; i < opts.runs; i += 1) {
    if (outageAt.has(i)) {
      t += outageLengths[outages++]!;
      // The first outage always loses the cache (months HA holds in part must get their remainder); later ones at random.
      steps.push({ at: t, kind: "outage", kill: false, freshStore: outages === 1 || rnd() < 0.5, haRestart: false, revise: false });
    } else {
      t += gap * (0.4 + rnd() * 1.2);
      const roll = rnd();
      steps.push({
        at: t,
        kind: "check",
        kill: i === 0 || (!restartAt.has(i) && rnd() < (opts.killChance ?? 0.4)),
        freshStore: rnd() < 0.08,
        haRestart: restartAt.has(i),
        revise: rnd() < 0.35,
        ...(roll < 0.3 ? { fault: faults[Math.floor(rnd() * faults.length)]! } : {}),
      });
    }
  }
  return steps.map((s) => ({ ...s, at: Math.round(s.at / 60_000) * 60_000 }));
}

interface CliOutcome {
  code: number | null;
  killed: boolean;
  ms: number;
  stderr: string;
}

function runCli(configPath: string, nowMs: number, opts: { killAfterMs?: number; whenPublishing?: () => void } = {}): Promise<CliOutcome> {
  const started = Date.now();
  const now = DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).toISO()!;
  const child = spawn(process.execPath, [BIN, "sync", "--once", "--config", configPath, "--now", now], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let killed = false;
  let told = false;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!told && opts.whenPublishing && stderr.includes("imported statistics")) {
      told = true;
      opts.whenPublishing();
    }
  });
  child.stdout.resume();
  const timer = opts.killAfterMs === undefined ? undefined : setTimeout(() => {
    killed = child.kill("SIGKILL");
  }, opts.killAfterMs);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed: killed && code === null, ms: Date.now() - started, stderr });
    });
  });
}

/** Runs one scenario and compares HA with the simulator's truth at the end. */
export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => undefined);
  const steps = soakSchedule(opts);
  const { accounts, logins } = soakAccounts(opts.seed);
  const contracts = accounts.flatMap((a) => a.contracts);
  const clock = new ManualClock(steps[0]!.at);
  const sim = await startContactSimulator({ clock, seed: opts.seed, accounts, users: logins, tokenLifetimeMs: HOUR_MS });
  const dir = mkdtempSync(join(tmpdir(), `ei-soak-${opts.seed}-`));
  const storePath = join(dir, "cache.db");
  const configPath = join(dir, "energy-insights.yaml");
  writeFileSync(
    configPath,
    JSON.stringify({
      home_assistant: { url: opts.ha.url, token: opts.ha.token },
      store: { path: storePath },
      log: { level: "debug" },
      contact: { base_url: sim.url, accounts: logins.map((l) => ({ username: l.username, password: l.password })) },
      // Long windows, as a user with a backfill has: the daily probe then spans several requests.
      sync: { hourly_days: SOAK_HOURLY_DAYS, daily_days: opts.dailyDays, monthly_months: 24 },
    }),
  );
  const revisions = new Map<string, number>();
  const rnd = random(opts.seed ^ 0x5eed);
  const result: SoakResult = {
    seed: opts.seed,
    runs: 0,
    kills: 0,
    outages: 0,
    freshStores: 0,
    haRestarts: 0,
    faults: 0,
    revisions: 0,
    failedRuns: 0,
    hoursChecked: 0,
    hoursWrong: 0,
    daysChecked: 0,
    daysWrong: 0,
    monthsChecked: 0,
    monthsWrong: 0,
    sumBreaks: 0,
    negativeChanges: 0,
    problems: [],
  };
  let typicalMs = 4000;
  const freshStore = () => {
    for (const suffix of ["", "-wal", "-shm"]) if (existsSync(storePath + suffix)) rmSync(storePath + suffix);
    result.freshStores += 1;
  };
  const run = async (at: number, runOpts: { killAfterMs?: number; haRestart?: boolean } = {}) => {
    clock.set(at);
    let restarting: Promise<void> | undefined;
    const outcome = await runCli(configPath, at, {
      ...(runOpts.killAfterMs !== undefined ? { killAfterMs: runOpts.killAfterMs } : {}),
      ...(runOpts.haRestart ? { whenPublishing: () => void (restarting = opts.ha.restart()) } : {}),
    });
    if (restarting) {
      await restarting;
      result.haRestarts += 1;
    }
    result.runs += 1;
    if (outcome.killed) result.kills += 1;
    else if (outcome.code !== 0) result.failedRuns += 1;
    else typicalMs = 0.7 * typicalMs + 0.3 * outcome.ms;
    const day = DateTime.fromMillis(at, { zone: SIM_ZONE }).toFormat("yyyy-MM-dd HH:mm");
    const lastError = /"err":"([^"]{0,160})/.exec(outcome.stderr.split("\n").filter((l) => l.includes('"err"')).at(-1) ?? "")?.[1];
    log(`${day} ${outcome.killed ? `killed after ${runOpts.killAfterMs} ms` : `exit ${outcome.code} in ${outcome.ms} ms`}${outcome.code ? ` (${lastError ?? "no error logged"})` : ""}`);
    return outcome;
  };

  // A kill drawn after the run has ended kills nothing: it is owed to the next check, so that a scenario kills as many
  // runs as its schedule says however fast the runs are (a fresh seed's soak once counted 48 kills of a target of 50).
  let killsOwed = 0;
  try {
    for (const step of steps) {
      if (step.kind === "outage") {
        result.outages += 1;
        log(`outage until ${DateTime.fromMillis(step.at, { zone: SIM_ZONE }).toISODate()}${step.freshStore ? ", the cache is lost" : ""}`);
      }
      if (step.freshStore) freshStore();
      if (step.revise && reviseRecentHour(sim, contracts, opts.seed, step.at, revisions, rnd)) result.revisions += 1;
      if (step.fault) {
        sim.setFaults(step.fault);
        result.faults += 1;
      }
      const payingDebt = !step.kill && killsOwed > 0 && step.kind === "check" && !step.haRestart;
      if (step.kill || payingDebt) {
        const outcome = await run(step.at, { killAfterMs: Math.round(150 + rnd() * typicalMs) });
        if (outcome.killed && payingDebt) killsOwed -= 1;
        else if (!outcome.killed && step.kill) killsOwed += 1;
        // Half the time the next run is at the same moment (a supervisor restarting the process).
        if (rnd() < 0.5) await run(step.at + 60_000);
      } else {
        await run(step.at, { haRestart: step.haRestart });
      }
      sim.clearFaults();
    }
    // Settle: the provider healthy, one check now and one a day later (the revision checksum).
    const last = steps.at(-1)!.at;
    for (const at of [last + 6 * HOUR_MS, last + 30 * HOUR_MS]) {
      const outcome = await run(at);
      if (outcome.code !== 0) result.problems.push(`the settling run at ${new Date(at).toISOString()} failed: ${outcome.stderr.slice(-400)}`);
    }
    const finalAt = last + 30 * HOUR_MS;
    // Retried like the other harness connections: one refused attempt on a loaded machine (a full bench beside two other
    // processes) aborted a scenario whose every run had succeeded.
    const conn = await connectToHa({ url: opts.ha.url, token: opts.ha.token }, { setupRetry: 5 });
    try {
      for (const contract of contracts) await checkContract(conn, contract, opts.seed, revisions, finalAt, opts.dailyDays, result);
    } finally {
      conn.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** Revises one hour of a day the provider published within the last few days (as real revisions come). */
function reviseRecentHour(sim: ContactSimulator, contracts: SimContract[], seed: number, at: number, revisions: Map<string, number>, rnd: () => number): boolean {
  const contract = contracts[Math.floor(rnd() * contracts.length)]!;
  const today = localDay(at / 1000, SIM_ZONE);
  const days = daysBetween(addDays(today, -6), addDays(today, -1)).filter((d) => availableAtMs(contract.id, d, seed) <= at);
  const day = days.at(-1 - Math.floor(rnd() * Math.min(3, days.length)));
  if (!day) return false;
  const hours = dayHours(contract, day, seed, revisions);
  const hour = hours[Math.floor(rnd() * hours.length)]!;
  // A real revision: at least 50 Wh either way (the backend treats a few Wh as the rounding of two resolutions).
  const change = 0.05 + rnd() * Math.min(1.5, hour.wh / 1000 - 0.05);
  const kwh = Math.round((hour.wh / 1000 + (rnd() < 0.5 && hour.wh > 100 ? -change : change)) * 1000) / 1000;
  sim.revise(contract.id, hour.utc, kwh);
  revisions.set(revisionKey(contract.id, hour.utc), Math.round(kwh * 1000));
  return true;
}

interface TruthAmounts {
  paid_energy: number;
  free_energy: number;
  paid_cost: number;
}

function truthOfHours(contract: SimContract, day: string, seed: number, revisions: Map<string, number>): Map<number, TruthAmounts> {
  return new Map(dayHours(contract, day, seed, revisions).map((h) => [h.utc, { paid_energy: (h.wh - h.freeWh) / 1000, free_energy: h.freeWh / 1000, paid_cost: h.mills / 1000 }]));
}

function truthOfDay(contract: SimContract, day: string, seed: number, revisions: Map<string, number>): TruthAmounts {
  const s = sumAmounts(dayHours(contract, day, seed, revisions));
  return { paid_energy: (s.wh - s.freeWh) / 1000, free_energy: s.freeWh / 1000, paid_cost: s.mills / 1000 };
}

async function haRows(conn: Connection, id: string): Promise<StatisticValue[]> {
  const res = await statisticsDuringPeriod(conn, { startTime: new Date(Date.UTC(2020, 0, 1)), endTime: new Date(Date.UTC(2030, 0, 1)), statisticIds: [id], period: "hour", types: ["state", "sum"] });
  return res[id] ?? [];
}

/**
 * HA against the truth for one contract, at the resolution the provider still offers at the end:
 * every hour of the final hourly window, every day of the final daily window, every complete month
 * since the first, and sums that continue row to row without going down.
 */
async function checkContract(conn: Connection, contract: SimContract, seed: number, revisions: Map<string, number>, finalAt: number, dailyDays: number, result: SoakResult): Promise<void> {
  const today = localDay(finalAt / 1000, SIM_ZONE);
  const problem = (text: string) => {
    if (result.problems.length < 40) result.problems.push(text);
  };
  for (const kind of KINDS) {
    const id = statisticId(seriesKey("contact", contract.icp, kind));
    const rows = (await haRows(conn, id)).map((r) => ({ start: r.start / 1000, state: r.state ?? Number.NaN, sum: r.sum ?? Number.NaN }));
    if (rows.length === 0) {
      problem(`${id}: no rows in HA`);
      result.hoursWrong += 1;
      continue;
    }
    for (let i = 1; i < rows.length; i += 1) {
      const step = rows[i]!.sum - rows[i - 1]!.sum;
      if (rows[i]!.state < -TOLERANCE || step < -TOLERANCE) {
        result.negativeChanges += 1;
        problem(`${id}: negative change at ${new Date(rows[i]!.start * 1000).toISOString()} (state ${rows[i]!.state}, sum step ${step})`);
      } else if (Math.abs(step - rows[i]!.state) > TOLERANCE) {
        result.sumBreaks += 1;
        problem(`${id}: sum break at ${new Date(rows[i]!.start * 1000).toISOString()} (sum step ${step}, state ${rows[i]!.state})`);
      }
    }
    const byStart = new Map(rows.map((r) => [r.start, r]));
    const inRange = (from: number, to: number) => rows.filter((r) => r.start >= from && r.start < to).reduce((s, r) => s + r.state, 0);

    // Hours of the final hourly window that the provider has.
    for (const day of daysBetween(addDays(today, -SOAK_HOURLY_DAYS), addDays(today, -1))) {
      if (availableAtMs(contract.id, day, seed) > finalAt) continue;
      for (const [utc, truth] of truthOfHours(contract, day, seed, revisions)) {
        result.hoursChecked += 1;
        const got = byStart.get(utc);
        if (!got || Math.abs(got.state - truth[kind]) > TOLERANCE) {
          result.hoursWrong += 1;
          problem(`${id}: hour ${new Date(utc * 1000).toISOString()} is ${got?.state ?? "missing"}, the provider says ${truth[kind]}`);
        }
      }
      const hoursInHa = rows.filter((r) => localDay(r.start, SIM_ZONE) === day).length;
      if (hoursInHa !== hoursInDay(day, SIM_ZONE)) problem(`${id}: ${day} has ${hoursInHa} rows, not ${hoursInDay(day, SIM_ZONE)}`);
    }
    // Days of the final daily window.
    for (const day of daysBetween(addDays(today, -dailyDays), addDays(today, -1))) {
      if (availableAtMs(contract.id, day, seed) > finalAt) continue;
      result.daysChecked += 1;
      const from = DateTime.fromISO(day, { zone: SIM_ZONE }).toSeconds();
      const got = inRange(from, DateTime.fromISO(day, { zone: SIM_ZONE }).plus({ days: 1 }).toSeconds());
      const want = truthOfDay(contract, day, seed, revisions)[kind];
      if (Math.abs(got - want) > TOLERANCE * 30) {
        result.daysWrong += 1;
        problem(`${id}: day ${day} totals ${got.toFixed(4)} in HA, the provider says ${want.toFixed(4)}`);
      }
    }
    // Every month from the first HA has whose days the provider has all published.
    const firstMonth = DateTime.fromSeconds(rows[0]!.start, { zone: SIM_ZONE }).startOf("month");
    for (let m = firstMonth; m < DateTime.fromISO(today, { zone: SIM_ZONE }).startOf("month"); m = m.plus({ months: 1 })) {
      const days = daysBetween(m.toISODate()!, m.endOf("month").toISODate()!);
      if (days.some((d) => availableAtMs(contract.id, d, seed) > finalAt)) continue;
      result.monthsChecked += 1;
      const want = days.reduce((s, d) => s + truthOfDay(contract, d, seed, revisions)[kind], 0);
      const got = inRange(m.toSeconds(), m.plus({ months: 1 }).toSeconds());
      if (Math.abs(got - want) > TOLERANCE * 100) {
        result.monthsWrong += 1;
        problem(`${id}: month ${m.toFormat("yyyy-MM")} totals ${got.toFixed(4)} in HA, the provider says ${want.toFixed(4)}`);
      }
    }
  }
}
