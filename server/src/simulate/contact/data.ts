/**
 * Deterministic synthetic usage for the Contact Energy simulator. Pure functions of (contract,
 * date, seed, revisions), exported so that tests and benchmarks can compute the values the
 * simulator serves. Quantities are integers: Wh for energy, mills (1/1000 NZD) for money, so that
 * daily and monthly totals are exact sums of the hours, as the real API's appear to be.
 */
import { DateTime } from "luxon";

export const SIM_ZONE = "Pacific/Auckland";

export interface SimPlan {
  name: string;
  /** Price of a paid kWh in mills (358 = 0.358 NZD). */
  priceMills: number;
  /** Local hours [from, to) that are free every day, as on "Good Nights" (21–24). */
  freeHours?: { from: number; to: number };
  /** The fixed daily charge in mills, billed per contract and day (not part of the usage records). */
  dailyChargeMills?: number;
}

export interface SimContract {
  id: string;
  premiseId: string;
  icp: string;
  address: string;
  plan: SimPlan;
  /** Size of the household relative to a typical one. */
  scale: number;
}

export interface SimAccount {
  id: string;
  nickname: string;
  contracts: SimContract[];
  /** Day of the month the monthly bill is issued (1–28); 19 by default, as in the captured sample. */
  billDay?: number;
}

export const GOOD_NIGHTS: SimPlan = { name: "Good Nights", priceMills: 358, freeHours: { from: 21, to: 24 }, dailyChargeMills: 2_300 };
export const BASIC: SimPlan = { name: "Basic", priceMills: 312, dailyChargeMills: 2_300 };

export const DEFAULT_SIM_ACCOUNTS: readonly SimAccount[] = [
  {
    id: "501234567",
    nickname: "Main St",
    contracts: [
      { id: "1350000001", premiseId: "0987654321", icp: "0000012345ABC", address: "1 Main St, Town", plan: GOOD_NIGHTS, scale: 1 },
      { id: "1350000002", premiseId: "0987654322", icp: "0000067890DEF", address: "1A Main St, Town", plan: BASIC, scale: 0.4 },
    ],
  },
  {
    id: "501234568",
    nickname: "Bach",
    contracts: [{ id: "1350000003", premiseId: "0987654323", icp: "0000024680GHJ", address: "7 Beach Rd, Bay", plan: BASIC, scale: 0.6 }],
    billDay: 5,
  },
];

/** Energy and money of one hour or a sum of hours. */
export interface SimAmounts {
  wh: number;
  freeWh: number;
  mills: number;
}

export interface SimHour extends SimAmounts {
  /** UTC epoch seconds of the hour's start. */
  utc: number;
  /** Local hour label (repeated on the April day, skipped on the September day). */
  hour: number;
  /** Offset from UTC in minutes at the hour's start (780 for NZDT, 720 for NZST). */
  offsetMin: number;
  free: boolean;
}

/** Revised hourly values in Wh, by `revisionKey(contractId, utcHourStart)`. */
export type SimRevisions = ReadonlyMap<string, number>;

export function revisionKey(contractId: string, utcHourStart: number): string {
  return `${contractId}@${utcHourStart}`;
}

/** The local day's hours, 23, 24 or 25 of them. */
export function localDayHours(date: string): { utc: number; hour: number; offsetMin: number }[] {
  const start = DateTime.fromISO(date, { zone: SIM_ZONE }).startOf("day");
  const next = start.plus({ days: 1 });
  const first = start.toSeconds();
  const count = Math.round((next.toSeconds() - first) / 3600);
  // Only a DST day needs the zone per hour; the others are 0..23 at one offset.
  if (count === 24 && start.offset === next.offset) {
    return Array.from({ length: 24 }, (_, hour) => ({ utc: first + hour * 3600, hour, offsetMin: start.offset }));
  }
  return Array.from({ length: count }, (_, i) => {
    const at = DateTime.fromSeconds(first + i * 3600, { zone: SIM_ZONE });
    return { utc: first + i * 3600, hour: at.hour, offsetMin: at.offset };
  });
}

/** The hours of one contract's local day, revisions applied. */
export function dayHours(contract: SimContract, date: string, seed: number, revisions: SimRevisions = new Map()): SimHour[] {
  const day = DateTime.fromISO(date, { zone: SIM_ZONE });
  return localDayHours(date).map((h) => {
    const free = isFreeHour(contract.plan, h.hour);
    const wh = revisions.get(revisionKey(contract.id, h.utc)) ?? profileWh(contract, seed, h.utc, h.hour, day.month, day.weekday);
    return { ...h, free, wh, freeWh: free ? wh : 0, mills: free ? 0 : Math.round((wh * contract.plan.priceMills) / 1000) };
  });
}

export function sumAmounts(parts: readonly SimAmounts[]): SimAmounts {
  return parts.reduce((a, b) => ({ wh: a.wh + b.wh, freeWh: a.freeWh + b.freeWh, mills: a.mills + b.mills }), { wh: 0, freeWh: 0, mills: 0 });
}

/** When day `date` of a contract appears in the API: the end of the local day plus 24–72 hours. */
export function availableAtMs(contractId: string, date: string, seed: number, fixedDelayHours?: number): number {
  const endOfDay = DateTime.fromISO(date, { zone: SIM_ZONE }).plus({ days: 1 }).toMillis();
  const delayHours = fixedDelayHours ?? 24 + Math.floor(hashUnit(seed, contractId, date, "delay") * 49);
  return endOfDay + delayHours * 3_600_000;
}

function isFreeHour(plan: SimPlan, hour: number): boolean {
  return plan.freeHours !== undefined && hour >= plan.freeHours.from && hour < plan.freeHours.to;
}

/** A plausible household: night base load, morning and evening peaks, more in winter and at weekends. */
function profileWh(contract: SimContract, seed: number, utc: number, hour: number, month: number, weekday: number): number {
  let kwh = 0.25;
  if (hour >= 6 && hour <= 8) kwh += hour === 7 ? 0.9 : 0.5;
  else if (hour >= 9 && hour <= 16) kwh += weekday >= 6 ? 0.45 : 0.15;
  else if (hour >= 17 && hour <= 20) kwh += hour === 18 ? 1.3 : 0.8;
  else if (hour >= 21) kwh += 0.3;
  // Households on a free-hours plan move dishwasher, laundry and car charging into them.
  if (isFreeHour(contract.plan, hour)) kwh += 0.8;
  const season = month >= 6 && month <= 8 ? 1.35 : month === 12 || month <= 2 ? 0.9 : 1;
  const noise = 0.75 + 0.5 * hashUnit(seed, contract.id, utc);
  return Math.max(20, Math.round(kwh * season * noise * contract.scale * 1000));
}

/** A number in [0, 1) from its inputs (FNV-1a, then a murmur3 finaliser so near inputs scatter). */
export function hashUnit(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("|")) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** Days from a monthly bill until its payment is due (and taken by direct debit). */
export const SIM_PAYMENT_TERMS_DAYS = 14;

/** An account's bill as the accounts endpoint reports it on one local day. */
export interface SimBill {
  /** The bill issued last (local YYYY-MM-DD), which closed the period [previousBill, lastBill). */
  lastBill: string;
  previousBill: string;
  nextBill: string;
  /** The last bill's total: usage of every contract in its period plus their daily charges. */
  amountDueMills: number;
  paymentDue: string;
  /** Paid in full by direct debit on the due date. */
  paid: boolean;
  daysUntilBill: number;
  /** Negative once the due date has passed, as in the captured sample. */
  daysTilOverdue: number;
}

/**
 * The bill facts of an account at `nowMs`: monthly bills on `billDay`, each for the local days
 * from the bill before it up to the day before it, usage as served plus daily charges. Pure.
 */
export function simBill(account: SimAccount, nowMs: number, seed: number, revisions: SimRevisions = new Map()): SimBill {
  const day = account.billDay ?? 19;
  const today = DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).startOf("day");
  const thisMonth = today.set({ day });
  const last = thisMonth <= today ? thisMonth : thisMonth.minus({ months: 1 });
  const previous = last.minus({ months: 1 });
  const next = last.plus({ months: 1 });
  const due = last.plus({ days: SIM_PAYMENT_TERMS_DAYS });
  let mills = 0;
  for (let d = previous; d < last; d = d.plus({ days: 1 })) {
    const date = d.toISODate() ?? "";
    for (const contract of account.contracts) mills += sumAmounts(dayHours(contract, date, seed, revisions)).mills + (contract.plan.dailyChargeMills ?? 0);
  }
  const days = (a: DateTime, b: DateTime) => Math.round(b.diff(a, "days").days);
  return {
    lastBill: last.toISODate() ?? "",
    previousBill: previous.toISODate() ?? "",
    nextBill: next.toISODate() ?? "",
    amountDueMills: mills,
    paymentDue: due.toISODate() ?? "",
    paid: today > due,
    daysUntilBill: days(today, next),
    daysTilOverdue: days(today, due),
  };
}
