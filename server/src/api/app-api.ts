/**
 * The backend API wired to the running app: status from the store's sync state, `sync/run` through
 * the SyncService, devices and correlations from a correlation source (the engine, once the
 * collector runs it), and users checked against the configured Home Assistant.
 */
import { readFileSync } from "node:fs";
import type { App } from "../app.js";
import { SUPERVISOR_WEBSOCKET_URL } from "../config/index.js";
import type { DeviceProfile, EventStep } from "../correlate/types.js";
import type { SyncSummary } from "../service.js";
import type { Clock } from "../time/clock.js";
import { createHaTokenValidator } from "./ha-auth.js";
import type { StatusResult, SyncRunResult } from "./protocol.js";
import { startApiServer, type ApiHandlers, type ApiLimits, type ApiLog, type ApiServer, type ValidateToken } from "./server.js";
import { correlationView, deviceView, isoOrNull, providerStatuses, syncRunResult } from "./views.js";

/** What the API reads learned devices from; `CorrelationEngine` is one. */
export interface CorrelationSource {
  profiles(): DeviceProfile[];
  steps(filter?: { since?: number; entityId?: string }): EventStep[];
  /** Calls `listener` when profiles changed; returns the unsubscribe function. */
  onUpdate?(listener: () => void): () => void;
}

export interface AppApiOptions {
  clock: Clock;
  log: ApiLog;
  /** Devices and correlations; absent = none yet (`devices/list` answers []). */
  correlations?: CorrelationSource;
  /** Replaces the check of user tokens against HA (tests). */
  validateToken?: ValidateToken;
  limits?: Partial<ApiLimits>;
  allowedOrigins?: readonly string[];
  /** How often the sync status is compared for `status_changed` events. */
  statusPollMs?: number;
}

/** As an add-on the supervisor proxy only accepts add-on tokens; users' tokens go to HA itself on the add-on network. */
const ADDON_HA_WEBSOCKET_URL = "ws://homeassistant:8123/api/websocket";

/** The package version (package.json at the repository root). */
export function backendVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
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
  let running: Promise<SyncSummary> | undefined;
  // Compared to publish `status_changed`; `now` changes on every read and is left out.
  const statusKey = (s: StatusResult) => JSON.stringify({ ...s, now: null });
  let lastStatus = "";

  const status = (): StatusResult => {
    const profiles = opts.correlations?.profiles() ?? [];
    return {
      backend_version: version,
      ha_version: validator?.haVersion() ?? null,
      now: new Date(clock.now()).toISOString(),
      next_check: isoOrNull(service.nextCheckAt()),
      sync_running: running !== undefined,
      providers: providerStatuses(store.allSyncStates()),
      correlation: { enabled: opts.correlations !== undefined, devices: profiles.filter((p) => p.status !== "learning").length },
    };
  };

  const handlers: ApiHandlers = {
    status,
    devices: () => (opts.correlations?.profiles() ?? []).map((p) => deviceView(p, currency)),
    correlations: ({ entityId, since, limit }) => {
      const steps = opts.correlations?.steps({ ...(entityId !== undefined ? { entityId } : {}), ...(since !== undefined ? { since } : {}) }) ?? [];
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
    log,
  });

  // Scheduled checks run inside the SyncService; their outcome shows in the store, so the status is
  // compared periodically and a change is published.
  lastStatus = statusKey(status());
  const poll = setInterval(() => {
    try {
      const current = status();
      const key = statusKey(current);
      if (key !== lastStatus) {
        lastStatus = key;
        server.publish({ type: "status_changed", status: current });
      }
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, "api: could not read the sync status");
    }
  }, opts.statusPollMs ?? 5_000);
  poll.unref();

  const stopUpdates = opts.correlations?.onUpdate?.(() => {
    const devices = opts.correlations?.profiles().filter((p) => p.status !== "learning").length ?? 0;
    server.publish({ type: "correlations_updated", at: new Date(clock.now()).toISOString(), devices });
  });

  return {
    host: server.host,
    port: server.port,
    publish: (event) => server.publish(event),
    connectionCount: () => server.connectionCount(),
    close: async () => {
      clearInterval(poll);
      stopUpdates?.();
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
