/**
 * An Electricity Maps API v3 on loopback (shared/reference/providers.md §4), for tests and the demo:
 * `auth-token` keys (401 `{"error":"Invalid auth-token"}` otherwise), zones or lat/lon, `latest`,
 * `history` (the last 24 hours only), `forecast` only for keys whose plan has it (403 otherwise),
 * unknown zones 404 `{"error":…}`, and switchable faults. Values are deterministic (`intensityAt`).
 */
import http from "node:http";
import type { Clock } from "../../time/clock.js";
import { listenOnLoopback, sendAnswer } from "../http.js";

export const ELECTRICITY_MAPS_SIM_TOKEN = "em-free-key";
export const ELECTRICITY_MAPS_SIM_PAID_TOKEN = "em-paid-key";

export const ELECTRICITY_MAPS_SIM_ZONES: readonly { zone: string; name: string; lat: [number, number]; lon: [number, number] }[] = [
  { zone: "NZ-NZN", name: "North Island", lat: [-41.7, -34], lon: [172, 179] },
  { zone: "NZ-NZS", name: "South Island", lat: [-47.5, -41.7], lon: [166, 175] },
  { zone: "DE", name: "Germany", lat: [47, 55], lon: [6, 15] },
];

export type ElectricityMapsSimRoute = "latest" | "history" | "forecast" | "zones";

export interface ElectricityMapsCountedFault {
  count?: number;
  on?: ElectricityMapsSimRoute;
}

export interface ElectricityMapsFaults {
  unauthorized?: ElectricityMapsCountedFault;
  rateLimit?: ElectricityMapsCountedFault & { retryAfterSec: number };
  serverError?: ElectricityMapsCountedFault & { status: number };
  malformedBody?: ElectricityMapsCountedFault;
}

export interface ElectricityMapsSimulatorOptions {
  clock: Clock;
  port?: number;
}

export interface ElectricityMapsSimLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
}

export interface ElectricityMapsSimulator {
  /** The API's base, `http://127.0.0.1:<port>/v3`: what `electricity_maps.base_url` is set to. */
  url: string;
  requestLog: ElectricityMapsSimLogEntry[];
  clearLog(): void;
  setFaults(faults: Partial<ElectricityMapsFaults>): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The simulated intensity of a zone in the hour starting at `hourStartSec`, gCO2eq/kWh (whole numbers, as the API gives). */
export function intensityAt(zone: string, hourStartSec: number): number {
  const offset = [...zone].reduce((a, c) => a + c.charCodeAt(0), 0) % 80;
  const h = (hourStartSec % 86400) / 3600;
  return Math.round(90 + offset + 60 * Math.sin((2 * Math.PI * h) / 24) + ((hourStartSec / 3600) % 5) * 4);
}

export async function startElectricityMapsSimulator(opts: ElectricityMapsSimulatorOptions): Promise<ElectricityMapsSimulator> {
  const clock = opts.clock;
  let faults: ElectricityMapsFaults = {};
  const requestLog: ElectricityMapsSimLogEntry[] = [];

  type Counted = keyof ElectricityMapsFaults;
  function take<K extends Counted>(name: K, route: ElectricityMapsSimRoute): ElectricityMapsFaults[K] {
    const fault: ElectricityMapsCountedFault | undefined = faults[name];
    if (!fault || (fault.on && fault.on !== route)) return undefined;
    if (fault.count !== undefined) faults = { ...faults, [name]: fault.count <= 1 ? undefined : { ...fault, count: fault.count - 1 } };
    return fault as ElectricityMapsFaults[K];
  }

  function item(zone: string, hour: number, estimated: boolean): Record<string, unknown> {
    return {
      zone,
      carbonIntensity: intensityAt(zone, hour),
      datetime: new Date(hour * 1000).toISOString(),
      updatedAt: new Date(clock.now()).toISOString(),
      createdAt: new Date(hour * 1000 - 3 * 86_400_000).toISOString(),
      emissionFactorType: "lifecycle",
      isEstimated: estimated,
      estimationMethod: estimated ? "TIME_SLICER_AVERAGE" : null,
    };
  }

  function zoneOf(q: URLSearchParams): { zone: string } | Answer {
    const zone = q.get("zone");
    if (zone) return ELECTRICITY_MAPS_SIM_ZONES.some((z) => z.zone === zone) ? { zone } : { status: 404, body: { error: `Zone '${zone}' does not exist.` } };
    const lat = Number(q.get("lat"));
    const lon = Number(q.get("lon"));
    if (q.has("lat") && q.has("lon") && Number.isFinite(lat) && Number.isFinite(lon)) {
      const hit = ELECTRICITY_MAPS_SIM_ZONES.find((z) => lat >= z.lat[0] && lat <= z.lat[1] && lon >= z.lon[0] && lon <= z.lon[1]);
      return hit ? { zone: hit.zone } : { status: 404, body: { error: `No zone found for lat=${q.get("lat")} lon=${q.get("lon")}` } };
    }
    return { status: 400, body: { error: "Either zone or lat and lon are required (caller lookup is disabled)." } };
  }

  function answer(req: http.IncomingMessage, url: URL): Answer {
    const path = url.pathname.replace(/\/+$/, "");
    const routes: Record<string, ElectricityMapsSimRoute> = {
      "/v3/carbon-intensity/latest": "latest",
      "/v3/carbon-intensity/history": "history",
      "/v3/carbon-intensity/forecast": "forecast",
      "/v3/zones": "zones",
    };
    const route = routes[path];
    if (!route || req.method !== "GET") return { status: 404, body: { error: "Not found" } };
    if (route === "zones") return { status: 200, body: Object.fromEntries(ELECTRICITY_MAPS_SIM_ZONES.map((z) => [z.zone, { zoneName: z.name }])) };
    const limited = take("rateLimit", route);
    if (limited) return { status: 429, body: { error: "Too many requests" }, headers: { "retry-after": String(limited.retryAfterSec) } };
    const failing = take("serverError", route);
    if (failing) return { status: failing.status, body: { error: "Internal server error" } };
    const key = req.headers["auth-token"];
    if (take("unauthorized", route) || (key !== ELECTRICITY_MAPS_SIM_TOKEN && key !== ELECTRICITY_MAPS_SIM_PAID_TOKEN)) return { status: 401, body: { error: "Invalid auth-token" } };
    const where = zoneOf(url.searchParams);
    if ("status" in where) return where;
    const hour = Math.floor(clock.now() / 3_600_000) * 3600;
    let result: Answer;
    if (route === "latest") result = { status: 200, body: item(where.zone, hour, true) };
    else if (route === "history") {
      // The 24 hours before the current one, oldest first; the newest is still an estimate.
      result = { status: 200, body: { zone: where.zone, history: Array.from({ length: 24 }, (_, i) => item(where.zone, hour - (24 - i) * 3600, i >= 22)) } };
    } else {
      if (key !== ELECTRICITY_MAPS_SIM_PAID_TOKEN) return { status: 403, body: { error: "Your plan does not include access to the forecast endpoint." } };
      const n = Math.min(72, Math.max(1, Number(url.searchParams.get("horizonHours") ?? 24)));
      result = {
        status: 200,
        body: { zone: where.zone, forecast: Array.from({ length: n }, (_, i) => ({ carbonIntensity: intensityAt(where.zone, hour + (i + 1) * 3600), datetime: new Date((hour + (i + 1) * 3600) * 1000).toISOString() })), updatedAt: new Date(clock.now()).toISOString() },
      };
    }
    if (take("malformedBody", route)) return { status: 200, body: '{"zone":"NZ-NZN","history":[{"carbonIntensity":1' };
    return result;
  }

  const server = http.createServer((req, res) => {
    const at = clock.now();
    const url = new URL(req.url ?? "/", "http://simulator");
    req.resume();
    req.on("end", () => {
      let a: Answer;
      try {
        a = answer(req, url);
      } catch (err) {
        console.error("electricity maps simulator: failed to answer", url.pathname, err);
        a = { status: 500, body: { error: "Internal server error" } };
      }
      requestLog.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: a.status, at });
      sendAnswer(res, a);
    });
  });
  const port = await listenOnLoopback(server, opts.port);
  return {
    url: `http://127.0.0.1:${port}/v3`,
    requestLog,
    clearLog: () => void requestLog.splice(0),
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    clearFaults: () => void (faults = {}),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
