/**
 * The correlations panel under the chart: learned devices (power, confidence, events, energy and
 * cost) and recent events with their power step, from the backend API. Rendering only; the data
 * comes from {@link BackendPanelController}.
 */
import { css, html, nothing, type TemplateResult } from "lit";
import type { Formatters } from "../common/format.js";
import type { CorrelationView, DeviceView } from "../data/backend.js";
import type { HomeAssistant } from "../ha-types.js";
import type { LocalizeFunc } from "../localize/localize.js";
import type { BackendPanelController } from "./controller.js";
import { renderMeters } from "./meter-health.js";

export interface DeviceFigures {
  power: string;
  confidence: string;
  events: string;
  energy: string;
  cost: string;
  /** Why the cost is "—" though the energy is known (no price); undefined otherwise. */
  costNote?: string;
}

/**
 * What one device row shows. `periodDays`: the days the energy was learned over; null when unknown,
 * and then energy and cost are the totals (the panel says so).
 */
export function deviceFigures(d: DeviceView, fmt: Formatters, periodDays: number | null, fallbackCurrency?: string, t?: LocalizeFunc): DeviceFigures {
  const per = (value: number) => (periodDays && periodDays > 0 ? value / periodDays : value);
  return {
    power: d.power_w === null ? "—" : `${fmt.number(d.power_w, Math.abs(d.power_w) >= 100 ? 0 : 1)} W`,
    confidence: fmt.percent(d.confidence),
    events: d.seen_events > d.events ? `${d.events}/${d.seen_events}` : String(d.events),
    energy: d.energy_kwh === null ? "—" : fmt.energy(per(d.energy_kwh)),
    // The backend knows the currency only from a provider's prices; HA's own currency is the next best.
    cost: d.cost === null ? "—" : fmt.money(per(d.cost), d.currency ?? fallbackCurrency),
    // Energy without a cost: the backend has no price (no Contact account, or none of its prices yet).
    ...(d.cost === null && d.energy_kwh !== null && t ? { costNote: t("panel.cost_unknown") } : {}),
  };
}

/** Power in words' units: "1.9 kW", "650 W", "8.5 W". */
export function formatPower(w: number, fmt: Formatters): string {
  const a = Math.abs(w);
  if (a >= 1000) return `${fmt.number(w / 1000, a >= 10_000 ? 0 : 1)} kW`;
  return `${fmt.number(w, a >= 10 ? 0 : 1)} W`;
}

/**
 * What a device draws, in words a user reads at a glance, and how sure that is: "60 W whenever on;
 * sure to within 5 %", or for a device whose power varies "about 650 W on average, 450 W–820 W a run;
 * 2 kW for 20 min, 15 W for 25 min a run; 0.72 kWh a run; an estimate from what it used while on", or
 * for one switched on at idle and off at any level "about 118 W on average, between 80 W and 190 W; an
 * estimate from the levels it was switched off at and what its runs used" (its mean weighs its switch-offs
 * against its runs, or comes from its runs where its switch-offs could not say it).
 */
export function deviceSummary(d: DeviceView, fmt: Formatters, t: LocalizeFunc): string {
  // Too few events yet is not the same as "cannot be attributed": a new attribute level (a light's
  // first dim, a heat pump's first "heating") is unpublished only because it is still learning.
  if (d.status === "learning") return t("panel.summary_learning");
  if (d.published === false) return t("panel.summary_unpublished");
  if (d.power_w === null) return t("panel.summary_learning");
  const p = (w: number) => formatPower(w, fmt);
  const range = d.range_w ?? null;
  const parts: string[] = [];
  if (d.energy_from === "while-on") {
    parts.push(range ? t("panel.summary_varying", { power: p(d.power_w), low: p(range.low), high: p(range.high) }) : p(d.power_w));
    const phases = d.phases ?? [];
    if (phases.length > 1) parts.push(t("panel.summary_phases", { phases: phases.map((x) => t("panel.summary_phase", { power: p(x.power_w), minutes: fmt.number(x.minutes_per_run, 0) })).join(", ") }));
    if (d.kwh_per_run !== null && d.kwh_per_run !== undefined) parts.push(t("panel.summary_per_run", { energy: fmt.energy(d.kwh_per_run) }));
    parts.push(t("panel.summary_while_on"));
  } else if (d.energy_from === "switch-offs") {
    parts.push(range ? t("panel.summary_levels", { power: p(d.power_w), low: p(Math.max(0, range.low)), high: p(range.high) }) : p(d.power_w));
    parts.push(t("panel.summary_switch_offs"));
  } else {
    parts.push(t("panel.summary_steady", { power: p(d.power_w) }));
    parts.push(d.status === "confident" ? t("panel.summary_sure") : range ? t("panel.summary_range", { low: p(Math.max(0, range.low)), high: p(range.high) }) : t("panel.summary_estimate"));
  }
  return parts.join("; ");
}

/** "+1,234 W" / "−1,230 W" / "—". */
export function formatStep(stepW: number | null, fmt: Formatters): string {
  if (stepW === null) return "—";
  const text = fmt.number(Math.abs(stepW), Math.abs(stepW) >= 100 ? 0 : 1);
  return `${stepW < 0 ? "−" : "+"}${text} W`;
}

export function deviceName(hass: HomeAssistant | undefined, entityId: string): string {
  const name = hass?.states?.[entityId]?.attributes?.friendly_name;
  return typeof name === "string" && name ? name : entityId;
}

export interface PanelContext {
  t: LocalizeFunc;
  fmt: Formatters;
  hass: HomeAssistant | undefined;
  timeZone: string;
  /** Whether the chart shows hours (the only view that marks events). */
  hourly: boolean;
  /** How many of the selected device's events fall in the chart's columns (those are the ones marked). */
  marked?: number;
  onSelect(entityId: string): void;
}

export function renderPanel(ctrl: BackendPanelController, ctx: PanelContext): TemplateResult | typeof nothing {
  if (ctrl.state === "off") return nothing;
  const { t } = ctx;
  return html`<div class="panel" data-panel=${ctrl.state}>
    <div class="panel-title">${t("panel.title")}</div>
    ${ctrl.state === "ready" ? renderReady(ctrl, ctx) : renderProblem(ctrl, t)}
  </div>`;
}

function renderProblem(ctrl: BackendPanelController, t: LocalizeFunc): TemplateResult {
  const url = ctrl.url ?? "";
  const message = ctrl.message ?? "";
  const text =
    ctrl.state === "connecting"
      ? t("panel.connecting")
      : ctrl.state === "unreachable"
        ? t("panel.unreachable", { url })
        : ctrl.state === "auth_refused"
          ? t("panel.auth_refused", { url, message })
          : t("panel.error", { message });
  const alert = ctrl.state !== "connecting";
  return html`<div class="panel-state ${alert ? "warn" : ""}" role=${alert ? "alert" : "status"}>
    <span>${text}</span>
    ${alert ? html`<button class="panel-retry" @click=${() => ctrl.retry()}>${t("state.retry")}</button>` : nothing}
  </div>`;
}

function renderReady(ctrl: BackendPanelController, ctx: PanelContext): TemplateResult {
  return html`${renderMeters(ctrl.status?.onemeter, ctrl.status?.now, ctx.t, ctx.fmt)}${renderDevices(ctrl, ctx)}`;
}

function renderDevices(ctrl: BackendPanelController, ctx: PanelContext): TemplateResult {
  const { t, fmt, hass } = ctx;
  const devices = ctrl.devices ?? [];
  const correlation = ctrl.status?.correlation;
  if (!devices.length) {
    const text = correlation && !correlation.enabled ? t("panel.learning_off") : t("panel.no_devices");
    return html`<div class="panel-state" data-empty>
      <span>${text}</span>
      ${(correlation?.problems ?? []).map((p) => html`<span class="panel-note">${p}</span>`)}
    </div>`;
  }
  // Per day once a day is recorded; before that (or from an older backend that does not say) totals, and the note says which.
  const recordedDays = devices.find((d) => typeof d.period_days === "number")?.period_days ?? null;
  const periodDays = recordedDays !== null && recordedDays >= 1 ? recordedDays : null;
  const selectedName = ctrl.selected ? deviceName(hass, ctrl.selected) : "";
  const marked = ctx.marked ?? ctrl.selectedEvents?.length ?? 0;
  return html`
    <table class="devices">
      <thead>
        <tr>
          <th>${t("panel.device")}</th>
          <th>${t("panel.power")}</th>
          <th>${t("panel.confidence")}</th>
          <th>${t("panel.events")}</th>
          <th>${periodDays ? t("panel.energy_day") : t("panel.energy_total")}</th>
          <th>${periodDays ? t("panel.cost_day") : t("panel.cost_total")}</th>
          <th>${t("panel.summary")}</th>
        </tr>
      </thead>
      <tbody>
        ${devices.map((d) => {
          const f = deviceFigures(d, fmt, periodDays, hass?.config?.currency, t);
          const selected = d.entity_id === ctrl.selected;
          return html`<tr class="device ${selected ? "selected" : ""} ${d.status}" data-entity=${d.entity_id} data-state=${d.state}>
            <td>
              <button class="device-select" aria-pressed=${selected ? "true" : "false"} @click=${() => ctx.onSelect(d.entity_id)}>
                ${deviceName(hass, d.entity_id)}${d.state !== "on" || d.level ? html` <span class="sub">(${[d.state !== "on" ? d.state : "", d.level ?? ""].filter(Boolean).join(", ")})</span>` : nothing}
              </button>
              ${d.status === "learning" ? html`<span class="sub">${t("panel.learning")}</span>` : nothing}
            </td>
            <td data-col="power" data-label=${t("panel.power")}>${f.power}</td>
            <td data-col="confidence" data-label=${t("panel.confidence")}>${f.confidence}</td>
            <td data-col="events" data-label=${t("panel.events")}>${f.events}</td>
            <td data-col="energy" data-label=${periodDays ? t("panel.energy_day") : t("panel.energy_total")}>${f.energy}</td>
            <td data-col="cost" data-label=${periodDays ? t("panel.cost_day") : t("panel.cost_total")} title=${f.costNote ?? nothing}>${f.cost}</td>
            <td data-col="summary" class="summary">${deviceSummary(d, fmt, t)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${periodDays
      ? html`<div class="panel-note" data-period-days>${t("panel.period_days", { days: fmt.number(periodDays, periodDays >= 10 || Number.isInteger(periodDays) ? 0 : 1) })}</div>`
      : recordedDays !== null
        ? html`<div class="panel-note" data-period-short>${t("panel.period_short", { hours: fmt.number(recordedDays * 24, 0) })}</div>`
        : html`<div class="panel-note" data-period-unknown>${t("panel.period_unknown")}</div>`}
    <div class="panel-note" data-marks>
      ${ctrl.selected
        ? ctx.hourly
          ? t("panel.marked", { count: String(marked), name: selectedName })
          : t("panel.hourly_only")
        : t("panel.select_hint")}
    </div>
    ${renderEvents(ctrl.events ?? [], ctx)}
  `;
}

function renderEvents(events: readonly CorrelationView[], ctx: PanelContext): TemplateResult {
  const { t, fmt, hass, timeZone } = ctx;
  const recent = [...events].reverse().slice(0, 10);
  return html`<div class="panel-subtitle">${t("panel.recent")}</div>
    ${recent.length
      ? html`<ul class="events">
          ${recent.map(
            (e) =>
              html`<li class="event ${e.accepted ? "" : "rejected"}" data-entity=${e.entity_id}>
                <span class="when">${fmt.date(Date.parse(e.time), timeZone, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" })}</span>
                <span class="what">${deviceName(hass, e.entity_id)}: ${e.from} → ${e.to}</span>
                <span class="step" data-step>${formatStep(e.step_w, fmt)}</span>
                ${e.accepted ? nothing : html`<span class="sub">${t("panel.not_counted", { reason: e.reason ?? "" })}</span>`}
              </li>`,
          )}
        </ul>`
      : html`<div class="panel-note">${t("panel.no_events")}</div>`}`;
}

export const panelStyles = css`
  .panel {
    container-type: inline-size;
    margin-top: 8px;
    border-top: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
    padding-top: 6px;
    font-size: 0.9em;
  }
  .panel-title {
    font-weight: 500;
    margin-bottom: 4px;
  }
  .panel-subtitle {
    font-weight: 500;
    margin: 8px 0 2px;
  }
  .panel-state {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 12px;
    color: var(--secondary-text-color);
  }
  .panel-state.warn {
    color: var(--warning-color, #ffa600);
  }
  .panel-note,
  .sub {
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .panel-note {
    display: block;
    margin-top: 4px;
  }
  .devices {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  .devices th {
    font-weight: 400;
    font-size: 0.85em;
    color: var(--secondary-text-color);
    text-align: right;
  }
  .devices td {
    text-align: right;
    padding: 2px 4px;
  }
  .devices th:first-child,
  .devices td:first-child {
    text-align: left;
  }
  /* Narrower than the table's seven columns (a phone): each device a block, its figures labelled and wrapping. */
  @container (max-width: 560px) {
    .devices thead {
      display: none;
    }
    .devices,
    .devices tbody {
      display: block;
    }
    .devices tr {
      display: flex;
      flex-wrap: wrap;
      gap: 0 12px;
      padding: 4px 0;
      border-bottom: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
    }
    .devices td {
      display: block;
      text-align: left;
      padding: 0;
    }
    .devices td:first-child,
    .devices td.summary {
      flex-basis: 100%;
    }
    .devices td[data-label]::before {
      content: attr(data-label) " ";
      font-size: 0.85em;
      color: var(--secondary-text-color);
    }
  }
  .device.selected td {
    background: rgba(127, 127, 127, 0.12);
  }
  .device.learning td {
    color: var(--secondary-text-color);
  }
  .device-select {
    border: none;
    padding: 0;
    text-align: left;
    color: var(--primary-color, #03a9f4);
  }
  .events {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .event {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 8px;
  }
  .event .when {
    color: var(--secondary-text-color);
  }
  .event .step {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
  }
  .event.rejected {
    opacity: 0.7;
  }
  .meters {
    list-style: none;
    margin: 0 0 6px;
    padding: 0;
  }
  .meter {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 10px;
    color: var(--secondary-text-color);
    font-variant-numeric: tabular-nums;
  }
  .meter-name {
    color: var(--primary-text-color);
  }
  .meter.warn,
  .meter.warn .meter-name {
    color: var(--warning-color, #ffa600);
  }
  .meter-part.bad {
    font-weight: 500;
  }
`;
