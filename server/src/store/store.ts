import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import type { PeriodCoverage, PowerSample, PublishedRow, Reading, StateEvent } from "./rows.js";
import { MIGRATIONS } from "./migrations.js";

export type Resolution = "hour" | "day" | "month";

/** The last attempt of one planned request, and whether it succeeded. */
export interface Attempt {
  at: number;
  ok: boolean;
}

export interface SeriesReading extends Reading {
  series: string;
  resolution: Resolution;
}

export interface SyncState {
  provider: string;
  account: string;
  resolution: string;
  coveredFrom: string | null;
  coveredTo: string | null;
  lastSuccess: number | null;
  lastAttempt: number | null;
  failures: number;
  lastError: string | null;
}

export interface OpenedStore {
  store: Store;
  /** Set when the file was unreadable and was moved aside: where it went. */
  movedAside?: string;
}

export class StoreError extends Error {}

/**
 * Opens the SQLite cache. A corrupt or unreadable file is moved aside (kept, never deleted) and a
 * new one is made; the caller rebuilds it from the providers and seeds sums from HA.
 */
export function openStore(path: string, opts: { now?: () => number; onMovedAside?: (from: string, to: string, reason: string) => void } = {}): OpenedStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  try {
    return { store: new Store(openDatabase(path)) };
  } catch (err) {
    if (err instanceof StoreError || path === ":memory:" || !existsSync(path)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const aside = `${path}.corrupt-${new Date(opts.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    opts.onMovedAside?.(path, aside, reason);
    return { store: new Store(openDatabase(path)), movedAside: aside };
  }
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("cache_size = -32768");
    db.pragma("busy_timeout = 5000");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`integrity check failed: ${String(check)}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(`the database was written by a newer Energy Insights (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade, or point store.path elsewhere`);
  }
  for (let v = version; v < MIGRATIONS.length; v += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

const RESOLUTION_CODE: Record<Resolution, number> = { hour: 0, day: 1, month: 2 };
/** Rows per multi-row upsert statement: fewer calls across the JS/C boundary. */
const UPSERT_BATCH = 100;

export class Store {
  private readonly upsertReading: Database.Statement;
  private readonly upsertReadingBatch: Database.Statement;
  private readonly seriesIds = new Map<string, number>();
  private readonly upsertPeriod: Database.Statement;
  private readonly upsertPublished: Database.Statement;

  constructor(readonly db: Database.Database) {
    // REPLACE is an upsert here: the table has no triggers, foreign keys pointing at it or other columns.
    this.upsertReading = db.prepare("INSERT OR REPLACE INTO readings (series_id, resolution, start, value) VALUES (?, ?, ?, ?)");
    this.upsertReadingBatch = db.prepare(`INSERT OR REPLACE INTO readings (series_id, resolution, start, value) VALUES ${Array(UPSERT_BATCH).fill("(?, ?, ?, ?)").join(", ")}`);
    this.upsertPeriod = db.prepare(
      `INSERT INTO periods (provider, account, resolution, period, rows, total_kwh, cost, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET rows = excluded.rows, total_kwh = excluded.total_kwh, cost = excluded.cost, fetched_at = excluded.fetched_at`,
    );
    this.upsertPublished = db.prepare(
      "INSERT INTO published (series, start, value, sum) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, sum = excluded.sum, min = NULL, max = NULL",
    );
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private seriesId(name: string): number {
    let id = this.seriesIds.get(name);
    if (id === undefined) {
      this.db.prepare("INSERT OR IGNORE INTO series (name) VALUES (?)").run(name);
      id = (this.db.prepare("SELECT id FROM series WHERE name = ?").get(name) as { id: number }).id;
      this.seriesIds.set(name, id);
    }
    return id;
  }

  upsertReadings(rows: readonly SeriesReading[]): number {
    this.transaction(() => {
      const args: number[] = new Array(UPSERT_BATCH * 4);
      let lastName = "";
      let lastId = 0;
      const flatten = (r: SeriesReading, at: number) => {
        if (r.series !== lastName) {
          lastName = r.series;
          lastId = this.seriesId(r.series);
        }
        args[at] = lastId;
        args[at + 1] = RESOLUTION_CODE[r.resolution];
        args[at + 2] = r.start;
        args[at + 3] = r.value;
      };
      let i = 0;
      for (; i + UPSERT_BATCH <= rows.length; i += UPSERT_BATCH) {
        for (let j = 0; j < UPSERT_BATCH; j += 1) flatten(rows[i + j]!, j * 4);
        this.upsertReadingBatch.run(args);
      }
      for (; i < rows.length; i += 1) {
        flatten(rows[i]!, 0);
        this.upsertReading.run(args.slice(0, 4));
      }
    });
    return rows.length;
  }

  readings(series: string, resolution: Resolution, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER): Reading[] {
    return this.db
      .prepare(
        "SELECT start, value FROM readings WHERE series_id = (SELECT id FROM series WHERE name = ?) AND resolution = ? AND start >= ? AND start < ? ORDER BY start",
      )
      .all(series, RESOLUTION_CODE[resolution], from, to) as Reading[];
  }

  recordPeriod(provider: string, account: string, resolution: Resolution, period: string, cov: PeriodCoverage): void {
    this.upsertPeriod.run(provider, account, resolution, period, cov.rows, cov.totalKwh, cov.cost, cov.fetchedAt);
  }

  periods(provider: string, account: string, resolution: Resolution): Map<string, PeriodCoverage> {
    const rows = this.db
      .prepare("SELECT period, rows, total_kwh AS totalKwh, cost, fetched_at AS fetchedAt FROM periods WHERE provider = ? AND account = ? AND resolution = ?")
      .all(provider, account, resolution) as (PeriodCoverage & { period: string })[];
    return new Map(rows.map(({ period, ...cov }) => [period, cov]));
  }

  recordAttempt(provider: string, account: string, key: string, attempt: Attempt): void {
    this.db
      .prepare("INSERT INTO attempts (provider, account, key, at, ok) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET at = excluded.at, ok = excluded.ok")
      .run(provider, account, key, attempt.at, attempt.ok ? 1 : 0);
  }

  attempts(provider: string, account: string): Map<string, Attempt> {
    const rows = this.db.prepare("SELECT key, at, ok FROM attempts WHERE provider = ? AND account = ?").all(provider, account) as { key: string; at: number; ok: number }[];
    return new Map(rows.map((r) => [r.key, { at: r.at, ok: r.ok === 1 }]));
  }

  syncState(provider: string, account: string, resolution: string): SyncState | undefined {
    const row = this.db
      .prepare(
        `SELECT provider, account, resolution, covered_from AS coveredFrom, covered_to AS coveredTo, last_success AS lastSuccess,
                last_attempt AS lastAttempt, failures, last_error AS lastError FROM sync_state WHERE provider = ? AND account = ? AND resolution = ?`,
      )
      .get(provider, account, resolution) as SyncState | undefined;
    return row;
  }

  allSyncStates(): SyncState[] {
    return this.db
      .prepare(
        `SELECT provider, account, resolution, covered_from AS coveredFrom, covered_to AS coveredTo, last_success AS lastSuccess,
                last_attempt AS lastAttempt, failures, last_error AS lastError FROM sync_state ORDER BY provider, account, resolution`,
      )
      .all() as SyncState[];
  }

  /** Records the outcome of one request for a (provider, account, resolution); widens the covered range on success. */
  recordSync(provider: string, account: string, resolution: string, outcome: { at: number; ok: true; from: string; to: string } | { at: number; ok: false; error: string }): void {
    const prev = this.syncState(provider, account, resolution);
    const next: SyncState = prev ?? { provider, account, resolution, coveredFrom: null, coveredTo: null, lastSuccess: null, lastAttempt: null, failures: 0, lastError: null };
    next.lastAttempt = outcome.at;
    if (outcome.ok) {
      next.lastSuccess = outcome.at;
      next.failures = 0;
      next.lastError = null;
      next.coveredFrom = next.coveredFrom === null || outcome.from < next.coveredFrom ? outcome.from : next.coveredFrom;
      next.coveredTo = next.coveredTo === null || outcome.to > next.coveredTo ? outcome.to : next.coveredTo;
    } else {
      next.failures += 1;
      next.lastError = outcome.error;
    }
    this.db
      .prepare(
        `INSERT INTO sync_state (provider, account, resolution, covered_from, covered_to, last_success, last_attempt, failures, last_error)
         VALUES (@provider, @account, @resolution, @coveredFrom, @coveredTo, @lastSuccess, @lastAttempt, @failures, @lastError)
         ON CONFLICT DO UPDATE SET covered_from = excluded.covered_from, covered_to = excluded.covered_to, last_success = excluded.last_success,
           last_attempt = excluded.last_attempt, failures = excluded.failures, last_error = excluded.last_error`,
      )
      .run(next);
  }

  published(series: string, from = Number.MIN_SAFE_INTEGER): PublishedRow[] {
    return this.db.prepare("SELECT start, value, sum FROM published WHERE series = ? AND start >= ? AND sum IS NOT NULL ORDER BY start").all(series, from) as PublishedRow[];
  }

  /** The last published row before `start`, whose sum the next import continues from. */
  publishedBefore(series: string, start: number): PublishedRow | undefined {
    return this.db.prepare("SELECT start, value, sum FROM published WHERE series = ? AND start < ? AND sum IS NOT NULL ORDER BY start DESC LIMIT 1").get(series, start) as PublishedRow | undefined;
  }

  hasPublished(series: string): boolean {
    return this.db.prepare("SELECT 1 FROM published WHERE series = ? AND sum IS NOT NULL LIMIT 1").get(series) !== undefined;
  }

  /** Forgets what was imported from `start` on, so the publisher imports it again (`verify --repair`). */
  forgetPublished(series: string, start: number): number {
    return this.db.prepare("DELETE FROM published WHERE series = ? AND start >= ?").run(series, start).changes;
  }

  recordPublished(series: string, rows: readonly PublishedRow[]): void {
    this.transaction(() => {
      for (const r of rows) this.upsertPublished.run(series, r.start, r.value, r.sum);
    });
  }

  /** The hours of a mean statistic HA has as last confirmed: start → [mean, min, max]. */
  publishedMeans(series: string): Map<number, [number, number, number]> {
    this.adoptLegacyMeans(series);
    const rows = this.db.prepare("SELECT start, value AS mean, min, max FROM published WHERE series = ? AND sum IS NULL ORDER BY start").all(series) as { start: number; mean: number; min: number; max: number }[];
    return new Map(rows.map((r) => [r.start, [r.mean, r.min, r.max]]));
  }

  /** Records confirmed hours of a mean statistic and forgets those older than `keepFrom` (epoch seconds). */
  recordPublishedMeans(series: string, rows: readonly { start: number; mean: number; min: number; max: number }[], keepFrom: number): void {
    this.transaction(() => {
      const upsert = this.db.prepare("INSERT INTO published (series, start, value, sum, min, max) VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, sum = NULL, min = excluded.min, max = excluded.max");
      for (const r of rows) upsert.run(series, r.start, r.mean, r.min, r.max);
      this.db.prepare("DELETE FROM published WHERE series = ? AND start < ? AND sum IS NULL").run(series, keepFrom);
    });
  }

  /** Stores written before mean statistics were kept in the published table had each series as a JSON blob in kv. */
  private adoptLegacyMeans(series: string): void {
    const key = `published_mean:${series}`;
    const text = this.get(key);
    if (text === undefined) return;
    let rows: { start: number; mean: number; min: number; max: number }[] = [];
    try {
      rows = Object.entries(JSON.parse(text) as Record<string, unknown>).flatMap(([start, v]) =>
        Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number") ? [{ start: Number(start), mean: v[0] as number, min: v[1] as number, max: v[2] as number }] : [],
      );
    } catch {
      // An unreadable blob is dropped: those hours are sent once more, which HA overwrites in place.
    }
    this.transaction(() => {
      this.recordPublishedMeans(series, rows, Number.MIN_SAFE_INTEGER);
      this.db.prepare("DELETE FROM kv WHERE key = ?").run(key);
    });
  }

  get(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM kv WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value").run(key, value);
  }

  // ---- power and events (the collector) ------------------------------------------------------

  private powerSensorId(entityId: string): number {
    this.db.prepare("INSERT OR IGNORE INTO power_sensors (entity_id) VALUES (?)").run(entityId);
    return (this.db.prepare("SELECT id FROM power_sensors WHERE entity_id = ?").get(entityId) as { id: number }).id;
  }

  /** Stores readings (ms, W) of one power sensor; a reading at a time already stored replaces it. */
  addPowerSamples(entityId: string, samples: readonly PowerSample[]): void {
    if (samples.length === 0) return;
    this.transaction(() => {
      const id = this.powerSensorId(entityId);
      const insert = this.db.prepare("INSERT OR REPLACE INTO power_samples (sensor_id, t_ms, w) VALUES (?, ?, ?)");
      for (const s of samples) insert.run(id, Math.round(s.t), s.w);
    });
  }

  /** Readings of one sensor in [from, to) (ms), oldest first. */
  powerSamples(entityId: string, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER): PowerSample[] {
    return this.db
      .prepare("SELECT t_ms AS t, w FROM power_samples WHERE sensor_id = (SELECT id FROM power_sensors WHERE entity_id = ?) AND t_ms >= ? AND t_ms < ? ORDER BY t_ms")
      .all(entityId, from, to) as PowerSample[];
  }

  /** Stores state changes; one per entity and millisecond (a repeat replaces it). */
  addStateEvents(events: readonly StateEvent[]): void {
    if (events.length === 0) return;
    this.transaction(() => {
      const insert = this.db.prepare("INSERT OR REPLACE INTO state_events (entity_id, t_ms, from_state, to_state, from_level, to_level) VALUES (?, ?, ?, ?, ?, ?)");
      for (const e of events) insert.run(e.entityId, Math.round(e.t), e.from, e.to, e.fromLevel ?? null, e.toLevel ?? null);
    });
  }

  /** State changes in [from, to) (ms), oldest first. */
  stateEvents(from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER): StateEvent[] {
    const rows = this.db
      .prepare(
        "SELECT t_ms AS t, entity_id AS entityId, from_state AS \"from\", to_state AS \"to\", from_level AS fromLevel, to_level AS toLevel FROM state_events WHERE t_ms >= ? AND t_ms < ? ORDER BY t_ms, entity_id",
      )
      .all(from, to) as (StateEvent & { fromLevel: string | null; toLevel: string | null })[];
    // Levels only where there are any, so an entity without attributes reads back as it was written.
    return rows.map(({ fromLevel, toLevel, ...e }) => (fromLevel === null && toLevel === null ? e : { ...e, fromLevel, toLevel }));
  }

  /** Deletes readings and state changes before `t` (ms): the collector's retention. */
  prunePower(t: number): { samples: number; events: number } {
    return this.transaction(() => ({
      // Per sensor, so that each delete is a range of the primary key.
      samples: (this.db.prepare("SELECT id FROM power_sensors").all() as { id: number }[]).reduce(
        (n, { id }) => n + this.db.prepare("DELETE FROM power_samples WHERE sensor_id = ? AND t_ms < ?").run(id, t).changes,
        0,
      ),
      events: this.db.prepare("DELETE FROM state_events WHERE t_ms < ?").run(t).changes,
    }));
  }
}
