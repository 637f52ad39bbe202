/**
 * Energy Insights' statistic ids: the one place they are made and read. Import-free, so the card
 * imports it as well as the backend.
 *
 * An id is `energy_insights:<series>`, and <series> is also the store's key for its readings:
 *
 *   <provider>_<account>_<kind>      contact_<icp>_paid_energy, watttime_<region>_carbon_intensity
 *   onemeter_<device>_<kind>         onemeter_<device>_import_energy (kinds from the OBIS registers)
 *   device_<entity>_energy           a learned device's energy
 *
 * and series the store keeps without importing them into HA: contact_<icp>_offpeak_energy,
 * onemeter_<device>_register_<obis>, and <carbon series>_min / _max.
 */

export const STATISTICS_SOURCE = "energy_insights";

/** The providers' parts of the ids. */
export const PROVIDER = { contact: "contact", onemeter: "onemeter", watttime: "watttime", electricityMaps: "electricity_maps" } as const;

/** Lowercase; each run of characters outside [a-z0-9] becomes one "_"; no leading or trailing "_". */
export function slug(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** What a Contact account's statistics hold. */
export const ACCOUNT_KINDS = ["paid_energy", "free_energy", "paid_cost", "emissions"] as const;
/** What a carbon provider's statistic of a region or zone holds: intensity (gCO2eq/kWh), or WattTime's relative index (%). */
export const CARBON_KINDS = ["carbon_intensity", "signal_index"] as const;

export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export type CarbonKind = (typeof CARBON_KINDS)[number];
export type StatisticKind = AccountKind | CarbonKind;
/** Series kept in the store but not imported into HA. */
export type StoredOnlyKind = "offpeak_energy";

function join(parts: readonly string[], what: string): string {
  if (parts.some((p) => p === "")) throw new Error(`cannot build a statistic id from ${what}`);
  return parts.join("_");
}

/** `<provider>_<account>_<kind>`. */
export function seriesKey(provider: string, account: string, kind: StatisticKind | StoredOnlyKind): string {
  return join([slug(provider), slug(account), kind], `provider "${provider}" and account "${account}"`);
}

/** The carbon-intensity providers. */
export type CarbonProviderId = typeof PROVIDER.watttime | typeof PROVIDER.electricityMaps;
/** What a carbon provider gives: an intensity in gCO2eq/kWh, or WattTime's percentile (0 cleanest … 100 dirtiest). */
export type CarbonSignal = "intensity" | "percentile";

/** A carbon series (`<provider>_<account>_carbon_intensity` or `_signal_index`) and its stored minimum and maximum beside it. */
export function carbonSeries(provider: string, account: string, signal: CarbonSignal): { mean: string; min: string; max: string } {
  const mean = seriesKey(provider, account, signal === "intensity" ? "carbon_intensity" : "signal_index");
  return { mean, min: `${mean}_min`, max: `${mean}_max` };
}

/** A OneMeter device's statistic: `onemeter_<device>_<kind>` (kind such as `import_energy`, `export_energy_t1`). */
export function oneMeterSeries(deviceId: string, kind: string): string {
  return join([PROVIDER.onemeter, slug(deviceId), kind], `OneMeter device "${deviceId}"`);
}

/** The store series of one OneMeter register's cumulative readings: `onemeter_<device>_register_<obis>`. */
export function oneMeterRegisterSeries(deviceId: string, register: string): string {
  return join([PROVIDER.onemeter, slug(deviceId), "register", register], `OneMeter device "${deviceId}"`);
}

/** A learned device's energy: `device_<slug(entity_id)>_energy`. */
export function deviceSeriesKey(entityId: string): string {
  return join(["device", slug(entityId), "energy"], `entity "${entityId}"`);
}

export function statisticId(series: string): string {
  return `${STATISTICS_SOURCE}:${series}`;
}

/** Whether an id is in Energy Insights' namespace (any of its statistics, known kind or not). */
export function isOurStatisticId(id: string): boolean {
  return id.startsWith(`${STATISTICS_SOURCE}:`);
}

/** How an account's ids look, for messages: `energy_insights:<provider>_<account>_…`. */
export function accountIdPattern(provider: string): string {
  return `${STATISTICS_SOURCE}:${slug(provider) || "<provider>"}_<account>_…`;
}

/** A OneMeter statistic's kind: energy import or export, or reactive energy, per tariff (`_t1`…`_t4`) or in all. */
const ONEMETER_KIND = /_((?:import|export)_energy|reactive_energy_q[14])(_t[1-4])?$/;

/** What an Energy Insights statistic id says: which family, whose (`<provider>_<account>`, `onemeter_<device>`, `device_<entity>`) and what it holds. */
export type ParsedStatisticId =
  | { family: "account"; series: string; owner: string; kind: AccountKind }
  | { family: "carbon"; series: string; owner: string; kind: CarbonKind }
  | { family: "onemeter"; series: string; owner: string; kind: string; reactive: boolean }
  | { family: "device"; series: string; owner: string; kind: "energy" };

/** Reads an id this module makes; null for anything else (another integration's statistic, a kind this version does not know). */
export function parseStatisticId(id: string): ParsedStatisticId | null {
  const prefix = `${STATISTICS_SOURCE}:`;
  if (!id.startsWith(prefix)) return null;
  const series = id.slice(prefix.length);
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(series)) return null;
  const owner = (kind: string) => series.slice(0, -(kind.length + 1));
  if (series.startsWith("device_") && series.endsWith("_energy") && series.length > "device__energy".length) {
    return { family: "device", series, owner: owner("energy"), kind: "energy" };
  }
  const meter = series.startsWith(`${PROVIDER.onemeter}_`) ? ONEMETER_KIND.exec(series) : null;
  if (meter && owner(meter[0].slice(1)).length > PROVIDER.onemeter.length) {
    const kind = meter[0].slice(1);
    return { family: "onemeter", series, owner: owner(kind), kind, reactive: kind.startsWith("reactive") };
  }
  for (const kind of ACCOUNT_KINDS) if (series.endsWith(`_${kind}`) && owner(kind).includes("_")) return { family: "account", series, owner: owner(kind), kind };
  for (const kind of CARBON_KINDS) if (series.endsWith(`_${kind}`) && owner(kind).includes("_")) return { family: "carbon", series, owner: owner(kind), kind };
  return null;
}

/** `<provider>_<account>`: whose an account's statistics are (what `parseStatisticId` gives as their owner). */
export function accountOwner(provider: string, account: string): string {
  return join([slug(provider), slug(account)], `provider "${provider}" and account "${account}"`);
}

/** An account's statistic id, or undefined when the provider or account slugs to nothing (a user's config). */
export function accountStatisticId(provider: string, account: string, kind: AccountKind): string | undefined {
  try {
    return statisticId(seriesKey(provider, account, kind));
  } catch {
    return undefined;
  }
}

/** The statistic of the same account with another kind (`…_paid_energy` → `…_emissions`); undefined for an id that is not an account's. */
export function siblingStatisticId(id: string, kind: AccountKind): string | undefined {
  const parsed = parseStatisticId(id);
  return parsed?.family === "account" ? statisticId(`${parsed.owner}_${kind}`) : undefined;
}

/** The entity id slug of a learned device's statistic (`device_<slug>_energy`), or null. */
export function deviceSlugOf(id: string): string | null {
  const parsed = parseStatisticId(id);
  return parsed?.family === "device" ? parsed.owner.slice("device_".length) : null;
}

/** What a card option naming a statistic accepts: an external statistic's id (`source:id`, any integration's) or an entity's (`sensor.x`). */
export const STATISTIC_OR_ENTITY_ID = /^(?:[a-z0-9_]+:[a-z0-9_]+|[a-z0-9_]+\.[a-z0-9_]+)$/;

/** HA's own rule for external statistic ids (recorder/statistics.py). */
export const EXTERNAL_STATISTIC_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$/;

/** What a statistic is, independent of the HA version it is sent to. */
export interface StatisticDescription {
  statisticId: string;
  source: string;
  name: string;
  unit: string;
  /** `energy` for kWh; null for money (a currency has no unit converter). */
  unitClass: "energy" | null;
  hasSum: boolean;
  /** Arithmetic mean (and min/max) is kept, e.g. carbon intensity. */
  hasMean: boolean;
}

/** A statistic and the store series it is published from: the one shape every provider's statistics take. */
export interface SeriesStatistic {
  /** Store key of the published statistic (the id without `energy_insights:`). */
  series: string;
  stat: StatisticDescription;
}
