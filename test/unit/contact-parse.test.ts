import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { DateTime } from "luxon";
import { contractsOfAccount, parseAccountsResponse, parseContactDate, parseLoginResponse, parseUsageResponse } from "../../server/src/providers/contact/parse.js";
import { ProviderError } from "../../server/src/providers/errors.js";

/**
 * The fixtures are the samples quoted in shared/reference/providers.md §1, copied byte for byte.
 * The accounts sample's "…" placeholders (xcsrfToken, one address) sit inside JSON strings, so the
 * quoted text is valid JSON unchanged and the parser sees "…" as those values.
 */
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/contact/${name}`, import.meta.url), "utf8"));
}

function record(fields: Record<string, unknown>): Record<string, unknown> {
  return { date: "2025-12-27T00:00:00.000+13:00", value: "1.00", ...fields };
}

function rejection(run: () => unknown): ProviderError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ProviderError");
}

test("the quoted login sample gives its token", () => {
  assert.equal(parseLoginResponse(fixture("login.json")), "b64ish-opaque-string=");
});

test("a login answer without a token is a bad_response that quotes nothing of it", () => {
  const err = rejection(() => parseLoginResponse({ statusCode: 200, tokn: "abc-123-secret" }));
  assert.equal(err.kind, "bad_response");
  assert.ok(!err.message.includes("abc-123-secret"));
});

test("the quoted accounts sample gives the account and its contract with ICP and plan", () => {
  const page = parseAccountsResponse(fixture("accounts.json"));
  assert.deepEqual(page.accounts, [
    { id: "501234567", contracts: [{ contractId: "1350000001", premiseId: "0987654321", address: "1 Main St, Town" }] },
  ]);
  assert.equal(page.detail?.id, "501234567");
  assert.deepEqual(contractsOfAccount(page.accounts[0]!, page.detail!), [
    {
      accountId: "501234567",
      contractId: "1350000001",
      icp: "0000012345ABC",
      premiseId: "0987654321",
      address: "1 Main St, Town",
      product: "Good Nights",
      type: "Energy",
    },
  ]);
});

test("accounts parse leniently: numeric ids, a product given as text, no summary, contracts without ICP", () => {
  const page = parseAccountsResponse({
    accountDetail: {
      id: 501234567,
      contracts: [
        { id: 1350000001, icp: "0000012345ABC", product: "Basic", premiseId: 987 },
        { id: 1350000009, type: "Broadband" },
      ],
    },
  });
  assert.deepEqual(page.accounts, [{ id: "501234567", contracts: [] }]);
  assert.deepEqual(contractsOfAccount(page.accounts[0]!, page.detail!), [
    { accountId: "501234567", contractId: "1350000001", icp: "0000012345ABC", premiseId: "987", product: "Basic" },
  ]);
  assert.deepEqual(parseAccountsResponse({ statusCode: 200 }), { accounts: [] });
});

test("the quoted accounts sample gives the account's bill facts: balance, invoice, due date and next bill as local dates", () => {
  const page = parseAccountsResponse(fixture("accounts.json"));
  assert.deepEqual(page.detail?.facts, {
    accountId: "501234567",
    nickname: "Main St",
    billingFrequency: "Monthly",
    balance: 0,
    amountDue: 356.06,
    amountPaid: 0,
    paymentDueDate: "2023-12-04",
    nextBillDate: "2023-12-19",
  });
});

test("bill facts parse leniently: numbers as text, other date spellings, and an odd value reads as absent without failing the contracts", () => {
  const page = parseAccountsResponse({
    accountDetail: {
      id: "1",
      accountBalance: { currentBalance: "-12.50" },
      invoice: { amountDue: "abc", paymentDueDate: "4 December 2023" },
      nextBill: "19 Dec 2023",
      contracts: [{ id: "2", icp: "0000012345ABC" }],
    },
  });
  assert.deepEqual(page.detail?.facts, { accountId: "1", balance: -12.5, paymentDueDate: "2023-12-04" });
  assert.equal(contractsOfAccount(page.accounts[0]!, page.detail!).length, 1);
  assert.deepEqual(parseAccountsResponse({ accountDetail: { id: "1", invoice: null, nextBill: { date: null } } }).detail?.facts, { accountId: "1" });
});

test("Contact's dates: dd MMM yyyy, d MMMM yyyy, ISO with or without time; anything else is undefined", () => {
  assert.equal(parseContactDate("04 Dec 2023"), "2023-12-04");
  assert.equal(parseContactDate(" 19 Dec 2023 "), "2023-12-19");
  assert.equal(parseContactDate("4 December 2023"), "2023-12-04");
  assert.equal(parseContactDate("2023-12-19"), "2023-12-19");
  assert.equal(parseContactDate("2023-12-19T00:00:00.000+13:00"), "2023-12-19");
  assert.equal(parseContactDate("19/12/2023"), "2023-12-19");
  assert.equal(parseContactDate("04 Sep 2023"), "2023-09-04");
  assert.equal(parseContactDate("04 Sept 2023"), "2023-09-04");
  assert.equal(parseContactDate("soon"), undefined);
  assert.equal(parseContactDate("31 Feb 2023"), undefined);
});

test("an accounts answer of the wrong shape is a bad_response naming the field", () => {
  const err = rejection(() => parseAccountsResponse({ accountsSummary: [{ nickname: "no id" }] }));
  assert.equal(err.kind, "bad_response");
  assert.match(err.message, /accountsSummary\.0\.id/);
});

test("the quoted hourly usage sample maps to one paid hour at its +13:00 start", () => {
  assert.deepEqual(parseUsageResponse(fixture("usage-hourly.json")), [
    {
      start: Date.UTC(2025, 11, 26, 11) / 1000,
      localDate: "2025-12-27",
      hour: 0,
      totalKwh: 1.41,
      paidKwh: 1.41,
      freeKwh: 0,
      offpeakKwh: 0,
      cost: 0.505,
      currency: "NZD",
    },
  ]);
});

test("usage parses leniently: missing optional fields, a {usage} wrapper, numbers as numbers, empty array", () => {
  const [minimal] = parseUsageResponse({ usage: [{ date: "2025-06-01T05:00:00.000+12:00", value: 0.5 }] });
  assert.deepEqual(minimal, {
    start: Date.UTC(2025, 4, 31, 17) / 1000,
    localDate: "2025-06-01",
    hour: 5,
    totalKwh: 0.5,
    paidKwh: 0.5,
    freeKwh: 0,
    offpeakKwh: 0,
    cost: null,
    currency: "NZD",
  });
  assert.deepEqual(parseUsageResponse([]), []);
  assert.deepEqual(parseUsageResponse({ usage: [] }), []);
});

test("a null or empty dollarValue is a null cost, not zero", () => {
  const [withNull, withEmpty, withZero] = parseUsageResponse([record({ dollarValue: null }), record({ dollarValue: "" }), record({ dollarValue: "0.000" })]);
  assert.equal(withNull!.cost, null);
  assert.equal(withEmpty!.cost, null);
  assert.equal(withZero!.cost, 0);
});

test("NZDT (+13:00) and NZST (+12:00) records of the repeated hour on the April DST day are an hour apart", () => {
  const [first, second] = parseUsageResponse([
    record({ date: "2026-04-05T02:00:00.000+13:00", hour: 2 }),
    record({ date: "2026-04-05T02:00:00.000+12:00", hour: 2 }),
  ]);
  assert.equal(second!.start - first!.start, 3600);
  assert.equal(first!.start, Date.UTC(2026, 3, 4, 13) / 1000);
  assert.deepEqual([first!.localDate, second!.localDate], ["2026-04-05", "2026-04-05"]);
});

test("a September DST day skips 02:00: 01:00+12:00 is followed by 03:00+13:00 one hour later", () => {
  const [before, after] = parseUsageResponse([record({ date: "2026-09-27T01:00:00.000+12:00", hour: 1 }), record({ date: "2026-09-27T03:00:00.000+13:00", hour: 3 })]);
  assert.equal(after!.start - before!.start, 3600);
});

test("daily and monthly records start at the first instant of their local day or month", () => {
  const [day, month] = parseUsageResponse([
    record({ date: "2026-07-15T00:00:00.000+12:00", hour: 0, value: "23.456" }),
    record({ date: "2026-01-01T00:00:00.000+13:00", hour: 0, value: "712.3" }),
  ]);
  assert.equal(day!.start, DateTime.fromISO("2026-07-15", { zone: "Pacific/Auckland" }).toSeconds());
  assert.equal(month!.start, DateTime.fromISO("2026-01-01", { zone: "Pacific/Auckland" }).toSeconds());
  assert.equal(month!.localDate, "2026-01-01");
});

test("a date without an offset is read in the record's zone, defaulting to Pacific/Auckland", () => {
  const [nz, sydney] = parseUsageResponse([record({ date: "2025-07-01T00:00:00" }), record({ date: "2025-07-01T00:00:00", timeZone: "Australia/Sydney" })]);
  assert.equal(nz!.start, Date.UTC(2025, 5, 30, 12) / 1000);
  assert.equal(sydney!.start, Date.UTC(2025, 5, 30, 14) / 1000);
});

test("a free hour (Good Nights) is all free: paid 0, free = off-peak = total, cost 0", () => {
  const [free] = parseUsageResponse([
    record({ date: "2025-12-27T22:00:00.000+13:00", hour: 22, value: "0.95", unchargedValue: "0.95", offpeakValue: "0.95", offpeakDollarValue: "0.00", dollarValue: "0.000" }),
  ]);
  assert.deepEqual(
    { paid: free!.paidKwh, free: free!.freeKwh, offpeak: free!.offpeakKwh, cost: free!.cost, hour: free!.hour },
    { paid: 0, free: 0.95, offpeak: 0.95, cost: 0, hour: 22 },
  );
});

test("a free-hours day splits exactly: paid = value − unchargedValue without float noise", () => {
  const [day] = parseUsageResponse([record({ value: "32.480", offpeakValue: "17.152", unchargedValue: "17.152", dollarValue: "5.487" })]);
  assert.equal(day!.paidKwh, 15.328);
  assert.equal(day!.freeKwh, 17.152);
  assert.equal(day!.offpeakKwh, 17.152);
});

test("paid is never negative, even when unchargedValue exceeds value", () => {
  const [odd] = parseUsageResponse([record({ value: "0.50", unchargedValue: "0.70" })]);
  assert.equal(odd!.paidKwh, 0);
  assert.equal(odd!.freeKwh, 0.7);
});

test("for 2–3 decimal strings, paid + free is the total exactly and paid is never negative", () => {
  // The API writes "1.41" and "17.152": a quantity in Wh, shown with 2 decimals when it can be.
  const quantity = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.boolean()).map(([wh, short]) => ({
    wh,
    text: (wh / 1000).toFixed(short && wh % 10 === 0 ? 2 : 3),
  }));
  fc.assert(
    fc.property(quantity, quantity, (value, uncharged) => {
      const [r] = parseUsageResponse([record({ value: value.text, unchargedValue: uncharged.text })]);
      if (uncharged.wh > value.wh) return r!.paidKwh === 0;
      return r!.paidKwh === (value.wh - uncharged.wh) / 1000 && r!.freeKwh === uncharged.wh / 1000 && r!.totalKwh === value.wh / 1000;
    }),
  );
});

test("a body that is not a list of records is a bad_response with a short excerpt", () => {
  const err = rejection(() => parseUsageResponse("No hourly data for gas contracts"));
  assert.equal(err.kind, "bad_response");
  assert.equal(err.provider, "contact");
  assert.match(err.message, /could not read the usage answer.*"No hourly data for gas contracts"/);

  const long = rejection(() => parseUsageResponse({ items: "x".repeat(1000) }));
  assert.ok(long.message.length < 400, "the excerpt is short");
});

test("a record with an unreadable number or date is a bad_response naming the record", () => {
  assert.match(rejection(() => parseUsageResponse([record({}), record({ value: "1,41" })])).message, /1\.value: expected a decimal number/);
  assert.match(rejection(() => parseUsageResponse([record({ date: "yesterday" })])).message, /record 0 has an unreadable date/);
  assert.match(rejection(() => parseUsageResponse([{ value: "1.0" }])).message, /0\.date/);
});

test("excerpts in usage errors have the given secrets removed", () => {
  const err = rejection(() => parseUsageResponse({ echo: "token=TOK-998877" }, ["TOK-998877"]));
  assert.ok(!err.message.includes("TOK-998877"));
  assert.match(err.message, /token=\*\*\*/);
});
