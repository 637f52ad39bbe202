/** Statistic ids of everything this backend imports into Home Assistant. */

export const STATISTICS_SOURCE = "energy_insights";

/** Lowercase; each run of characters outside [a-z0-9] becomes one "_"; no leading or trailing "_". */
export function slug(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

export type StatisticKind = "paid_energy" | "free_energy" | "paid_cost" | "carbon_intensity" | "emissions";

/** Series kept in the store but not imported into HA. */
export type StoredOnlyKind = "offpeak_energy";

/** `energy_insights:<provider>_<account>_<kind>`; the part after ":" is also the store's series key. */
export function seriesKey(provider: string, account: string, kind: StatisticKind | StoredOnlyKind): string {
  const parts = [slug(provider), slug(account), kind];
  if (parts.some((p) => p === "")) throw new Error(`cannot build a statistic id from provider "${provider}" and account "${account}"`);
  return parts.join("_");
}

export function statisticId(series: string): string {
  return `${STATISTICS_SOURCE}:${series}`;
}

/** HA's own rule for external statistic ids (recorder/statistics.py). */
export const EXTERNAL_STATISTIC_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$/;
