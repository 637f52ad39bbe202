/** One supply contract (an ICP) of a Contact Energy account. */
export interface ContactContract {
  accountId: string;
  contractId: string;
  icp: string;
  premiseId?: string;
  address?: string;
  product?: string;
  type?: string;
}

export type ContactInterval = "hourly" | "daily" | "monthly";

/** One usage record: an hour, or a whole local day or month (which then starts at its first instant). */
export interface ContactUsage {
  /** UTC epoch seconds of the record's local start. */
  start: number;
  /** YYYY-MM-DD of the start in the record's own zone. */
  localDate: string;
  /** The hour label the API gives (0 for daily and monthly records). */
  hour: number;
  totalKwh: number;
  /** totalKwh − freeKwh, never negative. */
  paidKwh: number;
  freeKwh: number;
  offpeakKwh: number;
  /** dollarValue; null when the API has no price for the record. */
  cost: number | null;
  currency: string;
}

/**
 * What an account's detail says about its bill (`accountDetail` of `GET /accounts/v2`). Every
 * field is optional: the endpoint is undocumented, and a missing or unreadable bill fact must
 * never stop the contracts from being read.
 */
export interface ContactAccountFacts {
  accountId: string;
  nickname?: string;
  /** As the API words it: "Monthly" in every capture. */
  billingFrequency?: string;
  /** `accountBalance.currentBalance` in the account's currency. */
  balance?: number;
  /** The last invoice: what it asks, what was paid of it, and by when (local YYYY-MM-DD). */
  amountDue?: number;
  amountPaid?: number;
  paymentDueDate?: string;
  /** The next bill's local date (YYYY-MM-DD). */
  nextBillDate?: string;
}
