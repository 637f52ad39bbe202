/**
 * The backend's statistics as Home Assistant lists them: one `recorder/list_statistic_ids` answer
 * (every type, sums and means) serves everything the card discovers: the accounts, the learned
 * devices, the carbon intensity statistic and the units of the ids it shows.
 *
 * Kept for every card of the page (per HA connection, module level) and in sessionStorage per HA URL
 * and user, so a second card or a reload draws without asking again. It is checked against HA once
 * per page, in the background, after a chart is painted (`freshCatalog`), and again on a refresh.
 * Only the rows of `source: energy_insights` are kept (a large HA lists thousands of statistics).
 */
import { STATISTICS_SOURCE } from "../const.js";
import type { HomeAssistant } from "../ha-types.js";
import { listStatisticIds, type StatisticsMetaData } from "./recorder.js";

export interface StatisticsCatalog {
  rows: StatisticsMetaData[];
  /** Epoch ms of HA's answer. */
  fetchedAt: number;
}

interface Entry {
  catalog?: StatisticsCatalog;
  /** The answer being fetched from HA (shared by every card asking meanwhile). */
  pending?: Promise<StatisticsCatalog>;
  /** Fetched from HA in this page since the last `forgetCatalogCheck`. */
  checked: boolean;
}

const STORAGE_PREFIX = "energy-insights:catalog:v1:";
const entries = new WeakMap<object, Entry>();

/** The same for every `hass` object of one page: HA builds a new `hass` on each state change, but keeps its connection and `callWS`. */
function identityOf(hass: HomeAssistant): object {
  return hass.connection ?? hass.callWS;
}

function storageKey(hass: HomeAssistant): string | undefined {
  const user = hass.user?.id;
  return user && typeof location !== "undefined" ? `${STORAGE_PREFIX}${location.origin}:${user}` : undefined;
}

function isCatalog(value: unknown): value is StatisticsCatalog {
  return Boolean(value) && typeof value === "object" && Array.isArray((value as StatisticsCatalog).rows) && typeof (value as StatisticsCatalog).fetchedAt === "number";
}

function readStored(hass: HomeAssistant): StatisticsCatalog | undefined {
  const key = storageKey(hass);
  if (!key) return undefined;
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(key) ?? "null");
    return isCatalog(parsed) ? parsed : undefined;
  } catch {
    return undefined; // storage off (private mode) or a damaged value: ask HA
  }
}

function store(hass: HomeAssistant, catalog: StatisticsCatalog): void {
  const key = storageKey(hass);
  if (!key) return;
  try {
    sessionStorage.setItem(key, JSON.stringify(catalog));
  } catch {
    // Full or off: the page still has it in memory.
  }
}

function entryOf(hass: HomeAssistant): Entry {
  const identity = identityOf(hass);
  let entry = entries.get(identity);
  if (!entry) {
    const stored = readStored(hass);
    entry = { checked: false, ...(stored ? { catalog: stored } : {}) };
    entries.set(identity, entry);
  }
  return entry;
}

/** The catalog in hand (fetched in this page, or stored by an earlier one), without asking HA. */
export function knownCatalog(hass: HomeAssistant): StatisticsCatalog | undefined {
  return entryOf(hass).catalog;
}

/** Whether HA was asked in this page (since the last `forgetCatalogCheck`). */
export function catalogChecked(hass: HomeAssistant): boolean {
  return entryOf(hass).checked;
}

/** The catalog as HA has it now: asked once per page (concurrent callers share the answer) and stored for the next reload. */
export function freshCatalog(hass: HomeAssistant): Promise<StatisticsCatalog> {
  const entry = entryOf(hass);
  if (entry.checked && entry.catalog) return Promise.resolve(entry.catalog);
  if (!entry.pending) {
    const pending = listStatisticIds(hass).then((all) => {
      const catalog = { rows: all.filter((row) => row.source === STATISTICS_SOURCE), fetchedAt: Date.now() };
      entry.catalog = catalog;
      entry.checked = true;
      store(hass, catalog);
      return catalog;
    });
    entry.pending = pending;
    const done = () => {
      if (entry.pending === pending) entry.pending = undefined;
    };
    pending.then(done, done);
  }
  return entry.pending;
}

/** The answer HA is being asked for right now, if any (a load started meanwhile waits for it rather than going without). */
export function pendingCatalog(hass: HomeAssistant): Promise<StatisticsCatalog> | undefined {
  return entryOf(hass).pending;
}

/** The catalog in hand, else asked from HA. */
export function catalog(hass: HomeAssistant): Promise<StatisticsCatalog> {
  const known = knownCatalog(hass);
  return known ? Promise.resolve(known) : freshCatalog(hass);
}

/** The next `freshCatalog` asks HA again (the card's refresh: the backend may have imported new statistics). */
export function forgetCatalogCheck(hass: HomeAssistant): void {
  entryOf(hass).checked = false;
}
