/**
 * Electricity Maps' API v3 (shared/reference/providers.md §4): the key in an `auth-token` header,
 * a location as `zone` or `lat`/`lon` (never the caller's IP: `shouldUseFallbackCallerLookup=false`),
 * `carbon-intensity/latest`, `/history` (the last 24 hours on the free tier) and `/forecast` (paid plans).
 */
import type { HttpClient } from "../http.js";
import { ProviderError } from "../errors.js";
import { errorText, parseForecast, parseHistory, parseLatest, type ElectricityMapsLatest, type ElectricityMapsPoint } from "./parse.js";

export type { ElectricityMapsLatest, ElectricityMapsPoint } from "./parse.js";

export type ElectricityMapsLocation = { zone: string } | { latitude: number; longitude: number };

export interface ElectricityMapsClientOptions {
  baseUrl: string;
  token: string;
  http: HttpClient;
  /** `lifecycle` (the API's default) or `direct`. */
  emissionFactorType?: "lifecycle" | "direct";
}

export class ElectricityMapsClient {
  private readonly opts: ElectricityMapsClientOptions;
  private readonly baseUrl: string;

  constructor(opts: ElectricityMapsClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
  }

  /** The current hour; also how a zone or location is checked at start. */
  async latest(where: ElectricityMapsLocation): Promise<ElectricityMapsLatest | undefined> {
    return parseLatest(await this.get("carbon-intensity/latest", where));
  }

  /** The last 24 hours, hourly. */
  async history(where: ElectricityMapsLocation): Promise<{ zone: string; points: ElectricityMapsPoint[] }> {
    return parseHistory(await this.get("carbon-intensity/history", where));
  }

  /** The coming hours; a plan without forecasts answers 401/403, which is a `forbidden` ProviderError. */
  async forecast(where: ElectricityMapsLocation, horizonHours = 24): Promise<ElectricityMapsPoint[]> {
    return parseForecast(await this.get("carbon-intensity/forecast", where, { horizonHours: String(horizonHours) }));
  }

  private async get(route: string, where: ElectricityMapsLocation, extra: Record<string, string> = {}): Promise<unknown> {
    const q = new URLSearchParams({
      ...("zone" in where ? { zone: where.zone } : { lat: String(where.latitude), lon: String(where.longitude) }),
      ...(this.opts.emissionFactorType ? { emissionFactorType: this.opts.emissionFactorType } : {}),
      shouldUseFallbackCallerLookup: "false",
      ...extra,
    });
    try {
      const res = await this.opts.http.request({ method: "GET", url: `${this.baseUrl}/${route}?${q}`, headers: { "auth-token": this.opts.token }, secrets: [this.opts.token] });
      return res.json();
    } catch (err) {
      throw explain(err, route, where);
    }
  }
}

function describeWhere(where: ElectricityMapsLocation): string {
  return "zone" in where ? `zone ${where.zone}` : `latitude ${where.latitude}, longitude ${where.longitude}`;
}

/** Electricity Maps' own 4xx answers, said in terms of the settings that fix them. */
function explain(err: unknown, route: string, where: ElectricityMapsLocation): unknown {
  if (!(err instanceof ProviderError) || err.status === undefined) return err;
  // The policy quotes the body as `: "<body>"`; Electricity Maps' bodies are `{"error": "…"}`.
  const quoted = /: "(.*)"(?=\.)/.exec(err.message)?.[1];
  const text = quoted === undefined ? undefined : (errorText(quoted) ?? quoted);
  const said = text ? ` ("${text}")` : "";
  const at = `HTTP ${err.status} on ${route}`;
  if (err.status === 401) {
    return new ProviderError({ provider: "electricity_maps", kind: "auth", status: 401, message: `electricity_maps: Electricity Maps refused the API key (${at})${said}. Check electricity_maps.token (the key from portal.electricitymaps.com).` });
  }
  if (err.status === 403 && route.endsWith("forecast")) {
    return new ProviderError({ provider: "electricity_maps", kind: "forbidden", status: 403, message: `electricity_maps: your Electricity Maps plan has no forecast (${at})${said}; history and latest are used.` });
  }
  if (err.status === 403) {
    return new ProviderError({ provider: "electricity_maps", kind: "forbidden", status: 403, message: `electricity_maps: your Electricity Maps plan does not cover ${describeWhere(where)} for ${route} (${at})${said}. Check electricity_maps.zone against the zones of your plan on portal.electricitymaps.com.` });
  }
  if (err.status === 404 || err.status === 400) {
    const fix = "zone" in where
      ? "Set electricity_maps.zone to a zone key such as DE, FR, NZ-NZN or US-CAL-CISO (the keys are listed at https://api.electricitymaps.com/v3/zones), or leave it out to use Home Assistant's location."
      : "Set electricity_maps.zone to the zone key of this location (listed at https://api.electricitymaps.com/v3/zones).";
    return new ProviderError({ provider: "electricity_maps", kind: "not_found", status: err.status, message: `electricity_maps: Electricity Maps has no data for ${describeWhere(where)} (${at})${said}. ${fix}` });
  }
  return err;
}
