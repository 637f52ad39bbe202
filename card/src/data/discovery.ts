/**
 * Finding the backend's statistics in Home Assistant without configuration: every statistic whose
 * `source` is `energy_insights` and whose id ends in one of the kinds the card shows, grouped by the
 * `<provider>_<account>` part of `energy_insights:<provider>_<account>_<kind>`.
 */
import { parseStatisticId, PROVIDER } from "../../../server/src/statistics/ids.js";
import { CARD_TYPE, KINDS, STATISTICS_SOURCE, type Kind } from "../const.js";
import type { HomeAssistant, LovelaceCardConfig } from "../ha-types.js";
import type { StatisticsMetaData } from "./recorder.js";
import { catalog } from "./statistics-catalog.js";

export interface DiscoveredAccount {
  /** `<provider>_<account>`, e.g. `contact_0000012345abc`. */
  key: string;
  ids: Partial<Record<Kind, string>>;
  /** The cost statistic's unit, normally a currency code such as `NZD`. */
  currency?: string;
  name?: string;
}

/** The owner (`<provider>_<account>`) and kind of one of the card's kinds of statistic; null for any other id. */
function accountPart(id: string): { key: string; kind: Kind } | null {
  const parsed = parseStatisticId(id);
  if (parsed?.family !== "account") return null;
  const kind = KINDS.find((k) => k === parsed.kind);
  return kind ? { key: parsed.owner, kind } : null;
}

/** Pure: group metadata rows into accounts; accounts with paid energy first, then by key. */
export function groupAccounts(rows: StatisticsMetaData[]): DiscoveredAccount[] {
  const byKey = new Map<string, DiscoveredAccount>();
  for (const row of rows) {
    if (row.source !== STATISTICS_SOURCE) continue;
    const match = accountPart(row.statistic_id);
    if (!match) continue;
    const { key, kind } = match;
    let account = byKey.get(key);
    if (!account) {
      account = { key, ids: {} };
      byKey.set(key, account);
    }
    account.ids[kind] = row.statistic_id;
    if (kind === "paid_cost" && row.statistics_unit_of_measurement) account.currency = row.statistics_unit_of_measurement;
    if (row.name && (kind === "paid_energy" || (kind === "free_energy" && !account.name))) account.name = row.name;
  }
  return [...byKey.values()]
    .filter((a) => a.ids.paid_energy || a.ids.free_energy)
    .sort((a, b) => Number(Boolean(b.ids.paid_energy)) - Number(Boolean(a.ids.paid_energy)) || a.key.localeCompare(b.key));
}

/** `contact_0000012345abc` from an account's statistic ids (undefined for ids not named like the backend's). */
export function accountKeyOf(ids: Partial<Record<Kind, string>>): string | undefined {
  for (const id of [ids.paid_energy, ids.free_energy]) {
    const match = id ? accountPart(id) : null;
    if (match) return match.key;
  }
  return undefined;
}

/**
 * What an account is called: the name the backend gives its paid (or free) energy statistic without
 * the kind ("Contact Energy 0000012345ABC"), else its `<provider>_<account>` key.
 */
export function accountLabel(account: Pick<DiscoveredAccount, "key" | "name">): string {
  const name = account.name?.replace(/\s+(?:paid|free)\s+energy\s*$/i, "").trim();
  return name || account.key;
}

const KNOWN_PROVIDERS: readonly string[] = Object.values(PROVIDER).sort((a, b) => b.length - a.length);

/**
 * `contact_0000012345abc` → provider `contact`, account `0000012345abc`; a known provider's slug may
 * hold "_" (`electricity_maps_nz`), an unknown one is taken to end at the first "_".
 */
export function splitAccountKey(key: string): { provider: string; account: string } {
  const known = KNOWN_PROVIDERS.find((p) => key === p || key.startsWith(`${p}_`));
  const at = known ? known.length : key.indexOf("_");
  return at < 0 || at >= key.length ? { provider: known ?? key, account: "" } : { provider: key.slice(0, at), account: key.slice(at + 1) };
}

/** The accounts of the page's statistics catalog (asked from HA when there is none yet). */
export async function discoverAccounts(hass: HomeAssistant): Promise<DiscoveredAccount[]> {
  return groupAccounts((await catalog(hass)).rows);
}

/** The card picker's config: the backend's account, found from HA's statistics; with several (or none found), none is fixed (the card shows them all). */
export async function stubCardConfig(hass: HomeAssistant): Promise<LovelaceCardConfig> {
  const config: LovelaceCardConfig = { type: CARD_TYPE };
  const accounts = await discoverAccounts(hass).catch(() => [] as DiscoveredAccount[]); // the card discovers again when it runs
  const account = accounts.length === 1 ? accounts[0] : undefined;
  if (account) for (const kind of KINDS) if (account.ids[kind]) config[kind] = account.ids[kind];
  return config;
}
