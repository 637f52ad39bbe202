/**
 * WattTime's API v3 (shared/reference/providers.md §3). Calls go through the shared HTTP policy;
 * this class knows the routes and the session: HTTP Basic on `/login` for a bearer token that lasts
 * 30 minutes, renewed 5 minutes before its end and again when WattTime refuses it (401, or 403 with
 * nginx's HTML page), never more often than WattTime's login limit (100 per 5 minutes) allows.
 */
import type { HttpAuth, HttpClient } from "../http.js";
import { type Clock, systemClock } from "../../time/clock.js";
import { ProviderError } from "../errors.js";
import { WATTTIME_LOGIN_LIMIT, WATTTIME_REFRESH_AHEAD_MS, WATTTIME_TOKEN_LIFETIME_MS } from "./constants.js";
import { isScopeRefusal, parseAccess, parseLogin, parseRegion, parseSeries, type WattTimeAccess, type WattTimeRegion, type WattTimeSeries } from "./parse.js";

export type { WattTimeAccess, WattTimePoint, WattTimeRegion, WattTimeSeries } from "./parse.js";

export interface WattTimeClientOptions {
  baseUrl: string;
  username: string;
  password: string;
  http: HttpClient;
  clock?: Clock;
  /** The signal asked for; `co2_moer` (marginal emissions) by default. */
  signalType?: string;
  tokenLifetimeMs?: number;
  refreshAheadMs?: number;
}

export interface WattTimeSessionStats {
  /** Every successful login since start. */
  logins: number;
  /** Logins that replaced a token (ahead of its end or after a refusal). */
  tokenRefreshes: number;
  /** Of those, the ones caused by WattTime refusing a token (401 or nginx 403). */
  refusedTokens: number;
}

export class WattTimeClient {
  readonly signalType: string;
  private readonly opts: WattTimeClientOptions;
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly renewAfterMs: number;
  private token: string | undefined;
  private tokenIssuedAt = 0;
  private loginTimes: number[] = [];
  private pendingLogin: Promise<void> | undefined;
  private readonly counters: WattTimeSessionStats = { logins: 0, tokenRefreshes: 0, refusedTokens: 0 };

  private readonly auth: HttpAuth = {
    apply: async (headers) => headers.set("authorization", `Bearer ${await this.session()}`),
    refresh: async () => {
      this.counters.refusedTokens += 1;
      await this.login();
    },
    // An expired or bad token is a 403 with nginx's HTML page, not JSON; a plan limit is a JSON 403 "Invalid scope".
    isStale: (status, body) => status === 403 && !isScopeRefusal(body),
    secrets: () => (this.token ? [this.token] : []),
  };

  constructor(opts: WattTimeClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.clock = opts.clock ?? systemClock;
    this.signalType = opts.signalType ?? "co2_moer";
    this.renewAfterMs = (opts.tokenLifetimeMs ?? WATTTIME_TOKEN_LIFETIME_MS) - (opts.refreshAheadMs ?? WATTTIME_REFRESH_AHEAD_MS);
  }

  stats(): WattTimeSessionStats {
    return { ...this.counters };
  }

  /** Gets a fresh token. Concurrent callers share one login. */
  login(): Promise<void> {
    this.pendingLogin ??= this.doLogin().finally(() => (this.pendingLogin = undefined));
    return this.pendingLogin;
  }

  /** The region covering a location; a 404 (no coverage) says so and what to do. */
  async regionFromLoc(latitude: number, longitude: number): Promise<WattTimeRegion> {
    const q = new URLSearchParams({ latitude: String(latitude), longitude: String(longitude), signal_type: this.signalType });
    try {
      return parseRegion(await this.get(`/v3/region-from-loc?${q}`));
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404) {
        throw new ProviderError({
          provider: "watttime",
          kind: "not_found",
          message: `watttime: WattTime has no ${this.signalType} coverage at latitude ${latitude}, longitude ${longitude} (HTTP 404 on region-from-loc). WattTime covers mainly North America, Europe and Australia; set watttime.region to a region it covers, or use electricity_maps for this location.`,
          status: 404,
        });
      }
      throw err;
    }
  }

  /** Past MOER values in [start, end), g/kWh. The API's range limit (~30 days) is the caller's to respect. */
  async historical(region: string, startSec: number, endSec: number): Promise<WattTimeSeries> {
    const q = new URLSearchParams({ region, signal_type: this.signalType, start: iso(startSec), end: iso(endSec) });
    return parseSeries(await this.scoped("historical", region, `/v3/historical?${q}`));
  }

  /** The forecast from now (5-minute points), g/kWh. */
  async forecast(region: string, horizonHours = 24): Promise<WattTimeSeries> {
    const q = new URLSearchParams({ region, signal_type: this.signalType, horizon_hours: String(horizonHours) });
    return parseSeries(await this.scoped("forecast", region, `/v3/forecast?${q}`));
  }

  /** The current percentile (0 cleanest … 100 dirtiest of the recent window); not an intensity. */
  async signalIndex(region: string): Promise<WattTimeSeries> {
    const q = new URLSearchParams({ region, signal_type: this.signalType });
    return parseSeries(await this.scoped("signal-index", region, `/v3/signal-index?${q}`));
  }

  /** What the plan allows (signal types, regions, endpoints). */
  async myAccess(): Promise<WattTimeAccess> {
    return parseAccess(await this.get("/v3/my-access"));
  }

  /** A 403 "Invalid scope" becomes a message naming what the plan allows instead. */
  private async scoped(endpoint: string, region: string, path: string): Promise<unknown> {
    try {
      return await this.get(path);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.status !== 403 || err.kind !== "forbidden") throw err;
      let allowed: string;
      try {
        allowed = describeAccess(await this.myAccess(), this.signalType);
      } catch {
        allowed = "(WattTime's my-access could not be read to say what it does allow)";
      }
      throw new ProviderError({
        provider: "watttime",
        kind: "forbidden",
        status: 403,
        message: `watttime: your WattTime plan does not include ${endpoint} ${this.signalType} for region ${region} (HTTP 403 "Invalid scope"). ${allowed}`,
      });
    }
  }

  private async get(path: string): Promise<unknown> {
    await this.session();
    const res = await this.opts.http.request({ method: "GET", url: `${this.baseUrl}${path}`, auth: this.auth, secrets: this.secrets() });
    return res.json();
  }

  /** The current token, logging in first when there is none or it is within 5 minutes of its end. */
  private async session(): Promise<string> {
    if (!this.token || this.clock.now() - this.tokenIssuedAt >= this.renewAfterMs) await this.login();
    return this.token ?? "";
  }

  private async doLogin(): Promise<void> {
    const now = this.clock.now();
    this.loginTimes = this.loginTimes.filter((t) => now - t < WATTTIME_LOGIN_LIMIT.windowMs);
    if (this.loginTimes.length >= WATTTIME_LOGIN_LIMIT.count) {
      throw new ProviderError({
        provider: "watttime",
        kind: "rate_limited",
        message: `watttime: not logging in again: ${this.loginTimes.length} logins in the last 5 minutes reach WattTime's limit of ${WATTTIME_LOGIN_LIMIT.count}. The next sync will try again.`,
      });
    }
    this.loginTimes.push(now);
    const basic = Buffer.from(`${this.opts.username}:${this.opts.password}`).toString("base64");
    let token: string;
    try {
      const res = await this.opts.http.request({ method: "GET", url: `${this.baseUrl}/login`, headers: { authorization: `Basic ${basic}` }, secrets: [...this.secrets(), basic] });
      token = parseLogin(res.json());
    } catch (err) {
      if (err instanceof ProviderError && (err.status === 401 || err.status === 403)) {
        throw new ProviderError({
          provider: "watttime",
          kind: "auth",
          status: err.status,
          message: `watttime: WattTime refused the username and password (HTTP ${err.status} on GET /login). Check watttime.username and watttime.password (the account of api.watttime.org, not the website's newsletter).`,
        });
      }
      throw err;
    }
    if (this.token) this.counters.tokenRefreshes += 1;
    this.counters.logins += 1;
    this.token = token;
    this.tokenIssuedAt = this.clock.now();
  }

  private secrets(): string[] {
    return [this.opts.password, ...(this.token ? [this.token] : [])];
  }
}

/** "Your plan allows: co2_moer in CAISO_NORTH (v3/forecast, v3/historical); …" */
export function describeAccess(access: WattTimeAccess, signalType: string): string {
  if (access.length === 0) return "WattTime's my-access lists nothing for this account.";
  const parts = access.map((a) => `${a.signalType} in ${a.region}${a.endpoints.length ? ` (${a.endpoints.join(", ")})` : ""}`);
  const shown = parts.slice(0, 8).join("; ") + (parts.length > 8 ? `; and ${parts.length - 8} more` : "");
  const sameSignal = access.filter((a) => a.signalType === signalType).map((a) => a.region);
  const hint = sameSignal.length
    ? ` Set watttime.region to one of ${[...new Set(sameSignal)].slice(0, 8).join(", ")} to get ${signalType} values, or keep this region with the percentile signal-index.`
    : "";
  return `Your plan allows: ${shown}.${hint}`;
}

function iso(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(".000Z", "Z");
}
