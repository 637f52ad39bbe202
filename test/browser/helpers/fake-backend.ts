/**
 * A fake of the backend API's websocket (server/src/api/server.ts) for the browser, where no server
 * can be started: a socket class the card opens through `card.backendSocket`, speaking the messages
 * of server/src/api/protocol.ts as the server does:
 * `auth_required` on open; the first message must be `auth` (else `auth_invalid`/`invalid_format`
 * and close); a token not in `tokens` → `auth_invalid`/`invalid_token` and close (1008); then
 * `{id, type}` commands with increasing ids (`id_reuse` otherwise), each answered by one `result`;
 * `correlations/list` filters by entity and `since` and keeps the most recent `limit` (default 200);
 * `subscribe_updates` answers `null` and then carries `event` messages with its id.
 * `unreachable: true` makes every socket fail like a refused TCP connection (error, close 1006,
 * never open).
 */
import type {
  ApiCommand,
  CarbonForecastView,
  CorrelationView,
  DeviceView,
  ServerMessage,
  StatusResult,
  UpdateEvent,
} from "../../../server/src/api/protocol.js";

export interface FakeBackendOptions {
  devices: DeviceView[];
  correlations: CorrelationView[];
  status?: StatusResult;
  /** What `carbon/forecast` answers (default: none). */
  forecast?: CarbonForecastView[];
  /** Tokens that HA would accept. */
  tokens?: string[];
  unreachable?: boolean;
}

type Handler<E> = ((ev: E) => unknown) | null;

export class FakeBackend {
  /** Every message clients sent, parsed, in order. */
  readonly received: Record<string, unknown>[] = [];
  readonly sockets: FakeBackendSocket[] = [];
  readonly urls: string[] = [];

  constructor(readonly options: FakeBackendOptions) {}

  /** For `card.backendSocket`. */
  readonly factory = (url: string): FakeBackendSocket => {
    this.urls.push(url);
    const socket = new FakeBackendSocket(this);
    this.sockets.push(socket);
    return socket;
  };

  commands(type?: string): Record<string, unknown>[] {
    return this.received.filter((m) => m.type !== "auth" && (!type || m.type === type));
  }

  /** Sends an update to every subscription, as the server's `publish` does. */
  publish(event: UpdateEvent): void {
    for (const s of this.sockets) s.publish(event);
  }
}

export const DEFAULT_STATUS: StatusResult = {
  backend_version: "0.1.0",
  ha_version: "2026.11.0",
  now: "2026-04-06T22:00:00.000Z",
  next_check: null,
  sync_running: false,
  providers: [],
  correlation: { enabled: true, running: true, whole_home_sensor: "sensor.home_power", whole_home_source: { kind: "home_assistant", id: "sensor.home_power", name: "Home power" }, tracked_entities: 3, recorded_until: null, devices: 0, problems: [] },
};

export class FakeBackendSocket {
  readyState = 0;
  onopen: Handler<Event> = null;
  onmessage: Handler<MessageEvent> = null;
  onclose: Handler<CloseEvent> = null;
  onerror: Handler<Event> = null;
  private authed = false;
  private lastId = 0;
  private subs = new Set<number>();

  constructor(private readonly backend: FakeBackend) {
    setTimeout(() => {
      if (backend.options.unreachable) {
        this.readyState = 3;
        this.onerror?.(new Event("error"));
        this.onclose?.(new CloseEvent("close", { code: 1006, wasClean: false }));
        return;
      }
      this.readyState = 1;
      this.onopen?.(new Event("open"));
      this.push({ type: "auth_required", backend_version: "0.1.0" });
    }, 1);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    const msg = JSON.parse(data) as Record<string, unknown>;
    this.backend.received.push(msg);
    setTimeout(() => this.handle(msg), 1);
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.(new CloseEvent("close", { code, wasClean: true })), 1);
  }

  publish(event: UpdateEvent): void {
    if (this.readyState !== 1) return;
    for (const id of this.subs) this.push({ id, type: "event", event });
  }

  private push(msg: ServerMessage): void {
    if (this.readyState !== 1) return;
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(msg) }));
  }

  private handle(msg: Record<string, unknown>): void {
    if (this.readyState !== 1) return;
    const options = this.backend.options;
    if (!this.authed) {
      if (msg.type !== "auth" || typeof msg.access_token !== "string") {
        this.push({ type: "auth_invalid", code: "invalid_format", message: "the first message must be an auth message" });
        this.close(1008);
        return;
      }
      if (!(options.tokens ?? ["token"]).includes(msg.access_token)) {
        this.push({ type: "auth_invalid", code: "invalid_token", message: "Home Assistant did not accept this access token (invalid, expired or revoked)" });
        this.close(1008);
        return;
      }
      this.authed = true;
      this.push({ type: "auth_ok", backend_version: "0.1.0", ha_version: "2026.11.0", user: { id: "u1", name: "Test", is_admin: true } });
      return;
    }
    const command = msg as unknown as ApiCommand;
    const id = command.id;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1) {
      this.push({ id: null, type: "result", success: false, error: { code: "invalid_format", message: "id: must be a positive integer" } });
      return;
    }
    if (id <= this.lastId) {
      this.push({ id, type: "result", success: false, error: { code: "id_reuse", message: `id ${id} is not larger than ${this.lastId}` } });
      return;
    }
    this.lastId = id;
    const ok = (result: unknown) => this.push({ id, type: "result", success: true, result });
    switch (command.type) {
      case "ping":
        return ok("pong");
      case "status":
        return ok(structuredClone(options.status ?? DEFAULT_STATUS));
      case "devices/list":
        return ok(structuredClone(options.devices));
      case "carbon/forecast":
        return ok(structuredClone(options.forecast ?? []));
      case "correlations/list": {
        const since = command.since === undefined ? -Infinity : Date.parse(command.since);
        const rows = options.correlations.filter((c) => (!command.entity_id || c.entity_id === command.entity_id) && Date.parse(c.time) >= since);
        return ok(structuredClone(rows.slice(-(command.limit ?? 200))));
      }
      case "subscribe_updates":
        this.subs.add(id);
        return ok(null);
      case "unsubscribe":
        if (!this.subs.delete(command.subscription)) {
          this.push({ id, type: "result", success: false, error: { code: "not_found", message: `no subscription ${command.subscription}` } });
          return;
        }
        return ok(null);
      default:
        this.push({ id, type: "result", success: false, error: { code: "unknown_command", message: `unknown command "${String(msg.type)}"` } });
    }
  }
}

/** A learned device (on state) as devices/list reports one. */
export function device(entity_id: string, fields: Partial<DeviceView> = {}): DeviceView {
  return {
    entity_id,
    state: "on",
    status: "confident",
    power_w: 1000,
    standard_error_w: 5,
    confidence: 0.9,
    events: 10,
    seen_events: 10,
    on_time_h: 2,
    energy_kwh: 2,
    cost: 0.5,
    currency: "NZD",
    period_days: null,
    ...fields,
  };
}

/** An on or off event with its power step. */
export function event(entity_id: string, time: string, on: boolean, step: number): CorrelationView {
  return {
    time,
    entity_id,
    from: on ? "off" : "on",
    to: on ? "on" : "off",
    kind: on ? "on" : "off",
    state: "on",
    step_w: on ? step : -step,
    before_w: 300,
    after_w: on ? 300 + step : 300 - step,
    lag_s: 0,
    accepted: true,
    reason: null,
    conflict_with: null,
  };
}
