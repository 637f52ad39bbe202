import {
  createConnection,
  createLongLivedTokenAuth,
  ERR_CANNOT_CONNECT,
  ERR_CONNECTION_LOST,
  ERR_INVALID_AUTH,
  type Connection,
} from "home-assistant-js-websocket";
import WebSocket from "ws";

/**
 * ws's WebSocket without per-message compression. HA accepts it when offered, and then the
 * connection, open for the life of the service, keeps a zlib deflate and inflate context (~0.4 MB
 * of the idle service, issue 19) to compress JSON that mostly crosses loopback or the Supervisor's
 * network.
 */
export class UncompressedWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { perMessageDeflate: false });
  }
}

// home-assistant-js-websocket opens sockets with the global WebSocket, which Node 20 lacks.
if (typeof globalThis.WebSocket === "undefined") {
  (globalThis as { WebSocket?: unknown }).WebSocket = UncompressedWebSocket;
}

export type { Connection } from "home-assistant-js-websocket";

export interface HaTarget {
  /** `http(s)://host:port` of HA, or a websocket URL such as `ws://supervisor/core/websocket`. */
  url: string;
  token: string;
}

export class HaConnectionError extends Error {
  constructor(
    message: string,
    readonly code: "invalid_auth" | "cannot_connect" | "connection_lost" | "command_failed" | "timeout",
  ) {
    super(message);
  }
}

/** The websocket URL for an HA base URL (or the URL itself when it already is one). */
export function websocketUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  if (/^wss?:\/\//.test(trimmed)) return trimmed;
  if (!/^https?:\/\//.test(trimmed)) throw new HaConnectionError(`home_assistant.url must start with http://, https://, ws:// or wss:// (got "${url}")`, "cannot_connect");
  return `ws${trimmed.slice(4)}/api/websocket`;
}

/**
 * Connects and authenticates; the connection then reconnects by itself after HA restarts
 * (home-assistant-js-websocket re-establishes subscriptions; in-flight commands fail with
 * connection_lost and are retried by their callers).
 */
export async function connectToHa(target: HaTarget, opts: { setupRetry?: number } = {}): Promise<Connection> {
  const wsUrl = websocketUrl(target.url);
  const httpUrl = wsUrl.replace(/^ws/, "http").replace(/\/(api\/)?websocket$/, "");
  const auth = createLongLivedTokenAuth(httpUrl, target.token);
  Object.defineProperty(auth, "wsUrl", { get: () => wsUrl });
  try {
    return await createConnection({ auth, setupRetry: opts.setupRetry ?? 0 });
  } catch (err) {
    if (err === ERR_INVALID_AUTH) {
      throw new HaConnectionError(`Home Assistant at ${wsUrl} rejected the access token: create a long-lived token in your HA profile (Security tab) and set home_assistant.token`, "invalid_auth");
    }
    if (err === ERR_CANNOT_CONNECT) throw new HaConnectionError(`cannot reach Home Assistant at ${wsUrl}: check home_assistant.url and that HA is running`, "cannot_connect");
    throw err;
  }
}

/** Sends one command; HA's `{code, message}` errors and lost connections become HaConnectionErrors. */
export async function sendCommand<T>(conn: Connection, message: { type: string } & Record<string, unknown>): Promise<T> {
  try {
    return await conn.sendMessagePromise<T>(message);
  } catch (err) {
    if (err === ERR_CONNECTION_LOST) throw new HaConnectionError(`the connection to Home Assistant was lost during ${message.type}`, "connection_lost");
    if (isHaError(err)) throw new HaConnectionError(`Home Assistant refused ${message.type}: ${err.message} (${err.code})`, "command_failed");
    throw err;
  }
}

function isHaError(err: unknown): err is { code: string; message: string } {
  return typeof err === "object" && err !== null && "code" in err && "message" in err;
}

/**
 * Whether HA has finished starting. A connection can be (re)established while HA still starts, and
 * until then the recorder answers `unknown_error` and integrations not yet set up `unknown_command`.
 */
export async function haRunning(conn: Connection): Promise<boolean> {
  if (!conn.connected) return false;
  try {
    const config = await conn.sendMessagePromise<{ state?: string }>({ type: "get_config" });
    // Versions before HA reported its state are running once they answer.
    return config.state === undefined || config.state === "RUNNING";
  } catch (err) {
    // Only a lost connection says HA is not up; an HA that cannot tell its state is taken as up, so
    // the caller's own error stands instead of being waited out.
    return err !== ERR_CONNECTION_LOST;
  }
}

/** Resolves when the connection is (again) established and HA has finished starting, or rejects after `timeoutMs`. */
export async function whenRunning(conn: Connection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await whenConnected(conn, Math.max(deadline - Date.now(), 1));
    if (await haRunning(conn)) return;
    if (Date.now() > deadline) throw new HaConnectionError(`Home Assistant did not finish starting within ${Math.round(timeoutMs / 1000)} s`, "timeout");
    await new Promise((r) => setTimeout(r, RUNNING_POLL_MS));
  }
}

const RUNNING_POLL_MS = 500;

/** Resolves when the connection is (again) established, or rejects after `timeoutMs`. */
export function whenConnected(conn: Connection, timeoutMs: number): Promise<void> {
  if (conn.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.removeEventListener("ready", onReady);
      reject(new HaConnectionError(`Home Assistant did not come back within ${Math.round(timeoutMs / 1000)} s`, "timeout"));
    }, timeoutMs);
    function onReady(): void {
      clearTimeout(timer);
      conn.removeEventListener("ready", onReady);
      resolve();
    }
    conn.addEventListener("ready", onReady);
  });
}
