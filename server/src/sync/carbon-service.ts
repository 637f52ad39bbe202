/**
 * The carbon providers as the service runs them: each at its own interval (not Contact's), then
 * intensity and emissions published to HA. Providers fail alone: one's failure is recorded in its
 * health and the summary, and the others go on.
 */
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import { sendCommand, type Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";
import { carbonStatisticRows, type CarbonTarget } from "../statistics/carbon.js";
import { slug } from "../statistics/ids.js";
import { ProviderError } from "../providers/errors.js";
import { storedContracts } from "./contact-job.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { CarbonJob, type CarbonHealth } from "./carbon-job.js";
import type { CarbonSource, GeoLocation } from "./carbon-sources.js";
import { publishStatistics } from "./publish.js";

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

export class CarbonSync {
  readonly jobs: CarbonJob[];

  constructor(private readonly deps: CarbonSyncDeps) {
    const { config } = deps;
    this.jobs = deps.sources.map((source) => {
      const intervalSec = source.provider === "watttime" ? (config.watttime?.checkInterval ?? 3600) : (config.electricityMaps?.checkInterval ?? 3600);
      return new CarbonJob(source, { store: deps.store, clock: deps.clock, log: deps.log, intervalSec, backfillDays: Math.max(BACKFILL_DAYS, config.sync.hourlyDays), location: () => this.location() });
    });
  }

  health(): CarbonHealth[] {
    return this.jobs.map((j) => j.health());
  }

  nextDueAt(): number {
    return Math.min(...this.jobs.map((j) => j.nextDueAt()));
  }

  /** Reads every due provider (all with `force`), then publishes what there is. Never throws. */
  async run(opts: { force?: boolean } = {}): Promise<CarbonSyncResult> {
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
