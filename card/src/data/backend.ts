/**
 * The Energy Insights backend API (server/src/api), one typed function per command, as recorder.ts
 * does for Home Assistant's. Message types come from the server's protocol module with `import type`
 * only, so no server code reaches the bundle.
 *
 * A connection authenticates with the user's HA access token (read afresh at every connect, since
 * the frontend refreshes it), answers each command by id, keeps live subscriptions, and reconnects
 * with a growing delay when the socket drops or cannot be opened. Its `state` says why it is not
 * usable: `unreachable` (no socket could be opened or it dropped) or `auth_refused` (the backend
 * said `auth_invalid`; `invalid_token` is not retried by itself, HA being unavailable is).
 */
import type {
  ApiCommand,
  ApiCommandType,
  AuthInvalidCode,
  BillPeriodStatus,
  BillStatus,
  CarbonForecastView,
  CommandResults,
  CorrelationView,
  DeviceView,
  ServerMessage,
  StatusResult,
  UpdateEvent,
} from "../../../server/src/api/protocol.js";

export type { BillPeriodStatus, BillStatus, CarbonForecastView, CorrelationView, DeviceView, StatusResult, UpdateEvent };

export type BackendState = "connecting" | "connected" | "unreachable" | "auth_refused" | "closed";

export type BackendErrorKind = "not_configured" | "unreachable" | "auth_refused" | "command_failed" | "closed";

export class BackendError extends Error {
  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    /** The backend's `auth_invalid` or error `code`, when it gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "BackendError";
  }
}

/** What the client needs of the browser's WebSocket (tests pass a fake class). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface BackendOptions {
  /** Opens a socket; default `new WebSocket(url)`. */
  socket?: SocketFactory;
  /** Reconnect delays grow from `minDelayMs` to `maxDelayMs` (doubling). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A socket that neither opens nor fails within this counts as unreachable. */
  connectTimeoutMs?: number;
}

/** `http(s)://` becomes `ws(s)://`; anything else but `ws(s)://` is refused. */
export function backendSocketUrl(url: string): string {
  const trimmed = url.trim();
  const match = /^(https?|wss?):\/\//i.exec(trimmed);
  if (!match) throw new BackendError("not_configured", `"${url}" is not a ws://, wss://, http:// or https:// URL`);
  const scheme = (match[1] as string).toLowerCase();
  const rest = trimmed.slice(match[0].length);
  return `${scheme === "https" || scheme === "wss" ? "wss" : "ws"}://${rest}`;
}

type Command = ApiCommand extends infer C ? (C extends { type: infer T } ? Omit<C, "id"> & { type: T } : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(err: BackendError): void;
}

interface Subscription {
  /** Id of the `subscribe_updates` on the current socket; 0 until subscribed. */
  id: number;
  listener(event: UpdateEvent): void;
}

const OPEN = 1;

export class BackendConnection {
  readonly url: string;
  state: BackendState = "connecting";
  /** Why the connection is not usable, in words (for the card), or undefined. */
  problem?: BackendError;
  backendVersion?: string;

  private _socket?: SocketLike;
  private _nextId = 1;
  private _pending = new Map<number, Pending>();
  private _subs = new Set<Subscription>();
  private _listeners = new Set<() => void>();
  private _waiters: { resolve(): void; reject(err: BackendError): void }[] = [];
  private _delay: number;
  private _retry?: ReturnType<typeof setTimeout>;
  private _closed = false;

  constructor(
    url: string,
    private readonly _token: () => string | undefined,
    private readonly _opts: BackendOptions = {},
  ) {
    this.url = backendSocketUrl(url);
    this._delay = _opts.minDelayMs ?? 1_000;
    this._open();
  }

  /** Called whenever `state` changes. Returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /** Sends one command and resolves with its result; rejects with a {@link BackendError}. */
  async command<T extends ApiCommandType>(msg: Extract<Command, { type: T }>): Promise<CommandResults[T]> {
    await this._ready();
    return this._send<CommandResults[T]>(msg);
  }

  /** Live updates (re-subscribed after a reconnect). Resolves with the function that ends them. */
  async subscribe(listener: (event: UpdateEvent) => void): Promise<() => void> {
    const sub: Subscription = { id: 0, listener };
    this._subs.add(sub);
    if (this.state === "connected") await this._subscribeOne(sub);
    return () => {
      this._subs.delete(sub);
      if (sub.id && this.state === "connected") this._send({ type: "unsubscribe", subscription: sub.id }).catch(() => undefined);
    };
  }

  /** Connect again now (after auth was refused, or to skip the wait). */
  retry(): void {
    if (this._closed) return;
    if (this._retry) clearTimeout(this._retry);
    this._retry = undefined;
    this._delay = this._opts.minDelayMs ?? 1_000;
    if (this.state !== "connected" && this.state !== "connecting") this._open();
  }

  close(): void {
    this._closed = true;
    if (this._retry) clearTimeout(this._retry);
    const socket = this._socket;
    this._socket = undefined;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000);
    }
    this._fail(new BackendError("closed", "connection closed"));
    this._set("closed");
  }

  // ---- internals -----------------------------------------------------------------------------

  private _set(state: BackendState, problem?: BackendError): void {
    this.state = state;
    this.problem = problem;
    for (const listener of [...this._listeners]) listener();
  }

  private _ready(): Promise<void> {
    if (this.state === "connected") return Promise.resolve();
    if (this.state !== "connecting") return Promise.reject(this.problem ?? new BackendError("closed", "connection closed"));
    return new Promise((resolve, reject) => this._waiters.push({ resolve, reject }));
  }

  private _settleWaiters(err?: BackendError): void {
    for (const w of this._waiters.splice(0)) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  private _fail(err: BackendError): void {
    for (const p of this._pending.values()) p.reject(err);
    this._pending.clear();
    this._settleWaiters(err);
  }

  private _open(): void {
    if (this._closed) return;
    if (this.state !== "connecting") this._set("connecting");
    const unreachable = () => new BackendError("unreachable", `backend not reachable at ${this.url}`);
    const token = this._token();
    let socket: SocketLike;
    try {
      socket = this._opts.socket ? this._opts.socket(this.url) : (new WebSocket(this.url) as SocketLike);
    } catch {
      this._lost(unreachable());
      return;
    }
    this._socket = socket;
    this._nextId = 1;
    let authed = false;
    let refused: BackendError | undefined;
    const timer = setTimeout(() => {
      if (!authed && this._socket === socket) socket.close();
    }, this._opts.connectTimeoutMs ?? 10_000);
    socket.onmessage = (ev: MessageEvent) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === "auth_required") {
        if (!token) {
          refused = new BackendError("auth_refused", "no Home Assistant access token to log in with", "invalid_token");
          socket.close();
          return;
        }
        socket.send(JSON.stringify({ type: "auth", access_token: token }));
      } else if (msg.type === "auth_ok") {
        authed = true;
        clearTimeout(timer);
        this.backendVersion = msg.backend_version;
        this._delay = this._opts.minDelayMs ?? 1_000;
        this._set("connected");
        this._settleWaiters();
        for (const sub of this._subs) void this._subscribeOne(sub).catch(() => undefined);
      } else if (msg.type === "auth_invalid") {
        refused = new BackendError("auth_refused", msg.message, msg.code);
      } else if (msg.type === "result") {
        if (msg.id === null) return;
        const pending = this._pending.get(msg.id);
        if (!pending) return;
        this._pending.delete(msg.id);
        if (msg.success) pending.resolve(msg.result);
        else pending.reject(new BackendError("command_failed", msg.error.message, msg.error.code));
      } else if (msg.type === "event") {
        for (const sub of this._subs) if (sub.id === msg.id) sub.listener(msg.event);
      }
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      clearTimeout(timer);
      if (this._socket !== socket) return;
      this._socket = undefined;
      for (const sub of this._subs) sub.id = 0;
      if (refused) {
        this._fail(refused);
        this._set("auth_refused", refused);
        // A refused token stays refused; HA being unreachable from the backend is worth another try.
        if ((refused.code as AuthInvalidCode | undefined) === "ha_unavailable" || refused.code === "timeout") this._schedule();
        return;
      }
      this._lost(authed ? new BackendError("unreachable", `lost the connection to ${this.url}`) : unreachable());
    };
  }

  private _lost(err: BackendError): void {
    this._fail(err);
    this._set("unreachable", err);
    this._schedule();
  }

  private _schedule(): void {
    if (this._closed) return;
    const delay = this._delay;
    this._delay = Math.min(this._delay * 2, this._opts.maxDelayMs ?? 60_000);
    this._retry = setTimeout(() => {
      this._retry = undefined;
      this._open();
    }, delay);
  }

  private _send<T>(msg: Command): Promise<T> {
    const socket = this._socket;
    if (!socket || socket.readyState !== OPEN || this.state !== "connected") {
      return Promise.reject(this.problem ?? new BackendError("unreachable", `backend not reachable at ${this.url}`));
    }
    const id = this._nextId++;
    return new Promise<T>((resolve, reject) => {
      this._pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ ...msg, id }));
    });
  }

  private async _subscribeOne(sub: Subscription): Promise<void> {
    const id = this._nextId;
    sub.id = id;
    await this._send({ type: "subscribe_updates" });
  }
}

export function connectBackend(url: string, token: () => string | undefined, opts?: BackendOptions): BackendConnection {
  return new BackendConnection(url, token, opts);
}

export function fetchBackendStatus(conn: BackendConnection): Promise<StatusResult> {
  return conn.command({ type: "status" });
}

export function fetchDevices(conn: BackendConnection): Promise<DeviceView[]> {
  return conn.command({ type: "devices/list" });
}

export function fetchCorrelations(conn: BackendConnection, query: { entity_id?: string; since?: string; limit?: number } = {}): Promise<CorrelationView[]> {
  return conn.command({ type: "correlations/list", ...query });
}

export function fetchCarbonForecast(conn: BackendConnection): Promise<CarbonForecastView[]> {
  return conn.command({ type: "carbon/forecast" });
}

export function subscribeBackendUpdates(conn: BackendConnection, listener: (event: UpdateEvent) => void): Promise<() => void> {
  return conn.subscribe(listener);
}
