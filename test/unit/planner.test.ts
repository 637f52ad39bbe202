import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DateTime } from "luxon";
import { chunkDays, holesInAnswer, lagFloor, planContract, updateLag, type ContractCoverage, type LagState, type PeriodCoverage, type PlannerSettings, type UsageRequest } from "../../server/src/sync/planner.js";
import { addDays, daysBetween, hoursInDay, localDay } from "../../server/src/time/local.js";

const NZ = "Pacific/Auckland";
const HOUR = 3600_000;
const settings: PlannerSettings = { zone: NZ, hourlyDays: 9, dailyDays: 35, monthlyMonths: 18, probeIntervalMs: 24 * HOUR, checkIntervalMs: 6 * HOUR, maxDailyRangeDays: 90, maxDailyHistoryDays: 540 };

/** A provider model: day D exists from `lagHours(D)` after its end; revisions change a day's total. */
class World {
  revised = new Map<string, number>();
  failing = false;
  /** Days the provider never has (a meter outage). */
  holes = new Set<string>();
  constructor(readonly lagHours: (day: string) => number = () => 48) {}
  availableAt(day: string): number {
    return DateTime.fromISO(day, { zone: NZ }).plus({ days: 1 }).toMillis() + this.lagHours(day) * HOUR;
  }
  available(day: string, nowMs: number): boolean {
    return !this.holes.has(day) && this.availableAt(day) <= nowMs;
  }
  total(day: string): number {
    return 24 + (this.revised.get(day) ?? 0);
  }
}

class Coverage implements ContractCoverage {
  hourly = new Map<string, PeriodCoverage>();
  daily = new Map<string, PeriodCoverage>();
  monthly = new Map<string, PeriodCoverage>();
  lastChecksumAt: number | undefined;
  monthlyAskedAt = new Map<string, number>();
  /** Kept as the contact job keeps it: updated from every probe's answer. */
  lag: LagState = { absent: {}, bounds: [] };
  get lagBounds(): LagState["bounds"] {
    return this.lag.bounds;
  }
}

/** What the contact job does with an answer (in one transaction there). */
function execute(req: UsageRequest, cov: Coverage, world: World, now: number): void {
  if (world.failing) throw new Error("provider down");
  if (req.interval === "daily") {
    const answered = new Set<string>();
    for (const d of daysBetween(req.from, req.to)) {
      if (!world.available(d, now)) continue;
      answered.add(d);
      cov.daily.set(d, { rows: 1, totalKwh: world.total(d), cost: null, fetchedAt: now });
    }
    for (const d of holesInAnswer(req.from, req.to, answered)) if (!cov.daily.has(d)) cov.daily.set(d, { rows: 0, totalKwh: 0, cost: null, fetchedAt: now });
    if (req.completesChecksum) cov.lastChecksumAt = now;
  } else if (req.interval === "hourly") {
    if (world.available(req.from, now)) cov.hourly.set(req.from, { rows: hoursInDay(req.from, NZ), totalKwh: world.total(req.from), cost: null, fetchedAt: now });
  } else {
    cov.monthlyAskedAt.set(req.key, now);
    for (let m = req.from.slice(0, 7); m <= req.to.slice(0, 7); m = DateTime.fromISO(`${m}-01`).plus({ months: 1 }).toFormat("yyyy-MM")) cov.monthly.set(m, { rows: 1, totalKwh: 700, cost: null, fetchedAt: now });
  }
}

/** One check as the job runs it: plan and execute until the planner has nothing more; a failure ends the check. */
function check(cov: Coverage, world: World, now: number, opts: { killAfter?: number } = {}): UsageRequest[] {
  const done: UsageRequest[] = [];
  const asked = new Set<string>();
  for (let round = 0; round < 20; round += 1) {
    const reqs = planContract(cov, now, settings, { asked });
    if (reqs.length === 0) return done;
    for (const r of reqs) {
      if (opts.killAfter !== undefined && done.length >= opts.killAfter) return done;
      asked.add(r.key);
      done.push(r);
      try {
        execute(r, cov, world, now);
        if (r.probe) cov.lag = updateLag(cov.lag, r, cov, now, settings);
      } catch {
        return done;
      }
    }
  }
  assert.fail("the planner did not settle within 20 rounds");
}

const start = DateTime.fromISO("2026-04-10T09:00", { zone: NZ }).toMillis();

test("cold start: one probe, one monthly call, one call per available hourly day", () => {
  const cov = new Coverage();
  const reqs = check(cov, new World(), start);
  const hourly = reqs.filter((r) => r.interval === "hourly");
  assert.equal(reqs.filter((r) => r.interval === "daily").length, 1);
  assert.equal(reqs.filter((r) => r.interval === "monthly").length, 1);
  assert.equal(hourly.length, 7, "days 9..3 ago exist, the last two do not yet");
  assert.ok(reqs.length <= settings.hourlyDays + 2);
  assert.ok(hourly.some((r) => r.from === "2026-04-05"), "the 25-hour DST day is in the window");
  const daily = reqs.find((r) => r.interval === "daily")!;
  assert.equal(daily.from, addDays("2026-04-10", -35));
  assert.equal(daily.completesChecksum, true);
  const monthly = reqs.find((r) => r.interval === "monthly")!;
  assert.deepEqual([monthly.from, monthly.to], ["2024-10-01", "2026-03-31"]);
});

test("every check asks once for the days not in yet; a day is fetched at the first check after the provider has it", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 12 }), (seed, checkHours) => {
      // Lags of 24..72 h, a different one each day at random, so days also arrive out of order.
      const world = new World((day) => 24 + ((Math.imul(seed ^ Number(day.replaceAll("-", "")), 2654435761) >>> 0) % 49));
      const cov = new Coverage();
      check(cov, world, start);
      for (let t = start + checkHours * HOUR; t < start + 14 * 24 * HOUR; t += checkHours * HOUR) {
        const reqs = check(cov, world, t);
        assert.ok(reqs.filter((r) => r.interval === "daily").length <= 1, "one probe a check");
        const hourlyKeys = reqs.filter((r) => r.interval === "hourly").map((r) => r.key);
        assert.equal(new Set(hourlyKeys).size, hourlyKeys.length, "nothing asked twice in a check");
        const today = localDay(t / 1000, NZ);
        for (const day of daysBetween(addDays(today, -settings.hourlyDays), addDays(today, -1))) {
          if (world.available(day, t)) assert.ok(cov.hourly.has(day), `${day} was available at ${new Date(t).toISOString()} and is not in`);
        }
      }
    }),
    { numRuns: 8 },
  );
});

test("before the provider's rhythm is known: at most one probe a check, the new day once, the revision checksum about once a day", () => {
  const world = new World();
  const cov = new Coverage();
  check(cov, world, start);
  let probes = 0;
  let checksums = 0;
  let hourly = 0;
  const days = 30;
  for (let t = start + 6 * HOUR; t <= start + days * 24 * HOUR; t += 6 * HOUR) {
    const reqs = check(cov, world, t);
    probes += reqs.filter((r) => r.interval === "daily").length;
    checksums += reqs.filter((r) => r.completesChecksum).length;
    hourly += reqs.filter((r) => r.interval === "hourly").length;
    assert.ok(reqs.every((r) => r.interval !== "hourly" || r.reason === "new day"), JSON.stringify(reqs));
  }
  assert.equal(hourly, days, "each new day once");
  assert.ok(checksums >= days - 1 && checksums <= days * 1.25, `the checksum about once a day (${checksums} in ${days} days): it rides on a day's probe`);
  assert.ok(probes <= days * 4, `probes ${probes}`);
});

test("a revised day is found by the next day's checksum and only that day is fetched again", () => {
  const cov = new Coverage();
  const world = new World();
  check(cov, world, start);
  world.revised.set("2026-04-03", 1.5);
  const sixHours = check(cov, world, start + 6 * HOUR);
  assert.ok(sixHours.every((r) => r.interval !== "hourly"), "no checksum yet: only the probe for the late days");
  const reqs = check(cov, world, start + 24 * HOUR);
  const hourly = reqs.filter((r) => r.interval === "hourly");
  assert.deepEqual(hourly.map((r) => [r.from, r.reason]), [["2026-04-03", "revised day"], ["2026-04-08", "new day"]]);
  assert.equal(cov.hourly.get("2026-04-03")!.totalKwh, 25.5);
});

test("a check that runs a little earlier in the day than yesterday's still reads the checksum", () => {
  const cov = new Coverage();
  const world = new World();
  check(cov, world, start + 2000);
  const reqs = check(cov, world, start + 24 * HOUR);
  assert.ok(reqs.some((r) => r.completesChecksum), "24 h minus 2 s later the checksum is due");
});

test("a failed request is asked again at the next check, even at the same moment, and not in a loop", () => {
  const cov = new Coverage();
  const world = new World();
  world.failing = true;
  const first = check(cov, world, start);
  assert.equal(first.length, 1, "the probe fails and ends the check");
  world.failing = false;
  const again = check(cov, world, start);
  assert.ok(again.length > 2, "the same check again asks everything");
  assert.ok(cov.hourly.has("2026-04-07"));
});

test("a day the provider answers empty is asked again at the next check", () => {
  const cov = new Coverage();
  const world = new World();
  check(cov, world, start);
  // The day total says 2026-04-08 exists, but the hourly answer is empty (the provider is behind itself).
  const later = start + 24 * HOUR;
  cov.daily.set("2026-04-08", { rows: 1, totalKwh: 24, cost: null, fetchedAt: later });
  const holdBack = new World(() => 10_000);
  check(cov, holdBack, later);
  assert.ok(!cov.hourly.has("2026-04-08"));
  const next = check(cov, world, later + 6 * HOUR);
  assert.ok(next.some((r) => r.key === "hourly:2026-04-08"));
  assert.ok(cov.hourly.has("2026-04-08"));
});

test("killed between the chunks of a probe, the next check probes again and nothing stays missing", () => {
  const cov = new Coverage();
  const world = new World();
  const wide = { ...settings, maxDailyRangeDays: 10 };
  const asked = new Set<string>();
  const first = planContract(cov, start, wide, { asked });
  assert.ok(first.length >= 3 && first.every((r) => r.interval === "daily"));
  execute(first[0]!, cov, world, start); // then SIGKILL
  assert.equal(cov.lastChecksumAt, undefined, "a partial probe is no checksum");
  const again = planContract(cov, start + 1000, wide, { asked: new Set() });
  assert.equal(again[0]!.interval, "daily");
  assert.equal(again.at(-1)!.to, "2026-04-09");
  check(cov, world, start + 1000);
  for (const day of daysBetween("2026-04-01", "2026-04-07")) assert.ok(cov.hourly.has(day), day);
});

test("after an outage the gap is asked as day totals back to the day after the newest stored day", () => {
  const cov = new Coverage();
  const world = new World();
  check(cov, world, start);
  const september = DateTime.fromISO("2026-09-26T09:00", { zone: NZ }).toMillis();
  const reqs = check(cov, world, september);
  const daily = reqs.filter((r) => r.interval === "daily");
  assert.equal(daily[0]!.from, "2026-04-08", "from the day after the newest day stored");
  const monthly = reqs.filter((r) => r.interval === "monthly");
  assert.deepEqual(monthly, [], "no month totals: the days are finer");
  for (const day of daysBetween("2026-04-08", "2026-09-23")) assert.ok(cov.daily.has(day), day);
});

test("a hole in the provider's days is asked a few days, then recorded as empty", () => {
  const cov = new Coverage();
  const world = new World();
  world.holes.add("2026-03-28");
  check(cov, world, start);
  assert.equal(cov.daily.get("2026-03-28")?.rows, 0, "older than a week before the newest day: a hole");
  assert.equal(check(cov, world, start + 6 * HOUR).filter((r) => r.interval === "daily")[0]!.from, "2026-04-08", "a hole is not asked at every check");
  world.holes.add("2026-04-06");
  const c2 = new Coverage();
  check(c2, world, start);
  assert.equal(c2.daily.get("2026-04-06"), undefined, "a recent missing day is late, not a hole");
  const next = check(c2, world, start + 6 * HOUR);
  assert.equal(next.filter((r) => r.interval === "daily")[0]!.from, "2026-04-06");
});

test("backfill extends the daily window in chunks the provider accepts", () => {
  const reqs = planContract(new Coverage(), start, { ...settings, backfillFrom: "2025-10-01" });
  assert.ok(reqs.length >= 3);
  for (const r of reqs) assert.ok(daysBetween(r.from, r.to).length <= 90);
  assert.equal(reqs[0]!.from, "2025-10-01");
  assert.equal(reqs.at(-1)!.to, "2026-04-09");
});

test("chunkDays covers the range exactly", () => {
  assert.deepEqual(chunkDays("2026-01-01", "2026-01-05", 2), [["2026-01-01", "2026-01-02"], ["2026-01-03", "2026-01-04"], ["2026-01-05", "2026-01-05"]]);
});

test("a steady provider is learned: after a week one probe a day finds the new day at the first check it is there, with the checksum riding on it", () => {
  for (const lagHours of [26, 30, 41, 55]) {
    const world = new World(() => lagHours);
    const cov = new Coverage();
    check(cov, world, start);
    const counted = { daily: 0, hourly: 0, checksums: 0, days: 0 };
    let lastChecksum = start;
    for (let t = start + 6 * HOUR; t <= start + 40 * 24 * HOUR; t += 6 * HOUR) {
      const reqs = check(cov, world, t);
      if (reqs.some((r) => r.completesChecksum)) {
        assert.ok(t - lastChecksum <= 30 * HOUR, `lag ${lagHours} h: the checksum waited ${(t - lastChecksum) / HOUR} h`);
        lastChecksum = t;
      }
      const today = localDay(t / 1000, NZ);
      for (const day of daysBetween(addDays(today, -settings.hourlyDays), addDays(today, -1))) {
        if (world.available(day, t)) assert.ok(cov.hourly.has(day), `lag ${lagHours} h: ${day} was there at ${new Date(t).toISOString()} and is not in`);
      }
      if (t < start + 7 * 24 * HOUR) continue;
      if (t % (24 * HOUR) === start % (24 * HOUR)) counted.days += 1;
      counted.daily += reqs.filter((r) => r.interval === "daily").length;
      counted.hourly += reqs.filter((r) => r.interval === "hourly").length;
    }
    assert.ok(counted.daily / counted.days <= 1.5, `lag ${lagHours} h: ${counted.daily} daily requests in ${counted.days} days`);
    assert.ok(counted.hourly / counted.days <= 1.05, `lag ${lagHours} h: ${counted.hourly} hourly requests in ${counted.days} days`);
  }
});

test("lag floor: none or few bounds, or bounds that spread, ask at every check; four that agree ask after the smallest, and a check earlier once they are three days old", () => {
  const s = { checkIntervalMs: 6 * HOUR };
  const now = start;
  const at = (daysAgo: number) => now - daysAgo * 24 * HOUR;
  assert.equal(lagFloor([], now, s), 0);
  assert.equal(lagFloor([{ at: at(1), ms: 27 * HOUR }, { at: at(2), ms: 27 * HOUR }, { at: at(3), ms: 28 * HOUR }], now, s), 0, "three bounds are not enough");
  const steady = [30, 27, 29, 31].map((h, i) => ({ at: at(i + 1), ms: h * HOUR }));
  assert.equal(lagFloor(steady, now, s), 27 * HOUR);
  assert.equal(lagFloor(steady.map((b) => ({ ...b, at: b.at - 3 * 24 * HOUR })), now, s), 21 * HOUR, "measured again from a check earlier");
  assert.equal(lagFloor([...steady, { at: at(1), ms: 40 * HOUR }], now, s), 0, "a day 13 h slower: erratic");
});
