/**
 * The providers the service can run, and what each needs to build its sources. A provider is one
 * folder under `providers/` (client and parsing), one module under `statistics/` (its readings as
 * statistics), a Source under `sync/` with a `Provider` that builds it from the config, a schema
 * entry and a simulator; its line in `PROVIDERS` is the only place that names it. `app.ts` and
 * `service.ts` know providers only through this list.
 */
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import type { PriceSource } from "../correlate/engine.js";
import type { Connection } from "../ha/connection.js";
import type { HttpClient } from "../providers/http.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { carbonProvider } from "./carbon-service.js";
import { contactProvider } from "./contact-source.js";
import { oneMeterProvider } from "./onemeter-source.js";
import type { WholeHomePowerSource } from "./power-source.js";
import type { Source } from "./source.js";

/** What a provider gets to build its sources. */
export interface SourceContext {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  /** An HTTP client for one provider: timeouts, retries with backoff (`retries: 0` for none), every exchange logged without secrets. */
  http(provider: string, opts?: { retries?: number }): HttpClient;
  /** The HA connection, opened on first use; absent when only fetching. */
  ha?: () => Promise<Connection>;
  /** Told before each wait of a source's own schedule, with what waits (a OneMeter device id); tests drive a ManualClock with it. */
  onSleep?: (what: string, untilMs: number) => void;
}

/** What a configured provider runs. */
export interface ProviderSources {
  sources: Source[];
  /** Whole-home power the provider reads live (OneMeter), offered to the device learner as `power.whole_home` choices. */
  wholeHomePower?: WholeHomePowerSource[];
  /** The price per kWh learned devices are costed at (Contact's own prices), reaching back `lookbackMs` of recorded power. */
  devicePrice?: (lookbackMs: number) => PriceSource;
}

export interface Provider {
  /** The provider's id, as in statistic ids. */
  readonly id: string;
  /** Its sources when the config has its section; none otherwise. */
  create(ctx: SourceContext): ProviderSources;
}

/** Every provider, in the order a check runs them. */
export const PROVIDERS: readonly Provider[] = [contactProvider, oneMeterProvider, carbonProvider];
