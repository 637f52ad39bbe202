/**
 * A OneMeter Cloud API on loopback (shared/reference/providers.md §2), for tests and the demo:
 * `Authorization: <key>`, the device with its last reading and diagnostics, 15-minute register
 * readings, hourly usages; readings reach the "cloud" in bursts (as when the reader syncs through
 * a phone), may be held back and delivered late, may use hex OBIS keys; faults can be switched at
 * runtime. Time comes from the given clock.
 */
import http from "node:http";
import { listenOnLoopback } from "../http.js";
import { DateTime } from "luxon";
import { hexObis } from "../../providers/onemeter/obis.js";
import type { Clock } from "../../time/clock.js";
import { DEFAULT_SIM_METERS, MeterRegisters, QUARTER_MS, SIM_ONEMETER_ZONE, type SimMeter } from "./data.js";

export const DEFAULT_SIM_ONEMETER_KEY = "sim-onemeter-api-key-0123456789";

export type OneMeterRoute = "device" | "devices" | "readings" | "usages";

export interface CountedFault {
  /** How many matching requests it hits; all of them until cleared when left out. */
  count?: number;
  on?: OneMeterRoute;
}

export interface OneMeterFaults {
  /** Every request gets 401, as if the key had been revoked. */
  unauthorized?: CountedFault;
  rateLimit?: CountedFault & { retryAfterSec: number };
  serverError?: CountedFault & { status: number };
  /** A 200 answer cut off mid-JSON. */
  malformedBody?: CountedFault;
}

export interface OneMeterSimulatorOptions {
  clock: Clock;
  port?: number;
  apiKey?: string;
  meters?: readonly SimMeter[];
  /** Readings reach the cloud in bursts this far apart (default 15 minutes: as they are taken). */
  deliveryEveryMs?: number;
  /** Write OBIS keys with hex groups (`F_8_0`). */
  hexKeys?: boolean;
  /**
   * The device's last reading is taken this often (default 15 minutes; 1 minute is OneMeter's
   * "DSR" mode). The register readings stay 15-minute ones; this moves the live values.
   */
  readoutEveryMs?: number;
  /** Instantaneous power (16.7.0, kW before the multiplier) at a readout; default a constant 0.41 kW. */
  powerKw?: (deviceId: string, atMs: number) => number;
}

export interface OneMeterRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The simulator clock's time when the request arrived. */
  at: number;
}

export interface OneMeterSimulator {
  url: string;
  apiKey: string;
  requestLog: OneMeterRequestLogEntry[];
  clearLog(): void;
  setFaults(faults: Partial<OneMeterFaults>): void;
  clearFaults(): void;
  /** Readings the cloud has at `nowMs`: up to the last delivery, minus those held back. */
  visibleUntil(nowMs: number): number;
  /** Readings taken in [fromMs, toMs) stay away until `deliver()`: a reader that could not sync. */
  holdBack(fromMs: number, toMs: number): void;
  /** Delivers held-back readings (a late burst). */
  deliver(): void;
  setDeliveryEvery(ms: number): void;
  setHexKeys(on: boolean): void;
  /** Changes what the device reports about itself. */
  setDiagnostics(id: string, d: Partial<Pick<SimMeter, "firmware" | "batteryVoltage" | "batteryPercent" | "meterErrors">>): void;
  /** Raw register values (before the multiplier) at a quarter, for tests. */
  registersAt(id: string, atMs: number): Record<string, number> | undefined;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  malformed?: boolean;
}

const UNAUTHORIZED: Answer = { status: 401, body: { status: "error", error: "Unauthorized", message: "Authorization failed", statusCode: 401 } };
const DEVICE_NOT_FOUND: Answer = { status: 404, body: { status: "error", error: "DeviceNotFound", message: "Device of given UUID not found" } };
const NO_READINGS: Answer = { status: 404, body: { status: "error", error: "NotFoundError", message: "No readings found" } };
const invalidQuery = (message: string): Answer => ({ status: 400, body: { status: "error", error: "InvalidQuery", message } });

export async function startOneMeterSimulator(opts: OneMeterSimulatorOptions): Promise<OneMeterSimulator> {
  const clock = opts.clock;
  const apiKey = opts.apiKey ?? DEFAULT_SIM_ONEMETER_KEY;
  const meters = new Map((opts.meters ?? DEFAULT_SIM_METERS).map((m) => [m.id, { ...m }]));
  const registers = new Map([...meters.values()].map((m) => [m.id, new MeterRegisters(m)]));
  let deliveryEveryMs = opts.deliveryEveryMs ?? QUARTER_MS;
  let hexKeys = opts.hexKeys ?? false;
  const readoutEveryMs = opts.readoutEveryMs ?? QUARTER_MS;
  let heldBack: { from: number; to: number }[] = [];
  let faults: OneMeterFaults = {};
  const requestLog: OneMeterRequestLogEntry[] = [];

  function take<K extends keyof OneMeterFaults>(name: K, route: OneMeterRoute): OneMeterFaults[K] {
    const fault: CountedFault | undefined = faults[name];
    if (!fault || (fault.on && fault.on !== route)) return undefined;
    if (fault.count !== undefined) faults = { ...faults, [name]: fault.count <= 1 ? undefined : { ...fault, count: fault.count - 1 } };
    return fault as OneMeterFaults[K];
  }

  const visibleUntil = (now: number): number => Math.floor(now / deliveryEveryMs) * deliveryEveryMs;
  const visible = (t: number, now: number): boolean => t <= visibleUntil(now) && t <= now && !heldBack.some((h) => t >= h.from && t < h.to);
  const key = (k: string): string => (hexKeys ? hexObis(k) : k);
  const scaled = (m: SimMeter, values: Record<string, number>, apply: boolean): Record<string, number> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [key(k), apply ? Math.round(v * m.multiplier * 100) / 100 : v]));

  /** The newest reading (taken every `step`) the cloud has. */
  function lastVisible(m: SimMeter, now: number, step = QUARTER_MS): number | undefined {
    for (let t = Math.floor(visibleUntil(now) / step) * step; t >= m.installedAt; t -= step) if (visible(t, now)) return t;
    return undefined;
  }

  function deviceBody(m: SimMeter, now: number): unknown {
    const regs = registers.get(m.id)!;
    const lastAt = lastVisible(m, now, readoutEveryMs);
    const values = lastAt === undefined ? undefined : regs.at(lastAt);
    const monthStart = (offset: number) => DateTime.fromMillis(now, { zone: SIM_ONEMETER_ZONE }).startOf("month").plus({ months: offset }).toMillis();
    const importAt = (t: number): number | undefined => {
      const q = Math.max(m.installedAt, Math.min(Math.floor(t / QUARTER_MS) * QUARTER_MS, lastAt ?? m.installedAt));
      const v = regs.at(q);
      return v ? (v["1_8_0"] ?? v["15_8_0"]) : undefined;
    };
    const usage = (from: number, to: number): number | null => {
      const a = importAt(from);
      const b = importAt(to);
      return a === undefined || b === undefined ? null : Math.round((b - a) * m.multiplier * 100) / 100;
    };
    const obis: Record<string, number | string> = {
      ...(values ? scaled(m, values, false) : {}),
      ...(lastAt !== undefined ? { [key("16_7_0")]: Math.round((opts.powerKw?.(m.id, lastAt) ?? 0.41) * 100) / 100 } : {}),
      [key("0_2_2")]: "G12",
      C_1_0: m.serial,
      F_F_0: m.meterErrors,
      S_1_1_2: m.batteryVoltage,
      ...(lastAt !== undefined ? { S_1_1_4: new Date(lastAt + 4000).toISOString() } : {}),
      S_1_1_6: 5120,
      S_1_1_7: 3,
    };
    return {
      _id: m.id,
      SN: m.serial,
      MAC: "C5:75:FA:57:A3:55",
      info: { name: m.name, GPSCoords: { latitude: 52.21, longitude: 21.01 }, location: {} },
      meteringPoint: { meterID: "PAF70691699" },
      config: { multiplier: m.multiplier, usageKeys: { activeEnergy: key("15_8_0") }, contract: {} },
      usageKey: key("15_8_0"),
      ...(lastAt !== undefined
        ? {
            lastReading: {
              date: new Date(lastAt).toISOString(),
              OBIS: obis,
              updatedAt: { [key("15_8_0")]: new Date(lastAt).toISOString() },
              BATTERY_VOLTAGE: m.batteryVoltage,
              BATTERY_STATUS: 0,
              BATTERY_PC: m.batteryPercent,
            },
          }
        : {}),
      initialReading: { date: new Date(m.installedAt).toISOString(), OBIS: scaled(m, regs.at(m.installedAt) ?? {}, false) },
      timezone: { name: SIM_ONEMETER_ZONE },
      hardware: { version: "4.5" },
      firmware: { currentVersion: m.firmware },
      disabled: false,
      tags: [],
      usage: { thisMonth: usage(monthStart(0), now), previousMonth: m.installedAt >= monthStart(0) ? null : usage(monthStart(-1), monthStart(0)) },
      meta: { [key("15_8_0")]: { unit: "kWh", category: "energy" } },
    };
  }

  function range(query: URLSearchParams): { from: number; to: number } | Answer {
    const from = Date.parse(query.get("from") ?? "");
    if (Number.isNaN(from)) return invalidQuery("No date query");
    const toText = query.get("to");
    const to = toText ? Date.parse(toText) : clock.now();
    if (Number.isNaN(to)) return invalidQuery("Invalid query params");
    return { from, to };
  }

  function readingsAnswer(m: SimMeter, query: URLSearchParams): Answer {
    const r = range(query);
    if ("status" in r) return r;
    const now = clock.now();
    const limit = Math.min(357_120, Number(query.get("limit") ?? 357_120) || 357_120);
    const skip = Number(query.get("skip") ?? 0) || 0;
    const apply = query.get("applyMultiplier") === "true";
    const regs = registers.get(m.id)!;
    const all: Record<string, number | string>[] = [];
    for (let t = Math.max(m.installedAt, Math.ceil(r.from / QUARTER_MS) * QUARTER_MS); t <= r.to; t += QUARTER_MS) {
      if (!visible(t, now)) continue;
      all.push({ ...scaled(m, regs.at(t)!, apply), date: new Date(t).toISOString() });
    }
    if (query.get("sort") === "descending") all.reverse();
    if (all.length === 0) return NO_READINGS;
    const page = all.slice(skip, skip + limit);
    const keys = m.registers.map(key);
    return { status: 200, body: { readings: page, meta: { keys, range: { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() }, count: all.length, OBIS: {} } } };
  }

  /** `export/usages/hour/data`: register differences per hour (usages), for whole visible hours. */
  function usagesAnswer(m: SimMeter, query: URLSearchParams): Answer {
    const r = range(query);
    if ("status" in r) return r;
    const now = clock.now();
    const regs = registers.get(m.id)!;
    const rows: Record<string, number | string>[] = [];
    for (let h = Math.max(m.installedAt, Math.ceil(r.from / 3_600_000) * 3_600_000); h + 3_600_000 <= r.to; h += 3_600_000) {
      if (!visible(h, now) || !visible(h + 3_600_000, now)) continue;
      const a = regs.at(h)!;
      const b = regs.at(h + 3_600_000)!;
      rows.push({ ...Object.fromEntries(Object.keys(a).map((k) => [key(k), Math.round((b[k]! - a[k]!) * m.multiplier * 100) / 100])), date: new Date(h).toISOString() });
    }
    return { status: 200, body: { readings: rows, meta: { keys: m.registers.map(key), count: rows.length } } };
  }

  function answer(method: string, url: URL, headers: http.IncomingHttpHeaders): Answer {
    const path = url.pathname.replace(/\/+$/, "");
    const route: OneMeterRoute = path === "/devices" ? "devices" : path.endsWith("/readings") ? "readings" : path.includes("/export/") ? "usages" : "device";
    if (take("unauthorized", route)) return UNAUTHORIZED;
    if (headers.authorization !== apiKey) return UNAUTHORIZED;
    const limited = take("rateLimit", route);
    if (limited) return { status: 429, body: { status: "error", error: "TooManyRequests", message: "Too many requests" }, headers: { "retry-after": String(limited.retryAfterSec) } };
    const failed = take("serverError", route);
    if (failed) return { status: failed.status, body: { status: "error", error: "InternalServerError", message: "Internal server error" } };
    if (method !== "GET") return { status: 405, body: { status: "error", error: "MethodNotAllowed", message: "Method not allowed" } };
    const malformed = take("malformedBody", route) !== undefined;
    const now = clock.now();
    let a: Answer;
    if (route === "devices") a = { status: 200, body: { devices: [...meters.values()].map((m) => deviceBody(m, now)) } };
    else {
      const match = /^\/devices\/([^/]+)(\/.*)?$/.exec(path);
      const id = match ? decodeURIComponent(match[1]!) : "";
      if (!/^[0-9a-f-]{36}$/i.test(id)) return invalidQuery("Invalid UUID");
      const m = meters.get(id);
      if (!m) return DEVICE_NOT_FOUND;
      const rest = match?.[2] ?? "";
      if (rest === "") a = { status: 200, body: deviceBody(m, now) };
      else if (rest === "/readings") a = readingsAnswer(m, url.searchParams);
      else if (rest === "/export/usages/hour/data") a = usagesAnswer(m, url.searchParams);
      else return { status: 404, body: { status: "error", error: "NotFound", message: "Not found" } };
    }
    return malformed && a.status === 200 ? { ...a, malformed: true } : a;
  }

  const server = http.createServer((req, res) => {
    const at = clock.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/api/")) url.pathname = url.pathname.slice(4);
    req.resume();
    req.on("end", () => {
      const a = answer(req.method ?? "GET", url, req.headers);
      requestLog.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: a.status, at });
      const text = JSON.stringify(a.body);
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(a.malformed ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text);
    });
  });
  const port = await listenOnLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}/api`,
    apiKey,
    requestLog,
    clearLog: () => void requestLog.splice(0),
    setFaults: (f) => void (faults = { ...faults, ...f }),
    clearFaults: () => void (faults = {}),
    visibleUntil,
    holdBack: (from, to) => void heldBack.push({ from, to }),
    deliver: () => void (heldBack = []),
    setDeliveryEvery: (ms) => void (deliveryEveryMs = ms),
    setHexKeys: (on) => void (hexKeys = on),
    setDiagnostics: (id, d) => {
      const m = meters.get(id);
      if (m) Object.assign(m, d);
    },
    registersAt: (id, atMs) => registers.get(id)?.at(atMs),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
