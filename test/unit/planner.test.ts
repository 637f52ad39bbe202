import { test } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { chunkDays, planContract, PROBE_KEY, type Attempt, type ContractCoverage, type PeriodCoverage, type PlannerSettings, type UsageRequest } from "../../server/src/sync/planner.js";
import { addDays, daysBetween, hoursInDay, localDay } from "../../server/src/time/local.js";

const NZ = "Pacific/Auckland";
const HOUR = 3600_000;
const settings: PlannerSettings = { zone: NZ, hourlyDays: 9, dailyDays: 35, monthlyMonths: 18, probeIntervalMs: 24 * HOUR, retryAfterMs: 6 * HOUR, maxDailyRangeDays: 90 };

/** A provider model: day D exists from 2 days after its end; revisions change a day's total. */
class World {
  revised = new Map<string, number>();
  failing = false;
  available(day: string, nowMs: number): boolean {
    return DateTime.fromISO(day, { zone: NZ }).plus({ days: 3 }).toMillis() <= nowMs;
  }
  total(day: string): number {
    return 24 + (this.revised.get(day) ?? 0);
  }
}

class Store implements ContractCoverage {
  hourly = new Map<string, PeriodCoverage>();
  daily = new Map<string, PeriodCoverage>();
  monthly = new Map<string, PeriodCoverage>();
  lastProbeAt: number | undefined;
  attempts = new Map<string, Attempt>();
}

function execute(req: UsageRequest, store: Store, world: World, now: number): void {
  const ok = !world.failing;
  store.attempts.set(req.interval === "daily" ? PROBE_KEY : req.key, { at: now, ok });
  if (!ok) return;
  if (req.interval === "daily") {
    store.lastProbeAt = now;
    for (const d of daysBetween(req.from, req.to)) if (world.available(d, now)) store.daily.set(d, { rows: 1, totalKwh: world.total(d), cost: null, fetchedAt: now });
  } else if (req.interval === "hourly") {
    if (world.available(req.from, now)) store.hourly.set(req.from, { rows: hoursInDay(req.from, NZ), totalKwh: world.total(req.from), cost: null, fetchedAt: now });
  } else {
    for (let m = req.from.slice(0, 7); m <= req.to.slice(0, 7); m = DateTime.fromISO(`${m}-01`).plus({ months: 1 }).toFormat("yyyy-MM")) store.monthly.set(m, { rows: 1, totalKwh: 700, cost: null, fetchedAt: now });
  }
}

/** One check: plan and execute until the planner has nothing more to ask. */
function check(store: Store, world: World, now: number): UsageRequest[] {
  const done: UsageRequest[] = [];
  for (let round = 0; round < 10; round += 1) {
    const reqs = planContract(store, now, settings);
    if (reqs.length === 0) return done;
    for (const r of reqs) {
      execute(r, store, world, now);
      done.push(r);
    }
  }
  assert.fail("the planner did not settle within 10 rounds");
}

const start = DateTime.fromISO("2026-04-10T09:00", { zone: NZ }).toMillis();

test("cold start: one probe, one monthly call, one call per available hourly day", () => {
  const store = new Store();
  const reqs = check(store, new World(), start);
  const hourly = reqs.filter((r) => r.interval === "hourly");
  assert.equal(reqs.filter((r) => r.interval === "daily").length, 1);
  assert.equal(reqs.filter((r) => r.interval === "monthly").length, 1);
  assert.equal(hourly.length, 7, "days 9..3 ago exist, the last two do not yet");
  assert.ok(reqs.length <= settings.hourlyDays + 2);
  assert.ok(hourly.some((r) => r.from === "2026-04-05"), "the 25-hour DST day is in the window");
  const daily = reqs.find((r) => r.interval === "daily")!;
  assert.equal(daily.from, addDays("2026-04-10", -35));
  const monthly = reqs.find((r) => r.interval === "monthly")!;
  assert.deepEqual([monthly.from, monthly.to], ["2024-10-01", "2026-03-31"]);
});

test("inside the probe interval nothing is asked; each later day costs a probe and the new day", () => {
  const store = new Store();
  const world = new World();
  check(store, world, start);
  assert.deepEqual(check(store, world, start + 6 * HOUR), []);
  let total = 0;
  const days = 30;
  for (let t = start + 6 * HOUR; t < start + days * 24 * HOUR; t += 6 * HOUR) {
    const reqs = check(store, world, t);
    total += reqs.length;
    assert.ok(reqs.every((r) => r.interval !== "hourly" || r.reason === "new day"), JSON.stringify(reqs));
  }
  // 2 planner calls a day (probe + new day) plus a month call when a month leaves the daily window.
  assert.ok(total / days <= 2.1, `requests per day ${total / days}`);
  const today = localDay((start + days * 24 * HOUR) / 1000, NZ);
  assert.ok(store.hourly.has(addDays(today, -4)));
});

test("a revised day is found by its day total and only that day is fetched again", () => {
  const store = new Store();
  const world = new World();
  check(store, world, start);
  world.revised.set("2026-04-03", 1.5);
  const reqs = check(store, world, start + 24 * HOUR);
  const hourly = reqs.filter((r) => r.interval === "hourly");
  assert.deepEqual(hourly.map((r) => [r.from, r.reason]), [["2026-04-03", "revised day"], ["2026-04-08", "new day"]]);
  assert.equal(store.hourly.get("2026-04-03")!.totalKwh, 25.5);
});

test("a failed probe is retried at the next check, not in a loop", () => {
  const store = new Store();
  const world = new World();
  world.failing = true;
  const first = check(store, world, start);
  assert.equal(first.filter((r) => r.interval === "daily").length, 1);
  assert.equal(first.length, 2, "the probe and the month call are each tried once");
  assert.equal(check(store, world, start + HOUR).length, 0);
  world.failing = false;
  assert.ok(check(store, world, start + 6 * HOUR).length > 2);
});

test("backfill extends the daily window in chunks the provider accepts", () => {
  const reqs = planContract(new Store(), start, { ...settings, backfillFrom: "2025-10-01" });
  assert.ok(reqs.length >= 3);
  for (const r of reqs) assert.ok(daysBetween(r.from, r.to).length <= 90);
  assert.equal(reqs[0]!.from, "2025-10-01");
  assert.equal(reqs.at(-1)!.to, "2026-04-09");
});

test("chunkDays covers the range exactly", () => {
  assert.deepEqual(chunkDays("2026-01-01", "2026-01-05", 2), [["2026-01-01", "2026-01-02"], ["2026-01-03", "2026-01-04"], ["2026-01-05", "2026-01-05"]]);
});
