/**
 * The card's side of its `<energy-insights-chart>`: when the chart gets new options (after each card
 * update, when what it shows changed), where ApexCharts put its plot area and the hourly view's day
 * labels (both read by the card's templates), and the `energy-insights-rendered` event once a chart
 * is painted (tests and the bench wait for it).
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { MARK_CHART_PAINTED, RENDERED_EVENT, type View } from "../const.js";
import type { LoadedRange, StatisticsController } from "../data/statistics-controller.js";
import type { ResolvedCardConfig } from "../energy-insights-card-config.js";
import type { HomeAssistant } from "../ha-types.js";
import type { BackendPanelController } from "../panel/controller.js";
import { CHART_HEIGHT } from "../styles.js";
import { cardChartOptions, chartOptionsKey, sameLabelGroups } from "./card-options.js";
import type { ChartDrawn, EnergyInsightsChart, PlotArea } from "./energy-insights-chart.js";
import type { LabelGroup } from "./labels.js";
import type { ApexOptions } from "./options.js";

/** Detail of the `energy-insights-rendered` event (and of the bench's measurements). */
export interface RenderedDetail {
  view: View;
  bars: number;
  /** From the statistics answer being in hand to the chart painted, in ms. */
  ms: number;
  /** Of which: until the chart got its options (card update, labels, options), inside ApexCharts, waiting for paint. */
  prepareMs: number;
  apexMs: number;
  paintMs: number;
}

export interface CardChartHost extends ReactiveControllerHost, HTMLElement {
  hass?: HomeAssistant;
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly data: StatisticsController;
  readonly backendPanel: BackendPanelController;
}

export class CardChartController implements ReactiveController {
  /** The ApexCharts options of the chart on screen (for tests and debugging). */
  options?: ApexOptions;
  /** Where ApexCharts put its plot area (the hourly view's day labels go under it). */
  plot?: PlotArea;
  /** The hourly view's day labels, written by the card under the plot. */
  groups: LabelGroup[] = [];
  /** The daily and monthly views' column names, written by the card under the plot (as many as fit). */
  columns: string[] = [];

  private _key?: string;
  private _data?: LoadedRange;
  private _givenAt = 0;

  constructor(
    private readonly host: CardChartHost,
    private readonly config: () => ResolvedCardConfig | undefined,
  ) {
    host.addController(this);
  }

  /** The card's config changed: the next update gives the chart options again. */
  reset(): void {
    this._key = undefined;
  }

  hostUpdated(): void {
    this._give();
  }

  /** ApexCharts laid its plot area out somewhere else. */
  placed(plot: PlotArea): void {
    this.plot = plot;
    this.host.requestUpdate();
  }

  /** The chart is painted: marks it, tells the data controller and sends `energy-insights-rendered`. */
  drawn(ev: CustomEvent<ChartDrawn>): void {
    performance.mark(MARK_CHART_PAINTED);
    const data = this.host.data.data;
    if (!data) return;
    const readyAt = this.host.data.dataReadyAt;
    const { apexMs, paintMs } = ev.detail;
    const detail: RenderedDetail = { view: data.range.view, bars: data.buckets.length, ms: performance.now() - readyAt, prepareMs: this._givenAt - readyAt, apexMs, paintMs };
    this.host.dispatchEvent(new CustomEvent<RenderedDetail>(RENDERED_EVENT, { detail, bubbles: true, composed: true }));
    this.host.data.painted();
  }

  /** Gives the chart new options when what it shows changed (data, locale, theme, colours, the plot's width where marks are placed in px). */
  private _give(): void {
    const { host } = this;
    const chart = host.renderRoot.querySelector<EnergyInsightsChart>("energy-insights-chart");
    const data = host.data.data;
    const hass = host.hass;
    const config = this.config();
    if (!chart || !data || !data.buckets.length || !hass || !config || host.data.status !== "ready") return;
    const key = chartOptionsKey({ data, config, hass, marksKey: host.backendPanel.marksKey, plotWidth: this.plot?.width });
    if (key === this._key && data === this._data) return;
    this._key = key;
    this._data = data;
    const { options, groups, columns } = cardChartOptions(host, { data, config, hass, width: chart.clientWidth, plot: this.plot, height: CHART_HEIGHT, events: host.backendPanel.selectedEvents ?? [] });
    if (!sameLabelGroups(groups, this.groups) || columns.join("\n") !== this.columns.join("\n")) {
      this.groups = groups;
      this.columns = columns;
      host.requestUpdate();
    }
    this.options = options;
    this._givenAt = performance.now();
    chart.options = options;
  }
}
