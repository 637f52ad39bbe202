/**
 * The card's link to the backend API for the correlations panel: connects when `backend_url` is set,
 * loads devices, recent events and status, follows `correlations_updated`, and fetches the selected
 * device's events for the chart. The card's statistics never wait on any of this.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import {
  BackendError,
  connectBackend,
  fetchBackendStatus,
  fetchCarbonForecast,
  fetchCorrelations,
  fetchDevices,
  subscribeBackendUpdates,
  type BackendConnection,
  type CarbonForecastView,
  type CorrelationView,
  type DeviceView,
  type SocketFactory,
  type StatusResult,
} from "../data/backend.js";
import { ingressSlugs, openIngress, type IngressLink } from "../data/ingress.js";
import type { HomeAssistant } from "../ha-types.js";

export type PanelState = "off" | "connecting" | "ready" | "unreachable" | "auth_refused" | "error";

/** How many recent events the panel lists, and how many of one device it marks at most. */
export const RECENT_EVENTS = 20;
export const MARKED_EVENTS_LIMIT = 1000;

export interface PanelHost extends ReactiveControllerHost {
  hass?: HomeAssistant;
  /** Opens the backend's socket; tests set a fake. Default: the browser's WebSocket. */
  backendSocket?: SocketFactory;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class BackendPanelController implements ReactiveController {
  state: PanelState = "off";
  url?: string;
  message?: string;
  devices?: DeviceView[];
  events?: CorrelationView[];
  status?: StatusResult;
  selected?: string;
  /** The selected device's events since the start of the shown range. */
  selectedEvents?: CorrelationView[];
  /** The backend's carbon forecasts (for the chart's cleanest hours); undefined until read. */
  forecast?: CarbonForecastView[];

  private _conn?: BackendConnection;
  private _ingress?: IngressLink;
  /** Bumped on every connect and disconnect, so a late ingress answer is dropped. */
  private _generation = 0;
  private _configured?: string;
  private _since?: string;
  private _seq = 0;
  private _unsubscribe?: () => void;
  private _attached = false;
  /** A connection was tried for the configured URL (a URL the client refuses is not tried on every update). */
  private _attempted = false;

  constructor(private readonly host: PanelHost) {
    host.addController(this);
  }

  /** The configured `backend_url` (undefined: no panel; `ingress`/`ingress:<slug>`: through the add-on's ingress). Connects once the card has `hass`. */
  configure(url: string | undefined): void {
    if (url === this._configured && (this._attempted || !url || !this._attached || !this.host.hass)) return;
    this._configured = url;
    this._disconnect();
    if (!url) {
      this.state = "off";
      this.url = undefined;
      this.host.requestUpdate();
      return;
    }
    if (this._attached && this.host.hass) this._connect(url);
  }

  hostConnected(): void {
    this._attached = true;
    if (this._configured && !this._conn && this.host.hass) this._connect(this._configured);
  }

  hostDisconnected(): void {
    this._attached = false;
    this._disconnect();
  }

  retry(): void {
    if (this._conn) this._conn.retry();
    // Nothing to retry on: the ingress lookup failed (add-on stopped, not installed); look again.
    else if (this._configured && this._attached && this.host.hass && this.state === "error") this._connect(this._configured);
  }

  /** Select (or, with the selected one, clear) a device; its events from `since` are fetched for the chart. */
  select(entityId: string | undefined, since: number | undefined): void {
    this.selected = entityId === this.selected ? undefined : entityId;
    this.selectedEvents = undefined;
    this._since = since === undefined ? undefined : new Date(since).toISOString();
    this.host.requestUpdate();
    void this._loadSelected();
  }

  /** The shown range moved: fetch the selected device's events for it. */
  rangeChanged(since: number): void {
    const iso = new Date(since).toISOString();
    if (iso === this._since) return;
    this._since = iso;
    if (this.selected) void this._loadSelected();
  }

  /** Changes whenever the chart's marks would. */
  get marksKey(): string {
    return this.selected ? `${this.selected}|${this.selectedEvents?.length ?? -1}` : "";
  }

  // ---- internals -----------------------------------------------------------------------------

  private _connect(target: string): void {
    this._attempted = true;
    const slugs = ingressSlugs(target);
    if (!slugs) {
      this._connectSocket(target);
      return;
    }
    const generation = ++this._generation;
    this._set("connecting");
    openIngress(() => this.host.hass, slugs).then(
      (link) => {
        if (generation !== this._generation) {
          link.close();
          return;
        }
        this._ingress = link;
        this._connectSocket(link.url);
      },
      (err: unknown) => {
        if (generation === this._generation) this._set("error", messageOf(err));
      },
    );
  }

  private _connectSocket(url: string): void {
    let conn: BackendConnection;
    try {
      conn = connectBackend(url, () => this.host.hass?.auth?.data?.access_token, this.host.backendSocket ? { socket: this.host.backendSocket } : {});
    } catch (err) {
      this._set("error", messageOf(err));
      return;
    }
    this._conn = conn;
    this.url = conn.url;
    this._set("connecting");
    conn.onChange(() => {
      if (this._conn !== conn) return;
      if (conn.state === "connected") void this._loadAll(conn);
      else if (conn.state === "unreachable") this._set("unreachable", conn.problem?.message);
      else if (conn.state === "auth_refused") this._set("auth_refused", conn.problem?.message);
      else if (conn.state === "connecting" && this.state !== "ready") this._set("connecting");
    });
    void subscribeBackendUpdates(conn, (event) => {
      if (event.type === "correlations_updated") void this._loadAll(conn);
      else {
        this.status = event.status;
        // A check of the carbon providers may have brought a new forecast.
        void this._loadForecast(conn);
      }
    }).then((stop) => {
      if (this._conn === conn) this._unsubscribe = stop;
      else stop();
    });
  }

  private _disconnect(): void {
    this._attempted = false;
    this._generation += 1;
    this._ingress?.close();
    this._ingress = undefined;
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    this._conn?.close();
    this._conn = undefined;
  }

  private _set(state: PanelState, message?: string): void {
    this.state = state;
    this.message = message;
    this.host.requestUpdate();
  }

  private async _loadAll(conn: BackendConnection): Promise<void> {
    const seq = ++this._seq;
    try {
      const [devices, events, status] = await Promise.all([
        fetchDevices(conn),
        fetchCorrelations(conn, { limit: RECENT_EVENTS }),
        fetchBackendStatus(conn).catch(() => undefined),
      ]);
      if (seq !== this._seq || this._conn !== conn) return;
      this.devices = devices;
      this.events = events;
      this.status = status;
      this._set("ready");
      if (this.selected) void this._loadSelected();
      void this._loadForecast(conn);
    } catch (err) {
      if (seq !== this._seq || this._conn !== conn) return;
      // A dropped connection reports itself through the state; a failed command is shown as such.
      if (err instanceof BackendError && err.kind === "command_failed") this._set("error", err.message);
    }
  }

  private async _loadForecast(conn: BackendConnection): Promise<void> {
    try {
      const forecast = await fetchCarbonForecast(conn);
      if (this._conn !== conn) return;
      this.forecast = forecast;
      this.host.requestUpdate();
    } catch {
      // An older backend without carbon/forecast, or a dropped connection: no cleanest hours.
    }
  }

  private async _loadSelected(): Promise<void> {
    const conn = this._conn;
    const entity = this.selected;
    if (!conn || !entity || conn.state !== "connected") return;
    try {
      const events = await fetchCorrelations(conn, { entity_id: entity, limit: MARKED_EVENTS_LIMIT, ...(this._since ? { since: this._since } : {}) });
      if (this.selected !== entity || this._conn !== conn) return;
      this.selectedEvents = events;
      this.host.requestUpdate();
    } catch {
      // The list keeps showing; the marks come with the next update.
    }
  }
}
