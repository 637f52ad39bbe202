/**
 * `<energy-insights-chart>`: the element that owns the card's ApexCharts (4.7.0, the last release
 * licensed MIT throughout; see test/browser/licence.test.ts). Give it `options`; it creates the chart
 * once and from then on updates it in place with one `updateOptions` (cheaper than a first render).
 * It creates the chart again only when the series' layout changes (one series ↔ two stacked, columns
 * ↔ areas, a cost line added), and when it is put back into the page after being taken out (Lovelace edit mode).
 *
 * It renders into its own light DOM, so the chart's parts sit in the card's shadow root, where the
 * card's tooltip styles apply. One ApexCharts call runs at a time (an update during a render breaks
 * the chart), and a chart is destroyed only once the call in flight is done: destroying one in the
 * middle of its render throws inside ApexCharts, which the editor's preview did on every keystroke.
 *
 * Events: `energy-insights-chart-drawn` (ChartDrawn) once a chart is painted,
 * `energy-insights-chart-plot` (PlotArea) when ApexCharts lays out its plot area somewhere else,
 * `energy-insights-chart-error` ({message}) when ApexCharts throws.
 */
import ApexCharts from "apexcharts";
import { ReactiveElement, type PropertyValues } from "lit";
import { property } from "lit/decorators.js";
import { applyApexSpeedups } from "./apex-speedups.js";
import type { ApexOptions } from "./options.js";

export const CHART_ELEMENT = "energy-insights-chart";
export const CHART_DRAWN_EVENT = "energy-insights-chart-drawn";
export const CHART_PLOT_EVENT = "energy-insights-chart-plot";
export const CHART_ERROR_EVENT = "energy-insights-chart-error";

export interface ChartDrawn {
  /** Inside ApexCharts (render or update), and from there to the frame being painted, in ms. */
  apexMs: number;
  paintMs: number;
  /** A new chart (true) or one updated in place. */
  created: boolean;
}

/** Where ApexCharts put its plot area, in px from the element's top left corner. */
export interface PlotArea {
  left: number;
  width: number;
  top: number;
  height: number;
}

/** Where ApexCharts keeps its plot area (not in its public types). */
interface ApexInternals {
  w?: { globals?: { gridWidth?: number; gridHeight?: number; translateX?: number; translateY?: number } };
}

/** ApexCharts empties the categories of options it is given on update: it gets its own copy, the caller keeps them. */
function forApex(options: ApexOptions): ApexOptions {
  return options.xaxis?.categories ? { ...options, xaxis: { ...options.xaxis, categories: [...(options.xaxis.categories as unknown[])] } } : options;
}

/**
 * The chart's layout: series kinds and stacking. A chart of another layout is created afresh: updated in
 * place from one series to two stacked ones (the hourly ↔ daily views), ApexCharts 4.7 loses its shared
 * tooltip. Within a layout (moving back and forth, daily ↔ monthly, a refresh, the theme) it is updated.
 */
function layoutOf(options: ApexOptions): string {
  return `${(options.series ?? []).map((x) => (x as { type?: string }).type).join(",")}|${String(options.chart?.type)}|${String(options.chart?.stacked)}`;
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class EnergyInsightsChart extends ReactiveElement {
  /** What to draw; a new object draws again, the same object does nothing. */
  @property({ attribute: false }) options?: ApexOptions;

  private _chart?: ApexCharts;
  private _layout?: string;
  /** The options the chart on screen was drawn (or is being drawn) with. */
  private _drawn?: ApexOptions;
  private _plot?: PlotArea;
  private _run = 0;
  /** The ApexCharts call in flight; settles, never rejects. */
  private _op: Promise<void> = Promise.resolve();
  private _busy = 0;

  /** ApexCharts draws into the element itself (light DOM: the card's shadow root holds the chart). */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after being taken out: draw again.
    if (this.options && !this._chart) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._run += 1;
    this._destroy();
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    void this._sync();
  }

  /** The plot area as last laid out (undefined before the first draw). */
  get plot(): PlotArea | undefined {
    return this._plot;
  }

  private async _sync(): Promise<void> {
    const options = this.options;
    if (!options || !this.isConnected || (options === this._drawn && this._chart)) return;
    this._drawn = options;
    const run = ++this._run;
    const withEvents: ApexOptions = { ...options, chart: { ...options.chart, events: { ...options.chart?.events, mounted: this._onLayout, updated: this._onLayout } } };
    const layout = layoutOf(options);
    const t0 = performance.now();
    let created = false;
    try {
      if (this._chart && layout === this._layout) {
        const chart = this._chart;
        await this._op;
        if (run !== this._run || chart !== this._chart) return;
        // Redraw paths (not animate them), do not animate, keep the options given before (all are given each time).
        await this._track(chart.updateOptions(forApex(withEvents), true, false, false));
      } else {
        // The old chart finishes what it is doing before it goes: destroyed later, it would take the new chart's parts with it.
        if (this._busy > 0) {
          await this._op;
          if (run !== this._run) return;
        }
        this._destroy();
        this._drawn = options;
        this._layout = layout;
        const chart = new ApexCharts(this, forApex(withEvents));
        applyApexSpeedups(chart);
        this._chart = chart;
        created = true;
        await this._track(chart.render());
      }
      if (run !== this._run) return;
      const t1 = performance.now();
      await afterPaint();
      if (run !== this._run) return;
      const detail: ChartDrawn = { apexMs: t1 - t0, paintMs: performance.now() - t1, created };
      this.dispatchEvent(new CustomEvent<ChartDrawn>(CHART_DRAWN_EVENT, { detail }));
    } catch (err) {
      this._destroy();
      this.dispatchEvent(new CustomEvent<{ message: string }>(CHART_ERROR_EVENT, { detail: { message: messageOf(err) } }));
    }
  }

  private readonly _onLayout = (chart: ApexInternals): void => {
    const g = chart.w?.globals;
    const plot =
      g && typeof g.gridWidth === "number" && typeof g.translateX === "number"
        ? { left: g.translateX, width: g.gridWidth, top: g.translateY ?? 0, height: g.gridHeight ?? 0 }
        : undefined;
    const same = (a: PlotArea, b: PlotArea | undefined) => a.left === b?.left && a.width === b.width && a.top === b.top && a.height === b.height;
    if (!plot || same(plot, this._plot)) return;
    this._plot = plot;
    this.dispatchEvent(new CustomEvent<PlotArea>(CHART_PLOT_EVENT, { detail: plot }));
  };

  /** Keeps `op` as the pending ApexCharts call (a destroy waits for it). */
  private _track<T>(op: Promise<T>): Promise<T> {
    this._busy += 1;
    const done = () => {
      this._busy -= 1;
    };
    this._op = op.then(done, done);
    return op;
  }

  /** Forgets the chart and destroys it once what ApexCharts is doing with it has finished. */
  private _destroy(): void {
    const chart = this._chart;
    this._chart = undefined;
    this._drawn = undefined;
    if (!chart) return;
    const destroy = () => {
      try {
        chart.destroy();
      } catch {
        // Its element is already gone: nothing is left to clean up.
      }
    };
    if (this._busy === 0) destroy();
    else this._op = this._op.then(destroy, destroy);
  }
}

if (!customElements.get(CHART_ELEMENT)) customElements.define(CHART_ELEMENT, EnergyInsightsChart);

declare global {
  interface HTMLElementTagNameMap {
    "energy-insights-chart": EnergyInsightsChart;
  }
}
