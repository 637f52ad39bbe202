import { DateTime } from "luxon";
import type { Logger } from "pino";
import type { ComposedRow, MeanRow } from "../statistics/compose.js";
import { planPublish, type PublishedRow } from "../statistics/sums.js";
import { isMarkedForReimport, reimported } from "../store/state.js";
import type { Store } from "../store/store.js";
import { HaConnectionError, haRunning, whenRunning, type Connection } from "./connection.js";
import { importMetadata, type StatisticDescription } from "./metadata.js";
import { getStatisticsMetadata, importStatistics, statisticsDuringPeriod, type StatisticValue } from "./recorder.js";
import { parseHaVersion } from "./version.js";

export interface PublishOptions {
  /** Rows per import message: far below HA's 4 MiB frame limit (a row is ~70 bytes). */
  chunkRows?: number;
  /** How long to wait for HA to come back when the connection drops mid-publish. */
  reconnectTimeoutMs?: number;
  /** How long HA may take to write a queued import before the read-back gives up. */
  readBackTimeoutMs?: number;
  log?: Logger;
}

export interface PublishResult {
  statisticId: string;
  rowsSent: number;
  firstChanged: number | undefined;
  lastStart: number | undefined;
  lastSum: number | undefined;
}

const HOUR = 3600;
/** How far back to look in HA for the row before our first one, when the store has no record of it. */
const SEED_LOOKBACK_DAYS = 730;

/**
 * Brings one HA statistic in line with `composed`: sends only what changed, sums continuing from
 * the row before, in chunks; each chunk is confirmed by reading its last hour back before it is
 * recorded as published, so a dropped connection or an HA restart resumes where it stopped.
 */
export async function publishStatistic(conn: Connection, store: Store, series: string, stat: StatisticDescription, composed: readonly ComposedRow[], opts: PublishOptions = {}): Promise<PublishResult> {
  const chunkRows = opts.chunkRows ?? 2000;
  const result: PublishResult = { statisticId: stat.statisticId, rowsSent: 0, firstChanged: undefined, lastStart: undefined, lastSum: undefined };
  if (composed.length === 0) return result;
  const from = composed[0]!.start;

  // After `verify --repair` found HA's rows damaged, only the row before ours is taken from HA.
  const reimport = isMarkedForReimport(store, series);
  if (!store.hasPublished(series)) await seedFromHa(conn, store, series, stat.statisticId, from, { ...opts, onlyBefore: reimport });

  const published = store.published(series, from);
  const seed = store.publishedBefore(series, from)?.sum ?? 0;
  const plan = planPublish(composed, published, seed);
  result.firstChanged = plan.firstChanged;
  const metadata = importMetadata(stat, parseHaVersion(conn.haVersion));

  for (let i = 0; i < plan.rows.length; i += chunkRows) {
    const chunk = plan.rows.slice(i, i + chunkRows);
    await withReconnect(conn, opts, `import of ${stat.statisticId}`, async () => {
      await importStatistics(
        conn,
        metadata,
        chunk.map((r) => ({ start: iso(r.start), state: r.value, sum: r.sum })),
      );
      await confirm(conn, stat.statisticId, chunk.at(-1)!.start, "sum", chunk.at(-1)!.sum, opts.readBackTimeoutMs ?? 30_000);
    });
    store.recordPublished(series, chunk);
    result.rowsSent += chunk.length;
    opts.log?.debug({ statistic: stat.statisticId, rows: chunk.length, upTo: iso(chunk.at(-1)!.start) }, "imported statistics");
  }
  if (reimport) reimported(store, series);
  const last = store.publishedBefore(series, Number.MAX_SAFE_INTEGER);
  result.lastStart = last?.start;
  result.lastSum = last?.sum;
  return result;
}

/**
 * The store has no record of this statistic (first run, or a rebuilt cache): take what HA already
 * has as published, so the plan continues HA's sums and never rewrites or duplicates them.
 */
async function seedFromHa(conn: Connection, store: Store, series: string, statisticId: string, from: number, opts: PublishOptions & { onlyBefore?: boolean }): Promise<void> {
  const rows = await withReconnect(conn, opts, `read of ${statisticId}`, async () => {
    const out: PublishedRow[] = [];
    const after = opts.onlyBefore ? [] : await readRows(conn, statisticId, from, undefined);
    // The last row before `from`: walk back a month at a time.
    for (let end = from; end > from - SEED_LOOKBACK_DAYS * 86400; end -= 30 * 86400) {
      const before = await readRows(conn, statisticId, end - 30 * 86400, end);
      if (before.length > 0) {
        out.push(before.at(-1)!);
        break;
      }
    }
    return [...out, ...after];
  });
  if (rows.length > 0) {
    store.recordPublished(series, rows);
    opts.log?.info({ statistic: statisticId, rows: rows.length }, "continuing the statistics Home Assistant already has");
  }
}

/**
 * The newest row HA has of a statistic before `before` (epoch seconds), looking back a month at a
 * time up to two years; undefined when HA has none (or does not know the statistic).
 */
export async function lastRowInHa(conn: Connection, statisticId: string, before: number): Promise<PublishedRow | undefined> {
  const known = await getStatisticsMetadata(conn, [statisticId]);
  if (known.length === 0) return undefined;
  for (let end = before; end > before - SEED_LOOKBACK_DAYS * 86400; end -= 30 * 86400) {
    const rows = await readRows(conn, statisticId, end - 30 * 86400, end);
    if (rows.length > 0) return rows.at(-1);
  }
  return undefined;
}

async function readRows(conn: Connection, statisticId: string, from: number, to: number | undefined): Promise<PublishedRow[]> {
  const res = await statisticsDuringPeriod(conn, {
    startTime: new Date(from * 1000),
    ...(to !== undefined ? { endTime: new Date(to * 1000) } : {}),
    statisticIds: [statisticId],
    period: "hour",
    types: ["state", "sum"],
  });
  let prevSum: number | undefined;
  return (res[statisticId] ?? []).map((v: StatisticValue) => {
    const sum = v.sum ?? 0;
    const value = v.state ?? (prevSum === undefined ? sum : sum - prevSum);
    prevSum = sum;
    return { start: Math.round(toEpochMs(v.start) / 1000), value, sum };
  });
}

/** HA 2024.x answers epoch milliseconds; very old versions ISO strings. */
function toEpochMs(v: number | string): number {
  return typeof v === "number" ? v : Date.parse(v);
}

/**
 * Imports are queued by HA's recorder (the command answers before the write), so the last hour of a
 * chunk is read back until it shows the value sent: only then is the chunk recorded as published.
 */
async function confirm(conn: Connection, statisticId: string, start: number, type: "sum" | "mean", sent: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: number | null | undefined;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const res = await statisticsDuringPeriod(conn, {
      startTime: new Date(start * 1000),
      endTime: new Date((start + HOUR) * 1000),
      statisticIds: [statisticId],
      period: "hour",
      types: [type],
    });
    seen = res[statisticId]?.[0]?.[type];
    if (seen !== undefined && seen !== null && Math.abs(seen - sent) < 1e-6) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new HaConnectionError(`Home Assistant did not store ${statisticId} at ${iso(start)} (read back ${type} ${String(seen)}, sent ${sent})`, "timeout");
}

async function withReconnect<T>(conn: Connection, opts: PublishOptions, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      // A refusal is final only from an HA that is up: one that is still starting after a restart
      // refuses recorder and energy commands until it is.
      const lost = err instanceof HaConnectionError && err.code === "connection_lost";
      if (!lost && (await haRunning(conn))) throw err;
      if (attempt >= 5) throw err;
      opts.log?.warn({ what, attempt }, "Home Assistant restarting or connection lost; waiting for it to come back");
      await whenRunning(conn, opts.reconnectTimeoutMs ?? 180_000);
    }
  }
}

function iso(epochSec: number): string {
  return DateTime.fromSeconds(epochSec, { zone: "utc" }).toISO({ suppressMilliseconds: true })!;
}

/** How many hours of what was sent are remembered to skip unchanged rows (older rows are never re-sent). */
const MEAN_MEMORY_HOURS = 24 * 400;

/**
 * Brings one mean/min/max statistic in line with `rows`. A mean statistic has no running sum, so
 * each hour stands alone: only hours that are new or changed since they were last sent are imported
 * (HA overwrites an hour on re-import), in chunks, each confirmed by reading its last hour's mean back.
 * What was sent is kept in the store's `published` table (mean, min and max; no sum), as sums are.
 */
export async function publishMeanStatistic(conn: Connection, store: Store, series: string, stat: StatisticDescription, rows: readonly MeanRow[], opts: PublishOptions = {}): Promise<PublishResult> {
  if (!stat.hasMean || stat.hasSum) throw new Error(`publishMeanStatistic: ${stat.statisticId} must have a mean and no sum`);
  const chunkRows = opts.chunkRows ?? 2000;
  const sent = store.publishedMeans(series);
  const changed = planMeanPublish(rows, sent);
  const result: PublishResult = { statisticId: stat.statisticId, rowsSent: 0, firstChanged: changed[0]?.start, lastStart: undefined, lastSum: undefined };
  const metadata = importMetadata(stat, parseHaVersion(conn.haVersion));
  for (let i = 0; i < changed.length; i += chunkRows) {
    const chunk = changed.slice(i, i + chunkRows);
    await withReconnect(conn, opts, `import of ${stat.statisticId}`, async () => {
      await importStatistics(conn, metadata, chunk.map((r) => ({ start: iso(r.start), mean: r.mean, min: r.min, max: r.max })));
      await confirm(conn, stat.statisticId, chunk.at(-1)!.start, "mean", chunk.at(-1)!.mean, opts.readBackTimeoutMs ?? 30_000);
    });
    for (const r of chunk) sent.set(r.start, [r.mean, r.min, r.max]);
    const newest = Math.max(...sent.keys());
    store.recordPublishedMeans(series, chunk, newest - MEAN_MEMORY_HOURS * HOUR);
    result.rowsSent += chunk.length;
  }
  result.lastStart = sent.size > 0 ? Math.max(...sent.keys()) : undefined;
  return result;
}

/** The rows that are new or differ from what was sent, in time order. Pure. */
export function planMeanPublish(rows: readonly MeanRow[], sent: ReadonlyMap<number, readonly [number, number, number]>): MeanRow[] {
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6;
  return [...rows]
    .sort((a, b) => a.start - b.start)
    .filter((r) => {
      const s = sent.get(r.start);
      return !s || !same(s[0], r.mean) || !same(s[1], r.min) || !same(s[2], r.max);
    });
}
