import { test } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { ManualClock } from "../../server/src/time/clock.js";
import { availableAtMs, dayHours, DEFAULT_SIM_ACCOUNTS, sumAmounts } from "../../server/src/simulate/contact/data.js";
import { seriesKey } from "../../server/src/statistics/ids.js";
import { addDays, daysBetween } from "../../server/src/time/local.js";
import { parseConfig, ConfigError } from "../../server/src/config/index.js";
import { SIM_SEED, SIM_USER, simulator, testBackend, testConfig } from "../helpers/backend.js";
import { checkDelayMs } from "../../server/src/service.js";
import { storedBills } from "../../server/src/sync/contact-bills.js";
import { contactBillStatuses, contractsDailyCosts } from "../../server/src/api/bill-status.js";
import { projectBill } from "../../server/src/bill/projection.js";
import { simBill } from "../../server/src/simulate/contact/data.js";
import { slug } from "../../server/src/statistics/ids.js";
import { contactLogins } from "../../server/src/sync/contact-source.js";

const NZ = "Pacific/Auckland";
const nz = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toMillis();
const CONTRACTS = DEFAULT_SIM_ACCOUNTS.flatMap((a) => a.contracts);

test("cold sync of every contract stores exactly the simulator's hours and days, within the call budget", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const { app } = testBackend(testConfig(sim), clock);
  t.after(() => app.close());

  const summary = await app.service.syncOnce();
  assert.equal(summary.ok, true, summary.errors.join("; "));
  const perContract = sim.requestLog.length / CONTRACTS.length;
  assert.ok(perContract <= 9 + 4, `cold start used ${sim.requestLog.length} requests for ${CONTRACTS.length} contracts`);

  for (const contract of CONTRACTS) {
    const stored = app.store.readings(seriesKey("contact", contract.icp, "paid_energy"), "hour");
    const free = app.store.readings(seriesKey("contact", contract.icp, "free_energy"), "hour");
    const cost = app.store.readings(seriesKey("contact", contract.icp, "paid_cost"), "hour");
    const storedDays = new Set(stored.map((r) => DateTime.fromSeconds(r.start, { zone: NZ }).toISODate()));
    assert.ok(storedDays.has("2026-04-05"), "the 25-hour day is stored");
    for (const day of storedDays) {
      const hours = dayHours(contract, day!, SIM_SEED);
      for (const h of hours) {
        const paid = stored.find((r) => r.start === h.utc);
        assert.ok(paid, `${contract.icp} ${day} hour at ${h.utc} missing`);
        assert.equal(paid.value, (h.wh - h.freeWh) / 1000);
        assert.equal(free.find((r) => r.start === h.utc)!.value, h.freeWh / 1000);
        assert.equal(cost.find((r) => r.start === h.utc)!.value, h.mills / 1000);
      }
    }
    assert.equal(stored.filter((r) => DateTime.fromSeconds(r.start, { zone: NZ }).toISODate() === "2026-04-05").length, 25);
    const days = app.store.readings(seriesKey("contact", contract.icp, "paid_energy"), "day");
    const older = days.find((r) => DateTime.fromSeconds(r.start, { zone: NZ }).toISODate() === "2026-03-10")!;
    const expected = sumAmounts(dayHours(contract, "2026-03-10", SIM_SEED));
    assert.equal(older.value, (expected.wh - expected.freeWh) / 1000);
  }
  const goodNights = CONTRACTS.find((c) => c.plan.freeHours)!;
  const freeSum = app.store.readings(seriesKey("contact", goodNights.icp, "free_energy"), "hour").reduce((s, r) => s + r.value, 0);
  assert.ok(freeSum > 0, "the free-hours plan has free kWh");
});

test("steady state: a probe per check and each new day once per contract; a restart inside the interval makes no call", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const config = testConfig(sim);
  let backend = testBackend(config, clock);
  await backend.app.service.syncOnce();

  sim.clearLog();
  const days = 14;
  for (let i = 0; i < days * 4; i += 1) {
    clock.advance(6 * 3600_000);
    if (backend.app.service.nextCheckAt() <= clock.now()) {
      const s = await backend.app.service.syncOnce();
      assert.equal(s.ok, true, s.errors.join("; "));
    }
  }
  const perContractDay = sim.requestLog.length / CONTRACTS.length / days;
  // Each check asks once per contract which late days are in now (a day is in HA within one check
  // of the provider having it); each new day is fetched once; logins are shared by the contracts.
  const count = (pred: (r: (typeof sim.requestLog)[number]) => boolean) => sim.requestLog.filter(pred).length;
  const checks = days * 4;
  assert.ok(count((r) => r.query.interval === "daily") <= checks * CONTRACTS.length, "at most one probe per contract per check");
  assert.equal(count((r) => r.query.interval === "hourly"), days * CONTRACTS.length, "each new day fetched once per contract");
  assert.ok(count((r) => r.path === "/login/v2") <= checks, "at most one login per check");
  // Bills: each account read again on its bill date and after its payment due date, one request each.
  const billReads = count((r) => r.path === "/accounts/v2");
  assert.ok(billReads <= 2 * DEFAULT_SIM_ACCOUNTS.length, `${billReads} accounts reads in ${days} days`);
  assert.ok(sim.requestLog.length <= days * CONTRACTS.length * (4 + 1) + checks + billReads, `steady state used ${perContractDay.toFixed(2)} requests per contract per day`);
  const usage = sim.requestLog.filter((r) => r.path.startsWith("/usage/"));
  assert.ok(usage.every((r) => r.query.interval !== "hourly" || r.query.from! >= addDays("2026-04-10", -9)), "old hourly days are never fetched again");

  // A restart inside the check interval: a new backend on the same store makes no call at all.
  backend.app.close();
  sim.clearLog();
  clock.advance(3600_000);
  backend = testBackend(config, clock);
  t.after(() => backend.app.close());
  assert.ok(backend.app.service.nextCheckAt() > clock.now());
  const stop = new AbortController();
  const running = backend.app.service.run(stop.signal);
  clock.advance(60_000);
  stop.abort();
  await running;
  assert.equal(sim.requestLog.length, 0);
});

test("bill facts are stored with the contracts, and read again only on a bill date and after a payment due date", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const { app } = testBackend(testConfig(sim), clock);
  t.after(() => app.close());
  const accountsReads = () => sim.requestLog.filter((r) => r.path === "/accounts/v2");

  await app.service.syncOnce();
  assert.equal(accountsReads().length, 2, "the cold start's accounts reads (summary, the second account's detail) carry the bills");
  const first = storedBills(app.store, slug(SIM_USER.username))!;
  assert.deepEqual(
    first.map((a) => [a.accountId, a.nextBillDate, a.paymentDueDate, a.lastBillDate]),
    [
      ["501234567", "2026-04-19", "2026-04-02", undefined],
      ["501234568", "2026-05-05", "2026-04-19", undefined],
    ],
  );
  assert.ok(first[1]!.balance! > 0, "the Bach's April bill is not due yet");

  const readsOn: string[] = [];
  sim.clearLog();
  while (clock.now() < nz("2026-05-01T00:00")) {
    clock.advance(6 * 3600_000);
    if (app.service.nextCheckAt() > clock.now()) continue;
    const before = accountsReads().length;
    const s = await app.service.syncOnce();
    assert.equal(s.ok, true, s.errors.join("; "));
    for (const r of accountsReads().slice(before)) readsOn.push(`${DateTime.fromMillis(clock.now(), { zone: NZ }).toISODate()} ${r.query.ba}`);
  }
  // Apr 19: Main St's bill date; Apr 20: the day after the Bach's payment was due; one request each.
  assert.deepEqual(readsOn, ["2026-04-19 501234567", "2026-04-20 501234568"]);
  const after = storedBills(app.store, slug(SIM_USER.username))!;
  assert.equal(after[0]!.lastBillDate, "2026-04-19");
  assert.equal(after[0]!.nextBillDate, "2026-05-19");
  assert.equal(after[1]!.balance, 0, "paid by direct debit");
});

test("the bill in status agrees with the simulator's invoice: a whole period's so far is what Contact bills, and the next period starts at the bill", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const base = testConfig(sim);
  const config = { ...base, contact: { ...base.contact!, dailyFixedCharge: 2.3 } };
  const { app } = testBackend(config, clock);
  t.after(() => app.close());
  await app.service.syncOnce();
  // Just before Main St's bill of Apr 19, every day of its period Mar 19 – Apr 18 is in once Contact has published them.
  while (clock.now() + 6 * 3600_000 <= nz("2026-04-18T23:00")) {
    clock.advance(6 * 3600_000);
    if (app.service.nextCheckAt() <= clock.now()) await app.service.syncOnce();
  }
  const before = contactBillStatuses(config.contact, app.store, clock.now()).find((b) => b.account === "501234567")!;
  assert.equal(before.period!.start, "2026-03-19");
  assert.equal(before.period!.end, "2026-04-19");
  assert.equal(before.period!.daily_fixed_charge, 4.6, "two contracts at 2.30");
  const main = DEFAULT_SIM_ACCOUNTS[0]!;
  // The invoice issued on Apr 19 covers Mar 19 – Apr 18.
  const invoice = simBill(main, nz("2026-04-19T12:00"), SIM_SEED).amountDueMills / 1000;
  const missing = before.period!.days - before.period!.days_with_data;
  assert.ok(missing <= 3, `${missing} days not in yet the day before the bill`);
  assert.ok(Math.abs(before.period!.projected! - invoice) / invoice < 0.1, `projected ${before.period!.projected} for an invoice of ${invoice}`);

  // After the bill: the account is read again, its invoice is that bill, and the new period starts on the bill date.
  while (clock.now() < nz("2026-04-23T12:00")) {
    clock.advance(6 * 3600_000);
    if (app.service.nextCheckAt() <= clock.now()) await app.service.syncOnce();
  }
  const after = contactBillStatuses(config.contact, app.store, clock.now()).find((b) => b.account === "501234567")!;
  assert.equal(after.amount_due, Math.round(invoice * 100) / 100);
  assert.deepEqual([after.period!.start, after.period!.start_derived, after.period!.end], ["2026-04-19", false, "2026-05-19"]);
  assert.equal(after.payment_due, "2026-05-03");
  assert.deepEqual(after.contracts.map((c) => c.plan), ["Good Nights", "Basic"]);
  // The closed period, every day in: usage plus the daily charge is the invoice, to the cent.
  const closed = projectBill({
    period: { start: "2026-03-19", end: "2026-04-19" },
    dailyCosts: contractsDailyCosts(app.store, after.contracts.map((c) => c.icp), NZ, "2026-03-19", "2026-04-18"),
    dailyFixedCharge: 4.6,
    now: clock.now(),
    zone: NZ,
  });
  assert.equal(closed.daysWithData, 31);
  assert.equal(closed.soFar, after.amount_due);
});

test("a revised hour is found through the day total and only that day is fetched again", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const { app } = testBackend(testConfig(sim), clock);
  t.after(() => app.close());
  await app.service.syncOnce();
  const contract = CONTRACTS[0]!;
  const hour = dayHours(contract, "2026-04-04", SIM_SEED)[10]!;
  sim.revise(contract.id, hour.utc, 4.321);
  sim.clearLog();
  clock.advance(24 * 3600_000);
  await app.service.syncOnce();
  const hourly = sim.requestLog.filter((r) => r.query.interval === "hourly" && r.path.includes(contract.id)).map((r) => r.query.from);
  assert.ok(hourly.includes("2026-04-04"), `fetched ${hourly.join(", ")}`);
  assert.ok(hourly.length <= 3);
  const stored = app.store.readings(seriesKey("contact", contract.icp, "paid_energy"), "hour").find((r) => r.start === hour.utc)!;
  const freeStored = app.store.readings(seriesKey("contact", contract.icp, "free_energy"), "hour").find((r) => r.start === hour.utc)!;
  assert.equal(Math.round((stored.value + freeStored.value) * 1000), 4321);
});

const FAULTS: [string, Parameters<Awaited<ReturnType<typeof simulator>>["setFaults"]>[0], RegExp][] = [
  ["wrong api key", { wrongApiKey: true }, /x-api-key|api key|forbidden/i],
  ["server error", { serverError: { status: 500 } }, /500|server/i],
  ["rate limit", { rateLimit: { retryAfterSec: 0 } }, /rate|429/i],
  // Answers held back for a minute against a 200 ms timeout: no load can make one arrive in time.
  ["timeouts", { timeout: { delayMs: 60_000 } }, /no answer .* within/i],
  ["malformed body", { malformedBody: { on: "usage" } }, /is not JSON/i],
  ["revoked token", { unauthorized: {} }, /401|log ?in|credentials|unauthori[sz]ed/i],
  ["stale token 502", { staleToken502: {} }, /502|stale|token/i],
];

for (const [name, faults, pattern] of FAULTS) {
  test(`fault "${name}": a clear error in the summary, the log and the health state; no crash, no secret`, async (t) => {
    const clock = new ManualClock(nz("2026-04-10T09:00"));
    const sim = await simulator(clock);
    t.after(() => sim.close());
    const config = testConfig(sim);
    // Only the timeouts case needs a short timeout; elsewhere a busy machine must not turn a slow answer into a failure.
    const { app, logs } = testBackend(config, clock, { http: { timeoutMs: name === "timeouts" ? 200 : 30_000 } });
    t.after(() => app.close());
    sim.setFaults(faults);
    const summary = await app.service.syncOnce();
    assert.equal(summary.ok, false);
    assert.ok(summary.errors.length > 0);
    assert.match(summary.errors.join("\n"), pattern);
    const states = app.store.allSyncStates().filter((s) => s.failures > 0);
    assert.ok(states.length > 0, "the failure is recorded in the health state");
    assert.ok(states.every((s) => s.lastError && s.lastError.length > 10));
    assert.ok(logs.lines().some((l) => l.level === 50), "an error is logged");
    for (const secret of [SIM_USER.password, config.homeAssistant.token]) {
      assert.ok(!logs.text.includes(secret), `the log contains a secret (${name})`);
      assert.ok(!JSON.stringify(summary).includes(secret));
      assert.ok(!JSON.stringify(states).includes(secret));
    }
    // Once the fault is gone the next check recovers.
    sim.clearFaults();
    clock.advance(6 * 3600_000);
    app.close();
    const recovered = testBackend(config, clock, { http: { timeoutMs: 30_000 } }).app;
    t.after(() => recovered.close());
    const again = await recovered.service.syncOnce();
    assert.equal(again.ok, true, again.errors.join("; "));
  });
}

/** Issue 18's cases: a check on a new day while the provider fails, then the same check again at the same moment, healthy. */
const NEW_DAY_FAULTS: [string, Parameters<Awaited<ReturnType<typeof simulator>>["setFaults"]>[0]][] = [
  ["malformed JSON on every answer", { malformedBody: {} }],
  ["malformed JSON on usage answers", { malformedBody: { on: "usage" } }],
  ["one malformed usage answer", { malformedBody: { on: "usage", count: 1 } }],
  ["[] for usage", { emptyArray: {} }],
  ["HTTP 500 on everything", { serverError: { status: 500 } }],
  ["five 429s", { rateLimit: { retryAfterSec: 0, count: 5 } }],
  ["401 on usage", { unauthorized: { on: "usage" } }],
  ["403 wrong API key", { wrongApiKey: true }],
];

for (const [name, faults] of NEW_DAY_FAULTS) {
  test(`a new day that a failing check ("${name}") missed is fetched by the next check at the same moment, and the service retries in 5 minutes`, async (t) => {
    const clock = new ManualClock(nz("2026-04-10T09:00"));
    const sim = await simulator(clock);
    t.after(() => sim.close());
    const { app } = testBackend(testConfig(sim), clock);
    t.after(() => app.close());
    assert.equal((await app.service.syncOnce()).ok, true);
    // A day later the provider has a new day, but the check fails.
    clock.advance(24 * 3600_000);
    const today = DateTime.fromMillis(clock.now(), { zone: NZ }).toISODate()!;
    const due = (c: (typeof CONTRACTS)[number]) => daysBetween(addDays(today, -9), addDays(today, -1)).filter((d) => availableAtMs(c.id, d, SIM_SEED) <= clock.now());
    const missing = CONTRACTS.flatMap((c) => due(c).filter((d) => !app.store.periods("contact", c.icp, "hour").has(d)));
    assert.ok(missing.length > 0, "the provider has new days");
    sim.setFaults(faults);
    const failed = await app.service.syncOnce();
    sim.clearFaults();
    if (!failed.ok) assert.equal(app.service.nextCheckAt() - clock.now(), 5 * 60_000, "a failed check is retried in 5 minutes, not at the next interval");
    const healed = await app.service.syncOnce();
    assert.equal(healed.ok, true, healed.errors.join("; "));
    for (const c of CONTRACTS) for (const d of due(c)) assert.ok(app.store.periods("contact", c.icp, "hour").has(d), `${c.icp}: ${d} is in`);
    assert.equal(app.service.nextCheckAt() - clock.now(), 6 * 3600_000, "after a good check the interval again");
  });
}

test("the retry delay after failed checks doubles from 5 minutes up to the check interval", () => {
  const interval = 6 * 3600_000;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 40].map((n) => checkDelayMs(n, interval) / 60_000), [360, 5, 10, 20, 40, 80, 160, 320, 360]);
});

test("a bad config lists every problem by path, and no secret", () => {
  try {
    parseConfig({ home_assistant: { token: "s3cret-token-value" }, sync: { hourly_days: 99, check_interval: "often" }, contact: { accounts: [{ username: "", password: "hunter2hunter2" }], currency: "nzd" }, extra: 1 }, {});
    assert.fail("expected a ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const paths = err.problems.map((p) => p.path);
    for (const p of ["sync.hourly_days", "sync.check_interval", "contact.accounts[0].username", "contact.currency", "extra"]) assert.ok(paths.some((x) => x.startsWith(p)), `${p} missing from ${paths.join(", ")}`);
    assert.ok(!err.message.includes("hunter2hunter2") && !err.message.includes("s3cret-token-value"));
  }
});

test("syncs never overlap: a second request waits for the first and then fetches nothing twice", async (t) => {
  const clock = new ManualClock(nz("2026-04-10T09:00"));
  const sim = await simulator(clock);
  t.after(() => sim.close());
  const { app } = testBackend(testConfig(sim), clock);
  t.after(() => app.close());
  const [a, b] = await Promise.all([app.service.syncOnce(), app.service.syncOnce()]);
  assert.equal(a.ok && b.ok, true);
  assert.ok(contactLogins(a.fetched)[0]!.contracts.every((c) => c.requests.length > 0));
  assert.ok(
    contactLogins(b.fetched)[0]!.contracts.every((c) => c.requests.every((r) => r.interval === "daily")),
    "the second sync ran after the first: it only asks whether the late days are in yet",
  );
  assert.ok(a.finishedAt <= b.startedAt);
});
