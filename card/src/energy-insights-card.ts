/**
 * `custom:energy-insights-card`: paid and free electricity from the backend's statistics in Home
 * Assistant, by hour, day or month, with cost, free share and what the free hours saved.
 *
 * Data: one `recorder/statistics_during_period` call per shown range with every statistic id of the
 * view, `period` hour/day/month (HA aggregates and cuts days and months in the server's zone),
 * `types: ["change"]`, `units: {energy: "kWh"}`. Rendering: ApexCharts 4.7.0 (the last release licensed MIT throughout; see test/browser/licence.test.ts).
 */
import ApexCharts from "apexcharts";
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { makeFormatters, displayTimeZone, serverTimeZone, type Formatters } from "./common/format.js";
import { viewRange, type ViewRange } from "./common/range.js";
import {
  CARD_ELEMENT,
  CARD_TYPE,
  CARD_VERSION,
  DEFAULT_COLORS,
  DOCS_URL,
  KINDS,
  MARK_CHART_PAINTED,
  MAX_DEVICE_SERIES,
  MARK_DATA_READY,
  REFRESH_MS,
  RENDERED_EVENT,
  SETUP_URL,
  TROUBLESHOOTING_URL,
  VIEWS,
  type Kind,
  type Stack,
  type View,
} from "./const.js";
import { sumBuckets, toBuckets, totalsOf, type Bucket, type Totals } from "./chart/buckets.js";
import { bucketLabels, dayLabelStride, MIN_DAY_LABEL_PX, rangeLabel, type LabelGroup } from "./chart/labels.js";
import { buildChartOptions, type ApexOptions, type ChartTheme } from "./chart/options.js";
import { spreadTotals, type PeriodTotal } from "./chart/totals.js";
import { CARBON_COLOR, chartWithCarbon, renderCarbonTotal, renderCleanest, shownCarbon, type CarbonShown } from "./carbon-view.js";
import { discoverIntensity, emissionsIdFor, loadCarbon, type CarbonStatistics } from "./data/carbon.js";
import type { CarbonIds } from "./chart/carbon.js";
import { eventAnnotations, eventX } from "./chart/annotations.js";
import { deviceChartOptions, seriesName, stackByDevice, type DeviceStack, type DeviceStatistic } from "./chart/devices.js";
import { discoverDeviceStatistics } from "./data/devices.js";
import type { SocketFactory } from "./data/backend.js";
import { BackendPanelController } from "./panel/controller.js";
import { panelStyles, renderPanel } from "./panel/panel.js";
import { accountKeyOf, accountLabel, discoverAccounts, type DiscoveredAccount } from "./data/discovery.js";
import { zonedInstant } from "./common/time.js";
import { fetchStatistics, getStatisticsMetadata, type StatisticsMetaData } from "./data/recorder.js";
import { getConfigForm, type LovelaceConfigForm } from "./energy-insights-card-editor.js";
import { accountIdPattern, accountOwner } from "../../server/src/statistics/ids.js";
import { resolveConfig, validateConfig, type EnergyInsightsCardConfig, type ResolvedCardConfig } from "./energy-insights-card-config.js";
import type { HomeAssistant, LovelaceCardConfig, LovelaceGridOptions } from "./ha-types.js";
import { localizer, type LocalizeFunc } from "./localize/localize.js";

export type CardStatus = "loading" | "ready" | "empty" | "error";

/** The accounts chip that sums every account. */
export const ALL_ACCOUNTS = "all";
/** The one account of a card configured with statistic ids or `account`. */
const CONFIGURED_ACCOUNT = "configured";

/** What one load produced: the range, HA's buckets and their totals. */
export interface LoadedRange {
  range: ViewRange;
  buckets: Bucket[];
  totals: Totals;
  currency: string | undefined;
  /** The shown account's ids; empty when several accounts are summed. */
  ids: Partial<Record<Kind, string>>;
  /** The carbon statistics of the range, as loaded (the shown buckets add them and the forecast). */
  carbon?: CarbonStatistics;
  energyBuckets?: Bucket[];
  carbonShown?: CarbonShown;
  /** The backend status' start of the finer series the totals were found with ("" without one). */
  finerKey?: string;
  /** The by-device view's columns (its buckets are `buckets`); absent when split by tariff. */
  stack?: DeviceStack;
}

/** Detail of the `energy-insights-rendered` event (and of the bench's measurements). */
export interface RenderedDetail {
  view: View;
  bars: number;
  /** From the statistics answer being in hand to the chart painted, in ms. */
  ms: number;
  /** Of which: until ApexCharts was called (card update, labels, options), inside ApexCharts, waiting for paint. */
  prepareMs: number;
  apexMs: number;
  paintMs: number;
}

const CHART_HEIGHT = 240;

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err && typeof err.message === "string") return err.message;
  return String(err);
}

/** ApexCharts empties the categories of options it is given on update: it gets its own copy, `chartOptions` keeps them. */
function forApex(options: ApexOptions): ApexOptions {
  return options.xaxis?.categories ? { ...options, xaxis: { ...options.xaxis, categories: [...(options.xaxis.categories as unknown[])] } } : options;
}

/** Resolves after the next paint: a task posted from a frame callback runs once that frame is painted. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(undefined);
    }),
  );
}

/** Where ApexCharts put its plot area (not in its public types). */
interface ApexInternals {
  w?: { globals?: { gridWidth?: number; translateX?: number } };
}

interface AxisGeometry {
  left: number;
  width: number;
}

export class EnergyInsightsCard extends LitElement {
  @property({ attribute: false }) hass?: HomeAssistant;

  @state() private _config?: ResolvedCardConfig;
  @state() private _view: View = "hourly";
  @state() private _stack: Stack = "tariff";
  /** The learned devices' energy statistics found in HA (the "By device" button shows once there are any). */
  @state() private _deviceStats: DeviceStatistic[] = [];
  @state() private _offset = 0;
  @state() private _status: CardStatus = "loading";
  @state() private _error?: string;
  /** Configured statistic ids HA does not have (the empty state names them); empty when nothing was found by discovery. */
  @state() private _missingIds: string[] = [];
  @state() private _data?: LoadedRange;
  @state() private _axis?: AxisGeometry;
  /** Every account found (no `account` or ids configured); with several, chips switch between them and "All". */
  @state() private _accounts: DiscoveredAccount[] = [];
  /** The chosen account's key, or ALL_ACCOUNTS (their sum). */
  @state() private _account: string = ALL_ACCOUNTS;
  private _groups: LabelGroup[] = [];

  /** The card's clock; tests and the bench set it to show a fixed "now". */
  clock: () => number = () => Date.now();

  /** The ApexCharts options of the chart on screen (for tests and debugging). */
  chartOptions?: ApexOptions;

  /** Opens the backend API's socket (tests set a fake); default: the browser's WebSocket. */
  backendSocket?: SocketFactory;
  /** The correlations panel's data (shown when `backend_url` is set). */
  readonly backendPanel = new BackendPanelController(this);

  private _rawConfig?: EnergyInsightsCardConfig;
  private _chart?: ApexCharts;
  private _chartEl?: HTMLElement;
  private _chartKey?: string;
  private _chartShape?: string;
  private _chartRun = 0;
  /** The ApexCharts call in flight (render, update or destroy); settles, never rejects. */
  private _chartOp: Promise<void> = Promise.resolve();
  /** ApexCharts calls in flight: with none, a chart is destroyed at once. */
  private _chartBusy = 0;
  private _loadSeq = 0;
  private _dataReadyAt = 0;
  private _needsLoad = false;
  private _discovered?: Promise<DiscoveredAccount[]>;
  private _intensityFound?: Promise<string | undefined>;
  private _carbonKey = "";
  private _devicesFound?: Promise<DeviceStatistic[]>;
  private _metadata = new Map<string, Promise<StatisticsMetaData[]>>();
  private _timer?: ReturnType<typeof setInterval>;

  /**
   * HA awaits this (hui-element-editor) and gives it no `hass`: the page's own `<home-assistant>`
   * element has it, and with it the editor offers the backend's accounts as a dropdown.
   */
  static async getConfigForm(): Promise<LovelaceConfigForm> {
    const hass = typeof document !== "undefined" ? document.querySelector<HTMLElement & { hass?: HomeAssistant }>("home-assistant")?.hass : undefined;
    let accounts: DiscoveredAccount[] = [];
    if (hass) {
      try {
        accounts = await discoverAccounts(hass);
      } catch {
        // No recorder access: the account is typed by hand.
      }
    }
    return getConfigForm(accounts);
  }

  /** A config that shows the backend's account, found from HA's statistics; with several, none is fixed (the card shows them all). */
  static async getStubConfig(hass: HomeAssistant): Promise<LovelaceCardConfig> {
    const config: LovelaceCardConfig = { type: CARD_TYPE };
    try {
      const accounts = await discoverAccounts(hass);
      const account = accounts.length === 1 ? accounts[0] : undefined;
      if (account) for (const kind of KINDS) if (account.ids[kind]) config[kind] = account.ids[kind];
    } catch {
      // No recorder access (or an old HA): the card discovers again when it runs.
    }
    return config;
  }

  setConfig(config: LovelaceCardConfig): void {
    const valid = validateConfig(config);
    const resolved = resolveConfig(valid);
    const idsChanged = JSON.stringify([resolved.ids, resolved.provider]) !== JSON.stringify([this._config?.ids, this._config?.provider]);
    const viewChanged = resolved.view !== this._config?.view || JSON.stringify(resolved.spans) !== JSON.stringify(this._config?.spans);
    const stackChanged = resolved.stack !== this._config?.stack;
    this._rawConfig = valid;
    this._config = resolved;
    if (viewChanged) {
      this._view = resolved.view;
      this._offset = 0;
    }
    if (stackChanged) this._stack = resolved.stack;
    if (idsChanged) this._discovered = undefined;
    if (JSON.stringify(resolved.carbon) !== JSON.stringify(this._config?.carbon)) {
      this._intensityFound = undefined;
      this._needsLoad = true;
    }
    if (idsChanged || viewChanged || stackChanged || !this._data) this._needsLoad = true;
    this._chartKey = undefined;
  }

  /** In rows of 50 px: header and totals, then the chart. */
  getCardSize(): number {
    return 6;
  }

  getGridOptions(): LovelaceGridOptions {
    return { columns: 12, min_columns: 6, rows: 6, min_rows: 5 };
  }

  /** Sections view of HA 2024.8–2024.10 (before getGridOptions). */
  getLayoutOptions(): Record<string, number> {
    return { grid_columns: 4, grid_min_columns: 2, grid_rows: 6 };
  }

  get config(): EnergyInsightsCardConfig | undefined {
    return this._rawConfig;
  }

  get status(): CardStatus {
    return this._status;
  }

  get view(): View {
    return this._view;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._timer = setInterval(() => {
      if (this._offset === 0 && this._status !== "loading") this.refresh();
    }, REFRESH_MS);
    // Lovelace moves cards between containers (edit mode, sections): draw the chart again when back.
    this._chartKey = undefined;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
    this._destroyChart();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass && !changed.get("hass")) this._needsLoad = true;
    if (this._config) this.backendPanel.configure(this._config.backendUrl);
    // A forecast that arrives (or changes) after the statistics: show its hours.
    if (this._data?.carbon && this._carbonInputsKey() !== this._carbonKey) this._data = this._withCarbonShown(this._data);
    // The backend's status arrived (or moved where its hourly or daily series starts): find the totals with it.
    const data = this._data;
    if (data && this._status === "ready" && String(this._finerFrom(data.range.view, data.ids) ?? "") !== (data.finerKey ?? "")) this._needsLoad = true;
    if (this._needsLoad && this.hass && this._config) {
      this._needsLoad = false;
      void this._load();
    }
  }

  protected override updated(): void {
    void this._syncChart();
  }

  /** Fetch the shown range again (the timer does this every 30 minutes while the present is shown). */
  refresh(): void {
    this._devicesFound = undefined;
    void this._load();
  }

  // ---- data --------------------------------------------------------------------------------

  /** The accounts the card can show: the configured one, else every one the backend published (of `provider`, when set). */
  private _accountsFor(): Promise<DiscoveredAccount[]> {
    const config = this._config;
    const hass = this.hass;
    if (!config || !hass) return Promise.resolve([]);
    if (config.ids.paid_energy || config.ids.free_energy) return Promise.resolve([{ key: CONFIGURED_ACCOUNT, ids: config.ids }]);
    if (!this._discovered) {
      const provider = config.provider;
      const discovered = discoverAccounts(hass).then((accounts) => accounts.filter((a) => !provider || a.key.startsWith(`${provider}_`)));
      this._discovered = discovered;
      // Found nothing or failed: look again next time (the backend may import its first rows later).
      const forget = () => {
        if (this._discovered === discovered) this._discovered = undefined;
      };
      discovered.then((list) => list.length || forget(), forget);
    }
    return this._discovered;
  }

  /**
   * Where the backend's status (with `backend_url`) says the shown account's hourly (hourly view) or
   * daily (daily view) series starts: its first local day fetched. Undefined without a status, for
   * several accounts summed, and in the monthly view; the totals are then found from the rows' shape.
   */
  private _finerFrom(view: View, ids: Partial<Record<Kind, string>>): number | undefined {
    const status = this.backendPanel.status;
    const hass = this.hass;
    const key = accountKeyOf(ids);
    if (!status || !hass || !key || view === "monthly") return undefined;
    const resolution = view === "hourly" ? "hour" : "day";
    for (const provider of status.providers) {
      for (const series of provider.series) {
        if (series.resolution !== resolution || !series.covered_from || accountOwner(provider.provider, series.account) !== key) continue;
        const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(series.covered_from);
        if (day) return zonedInstant({ year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) }, serverTimeZone(hass));
      }
    }
    return undefined;
  }

  /** Configured carbon ids; else emissions beside the energy ids and the backend's intensity statistic found in HA. */
  private async _carbonIds(hass: HomeAssistant, config: ResolvedCardConfig, ids: Partial<Record<Kind, string>>): Promise<CarbonIds> {
    let intensity = config.carbon.intensity;
    if (!intensity) {
      const found = (this._intensityFound ??= discoverIntensity(hass).catch(() => undefined));
      intensity = await found;
      // Nothing yet: look again next time (the backend may publish its first hours later).
      if (!intensity && this._intensityFound === found) this._intensityFound = undefined;
    }
    const emissions = config.carbon.emissions ?? emissionsIdFor(ids);
    return { ...(intensity ? { intensity } : {}), ...(emissions ? { emissions } : {}) };
  }

  private _carbonInputsKey(): string {
    const forecast = this.backendPanel.forecast;
    return `${this._offset}|${this._config?.cleanestHours}|${forecast ? JSON.stringify(forecast.map((f) => [f.statistic_id, f.fetched_at])) : ""}`;
  }

  private _withCarbonShown(data: LoadedRange): LoadedRange {
    this._carbonKey = this._carbonInputsKey();
    const energy = data.energyBuckets ?? data.buckets;
    const carbonShown = shownCarbon({
      buckets: energy,
      carbon: data.carbon,
      view: data.range.view,
      offset: this._offset,
      now: this.clock(),
      forecasts: this.backendPanel.forecast,
      cleanestCount: this._config?.cleanestHours ?? 0,
    });
    return { ...data, energyBuckets: energy, buckets: carbonShown?.buckets ?? energy, carbonShown };
  }

  private _metadataFor(hass: HomeAssistant, ids: string[]): Promise<StatisticsMetaData[]> {
    const key = ids.join(",");
    let pending = this._metadata.get(key);
    if (!pending) {
      const request = getStatisticsMetadata(hass, ids);
      pending = request;
      this._metadata.set(key, request);
      // Keep only a complete answer: statistics that do not exist yet may be imported later.
      const forget = () => {
        if (this._metadata.get(key) === request) this._metadata.delete(key);
      };
      request.then((rows) => (rows.length < ids.length ? forget() : undefined), forget);
    }
    return pending;
  }

  /** The learned devices' statistics, looked up once (again after an empty or failed answer: the backend may import them later). */
  private _devices(hass: HomeAssistant): Promise<DeviceStatistic[]> {
    if (!this._devicesFound) {
      const found = discoverDeviceStatistics(hass).catch(() => [] as DeviceStatistic[]);
      this._devicesFound = found;
      void found.then((list) => {
        if (!list.length && this._devicesFound === found) this._devicesFound = undefined;
        if (list.map((d) => d.statisticId).join() !== this._deviceStats.map((d) => d.statisticId).join()) this._deviceStats = list;
      });
    }
    return this._devicesFound;
  }

  private async _load(): Promise<void> {
    const hass = this.hass;
    const config = this._config;
    if (!hass || !config) return;
    const seq = ++this._loadSeq;
    const view = this._view;
    this._status = "loading";
    this._error = undefined;
    try {
      const accounts = await this._accountsFor();
      if (seq !== this._loadSeq) return;
      if (accounts.map((a) => a.key).join() !== this._accounts.map((a) => a.key).join()) this._accounts = accounts.length > 1 ? accounts : [];
      const chosen = accounts.filter((a) => a.key === this._account);
      // One account, or the chosen one; else all of them, summed.
      const shown = accounts.length === 1 ? accounts : chosen.length ? chosen : accounts;
      if (!shown.length) {
        this._data = undefined;
        this._missingIds = [];
        this._status = "empty";
        return;
      }
      const ids: Partial<Record<Kind, string>> = shown.length === 1 ? (shown[0] as DiscoveredAccount).ids : {};
      const range = viewRange(view, config.spans[view], this._offset, this.clock(), displayTimeZone(hass), serverTimeZone(hass));
      const list = shown.flatMap((a) => KINDS.map((k) => a.ids[k]).filter((id): id is string => Boolean(id)));
      // Split by tariff the devices are only looked up for the "By device" button, without waiting.
      const devicesFound = this._devices(hass);
      const devices = this._stack === "device" ? await devicesFound : [];
      if (seq !== this._loadSeq) return;
      const [stats, metadata, carbon] = await Promise.all([
        // HA also returns a bucket that starts exactly at end_time (the next range's first): end 1 ms before, as HA's frontend does.
        fetchStatistics(hass, new Date(range.start), new Date(range.end - 1), [...list, ...devices.map((d) => d.statisticId)], range.period, { energy: "kWh" }, ["change"]),
        this._metadataFor(hass, list),
        // The energy chart never waits on a failed carbon call: it is shown without the overlay.
        this._carbonIds(hass, config, ids)
          .then((carbonIds) => loadCarbon(hass, carbonIds, new Date(range.start), new Date(range.end - 1), range.period, (carbonList) => this._metadataFor(hass, carbonList)))
          .catch(() => undefined),
      ]);
      if (seq !== this._loadSeq) return;
      this._dataReadyAt = performance.now();
      performance.mark(MARK_DATA_READY);
      const known = new Set(metadata.map((m) => m.statistic_id));
      const present = shown.filter((a) => (a.ids.paid_energy && known.has(a.ids.paid_energy)) || (a.ids.free_energy && known.has(a.ids.free_energy)));
      if (!present.length) {
        this._data = undefined;
        // Ids from the config (or `account`) that HA does not know: name them.
        this._missingIds = shown.some((a) => a.key === CONFIGURED_ACCOUNT)
          ? shown.flatMap((a) => [a.ids.paid_energy, a.ids.free_energy]).filter((id): id is string => Boolean(id) && !known.has(id as string))
          : [];
        this._status = "empty";
        return;
      }
      const unitOf = (id: string | undefined) => metadata.find((m) => m.statistic_id === id)?.statistics_unit_of_measurement ?? undefined;
      // Costs in different currencies are not added up: the sum of several accounts then has no cost.
      const currencies = new Set(present.map((a) => unitOf(a.ids.paid_cost)).filter(Boolean));
      const buckets = sumBuckets(present.map((a) => toBuckets(stats, currencies.size > 1 ? { ...a.ids, paid_cost: undefined } : a.ids)));
      const stack = devices.length
        ? stackByDevice(buckets, devices.map((d) => ({ ...d, rows: stats[d.statisticId] ?? [] })), { maxDevices: MAX_DEVICE_SERIES })
        : undefined;
      // A day (month) HA only holds as a total is spread over its hours (days) and drawn as a band; the totals above keep it.
      const finerFrom = this._finerFrom(view, ids);
      const drawn = stack?.buckets ?? spreadTotals(buckets, view, serverTimeZone(hass), { now: this.clock(), rangeEnd: range.end, finerFrom });
      this._data = this._withCarbonShown({
        range,
        buckets: drawn,
        totals: totalsOf(buckets),
        finerKey: String(finerFrom ?? ""),
        currency: currencies.size === 1 ? [...currencies][0] : (hass.config?.currency ?? undefined),
        ids,
        ...(stack ? { stack } : carbon ? { carbon } : {}),
      });
      this.backendPanel.rangeChanged(range.start);
      this._status = "ready";
    } catch (err) {
      if (seq !== this._loadSeq) return;
      this._status = "error";
      this._error = errorMessage(err);
    }
  }

  private _select(view: View): void {
    if (view === this._view) return;
    this._view = view;
    this._offset = 0;
    this._data = undefined;
    void this._load();
  }

  private _toggleStack(): void {
    this._stack = this._stack === "device" ? "tariff" : "device";
    this._data = undefined;
    void this._load();
  }

  private _move(step: number): void {
    const offset = Math.max(0, this._offset + step);
    if (offset === this._offset) return;
    this._offset = offset;
    void this._load();
  }

  // ---- chart -------------------------------------------------------------------------------

  private _theme(): ChartTheme {
    const style = getComputedStyle(this);
    const dark = Boolean(this.hass?.themes?.darkMode);
    const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    return {
      dark,
      text: read("--primary-text-color", dark ? "#e1e1e1" : "#212121"),
      secondaryText: read("--secondary-text-color", dark ? "#9b9b9b" : "#727272"),
      grid: read("--divider-color", dark ? "rgba(225, 225, 225, 0.12)" : "rgba(0, 0, 0, 0.12)"),
      background: read("--ha-card-background", read("--card-background-color", dark ? "#1c1c1c" : "#ffffff")),
    };
  }

  /** `var(--x, fallback)` colours are resolved against the card's styles; ApexCharts needs real values. */
  private _color(value: string, fallback: string): string {
    const match = /^var\((--[A-Za-z0-9_-]+)(?:,\s*(.+))?\)$/.exec(value);
    if (!match) return value;
    return getComputedStyle(this).getPropertyValue(match[1] as string).trim() || match[2]?.trim() || fallback;
  }

  private _buildOptions(data: LoadedRange, fmt: Formatters, t: LocalizeFunc, width: number): ApexOptions {
    const config = this._config as ResolvedCardConfig;
    // About one axis label per 56 px of chart; the rest of the days or months are in the tooltip.
    const labels = bucketLabels(data.buckets, data.range.view, data.range.timeZone, fmt, Math.floor((width || 600) / 56));
    this._groups = labels.groups;
    const base = buildChartOptions({
      buckets: data.buckets,
      labels,
      names: { free: t("series.free"), paid: t("series.paid"), total: t("series.total"), cost: t("series.cost") },
      colors: {
        free: this._color(config.colors.free, DEFAULT_COLORS.free),
        paid: this._color(config.colors.paid, DEFAULT_COLORS.paid),
        cost: this._color(config.colors.cost, DEFAULT_COLORS.cost),
      },
      showCost: config.showCost && !data.stack,
      hasCost: data.totals.cost !== null,
      theme: this._theme(),
      height: CHART_HEIGHT,
      plotWidth: this._axis?.width ?? 0,
      totalTitle: (total) => this._totalTitle(total, fmt, t),
      format: {
        energy: (kwh) => fmt.energy(kwh),
        axisEnergy: (kwh) => fmt.number(kwh, Math.abs(kwh) >= 10 ? 0 : 1),
        money: (value) => fmt.money(value, data.currency),
      },
    });
    const options = data.stack
      ? deviceChartOptions(base, {
          stack: data.stack,
          labels,
          names: { untracked: t("devices.untracked"), other: t("devices.other"), wholeHome: t("devices.whole_home") },
          format: { energy: (kwh) => fmt.energy(kwh) },
          notes: { excess: (kwh) => t("devices.excess", { kwh }), unmetered: t("devices.unmetered") },
        })
      : base;
    // The selected device's events as lines on the hourly chart (cleared with an empty list).
    if (config.backendUrl) {
      const marks = data.range.view === "hourly" && this._axis ? (this.backendPanel.selectedEvents ?? []) : [];
      const color = this._color("var(--accent-color)", "#ff5722");
      const events = marks.map((e) => ({ time: Date.parse(e.time), on: e.kind === "on" }));
      options.annotations = { ...options.annotations, xaxis: [...(options.annotations?.xaxis ?? []), ...eventAnnotations(data.buckets, events, this._axis?.width ?? 0, color)] };
    }
    const carbon = data.carbonShown;
    const overlaid = carbon
      ? chartWithCarbon(options, carbon, { overlay: config.carbonOverlay, hourly: data.range.view === "hourly", width: this._axis?.width ?? 0, t, fmt, axisLabelColor: this._theme().secondaryText })
      : options;
    // Keep the card's own day labels under the plot area when ApexCharts lays it out again (resize).
    const onLayout = (chart: ApexInternals) => this._readAxis(chart);
    overlaid.chart = { ...overlaid.chart, events: { mounted: onLayout, updated: onLayout } };
    return overlaid;
  }

  /** How a period held only as a total is named: in its tooltip, and on its band. */
  private _totalTitle(total: PeriodTotal, fmt: Formatters, t: LocalizeFunc): { title: string; band: string } {
    const zone = this.hass ? serverTimeZone(this.hass) : "UTC";
    if (total.kind === "day") {
      const period = fmt.date(total.start, zone, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
      return { title: t("totals.day_title", { period }), band: t("totals.day_band") };
    }
    const period = fmt.dateRange(total.start, total.end - 1, zone, { day: "numeric", month: "short", year: "numeric" });
    return { title: t("totals.month_title", { period }), band: t("totals.month_band") };
  }

  private _readAxis(chart: ApexInternals): void {
    const g = chart.w?.globals;
    const axis = g && typeof g.gridWidth === "number" && typeof g.translateX === "number" ? { left: g.translateX, width: g.gridWidth } : undefined;
    if (axis?.left !== this._axis?.left || axis?.width !== this._axis?.width) this._axis = axis;
  }

  /** Changes whenever the carbon overlay would; bands and highlights are placed in pixels, so the plot width counts for them. */
  private _chartCarbonKey(data: LoadedRange): string {
    const shown = data.carbonShown;
    if (!shown) return "";
    const placed = this._config?.carbonOverlay === "bands" || shown.cleanest.length > 0;
    return `${this._carbonKey}|${this._config?.carbonOverlay}|${placed ? this._axis?.width : ""}`;
  }

  /**
   * Forgets the chart and destroys it once what ApexCharts is doing with it has finished: destroying a
   * chart in the middle of its render throws inside ApexCharts ("Cannot read properties of undefined
   * (reading 'node')"), which the editor's preview did while it re-rendered on every keystroke.
   */
  private _destroyChart(): void {
    const chart = this._chart;
    this._chart = undefined;
    this._chartEl = undefined;
    this._chartKey = undefined;
    if (!chart) return;
    const destroy = () => {
      try {
        chart.destroy();
      } catch {
        // Its element is already gone: nothing is left to clean up.
      }
    };
    if (this._chartBusy === 0) destroy();
    else this._chartOp = this._chartOp.then(destroy, destroy);
  }

  /** Keeps `op` as the chart's pending ApexCharts call (a destroy waits for it). */
  private _track<T>(op: Promise<T>): Promise<T> {
    this._chartBusy += 1;
    const done = () => {
      this._chartBusy -= 1;
    };
    this._chartOp = op.then(done, done);
    return op;
  }

  private async _syncChart(): Promise<void> {
    const el = this.renderRoot.querySelector<HTMLElement>(".chart");
    const data = this._data;
    const hass = this.hass;
    if (!el || !data || !hass || this._status !== "ready") {
      if (!el && this._chart) this._destroyChart();
      return;
    }
    const locale = hass.locale ?? { language: "en" };
    const key = [
      this._loadSeq,
      locale.language,
      locale.number_format,
      locale.time_format,
      locale.time_zone,
      hass.themes?.darkMode,
      hass.themes?.theme,
      JSON.stringify(this._config?.colors),
      this._config?.showCost,
      this.backendPanel.marksKey && `${this.backendPanel.marksKey}|${this._axis?.width}`,
      this._chartCarbonKey(data),
      // Bands of totals are placed in px of the plot.
      data.buckets.some((b) => b.total) ? this._axis?.width : "",
    ].join("|");
    if (key === this._chartKey && el === this._chartEl) return;
    this._chartKey = key;
    const run = ++this._chartRun;
    const options = this._buildOptions(data, makeFormatters(locale), localizer(locale.language), el.clientWidth);
    this.chartOptions = options;
    const t1 = performance.now();
    try {
      // Same element and series layout: ApexCharts updates in place (cheaper than a first render);
      // a different layout (one coloured series ↔ two stacked, cost line on/off) starts afresh.
      const shape = (options.series ?? []).map((x) => (x as { type?: string }).type).join(",") + `|${String(options.chart?.stacked)}`;
      if (this._chart && el === this._chartEl && shape === this._chartShape) {
        // One ApexCharts call at a time per chart: an update during its render breaks it.
        const chart = this._chart;
        await this._chartOp;
        if (run !== this._chartRun || chart !== this._chart) return;
        await this._track(chart.updateOptions(forApex(options), true, false, false));
      } else {
        // The old chart finishes what it is doing before it goes: destroyed later, it would take the
        // new chart's parts in the same element with it.
        if (this._chartBusy > 0) {
          await this._chartOp;
          if (run !== this._chartRun) return;
        }
        this._destroyChart();
        this._chartKey = key; // what is drawn next (forgotten with the old chart)
        this._chartEl = el;
        this._chartShape = shape;
        const chart = new ApexCharts(el, forApex(options));
        this._chart = chart;
        await this._track(chart.render());
      }
      if (run !== this._chartRun) return;
      const t2 = performance.now();
      await afterPaint();
      if (run !== this._chartRun) return;
      performance.mark(MARK_CHART_PAINTED);
      const t3 = performance.now();
      const detail: RenderedDetail = {
        view: data.range.view,
        bars: data.buckets.length,
        ms: t3 - this._dataReadyAt,
        prepareMs: t1 - this._dataReadyAt,
        apexMs: t2 - t1,
        paintMs: t3 - t2,
      };
      this.dispatchEvent(new CustomEvent<RenderedDetail>(RENDERED_EVENT, { detail, bubbles: true, composed: true }));
    } catch (err) {
      this._status = "error";
      this._error = errorMessage(err);
      this._destroyChart();
    }
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected override render(): TemplateResult | typeof nothing {
    if (!this._config) return nothing;
    const hass = this.hass;
    const t = localizer(hass?.locale?.language ?? hass?.language);
    const title = this._config.title ?? this._defaultTitle(t);
    return html`
      <ha-card>
        <div class="header">
          <div class="title">${title}</div>
          ${this._status === "empty" ? nothing : this._renderViews(t)}
        </div>
        ${this._accounts.length > 1 && this._status !== "empty" ? this._renderAccounts(t) : nothing}
        ${this._status === "empty" ? this._renderEmpty(t) : this._renderBody(t)}
        ${renderPanel(this.backendPanel, {
          t,
          fmt: makeFormatters(hass?.locale ?? { language: "en" }),
          hass,
          timeZone: hass ? displayTimeZone(hass) : "UTC",
          hourly: this._view === "hourly",
          // Events in hours without a column (the meter's data is late) are not marked, so not counted.
          marked: this.backendPanel.selectedEvents?.filter((e) => this._data && eventX(this._data.buckets, Date.parse(e.time), 1) !== null).length,
          onSelect: (entity) => this.backendPanel.select(entity, this._data?.range.start),
        })}
      </ha-card>
    `;
  }

  /** With several accounts: the chosen account's name, or "All 3 contracts"; with one, "Energy" as before. */
  private _defaultTitle(t: LocalizeFunc): string {
    if (this._accounts.length > 1) {
      const chosen = this._accounts.find((a) => a.key === this._account);
      return chosen ? accountLabel(chosen) : t("accounts.all_title", { count: String(this._accounts.length) });
    }
    return t("card.default_title");
  }

  /** One chip per account and "All" (their sum), shown when the backend publishes several. */
  private _renderAccounts(t: LocalizeFunc): TemplateResult {
    const chip = (key: string, label: string, hint: string) =>
      html`<button class="account ${key === this._account ? "active" : ""}" data-account=${key} aria-pressed=${key === this._account ? "true" : "false"} title=${hint} @click=${() => this._selectAccount(key)}>
        ${label}
      </button>`;
    const chosen = this._accounts.some((a) => a.key === this._account) ? this._account : ALL_ACCOUNTS;
    return html`<div class="accounts" role="group" aria-label=${t("accounts.label")} data-chosen=${chosen}>
      ${chip(ALL_ACCOUNTS, t("accounts.all"), t("accounts.all_hint", { count: String(this._accounts.length) }))}
      ${this._accounts.map((a) => chip(a.key, accountLabel(a), a.key))}
    </div>`;
  }

  private _selectAccount(key: string): void {
    if (key === this._account) return;
    this._account = key;
    this._data = undefined;
    void this._load();
  }

  private _renderViews(t: LocalizeFunc): TemplateResult {
    const byDevice = this._stack === "device";
    return html`<div class="views" role="group">
      ${VIEWS.map(
        (v) =>
          html`<button class="view ${v === this._view ? "active" : ""}" data-view=${v} aria-pressed=${v === this._view ? "true" : "false"} @click=${() => this._select(v)}>
            ${t(`view.${v}`)}
          </button>`,
      )}
      ${byDevice || this._deviceStats.length
        ? html`<button class="view ${byDevice ? "active" : ""}" data-stack="device" aria-pressed=${byDevice ? "true" : "false"} title=${t("devices.toggle_hint")} @click=${() => this._toggleStack()}>
            ${t("devices.toggle")}
          </button>`
        : nothing}
    </div>`;
  }

  /** What was looked for, and what to do next: check the ids, or get the backend to publish. */
  private _renderEmpty(t: LocalizeFunc): TemplateResult {
    const missing = this._missingIds;
    if (missing.length) {
      return html`<div class="state empty" data-state="empty" data-reason="unknown-ids">
        <div class="state-title">${t("state.unknown_title")}</div>
        <ul class="ids">
          ${missing.map((id) => html`<li><code>${id}</code></li>`)}
        </ul>
        <div>${t("state.unknown_text")}</div>
        <a href=${TROUBLESHOOTING_URL} target="_blank" rel="noreferrer">${t("state.troubleshooting_link")}</a>
      </div>`;
    }
    const provider = this._config?.provider ?? "contact";
    return html`<div class="state empty" data-state="empty" data-reason="none-found">
      <div class="state-title">${t("state.empty_title")}</div>
      <div>${t("state.empty_text", { pattern: accountIdPattern(provider) })}</div>
      ${this._backendNote(t)}
      <div class="links">
        <a href=${TROUBLESHOOTING_URL} target="_blank" rel="noreferrer">${t("state.troubleshooting_link")}</a>
        <a href=${SETUP_URL} target="_blank" rel="noreferrer">${t("state.empty_link")}</a>
      </div>
    </div>`;
  }

  /** With `backend_url`: whether the backend has ever finished a sync, from its status. */
  private _backendNote(t: LocalizeFunc): TemplateResult | typeof nothing {
    const status = this.backendPanel.status;
    if (!this._config?.backendUrl || !status) return nothing;
    const series = status.providers.flatMap((p) => p.series);
    const synced = series.some((x) => x.last_success !== null);
    const error = series.find((x) => x.last_error)?.last_error;
    return html`<div data-backend-note>${synced ? t("state.backend_synced") : error ? t("state.backend_failing", { message: error }) : t("state.backend_never")}</div>`;
  }

  private _renderBody(t: LocalizeFunc): TemplateResult {
    const hass = this.hass;
    const data = this._data;
    const fmt = makeFormatters(hass?.locale ?? { language: "en" });
    const loading = this._status === "loading";
    const rangeText =
      data && hass ? rangeLabel(data.range.start, data.range.end, data.range.view, data.range.timeZone, fmt) : loading ? t("state.loading") : "";
    return html`
      <div class="nav">
        <button class="prev" aria-label=${t("header.previous")} title=${t("header.previous")} @click=${() => this._move(1)}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15.4 16.6 10.8 12l4.6-4.6L14 6l-6 6 6 6z" /></svg>
        </button>
        <span class="range" data-range>${rangeText}</span>
        <button class="next" aria-label=${t("header.next")} title=${t("header.next")} ?disabled=${this._offset === 0} @click=${() => this._move(-1)}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8.6 16.6 13.2 12 8.6 7.4 10 6l6 6-6 6z" /></svg>
        </button>
        ${loading ? html`<span class="spinner" role="progressbar" aria-label=${t("state.loading")}></span>` : nothing}
      </div>
      ${this._status === "error" ? this._renderError(t) : nothing}
      ${data ? this._renderTotals(data, fmt, t) : nothing}
      ${this._renderChartArea(t)}
    `;
  }

  private _renderError(t: LocalizeFunc): TemplateResult {
    return html`<div class="state error" data-state="error" role="alert">
      <div>${t("state.error", { message: this._error ?? "" })}</div>
      <div class="hint">${t("state.error_hint")}</div>
      <button class="retry" @click=${() => this.refresh()}>${t("state.retry")}</button>
    </div>`;
  }

  private _renderTotals(data: LoadedRange, fmt: Formatters, t: LocalizeFunc): TemplateResult {
    const totals = data.totals;
    const money = (value: number | null) => (value === null ? "—" : fmt.money(value, data.currency));
    const item = (key: string, label: string | TemplateResult, value: string, sub?: string) =>
      html`<div class="total" data-total=${key}>
        <span class="label">${label}</span><span class="value">${value}</span>${sub ? html`<span class="sub">${sub}</span>` : nothing}
      </div>`;
    // How "Free hours saved" is worked out, on an info icon (hover, or focus for keyboard and touch).
    const price = totals.averagePaidPrice;
    const savedHint =
      price === null
        ? t("header.saved_hint_unknown")
        : t("header.saved_hint", { free: fmt.energy(totals.free), price: `${fmt.money(price, data.currency)}/kWh` });
    const savedLabel = html`${t("header.saved")}
      <span class="info" data-info="saved" role="img" tabindex="0" title=${savedHint} aria-label=${savedHint}
        ><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M11 9h2V7h-2m1 13c-4.4 0-8-3.6-8-8s3.6-8 8-8 8 3.6 8 8-3.6 8-8 8m0-18A10 10 0 0 0 2 12a10 10 0 0 0 10 10 10 10 0 0 0 10-10A10 10 0 0 0 12 2m-1 15h2v-6h-2v6z" /></svg
      ></span>`;
    return html`<div class="totals">
      ${item("energy", t("header.energy"), fmt.energy(totals.total))}
      ${item("free-share", t("header.free_share"), totals.freeShare === null ? "—" : fmt.percent(totals.freeShare), fmt.energy(totals.free))}
      ${item("cost", t("header.cost"), money(totals.cost))} ${item("saved", savedLabel, money(totals.freeSaved))}
      ${renderCarbonTotal(data.carbonShown, fmt, t)}
    </div>`;
  }

  private _renderChartArea(t: LocalizeFunc): TemplateResult | typeof nothing {
    const data = this._data;
    if (this._status === "error" && !data) return nothing;
    if (!data) return html`<div class="placeholder" data-state="loading">${t("state.loading")}</div>`;
    if (data.buckets.length === 0) return html`<div class="placeholder" data-state="no-data">${t("state.no_data")}</div>`;
    const colors = this._config as ResolvedCardConfig;
    const stack = data.stack;
    const legend = stack
      ? stack.series.map((s) => [seriesName(s, { untracked: t("devices.untracked"), other: t("devices.other"), wholeHome: "" }), s.color])
      : [
          [t("series.free"), colors.colors.free],
          [t("series.paid"), colors.colors.paid],
          ...(colors.showCost && data.totals.cost !== null ? [[t("series.cost"), colors.colors.cost]] : []),
          ...(data.carbonShown && colors.carbonOverlay === "line" && data.carbonShown.series.intensity.some((v) => v !== null)
            ? [[t(data.carbonShown.series.signal === "percentile" ? "carbon.signal" : "carbon.intensity"), CARBON_COLOR]]
            : []),
        ];
    const excess = stack ? stack.excess.filter((x) => x > 0).length : 0;
    const fmtEnergy = makeFormatters(this.hass?.locale ?? { language: "en" }).energy;
    const axis = this._axis;
    const groups = data.range.view === "hourly" && axis ? this._groups : [];
    const step = axis && data.buckets.length ? axis.width / data.buckets.length : 0;
    const stride = dayLabelStride(24 * step);
    return html`
      <div
        class="chart"
        data-state=${this._status}
        role="img"
        aria-label=${`${t(`view.${data.range.view}`)}: ${t("series.free")} ${fmtEnergy(data.totals.free)}, ${t("series.paid")} ${fmtEnergy(data.totals.paid)}`}
      ></div>
      ${groups.length
        ? html`<div class="xlabels" aria-hidden="true">
            ${groups.map((g, i) => {
              // Narrow plots label (and divide) every k-th day, across k days' width.
              if (i % stride.every !== 0) return nothing;
              const width = stride.every > 1 ? Math.min(stride.every * 24, data.buckets.length - g.first) * step : g.count * step;
              return html`<span class="xlabel" style="left:${(axis as AxisGeometry).left + g.first * step}px;width:${width}px">${width >= MIN_DAY_LABEL_PX ? g.text : ""}</span>`;
            })}
          </div>`
        : nothing}
      <div class="legend">
        ${legend.map(([name, color]) => html`<span class="key"><span class="dot" style="background:${color}"></span>${name}</span>`)}
      </div>
      ${this.hass ? renderCleanest(data.carbonShown, makeFormatters(this.hass.locale ?? { language: "en" }), t, displayTimeZone(this.hass)) : nothing}
      ${excess ? html`<div class="chart-note" data-excess-note>${t("devices.excess_note", { count: String(excess) })}</div>` : nothing}
      ${this._stack === "device" && !stack ? html`<div class="chart-note" data-no-devices>${t("devices.none")}</div>` : nothing}
    `;
  }

  static override styles = [
    panelStyles,
    css`
    :host {
      display: block;
    }
    ha-card {
      display: block;
      height: 100%;
      box-sizing: border-box;
      padding: 12px 12px 8px;
      color: var(--primary-text-color);
      background: var(--ha-card-background, var(--card-background-color));
      border-radius: var(--ha-card-border-radius, 12px);
      overflow: hidden;
    }
    .header,
    .nav,
    .totals,
    .legend {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px;
    }
    .header {
      justify-content: space-between;
    }
    .title {
      font-size: 1.2em;
      font-weight: 500;
    }
    button {
      font: inherit;
      color: inherit;
      background: none;
      border: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
      border-radius: 16px;
      cursor: pointer;
      padding: 2px 10px;
    }
    button:disabled {
      opacity: 0.35;
      cursor: default;
    }
    .accounts {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      margin-top: 6px;
      font-size: 0.85em;
    }
    .account {
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .view.active,
    .account.active {
      background: var(--primary-color, #03a9f4);
      border-color: var(--primary-color, #03a9f4);
      color: var(--text-primary-color, #fff);
    }
    .nav {
      margin-top: 6px;
      color: var(--secondary-text-color);
    }
    .nav button {
      display: inline-flex;
      padding: 2px;
      border: none;
    }
    .nav svg {
      width: 22px;
      height: 22px;
      fill: currentColor;
    }
    .spinner {
      width: 14px;
      height: 14px;
      border: 2px solid var(--divider-color, rgba(127, 127, 127, 0.3));
      border-top-color: var(--primary-color, #03a9f4);
      border-radius: 50%;
      animation: spin 1s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    .totals {
      margin: 8px 0 4px;
      gap: 4px 16px;
    }
    .total {
      display: flex;
      flex-direction: column;
      min-width: 80px;
    }
    .total .label,
    .total .sub {
      font-size: 0.8em;
      color: var(--secondary-text-color);
    }
    .total .info {
      cursor: help;
      margin-left: 2px;
      display: inline-flex;
      vertical-align: middle;
    }
    .total .info svg {
      width: 14px;
      height: 14px;
      fill: currentColor;
    }
    .total .value {
      font-size: 1.1em;
      font-weight: 500;
    }
    .chart {
      min-height: ${CHART_HEIGHT}px;
    }
    .placeholder,
    .state {
      display: flex;
      flex-direction: column;
      gap: 6px;
      padding: 16px 4px;
      color: var(--secondary-text-color);
    }
    .placeholder {
      min-height: ${CHART_HEIGHT - 32}px;
      align-items: center;
      justify-content: center;
    }
    .state-title {
      font-weight: 500;
      color: var(--primary-text-color);
    }
    .state .links {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
    }
    .state .ids {
      margin: 0;
      padding-left: 18px;
      word-break: break-all;
    }
    .state a {
      color: var(--primary-color, #03a9f4);
    }
    .error {
      color: var(--error-color, #db4437);
      align-items: flex-start;
    }
    .xlabels {
      position: relative;
      height: 16px;
      margin-top: -6px;
      font-size: 11px;
      color: var(--secondary-text-color);
    }
    .xlabel {
      position: absolute;
      top: 0;
      box-sizing: border-box;
      border-left: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
      padding-left: 3px;
      white-space: nowrap;
      overflow: hidden;
    }
    .cleanest {
      margin-top: 4px;
      font-size: 0.85em;
      text-align: center;
      color: var(--secondary-text-color);
    }
    .legend {
      justify-content: center;
      font-size: 0.85em;
      color: var(--secondary-text-color);
    }
    .key {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    .dot,
    .ei-tt-dot {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
    }
    .ei-tt {
      padding: 6px 8px;
      font-size: 12px;
      min-width: 160px;
    }
    .ei-tt-title {
      font-weight: 500;
      margin-bottom: 4px;
    }
    .ei-tt-row {
      display: flex;
      align-items: center;
      gap: 6px;
    }
    .ei-tt-value {
      margin-left: auto;
      font-variant-numeric: tabular-nums;
    }
    .ei-tt-note {
      margin-top: 4px;
      max-width: 240px;
      white-space: normal;
      opacity: 0.8;
    }
    .ei-tt-warn {
      color: var(--warning-color, #ffa600);
      opacity: 1;
    }
    .chart-note {
      margin-top: 4px;
      text-align: center;
      font-size: 0.8em;
      color: var(--secondary-text-color);
    }
  `,
  ];
}

/** The card picker shows the page's language (HA sets `<html lang>`). */
const registration = localizer(typeof document !== "undefined" ? document.documentElement.lang : undefined);

if (!customElements.get(CARD_ELEMENT)) {
  customElements.define(CARD_ELEMENT, EnergyInsightsCard);
  window.customCards = window.customCards ?? [];
  if (!window.customCards.some((c) => c.type === CARD_ELEMENT)) {
    window.customCards.push({
      type: CARD_ELEMENT,
      name: registration("card.name"),
      description: registration("card.description"),
      preview: true,
      documentationURL: DOCS_URL,
    });
  }
  console.info(`%c ENERGY-INSIGHTS-CARD %c ${CARD_VERSION} `, "color:#fff;background:#008FFB;font-weight:700", "color:#008FFB");
}

declare global {
  interface HTMLElementTagNameMap {
    "energy-insights-card": EnergyInsightsCard;
  }
}
