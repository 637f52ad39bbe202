import type { Logger } from "pino";
import type { ContactAccountConfig, EnergyInsightsConfig } from "./config/index.js";
import type { PowerSample } from "./correlate/types.js";
import type { Connection } from "./ha/connection.js";
import type { PublishResult } from "./ha/publisher.js";
import type { ContactContract } from "./providers/contact/client.js";
import type { OneMeterDevice } from "./providers/onemeter/client.js";
import { lastCheck, recordCheck } from "./store/state.js";
import type { Store } from "./store/store.js";
import type { CarbonHealth } from "./sync/carbon-job.js";
import type { CarbonSync } from "./sync/carbon-service.js";
import type { ContactApi, LoginSyncResult } from "./sync/contact-job.js";
import { ContactSource } from "./sync/contact-source.js";
import type { OneMeterApi, OneMeterDiagnostics, OneMeterPollResult } from "./sync/onemeter-job.js";
import { OneMeterSource } from "./sync/onemeter-source.js";
import type { PlannerSettings } from "./sync/planner.js";
import type { CheckOptions, Source } from "./sync/source.js";
import type { Clock } from "./time/clock.js";

export interface ServiceDeps {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  contactApi: (account: ContactAccountConfig) => ContactApi;
  /** The OneMeter client (when `onemeter` is configured). */
  oneMeterApi?: () => OneMeterApi;
  /** Told before each wait of a OneMeter poller (tests drive a ManualClock with it). */
  onOneMeterSleep?: (deviceId: string, untilMs: number) => void;
  /** Told each OneMeter device's instantaneous power after every successful poll (the collector's whole-home source). */
  onOneMeterPower?: (deviceId: string, sample: PowerSample) => void;
  /** Resolves the HA connection (connecting on first use); absent = fetch only. */
  ha?: () => Promise<Connection>;
  /** The power collector: recorded while the service runs; its device statistics published at every check. */
  devices?: DeviceRecorder;
  /** The carbon-intensity providers (WattTime, Electricity Maps), read at their own interval. */
  carbon?: CarbonSync;
  /** Further sources, after the built-in ones (a provider wired from outside, e.g. in a test). */
  sources?: Source[];
}

export interface DeviceRecorder {
  start(): Promise<void>;
  stop(): void;
  publishDevices(): Promise<PublishResult[]>;
  status(): { running: boolean };
}

export interface SyncSummary {
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  contact: LoginSyncResult[];
  /** One poll of each OneMeter device (absent when OneMeter is not configured). */
  onemeter?: OneMeterPollResult[];
  published: PublishResult[];
  errors: string[];
}

const DAY_MS = 86_400_000;
/** After a failed check the next one comes after this, doubling with each failure up to the check interval. */
export const FIRST_RETRY_MS = 5 * 60_000;
/** Contact keeps about 18 months of day totals: an outage is filled back to this at most. */
const CONTACT_DAILY_HISTORY_DAYS = 540;

export function plannerSettings(config: EnergyInsightsConfig, backfillFrom?: string): PlannerSettings {
  return {
    zone: config.contact?.timeZone ?? "Pacific/Auckland",
    hourlyDays: config.sync.hourlyDays,
    dailyDays: config.sync.dailyDays,
    monthlyMonths: config.sync.monthlyMonths,
    probeIntervalMs: Math.max(DAY_MS, config.sync.checkInterval * 1000),
    checkIntervalMs: config.sync.checkInterval * 1000,
    maxDailyRangeDays: 90,
    maxDailyHistoryDays: CONTACT_DAILY_HISTORY_DAYS,
    ...(backfillFrom ? { backfillFrom } : {}),
  };
}

/** One check of every provider, then publishing; and the loop that repeats it every check interval. */
export class SyncService {
  /** Every source, in the order a check runs them: the check interval's first, then those with schedules of their own. */
  readonly sources: readonly Source[];
  private readonly contact: ContactSource | undefined;
  private readonly oneMeters: OneMeterSource[] = [];
  private readonly oneMeterApi: OneMeterApi | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when run()'s signal aborts: the check in progress is being cut short. */
  private stopping = false;

  constructor(private readonly deps: ServiceDeps) {
    const { config, store, clock, log, ha } = deps;
    const sources: Source[] = [];
    if (config.contact) {
      this.contact = new ContactSource({ config, store, clock, log, contactApi: deps.contactApi, settings: (from) => plannerSettings(config, from) });
      sources.push(this.contact);
    }
    const om = config.onemeter;
    if (om && deps.oneMeterApi) {
      const api = deps.oneMeterApi();
      this.oneMeterApi = api;
      for (const deviceId of om.devices) {
        const source = new OneMeterSource(deviceId, {
          config: { ...config, onemeter: om },
          store,
          clock,
          log,
          api,
          ...(ha ? { ha } : {}),
          ...(deps.onOneMeterPower ? { onPower: deps.onOneMeterPower } : {}),
          ...(deps.onOneMeterSleep ? { onSleep: deps.onOneMeterSleep } : {}),
        });
        this.oneMeters.push(source);
        sources.push(source);
      }
    }
    if (deps.carbon) sources.push(this.carbonSource(deps.carbon));
    if (deps.devices) sources.push(this.deviceSource(deps.devices));
    sources.push(...(deps.sources ?? []));
    this.sources = [...sources.filter((s) => s.onCheckInterval), ...sources.filter((s) => !s.onCheckInterval)];
  }

  /** Each OneMeter device's diagnostics (as of its last successful poll) and its next poll. */
  oneMeterStatus(): { deviceId: string; diagnostics: OneMeterDiagnostics | undefined; nextPollAt: number | undefined }[] {
    return this.oneMeters.map((m) => m.status());
  }

  /**
   * Fetches what is missing from every source, then brings HA's statistics in line. Never throws
   * for a provider or HA failure. Syncs never overlap (a scheduled check and `sync/run` from the
   * API): a second one starts when the first has finished.
   */
  syncOnce(opts: CheckOptions = {}): Promise<SyncSummary> {
    const next = this.queue.then(() => this.runSync(opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runSync(opts: CheckOptions): Promise<SyncSummary> {
    const { store, clock } = this.deps;
    const startedAt = new Date(clock.now()).toISOString();
    const summary: SyncSummary = { startedAt, finishedAt: startedAt, ok: true, contact: [], published: [], errors: [] };
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
    summary.contact = this.contact?.results ?? [];
    if (this.oneMeters.length > 0) summary.onemeter = this.oneMeters.flatMap((m) => (m.lastPoll ? [m.lastPoll] : []));
    summary.ok = summary.errors.length === 0;
    summary.finishedAt = new Date(clock.now()).toISOString();
    return summary;
  }

  /** Each source fetches, then each publishes (through one HA connection, opened when the first needs it). */
  private async check(sources: readonly Source[], opts: CheckOptions, summary: SyncSummary): Promise<void> {
    const { log, ha } = this.deps;
    for (const source of sources) {
      if (!source.fetch) continue;
      const res = await source.fetch(opts);
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
   * Reads the carbon providers that are due (each at its own interval) and publishes intensity and
   * emissions; queued like every sync, so it never overlaps a Contact check.
   */
  syncCarbon(): Promise<{ errors: string[]; published: PublishResult[] }> {
    const carbon = this.deps.carbon;
    if (!carbon) return Promise.resolve({ errors: [], published: [] });
    const next = this.queue.then(() => carbon.run());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Health of each carbon provider, for `status`. */
  carbonHealth(): CarbonHealth[] {
    return this.deps.carbon?.health() ?? [];
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
    const schedules = this.sources.map((s) => s.run?.(signal));
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

  /** The carbon providers: read and published at every check, and at their own interval (hourly by default). */
  private carbonSource(carbon: CarbonSync): Source {
    const { clock, log } = this.deps;
    return {
      name: "carbon intensity",
      onCheckInterval: false,
      fetch: () => carbon.run({ force: true }),
      run: async (signal) => {
        while (!signal.aborted) {
          const wait = carbon.nextDueAt() - clock.now();
          if (!Number.isFinite(wait)) return;
          if (wait > 0) await clock.sleep(wait, signal);
          if (signal.aborted) break;
          const res = await this.syncCarbon();
          log.info({ errors: res.errors.length, published: res.published.reduce((n, p) => n + p.rowsSent, 0) }, "carbon check finished");
        }
      },
    };
  }

  /** The power collector: recorded while the service runs (started again every minute while HA cannot be reached); its device statistics published at every check. */
  private deviceSource(devices: DeviceRecorder): Source {
    const { clock, log } = this.deps;
    return {
      name: "device statistics",
      onCheckInterval: false,
      publish: async () => (devices.status().running ? devices.publishDevices() : []),
      run: async (signal) => {
        while (!signal.aborted) {
          try {
            await devices.start();
            break;
          } catch (err) {
            log.warn({ err: err instanceof Error ? err.message : String(err) }, "the power collector could not start; retrying in a minute");
            await clock.sleep(60_000, signal);
          }
        }
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        devices.stop();
      },
    };
  }

  /** Reads one OneMeter device as it describes itself (for `doctor`); not stored. */
  oneMeterDevice(deviceId: string): Promise<OneMeterDevice> {
    if (!this.oneMeterApi) return Promise.reject(new Error("onemeter is not configured"));
    return this.oneMeterApi.device(deviceId);
  }

  /** Logs in and lists the contracts of one account (for `doctor`); not cached. */
  contactContracts(account: ContactAccountConfig): Promise<ContactContract[]> {
    if (!this.contact) return Promise.reject(new Error("contact is not configured"));
    return this.contact.contracts(account);
  }
}

/** How long after a check the next one comes: the interval after a good one, a doubling backoff from 5 minutes after failures. */
export function checkDelayMs(failuresInARow: number, intervalMs: number): number {
  if (failuresInARow <= 0) return intervalMs;
  return Math.min(intervalMs, FIRST_RETRY_MS * 2 ** Math.min(failuresInARow - 1, 30));
}
