/**
 * The carbon providers as the service runs them: one Source for all of them (emissions are
 * computed from the best intensity among them), each read at its own interval (not Contact's),
 * then intensity and emissions published to HA. Providers fail alone: one's failure is recorded
 * in its health and the summary, and the others go on.
 */
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import { sendCommand, type Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";
import { carbonStatisticRows, type CarbonTarget } from "../statistics/carbon.js";
import { PROVIDER, slug } from "../statistics/ids.js";
import { ElectricityMapsClient } from "../providers/electricitymaps/client.js";
import { ProviderError } from "../providers/errors.js";
import { WattTimeClient } from "../providers/watttime/client.js";
import { storedContracts } from "./contact-job.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { CarbonJob } from "./carbon-job.js";
import { electricityMapsSource, wattTimeSource, type CarbonSource, type GeoLocation } from "./carbon-sources.js";
import type { Provider } from "./providers.js";
import { publishStatistics } from "./publish.js";
import type { Source, SourceHealth } from "./source.js";

/** WattTime and Electricity Maps, when the config has either section: one source for both. */
export const carbonProvider: Provider = {
  id: "carbon",
  create(ctx) {
    const { config, store, clock, log, ha } = ctx;
    const sources: CarbonSource[] = [];
    const wt = config.watttime;
    if (wt) {
      const client = new WattTimeClient({ baseUrl: wt.baseUrl, username: wt.username, password: wt.password, clock, http: ctx.http(PROVIDER.watttime) });
      sources.push(wattTimeSource(client, { ...(wt.region ? { region: wt.region } : {}), ...(wt.latitude !== undefined ? { latitude: wt.latitude } : {}), ...(wt.longitude !== undefined ? { longitude: wt.longitude } : {}) }));
    }
    const em = config.electricityMaps;
    if (em) {
      const client = new ElectricityMapsClient({ baseUrl: em.baseUrl, token: em.token, emissionFactorType: em.emissionFactorType, http: ctx.http(PROVIDER.electricityMaps) });
      sources.push(electricityMapsSource(client, { ...(em.zone ? { zone: em.zone } : {}), ...(em.latitude !== undefined ? { latitude: em.latitude } : {}), ...(em.longitude !== undefined ? { longitude: em.longitude } : {}) }));
    }
    return { sources: sources.length > 0 ? [new CarbonSync({ config, store, clock, log, sources, ...(ha ? { ha } : {}) })] : [] };
  },
};

export interface CarbonSyncDeps {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  sources: readonly CarbonSource[];
  ha?: () => Promise<Connection>;
}

export interface CarbonSyncResult {
  errors: string[];
  published: PublishResult[];
}

/** First reads go this far back where the provider keeps history (WattTime's historical). */
const BACKFILL_DAYS = 9;

export class CarbonSync implements Source {
  readonly name = "carbon intensity";
  readonly provider = "carbon";
  /** Read at each provider's own interval; a check reads and publishes them too, without moving the next check. */
  readonly onCheckInterval = false;
  readonly jobs: CarbonJob[];

  constructor(private readonly deps: CarbonSyncDeps) {
    const { config } = deps;
    this.jobs = deps.sources.map((source) => {
      const intervalSec = source.provider === "watttime" ? (config.watttime?.checkInterval ?? 3600) : (config.electricityMaps?.checkInterval ?? 3600);
      return new CarbonJob(source, { store: deps.store, clock: deps.clock, log: deps.log, intervalSec, backfillDays: Math.max(BACKFILL_DAYS, config.sync.hourlyDays), location: () => this.location() });
    });
  }

  health(): SourceHealth {
    const carbon = this.jobs.map((j) => j.health());
    const failing = carbon.find((h) => h.consecutiveFailures > 0 || h.stopped);
    const successes = carbon.flatMap((h) => (h.lastSuccess === null ? [] : [h.lastSuccess]));
    return { name: this.name, provider: this.provider, healthy: !failing, lastSuccess: successes.length > 0 ? Math.max(...successes) : null, lastError: failing?.lastError ?? null, carbon };
  }

  /** When the first provider is due next (infinite when every one has stopped). */
  nextDueAt(): number {
    return Math.min(...this.jobs.map((j) => j.nextDueAt()));
  }

  /** A check reads every provider, due or not. */
  fetch(): Promise<CarbonSyncResult> {
    return this.readDue({ force: true });
  }

  /** Reads each provider when it is due, until `signal` aborts; each read waits for the check in progress. */
  async run(signal: AbortSignal, exclusive: <T>(work: () => Promise<T>) => Promise<T>): Promise<void> {
    const { clock, log } = this.deps;
    while (!signal.aborted) {
      const wait = this.nextDueAt() - clock.now();
      if (!Number.isFinite(wait)) return;
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) break;
      const res = await exclusive(() => this.readDue());
      log.info({ errors: res.errors.length, published: res.published.reduce((n, p) => n + p.rowsSent, 0) }, "carbon check finished");
    }
  }

  /** Reads every due provider (all with `force`), then publishes what there is. Never throws. */
  async readDue(opts: { force?: boolean } = {}): Promise<CarbonSyncResult> {
    const out: CarbonSyncResult = { errors: [], published: [] };
    let ran = false;
    for (const job of this.jobs) {
      const res = await job.sync(opts);
      ran ||= res.ran;
      if (res.error) out.errors.push(`${job.source.label}: ${res.error}`);
    }
    if (!ran && !opts.force) return out;
    const targets: CarbonTarget[] = [];
    for (const job of this.jobs) {
      const scope = job.current();
      if (scope) targets.push({ provider: job.source.provider, account: scope.account, signal: scope.signal });
    }
    if (!this.deps.ha || targets.length === 0) return out;
    try {
      const conn = await this.deps.ha();
      const statistics = carbonStatisticRows(this.deps.store, targets, { icps: this.icps(), zone: this.deps.config.contact?.timeZone ?? "Pacific/Auckland" });
      out.published.push(...(await publishStatistics(conn, this.deps.store, statistics, { log: this.deps.log })));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.errors.push(`Home Assistant (carbon statistics): ${message}`);
      this.deps.log.error({ err: message }, "publishing carbon statistics failed; it is retried at the next check");
    }
    return out;
  }

  /** The ICPs of the configured Contact contracts, from the contract list the Contact sync keeps. */
  private icps(): string[] {
    const icps = new Set<string>();
    for (const account of this.deps.config.contact?.accounts ?? []) {
      for (const c of storedContracts(this.deps.store, slug(account.username))) if (!account.contracts?.length || account.contracts.includes(c.contractId) || account.contracts.includes(c.icp)) icps.add(c.icp);
    }
    return [...icps];
  }

  /** Home Assistant's location (Settings > System > General), for region-from-loc and lat/lon zones. */
  private async location(): Promise<GeoLocation> {
    const noLocation = (why: string): ProviderError =>
      new ProviderError({ provider: "carbon", kind: "client", message: `no location to find the region or zone: ${why}. Set watttime.region / electricity_maps.zone, or latitude and longitude in their sections.` });
    if (!this.deps.ha) throw noLocation("Home Assistant is not used");
    let config: { latitude?: unknown; longitude?: unknown };
    try {
      config = await sendCommand<{ latitude?: unknown; longitude?: unknown }>(await this.deps.ha(), { type: "get_config" });
    } catch (err) {
      throw new ProviderError({ provider: "carbon", kind: "network", message: `could not read Home Assistant's location (${err instanceof Error ? err.message : String(err)}); trying again at the next check` });
    }
    if (typeof config.latitude !== "number" || typeof config.longitude !== "number") throw noLocation("Home Assistant has no latitude and longitude");
    return { latitude: config.latitude, longitude: config.longitude };
  }
}
