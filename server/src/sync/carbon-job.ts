/**
 * One carbon-intensity provider kept in sync: started once (region or zone found and checked, plan
 * learned), then read at its own interval (hourly by default, independent of Contact's 6 h, since
 * Electricity Maps' free tier keeps only 24 hours), its points stored as hourly mean/min/max, and
 * its health kept for `status`. A failure is recorded and logged, never thrown: other providers go on.
 */
import * as z from "zod";
import { stateCell } from "../store/state.js";
import type { Logger } from "pino";
import { ProviderError } from "../providers/errors.js";
import { carbonSeries, type CarbonProviderId } from "../statistics/ids.js";
import type { SeriesReading, Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import type { CarbonFetch, CarbonPoint, CarbonScope, CarbonSource, GeoLocation } from "./carbon-sources.js";

const HOUR = 3600;

/** Health of one carbon provider, as `status` shows it. */
export interface CarbonHealth {
  provider: CarbonProviderId;
  /** Region (WattTime) or zone (Electricity Maps), once known. */
  account: string | null;
  signal: CarbonScope["signal"] | null;
  planScope: string | null;
  forecast: boolean;
  lastSuccess: number | null;
  lastAttempt: number | null;
  consecutiveFailures: number;
  attempts: number;
  successes: number;
  tokenRefreshes: number;
  lastError: string | null;
  /** The provider could not start for a reason the user must fix (bad region or zone, credentials, plan); it waits for a restart. */
  stopped: boolean;
}

/** The kv key under which a series' latest forecast is stored (`{at, points}`), read by the API's `carbon/forecast`. */
export function forecastKey(meanSeries: string): string {
  return `carbon:forecast:${meanSeries}`;
}

/** Hourly mean, min and max of points, for hours that end at or before `completeTo` (epoch seconds). */
export function hourlyAggregates(points: readonly CarbonPoint[], completeTo: number): { start: number; mean: number; min: number; max: number }[] {
  const byHour = new Map<number, number[]>();
  for (const p of points) {
    const h = Math.floor(p.at / HOUR) * HOUR;
    if (h + HOUR > completeTo) continue;
    const list = byHour.get(h);
    if (list) list.push(p.value);
    else byHour.set(h, [p.value]);
  }
  return [...byHour.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, values]) => ({ start, mean: round(values.reduce((a, b) => a + b, 0) / values.length), min: Math.min(...values), max: Math.max(...values) }));
}

export interface CarbonJobDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Seconds between reads. */
  intervalSec: number;
  /** How far back the first read goes, in days (WattTime's historical; Electricity Maps' free tier has 24 h). */
  backfillDays: number;
  location: () => Promise<GeoLocation>;
}

export class CarbonJob {
  private scope: CarbonScope | undefined;
  private readonly h: CarbonHealth;

  constructor(
    readonly source: CarbonSource,
    private readonly deps: CarbonJobDeps,
  ) {
    this.h = {
      provider: source.provider,
      account: null,
      signal: null,
      planScope: null,
      forecast: false,
      lastSuccess: null,
      lastAttempt: null,
      consecutiveFailures: 0,
      attempts: 0,
      successes: 0,
      tokenRefreshes: 0,
      lastError: null,
      stopped: false,
    };
    const last = this.lastCheck().get(deps.store);
    if (last !== undefined) this.h.lastAttempt = last;
  }

  health(): CarbonHealth {
    return { ...this.h, tokenRefreshes: this.source.tokenRefreshes() };
  }

  /** The region or zone and its signal, once started. */
  current(): CarbonScope | undefined {
    return this.scope;
  }

  /** Epoch ms when the next read is due (at once on a first start; a restart inside the interval costs no call). */
  nextDueAt(): number {
    if (this.h.stopped) return Number.POSITIVE_INFINITY;
    return this.h.lastAttempt === null ? this.deps.clock.now() : this.h.lastAttempt + this.deps.intervalSec * 1000;
  }

  /** Starts the provider if needed; true when it is running. Failures are recorded, never thrown. */
  async start(): Promise<boolean> {
    if (this.scope) return true;
    if (this.h.stopped) return false;
    const { clock, log } = this.deps;
    try {
      this.scope = await this.source.start(this.deps.location, Math.floor(clock.now() / 1000));
      Object.assign(this.h, { account: this.scope.account, signal: this.scope.signal, planScope: this.scope.planScope, forecast: this.scope.forecast });
      log.info({ provider: this.source.provider, account: this.scope.account, signal: this.scope.signal, plan: this.scope.planScope }, `${this.source.label}: started`);
      if (this.scope.signal === "percentile") {
        log.warn({ provider: this.source.provider, region: this.scope.account }, `${this.source.label}: ${this.scope.planScope} Imported as a percentile statistic (signal_index), not as gCO2eq/kWh, and not used for emissions.`);
      }
      return true;
    } catch (err) {
      const message = describe(err);
      const retryable = err instanceof ProviderError ? err.retryable : !(err instanceof Error && /location/i.test(err.message));
      this.failed(clock.now(), message);
      if (!retryable) {
        this.h.stopped = true;
        log.error({ provider: this.source.provider, err: message }, `${this.source.label} cannot start: fix its settings and restart the backend (other providers go on)`);
      } else {
        log.error({ provider: this.source.provider, err: message }, `${this.source.label} could not start; it tries again at its next check`);
      }
      return false;
    }
  }

  /** One read (when due, or always with `force`): fetches what is missing and stores it. */
  async sync(opts: { force?: boolean } = {}): Promise<{ ran: boolean; hours: number; error?: string }> {
    const { clock, store, log } = this.deps;
    if (!opts.force && clock.now() < this.nextDueAt()) return { ran: false, hours: 0 };
    const at = clock.now();
    this.h.lastAttempt = at;
    this.lastCheck().set(store, at);
    if (!(await this.start())) return { ran: true, hours: 0, error: this.h.lastError ?? "not started" };
    const scope = this.scope!;
    const series = carbonSeries(this.source.provider, scope.account, scope.signal);
    const nowSec = Math.floor(at / 1000);
    const lastHour = store.readings(series.mean, "hour").at(-1)?.start;
    const earliest = Math.floor(nowSec / HOUR) * HOUR - this.deps.backfillDays * 86400;
    const from = scope.signal === "percentile" ? Math.floor(nowSec / HOUR) * HOUR : Math.max(earliest, lastHour === undefined ? earliest : lastHour + HOUR);
    this.h.attempts += 1;
    let fetched: CarbonFetch;
    try {
      fetched = await this.source.fetch(scope, from, nowSec);
    } catch (err) {
      const message = describe(err);
      this.failed(at, message);
      store.recordSync(this.source.provider, scope.account, "hour", { at, ok: false, error: message });
      log.error({ provider: this.source.provider, account: scope.account, err: message }, `${this.source.label} request failed; other providers go on`);
      return { ran: true, hours: 0, error: message };
    }
    const hours = hourlyAggregates(fetched.points, fetched.completeTo);
    // The percentile is one reading per check: keep the extremes of the hour's readings.
    if (scope.signal === "percentile") {
      for (const h of hours) {
        const min = store.readings(series.min, "hour", h.start, h.start + HOUR)[0]?.value;
        const max = store.readings(series.max, "hour", h.start, h.start + HOUR)[0]?.value;
        if (min !== undefined) h.min = Math.min(min, h.min);
        if (max !== undefined) h.max = Math.max(max, h.max);
      }
    }
    const readings: SeriesReading[] = hours.flatMap((h) => [
      { series: series.mean, resolution: "hour" as const, start: h.start, value: h.mean },
      { series: series.min, resolution: "hour" as const, start: h.start, value: h.min },
      { series: series.max, resolution: "hour" as const, start: h.start, value: h.max },
    ]);
    store.transaction(() => {
      store.upsertReadings(readings);
      if (fetched.forecast) store.set(forecastKey(series.mean), JSON.stringify({ at, points: fetched.forecast }));
      const first = hours[0]?.start;
      const last = hours.at(-1)?.start;
      store.recordSync(this.source.provider, scope.account, "hour", { at, ok: true, from: first === undefined ? "" : isoHour(first), to: last === undefined ? "" : isoHour(last) });
    });
    this.h.successes += 1;
    this.h.consecutiveFailures = 0;
    this.h.lastSuccess = at;
    this.h.lastError = null;
    log.info({ provider: this.source.provider, account: scope.account, hours: hours.length, forecast: fetched.forecast?.length ?? 0 }, `${this.source.label}: fetched carbon intensity`);
    return { ran: true, hours: hours.length };
  }

  private failed(at: number, message: string): void {
    this.h.consecutiveFailures += 1;
    this.h.lastError = message;
    this.h.lastAttempt = at;
  }

  /** When this provider was last read (ms), so a restart keeps its interval. */
  private lastCheck() {
    return stateCell(`carbon:last_check:${this.source.provider}`, z.number());
  }
}

function isoHour(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 13) + ":00Z";
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function describe(err: unknown): string {
  if (err instanceof ProviderError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
