/**
 * The backend API for the card: a websocket server speaking the messages of `protocol.ts`.
 *
 * Free of app wiring: what it serves comes in as `handlers`, who may connect as `validateToken`
 * (see `ha-auth.ts` for the production one), so tests run it on loopback with fakes.
 *
 * Security and limits (defaults in DEFAULT_LIMITS):
 * - Authentication: the first message carries the user's HA access token; nothing but `auth` is
 *   read before it is validated, and it must arrive within `authTimeoutMs`. Reads are for any HA
 *   user; commands that change something (ADMIN_COMMANDS: `sync/run`) for HA administrators.
 *   Tokens are never logged; logs name them by fingerprint.
 * - Message size: a text frame over `maxMessageBytes` is answered `message_too_large` and the
 *   connection closed (1009); frames over four times that are cut off by `ws` itself. Binary frames
 *   are refused.
 * - Rate: a token bucket per connection (`ratePerSecond`, `burst`); a refused message is answered
 *   `rate_limited`; `maxRateViolations` refusals in a row close the connection (1008).
 * - Connections: at most `maxConnections` open (more are refused with HTTP 503 before the upgrade);
 *   `maxSubscriptions` per connection; a peer that does not answer pings within `pingIntervalMs`,
 *   or lets more than `maxBufferedBytes` of answers pile up, is dropped.
 * - Malformed input of any kind is answered with `{code, message}` and never ends the process.
 *
 * Origin policy. The card runs inside the HA frontend, so its websocket's Origin is whatever URL the
 * user opened HA at (local name, IP, Nabu Casa, a reverse proxy, ingress): a fixed list would break
 * it. The API therefore accepts any Origin by default. That is safe because it relies on no ambient
 * credential (no cookie, no HTTP auth): every connection must present an HA access token in-band,
 * which a foreign page cannot obtain. WebSockets are not subject to CORS, and plain HTTP requests are
 * answered 426 with no CORS headers, so no other page can read anything over HTTP either. Deployments
 * that want to restrict browsers further pass `allowedOrigins` (exact origins such as
 * `https://ha.example.org`); clients without an Origin header (scripts, not browsers) are still let
 * in, to authenticate like anyone else. A card on an `https://` HA page needs a `wss://` backend URL
 * (browsers block mixed content): put the backend behind the same TLS proxy or use add-on ingress.
 * Any path is accepted (`ws://host:8099`, `ws://host:8099/api/websocket`, an ingress prefix).
 *
 * Remote addresses. `allowedRemoteAddresses` restricts who may open a connection at all, by the
 * TCP peer's address (see `remote-policy.ts`; as an add-on only the Supervisor's ingress proxy).
 * Others get HTTP 403 before any websocket exists, and each refused address is logged once.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { tokenFingerprint } from "./fingerprint.js";
import {
  ADMIN_COMMANDS,
  DEFAULT_CORRELATIONS_LIMIT,
  authInvalidMessage,
  errorMessage,
  eventMessage,
  parseAuth,
  parseCommand,
  parseJson,
  readId,
  resultMessage,
} from "./messages.js";
import type {
  ApiCommand,
  ApiErrorCode,
  AuthOkMessage,
  AuthRequiredMessage,
  CarbonForecastView,
  CorrelationView,
  DeviceView,
  ServerMessage,
  StatusResult,
  SyncRunResult,
  UpdateEvent,
} from "./protocol.js";
import { TokenBucket } from "./rate-limit.js";
import { createRemotePolicy, normalizeRemoteAddress } from "./remote-policy.js";

/** The HA user behind a token. */
export interface ApiUser {
  userId: string;
  name: string;
  isAdmin: boolean;
}

/**
 * Resolves the token's user, null when HA refuses the token; throws when HA could not be asked.
 * `maxAgeMs` bounds how old a remembered answer may be (admin commands ask for one at most 5 s old).
 */
export type ValidateToken = (token: string, opts?: { maxAgeMs?: number }) => Promise<ApiUser | null>;

export interface CorrelationsQuery {
  entityId?: string;
  /** Epoch ms. */
  since?: number;
  limit: number;
}

type MaybePromise<T> = T | Promise<T>;

/** What the commands answer with. A handler that throws is answered `internal_error`. */
export interface ApiHandlers {
  status(): MaybePromise<StatusResult>;
  correlations(query: CorrelationsQuery): MaybePromise<CorrelationView[]>;
  devices(): MaybePromise<DeviceView[]>;
  carbonForecast(): MaybePromise<CarbonForecastView[]>;
  /** Only ever called for administrators. */
  runSync(user: ApiUser): Promise<SyncRunResult>;
}

export interface ApiLimits {
  /** Largest text message read, in bytes. */
  maxMessageBytes: number;
  /** Time from connecting to the `auth` message. */
  authTimeoutMs: number;
  maxConnections: number;
  /** Messages per second a connection may send in the long run… */
  ratePerSecond: number;
  /** …and at once. */
  burst: number;
  /** Refused messages in a row before the connection is closed. */
  maxRateViolations: number;
  maxSubscriptions: number;
  /** Commands received while the token is being validated (HA clients may pipeline them). */
  maxQueuedBeforeAuth: number;
  /** Unsent bytes to a slow peer before it is dropped. */
  maxBufferedBytes: number;
  /** Ping interval; a peer that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** How often an open connection's token is checked again; it is closed when HA refuses it. */
  revalidateMs: number;
  /** How old HA's answer about a user's rights may be when an admin-only command runs. */
  adminAnswerMaxAgeMs: number;
}

export const DEFAULT_LIMITS: Readonly<ApiLimits> = {
  maxMessageBytes: 64 * 1024,
  authTimeoutMs: 10_000,
  maxConnections: 64,
  ratePerSecond: 20,
  burst: 40,
  maxRateViolations: 50,
  maxSubscriptions: 16,
  maxQueuedBeforeAuth: 16,
  maxBufferedBytes: 4 * 1024 * 1024,
  pingIntervalMs: 30_000,
  revalidateMs: 30_000,
  adminAnswerMaxAgeMs: 5_000,
};

/** The subset of a pino logger the server uses. */
export interface ApiLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port (see `ApiServer.port`). */
  port: number;
  validateToken: ValidateToken;
  handlers: ApiHandlers;
  backendVersion: string;
  /** The HA version last seen, for `auth_ok`. */
  haVersion?: () => string | null;
  limits?: Partial<ApiLimits>;
  /** Browser origins allowed to connect; undefined = any (see the Origin policy above). */
  allowedOrigins?: readonly string[];
  /** Client IP addresses allowed to connect; undefined = any (see Remote addresses above). */
  allowedRemoteAddresses?: readonly string[];
  log?: ApiLog;
}

export interface ApiServer {
  readonly host: string;
  readonly port: number;
  /** Sends an event to every subscription of every authenticated connection. */
  publish(event: UpdateEvent): void;
  /** Open websocket connections, authenticated or not. */
  connectionCount(): number;
  /** Closes every connection (1001) and stops listening. */
  close(): Promise<void>;
}

/** Websocket close codes the server uses. */
export const API_CLOSE_CODES = { goingAway: 1001, unsupported: 1003, policy: 1008, tooLarge: 1009 } as const;
const { goingAway: CLOSE_GOING_AWAY, unsupported: CLOSE_UNSUPPORTED, policy: CLOSE_POLICY, tooLarge: CLOSE_TOO_LARGE } = API_CLOSE_CODES;

const silentLog: ApiLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const log = opts.log ?? silentLog;
  const origins = opts.allowedOrigins ? new Set(opts.allowedOrigins.map(normalizeOrigin)) : null;
  const remotes = createRemotePolicy(opts.allowedRemoteAddresses);
  const remoteRefused = (remote: string | undefined): boolean => {
    if (remotes.allows(remote)) return false;
    if (remotes.firstRefusal(remote)) {
      log.warn(
        { remote: remote === undefined ? "?" : normalizeRemoteAddress(remote), allowed: opts.allowedRemoteAddresses },
        "api: connection from an address that is not allowed refused (as an add-on only the Supervisor's ingress proxy may connect: open the card through Home Assistant); further refusals of this address are not logged",
      );
    }
    return true;
  };
  const connections = new Set<Connection>();
  let upgrading = 0;
  let closed = false;

  const ctx: ConnectionContext = { opts, limits, log, connections };
  const http: Server = createServer((req, res) => {
    if (remoteRefused(req.socket.remoteAddress)) {
      res.writeHead(403, { "content-type": "text/plain", connection: "close" });
      res.end("address not allowed");
      return;
    }
    const body = JSON.stringify({ message: "Energy Insights backend API: connect with a websocket and send {\"type\": \"auth\", \"access_token\": …} first" });
    res.writeHead(426, { "content-type": "application/json", upgrade: "websocket", connection: "Upgrade", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: limits.maxMessageBytes * 4 });

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined);
    const origin = req.headers.origin;
    if (closed) return refuse(socket, 503, "the server is shutting down");
    if (remoteRefused(req.socket.remoteAddress)) return refuse(socket, 403, "address not allowed");
    if (origins && origin !== undefined && !origins.has(normalizeOrigin(origin))) {
      log.warn({ origin, remote: req.socket.remoteAddress }, "api: connection from a browser origin that is not allowed refused");
      return refuse(socket, 403, "origin not allowed");
    }
    if (connections.size + upgrading >= limits.maxConnections) {
      log.warn({ remote: req.socket.remoteAddress, max: limits.maxConnections }, "api: too many connections; one refused");
      return refuse(socket, 503, "too many connections");
    }
    upgrading += 1;
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgrading -= 1;
      if (closed) {
        ws.terminate();
        return;
      }
      connections.add(new Connection(ws, req.socket.remoteAddress ?? "?", ctx));
    });
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, limits.pingIntervalMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  http.on("error", (err) => log.error({ err: err.message }, "api: server error"));
  const address = http.address() as AddressInfo;
  log.info({ host: opts.host, port: address.port }, "backend API listening");

  return {
    host: opts.host,
    port: address.port,
    publish(event) {
      for (const c of connections) c.publish(event);
    },
    connectionCount: () => connections.size,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      const done = new Promise<void>((resolve) => http.close(() => resolve()));
      for (const c of connections) c.close(CLOSE_GOING_AWAY, "server shutting down");
      // Give peers a moment to answer the close frame, then drop whoever has not.
      if (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      for (const c of connections) c.terminate();
      http.closeAllConnections();
      await done;
    },
  };
}

function refuse(socket: Duplex, status: 403 | 503, reason: string): void {
  const text = status === 403 ? "Forbidden" : "Service Unavailable";
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  socket.destroy();
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}

interface ConnectionContext {
  opts: ApiServerOptions;
  limits: ApiLimits;
  log: ApiLog;
  connections: Set<Connection>;
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString("utf8");
}

/** One client: the auth phase, then commands and subscriptions. */
class Connection {
  private user: ApiUser | null = null;
  private authStarted = false;
  private readonly queued: unknown[] = [];
  private lastId = 0;
  private readonly subscriptions = new Set<number>();
  private readonly bucket: TokenBucket;
  private violations = 0;
  private alive = true;
  private authTimer: NodeJS.Timeout | undefined;
  /** The token the connection authenticated with, kept in memory only, to ask HA again about it. */
  private token: string | undefined;
  private revalidateTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly remote: string,
    private readonly ctx: ConnectionContext,
  ) {
    const { limits } = ctx;
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.burst, performance.now());
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("pong", () => {
      this.alive = true;
    });
    // ws reports protocol errors (oversized frames, invalid UTF-8) here and closes the socket itself.
    ws.on("error", (err) => ctx.log.debug({ remote, err: err.message }, "api: websocket error"));
    ws.on("close", () => this.onClose());
    this.authTimer = setTimeout(() => {
      this.authTimer = undefined;
      if (this.authStarted) return;
      this.send(authInvalidMessage("timeout", `no auth message within ${Math.round(limits.authTimeoutMs / 1000)} s`));
      this.close(CLOSE_POLICY, "auth timeout");
    }, limits.authTimeoutMs);
    this.authTimer.unref();
    const hello: AuthRequiredMessage = { type: "auth_required", backend_version: ctx.opts.backendVersion };
    this.send(hello);
  }

  heartbeat(): void {
    if (!this.alive) {
      this.ctx.log.debug({ remote: this.remote }, "api: peer did not answer a ping; dropped");
      this.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  publish(event: UpdateEvent): void {
    if (!this.user) return;
    for (const id of this.subscriptions) this.send(eventMessage(id, event));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onClose(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    if (this.revalidateTimer) clearInterval(this.revalidateTimer);
    this.token = undefined;
    this.subscriptions.clear();
    this.ctx.connections.delete(this);
  }

  private send(message: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.ctx.log.warn({ remote: this.remote, buffered: this.ws.bufferedAmount }, "api: peer does not read its messages; dropped");
      this.terminate();
      return;
    }
    this.ws.send(JSON.stringify(message));
  }

  private sendError(id: number | null, code: ApiErrorCode, message: string): void {
    this.send(errorMessage(id, code, message));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const { limits } = this.ctx;
    const size = byteLength(data);
    if (size > limits.maxMessageBytes) {
      this.sendError(null, "message_too_large", `a message may be at most ${limits.maxMessageBytes} bytes; this one was ${size}`);
      this.close(CLOSE_TOO_LARGE, "message too large");
      return;
    }
    if (isBinary) {
      if (!this.user) {
        this.send(authInvalidMessage("invalid_format", "expected a JSON text message"));
        this.close(CLOSE_UNSUPPORTED, "binary message");
      } else this.sendError(null, "invalid_format", "binary messages are not accepted: send JSON text");
      return;
    }
    const parsed = parseJson(toText(data));
    if (!this.bucket.take(performance.now())) {
      this.violations += 1;
      if (this.violations >= limits.maxRateViolations) {
        this.ctx.log.warn({ remote: this.remote, user: this.user?.name }, "api: connection kept flooding; closed");
        this.sendError(parsed.ok ? readId(parsed.value) : null, "rate_limited", "too many messages; the connection is closed");
        this.close(CLOSE_POLICY, "rate limit");
      } else {
        this.sendError(parsed.ok ? readId(parsed.value) : null, "rate_limited", `too many messages: at most ${limits.burst} at once and ${limits.ratePerSecond} a second`);
      }
      return;
    }
    this.violations = 0;

    if (!this.user) {
      if (!this.authStarted) {
        if (!parsed.ok) {
          this.send(authInvalidMessage("invalid_format", `the first message must be an auth message: ${parsed.message}`));
          this.close(CLOSE_POLICY, "auth_invalid");
          return;
        }
        void this.authenticate(parsed.value);
        return;
      }
      // Commands sent right after `auth` (pipelining, as HA allows) wait for the result.
      if (this.queued.length >= limits.maxQueuedBeforeAuth) {
        this.send(authInvalidMessage("invalid_format", "too many messages before auth_ok"));
        this.close(CLOSE_POLICY, "auth_invalid");
        return;
      }
      this.queued.push(parsed.ok ? parsed.value : new InvalidJson(parsed.message));
      return;
    }
    if (!parsed.ok) {
      this.sendError(null, "invalid_format", parsed.message);
      return;
    }
    this.handle(parsed.value);
  }

  private async authenticate(value: unknown): Promise<void> {
    this.authStarted = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    const auth = parseAuth(value);
    const { log, opts } = this.ctx;
    if (!auth.ok) {
      this.send(authInvalidMessage("invalid_format", auth.message));
      this.close(CLOSE_POLICY, "auth_invalid");
      return;
    }
    const token = tokenFingerprint(auth.token);
    let user: ApiUser | null;
    try {
      user = await opts.validateToken(auth.token);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ remote: this.remote, token, err: message }, "api: could not check a token with Home Assistant");
      this.send(authInvalidMessage("ha_unavailable", `could not check the token with Home Assistant: ${message}`));
      this.close(CLOSE_POLICY, "auth_invalid");
      return;
    }
    if (!user) {
      log.info({ remote: this.remote, token }, "api: token refused (by Home Assistant, or not an HA token at all)");
      this.send(authInvalidMessage("invalid_token", "Home Assistant did not accept this access token (invalid, expired or revoked)"));
      this.close(CLOSE_POLICY, "auth_invalid");
      return;
    }
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.user = user;
    this.token = auth.token;
    this.revalidateTimer = setInterval(() => void this.revalidate(), this.ctx.limits.revalidateMs);
    this.revalidateTimer.unref();
    log.debug({ remote: this.remote, user: user.name, admin: user.isAdmin }, "api: client authenticated");
    const ok: AuthOkMessage = {
      type: "auth_ok",
      backend_version: opts.backendVersion,
      ha_version: opts.haVersion?.() ?? null,
      user: { id: user.userId, name: user.name, is_admin: user.isAdmin },
    };
    this.send(ok);
    for (const queued of this.queued.splice(0)) {
      if (queued instanceof InvalidJson) this.sendError(null, "invalid_format", queued.message);
      else this.handle(queued);
    }
  }

  private handle(value: unknown): void {
    const parsed = parseCommand(value, this.lastId);
    if (!parsed.ok) {
      // Like HA, a valid fresh id is used up even when the rest of the command is wrong.
      if (parsed.id !== null && parsed.error.code !== "id_reuse") this.lastId = parsed.id;
      this.sendError(parsed.id, parsed.error.code, parsed.error.message);
      return;
    }
    const command = parsed.command;
    this.lastId = command.id;
    const user = this.user!;
    if (ADMIN_COMMANDS.has(command.type) && !user.isAdmin) {
      this.sendError(command.id, "unauthorized", `${command.type} is for Home Assistant administrators; "${user.name}" is not one`);
      return;
    }
    const allowed = ADMIN_COMMANDS.has(command.type) ? this.currentAdmin(command.id, command.type) : Promise.resolve(user);
    allowed
      .then((current) => (current ? this.run(command, current).then((result) => ({ result })) : undefined))
      .then(
      (outcome) => {
        if (outcome) this.send(resultMessage(command.id, outcome.result));
      },
      (err: unknown) => {
        if (err instanceof CommandError) {
          this.sendError(command.id, err.code, err.message);
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        this.ctx.log.error({ command: command.type, err: message }, "api: command failed");
        this.sendError(command.id, "internal_error", `${command.type} failed: ${message}`);
      },
    );
  }

  /**
   * HA's answer about this user's rights at most `adminAnswerMaxAgeMs` old: a demotion or a
   * revoked token takes effect at the next admin command, as in HA itself. Undefined (and the
   * command answered) when the user may not run it.
   */
  private async currentAdmin(id: number, type: string): Promise<ApiUser | undefined> {
    const { opts, limits, log } = this.ctx;
    let fresh: ApiUser | null;
    try {
      fresh = await opts.validateToken(this.token ?? "", { maxAgeMs: limits.adminAnswerMaxAgeMs });
    } catch (err) {
      this.sendError(id, "unauthorized", `${type} needs Home Assistant to confirm your rights, and it could not be asked: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (!fresh) {
      log.info({ remote: this.remote, user: this.user?.name }, "api: Home Assistant no longer accepts this connection's token; closed");
      this.sendError(id, "unauthorized", "Home Assistant no longer accepts this access token");
      this.close(CLOSE_POLICY, "token revoked");
      return undefined;
    }
    this.user = fresh;
    if (!fresh.isAdmin) {
      this.sendError(id, "unauthorized", `${type} is for Home Assistant administrators; "${fresh.name}" is not one (any more)`);
      return undefined;
    }
    return fresh;
  }

  /** Asks HA about the token again (a cached answer up to the interval old); closes the connection when HA refuses it. */
  private async revalidate(): Promise<void> {
    if (!this.token || !this.user) return;
    const { opts, limits, log } = this.ctx;
    try {
      const fresh = await opts.validateToken(this.token, { maxAgeMs: limits.revalidateMs });
      if (!fresh) {
        log.info({ remote: this.remote, user: this.user.name }, "api: Home Assistant no longer accepts this connection's token; closed");
        this.send(authInvalidMessage("invalid_token", "Home Assistant no longer accepts this access token (revoked or expired)"));
        this.close(CLOSE_POLICY, "token revoked");
        return;
      }
      this.user = fresh;
    } catch (err) {
      // HA being down is no reason to drop a user: the next interval asks again.
      log.debug({ remote: this.remote, err: err instanceof Error ? err.message : String(err) }, "api: could not check a connection's token again");
    }
  }

  private async run(command: ApiCommand, user: ApiUser): Promise<unknown> {
    const { handlers } = this.ctx.opts;
    switch (command.type) {
      case "ping":
        return "pong";
      case "status":
        return handlers.status();
      case "correlations/list":
        return handlers.correlations({
          limit: command.limit ?? DEFAULT_CORRELATIONS_LIMIT,
          ...(command.entity_id !== undefined ? { entityId: command.entity_id } : {}),
          ...(command.since !== undefined ? { since: Date.parse(command.since) } : {}),
        });
      case "devices/list":
        return handlers.devices();
      case "carbon/forecast":
        return handlers.carbonForecast();
      case "sync/run":
        this.ctx.log.info({ user: user.name }, "api: sync requested");
        return handlers.runSync(user);
      case "subscribe_updates":
        if (this.subscriptions.size >= this.ctx.limits.maxSubscriptions) {
          throw new CommandError("too_many_subscriptions", `at most ${this.ctx.limits.maxSubscriptions} subscriptions per connection`);
        }
        this.subscriptions.add(command.id);
        return null;
      case "unsubscribe":
        if (!this.subscriptions.delete(command.subscription)) throw new CommandError("not_found", `no subscription ${command.subscription} on this connection`);
        return null;
    }
  }
}

/** A queued message that was not JSON. */
class InvalidJson {
  constructor(readonly message: string) {}
}

class CommandError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
