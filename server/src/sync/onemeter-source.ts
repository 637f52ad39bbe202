/**
 * A OneMeter device as a Source: polled on its own schedule (clock marks, at least 60 s apart)
 * while the service runs, or once at a check when it does not (`sync --once`); its statistics
 * published after every poll and at every check.
 */
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import type { PowerSample } from "../correlate/types.js";
import type { Connection } from "../ha/connection.js";
import { addGridImports, type GridImport } from "../ha/energy.js";
import { lastRowInHa, type PublishResult } from "../ha/publisher.js";
import { parseHaVersion } from "../ha/version.js";
import { OneMeterClient, type OneMeterDevice } from "../providers/onemeter/client.js";
import { oneMeterSeries, PROVIDER, statisticId } from "../statistics/ids.js";
import { oneMeterStatisticRows, oneMeterStatistics } from "../statistics/onemeter.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { hasReadings, pollOneMeterDevice, readDiagnostics, storedRegisters, type OneMeterApi, type OneMeterPollResult } from "./onemeter-job.js";
import { OneMeterPoller, type OneMeterPollExtra } from "./onemeter-poller.js";
import { PushedPowerSource } from "./power-source.js";
import type { Provider } from "./providers.js";
import { publishStatistics } from "./publish.js";
import type { CheckOptions, Fetched, FetchOutcome, Source, SourceHealth } from "./source.js";

/**
 * OneMeter, when the config has an `onemeter` section: one source per device, and each device's live
 * power as a whole-home power source for the device learner (`power.whole_home`).
 */
export const oneMeterProvider: Provider = {
  id: PROVIDER.onemeter,
  create(ctx) {
    const { config, store, clock, log, ha, onSleep } = ctx;
    const om = config.onemeter;
    if (!om) return { sources: [] };
    // No retries inside a OneMeter request: its rate limit is unpublished and the poller's next,
    // clock-aligned poll (with backoff after failures) is the retry, so a 429 never becomes a burst.
    const api = new OneMeterClient({ baseUrl: om.baseUrl, apiKey: om.apiKey, http: ctx.http(PROVIDER.onemeter, { retries: 0 }) });
    const sources: OneMeterSource[] = [];
    const wholeHomePower: PushedPowerSource[] = [];
    for (const deviceId of om.devices) {
      const power = new PushedPowerSource(`onemeter:${deviceId}`, `OneMeter ${deviceId}`);
      wholeHomePower.push(power);
      sources.push(
        new OneMeterSource(deviceId, {
          config: { ...config, onemeter: om },
          store,
          clock,
          log,
          api,
          ...(ha ? { ha } : {}),
          onPower: (_id, sample) => power.push([sample]),
          ...(onSleep ? { onSleep } : {}),
        }),
      );
    }
    return { sources, wholeHomePower };
  },
};

export interface OneMeterSourceDeps {
  config: EnergyInsightsConfig & { onemeter: NonNullable<EnergyInsightsConfig["onemeter"]> };
  store: Store;
  clock: Clock;
  log: Logger;
  api: OneMeterApi;
  ha?: () => Promise<Connection>;
  onPower?: (deviceId: string, sample: PowerSample) => void;
  onSleep?: (deviceId: string, untilMs: number) => void;
}

/** Each OneMeter device's poll at a check (none while the service polls on its own schedule), from its summary's `fetched`. */
export function oneMeterPolls(fetched: readonly Fetched[]): OneMeterPollResult[] {
  return fetched.flatMap((f) => (f.provider === PROVIDER.onemeter && f.outcome.detail ? [f.outcome.detail as OneMeterPollResult] : []));
}

export class OneMeterSource implements Source {
  readonly name: string;
  readonly provider = PROVIDER.onemeter;
  readonly onCheckInterval = false;
  private readonly poller: OneMeterPoller;
  /** Whether the device was put in the Energy prefs since start (once a run). */
  private inPrefs: string | undefined;

  constructor(
    readonly deviceId: string,
    private readonly deps: OneMeterSourceDeps,
  ) {
    this.name = `OneMeter device ${deviceId}`;
    const { config, clock, log, ha } = deps;
    this.poller = new OneMeterPoller({
      deviceId,
      clock,
      log,
      intervalMs: config.onemeter.pollInterval * 1000,
      poll: (extra) => this.poll(extra),
      ...(ha ? { afterPoll: async () => void (await this.publish(await ha())) } : {}),
      ...(deps.onSleep ? { onSleep: (until: number) => deps.onSleep!(deviceId, until) } : {}),
    });
  }

  async fetch(opts: CheckOptions): Promise<FetchOutcome> {
    // While the service runs, the device is polled on its own schedule; a check only publishes.
    if (this.poller.running) return { errors: [] };
    const backfillFromMs = opts.backfillFrom ? Date.parse(`${opts.backfillFrom}T00:00:00Z`) : Number.NaN;
    const res = await this.poller.pollOnce(false, { ...(opts.onRequest ? { onRequest: opts.onRequest } : {}), ...(Number.isFinite(backfillFromMs) ? { backfillFromMs } : {}) });
    return { errors: res.error ? [`OneMeter device ${this.deviceId}: ${res.error}`] : [], detail: res };
  }

  /** Publishes the device's statistics, then (with `onemeter.add_to_energy_prefs`) puts it in the Energy prefs once per run. */
  async publish(conn: Connection): Promise<PublishResult[]> {
    const { store, log, config } = this.deps;
    const registers = storedRegisters(store, this.deviceId);
    const results = await publishStatistics(conn, store, oneMeterStatisticRows(store, this.deviceId, registers), { log });
    const grid = config.onemeter.addToEnergyPrefs ? oneMeterGridImport(this.deviceId, registers) : undefined;
    const key = grid ? JSON.stringify(grid) : undefined;
    if (grid && key && this.inPrefs !== key) {
      // Replaces only grid sources that already point at this device's statistics; the user's own stay.
      await addGridImports(conn, [grid], parseHaVersion(conn.haVersion));
      this.inPrefs = key;
      log.info({ device: this.deviceId, import: grid.energyStatisticId, export: grid.returnStatisticId }, "added the OneMeter device to the Energy dashboard as grid consumption and return");
    }
    return results;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.poller.run(signal);
  }

  /** Healthy while its last poll succeeded; with its diagnostics as of the last successful poll, and its next poll. */
  health(): SourceHealth {
    const diagnostics = readDiagnostics(this.deps.store, this.deviceId);
    const state = this.deps.store.allSyncStates().find((s) => s.provider === PROVIDER.onemeter && s.account === this.deviceId && s.failures > 0);
    const lastSuccess = diagnostics?.fetchedAt ?? null;
    return {
      name: this.name,
      provider: this.provider,
      healthy: !state,
      lastSuccess,
      lastError: state?.lastError ?? null,
      oneMeter: { deviceId: this.deviceId, diagnostics, nextPollAt: this.poller.nextPollAt() },
    };
  }

  /** Reads the device as it describes itself (for `doctor`); not stored. */
  describe(): Promise<OneMeterDevice> {
    return this.deps.api.device(this.deviceId);
  }

  private async poll(extra: OneMeterPollExtra): Promise<OneMeterPollResult> {
    const { store, clock, log, config, api } = this.deps;
    const resume = await this.resumeFrom();
    const backfillFromMs = Math.min(extra.backfillFromMs ?? Number.POSITIVE_INFINITY, resume ?? Number.POSITIVE_INFINITY);
    const result = await pollOneMeterDevice(api, this.deviceId, {
      store,
      clock,
      log,
      backfillDays: config.onemeter.backfillDays,
      ...extra,
      ...(Number.isFinite(backfillFromMs) ? { backfillFromMs } : {}),
    });
    if (result.power) this.deps.onPower?.(this.deviceId, result.power);
    return result;
  }

  /**
   * With no readings stored (a first start, or a cache that was lost) while HA already has the
   * device's statistics: read from the hour before HA's last one, so the months the backend was
   * away are filled from the meter's registers instead of only `onemeter.backfill_days`.
   */
  private async resumeFrom(): Promise<number | undefined> {
    const { store, ha, clock, log } = this.deps;
    const deviceId = this.deviceId;
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
}

/**
 * The device as a grid source for the Energy prefs: its import as consumption and its export (when
 * the meter has one) as return to grid; undefined until it has delivered an import register.
 */
export function oneMeterGridImport(deviceId: string, registers: readonly string[]): GridImport | undefined {
  const stats = oneMeterStatistics(deviceId, registers);
  const of = (kind: string) => stats.find((s) => s.series === oneMeterSeries(deviceId, kind))?.stat.statisticId;
  const energy = of("import_energy");
  return energy ? { energyStatisticId: energy, costStatisticId: null, returnStatisticId: of("export_energy") ?? null } : undefined;
}
