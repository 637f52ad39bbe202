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
