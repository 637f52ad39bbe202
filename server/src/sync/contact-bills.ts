/**
 * Each Contact account's bill facts as last read from the accounts endpoint, kept in the store
 * beside the login's contracts, and the rule for when they are worth one more accounts request.
 *
 * The facts come with the contracts (no extra request), which are read again only every 30 days;
 * a bill's facts change sooner: when the bill is issued (the next bill date moves on, a new invoice)
 * and when it is paid. So one account's detail (`GET /accounts/v2?ba=<id>`, one request) is read
 * again, and only then:
 * - once a day from its next bill date on, until the answer names a later one (at most a week:
 *   an account that stays "due" is then left to the 30-day rhythm);
 * - once after its invoice's payment due date (the balance after the direct debit).
 * About two requests a month per account, none on a restart.
 */
import * as z from "zod";
import type { ContactAccountFacts } from "../providers/contact/client.js";
import { stateCell } from "../store/state.js";
import type { Store } from "../store/store.js";
import { addDays, dayStart, localDay } from "../time/local.js";

/** One account's facts, with when they were read and the bill date before the current period when known. */
export interface StoredAccountBill extends ContactAccountFacts {
  /** When this account's detail was last read (epoch ms). */
  readAt: number;
  /**
   * The bill date that opened the current period: the next bill date of an earlier answer once a
   * later answer names a new one. Absent until the backend has seen a bill go by.
   */
  lastBillDate?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const billSchema = z.object({
  accountId: z.string(),
  readAt: z.number(),
  nickname: z.string().optional(),
  billingFrequency: z.string().optional(),
  balance: z.number().optional(),
  amountDue: z.number().optional(),
  amountPaid: z.number().optional(),
  paymentDueDate: z.string().regex(DAY).optional(),
  nextBillDate: z.string().regex(DAY).optional(),
  lastBillDate: z.string().regex(DAY).optional(),
});

const billsCell = (loginKey: string) => stateCell(`contact:bills:${loginKey}`, z.array(billSchema));

/** A week of daily retries after a bill date, then the contracts' own 30-day rhythm. */
const BILL_RETRY_DAYS = 7;

/** The login's accounts' bills as last read; undefined before the first read (or in a store older than bills). */
export function storedBills(store: Store, loginKey: string): StoredAccountBill[] | undefined {
  return billsCell(loginKey).get(store)?.map((a) => definedOnly(a));
}

/**
 * Stores answers read at `at`. `complete` answers (every account of the login) replace the list;
 * others update their accounts and keep the rest. When an account's next bill date moved on, the
 * old one (if it has passed by then) is the date that opened the new period.
 */
export function recordBills(store: Store, loginKey: string, at: number, facts: readonly ContactAccountFacts[], zone: string, complete: boolean): void {
  const before = billsCell(loginKey).get(store) ?? [];
  const today = localDay(Math.floor(at / 1000), zone);
  const updated = facts.map((f): StoredAccountBill => {
    const old = before.find((a) => a.accountId === f.accountId);
    const moved = old?.nextBillDate !== undefined && f.nextBillDate !== undefined && old.nextBillDate < f.nextBillDate && old.nextBillDate <= today;
    const kept = old?.lastBillDate !== undefined && (f.nextBillDate === undefined || old.lastBillDate < f.nextBillDate) ? old.lastBillDate : undefined;
    return definedOnly({ ...f, readAt: at, lastBillDate: moved ? old.nextBillDate : kept });
  });
  const rest = complete ? [] : before.filter((a) => !facts.some((f) => f.accountId === a.accountId));
  billsCell(loginKey).set(store, [...rest, ...updated]);
}

/**
 * The accounts whose stored facts one request would bring up to date: a bill date reached and not
 * read since the start of today, or an invoice's payment due date passed since the last read. Pure.
 */
export function billsToRefresh(bills: readonly StoredAccountBill[], now: number, zone: string): string[] {
  const today = localDay(Math.floor(now / 1000), zone);
  return bills
    .filter((a) => {
      const readToday = a.readAt >= dayStart(today, zone) * 1000;
      if (a.nextBillDate !== undefined && a.nextBillDate <= today && today <= addDays(a.nextBillDate, BILL_RETRY_DAYS) && !readToday) return true;
      // Read once after the due day has ended: the balance then says whether it was paid.
      return a.paymentDueDate !== undefined && a.paymentDueDate < today && a.readAt < dayStart(addDays(a.paymentDueDate, 1), zone) * 1000;
    })
    .map((a) => a.accountId);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
