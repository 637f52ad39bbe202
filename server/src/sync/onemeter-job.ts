/**
 * One poll of one OneMeter device: the device (diagnostics, last reading, monthly usage), then the
 * register readings the store does not have yet, stored as cumulative snapshots. The first poll
 * backfills `backfill_days` week by week with progress; later polls fetch only when the cloud has
 * something newer, re-reading a trailing day so readings delivered late (the reader syncs through
 * a phone or a gateway, in bursts) are upserted and the sums recomputed from them.
 */
import type { Logger } from "pino";
import * as z from "zod";
import { stateCell } from "../store/state.js";
import { oneMeterRegisterSeries, PROVIDER } from "../statistics/ids.js";
import { ProviderError, type ProviderErrorKind } from "../providers/errors.js";
import type { OneMeterDevice, OneMeterReading } from "../providers/onemeter/client.js";
import type { PowerSample } from "../correlate/types.js";
import type { SeriesReading, Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";

export const ONEMETER = PROVIDER.onemeter;
const DAY_MS = 86_400_000;
/** Readings asked for per backfill request. */
export const ONEMETER_WINDOW_MS = 7 * DAY_MS;
/** Re-read this much before the newest stored reading, to pick up readings delivered late. */
export const ONEMETER_TAIL_MS = DAY_MS;
/** Even when the last reading has not moved, re-read the tail this often (a burst may fill an older gap). */
const TAIL_REFRESH_MS = 3_600_000;

/** The part of the OneMeter client a poll needs (the real client, or a test double). */
export interface OneMeterApi {
  device(deviceId: string): Promise<OneMeterDevice>;
  readings(deviceId: string, fromMs: number, toMs: number): Promise<OneMeterReading[]>;
}

/** What `status` shows about a device: its own diagnostics, as of the last successful poll. */
const nullableString = z.string().nullable();
const nullableNumber = z.number().nullable();
const diagnosticsSchema = z.object({
  deviceId: z.string(),
  fetchedAt: z.number(),
  name: nullableString,
  serial: nullableString,
  meterSerial: nullableString,
  meterId: nullableString,
  firmware: nullableString,
  hardware: nullableString,
  disabled: z.boolean(),
  multiplier: z.number(),
  batteryVoltage: nullableNumber,
  batteryPercent: nullableNumber,
  batteryStatus: nullableNumber,
  /** The meter's error register (F_F_0), as the device reports it. */
  meterErrors: nullableString,
  failedReadouts: nullableNumber,
  lastReadingAt: nullableNumber,
  /** Instantaneous power (16.7.0, else 1.7.0 − 2.7.0), kW with the multiplier applied. */
  powerKw: nullableNumber,
  tariff: nullableString,
  usageThisMonthKwh: nullableNumber,
  usagePreviousMonthKwh: nullableNumber,
});
export type OneMeterDiagnostics = z.infer<typeof diagnosticsSchema>;

/** What the store keeps per device besides its readings, each under one typed cell. */
const state = {
  diagnostics: (deviceId: string) => stateCell(`${ONEMETER}:diagnostics:${deviceId}`, diagnosticsSchema),
  registers: (deviceId: string) => stateCell(`${ONEMETER}:registers:${deviceId}`, z.array(z.string())),
  /** The newest reading stored (ms): the next poll reads from a tail before it. */
  cursor: (deviceId: string) => stateCell(`${ONEMETER}:cursor:${deviceId}`, z.number()),
  /** When the tail before the cursor was last read again (ms). */
  tailAt: (deviceId: string) => stateCell(`${ONEMETER}:tail_at:${deviceId}`, z.number()),
  /** The oldest time (ms) whose readings have been asked for. */
  coveredFrom: (deviceId: string) => stateCell(`${ONEMETER}:covered_from:${deviceId}`, z.number()),
};

export interface OneMeterPollResult {
  deviceId: string;
  ok: boolean;
  requests: number;
  readings: number;
  /** Earliest reading time (ms) stored by this poll: statistics from its hour on may have changed. */
  changedFrom: number | undefined;
  error?: string;
  errorKind?: ProviderErrorKind;
  /** The device's instantaneous power at its last reading (W, multiplier applied), when it reports one. */
  power?: PowerSample;
}

export interface OneMeterPollDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  backfillDays: number;
  /** `backfill --from`: also read readings from here (epoch ms) up to the oldest already read. */
  backfillFromMs?: number;
  /** Called before each readings request: how many are done, how many are planned, and what is next. */
  onRequest?: (done: number, planned: number, what: string) => void;
}

/** Whether readings of this device have been stored (false on a first start or a rebuilt cache). */
export function hasReadings(store: Store, deviceId: string): boolean {
  return state.cursor(deviceId).get(store) !== undefined;
}

export function readDiagnostics(store: Store, deviceId: string): OneMeterDiagnostics | undefined {
  return state.diagnostics(deviceId).get(store);
}

/** Registers this device has delivered so far (normalised keys). */
export function storedRegisters(store: Store, deviceId: string): string[] {
  return state.registers(deviceId).get(store) ?? [];
}

export async function pollOneMeterDevice(api: OneMeterApi, deviceId: string, deps: OneMeterPollDeps): Promise<OneMeterPollResult> {
  const { store, clock, log } = deps;
  const result: OneMeterPollResult = { deviceId, ok: true, requests: 0, readings: 0, changedFrom: undefined };
  const at = clock.now();
  try {
    result.requests += 1;
    const device = await api.device(deviceId);
    state.diagnostics(deviceId).set(store, diagnostics(device, at));
    const watts = device.lastReading ? oneMeterPowerW(device.lastReading, device.multiplier) : null;
    if (device.lastReading && watts !== null) result.power = { t: device.lastReading.at, w: watts };
    store.recordSync(ONEMETER, deviceId, "device", { at, ok: true, from: "", to: "" });

    const cursor = state.cursor(deviceId).get(store);
    const lastTail = state.tailAt(deviceId).get(store) ?? 0;
    const newest = device.lastReading?.at;
    if (newest === undefined) return result;
    const covered = state.coveredFrom(deviceId).get(store);
    const older: [number, number][] = [];
    if (deps.backfillFromMs !== undefined && covered !== undefined && deps.backfillFromMs < covered) {
      for (let s = deps.backfillFromMs; s < covered; s += ONEMETER_WINDOW_MS) older.push([s, Math.min(covered, s + ONEMETER_WINDOW_MS) - 1]);
    }
    const moved = cursor === undefined || newest > cursor;
    if (!moved && older.length === 0 && at - lastTail < TAIL_REFRESH_MS) return result;

    const firstFrom = Math.min(newest, at - deps.backfillDays * DAY_MS, deps.backfillFromMs ?? Number.POSITIVE_INFINITY);
    const from = cursor === undefined ? firstFrom : Math.max(0, Math.min(cursor, newest) - ONEMETER_TAIL_MS);
    const windows: [number, number][] = [...older];
    for (let s = from; s <= newest; s += ONEMETER_WINDOW_MS) windows.push([s, Math.min(newest, s + ONEMETER_WINDOW_MS - 1)]);
    for (const [i, [wFrom, wTo]] of windows.entries()) {
      deps.onRequest?.(i, windows.length, `${deviceId} readings ${new Date(wFrom).toISOString()}..${new Date(wTo).toISOString()}`);
      result.requests += 1;
      const readings = await api.readings(deviceId, wFrom, wTo);
      // The readings, the cursor and the health move together: a kill never leaves a cursor past what is stored.
      const stored = store.transaction(() => {
        const stored = storeReadings(store, deviceId, readings, device.multiplier);
        const reached = Math.max(state.cursor(deviceId).get(store) ?? 0, stored.last ?? 0);
        if (reached > 0) state.cursor(deviceId).set(store, reached);
        store.recordSync(ONEMETER, deviceId, "hour", { at, ok: true, from: isoDay(wFrom), to: isoDay(stored.last ?? wTo) });
        return stored;
      });
      result.readings += stored.count;
      if (stored.first !== undefined) result.changedFrom = Math.min(result.changedFrom ?? stored.first, stored.first);
    }
    store.transaction(() => {
      state.tailAt(deviceId).set(store, at);
      state.coveredFrom(deviceId).set(store, Math.min(covered ?? from, windows[0]?.[0] ?? from));
    });
    if (windows.length > 1 || result.readings > 0) log.info({ provider: ONEMETER, device: deviceId, requests: result.requests, readings: result.readings }, "OneMeter readings fetched");
    return result;
  } catch (err) {
    result.ok = false;
    result.error = err instanceof Error ? err.message : String(err);
    if (err instanceof ProviderError) result.errorKind = err.kind;
    store.recordSync(ONEMETER, deviceId, result.requests > 1 ? "hour" : "device", { at, ok: false, error: result.error });
    return result;
  }
}

function storeReadings(store: Store, deviceId: string, readings: readonly OneMeterReading[], multiplier: number): { count: number; first?: number; last?: number } {
  const rows: SeriesReading[] = [];
  const registers = new Set(storedRegisters(store, deviceId));
  const before = registers.size;
  let first: number | undefined;
  let last: number | undefined;
  for (const r of readings) {
    let any = false;
    for (const [register, value] of Object.entries(r.energy)) {
      rows.push({ series: oneMeterRegisterSeries(deviceId, register), resolution: "hour", start: Math.round(r.at / 1000), value: Math.round(value * multiplier * 1e6) / 1e6 });
      registers.add(register);
      any = true;
    }
    if (!any) continue;
    first = Math.min(first ?? r.at, r.at);
    last = Math.max(last ?? r.at, r.at);
  }
  store.transaction(() => {
    store.upsertReadings(rows);
    if (registers.size !== before) state.registers(deviceId).set(store, [...registers].sort());
  });
  return { count: readings.length, ...(first !== undefined ? { first } : {}), ...(last !== undefined ? { last } : {}) };
}

function diagnostics(d: OneMeterDevice, at: number): OneMeterDiagnostics {
  const r = d.lastReading;
  const watts = r ? oneMeterPowerW(r, d.multiplier) : null;
  return {
    deviceId: d.id,
    fetchedAt: at,
    name: d.name,
    serial: d.serial,
    meterSerial: r?.meterSerial ?? null,
    meterId: d.meterId,
    firmware: d.firmware,
    hardware: d.hardware,
    disabled: d.disabled,
    multiplier: d.multiplier,
    batteryVoltage: d.batteryVoltage,
    batteryPercent: d.batteryPercent,
    batteryStatus: d.batteryStatus,
    meterErrors: r?.meterErrors ?? null,
    failedReadouts: r?.failedReadouts ?? null,
    lastReadingAt: d.lastReading?.at ?? null,
    powerKw: watts === null ? null : Math.round(watts * 1e3) / 1e6,
    tariff: r?.tariff ?? null,
    usageThisMonthKwh: d.usageThisMonthKwh,
    usagePreviousMonthKwh: d.usagePreviousMonthKwh,
  };
}

/** A reading's instantaneous power in W with the device's multiplier applied; null when the meter gives none. */
export function oneMeterPowerW(reading: Pick<OneMeterReading, "powerKw">, multiplier: number): number | null {
  return reading.powerKw === null ? null : Math.round(reading.powerKw * multiplier * 1e6) / 1e3;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
