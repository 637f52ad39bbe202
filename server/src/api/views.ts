/** From the backend's own types to the API's (snake_case, ISO times). Pure. */
import type { DeviceProfile, EventStep } from "../correlate/types.js";
import type { SyncSummary } from "../service.js";
import type { OneMeterDiagnostics } from "../sync/onemeter-job.js";
import type { SyncState } from "../store/store.js";
import type { CarbonHealth } from "../sync/carbon-job.js";
import type { CorrelationView, DeviceView, ProviderHealth, OneMeterDeviceStatus, ProviderStatus, SyncRunResult } from "./protocol.js";

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** Sync states grouped by provider, in the store's order; carbon providers with their health. */
export function providerStatuses(states: readonly SyncState[], carbon: readonly CarbonHealth[] = []): ProviderStatus[] {
  const byProvider = new Map<string, ProviderStatus>();
  for (const s of states) {
    let p = byProvider.get(s.provider);
    if (!p) {
      p = { provider: s.provider, healthy: true, series: [] };
      byProvider.set(s.provider, p);
    }
    if (s.failures > 0) p.healthy = false;
    p.series.push({
      account: s.account,
      resolution: s.resolution,
      covered_from: s.coveredFrom || null,
      covered_to: s.coveredTo || null,
      last_success: isoOrNull(s.lastSuccess),
      last_attempt: isoOrNull(s.lastAttempt),
      consecutive_failures: s.failures,
      last_error: s.lastError,
    });
  }
  for (const h of carbon) {
    let p = byProvider.get(h.provider);
    if (!p) {
      p = { provider: h.provider, healthy: true, series: [] };
      byProvider.set(h.provider, p);
    }
    p.health = carbonHealthView(h);
    if (h.consecutiveFailures > 0 || h.stopped) p.healthy = false;
  }
  return [...byProvider.values()];
}

export function carbonHealthView(h: CarbonHealth): ProviderHealth {
  return {
    region: h.account,
    signal: h.signal,
    plan_scope: h.planScope,
    forecast: h.forecast,
    last_success: isoOrNull(h.lastSuccess),
    consecutive_failures: h.consecutiveFailures,
    success_rate: h.attempts > 0 ? Math.round((h.successes / h.attempts) * 1000) / 1000 : null,
    token_refreshes: h.tokenRefreshes,
    last_error: h.lastError,
    stopped: h.stopped,
  };
}

export function oneMeterDeviceStatus(deviceId: string, d: OneMeterDiagnostics | undefined, nextPollAt: number | undefined): OneMeterDeviceStatus {
  const status: OneMeterDeviceStatus["status"] = !d ? "unknown" : d.disabled ? "disabled" : d.meterErrors !== null && !/^0*$/.test(d.meterErrors) ? "meter_error" : "ok";
  return {
    device_id: deviceId,
    name: d?.name ?? null,
    serial: d?.serial ?? null,
    meter_serial: d?.meterSerial ?? null,
    firmware: d?.firmware ?? null,
    hardware: d?.hardware ?? null,
    status,
    battery_voltage: d?.batteryVoltage ?? null,
    battery_percent: d?.batteryPercent ?? null,
    meter_errors: d?.meterErrors ?? null,
    failed_readouts: d?.failedReadouts ?? null,
    last_reading: isoOrNull(d?.lastReadingAt),
    power_kw: d?.powerKw ?? null,
    tariff: d?.tariff ?? null,
    usage_this_month_kwh: d?.usageThisMonthKwh ?? null,
    usage_previous_month_kwh: d?.usagePreviousMonthKwh ?? null,
    last_poll: isoOrNull(d?.fetchedAt),
    next_poll: isoOrNull(nextPollAt),
  };
}

export function deviceView(p: DeviceProfile, currency: string | null, periodDays: number | null = null): DeviceView {
  return {
    entity_id: p.entityId,
    state: p.state,
    status: p.status,
    power_w: p.powerW,
    standard_error_w: p.standardErrorW,
    confidence: p.confidence,
    events: p.events,
    seen_events: p.seenEvents,
    on_time_h: p.onTimeH,
    energy_kwh: p.energyKwh,
    cost: p.cost,
    currency: p.cost === null ? null : currency,
    period_days: periodDays === null ? null : Math.round(periodDays * 1000) / 1000,
    level: p.level,
    energy_from: p.energyFrom,
    step_w: p.stepW,
    range_w: p.range === null ? null : { low: p.range.lowW, high: p.range.highW },
    phases: p.phases.map((x) => ({ power_w: x.powerW, minutes_per_run: x.minutesPerRun })),
    kwh_per_run: p.kwhPerRun,
    published: p.published,
  };
}

export function correlationView(s: EventStep): CorrelationView {
  return {
    time: new Date(s.t).toISOString(),
    entity_id: s.entityId,
    from: s.from,
    to: s.to,
    kind: s.kind,
    state: s.state,
    step_w: s.stepW,
    before_w: s.preW,
    after_w: s.postW,
    lag_s: s.lagS,
    accepted: s.accepted,
    reason: s.reason,
    conflict_with: s.conflictWith,
  };
}

export function syncRunResult(s: SyncSummary): SyncRunResult {
  return {
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    ok: s.ok,
    errors: [...s.errors],
    published: s.published.map((p) => ({ statistic_id: p.statisticId, rows: p.rowsSent })),
  };
}
