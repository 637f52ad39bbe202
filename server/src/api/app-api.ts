/**
 * The backend API wired to the running app: status from the store's sync state, `sync/run` through
 * the SyncService, devices and correlations from a correlation source (the engine, once the
 * collector runs it), and users checked against the configured Home Assistant.
 */
import type { App } from "../app.js";
import { packageVersion } from "../package-root.js";
import { SUPERVISOR_WEBSOCKET_URL } from "../config/index.js";
import type { CollectorStatus, PowerCollector } from "../sync/power-collector.js";
import type { DeviceProfile, EventStep } from "../correlate/types.js";
import type { SyncSummary } from "../service.js";
import type { Clock } from "../time/clock.js";
import { contactBillStatuses } from "./bill-status.js";
import { carbonForecastViews } from "./carbon-forecast.js";
import { createHaTokenValidator } from "./ha-auth.js";
import type { CorrelationStatus, LastCheckStatus, StatusResult, SyncRunResult } from "./protocol.js";
import { startApiServer, type ApiHandlers, type ApiLimits, type ApiLog, type ApiServer, type ValidateToken } from "./server.js";
import { correlationView, deviceView, isoOrNull, oneMeterDeviceStatus, providerStatuses, syncRunResult } from "./views.js";

/** What the API reads learned devices from; `CorrelationEngine` is one. */
export interface CorrelationSource {
  profiles(): DeviceProfile[];
  steps(filter?: { since?: number; entityId?: string }): EventStep[];
  /** The recording behind it (the power collector's status). */
  status?(): CollectorStatus;
  /** The span the energy and cost totals cover (`CorrelationEngine.observedSpan`). */
  observedSpan?(): { from: number; until: number } | null;
}

/** The app's power collector as a source; its engine is replaced now and then, so it is read at each call. */
function collectorSource(collector: PowerCollector): CorrelationSource {
  return {
    profiles: () => collector.engine.profiles(),
    steps: (filter) => collector.engine.steps(filter),
    status: () => collector.status(),
    observedSpan: () => collector.engine.observedSpan(),
  };
}

function correlationStatus(source: CorrelationSource | undefined, profiles: readonly DeviceProfile[]): CorrelationStatus {
  const s = source?.status?.();
  return {
    enabled: source !== undefined,
    running: s?.running ?? source !== undefined,
    whole_home_sensor: s?.wholeHomeSource?.kind === "home_assistant" ? s.wholeHomeSource.id : null,
    whole_home_source: s?.wholeHomeSource ?? null,
    tracked_entities: s?.tracked ?? 0,
    recorded_until: isoOrNull(s?.recordedUntil),
    devices: profiles.filter((p) => p.status !== "learning").length,
    problems: s?.problems ?? [],
  };
}

/** What `correlations_updated` is published on: the learned figures, not every new event. */
function profilesKey(profiles: readonly DeviceProfile[]): string {
  return JSON.stringify(profiles.map((p) => [p.entityId, p.state, p.status, p.powerW === null ? null : Math.round(p.powerW), p.events]));
}

export interface AppApiOptions {
  clock: Clock;
  log: ApiLog;
  /** Devices and correlations. Default: the app's power collector; none (devices/list answers []) when power is off. */
  correlations?: CorrelationSource;
  /** Replaces the check of user tokens against HA (tests). */
  validateToken?: ValidateToken;
  limits?: Partial<ApiLimits>;
  allowedOrigins?: readonly string[];
  /** How often the status and the learned profiles are compared for `status_changed` and `correlations_updated` events. */
  statusPollMs?: number;
}

/** As an add-on the supervisor proxy only accepts add-on tokens; users' tokens go to HA itself on the add-on network. */
const ADDON_HA_WEBSOCKET_URL = "ws://homeassistant:8123/api/websocket";

/** The package version (package.json at the package's root). */
export function backendVersion(): string {
  try {
    return packageVersion();
  } catch {
    return "unknown";
  }
}

export async function startAppApi(app: App, opts: AppApiOptions): Promise<ApiServer> {
  const { config, store, service } = app;
  const { clock, log } = opts;
  const version = backendVersion();
  const haUrl = config.homeAssistant.websocketUrl === SUPERVISOR_WEBSOCKET_URL ? ADDON_HA_WEBSOCKET_URL : config.homeAssistant.websocketUrl;
  const validator = opts.validateToken ? null : createHaTokenValidator({ url: haUrl });
  const currency = config.contact?.currency ?? null;
  const source = opts.correlations ?? (app.collector ? collectorSource(app.collector) : undefined);
  let running: Promise<SyncSummary> | undefined;
  // Compared to publish `status_changed`; `now` and the recording's progress move all the time and are left out.
  const statusKey = (s: StatusResult) => JSON.stringify({ ...s, now: null, correlation: { ...s.correlation, recorded_until: null } });
  let lastStatus = "";

  const carbonHealth = () => service.health().flatMap((h) => h.carbon ?? []);
  const status = (): StatusResult => {
    const profiles = source?.profiles() ?? [];
    const health = service.health();
    return {
      backend_version: version,
      ha_version: validator?.haVersion() ?? null,
      now: new Date(clock.now()).toISOString(),
      next_check: isoOrNull(service.nextCheckAt()),
      ...lastCheckStatus(service.lastCheck()),
      sync_running: running !== undefined,
      providers: providerStatuses(store.allSyncStates(), health.flatMap((h) => h.carbon ?? [])),
      correlation: correlationStatus(source, profiles),
      ...(config.onemeter ? { onemeter: health.flatMap((h) => (h.oneMeter ? [oneMeterDeviceStatus(h.oneMeter.deviceId, h.oneMeter.diagnostics, h.oneMeter.nextPollAt)] : [])) } : {}),
      ...(config.contact ? { bills: contactBillStatuses(config.contact, store, clock.now()) } : {}),
    };
  };

  const handlers: ApiHandlers = {
    status,
    devices: () => {
      const span = source?.observedSpan?.() ?? null;
      const periodDays = span ? (span.until - span.from) / 86_400_000 : null;
      return (source?.profiles() ?? []).map((p) => deviceView(p, currency, periodDays));
    },
    carbonForecast: () => carbonForecastViews((key) => store.get(key), carbonHealth()),
    correlations: ({ entityId, since, limit }) => {
      const steps = source?.steps({ ...(entityId !== undefined ? { entityId } : {}), ...(since !== undefined ? { since } : {}) }) ?? [];
      return steps.slice(-limit).map(correlationView);
    },
    // One sync at a time: a second request while one runs gets the running one's result.
    runSync: async (): Promise<SyncRunResult> => {
      if (!running) {
        running = service.syncOnce().finally(() => {
          running = undefined;
        });
        const summary = await running;
        const result = syncRunResult(summary);
        server.publish({ type: "sync_finished", sync: result, status: status() });
        lastStatus = statusKey(status());
        return result;
      }
      return syncRunResult(await running);
    },
  };

  const server = await startApiServer({
    host: config.api.host,
    port: config.api.port,
    validateToken: opts.validateToken ?? validator!.validate,
    handlers,
    backendVersion: version,
    haVersion: () => validator?.haVersion() ?? null,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.allowedOrigins ? { allowedOrigins: opts.allowedOrigins } : {}),
    ...(config.api.allowedRemoteAddresses ? { allowedRemoteAddresses: config.api.allowedRemoteAddresses } : {}),
    log,
  });

  // Scheduled checks and the collector run inside the SyncService; their outcome shows in the
  // store and the engine, so both are compared periodically and a change is published.
  lastStatus = statusKey(status());
  let lastProfiles = profilesKey(source?.profiles() ?? []);
  const poll = setInterval(() => {
    try {
      const current = status();
      const key = statusKey(current);
      if (key !== lastStatus) {
        lastStatus = key;
        server.publish({ type: "status_changed", status: current });
      }
      if (source) {
        const profiles = source.profiles();
        const pKey = profilesKey(profiles);
        if (pKey !== lastProfiles) {
          lastProfiles = pKey;
          server.publish({ type: "correlations_updated", at: new Date(clock.now()).toISOString(), devices: profiles.filter((p) => p.status !== "learning").length });
        }
      }
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, "api: could not read the status for updates");
    }
  }, opts.statusPollMs ?? 5_000);
  poll.unref();

  return {
    host: server.host,
    port: server.port,
    publish: (event) => server.publish(event),
    connectionCount: () => server.connectionCount(),
    close: async () => {
      clearInterval(poll);
      await server.close();
    },
  };
}

/** Starts the API for `energy-insights start`; a failure (the port is taken) is logged and the service runs on without it. */
export async function startAppApiOrLog(app: App, opts: AppApiOptions): Promise<ApiServer | null> {
  try {
    return await startAppApi(app, opts);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    opts.log.error({ host: app.config.api.host, port: app.config.api.port, err: message }, "the backend API could not start (is api.port in use?); the card's device and status panels stay unavailable, statistics keep flowing");
    return null;
  }
}

function lastCheckStatus(check: { at: number; failures: number; error: string | null } | undefined): { last_check?: LastCheckStatus } {
  if (!check) return {};
  return { last_check: { finished_at: new Date(check.at).toISOString(), ok: check.failures === 0, failures_in_a_row: check.failures, error: check.error } };
}
