/**
 * The bill in the card's header, from the backend's `status` (`bills`, see
 * server/src/api/protocol.ts BillStatus): "This bill so far NZ$84.20 · projected NZ$131 · next
 * bill in 12 days", with a hint that says what the figures are made of.
 *
 * The backend computes the figures (server/src/bill/projection.ts): only its store holds every day
 * of the bill period whatever range the card shows, and it knows the configured daily charge. This
 * module only picks the card's account and words the figures. Pure.
 */
import type { BillStatus } from "../../../server/src/api/protocol.js";
import { slug } from "../../../server/src/statistics/ids.js";
import type { FrontendLocaleData } from "../ha-types.js";
import type { LocalizeFunc } from "../localize/localize.js";
import { numberLocale } from "./format.js";

export type { BillStatus };

/**
 * The bill of the card's account: the one with a contract whose ICP is `account` (as the card's
 * config or statistic ids spell it: any case, slugged), or the account number itself. Without an
 * account, the only bill when there is one (a card over several accounts shows none).
 */
export function billForAccount(bills: readonly BillStatus[] | undefined, account: string | undefined): BillStatus | null {
  if (!bills?.length) return null;
  if (!account) return bills.length === 1 ? (bills[0] ?? null) : null;
  const wanted = slug(account);
  return bills.find((b) => slug(b.account) === wanted || b.contracts.some((c) => slug(c.icp) === wanted)) ?? null;
}

export interface BillHeader {
  /** The figures in order, each a short phrase ("This bill so far NZ$84.20", "projected NZ$131", "next bill in 12 days"), to join with " · " or lay out to wrap. */
  parts: string[];
  /** `parts` joined with " · ". */
  text: string;
  /** What the figures are made of (a title/tooltip). */
  hint: string;
}

/** Money in the bill's currency; whole units when `whole` (a projection is not cent-accurate). */
export function billMoney(value: number, currency: string, locale: FrontendLocaleData, whole = false): string {
  const digits = whole ? 0 : 2;
  try {
    return new Intl.NumberFormat(numberLocale(locale), { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A local calendar day (YYYY-MM-DD) as "Dec 1" in the user's language; the day is a date, so no time zone moves it. */
export function billDate(day: string, locale: FrontendLocaleData): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  try {
    return new Intl.DateTimeFormat(locale.language, { month: "short", day: "numeric", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d));
  } catch {
    return day;
  }
}

/**
 * The header's bill figures, or null when the status has no current period (no next bill date
 * from the provider yet). "so far" names the last day in when it is not yesterday or today, as
 * the provider publishes days late.
 */
export function billHeader(bill: BillStatus, locale: FrontendLocaleData, localize: LocalizeFunc): BillHeader | null {
  const p = bill.period;
  if (!p) return null;
  const money = (v: number, whole = false) => billMoney(v, bill.currency, locale, whole);
  const parts = [localize("bill.so_far", { amount: money(p.so_far) })];
  if (p.projected !== null) parts.push(localize("bill.projected", { amount: money(p.projected, true) }));
  parts.push(p.days_to_next_bill === 0 ? localize("bill.next_bill_today") : p.days_to_next_bill === 1 ? localize("bill.next_bill_tomorrow") : localize("bill.next_bill_in", { days: String(p.days_to_next_bill) }));

  const period = { start: billDate(p.start, locale), end: billDate(lastDay(p.end), locale), charge: money(p.daily_fixed_charge) };
  const average = p.daily_average === null ? "–" : money(p.daily_average);
  const hint =
    p.data_until === null
      ? localize("bill.hint_no_data", { ...period, average })
      : localize("bill.hint", { ...period, date: billDate(p.data_until, locale), average, missing: String(p.days - p.days_with_data) });
  return { parts, text: parts.join(" · "), hint };
}

/** The day before an exclusive end date. */
function lastDay(end: string): string {
  const [y, m, d] = end.split("-").map(Number);
  if (!y || !m || !d) return end;
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
