import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { openStore } from "../../server/src/store/store.js";
import { billsToRefresh, recordBills, storedBills, type StoredAccountBill } from "../../server/src/sync/contact-bills.js";

const NZ = "Pacific/Auckland";
const nz = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toMillis();
const store = () => openStore(join(mkdtempSync(join(tmpdir(), "ei-bills-")), "cache.db")).store;

const bill = (at: string, nextBillDate?: string, paymentDueDate?: string, accountId = "1"): StoredAccountBill => ({
  accountId,
  readAt: nz(at),
  ...(nextBillDate ? { nextBillDate } : {}),
  ...(paymentDueDate ? { paymentDueDate } : {}),
});
const due = (b: StoredAccountBill, now: string) => billsToRefresh([b], nz(now), NZ).length > 0;

test("an account is read again on and after its bill date once a day for a week, and once after its payment due date", () => {
  const read = bill("2026-11-20T09:00", "2026-12-19", "2026-12-03");
  assert.equal(due(read, "2026-12-03T23:00"), false, "not before the due day has ended");
  assert.equal(due(read, "2026-12-04T00:30"), true, "the day after the due date");
  const afterDue = bill("2026-12-04T00:30", "2026-12-19", "2026-12-03");
  assert.equal(due(afterDue, "2026-12-10T09:00"), false, "read once after the due date");
  assert.equal(due(afterDue, "2026-12-18T23:59"), false);
  assert.equal(due(afterDue, "2026-12-19T00:01"), true, "the bill date");
  // Contact has not moved the date on yet: once a day, not at every check.
  const sameDay = bill("2026-12-19T06:00", "2026-12-19", "2026-12-03");
  assert.equal(due(sameDay, "2026-12-19T12:00"), false);
  assert.equal(due(sameDay, "2026-12-20T00:10"), true);
  assert.equal(due(bill("2026-12-26T06:00", "2026-12-19"), "2026-12-26T20:00"), false);
  assert.equal(due(bill("2026-12-26T06:00", "2026-12-19"), "2026-12-27T20:00"), false, "after a week the 30-day rhythm takes over");
  assert.equal(due(bill("2026-01-01T00:00"), "2026-12-27T20:00"), false, "no dates, nothing to wait for");
});

test("only the accounts that are due are named", () => {
  const bills = [bill("2026-12-01T09:00", "2026-12-19", "2026-11-20", "a"), bill("2026-12-01T09:00", "2026-12-05", "2026-11-20", "b")];
  assert.deepEqual(billsToRefresh(bills, nz("2026-12-05T09:00"), NZ), ["b"]);
  assert.deepEqual(billsToRefresh(bills, nz("2026-12-19T09:00"), NZ), ["a"]);
});

test("the refresh day is the local day in Pacific/Auckland, across the April DST change", () => {
  // 2026-04-05 03:00 NZDT becomes 02:00 NZST; a read at 00:30 NZDT that day counts as read that day.
  const read = bill("2026-04-05T00:30", "2026-04-05");
  assert.equal(due(read, "2026-04-05T23:30"), false);
  assert.equal(due(read, "2026-04-06T00:00"), true);
});

test("a new next bill date records the old one, once passed, as the date that opened the period", () => {
  const s = store();
  assert.equal(storedBills(s, "me"), undefined);
  recordBills(s, "me", nz("2026-11-20T09:00"), [{ accountId: "1", nextBillDate: "2026-12-19", amountDue: 300 }], NZ, true);
  assert.deepEqual(storedBills(s, "me"), [{ accountId: "1", readAt: nz("2026-11-20T09:00"), nextBillDate: "2026-12-19", amountDue: 300 }]);
  // The same answer again changes nothing but the time.
  recordBills(s, "me", nz("2026-12-04T09:00"), [{ accountId: "1", nextBillDate: "2026-12-19", amountDue: 300 }], NZ, false);
  assert.equal(storedBills(s, "me")?.[0]?.lastBillDate, undefined);
  recordBills(s, "me", nz("2026-12-19T09:00"), [{ accountId: "1", nextBillDate: "2027-01-19", amountDue: 310 }], NZ, false);
  assert.deepEqual(storedBills(s, "me"), [{ accountId: "1", readAt: nz("2026-12-19T09:00"), nextBillDate: "2027-01-19", amountDue: 310, lastBillDate: "2026-12-19" }]);
  // One account's answer keeps the others; a complete answer replaces the list.
  recordBills(s, "me", nz("2027-01-02T09:00"), [{ accountId: "2", nextBillDate: "2027-01-05" }], NZ, false);
  assert.deepEqual(storedBills(s, "me")?.map((a) => [a.accountId, a.lastBillDate]), [["1", "2026-12-19"], ["2", undefined]]);
  recordBills(s, "me", nz("2027-01-03T09:00"), [{ accountId: "2", nextBillDate: "2027-01-05" }], NZ, true);
  assert.deepEqual(storedBills(s, "me")?.map((a) => a.accountId), ["2"]);
});

test("a date moved earlier (a corrected answer) or not yet reached is not taken for a bill that went by", () => {
  const s = store();
  recordBills(s, "me", nz("2026-11-20T09:00"), [{ accountId: "1", nextBillDate: "2026-12-19" }], NZ, true);
  recordBills(s, "me", nz("2026-11-21T09:00"), [{ accountId: "1", nextBillDate: "2026-12-20" }], NZ, true);
  assert.equal(storedBills(s, "me")?.[0]?.lastBillDate, undefined);
  recordBills(s, "me", nz("2026-11-22T09:00"), [{ accountId: "1", nextBillDate: "2026-12-18" }], NZ, true);
  assert.equal(storedBills(s, "me")?.[0]?.lastBillDate, undefined);
});
