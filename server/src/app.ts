import { resolve } from "node:path";
import type { Logger } from "pino";
import type { ContactAccountConfig, EnergyInsightsConfig } from "./config/index.js";
import { POWER_RETENTION_MS, PowerCollector, type CollectorDeps } from "./sync/power-collector.js";
import { contactPriceSource } from "./sync/contact-price.js";
import { PushedPowerSource } from "./sync/power-source.js";
import type { PowerSample } from "./correlate/types.js";
import { connectToHa, HaConnectionError, type Connection } from "./ha/connection.js";
import { currentUser } from "./ha/energy.js";
import { ContactClient } from "./providers/contact/client.js";
import { DEFAULT_CONTACT_API_KEY } from "./providers/contact/constants.js";
import { OneMeterClient } from "./providers/onemeter/client.js";
import { ElectricityMapsClient } from "./providers/electricitymaps/client.js";
import { WattTimeClient } from "./providers/watttime/client.js";
import { SyncService } from "./service.js";
import { CarbonSync } from "./sync/carbon-service.js";
import { electricityMapsSource, wattTimeSource, type CarbonSource } from "./sync/carbon-sources.js";
import { openStore, type Store } from "./store/store.js";
import { createHttpClient, type HttpAttempt, type HttpClientOptions } from "./providers/http.js";
import type { Clock } from "./time/clock.js";

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
  const httpFor = (provider: string) =>
    createHttpClient({
      provider,
      clock,
      ...deps.http,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onAttempt: (a) => {
        providerCalls.push(a);
        log.debug({ provider: a.provider, method: a.method, path: a.path, status: a.status, failure: a.failure, attempt: a.attempt }, "provider request");
      },
    });
  const contactApi = (account: ContactAccountConfig) =>
    new ContactClient({
      baseUrl: config.contact?.baseUrl ?? "",
      apiKey: config.contact?.apiKey ?? DEFAULT_CONTACT_API_KEY,
      username: account.username,
      password: account.password,
      clock,
      http: createHttpClient({
        provider: "contact",
        clock,
        ...deps.http,
        ...(deps.signal ? { signal: deps.signal } : {}),
        onAttempt: (a) => {
          providerCalls.push(a);
          log.debug({ provider: a.provider, method: a.method, path: a.path, status: a.status, failure: a.failure, attempt: a.attempt }, "provider request");
        },
      }),
    });

  // No retries inside a OneMeter request: its rate limit is unpublished and the poller's next,
  // clock-aligned poll (with backoff after failures) is the retry, so a 429 never becomes a burst.
  const oneMeter = config.onemeter;
  const oneMeterApi = oneMeter
    ? () =>
        new OneMeterClient({
          baseUrl: oneMeter.baseUrl,
          apiKey: oneMeter.apiKey,
          http: createHttpClient({
            provider: "onemeter",
            clock,
            ...deps.http,
            ...(deps.signal ? { signal: deps.signal } : {}),
            retries: 0,
            onAttempt: (a) => {
              providerCalls.push(a);
              log.debug({ provider: a.provider, method: a.method, path: a.path, status: a.status, failure: a.failure, attempt: a.attempt }, "provider request");
            },
          }),
        })
    : undefined;

  let connection: Promise<Connection> | undefined;
  const haConnection = () => {
    connection ??= (deps.connect ? deps.connect() : connectAsAdmin(config, log)).catch((err: unknown) => {
      connection = undefined;
      throw err;
    });
    return connection;
  };

  const useHa = deps.connectHa !== false;
  const carbonSources: CarbonSource[] = [];
  const wt = config.watttime;
  if (wt) {
    const client = new WattTimeClient({ baseUrl: wt.baseUrl, username: wt.username, password: wt.password, clock, http: httpFor("watttime") });
    carbonSources.push(wattTimeSource(client, { ...(wt.region ? { region: wt.region } : {}), ...(wt.latitude !== undefined ? { latitude: wt.latitude } : {}), ...(wt.longitude !== undefined ? { longitude: wt.longitude } : {}) }));
  }
  const em = config.electricityMaps;
  if (em) {
    const client = new ElectricityMapsClient({ baseUrl: em.baseUrl, token: em.token, emissionFactorType: em.emissionFactorType, http: httpFor("electricity_maps") });
    carbonSources.push(electricityMapsSource(client, { ...(em.zone ? { zone: em.zone } : {}), ...(em.latitude !== undefined ? { latitude: em.latitude } : {}), ...(em.longitude !== undefined ? { longitude: em.longitude } : {}) }));
  }
  const carbon = carbonSources.length > 0 ? new CarbonSync({ config, store, clock, log, sources: carbonSources, ...(useHa ? { ha: haConnection } : {}) }) : undefined;
  // Each OneMeter device's live power is a whole-home source the collector may learn from (power.whole_home).
  const oneMeterPower = new Map((config.onemeter?.devices ?? []).map((id) => [id, new PushedPowerSource(`onemeter:${id}`, `OneMeter ${id}`)]));
  // Devices' cost is counted at Contact's own prices (contact-price.ts); without Contact it stays unknown.
  const price = config.contact ? contactPriceSource(store, config.contact.timeZone, clock, POWER_RETENTION_MS) : undefined;
  const collector =
    useHa && config.power.enabled
      ? new PowerCollector({
          ha: haConnection,
          store,
          clock,
          log,
          power: config.power,
          wholeHomeSources: [...oneMeterPower.values()],
          ...deps.collector,
          ...(price || deps.collector?.engine ? { engine: { ...(price ? { price } : {}), ...deps.collector?.engine } } : {}),
        })
      : undefined;
  const onOneMeterPower = collector ? (deviceId: string, sample: PowerSample) => oneMeterPower.get(deviceId)?.push([sample]) : undefined;
  const service = new SyncService({ config, store, clock, log, contactApi, ...(oneMeterApi ? { oneMeterApi } : {}), ...(onOneMeterPower ? { onOneMeterPower } : {}), ...(deps.onOneMeterSleep ? { onOneMeterSleep: deps.onOneMeterSleep } : {}), ...(useHa ? { ha: haConnection } : {}), ...(collector ? { devices: collector } : {}), ...(carbon ? { carbon } : {}) });
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
