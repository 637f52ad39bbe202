import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DateTime } from "luxon";
import { ContactClient, type ContactContract, type ContactUsage } from "../../server/src/providers/contact/client.js";
import { DEFAULT_CONTACT_API_KEY } from "../../server/src/providers/contact/constants.js";
import { ProviderError } from "../../server/src/providers/errors.js";
import { type HttpAttempt, createHttpClient } from "../../server/src/providers/http.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { DEFAULT_SIM_ACCOUNTS, SIM_ZONE, availableAtMs, dayHours, simBill, sumAmounts } from "../../server/src/simulate/contact/data.js";
import { DEFAULT_SIM_USERS, type Faults, type SimRoute, startContactSimulator } from "../../server/src/simulate/contact/server.js";

const USER = DEFAULT_SIM_USERS[0]!;
const NOW = DateTime.fromISO("2026-10-20T12:00", { zone: SIM_ZONE }).toMillis();
const [GOOD_NIGHTS, BASIC] = [DEFAULT_SIM_ACCOUNTS[0]!.contracts[0]!, DEFAULT_SIM_ACCOUNTS[0]!.contracts[1]!];
const contractOf = (id: string, accountId = "501234567"): ContactContract => ({ accountId, contractId: id, icp: "x" });

interface Setup {
  clock: ManualClock;
  sim: Awaited<ReturnType<typeof startContactSimulator>>;
  client: ContactClient;
  attempts: HttpAttempt[];
  sleeps: number[];
  logins: () => number;
}

async function setup(t: TestContext, opts: { simTokenMs?: number; clientTokenMs?: number; timeoutMs?: number; password?: string; apiKey?: string } = {}): Promise<Setup> {
  const clock = new ManualClock(NOW);
  const sim = await startContactSimulator({ clock, tokenLifetimeMs: opts.simTokenMs });
  t.after(() => sim.close());
  const attempts: HttpAttempt[] = [];
  const sleeps: number[] = [];
  const http = createHttpClient({
    provider: "contact",
    timeoutMs: opts.timeoutMs ?? 2_000,
    sleep: async (ms) => void sleeps.push(ms),
    onAttempt: (a) => attempts.push(a),
  });
  const client = new ContactClient({
    baseUrl: sim.url,
    apiKey: opts.apiKey ?? DEFAULT_CONTACT_API_KEY,
    username: USER.username,
    password: opts.password ?? USER.password,
    http,
    clock,
    tokenLifetimeMs: opts.clientTokenMs,
  });
  return { clock, sim, client, attempts, sleeps, logins: () => sim.requestLog.filter((r) => r.path === "/login/v2").length };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${err instanceof Error ? err.stack : String(err)}`);
    return err;
  }
  assert.fail("expected a ProviderError");
}

const milli = (kwh: number): number => Math.round(kwh * 1000);
const sum = (records: ContactUsage[], pick: (r: ContactUsage) => number): number => records.reduce((s, r) => s + milli(pick(r)), 0);

test("bill facts: each account's detail has balance, invoice and next bill as in the captured sample, consistent with the usage it serves", async (t) => {
  const { client, attempts, clock } = await setup(t);
  // 2026-10-20: account 501234567 bills on the 19th, so its bill of yesterday (Sep 19 – Oct 18) is not due yet.
  const overview = await client.accountsOverview();
  assert.equal(attempts.length, 3, "the same requests as contracts()");
  assert.equal(overview.contracts.length, 3);
  const [main, bach] = overview.accounts;
  let mills = 0;
  for (let d = DateTime.fromISO("2026-09-19", { zone: SIM_ZONE }); d.toISODate()! < "2026-10-19"; d = d.plus({ days: 1 })) {
    for (const c of DEFAULT_SIM_ACCOUNTS[0]!.contracts) mills += sumAmounts(dayHours(c, d.toISODate()!, 1)).mills + c.plan.dailyChargeMills!;
  }
  assert.deepEqual(main, {
    accountId: "501234567",
    nickname: "Main St",
    billingFrequency: "Monthly",
    balance: Math.round(mills / 10) / 100,
    amountDue: Math.round(mills / 10) / 100,
    amountPaid: 0,
    paymentDueDate: "2026-11-02",
    nextBillDate: "2026-11-19",
  });
  // The Bach bills on the 5th: its October bill was due on the 19th and has been paid.
  assert.equal(bach!.nextBillDate, "2026-11-05");
  assert.equal(bach!.paymentDueDate, "2026-10-19");
  assert.equal(bach!.balance, 0);
  assert.equal(bach!.amountPaid, bach!.amountDue);
  assert.ok(bach!.amountDue! > 0);

  // One account's facts again: one request (the session is still valid).
  const before = attempts.length;
  assert.deepEqual(await client.accountFacts("501234568"), bach);
  assert.equal(attempts.length - before, 1);
  await assert.rejects(client.accountFacts("999"), (err: unknown) => err instanceof ProviderError && err.kind === "not_found");

  clock.set(DateTime.fromISO("2026-11-19T08:00", { zone: SIM_ZONE }).toMillis());
  const later = simBill(DEFAULT_SIM_ACCOUNTS[0]!, clock.now(), 1);
  assert.deepEqual([later.previousBill, later.lastBill, later.nextBill, later.daysUntilBill], ["2026-10-19", "2026-11-19", "2026-12-19", 30]);
});

test("contracts: every contract of both accounts, in three requests (login, summary, one detail)", async (t) => {
  const { client, attempts, sim } = await setup(t);
  const contracts = await client.contracts();
  assert.deepEqual(
    contracts.map((c) => [c.accountId, c.contractId, c.icp, c.product]),
    [
      ["501234567", "1350000001", "0000012345ABC", "Good Nights"],
      ["501234567", "1350000002", "0000067890DEF", "Basic"],
      ["501234568", "1350000003", "0000024680GHJ", "Basic"],
    ],
  );
  assert.equal(contracts[0]!.address, "1 Main St, Town");
  assert.equal(attempts.length, 3);
  assert.deepEqual(
    sim.requestLog.map((r) => [r.method, r.path, r.query.ba, r.status]),
    [
      ["POST", "/login/v2", undefined, 200],
      ["GET", "/accounts/v2", "", 200],
      ["GET", "/accounts/v2", "501234568", 200],
    ],
  );
});

test("hourly on the April DST day has 25 records with distinct UTC hours; September's has 23", async (t) => {
  const { client } = await setup(t);
  const c = contractOf(BASIC.id);
  for (const [date, count, labels] of [
    ["2026-04-05", 25, [0, 1, 2, 2, 3]],
    ["2026-09-27", 23, [0, 1, 3, 4, 5]],
    ["2026-10-01", 24, [0, 1, 2, 3, 4]],
  ] as const) {
    const records = await client.usage(c, "hourly", date, date);
    assert.equal(records.length, count, date);
    assert.deepEqual(records.slice(0, 5).map((r) => r.hour), labels, date);
    const midnight = DateTime.fromISO(date, { zone: SIM_ZONE }).toSeconds();
    assert.deepEqual(
      records.map((r) => r.start),
      records.map((_, i) => midnight + i * 3600),
      `${date}: consecutive UTC hours from local midnight`,
    );
    assert.ok(records.every((r) => r.localDate === date));
  }
});

test("daily totals are the exact sums of their hours, DST days included", async (t) => {
  const { client } = await setup(t);
  const c = contractOf(GOOD_NIGHTS.id);
  const days = await client.usage(c, "daily", "2026-09-25", "2026-09-29");
  assert.equal(days.length, 5);
  for (const day of days) {
    const hours = await client.usage(c, "hourly", day.localDate, day.localDate);
    assert.equal(milli(day.totalKwh), sum(hours, (h) => h.totalKwh), day.localDate);
    assert.equal(milli(day.paidKwh), sum(hours, (h) => h.paidKwh));
    assert.equal(milli(day.freeKwh), sum(hours, (h) => h.freeKwh));
    assert.equal(milli(day.cost!), sum(hours, (h) => h.cost!));
    assert.equal(day.start, hours[0]!.start);
  }
});

test("monthly totals are the sums of their days", async (t) => {
  const { client } = await setup(t);
  const c = contractOf(BASIC.id);
  const months = await client.usage(c, "monthly", "2026-08-01", "2026-09-30");
  assert.deepEqual(months.map((m) => m.localDate), ["2026-08-01", "2026-09-01"]);
  const august = await client.usage(c, "daily", "2026-08-01", "2026-08-31");
  assert.equal(august.length, 31);
  assert.equal(milli(months[0]!.totalKwh), sum(august, (d) => d.totalKwh));
  assert.equal(milli(months[0]!.cost!), sum(august, (d) => d.cost!));
  assert.equal(months[0]!.start, DateTime.fromISO("2026-08-01", { zone: SIM_ZONE }).toSeconds());
});

test("a free-hours plan has free kWh only from 21:00 to midnight, at no cost; a basic plan has none", async (t) => {
  const { client } = await setup(t);
  const night = await client.usage(contractOf(GOOD_NIGHTS.id), "hourly", "2026-10-10", "2026-10-10");
  for (const h of night) {
    if (h.hour >= 21) {
      assert.deepEqual([h.paidKwh, h.freeKwh, h.offpeakKwh, h.cost], [0, h.totalKwh, h.totalKwh, 0], `hour ${h.hour}`);
      assert.ok(h.totalKwh > 0);
    } else {
      assert.deepEqual([h.paidKwh, h.freeKwh], [h.totalKwh, 0], `hour ${h.hour}`);
      assert.ok(Math.abs(h.cost! - h.totalKwh * 0.358) <= 0.0005, "paid hours cost value × price");
    }
  }
  const basic = await client.usage(contractOf(BASIC.id), "hourly", "2026-10-10", "2026-10-10");
  assert.ok(basic.every((h) => h.freeKwh === 0 && h.paidKwh === h.totalKwh));
});

test("a day appears 24–72 hours after it ends: [] (hourly) or left out (daily) until then", async (t) => {
  const { client, clock } = await setup(t);
  const c = contractOf(BASIC.id);
  const date = "2026-10-18";
  const at = availableAtMs(BASIC.id, date, 1);
  const endOfDay = DateTime.fromISO("2026-10-19", { zone: SIM_ZONE }).toMillis();
  assert.ok(at >= endOfDay + 24 * 3_600_000 && at <= endOfDay + 72 * 3_600_000);

  clock.set(at - 1);
  assert.deepEqual(await client.usage(c, "hourly", date, date), []);
  assert.ok(!(await client.usage(c, "daily", "2026-10-10", date)).some((d) => d.localDate === date));
  clock.set(at);
  assert.equal((await client.usage(c, "hourly", date, date)).length, 24);
  assert.ok((await client.usage(c, "daily", "2026-10-10", date)).some((d) => d.localDate === date));

  const delays = ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-09-05", "2026-09-06"].map(
    (d) => (availableAtMs(BASIC.id, d, 1) - DateTime.fromISO(d, { zone: SIM_ZONE }).plus({ days: 1 }).toMillis()) / 3_600_000,
  );
  assert.ok(new Set(delays).size > 1, "the delay differs from day to day");
});

test("a revised hour changes that hour, and the day's and month's totals follow", async (t) => {
  const { client, sim } = await setup(t);
  const c = contractOf(GOOD_NIGHTS.id);
  const date = "2026-09-15";
  const before = { hours: await client.usage(c, "hourly", date, date), day: (await client.usage(c, "daily", date, date))[0]!, month: (await client.usage(c, "monthly", "2026-09-01", "2026-09-30"))[0]! };
  const target = before.hours[8]!;
  sim.revise(GOOD_NIGHTS.id, target.start, target.totalKwh + 2.5);

  const hours = await client.usage(c, "hourly", date, date);
  assert.equal(hours[8]!.totalKwh, Math.round((target.totalKwh + 2.5) * 1000) / 1000);
  assert.equal(milli(hours[8]!.cost!) - milli(target.cost!), Math.round(2500 * 0.358));
  const day = (await client.usage(c, "daily", date, date))[0]!;
  const month = (await client.usage(c, "monthly", "2026-09-01", "2026-09-30"))[0]!;
  assert.equal(milli(day.totalKwh) - milli(before.day.totalKwh), 2500);
  assert.equal(milli(month.totalKwh) - milli(before.month.totalKwh), 2500);
  assert.equal(milli(day.totalKwh), sum(hours, (h) => h.totalKwh));
});

test("the simulator serves exactly what data.ts computes", async (t) => {
  const { client } = await setup(t);
  const expected = dayHours(GOOD_NIGHTS, "2026-10-05", 1);
  const served = await client.usage(contractOf(GOOD_NIGHTS.id), "hourly", "2026-10-05", "2026-10-05");
  assert.deepEqual(
    served.map((r) => [r.start, milli(r.totalKwh), milli(r.freeKwh), milli(r.cost!)]),
    expected.map((h) => [h.utc, h.wh, h.freeWh, h.mills]),
  );
});

test("monthly with the current month is 404 from the API and [] from the client", async (t) => {
  const { client, sim } = await setup(t);
  assert.deepEqual(await client.usage(contractOf(BASIC.id), "monthly", "2026-09-01", "2026-10-31"), []);
  assert.equal(sim.requestLog.at(-1)!.status, 404);
});

test("raw API quirks: GET on usage 403, multi-day hourly 502, daily over 90 days 502, no ba → null dollarValue", async (t) => {
  const { sim } = await setup(t);
  const login = await fetch(`${sim.url}/login/v2`, {
    method: "POST",
    headers: { "x-api-key": DEFAULT_CONTACT_API_KEY, "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  const { token } = (await login.json()) as { token: string };
  const call = (method: string, query: string) =>
    fetch(`${sim.url}/usage/v2/${BASIC.id}?${query}`, { method, headers: { "x-api-key": DEFAULT_CONTACT_API_KEY, authorization: token } });
  assert.equal((await call("GET", "ba=501234567&interval=daily&from=2026-10-01&to=2026-10-02")).status, 403);
  assert.equal((await call("POST", "ba=501234567&interval=hourly&from=2026-10-01&to=2026-10-03")).status, 502);
  assert.equal((await call("POST", "ba=501234567&interval=daily&from=2026-06-01&to=2026-08-30")).status, 502);
  assert.equal((await call("POST", "ba=501234567&interval=daily&from=2026-06-01&to=2026-08-29")).status, 200);
  const oneDay = (await (await call("POST", "ba=501234567&interval=hourly&from=2026-10-01&to=2026-10-02")).json()) as { date: string }[];
  assert.ok(oneDay.length === 24 && oneDay.every((r) => r.date.startsWith("2026-10-01")), "hourly gives only the from day");
  const noBa = (await (await call("POST", "interval=daily&from=2026-10-01&to=2026-10-01")).json()) as { dollarValue: unknown }[];
  assert.equal(noBa[0]!.dollarValue, null);
  assert.equal((await call("POST", "ba=501234567&interval=weekly&from=2026-10-01&to=2026-10-01")).status, 400);
});

test("an expired token is answered 401 and the client logs in again", async (t) => {
  const { client, clock, sim, logins } = await setup(t, { simTokenMs: 3_600_000, clientTokenMs: 10 * 3_600_000 });
  const c = contractOf(BASIC.id);
  await client.usage(c, "daily", "2026-10-01", "2026-10-02");
  clock.advance(2 * 3_600_000);
  assert.equal((await client.usage(c, "daily", "2026-10-01", "2026-10-02")).length, 2);
  assert.equal(logins(), 2);
  assert.deepEqual(sim.requestLog.map((r) => r.status), [200, 200, 401, 200, 200]);
});

test("with staleTokenAs502 an expired token is answered 502 and the client logs in again", async (t) => {
  const { client, clock, sim, logins, sleeps } = await setup(t, { simTokenMs: 3_600_000, clientTokenMs: 10 * 3_600_000 });
  sim.setFaults({ staleTokenAs502: true });
  const c = contractOf(BASIC.id);
  await client.usage(c, "daily", "2026-10-01", "2026-10-02");
  clock.advance(2 * 3_600_000);
  await client.usage(c, "daily", "2026-10-01", "2026-10-02");
  assert.equal(logins(), 2);
  assert.deepEqual(sim.requestLog.map((r) => r.status), [200, 200, 502, 200, 200]);
  assert.deepEqual(sleeps, []);
});

test("the client logs in again before a request once its token is older than its lifetime", async (t) => {
  const { client, clock, sim, logins } = await setup(t, { simTokenMs: 3_600_000, clientTokenMs: 30 * 60_000 });
  const c = contractOf(BASIC.id);
  await client.usage(c, "daily", "2026-10-01", "2026-10-02");
  clock.advance(31 * 60_000);
  await client.usage(c, "daily", "2026-10-01", "2026-10-02");
  assert.equal(logins(), 2);
  assert.ok(sim.requestLog.every((r) => r.status === 200), "no request is refused");
});

test("concurrent first calls share one login", async (t) => {
  const { client, logins } = await setup(t);
  const c = contractOf(BASIC.id);
  await Promise.all(["2026-10-01", "2026-10-02", "2026-10-03"].map((d) => client.usage(c, "hourly", d, d)));
  assert.equal(logins(), 1);
});

test("requests are counted: onAttempt sees every exchange the simulator logs, logins included", async (t) => {
  const { client, attempts, sim } = await setup(t);
  sim.setFaults({ serverError: { status: 503, count: 1, on: "usage" } });
  const [first] = await client.contracts();
  for (const day of ["2026-10-10", "2026-10-11", "2026-10-12"]) await client.usage(first!, "hourly", day, day);
  await client.usage(first!, "daily", "2026-09-01", "2026-10-12");
  assert.equal(attempts.length, sim.requestLog.length);
  assert.equal(attempts.length, 3 + 1 + 3 + 1, "login + summary + detail, one retry, three hourly days, one daily range");
  assert.ok(sim.requestLog.every((r) => !JSON.stringify(r).includes(USER.password)), "the log never holds the password");
});

interface FaultCase {
  name: string;
  faults: Partial<Faults>;
  call?: (client: ContactClient) => Promise<unknown>;
  options?: Parameters<typeof setup>[1];
  expect: { kind: ProviderError["kind"]; message: RegExp } | { ok: true; logins?: number; sleeps?: number[] };
}

const dailyCall = (client: ContactClient) => client.usage(contractOf(BASIC.id), "daily", "2026-10-01", "2026-10-05");

const FAULT_CASES: FaultCase[] = [
  { name: "one 401", faults: { unauthorized: { count: 1 } }, expect: { ok: true, logins: 2 } },
  { name: "401 on every call", faults: { unauthorized: {} }, expect: { kind: "auth", message: /still unauthorised.*after logging in again/ } },
  { name: "one stale-token 502", faults: { staleToken502: { count: 1 } }, expect: { ok: true, logins: 2, sleeps: [] } },
  { name: "stale-token 502 on every call", faults: { staleToken502: {} }, expect: { kind: "stale_token", message: /HTTP 502.*even after logging in again/ } },
  { name: "one 429", faults: { rateLimit: { retryAfterSec: 2, count: 1 } }, expect: { ok: true, sleeps: [2000] } },
  { name: "429 on every call", faults: { rateLimit: { retryAfterSec: 1 } }, expect: { kind: "rate_limited", message: /limiting requests/ } },
  { name: "two 503s", faults: { serverError: { status: 503, count: 2 } }, expect: { ok: true } },
  { name: "500 on every call", faults: { serverError: { status: 500 } }, expect: { kind: "server", message: /HTTP 500.*provider's side/ } },
  { name: "one slow answer", faults: { timeout: { delayMs: 60_000, count: 1 } }, options: { timeoutMs: 2000 }, expect: { ok: true } },
  { name: "no answer in time", faults: { timeout: { delayMs: 60_000 } }, options: { timeoutMs: 150 }, expect: { kind: "timeout", message: /within 150 ms/ } },
  { name: "a cut-off body", faults: { malformedBody: { count: 1, on: "usage" } }, expect: { kind: "bad_response", message: /not JSON.*\[\{"currency"/ } },
  { name: "a cut-off login answer", faults: { malformedBody: { count: 1, on: "login" } }, expect: { kind: "bad_response", message: /POST \/login\/v2 is not JSON/ } },
  { name: "an empty array", faults: { emptyArray: { count: 1 } }, expect: { ok: true } },
  { name: "a rotated api key", faults: { wrongApiKey: true }, expect: { kind: "forbidden", message: /HTTP 403 on POST \/login\/v2.*API key/ } },
  { name: "a wrong password", faults: {}, options: { password: "wrong" }, expect: { kind: "auth", message: /rejected the credentials.*username and password/ } },
  {
    name: "an unknown contract",
    faults: {},
    call: (client) => client.usage(contractOf("9999999999"), "daily", "2026-10-01", "2026-10-02"),
    expect: { kind: "not_found", message: /HTTP 404 on POST \/usage\/v2\/9999999999/ },
  },
  {
    name: "a multi-day hourly request",
    faults: {},
    call: (client) => client.usage(contractOf(BASIC.id), "hourly", "2026-10-01", "2026-10-02"),
    expect: { kind: "client", message: /one day per request/ },
  },
];

for (const faultCase of FAULT_CASES) {
  test(`fault: ${faultCase.name}`, async (t) => {
    const s = await setup(t, faultCase.options);
    s.sim.setFaults(faultCase.faults);
    const run = (faultCase.call ?? dailyCall)(s.client);
    if ("ok" in faultCase.expect) {
      await run;
      if (faultCase.expect.logins !== undefined) assert.equal(s.logins(), faultCase.expect.logins);
      if (faultCase.expect.sleeps !== undefined) assert.deepEqual(s.sleeps, faultCase.expect.sleeps);
      return;
    }
    const err = await providerError(run);
    assert.equal(err.kind, faultCase.expect.kind);
    assert.equal(err.provider, "contact");
    assert.match(err.message, faultCase.expect.message);
    for (const secret of [USER.password, DEFAULT_CONTACT_API_KEY]) assert.ok(!err.message.includes(secret), `leaks ${secret}`);
  });
}

test("under any mix of faults the client resolves or throws a ProviderError, and never leaks a secret", async (t) => {
  const s = await setup(t, { timeoutMs: 40 });
  const route = fc.option(fc.constantFrom<SimRoute>("login", "accounts", "usage"), { nil: undefined });
  const counted = fc.record({ count: fc.integer({ min: 1, max: 5 }), on: route });
  const faults: fc.Arbitrary<Partial<Faults>> = fc.record(
    {
      unauthorized: counted,
      staleToken502: counted,
      staleTokenAs502: fc.boolean(),
      rateLimit: counted.map((f) => ({ ...f, retryAfterSec: 1 })),
      serverError: fc.tuple(counted, fc.constantFrom(500, 502, 503, 504)).map(([f, status]) => ({ ...f, status })),
      timeout: counted.map((f) => ({ ...f, delayMs: 80 })),
      malformedBody: counted,
      emptyArray: counted,
      wrongApiKey: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const call = fc.constantFrom<(c: ContactClient) => Promise<unknown>>(
    (c) => c.contracts(),
    (c) => c.usage(contractOf(GOOD_NIGHTS.id), "hourly", "2026-10-03", "2026-10-03"),
    (c) => c.usage(contractOf(GOOD_NIGHTS.id), "daily", "2026-09-01", "2026-10-03"),
    (c) => c.usage(contractOf(GOOD_NIGHTS.id), "monthly", "2026-01-01", "2026-09-30"),
  );
  await fc.assert(
    fc.asyncProperty(faults, call, fc.integer({ min: 0, max: 3 * 3_600_000 }), async (f, run, advanceMs) => {
      s.sim.clearFaults();
      s.sim.setFaults(f);
      s.clock.advance(advanceMs);
      try {
        await run(s.client);
      } catch (err) {
        if (!(err instanceof ProviderError)) return false;
        if (err.message.length < 20 || [USER.password, DEFAULT_CONTACT_API_KEY].some((x) => err.message.includes(x))) return false;
      }
      return true;
    }),
    { numRuns: 60 },
  );
});
