import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { contactBillStatuses } from "../../server/src/api/bill-status.js";
import { parseConfig } from "../../server/src/config/index.js";
import { seriesKey } from "../../server/src/statistics/ids.js";
import { openStore } from "../../server/src/store/store.js";
import { recordBills } from "../../server/src/sync/contact-bills.js";
import { recordContracts } from "../../server/src/sync/contact-job.js";
import { addDays, dayStart } from "../../server/src/time/local.js";

const NZ = "Pacific/Auckland";
const nz = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toMillis();

function setup(extra: Record<string, unknown> = {}) {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-bill-status-")), "cache.db"));
  const config = parseConfig({ home_assistant: { token: "t" }, contact: { daily_fixed_charge: 2.5, accounts: [{ username: "me@example.com", password: "pw", ...extra }] } }, {});
  const login = "me_example_com";
  recordContracts(store, login, nz("2026-11-20T09:00"), [
    { accountId: "501234567", contractId: "1350000001", icp: "0000012345ABC", product: "Good Nights" },
    { accountId: "501234567", contractId: "1350000002", icp: "0000067890DEF", product: "Basic" },
    { accountId: "501234568", contractId: "1350000003", icp: "0000024680GHJ" },
  ]);
  recordBills(
    store,
    login,
    nz("2026-11-20T09:00"),
    [
      { accountId: "501234567", nickname: "Main St", billingFrequency: "Monthly", balance: 356.06, amountDue: 356.06, amountPaid: 0, paymentDueDate: "2026-12-03", nextBillDate: "2026-12-19" },
      { accountId: "501234568" },
    ],
    NZ,
    true,
  );
  // Both Main St contracts: daily totals Nov 19 .. Dec 1, 3.00 and 1.00 a day; one hourly day for the first.
  const rows = [];
  for (let i = 0; i < 13; i += 1) {
    const day = addDays("2026-11-19", i);
    rows.push({ series: seriesKey("contact", "0000012345ABC", "paid_cost"), resolution: "day" as const, start: dayStart(day, NZ), value: 3 });
    rows.push({ series: seriesKey("contact", "0000067890DEF", "paid_cost"), resolution: "day" as const, start: dayStart(day, NZ), value: 1 });
  }
  // Dec 2: only the first contract is in, so the day is not complete for the bill.
  rows.push({ series: seriesKey("contact", "0000012345ABC", "paid_cost"), resolution: "day" as const, start: dayStart("2026-12-02", NZ), value: 9 });
  store.upsertReadings(rows);
  return { store, contact: config.contact! };
}

test("status bills: the stored facts, the account's contracts with plans, and the period so far and projected with the daily charge per contract", () => {
  const { store, contact } = setup();
  const [main, bach] = contactBillStatuses(contact, store, nz("2026-12-04T10:00"));
  assert.deepEqual(main, {
    provider: "contact",
    account: "501234567",
    nickname: "Main St",
    currency: "NZD",
    contracts: [
      { icp: "0000012345ABC", contract_id: "1350000001", plan: "Good Nights" },
      { icp: "0000067890DEF", contract_id: "1350000002", plan: "Basic" },
    ],
    balance: 356.06,
    amount_due: 356.06,
    amount_paid: 0,
    payment_due: "2026-12-03",
    next_bill: "2026-12-19",
    read_at: new Date(nz("2026-11-20T09:00")).toISOString(),
    period: {
      start: "2026-11-19",
      end: "2026-12-19",
      start_derived: true,
      days: 30,
      days_to_next_bill: 15,
      data_until: "2026-12-01",
      days_with_data: 13,
      usage_so_far: 52,
      so_far: 52 + 13 * 5,
      daily_average: 4,
      projected: 30 * 4 + 30 * 5,
      daily_fixed_charge: 5,
    },
  });
  assert.deepEqual(bach, {
    provider: "contact",
    account: "501234568",
    nickname: null,
    currency: "NZD",
    contracts: [{ icp: "0000024680GHJ", contract_id: "1350000003", plan: null }],
    balance: null,
    amount_due: null,
    amount_paid: null,
    payment_due: null,
    next_bill: null,
    read_at: new Date(nz("2026-11-20T09:00")).toISOString(),
    period: null,
  });
});

test("status bills: a login's own daily charge and contract filter apply; nothing stored yet is an empty list", () => {
  const { store, contact } = setup({ daily_fixed_charge: 1, contracts: ["1350000001"] });
  const bills = contactBillStatuses(contact, store, nz("2026-12-04T10:00"));
  assert.equal(bills.length, 1, "the Bach's contract is not imported, so neither is its bill");
  const [main] = bills;
  assert.deepEqual(main!.contracts.map((c) => c.icp), ["0000012345ABC"]);
  assert.equal(main!.period!.daily_fixed_charge, 1);
  // Only the first contract counts now, and Dec 2 is complete for it.
  assert.equal(main!.period!.data_until, "2026-12-02");
  assert.equal(main!.period!.usage_so_far, 13 * 3 + 9);
  const empty = openStore(join(mkdtempSync(join(tmpdir(), "ei-bill-status-")), "cache.db")).store;
  assert.deepEqual(contactBillStatuses(contact, empty, nz("2026-12-04T10:00")), []);
});
