/**
 * The card's parts that are only templates of what is shown: the totals row, the empty and error
 * states, and what goes under the chart (the day labels of the hourly view, the legend, notes).
 */
import { html, nothing, type TemplateResult } from "lit";
import { accountIdPattern } from "../../server/src/statistics/ids.js";
import { CARBON_COLOR, renderCarbonTotal, renderCleanest } from "./carbon-view.js";
import { seriesName } from "./chart/devices.js";
import type { ChartDrawn, PlotArea } from "./chart/energy-insights-chart.js";
import { dayLabelStride, labelPx, pickColumnLabels, widestLabelPx, type LabelGroup } from "./chart/labels.js";
import type { Formatters } from "./common/format.js";
import { ALL_ACCOUNTS, type CardStatus, type LoadedRange } from "./data/statistics-controller.js";
import { SETUP_URL, TROUBLESHOOTING_URL, VIEWS, type View } from "./const.js";
import { accountLabel, type DiscoveredAccount } from "./data/discovery.js";
import type { StatusResult } from "./data/backend.js";
import type { ResolvedCardConfig } from "./energy-insights-card-config.js";
import type { LocalizeFunc } from "./localize/localize.js";

const INFO_ICON = "M11 9h2V7h-2m1 13c-4.4 0-8-3.6-8-8s3.6-8 8-8 8 3.6 8 8-3.6 8-8 8m0-18A10 10 0 0 0 2 12a10 10 0 0 0 10 10 10 10 0 0 0 10-10A10 10 0 0 0 12 2m-1 15h2v-6h-2v6z";

/** With several accounts: the chosen account's name, or "All 3 contracts"; with one, "Energy" as before. */
export function defaultTitle(accounts: DiscoveredAccount[], chosen: string, t: LocalizeFunc): string {
  if (accounts.length > 1) {
    const account = accounts.find((a) => a.key === chosen);
    return account ? accountLabel(account) : t("accounts.all_title", { count: String(accounts.length) });
  }
  return t("card.default_title");
}

/** The view buttons (hourly, daily, monthly; none when the date picker sets the view: `fixed`) and, once there are learned devices, "By device". */
export function renderViews(ctx: { view: View; byDevice: boolean; devices: boolean; t: LocalizeFunc; select: (view: View) => void; toggleDevices: () => void; fixed?: boolean }): TemplateResult {
  const { t } = ctx;
  const button = (active: boolean, attrs: { view?: View; stack?: string }, label: string, onClick: () => void, title?: string) =>
    html`<button class="view ${active ? "active" : ""}" data-view=${attrs.view ?? nothing} data-stack=${attrs.stack ?? nothing} aria-pressed=${active ? "true" : "false"} title=${title ?? nothing} @click=${onClick}>
      ${label}
    </button>`;
  return html`<div class="views" role="group">
    ${ctx.fixed ? nothing : VIEWS.map((v) => button(v === ctx.view, { view: v }, t(`view.${v}`), () => ctx.select(v)))}
    ${ctx.byDevice || ctx.devices ? button(ctx.byDevice, { stack: "device" }, t("devices.toggle"), ctx.toggleDevices, t("devices.toggle_hint")) : nothing}
  </div>`;
}

/** One chip per account and "All" (their sum), shown when the backend publishes several. */
export function renderAccounts(ctx: { accounts: DiscoveredAccount[]; chosen: string; t: LocalizeFunc; select: (key: string) => void }): TemplateResult {
  const { t } = ctx;
  const chip = (key: string, label: string, hint: string) =>
    html`<button class="account ${key === ctx.chosen ? "active" : ""}" data-account=${key} aria-pressed=${key === ctx.chosen ? "true" : "false"} title=${hint} @click=${() => ctx.select(key)}>
      ${label}
    </button>`;
  const chosen = ctx.accounts.some((a) => a.key === ctx.chosen) ? ctx.chosen : ALL_ACCOUNTS;
  return html`<div class="accounts" role="group" aria-label=${t("accounts.label")} data-chosen=${chosen}>
    ${chip(ALL_ACCOUNTS, t("accounts.all"), t("accounts.all_hint", { count: String(ctx.accounts.length) }))}
    ${ctx.accounts.map((a) => chip(a.key, accountLabel(a), a.key))}
  </div>`;
}

/** Energy, free share, cost, what the free hours saved, and the carbon figures of the shown range. */
export function renderTotals(data: LoadedRange, fmt: Formatters, t: LocalizeFunc): TemplateResult {
  const totals = data.totals;
  // Data still to come: the sums are "so far".
  const soFar = Boolean(data.pending);
  const money = (value: number | null) => (value === null ? "—" : fmt.money(value, data.currency));
  const item = (key: string, label: string | TemplateResult, value: string, sub?: string) =>
    html`<div class="total" data-total=${key}>
      <span class="label">${label}</span><span class="value">${value}</span>${sub ? html`<span class="sub">${sub}</span>` : nothing}
    </div>`;
  // How "Free hours saved" is worked out, on an info icon (hover, or focus for keyboard and touch).
  const price = totals.averagePaidPrice;
  const savedHint =
    price === null ? t("header.saved_hint_unknown") : t("header.saved_hint", { free: fmt.energy(totals.free), price: `${fmt.money(price, data.currency)}/kWh` });
  const savedLabel = html`${t("header.saved")}
    <span class="info" data-info="saved" role="img" tabindex="0" title=${savedHint} aria-label=${savedHint}
      ><svg viewBox="0 0 24 24" aria-hidden="true"><path d=${INFO_ICON} /></svg
    ></span>`;
  return html`<div class="totals">
    ${item("energy", t(soFar ? "header.energy_so_far" : "header.energy"), fmt.energy(totals.total))}
    ${item("free-share", t("header.free_share"), totals.freeShare === null ? "—" : fmt.percent(totals.freeShare), fmt.energy(totals.free))}
    ${item("cost", t(soFar ? "header.cost_so_far" : "header.cost"), money(totals.cost))} ${item("saved", savedLabel, money(totals.freeSaved))}
    ${renderCarbonTotal(data.carbonShown, fmt, t)}
  </div>`;
}

/** "Contact publishes 1–3 days late; last data Dec 1, 23:00" when the shown range runs past the provider's last data. */
export function renderPendingNote(data: LoadedRange, ctx: { provider: string | undefined; fmt: Formatters; t: LocalizeFunc; timeZone: string }): TemplateResult | typeof nothing {
  const pending = data.pending;
  if (!pending) return nothing;
  // The last hour (or day, month) with data, named by its start.
  const lastStart = pending.lastDataStart;
  const hourly = data.range.view === "hourly";
  const last = ctx.fmt.date(lastStart, hourly ? ctx.timeZone : data.range.timeZone, hourly ? { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" } : data.range.view === "daily" ? { day: "numeric", month: "short" } : { month: "short", year: "numeric" });
  const text = ctx.provider === "contact" ? ctx.t("header.pending_contact", { last }) : ctx.t("header.pending", { last });
  return html`<div class="pending-note" data-pending>${text}</div>`;
}

/** The hatched "not in yet" area over the plot: the slots from the last data up to now. */
export function renderPendingArea(data: LoadedRange, plot: PlotArea | undefined, t: LocalizeFunc): TemplateResult | typeof nothing {
  const pending = data.pending;
  if (!pending || !plot || !data.buckets.length) return nothing;
  const step = plot.width / data.buckets.length;
  const style = `left:${plot.left + pending.first * step}px;width:${pending.count * step}px;top:${plot.top}px;height:${plot.height}px`;
  return html`<div class="pending-area" data-pending-area style=${style} title=${t("header.pending_tooltip")} aria-hidden="true"></div>`;
}

/** What was looked for, and what to do next: check the ids, or get the backend to publish. */
export function renderEmpty(ctx: { missingIds: string[]; provider: string; backendNote: TemplateResult | typeof nothing; t: LocalizeFunc }): TemplateResult {
  const { t } = ctx;
  if (ctx.missingIds.length) {
    return html`<div class="state empty" data-state="empty" data-reason="unknown-ids">
      <div class="state-title">${t("state.unknown_title")}</div>
      <ul class="ids">
        ${ctx.missingIds.map((id) => html`<li><code>${id}</code></li>`)}
      </ul>
      <div>${t("state.unknown_text")}</div>
      <a href=${TROUBLESHOOTING_URL} target="_blank" rel="noreferrer">${t("state.troubleshooting_link")}</a>
    </div>`;
  }
  return html`<div class="state empty" data-state="empty" data-reason="none-found">
    <div class="state-title">${t("state.empty_title")}</div>
    <div>${t("state.empty_text", { pattern: accountIdPattern(ctx.provider) })}</div>
    ${ctx.backendNote}
    <div class="links">
      <a href=${TROUBLESHOOTING_URL} target="_blank" rel="noreferrer">${t("state.troubleshooting_link")}</a>
      <a href=${SETUP_URL} target="_blank" rel="noreferrer">${t("state.empty_link")}</a>
    </div>
  </div>`;
}

/** With `backend_url`: whether the backend has ever finished a sync, from its status. */
export function renderBackendNote(status: StatusResult | undefined, t: LocalizeFunc): TemplateResult | typeof nothing {
  if (!status) return nothing;
  const series = status.providers.flatMap((p) => p.series);
  const synced = series.some((x) => x.last_success !== null);
  const error = series.find((x) => x.last_error)?.last_error;
  return html`<div data-backend-note>${synced ? t("state.backend_synced") : error ? t("state.backend_failing", { message: error }) : t("state.backend_never")}</div>`;
}

export function renderError(message: string, t: LocalizeFunc, retry: () => void): TemplateResult {
  return html`<div class="state error" data-state="error" role="alert">
    <div>${t("state.error", { message })}</div>
    <div class="hint">${t("state.error_hint")}</div>
    <button class="retry" @click=${retry}>${t("state.retry")}</button>
  </div>`;
}

/** The hourly view's day labels, placed under ApexCharts' plot area (narrow plots label every k-th day). */
export function renderDayLabels(groups: LabelGroup[], plot: PlotArea | undefined, columns: number): TemplateResult | typeof nothing {
  if (!groups.length || !plot || !columns) return nothing;
  const step = plot.width / columns;
  // Days are labelled every k-th day, k from the widest day label ("Nov 27" needs more than "Apr 7"); six-hour marks only where they fit.
  const dayPx = widestLabelPx(groups.filter((g) => !g.hour).map((g) => g.text));
  const stride = dayLabelStride(24 * step, dayPx);
  return html`<div class="xlabels" aria-hidden="true">
    ${groups.map((g, i) => {
      if (i % stride.every !== 0) return nothing;
      const width = stride.every > 1 ? Math.min(stride.every * 24, columns - g.first) * step : g.count * step;
      const fits = width >= labelPx(g.text);
      return html`<span class="xlabel" style="left:${plot.left + g.first * step}px;width:${width}px">${fits ? g.text : ""}</span>`;
    })}
  </div>`;
}

/**
 * The daily and monthly views' column names, each centred under its column (as ApexCharts placed them),
 * as many as fit the plot's width without touching (labels.ts `pickColumnLabels`); none reaches past
 * the plot's right padding (4 px), so none is cut at the card's edge.
 */
export function renderColumnLabels(data: LoadedRange, names: string[], plot: PlotArea | undefined): TemplateResult | typeof nothing {
  if (!plot || !names.length || names.length !== data.buckets.length) return nothing;
  const picks = pickColumnLabels(data.buckets, data.range.view, data.range.timeZone, plot, plot.left + plot.width + 4, names);
  return html`<div class="xlabels" aria-hidden="true">
    ${picks.map((p) => html`<span class="xlabel column" data-column=${p.index} style="left:${p.left}px;width:${p.width}px">${names[p.index]}</span>`)}
  </div>`;
}

/** The card's own legend, the cleanest hours ahead, and the by-device view's notes. */
export function renderChartFooter(ctx: {
  data: LoadedRange;
  config: ResolvedCardConfig;
  byDevice: boolean;
  fmt: Formatters;
  t: LocalizeFunc;
  timeZone: string;
}): TemplateResult {
  const { data, config, t } = ctx;
  const stack = data.stack;
  const legend = stack
    ? stack.series.map((s) => [seriesName(s, { untracked: t("devices.untracked"), other: t("devices.other"), wholeHome: "" }), s.color])
    : [
        [t("series.free"), config.colors.free],
        [t("series.paid"), config.colors.paid],
        ...(config.showCost && data.totals.cost !== null ? [[t("series.cost"), config.colors.cost]] : []),
        ...(data.carbonShown && config.carbonOverlay === "line" && data.carbonShown.series.intensity.some((v) => v !== null)
          ? [[t(data.carbonShown.series.signal === "percentile" ? "carbon.signal" : "carbon.intensity"), CARBON_COLOR]]
          : []),
        // The compared period's faint area (chart/ghosts.ts draws it in the theme's secondary text colour).
        ...(data.compare ? [[t(data.compare.range.mode === "year" ? "compare.year" : "compare.previous"), "var(--secondary-text-color, #727272)"]] : []),
      ];
  const excess = stack ? stack.excess.filter((x) => x > 0).length : 0;
  return html`<div class="legend">
      ${legend.map(([name, color]) => html`<span class="key"><span class="dot" style="background:${color}"></span>${name}</span>`)}
    </div>
    ${renderCleanest(data.carbonShown, ctx.fmt, t, ctx.timeZone)}
    ${excess ? html`<div class="chart-note" data-excess-note>${t("devices.excess_note", { count: String(excess) })}</div>` : nothing}
    ${ctx.byDevice && !stack ? html`<div class="chart-note" data-no-devices>${t("devices.none")}</div>` : nothing}`;
}

/**
 * The chart area: a placeholder while loading or without data, the chart element, and under it the
 * day labels and the footer. The chart element stays in place while another view loads (hidden), so
 * its ApexCharts chart is updated, not created again.
 */
export function renderChartArea(ctx: {
  data: LoadedRange | undefined;
  status: CardStatus;
  plot: PlotArea | undefined;
  groups: LabelGroup[];
  /** The daily and monthly views' column names (empty for hourly). */
  columns: string[];
  config: ResolvedCardConfig;
  byDevice: boolean;
  fmt: Formatters;
  t: LocalizeFunc;
  timeZone: string;
  onDrawn: (ev: CustomEvent<ChartDrawn>) => void;
  onPlot: (plot: PlotArea) => void;
  onError: (message: string) => void;
}): TemplateResult | typeof nothing {
  const { data, fmt, t, plot } = ctx;
  if (ctx.status === "error" && !data) return nothing;
  const shown = data && data.buckets.length > 0 ? data : undefined;
  const label = shown ? `${t(`view.${shown.range.view}`)}: ${t("series.free")} ${fmt.energy(shown.totals.free)}, ${t("series.paid")} ${fmt.energy(shown.totals.paid)}` : "";
  return html`
    ${!data ? html`<div class="placeholder" data-state="loading">${t("state.loading")}</div>` : nothing}
    ${data && !shown ? html`<div class="placeholder" data-state="no-data">${t("state.no_data")}</div>` : nothing}
    <div class="chart-box" ?hidden=${!shown}>
      <energy-insights-chart
        class="chart"
        data-state=${ctx.status}
        role="img"
        aria-label=${label}
        @energy-insights-chart-drawn=${ctx.onDrawn}
        @energy-insights-chart-plot=${(ev: CustomEvent<PlotArea>) => ctx.onPlot(ev.detail)}
        @energy-insights-chart-error=${(ev: CustomEvent<{ message: string }>) => ctx.onError(ev.detail.message)}
      ></energy-insights-chart>
      ${shown ? renderPendingArea(shown, plot, t) : nothing}
    </div>
    ${shown
      ? html`${shown.range.view === "hourly" ? renderDayLabels(ctx.groups, plot, shown.buckets.length) : renderColumnLabels(shown, ctx.columns, plot)}
        ${renderChartFooter({ data: shown, config: ctx.config, byDevice: ctx.byDevice, fmt, t, timeZone: ctx.timeZone })}`
      : nothing}
  `;
}
