/**
 * A WattTime API v3 on loopback (shared/reference/providers.md §3), for tests and the demo: HTTP
 * Basic `/login` for a token that expires (30 minutes by default) and is then refused with nginx's
 * HTML 403 (or 401), `/login` limited to 100 per 5 minutes, a plan scope (historical and forecast in
 * some regions only, signal-index everywhere), `region-from-loc` with 404 outside coverage, and
 * switchable faults. Values are deterministic functions of region and time (`moerLbsPerMwh`).
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { Clock } from "../../time/clock.js";
import { listenOnLoopback, sendAnswer } from "../http.js";

export interface WattTimeSimUser {
  username: string;
  password: string;
}

export const WATTTIME_SIM_USER: WattTimeSimUser = { username: "wt-user", password: "wt-password" };

/** Regions the simulator knows, with the box of coordinates region-from-loc maps to each. */
export const WATTTIME_SIM_REGIONS: readonly { region: string; name: string; lat: [number, number]; lon: [number, number] }[] = [
  { region: "CAISO_NORTH", name: "California ISO Northern", lat: [36, 42], lon: [-124, -119] },
  { region: "PSCO", name: "Public Service Co of Colorado", lat: [37, 41], lon: [-109, -102] },
  { region: "NZ", name: "New Zealand", lat: [-47.5, -34], lon: [166, 179] },
];

export type WattTimeSimRoute = "login" | "region-from-loc" | "signal-index" | "forecast" | "historical" | "my-access";

export interface WattTimeCountedFault {
  count?: number;
  on?: WattTimeSimRoute;
}

export interface WattTimeFaults {
  /** Authenticated requests are refused as if the token had expired (nginx HTML 403 unless `expiredAs401`). */
  expiredToken?: WattTimeCountedFault;
  /** Expired tokens get 401 JSON instead of nginx's HTML 403. */
  expiredAs401?: boolean;
  rateLimit?: WattTimeCountedFault & { retryAfterSec: number };
  serverError?: WattTimeCountedFault & { status: number };
  /** A 200 answer cut off mid-JSON. */
  malformedBody?: WattTimeCountedFault;
}

export interface WattTimeSimulatorOptions {
  clock: Clock;
  port?: number;
  users?: readonly WattTimeSimUser[];
  tokenLifetimeMs?: number;
  /** Regions where historical and forecast are in the plan (signal-index is everywhere). Default CAISO_NORTH. */
  planRegions?: readonly string[];
}

export interface WattTimeSimLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
  /** For authenticated routes: whether the request carried a token past its lifetime. */
  expiredToken?: boolean;
}

export interface WattTimeSimulator {
  url: string;
  requestLog: WattTimeSimLogEntry[];
  clearLog(): void;
  setFaults(faults: Partial<WattTimeFaults>): void;
  clearFaults(): void;
  setPlanRegions(regions: readonly string[]): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export const NGINX_403_HTML = "<html>\n<head><title>403 Forbidden</title></head>\n<body>\n<center><h1>403 Forbidden</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";
const NGINX_403: Answer = { status: 403, body: NGINX_403_HTML, contentType: "text/html" };
const SCOPE_403: Answer = { status: 403, body: { error: "Invalid query parameters", message: "Invalid scope. You do not have sufficient access to the requested data." } };
const LOGIN_LIMIT = { count: 100, windowMs: 5 * 60_000 };

/** The simulated MOER of a region at a 5-minute point, lbs CO2/MWh: a daily wave plus a region offset. */
export function moerLbsPerMwh(region: string, epochSec: number): number {
  const offset = [...region].reduce((a, c) => a + c.charCodeAt(0), 0) % 200;
  const hourOfDay = (epochSec % 86400) / 3600;
  return Math.round((700 + offset + 250 * Math.sin((2 * Math.PI * hourOfDay) / 24) + ((epochSec / 300) % 7) * 3) * 10) / 10;
}

/** The simulated percentile of a region at a point. */
export function signalIndexAt(region: string, epochSec: number): number {
  return Math.round(50 + 49 * Math.sin((2 * Math.PI * ((epochSec / 3600 + region.length) % 24)) / 24));
}

export async function startWattTimeSimulator(opts: WattTimeSimulatorOptions): Promise<WattTimeSimulator> {
  const clock = opts.clock;
  const users = opts.users ?? [WATTTIME_SIM_USER];
  const lifetime = opts.tokenLifetimeMs ?? 30 * 60_000;
  let planRegions = new Set(opts.planRegions ?? ["CAISO_NORTH"]);
  const tokens = new Map<string, number>();
  let issued = 0;
  let logins: number[] = [];
  let faults: WattTimeFaults = {};
  const requestLog: WattTimeSimLogEntry[] = [];

  type Counted = "expiredToken" | "rateLimit" | "serverError" | "malformedBody";
  function take<K extends Counted>(name: K, route: WattTimeSimRoute): WattTimeFaults[K] {
    const fault: WattTimeCountedFault | undefined = faults[name];
    if (!fault || (fault.on && fault.on !== route)) return undefined;
    if (fault.count !== undefined) faults = { ...faults, [name]: fault.count <= 1 ? undefined : { ...fault, count: fault.count - 1 } };
    return fault as WattTimeFaults[K];
  }

  function login(authorization: string | undefined): Answer {
    const now = clock.now();
    logins = logins.filter((t) => now - t < LOGIN_LIMIT.windowMs);
    if (logins.length >= LOGIN_LIMIT.count) return { status: 429, body: { error: "Too many login requests" }, headers: { "retry-after": "60" } };
    logins.push(now);
    const m = /^Basic (.+)$/.exec(authorization ?? "");
    const [user, ...rest] = m ? Buffer.from(m[1]!, "base64").toString("utf8").split(":") : [];
    if (!users.some((u) => u.username === user && u.password === rest.join(":"))) return faults.expiredAs401 ? { status: 401, body: { error: "Unauthorized" } } : NGINX_403;
    const token = createHash("sha256").update(`wt:${++issued}:${user}`).digest("hex");
    tokens.set(token, now);
    return { status: 200, body: { token } };
  }

  function series(region: string, points: number[], units: string, extra: Record<string, unknown> = {}): Answer {
    return {
      status: 200,
      body: {
        data: points.map((t) => ({ point_time: new Date(t * 1000).toISOString().replace(".000Z", "+00:00"), value: units === "percentile" ? signalIndexAt(region, t) : moerLbsPerMwh(region, t) })),
        meta: { region, signal_type: "co2_moer", units, data_point_period_seconds: 300, model: { date: "2023-03-01" }, warnings: [], ...extra },
      },
    };
  }

  function known(region: string | null): boolean {
    return WATTTIME_SIM_REGIONS.some((r) => r.region === region);
  }

  function route(name: WattTimeSimRoute, q: URLSearchParams): Answer {
    const region = q.get("region");
    const nowPoint = Math.floor(clock.now() / 300_000) * 300;
    switch (name) {
      case "region-from-loc": {
        const lat = Number(q.get("latitude"));
        const lon = Number(q.get("longitude"));
        const hit = WATTTIME_SIM_REGIONS.find((r) => lat >= r.lat[0] && lat <= r.lat[1] && lon >= r.lon[0] && lon <= r.lon[1]);
        if (!hit || !Number.isFinite(lat) || !Number.isFinite(lon)) {
          return { status: 404, body: { error: "No coverage available for these coordinates and signal_type", latitude: q.get("latitude"), longitude: q.get("longitude"), signal_type: q.get("signal_type") } };
        }
        return { status: 200, body: { region: hit.region, region_full_name: hit.name, signal_type: "co2_moer" } };
      }
      case "my-access":
        return {
          status: 200,
          body: {
            signal_types: [
              {
                signal_type: "co2_moer",
                regions: WATTTIME_SIM_REGIONS.map((r) => ({
                  region: r.region,
                  region_full_name: r.name,
                  endpoints: (planRegions.has(r.region) ? ["v3/historical", "v3/forecast", "v3/signal-index"] : ["v3/signal-index"]).map((endpoint) => ({ endpoint, models: [{ model: "2023-03-01" }] })),
                })),
              },
            ],
          },
        };
      case "signal-index":
        if (!known(region)) return { status: 400, body: { error: "Invalid query parameters", message: `Unknown region ${region}` } };
        return series(region!, [nowPoint], "percentile");
      case "forecast": {
        if (!known(region)) return { status: 400, body: { error: "Invalid query parameters", message: `Unknown region ${region}` } };
        if (!planRegions.has(region!)) return SCOPE_403;
        const hours = Math.min(72, Math.max(0, Number(q.get("horizon_hours") ?? 24)));
        const n = Math.max(1, (hours * 3600) / 300);
        return series(region!, Array.from({ length: n }, (_, i) => nowPoint + i * 300), "lbs_co2_per_mwh", { generated_at: new Date(nowPoint * 1000).toISOString(), generated_at_period_seconds: 300 });
      }
      case "historical": {
        if (!known(region)) return { status: 400, body: { error: "Invalid query parameters", message: `Unknown region ${region}` } };
        if (!planRegions.has(region!)) return SCOPE_403;
        const start = Date.parse(q.get("start") ?? "");
        const end = Date.parse(q.get("end") ?? "");
        if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > 32 * 86_400_000) return { status: 400, body: { error: "Invalid query parameters", message: "start and end must be dates at most 32 days apart" } };
        const points: number[] = [];
        // Only points that have happened, at most up to now.
        for (let t = Math.ceil(start / 300_000) * 300; t * 1000 < Math.min(end, clock.now()); t += 300) points.push(t);
        return series(region!, points, "lbs_co2_per_mwh");
      }
      default:
        return { status: 404, body: { error: "Not found" } };
    }
  }

  const ROUTES: Record<string, WattTimeSimRoute> = {
    "/login": "login",
    "/v3/region-from-loc": "region-from-loc",
    "/v3/signal-index": "signal-index",
    "/v3/forecast": "forecast",
    "/v3/historical": "historical",
    "/v3/my-access": "my-access",
  };

  function answer(req: http.IncomingMessage, url: URL): { answer: Answer; expired?: boolean } {
    const name = ROUTES[url.pathname];
    if (!name || req.method !== "GET") return { answer: { status: 404, body: { error: "Not found" } } };
    const limited = take("rateLimit", name);
    if (limited) return { answer: { status: 429, body: { error: "Too many requests" }, headers: { "retry-after": String(limited.retryAfterSec) } } };
    const failing = take("serverError", name);
    if (failing) return { answer: { status: failing.status, body: "<html><body><h1>502 Bad Gateway</h1></body></html>", contentType: "text/html" } };
    if (name === "login") return { answer: login(req.headers.authorization) };

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const issuedAt = bearer ? tokens.get(bearer) : undefined;
    const expired = issuedAt !== undefined && clock.now() - issuedAt >= lifetime;
    const refusal = faults.expiredAs401 ? { status: 401, body: { error: "Unauthorized" } } : NGINX_403;
    if (take("expiredToken", name) || issuedAt === undefined || expired) return { answer: refusal, expired };
    const result = route(name, url.searchParams);
    if (result.status === 200 && take("malformedBody", name)) return { answer: { status: 200, body: '{"data":[{"point_time":"2024-06-18T18:4' } };
    return { answer: result, expired: false };
  }

  const server = http.createServer((req, res) => {
    const at = clock.now();
    const url = new URL(req.url ?? "/", "http://simulator");
    req.resume();
    req.on("end", () => {
      let out: { answer: Answer; expired?: boolean };
      try {
        out = answer(req, url);
      } catch (err) {
        console.error("watttime simulator: failed to answer", url.pathname, err);
        out = { answer: { status: 500, body: { error: "Internal server error" } } };
      }
      const a = out.answer;
      requestLog.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: a.status, at, ...(out.expired !== undefined ? { expiredToken: out.expired } : {}) });
      sendAnswer(res, a);
    });
  });
  const port = await listenOnLoopback(server, opts.port);
  return {
    url: `http://127.0.0.1:${port}`,
    requestLog,
    clearLog: () => void requestLog.splice(0),
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    clearFaults: () => void (faults = {}),
    setPlanRegions: (regions) => void (planRegions = new Set(regions)),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
