import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "./config/index.js";
import type { Connection } from "./ha/connection.js";
import type { PublishResult } from "./ha/publisher.js";
import { lastCheck, recordCheck, recordSourceHealth } from "./store/state.js";
import type { Store } from "./store/store.js";
import type { CheckOptions, Fetched, Source, SourceHealth } from "./sync/source.js";
import type { Clock } from "./time/clock.js";

export interface ServiceDeps {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Resolves the HA connection (connecting on first use); absent = fetch only. */
  ha?: () => Promise<Connection>;
  /** What the service runs: every configured provider's sources (`sync/providers.ts`), and the device learner's. */
  sources: readonly Source[];
}

export interface SyncSummary {
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  published: PublishResult[];
  errors: string[];
  /** Each source's fetch, in the order they ran (a source's own reader gives its details, e.g. `contactLogins`). */
  fetched: Fetched[];
}

/** After a failed check the next one comes after this, doubling with each failure up to the check interval. */
export const FIRST_RETRY_MS = 5 * 60_000;

/** One check of every provider, then publishing; and the loop that repeats it every check interval. */
export class SyncService {
  /** Every source, in the order a check runs them: the check interval's first, then those with schedules of their own. */
  readonly sources: readonly Source[];
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when run()'s signal aborts: the check in progress is being cut short. */
  private stopping = false;

  constructor(private readonly deps: ServiceDeps) {
    this.sources = [...deps.sources.filter((s) => s.onCheckInterval), ...deps.sources.filter((s) => !s.onCheckInterval)];
  }

  /** The sources of one kind (`doctor` asks Contact's for contracts, tests read a source's last results). */
  sourcesOf<T extends Source>(kind: abstract new (...args: never[]) => T): T[] {
    return this.sources.filter((s): s is T => s instanceof kind);
  }

  /** How each source is doing, for `status`. */
  health(): SourceHealth[] {
    return this.sources.map((s) => s.health());
  }

  /**
   * Fetches what is missing from every source, then brings HA's statistics in line. Never throws
   * for a provider or HA failure. Syncs never overlap (a scheduled check and `sync/run` from the
   * API): a second one starts when the first has finished.
   */
  syncOnce(opts: CheckOptions = {}): Promise<SyncSummary> {
    return this.exclusive(() => this.runSync(opts));
  }

  /** Runs `work` after the sync in progress (and any queued before it), never beside one. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runSync(opts: CheckOptions): Promise<SyncSummary> {
    const { store, clock } = this.deps;
    const startedAt = new Date(clock.now()).toISOString();
    const summary: SyncSummary = { startedAt, finishedAt: startedAt, ok: true, published: [], errors: [], fetched: [] };
    // The check interval's sources decide when the next check comes: after a failure sooner, on a
    // backoff. The others have their own schedules and run after the check is recorded.
    const onInterval = this.sources.filter((s) => s.onCheckInterval);
    await this.check(onInterval, opts, summary);
    // A check cut short by a stop is not a failure: the next start checks again at once.
    const previous = lastCheck(store);
    const failed = summary.errors.length > 0;
    if (!this.stopping) recordCheck(store, { at: clock.now(), failures: failed ? (previous?.failures ?? 0) + 1 : 0, error: summary.errors[0] ?? null });
    await this.check(
      this.sources.filter((s) => !s.onCheckInterval),
      opts,
      summary,
    );
    summary.ok = summary.errors.length === 0;
    summary.finishedAt = new Date(clock.now()).toISOString();
    if (!this.stopping) recordSourceHealth(store, clock.now(), this.health());
    return summary;
  }

  /** Each source fetches, then each publishes (through one HA connection, opened when the first needs it). */
  private async check(sources: readonly Source[], opts: CheckOptions, summary: SyncSummary): Promise<void> {
    const { log, ha } = this.deps;
    for (const source of sources) {
      if (!source.fetch) continue;
      const res = await source.fetch(opts);
      summary.fetched.push({ name: source.name, provider: source.provider, outcome: res });
      summary.errors.push(...res.errors);
      summary.published.push(...(res.published ?? []));
    }
    if (!ha) return;
    for (const source of sources) {
      if (!source.publish) continue;
      try {
        summary.published.push(...(await source.publish(await ha())));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        summary.errors.push(`Home Assistant (${source.name}): ${message}`);
        log.error({ source: source.name, err: message }, "publishing to Home Assistant failed; it is retried at the next check");
      }
    }
  }

  /**
   * When the next check is due: at once on a first start; one interval after a good check (so a
   * restart costs no calls); after a failed one 5 minutes, doubling with each failure in a row up
   * to the interval, so a fault heals at the next check instead of a day later.
   */
  nextCheckAt(): number {
    const last = lastCheck(this.deps.store);
    if (!last) return this.deps.clock.now();
    return last.at + checkDelayMs(last.failures, this.deps.config.sync.checkInterval * 1000);
  }

  /** The last check's outcome (for `status`): when it finished, failures in a row, its first error. */
  lastCheck(): { at: number; failures: number; error: string | null } | undefined {
    return lastCheck(this.deps.store);
  }

  /** Runs checks every interval, and every source's own schedule, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.deps;
    signal.addEventListener("abort", () => (this.stopping = true), { once: true });
    const exclusive = <T>(work: () => Promise<T>) => this.exclusive(work);
    const schedules = this.sources.map((s) => s.run?.(signal, exclusive));
    while (!signal.aborted) {
      const wait = this.nextCheckAt() - clock.now();
      if (wait > 0) {
        log.info({ nextCheck: new Date(clock.now() + wait).toISOString() }, "waiting for the next check");
        await clock.sleep(wait, signal);
        if (signal.aborted) break;
      }
      const summary = await this.syncOnce();
      const next = new Date(this.nextCheckAt()).toISOString();
      const failures = lastCheck(this.deps.store)?.failures ?? 0;
      if (failures > 0) log.warn({ errors: summary.errors.length, failuresInARow: failures, retryAt: next }, `check failed; trying again at ${next}`);
      else log.info({ ok: summary.ok, errors: summary.errors.length, published: summary.published.reduce((n, p) => n + p.rowsSent, 0), nextCheck: next }, "check finished");
    }
    // Each source's own work has ended before run() returns, so closing the store after it cannot cut one short.
    await Promise.all(schedules);
  }
}

/** How long after a check the next one comes: the interval after a good one, a doubling backoff from 5 minutes after failures. */
export function checkDelayMs(failuresInARow: number, intervalMs: number): number {
  if (failuresInARow <= 0) return intervalMs;
  return Math.min(intervalMs, FIRST_RETRY_MS * 2 ** Math.min(failuresInARow - 1, 30));
}
