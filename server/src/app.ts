import { resolve } from "node:path";
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "./config/index.js";
import { connectToHa, HaConnectionError, type Connection } from "./ha/connection.js";
import { currentUser } from "./ha/energy.js";
import { createHttpClient, type HttpAttempt, type HttpClientOptions } from "./providers/http.js";
import { SyncService } from "./service.js";
import { openStore, type Store } from "./store/store.js";
import { DeviceStatisticsSource } from "./sync/device-source.js";
import { POWER_RETENTION_MS, PowerCollector, type CollectorDeps } from "./sync/power-collector.js";
import type { WholeHomePowerSource } from "./sync/power-source.js";
import { PROVIDERS, type Provider, type SourceContext } from "./sync/providers.js";
import type { Source } from "./sync/source.js";
import type { Clock } from "./time/clock.js";
import type { PriceSource } from "./correlate/engine.js";

export interface App {
  config: EnergyInsightsConfig;
  store: Store;
  service: SyncService;
  /** Records power and device state changes and learns device energy (absent when power.enabled is false or HA is not used). */
  collector: PowerCollector | undefined;
  /** Every HTTP exchange with a provider since start, retries included. */
  providerCalls: HttpAttempt[];
  /** The HA connection, once made. */
  haConnection(): Promise<Connection>;
  close(): void;
}

/** Wires config, store, providers and HA together. Opening the store may rebuild a corrupt cache. */
export function createApp(
  config: EnergyInsightsConfig,
  deps: {
    clock: Clock;
    log: Logger;
    cwd?: string;
    connectHa?: boolean;
    http?: Pick<HttpClientOptions, "timeoutMs" | "baseDelayMs" | "maxDelayMs" | "sleep">;
    /** Collector tuning (tests: a known sensor profile, shorter intervals). */
    collector?: Pick<CollectorDeps, "engine" | "flushEveryMs" | "publishEveryMs">;
    /** Told before each wait of a OneMeter poller (tests drive a ManualClock with it). */
    onOneMeterSleep?: (deviceId: string, untilMs: number) => void;
    /** Replaces connecting to HA as an administrator (tests: a fake HA). */
    connect?: () => Promise<Connection>;
    /** Aborts every provider request in flight when the service stops. */
    signal?: AbortSignal;
    /** The providers to run when configured (default: `PROVIDERS`); tests add a fake one. */
    providers?: readonly Provider[];
  },
): App {
  const { clock, log } = deps;
  const storePath = resolve(deps.cwd ?? process.cwd(), config.store.path);
  const { store, movedAside } = openStore(storePath, {
    now: () => clock.now(),
    onMovedAside: (from, to, reason) => log.error({ from, to, reason }, "the cache file could not be read; it was moved aside and is rebuilt from the providers"),
  });
  if (movedAside) log.warn({ movedAside }, "rebuilding the cache: statistics already in Home Assistant are kept and continued");

  const providerCalls: HttpAttempt[] = [];
  const http = (provider: string, opts: { retries?: number } = {}) =>
    createHttpClient({
      provider,
      clock,
      ...deps.http,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      onAttempt: (a) => {
        providerCalls.push(a);
        log.debug({ provider: a.provider, method: a.method, path: a.path, status: a.status, failure: a.failure, attempt: a.attempt }, "provider request");
      },
    });

  let connection: Promise<Connection> | undefined;
  const haConnection = () => {
    connection ??= (deps.connect ? deps.connect() : connectAsAdmin(config, log)).catch((err: unknown) => {
      connection = undefined;
      throw err;
    });
    return connection;
  };
  const useHa = deps.connectHa !== false;

  const context: SourceContext = { config, store, clock, log, http, ...(useHa ? { ha: haConnection } : {}), ...(deps.onOneMeterSleep ? { onSleep: deps.onOneMeterSleep } : {}) };
  const sources: Source[] = [];
  const wholeHomePower: WholeHomePowerSource[] = [];
  let price: PriceSource | undefined;
  for (const provider of deps.providers ?? PROVIDERS) {
    const made = provider.create(context);
    sources.push(...made.sources);
    wholeHomePower.push(...(made.wholeHomePower ?? []));
    price ??= made.devicePrice?.(POWER_RETENTION_MS);
  }
  const collector =
    useHa && config.power.enabled
      ? new PowerCollector({
          ha: haConnection,
          store,
          clock,
          log,
          power: config.power,
          wholeHomeSources: wholeHomePower,
          ...deps.collector,
          ...(price || deps.collector?.engine ? { engine: { ...(price ? { price } : {}), ...deps.collector?.engine } } : {}),
        })
      : undefined;
  if (collector) sources.push(new DeviceStatisticsSource(collector, { clock, log }));
  const service = new SyncService({ config, store, clock, log, sources, ...(useHa ? { ha: haConnection } : {}) });
  return {
    config,
    store,
    service,
    collector,
    providerCalls,
    haConnection,
    close: () => {
      collector?.stop();
      void connection?.then((c) => c.close()).catch(() => undefined);
      store.close();
    },
  };
}

/** Connects and checks once that the token's user may import statistics (an administrator). */
async function connectAsAdmin(config: EnergyInsightsConfig, log: Logger): Promise<Connection> {
  const conn = await connectToHa({ url: config.homeAssistant.websocketUrl, token: config.homeAssistant.token });
  const user = await currentUser(conn);
  if (!user.is_admin) {
    conn.close();
    throw new HaConnectionError(
      `the Home Assistant user "${user.name}" of home_assistant.token is not an administrator, and only administrators may import statistics: create the token as an administrator (profile > Security), or make "${user.name}" one (Settings > People)`,
      "invalid_auth",
    );
  }
  log.info({ haVersion: conn.haVersion, user: user.name }, "connected to Home Assistant");
  return conn;
}
