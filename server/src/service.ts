import type { Logger } from "pino";
import type { ContactAccountConfig, EnergyInsightsConfig } from "./config/index.js";
import type { PowerSample } from "./correlate/types.js";
import type { Connection } from "./ha/connection.js";
import { addGridImports } from "./ha/energy.js";
import { parseHaVersion } from "./ha/version.js";
import type { PublishResult } from "./ha/publisher.js";
import type { ContactContract } from "./providers/contact/client.js";
import type { OneMeterDevice } from "./providers/onemeter/client.js";
import { oneMeterSeries, slug, statisticId } from "./statistics/ids.js";
import { lastRowInHa } from "./ha/publisher.js";
import { lastCheck, recordCheck } from "./store/state.js";
import type { Store } from "./store/store.js";
import type { CarbonHealth } from "./sync/carbon-job.js";
import type { CarbonSync } from "./sync/carbon-service.js";
import { syncContactLogin, type ContactApi, type LoginSyncResult } from "./sync/contact-job.js";
import { publishContract } from "./sync/contact-statistics.js";
import { hasReadings, pollOneMeterDevice, readDiagnostics, storedRegisters, type OneMeterApi, type OneMeterDiagnostics, type OneMeterPollResult } from "./sync/onemeter-job.js";
import { OneMeterPoller, type OneMeterPollExtra } from "./sync/onemeter-poller.js";
import { oneMeterGridImport, publishOneMeterDevice } from "./sync/onemeter-statistics.js";
import type { PlannerSettings } from "./sync/planner.js";
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
    maxDailyRangeDays: 90,
    maxDailyHistoryDays: CONTACT_DAILY_HISTORY_DAYS,
    ...(backfillFrom ? { backfillFrom } : {}),
  };
}

/** One check of every provider, then publishing; and the loop that repeats it every check interval. */
export class SyncService {
  private readonly apis = new Map<string, ContactApi>();

  private readonly oneMeterPollers = new Map<string, OneMeterPoller>();
  private readonly oneMeter: OneMeterApi | undefined;
  /** Grid sources put in the Energy prefs since start (each once). */
  private readonly oneMeterInPrefs = new Set<string>();

  constructor(private readonly deps: ServiceDeps) {
    const om = deps.config.onemeter;
    if (om && deps.oneMeterApi) {
      const api = deps.oneMeterApi();
      this.oneMeter = api;
      for (const deviceId of om.devices) {
        const poll = async (extra: OneMeterPollExtra) => {
          const resume = await this.oneMeterResumeFrom(deviceId);
          const backfillFromMs = Math.min(extra.backfillFromMs ?? Number.POSITIVE_INFINITY, resume ?? Number.POSITIVE_INFINITY);
          const result = await pollOneMeterDevice(api, deviceId, {
            store: deps.store,
            clock: deps.clock,
            log: deps.log,
            backfillDays: om.backfillDays,
            ...extra,
            ...(Number.isFinite(backfillFromMs) ? { backfillFromMs } : {}),
          });
          if (result.power) deps.onOneMeterPower?.(deviceId, result.power);
          return result;
        };
        const ha = deps.ha;
        this.oneMeterPollers.set(
          deviceId,
          new OneMeterPoller({
            deviceId,
            clock: deps.clock,
            log: deps.log,
            intervalMs: om.pollInterval * 1000,
            poll,
            ...(ha ? { afterPoll: async () => void (await this.publishOneMeter(await ha(), deviceId)) } : {}),
            ...(deps.onOneMeterSleep ? { onSleep: (until: number) => deps.onOneMeterSleep!(deviceId, until) } : {}),
          }),
        );
      }
    }
  }

  /**
   * With no readings stored (a first start, or a cache that was lost) while HA already has the
   * device's statistics: read from the hour before HA's last one, so the months the backend was
   * away are filled from the meter's registers instead of only `onemeter.backfill_days`.
   */
  private async oneMeterResumeFrom(deviceId: string): Promise<number | undefined> {
    const { store, ha, clock, log } = this.deps;
    if (!ha || hasReadings(store, deviceId)) return undefined;
    try {
      const conn = await ha();
      const last = await lastRowInHa(conn, statisticId(oneMeterSeries(deviceId, "import_energy")), Math.floor(clock.now() / 1000));
      if (!last) return undefined;
      log.info({ device: deviceId, from: new Date((last.start - 3600) * 1000).toISOString() }, "OneMeter: the cache has no readings of this device; reading from where Home Assistant's statistics end");
      return (last.start - 3600) * 1000;
    } catch (err) {
      log.warn({ device: deviceId, err: err instanceof Error ? err.message : String(err) }, "OneMeter: could not ask Home Assistant where the device's statistics end; reading the default backfill");
      return undefined;
    }
  }

  /** Publishes a device's statistics, then (with `onemeter.add_to_energy_prefs`) puts it in the Energy prefs once per run. */
  private async publishOneMeter(conn: Connection, deviceId: string): Promise<PublishResult[]> {
    const { store, log, config } = this.deps;
    const results = await publishOneMeterDevice(conn, store, deviceId, { log });
    const grid = config.onemeter?.addToEnergyPrefs ? oneMeterGridImport(deviceId, storedRegisters(store, deviceId)) : undefined;
    const key = grid ? JSON.stringify(grid) : undefined;
    if (grid && key && !this.oneMeterInPrefs.has(key)) {
      // Replaces only grid sources that already point at this device's statistics; the user's own stay.
      await addGridImports(conn, [grid], parseHaVersion(conn.haVersion));
      this.oneMeterInPrefs.add(key);
      log.info({ device: deviceId, import: grid.energyStatisticId, export: grid.returnStatisticId }, "added the OneMeter device to the Energy dashboard as grid consumption and return");
    }
    return results;
  }

  /** Each OneMeter device's diagnostics (as of its last successful poll) and its next poll. */
  oneMeterStatus(): { deviceId: string; diagnostics: OneMeterDiagnostics | undefined; nextPollAt: number | undefined }[] {
    return [...this.oneMeterPollers.entries()].map(([deviceId, p]) => ({ deviceId, diagnostics: readDiagnostics(this.deps.store, deviceId), nextPollAt: p.nextPollAt() }));
  }

  private queue: Promise<unknown> = Promise.resolve();
  /** Set when run()'s signal aborts: the check in progress is being cut short. */
  private stopping = false;

  /**
   * Fetches what is missing from every provider, then brings HA's statistics in line. Never throws
   * for a provider or HA failure. Syncs never overlap (a scheduled check and `sync/run` from the
   * API): a second one starts when the first has finished.
   */
  syncOnce(opts: { backfillFrom?: string; onRequest?: (done: number, planned: number, what: string) => void } = {}): Promise<SyncSummary> {
    const next = this.queue.then(() => this.runSync(opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runSync(opts: { backfillFrom?: string; onRequest?: (done: number, planned: number, what: string) => void }): Promise<SyncSummary> {
    const { config, store, clock, log } = this.deps;
    const startedAt = new Date(clock.now()).toISOString();
    const summary: SyncSummary = { startedAt, finishedAt: startedAt, ok: true, contact: [], published: [], errors: [] };
    const settings = plannerSettings(config, opts.backfillFrom);

    const accounts = config.contact?.accounts ?? [];
    for (const account of accounts) {
      const res = await syncContactLogin(this.api(account), {
        store,
        clock,
        log,
        settings,
        ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
        loginKey: slug(account.username),
        ...(account.contracts ? { contractFilter: account.contracts } : {}),
      });
      summary.contact.push(res);
      if (res.error) summary.errors.push(`Contact Energy (${account.username}): ${res.error}`);
      for (const c of res.contracts) if (c.error) summary.errors.push(`Contact Energy contract ${c.icp}: ${c.error}`);
    }
    if (this.oneMeterPollers.size > 0) summary.onemeter = [];
    for (const [deviceId, poller] of this.oneMeterPollers) {
      // While the service runs, each device is polled on its own schedule (clock marks, ≥ 60 s apart); a check only publishes.
      if (poller.running) continue;
      const backfillFromMs = opts.backfillFrom ? Date.parse(`${opts.backfillFrom}T00:00:00Z`) : Number.NaN;
      const res = await poller.pollOnce(false, { ...(opts.onRequest ? { onRequest: opts.onRequest } : {}), ...(Number.isFinite(backfillFromMs) ? { backfillFromMs } : {}) });
      summary.onemeter?.push(res);
      if (res.error) summary.errors.push(`OneMeter device ${deviceId}: ${res.error}`);
    }

    if (this.deps.ha && config.contact) {
      try {
        const conn = await this.deps.ha();
        for (const login of summary.contact) {
          for (const c of login.contracts) {
            summary.published.push(...(await publishContract(conn, store, c.icp, { zone: config.contact.timeZone, currency: config.contact.currency, log })));
          }
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        summary.errors.push(`Home Assistant: ${message}`);
        log.error({ err: message }, "publishing to Home Assistant failed; it is retried at the next check");
      }
    }
    // What the check interval drives (Contact, and publishing it) decides when the next check comes:
    // after a failure sooner, on a backoff. OneMeter and carbon have their own schedules.
    // A check cut short by a stop is not a failure: the next start checks again at once.
    const checkErrors = [...summary.errors];
    const previous = lastCheck(store);
    if (!this.stopping) recordCheck(store, { at: clock.now(), failures: checkErrors.length === 0 ? 0 : (previous?.failures ?? 0) + 1, error: checkErrors[0] ?? null });
    if (this.deps.ha && this.oneMeterPollers.size > 0) {
      try {
        const conn = await this.deps.ha();
        for (const deviceId of this.oneMeterPollers.keys()) summary.published.push(...(await this.publishOneMeter(conn, deviceId)));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        summary.errors.push(`Home Assistant (OneMeter): ${message}`);
        log.error({ err: message }, "publishing OneMeter statistics failed; it is retried after the next poll");
      }
    }
    if (this.deps.carbon) {
      const carbon = await this.deps.carbon.run({ force: true });
      summary.errors.push(...carbon.errors);
      summary.published.push(...carbon.published);
    }
    if (this.deps.devices?.status().running) {
      try {
        summary.published.push(...(await this.deps.devices.publishDevices()));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        summary.errors.push(`device statistics: ${message}`);
        log.error({ err: message }, "publishing device statistics failed; it is retried at the next check");
      }
    }
    summary.ok = summary.errors.length === 0;
    summary.finishedAt = new Date(clock.now()).toISOString();
    return summary;
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

  /** Runs checks every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.deps;
    signal.addEventListener("abort", () => (this.stopping = true), { once: true });
    if (this.deps.devices) void this.record(this.deps.devices, signal);
    if (this.deps.carbon) void this.carbonLoop(this.deps.carbon, signal);
    const polling = [...this.oneMeterPollers.values()].map((poller) => poller.run(signal));
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
    // Each poll has ended before run() returns, so closing the store after it cannot cut one short.
    await Promise.all(polling);
    this.deps.devices?.stop();
  }

  /** Reads the carbon providers at their own interval (hourly by default) until `signal` aborts. */
  private async carbonLoop(carbon: CarbonSync, signal: AbortSignal): Promise<void> {
    const { clock, log } = this.deps;
    while (!signal.aborted) {
      const wait = carbon.nextDueAt() - clock.now();
      if (!Number.isFinite(wait)) return;
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) break;
      const res = await this.syncCarbon();
      log.info({ errors: res.errors.length, published: res.published.reduce((n, p) => n + p.rowsSent, 0) }, "carbon check finished");
    }
  }

  /** Starts the power collector, retrying every minute while HA cannot be reached. */
  private async record(devices: DeviceRecorder, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await devices.start();
        if (signal.aborted) devices.stop();
        return;
      } catch (err) {
        this.deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, "the power collector could not start; retrying in a minute");
        await this.deps.clock.sleep(60_000, signal);
      }
    }
  }

  /** Reads one OneMeter device as it describes itself (for `doctor`); not stored. */
  oneMeterDevice(deviceId: string): Promise<OneMeterDevice> {
    if (!this.oneMeter) return Promise.reject(new Error("onemeter is not configured"));
    return this.oneMeter.device(deviceId);
  }

  /** Logs in and lists the contracts of one account (for `doctor`); not cached. */
  contactContracts(account: ContactAccountConfig): Promise<ContactContract[]> {
    return this.api(account).contracts();
  }

  private api(account: ContactAccountConfig): ContactApi {
    let api = this.apis.get(account.username);
    if (!api) {
      api = this.deps.contactApi(account);
      this.apis.set(account.username, api);
    }
    return api;
  }
}

/** How long after a check the next one comes: the interval after a good one, a doubling backoff from 5 minutes after failures. */
export function checkDelayMs(failuresInARow: number, intervalMs: number): number {
  if (failuresInARow <= 0) return intervalMs;
  return Math.min(intervalMs, FIRST_RETRY_MS * 2 ** Math.min(failuresInARow - 1, 30));
}
