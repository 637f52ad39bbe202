/**
 * Node side of the ingress browser test (a web-test-runner plugin, loaded by
 * web-test-runner.config.mjs): a stand-in for the Supervisor's ingress in front of the REAL backend
 * API (server/src/api/server.ts), on the test page's own origin, so the browser's own cookie rules
 * (path, SameSite) decide what reaches it.
 * - `GET /__supervisor__/session` mints a session (what `supervisor/api` POST `/ingress/session`
 *   does), `/__supervisor__/validate_session?session=…` answers ok or error, `/__supervisor__/expire`
 *   forgets every session, `/__supervisor__/state` reports the ingress path, the backend's port and
 *   what the proxy saw. The browser test's fake hass answers `supervisor/api` through these.
 * - A websocket upgrade under `/api/hassio_ingress/<token>/` is refused 401 without a known
 *   `ingress_session` cookie (as HA's ingress view does), else piped to the backend from 127.0.0.2,
 *   the one address the backend allows (standing in for 172.30.32.2). Connections from anywhere else
 *   (the browser, straight to the backend's port) meet the backend's own refusal.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { startApiServer, type ApiServer } from "../../../server/src/api/server.js";
import { INGRESS_PATH, INGRESS_TEST_HA_TOKEN } from "./ingress-constants.js";

const PROXY_ADDRESS = "127.0.0.2";

export interface IngressProxyState {
  ingress_path: string;
  backend_port: number;
  /** Upgrades piped to the backend, with the session cookie each carried. */
  proxied: { path: string; session: string }[];
  /** Upgrades refused for a missing or unknown session. */
  refused: number;
  sessions: number;
}

interface ServeContext {
  path: string;
  query: Record<string, unknown>;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The plugin: `{name, serverStart, serverStop, serve}` as @web/dev-server-core calls them. */
export function fakeSupervisorIngress() {
  let backend: ApiServer | undefined;
  const sessions = new Set<string>();
  const state = { proxied: [] as { path: string; session: string }[], refused: 0 };

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? "";
    if (!url.startsWith("/api/hassio_ingress/")) return;
    socket.on("error", () => undefined);
    const session = cookieValue(req.headers.cookie, "ingress_session");
    if (!url.startsWith(INGRESS_PATH.slice(0, -1)) || !backend) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (!session || !sessions.has(session)) {
      state.refused += 1;
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const rest = url.slice(INGRESS_PATH.length - 1) || "/";
    state.proxied.push({ path: rest, session });
    const upstream = connect({ host: "127.0.0.1", port: backend.port, localAddress: PROXY_ADDRESS }, () => {
      const lines = [`GET ${rest} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (name.toLowerCase() === "cookie") continue;
        lines.push(`${name}: ${req.rawHeaders[i + 1]!}`);
      }
      lines.push(`X-Ingress-Path: ${INGRESS_PATH.slice(0, -1)}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  }

  return {
    name: "fake-supervisor-ingress",
    async serverStart({ server }: { server?: Server }): Promise<void> {
      backend = await startApiServer({
        host: "127.0.0.1",
        port: 0,
        allowedRemoteAddresses: [PROXY_ADDRESS],
        backendVersion: "0.1.0-ingress-test",
        validateToken: async (token) => (token === INGRESS_TEST_HA_TOKEN ? { userId: "u1", name: "Resident", isAdmin: false } : null),
        handlers: {
          status: () => ({
            backend_version: "0.1.0-ingress-test",
            ha_version: null,
            now: new Date().toISOString(),
            next_check: null,
            sync_running: false,
            providers: [],
            correlation: { enabled: true, running: true, whole_home_sensor: "sensor.home_power", whole_home_source: { kind: "home_assistant", id: "sensor.home_power", name: "Home power" }, tracked_entities: 1, recorded_until: null, devices: 1, problems: [] },
          }),
          devices: () => [
            {
              entity_id: "switch.kettle",
              state: "on",
              status: "confident",
              power_w: 1850,
              standard_error_w: 12,
              confidence: 0.9,
              events: 10,
              seen_events: 11,
              on_time_h: 1,
              energy_kwh: 1.85,
              cost: null,
              currency: null,
              period_days: null,
            },
          ],
          correlations: () => [],
          carbonForecast: () => [],
          runSync: () => Promise.reject(new Error("not in this test")),
        },
      });
      server?.on("upgrade", onUpgrade);
    },
    async serverStop(): Promise<void> {
      await backend?.close();
    },
    // The dev server answers every served body 200, so a refusal is `{result: "error"}`, as the Supervisor's body says.
    serve(context: ServeContext): { body: string; type: string; headers: Record<string, string> } | undefined {
      const json = (value: unknown) => ({ body: JSON.stringify(value), type: "json", headers: { "cache-control": "no-store" } });
      switch (context.path) {
        case "/__supervisor__/session": {
          const session = randomUUID().replace(/-/g, "");
          sessions.add(session);
          return json({ session });
        }
        case "/__supervisor__/validate_session": {
          const ok = sessions.has(String(context.query.session));
          return json(ok ? { result: "ok" } : { result: "error", message: "Invalid session" });
        }
        case "/__supervisor__/expire":
          sessions.clear();
          return json({ result: "ok" });
        case "/__supervisor__/state": {
          const s: IngressProxyState = { ingress_path: INGRESS_PATH, backend_port: backend?.port ?? 0, proxied: state.proxied, refused: state.refused, sessions: sessions.size };
          return json(s);
        }
        default:
          return undefined;
      }
    },
  };
}
