/**
 * `custom:energy-insights-card`: paid and free electricity from the backend's statistics in Home
 * Assistant, by hour, day or month, with cost, free share and what the free hours saved.
 *
 * The card element is its config, its layout and its templates. Loading and caching:
 * data/statistics-controller.ts (one websocket round trip when the ids are known). The chart:
 * `<energy-insights-chart>` (chart/energy-insights-chart.ts), created once and updated in place, fed
 * by chart/chart-controller.ts. Styles: styles.ts. The editor (an ha-form schema) is imported when HA
 * asks for it.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import "./chart/energy-insights-chart.js";
import { CardChartController, type RenderedDetail } from "./chart/chart-controller.js";
import { rangeLabel } from "./chart/labels.js";
import type { ApexOptions } from "./chart/options.js";
import { markedCount } from "./chart/annotations.js";
import { makeFormatters, displayTimeZone } from "./common/format.js";
import { registerCustomCard } from "./common/register.js";
import { CARD_ELEMENT, CARD_VERSION, DOCS_URL, REFRESH_MS, type Stack, type View } from "./const.js";
import type { SocketFactory } from "./data/backend.js";
import { downloadShownCsv, shownAccountName } from "./csv-export.js";
import { accountKeyOf, discoverAccounts, splitAccountKey, stubCardConfig, type DiscoveredAccount } from "./data/discovery.js";
import { EnergyDateController } from "./data/energy-date-controller.js";
import { RefreshTimer } from "./data/refresh-timer.js";
import { ALL_ACCOUNTS, StatisticsController, viewRequest, type CardStatus, type LoadedRange } from "./data/statistics-controller.js";
import type { LovelaceConfigForm } from "./energy-insights-card-editor.js";
import { resolveConfig, validateConfig, type EnergyInsightsCardConfig, type ResolvedCardConfig } from "./energy-insights-card-config.js";
import type { HomeAssistant, LovelaceCardConfig, LovelaceGridOptions } from "./ha-types.js";
import { localizer, type LocalizeFunc } from "./localize/localize.js";
import { BackendPanelController } from "./panel/controller.js";
import { panelStyles, renderPanel } from "./panel/panel.js";
import { cardStyles } from "./styles.js";
import { renderBill, renderCompareFigure, renderCsvButton, renderDateNote, renderNav } from "./header-extras.js";
import { defaultTitle, renderAccounts, renderBackendNote, renderEmpty, renderError, renderChartArea, renderPendingNote, renderTotals, renderViews } from "./templates.js";

export { ALL_ACCOUNTS, type CardStatus, type LoadedRange, type RenderedDetail };

export class EnergyInsightsCard extends LitElement {
  @property({ attribute: false }) hass?: HomeAssistant;

  @state() private _config?: ResolvedCardConfig;
  @state() private _view: View = "hourly";
  @state() private _stack: Stack = "tariff";
  @state() private _offset = 0;
  /** The chosen account's key, or ALL_ACCOUNTS (their sum). */
  @state() private _account: string = ALL_ACCOUNTS;

  /** The card's clock; tests and the bench set it to show a fixed "now". */
  clock: () => number = () => Date.now();
  /** Opens the backend API's socket (tests set a fake); default: the browser's WebSocket. */
  backendSocket?: SocketFactory;
  /** The correlations panel's data (shown when `backend_url` is set). */
  readonly backendPanel = new BackendPanelController(this);
  /** The statistics of the shown view. */
  readonly data = new StatisticsController(this);
  /** The Energy dashboard's date picker, followed with `period: energy`. */
  readonly energyDate = new EnergyDateController(this);
  /** The chart's options, plot area and day labels. */
  readonly chart = new CardChartController(this, () => this._config);

  private _rawConfig?: EnergyInsightsCardConfig;
  private _needsLoad = false;
  private readonly _timer = new RefreshTimer(this, REFRESH_MS, () => {
    if (this._offset === 0 && this.data.status !== "loading") this.refresh();
  });

  /** HA awaits this (hui-element-editor) and gives it no `hass`: the page's `<home-assistant>` has it, and with it the editor offers the accounts. */
  static async getConfigForm(): Promise<LovelaceConfigForm> {
    const editor = import("./energy-insights-card-editor.js");
    const hass = typeof document !== "undefined" ? document.querySelector<HTMLElement & { hass?: HomeAssistant }>("home-assistant")?.hass : undefined;
    const accounts = hass ? await discoverAccounts(hass).catch(() => [] as DiscoveredAccount[]) : []; // no recorder access: typed by hand
    return (await editor).getConfigForm(accounts);
  }

  /** A config that shows the backend's account, found from HA's statistics; with several, none is fixed (the card shows them all). */
  static getStubConfig(hass: HomeAssistant): Promise<LovelaceCardConfig> {
    return stubCardConfig(hass);
  }

  setConfig(config: LovelaceCardConfig): void {
    const valid = validateConfig(config);
    const resolved = resolveConfig(valid);
    const before = this._config;
    const same = (pick: (c: ResolvedCardConfig) => unknown) => before !== undefined && JSON.stringify(pick(before)) === JSON.stringify(pick(resolved));
    const viewChanged = !same((c) => [c.view, c.spans]);
    this._rawConfig = valid;
    this._config = resolved;
    if (viewChanged) {
      this._view = resolved.view;
      this._offset = 0;
    }
    if (!same((c) => c.stack)) this._stack = resolved.stack;
    if (!same((c) => [c.ids, c.provider, c.carbon, c.stack, c.energy]) || viewChanged || !this.data.data) this._needsLoad = true;
    else this.data.reconfigure(resolved);
    this.chart.reset();
  }

  /** In rows of 50 px: header and totals, then the chart. */
  getCardSize(): number {
    return 6;
  }

  /** Sections view: full width by default, half at least; as tall as its content (totals wrap on a phone), 5 rows at least. */
  getGridOptions(): LovelaceGridOptions {
    return { columns: 12, min_columns: 6, rows: "auto", min_rows: 5 };
  }

  /** Sections view of HA 2024.8–2024.10 (before getGridOptions). */
  getLayoutOptions(): Record<string, number | string> {
    return { grid_columns: 4, grid_min_columns: 2, grid_rows: "auto", grid_min_rows: 5 };
  }

  get config(): EnergyInsightsCardConfig | undefined {
    return this._rawConfig;
  }

  get status(): CardStatus {
    return this.data.status;
  }

  get view(): View {
    return this._view;
  }

  /** The ApexCharts options of the chart on screen (for tests and debugging). */
  get chartOptions(): ApexOptions | undefined {
    return this.chart.options;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass && !changed.get("hass")) this._needsLoad = true;
    if (this._config) {
      this.backendPanel.configure(this._config.backendUrl);
      this.energyDate.configure(this._config.energy);
    }
    if (this._needsLoad && this.hass && this._config) {
      this._needsLoad = false;
      this._load(false, true);
    }
  }

  /** Fetch the shown range again (the timer does this every 30 minutes while the present is shown). */
  refresh(): void {
    this.data.refresh();
  }

  /** The date picker's dates changed, or it was found missing: load what it says (the card's own range when missing). */
  energyDateChanged(): void {
    if (!this._config || !this.hass) return;
    this._offset = 0;
    this._needsLoad = false;
    this._load(false, true);
  }

  /** Following the date picker (`period: energy`) and it gave dates: the view and range are its. */
  private get _following(): boolean {
    return this.energyDate.state?.status === "following";
  }

  /** `opening`: the card or a view is opened, so a present range without data yet gives way to the one before. */
  private _load(clear = false, opening = false): void {
    const config = this._config;
    if (!config) return;
    // Waiting for the date picker: the card stays "loading" until it gives dates or is found missing.
    if (config.energy.followEnergy && this.energyDate.waiting) return;
    const picked = this.energyDate.pickedRange(this.clock());
    if (picked) this._view = picked.view;
    if (clear) this.data.clear();
    const nav = { view: this._view, offset: this._offset, stack: this._stack, account: this._account };
    void this.data.load(viewRequest(config, nav, { picked, compare: this.energyDate.compareMode() }, opening));
  }

  /** The shown account (the configured one, or the one its statistic ids name); undefined for several summed. */
  private _accountName(data: LoadedRange | undefined): string | undefined {
    return shownAccountName(this._rawConfig?.account, data);
  }

  /** The data controller opened an older range (the present one has no data yet). */
  openedOn(offset: number): void {
    this._offset = offset;
  }

  private _select(view: View): void {
    if (view === this._view) return;
    this._view = view;
    this._offset = 0;
    this._load(true, true);
  }

  private _toggleStack(): void {
    this._stack = this._stack === "device" ? "tariff" : "device";
    this._load(true);
  }

  private _move(step: number): void {
    const offset = Math.max(0, this._offset + step);
    if (offset === this._offset) return;
    this._offset = offset;
    this._load();
  }

  private _selectAccount(key: string): void {
    if (key === this._account) return;
    this._account = key;
    this._load(true);
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected override render(): TemplateResult | typeof nothing {
    if (!this._config) return nothing;
    const hass = this.hass;
    const t = localizer(hass?.locale?.language ?? hass?.language);
    const empty = this.data.status === "empty";
    const accounts = this.data.accounts;
    return html`
      <ha-card>
        <div class="header">
          <div class="title">${this._config.title ?? defaultTitle(accounts, this._account, t)}</div>
          ${empty
            ? nothing
            : renderViews({ view: this._view, fixed: this._following, byDevice: this._stack === "device", devices: this.data.deviceStats.length > 0, t, select: (v) => this._select(v), toggleDevices: () => this._toggleStack() })}
        </div>
        ${accounts.length > 1 && !empty ? renderAccounts({ accounts, chosen: this._account, t, select: (key) => this._selectAccount(key) }) : nothing}
        ${empty
          ? renderEmpty({
              missingIds: this.data.missingIds,
              provider: this._config.provider ?? "contact",
              backendNote: this._config.backendUrl ? renderBackendNote(this.backendPanel.status, t) : nothing,
              t,
            })
          : this._renderBody(t)}
        ${renderPanel(this.backendPanel, {
          t,
          fmt: makeFormatters(hass?.locale ?? { language: "en" }),
          hass,
          timeZone: hass ? displayTimeZone(hass) : "UTC",
          hourly: this._view === "hourly",
          // Events in hours without a column (the meter's data is late) are not marked, so not counted.
          marked: markedCount(this.data.data?.buckets, this.backendPanel.selectedEvents),
          onSelect: (entity) => this.backendPanel.select(entity, this.data.data?.range.start),
        })}
      </ha-card>
    `;
  }

  private _renderBody(t: LocalizeFunc): TemplateResult {
    const hass = this.hass;
    const data = this.data.data;
    const fmt = makeFormatters(hass?.locale ?? { language: "en" });
    const loading = this.data.status === "loading";
    const rangeText = data && hass ? rangeLabel(data.range.start, data.range.end, data.range.view, data.range.timeZone, fmt) : loading ? t("state.loading") : "";
    const locale = hass?.locale ?? { language: "en" };
    return html`
      ${renderNav({
        rangeText,
        // The date picker moves the dates: no previous and next of the card's own.
        steps: !this._following,
        atPresent: this._offset === 0,
        loading,
        following: this._following,
        t,
        move: (by) => this._move(by),
        extras: html`${data ? renderCompareFigure(data.compare, locale, t) : nothing}
        ${data && data.buckets.length ? renderCsvButton(t, t("csv.download_hint", { carbon: data.carbonShown ? `, ${t("carbon.intensity")}` : "" }), () => downloadShownCsv(data, this._accountName(data))) : nothing}`,
      })}
      ${this._config?.backendUrl ? renderBill(this.backendPanel.status?.bills, this._accountName(data), locale, t) : nothing}
      ${renderDateNote(this.energyDate.state, t)}
      ${this.data.status === "error" ? renderError(this.data.error ?? "", t, () => this.refresh()) : nothing}
      ${data ? renderTotals(data, fmt, t) : nothing}
      ${data && hass ? renderPendingNote(data, { provider: splitAccountKey(accountKeyOf(data.ids) ?? this._config?.provider ?? "").provider || this._config?.provider, fmt, t, timeZone: displayTimeZone(hass) }) : nothing}
      ${renderChartArea({
        data,
        status: this.data.status,
        plot: this.chart.plot,
        groups: this.chart.groups,
        columns: this.chart.columns,
        config: this._config as ResolvedCardConfig,
        byDevice: this._stack === "device",
        fmt,
        t,
        timeZone: hass ? displayTimeZone(hass) : "UTC",
        onDrawn: (ev) => this.chart.drawn(ev),
        onPlot: (plot) => this.chart.placed(plot),
        onError: (message) => this.data.fail(message),
      })}
    `;
  }

  static override styles = [panelStyles, cardStyles];
}

/** The card picker shows the page's language (HA sets `<html lang>`). */
const registration = localizer(typeof document !== "undefined" ? document.documentElement.lang : undefined);

if (registerCustomCard(EnergyInsightsCard, { type: CARD_ELEMENT, name: registration("card.name"), description: registration("card.description"), preview: true, documentationURL: DOCS_URL })) {
  console.info(`%c ENERGY-INSIGHTS-CARD %c ${CARD_VERSION} `, "color:#fff;background:#008FFB;font-weight:700", "color:#008FFB");
}

declare global {
  interface HTMLElementTagNameMap {
    "energy-insights-card": EnergyInsightsCard;
  }
}
