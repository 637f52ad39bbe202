/**
 * One compact health line per OneMeter reader in the devices panel, from `status.onemeter`:
 * status, battery, age of the last reading, power now, usage this and last month; a warning when
 * the battery is low, the status is not ok, or the last reading is old. Ages are measured from the
 * backend's `now`, so a browser with a wrong clock does not raise false alarms.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { Formatters } from "../common/format.js";
import type { StatusResult } from "../data/backend.js";
import type { LocalizeFunc } from "../localize/localize.js";

export type MeterStatus = NonNullable<StatusResult["onemeter"]>[number];

/** Below this battery level the reader needs attention soon. */
export const LOW_BATTERY_PERCENT = 20;
/** A last reading older than this means the reader has stopped reaching the cloud. */
export const STALE_READING_MS = 2 * 3600_000;

export type MeterWarning = "status" | "battery" | "stale";

export interface MeterHealth {
  name: string;
  status: MeterStatus["status"];
  /** Milliseconds since the last reading, null when there is none. */
  ageMs: number | null;
  warnings: MeterWarning[];
}

export function meterHealth(m: MeterStatus, nowMs: number): MeterHealth {
  const readAt = m.last_reading === null ? Number.NaN : Date.parse(m.last_reading);
  const ageMs = Number.isFinite(readAt) && Number.isFinite(nowMs) ? Math.max(0, nowMs - readAt) : null;
  const warnings: MeterWarning[] = [];
  if (m.status !== "ok") warnings.push("status");
  if (m.battery_percent !== null && m.battery_percent < LOW_BATTERY_PERCENT) warnings.push("battery");
  if (m.status !== "unknown" && (ageMs === null || ageMs > STALE_READING_MS)) warnings.push("stale");
  return { name: m.name ?? m.device_id, status: m.status, ageMs, warnings };
}

/** "just now", "25 min ago", "3 h ago", "2 d ago". */
export function formatAge(ms: number, t: LocalizeFunc): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t("panel.age_now");
  if (minutes < 120) return t("panel.age_min", { n: String(minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("panel.age_h", { n: String(hours) });
  return t("panel.age_d", { n: String(Math.floor(hours / 24)) });
}

const STATUS_KEY = { ok: "panel.meter_ok", meter_error: "panel.meter_error", disabled: "panel.meter_disabled", unknown: "panel.meter_unknown" } as const;

export function renderMeters(meters: readonly MeterStatus[] | undefined, nowIso: string | undefined, t: LocalizeFunc, fmt: Formatters): TemplateResult | typeof nothing {
  if (!meters || meters.length === 0) return nothing;
  const now = nowIso ? Date.parse(nowIso) : Date.now();
  return html`<ul class="meters">
    ${meters.map((m) => {
      const h = meterHealth(m, now);
      const warn = h.warnings.length > 0;
      const parts: { col: string; text: string }[] = [
        { col: "status", text: t(STATUS_KEY[h.status]) },
        ...(m.battery_percent !== null ? [{ col: "battery", text: t("panel.meter_battery", { value: `${fmt.number(m.battery_percent, 0)} %` }) }] : []),
        { col: "reading", text: h.ageMs === null ? t("panel.meter_no_reading") : t("panel.meter_reading", { age: formatAge(h.ageMs, t) }) },
        ...(m.power_kw !== null ? [{ col: "power", text: t("panel.meter_power", { value: `${fmt.number(m.power_kw, 2)} kW` }) }] : []),
        ...(m.usage_this_month_kwh !== null ? [{ col: "this-month", text: t("panel.meter_this_month", { value: fmt.energy(m.usage_this_month_kwh) }) }] : []),
        ...(m.usage_previous_month_kwh !== null ? [{ col: "previous-month", text: t("panel.meter_previous_month", { value: fmt.energy(m.usage_previous_month_kwh) }) }] : []),
      ];
      return html`<li class="meter ${warn ? "warn" : ""}" data-meter=${m.device_id} data-warnings=${h.warnings.join(" ")} role=${warn ? "alert" : nothing}>
        <span class="meter-name">OneMeter ${h.name}</span>
        ${parts.map((p) => html`<span class="meter-part ${p.col === "battery" && h.warnings.includes("battery") ? "bad" : ""}" data-col=${p.col}>${p.text}</span>`)}
      </li>`;
    })}
  </ul>`;
}
