/**
 * The `bills` of the API's `status`: each Contact account's facts as stored at its last accounts
 * read (sync/contact-bills.ts), with the current period projected from the costs in the store.
 * Reads the store only: no provider request is ever made for a status.
 */
import type { ContactConfig } from "../config/index.js";
import type { BillStatus } from "./protocol.js";
import { seriesKey, slug } from "../statistics/ids.js";
import type { Store } from "../store/store.js";
import { storedBills } from "../sync/contact-bills.js";
import { CONTACT, storedContracts } from "../sync/contact-job.js";
import { addDays, dayEnd, dayStart } from "../time/local.js";
import { combineDailyCosts, currentBillPeriod, dailyCostsOf, localToday, projectBill } from "../bill/projection.js";

/** Days before the period's start read for the daily average (a period that has just started). */
const AVERAGE_LOOKBACK_DAYS = 28;

export function contactBillStatuses(contact: ContactConfig, store: Store, now: number): BillStatus[] {
  const zone = contact.timeZone;
  const today = localToday(now, zone);
  const out: BillStatus[] = [];
  for (const login of contact.accounts) {
    const loginKey = slug(login.username);
    const contracts = storedContracts(store, loginKey).filter((c) => !login.contracts?.length || login.contracts.includes(c.contractId) || login.contracts.includes(c.icp));
    const chargePerContract = login.dailyFixedCharge ?? contact.dailyFixedCharge;
    for (const bill of storedBills(store, loginKey) ?? []) {
      const own = contracts.filter((c) => c.accountId === bill.accountId);
      // An account none of whose contracts is imported (left out by the login's filter, or no energy contract) is not ours to show.
      if (own.length === 0) continue;
      const period = currentBillPeriod(bill, today);
      const dailyFixedCharge = round2(chargePerContract * own.length);
      let periodStatus: BillStatus["period"] = null;
      if (period) {
        const from = addDays(period.start < today ? period.start : today, -AVERAGE_LOOKBACK_DAYS);
        const dailyCosts = contractsDailyCosts(store, own.map((c) => c.icp), zone, from, today);
        const p = projectBill({ period, dailyCosts, dailyFixedCharge, now, zone });
        periodStatus = {
          start: p.start,
          end: p.end,
          start_derived: period.derivedStart,
          days: p.periodDays,
          days_to_next_bill: p.daysToNextBill,
          data_until: p.dataUntil,
          days_with_data: p.daysWithData,
          usage_so_far: p.usageSoFar,
          so_far: p.soFar,
          daily_average: p.dailyAverage,
          projected: p.projected,
          daily_fixed_charge: dailyFixedCharge,
        };
      }
      out.push({
        provider: CONTACT,
        account: bill.accountId,
        nickname: bill.nickname ?? null,
        currency: contact.currency,
        contracts: own.map((c) => ({ icp: c.icp, contract_id: c.contractId, plan: c.product ?? null })),
        balance: bill.balance ?? null,
        amount_due: bill.amountDue ?? null,
        amount_paid: bill.amountPaid ?? null,
        payment_due: bill.paymentDueDate ?? null,
        next_bill: bill.nextBillDate ?? null,
        read_at: new Date(bill.readAt).toISOString(),
        period: periodStatus,
      });
    }
  }
  return out;
}

/** Usage cost per local day from `from` to `to` (inclusive) of the days all the contracts have complete. */
export function contractsDailyCosts(store: Store, icps: readonly string[], zone: string, from: string, to: string): Map<string, number> {
  const start = dayStart(from, zone);
  const end = dayEnd(to, zone) - 1;
  const perContract = icps.map((icp) => {
    const series = seriesKey(CONTACT, icp, "paid_cost");
    return dailyCostsOf({ hour: store.readings(series, "hour", start, end), day: store.readings(series, "day", start, end) }, zone);
  });
  return combineDailyCosts(perContract);
}

function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}
