/**
 * Follow the Energy dashboard's date picker (`period: energy`), the way HA's own energy cards and
 * statistics-graph's `energy_date_selection` do: through the energy collection that HA's frontend
 * keeps on the websocket connection (home-assistant/frontend src/data/energy.ts,
 * `getEnergyDataCollection`), `hass.connection["_" + key]`.
 *
 * Which key: the card's `collection_key` when set (HA's convention: keys start with "energy_"; a
 * bare name gets "energy_ui_", as `createEnergyCollectionKey` does); otherwise the dashboard's
 * default collection: "energy_<dashboard url>" (HA 2026.11's frontend 20261028.4 keys a picker without
 * `collection_key` by the panel's URL), "energy_ui_<dashboard title>" (as the reference describes
 * for 2025.x), and then the historical "_energy" (older HA, the Energy panel). The card never creates a collection (that needs HA's
 * own loader); the date picker card on the dashboard does. Until one appears the state is
 * "waiting", after `waitMs` "missing" (the card then shows its own dates and says why), and it
 * keeps looking, more slowly, so a picker that loads late is still followed.
 *
 * HA gives `end` as the last millisecond of the last day (23:59:59.999) or none ("until now"); the
 * selection here has the card's convention: an exclusive end, null for "now".
 */
import { type CompareMode, compareModeOf } from "../common/compare.js";
import { addDays, civilDateOf, zonedInstant, zonedParts } from "../common/time.js";

/** The parts of HA's `hass` this reads (a subset of home-assistant/frontend's HomeAssistant). */
export interface EnergyHass {
  /** HA's websocket connection, on which the frontend keeps its collections by name. */
  connection?: object | undefined;
  /** The dashboard being shown ("lovelace", "energy", "dashboard-home" …). */
  panelUrl?: string | undefined;
  panels?: Record<string, { url_path?: string | undefined; title?: string | null | undefined } | undefined> | undefined;
  localize?: ((key: string) => string) | undefined;
}

/** What HA passes to an energy collection's subscribers (EnergyData, the fields used here). */
export interface EnergyDataLike {
  start: Date;
  end?: Date | undefined;
  /** "" | "previous" | "yoy" (HA 2024.12 and later). */
  compareMode?: string | undefined;
  /** Set when comparing (every version; older ones have no `compareMode`). */
  startCompare?: Date | undefined;
}

/** HA's EnergyCollection as far as this module uses it. */
export interface EnergyCollectionLike {
  start?: Date | undefined;
  end?: Date | undefined;
  /** A mode name, or `true` in older HA (which compared with the previous period only). */
  compare?: string | boolean | undefined;
  subscribe(subscriber: (data: EnergyDataLike) => void): () => void;
}

export interface EnergyDateSelection {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive; null for "until now". */
  end: number | null;
  /** The picker's comparison ("Compare" in its menu), when on. */
  compare: CompareMode | null;
  /** The connection key followed, e.g. "_energy". */
  key: string;
}

export type EnergyDateState =
  | { status: "following"; selection: EnergyDateSelection }
  | { status: "waiting"; keys: string[] }
  /** No collection under any of `keys` after the wait: show the card's own dates, and say so. */
  | { status: "missing"; keys: string[] };

export interface EnergyDateOptions {
  /** The card's `collection_key`, if any. */
  collectionKey?: string | undefined;
  onChange(state: EnergyDateState): void;
  /** How long to wait for a collection before "missing" (default 5 s). */
  waitMs?: number;
  /** How often to look while waiting (default 250 ms; 8 times slower after "missing"). */
  pollMs?: number;
  /** Timers (tests pass fakes). */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

const PREFIX = "energy_";
const UI_PREFIX = "energy_ui_";
const DEFAULT_KEY = "_energy";

/** A configured collection key as HA names it: kept when it starts with "energy_", else prefixed with "energy_ui_". */
export function normalizeCollectionKey(key: string): string {
  return key.startsWith(PREFIX) ? key : `${UI_PREFIX}${key}`;
}

/** The connection properties to look for, most specific first. */
export function energyCollectionKeys(hass: EnergyHass, collectionKey?: string): string[] {
  if (collectionKey) return [`_${normalizeCollectionKey(collectionKey)}`];
  const keys: string[] = [];
  if (hass.panelUrl) keys.push(`_${PREFIX}${hass.panelUrl}`);
  const title = dashboardTitle(hass);
  if (title) keys.push(`_${UI_PREFIX}${title}`);
  keys.push(DEFAULT_KEY);
  return keys;
}

function dashboardTitle(hass: EnergyHass): string | undefined {
  if (!hass.panels || !hass.panelUrl) return undefined;
  const panel = Object.values(hass.panels).find((p) => p?.url_path === hass.panelUrl);
  if (!panel?.title) return undefined;
  return translatedTitle(hass, panel.title) || panel.title;
}

/** HA names a dashboard by its translated panel title when there is one (`getPanelTitle`). */
function translatedTitle(hass: EnergyHass, title: string): string {
  try {
    return hass.localize?.(`panel.${title}`) ?? "";
  } catch {
    return "";
  }
}

function isCollection(value: unknown): value is EnergyCollectionLike {
  return typeof value === "object" && value !== null && typeof (value as { subscribe?: unknown }).subscribe === "function";
}

/** The first of `keys` that holds an energy collection on the connection. */
export function findEnergyCollection(hass: EnergyHass, keys: readonly string[]): { key: string; collection: EnergyCollectionLike } | null {
  const connection = hass.connection as Record<string, unknown> | undefined;
  if (!connection) return null;
  for (const key of keys) {
    const value = connection[key];
    if (isCollection(value)) return { key, collection: value };
  }
  return null;
}

/** HA's end of day (…:59.999) as the exclusive end the card uses; other ends as they are. */
export function exclusiveEnd(end: Date | undefined): number | null {
  if (!end || Number.isNaN(end.getTime())) return null;
  const ms = end.getTime();
  return ((ms % 1000) + 1000) % 1000 === 999 ? ms + 1 : ms;
}

/** A selection from what the collection or its data says; null without a valid start. */
export function selectionOf(key: string, data: { start?: Date | undefined; end?: Date | undefined; compare?: string | boolean | undefined }): EnergyDateSelection | null {
  if (!(data.start instanceof Date) || Number.isNaN(data.start.getTime())) return null;
  return { start: data.start.getTime(), end: exclusiveEnd(data.end), compare: compareModeOf(data.compare), key };
}

function sameSelection(a: EnergyDateSelection | null, b: EnergyDateSelection): boolean {
  return !!a && a.start === b.start && a.end === b.end && a.compare === b.compare && a.key === b.key;
}

/**
 * Follows the date picker: calls `onChange` with the current state at once (the collection's
 * dates when it exists, else "waiting"), and again whenever the picker's dates or comparison
 * change. Returns the unsubscribe function (safe to call more than once).
 */
export function subscribeEnergyDate(hass: EnergyHass, options: EnergyDateOptions): () => void {
  const timers = options.timers ?? { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  const waitMs = options.waitMs ?? 5000;
  const pollMs = options.pollMs ?? 250;
  const keys = energyCollectionKeys(hass, options.collectionKey);
  let closed = false;
  let timer: unknown;
  let unsubscribe: (() => void) | undefined;
  let last: EnergyDateSelection | null = null;
  let waited = 0;
  let missing = false;

  const emit = (selection: EnergyDateSelection | null) => {
    if (closed || !selection || sameSelection(last, selection)) return;
    last = selection;
    options.onChange({ status: "following", selection });
  };

  const attach = (): boolean => {
    const found = findEnergyCollection(hass, keys);
    if (!found) return false;
    const { key, collection } = found;
    emit(selectionOf(key, { start: collection.start, end: collection.end, compare: collection.compare }));
    unsubscribe = collection.subscribe((data) =>
      emit(selectionOf(key, { start: data.start, end: data.end, compare: data.compareMode ?? collection.compare ?? (data.startCompare ? true : undefined) })),
    );
    return true;
  };

  const look = () => {
    timer = undefined;
    if (closed || attach()) return;
    const step = missing ? pollMs * 8 : pollMs;
    waited += step;
    if (!missing && waited >= waitMs) {
      missing = true;
      options.onChange({ status: "missing", keys });
    }
    timer = timers.setTimeout(look, step);
  };

  if (!attach()) {
    options.onChange({ status: "waiting", keys });
    timer = timers.setTimeout(look, pollMs);
  }

  return () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    unsubscribe?.();
  };
}

// ---- the card's options and the range it draws ------------------------------------------------

/** `period: energy` and its companions, as the card's config gives them. */
export interface EnergyCardOptions {
  /** `period: energy`: the dates come from the Energy dashboard's date picker. */
  followEnergy: boolean;
  /** `collection_key`: which picker (HA's convention), only with `period: energy`. */
  collectionKey: string | undefined;
  /** `compare`: previous / year, or null for none; undefined when not set (with the picker: the picker's comparison). */
  compare: CompareMode | null | undefined;
}

/** A bad option: the field and what is wrong, for the card's ConfigError. */
export interface OptionProblem {
  field: string;
  message: string;
}

const COMPARE_VALUES = ["previous", "year", "none"] as const;

/**
 * Reads `period`, `collection_key` and `compare` from a card config (absent or "" = not set, as
 * the visual editor leaves a cleared field). Returns the options, or the first problem.
 */
export function readEnergyOptions(config: Record<string, unknown>): EnergyCardOptions | OptionProblem {
  const set = (v: unknown) => v !== undefined && v !== "";
  const { period, collection_key: key, compare } = config;
  if (set(period) && period !== "energy") {
    return { field: "period", message: `"period" must be "energy" (follow the Energy dashboard's date picker) or left out (got ${JSON.stringify(period)}).` };
  }
  if (set(key) && (typeof key !== "string" || key.trim() === "")) {
    return { field: "collection_key", message: `"collection_key" must be the date picker's collection key, such as "energy_upstairs" (got ${JSON.stringify(key)}).` };
  }
  if (set(key) && period !== "energy") {
    return { field: "collection_key", message: `"collection_key" only applies with period: energy.` };
  }
  if (set(compare) && !(COMPARE_VALUES as readonly unknown[]).includes(compare)) {
    return { field: "compare", message: `"compare" must be one of ${COMPARE_VALUES.map((v) => `"${v}"`).join(", ")} (got ${JSON.stringify(compare)}).` };
  }
  return {
    followEnergy: period === "energy",
    collectionKey: set(key) ? String(key).trim() : undefined,
    compare: !set(compare) ? undefined : compare === "none" ? null : compareModeOf(compare),
  };
}

export function isOptionProblem(value: EnergyCardOptions | OptionProblem): value is OptionProblem {
  return "field" in value;
}

export type EnergyView = "hourly" | "daily" | "monthly";

/**
 * The view for a picked range, as HA's energy cards choose their period (`getSuggestedPeriod`):
 * monthly for whole months over 35 days, daily over 2 days, else hourly.
 */
export function suggestedView(start: number, end: number, timeZone: string): EnergyView {
  const a = zonedParts(start, timeZone);
  const b = zonedParts(end, timeZone);
  const days = (end - start) / 86_400_000;
  const wholeMonths = a.day === 1 && b.day === 1 && a.hour === 0 && b.hour === 0 && a.minute === 0 && b.minute === 0;
  if (wholeMonths && days > 35) return "monthly";
  if (days > 2) return "daily";
  return "hourly";
}

/** What the card draws for a selection: the view and an exclusive end ("until now" ends with today, in `timeZone`). */
export function energyRange(selection: EnergyDateSelection, now: number, timeZone: string): { view: EnergyView; start: number; end: number; timeZone: string } {
  const end = selection.end ?? zonedInstant(addDays(civilDateOf(now, timeZone), 1), timeZone);
  return { view: suggestedView(selection.start, end, timeZone), start: selection.start, end: Math.max(end, selection.start), timeZone };
}
