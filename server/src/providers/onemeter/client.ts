/**
 * The OneMeter Cloud API: the device (diagnostics and its last reading) and its register readings.
 * Calls go through the shared HTTP policy; the key is sent raw in `Authorization` (no scheme), and
 * there is no session to renew, so a 401 is final: "API key rejected".
 */
import type { HttpClient } from "../http.js";
import { ProviderError } from "../errors.js";
import { ONEMETER_PAGE_SIZE } from "./constants.js";
import { parseDevice, parseReadings } from "./parse.js";
import type { OneMeterDevice, OneMeterReading } from "./types.js";

export type { OneMeterDevice, OneMeterReading } from "./types.js";

export interface OneMeterClientOptions {
  baseUrl: string;
  apiKey: string;
  http: HttpClient;
  pageSize?: number;
}

export class OneMeterClient {
  private readonly baseUrl: string;
  private readonly pageSize: number;

  constructor(private readonly opts: OneMeterClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.pageSize = opts.pageSize ?? ONEMETER_PAGE_SIZE;
  }

  /** `GET /devices/{id}`: 401 is "API key rejected", 404 "device not found", neither retried. */
  async device(deviceId: string): Promise<OneMeterDevice> {
    try {
      return parseDevice(await this.get(`/devices/${encodeURIComponent(deviceId)}`));
    } catch (err) {
      throw explain(err, deviceId);
    }
  }

  /** Register readings in [fromMs, toMs], oldest first, every page of them. "No readings found" (404) is []. */
  async readings(deviceId: string, fromMs: number, toMs: number): Promise<OneMeterReading[]> {
    const out: OneMeterReading[] = [];
    for (let skip = 0; ; skip += this.pageSize) {
      const query = new URLSearchParams({
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        limit: String(this.pageSize),
        skip: String(skip),
        sort: "ascending",
      });
      let page: OneMeterReading[];
      try {
        page = parseReadings(await this.get(`/devices/${encodeURIComponent(deviceId)}/readings?${query}`));
      } catch (err) {
        if (err instanceof ProviderError && err.kind === "not_found" && /No readings/i.test(err.message)) return out;
        throw explain(err, deviceId);
      }
      out.push(...page);
      if (page.length < this.pageSize) return out;
    }
  }

  private async get(path: string): Promise<unknown> {
    const res = await this.opts.http.request({
      method: "GET",
      url: `${this.baseUrl}${path}`,
      headers: { authorization: this.opts.apiKey, accept: "application/json" },
      secrets: [this.opts.apiKey],
    });
    return res.json();
  }
}

/** The policy's generic 401/404 messages, said the way a OneMeter user can act on. */
function explain(err: unknown, deviceId: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === "auth") {
    return new ProviderError({
      provider: "onemeter",
      kind: "auth",
      status: err.status,
      message: `onemeter: API key rejected (HTTP 401). Check onemeter.api_key: a key can be revoked or changed in OneMeter's account settings ("Get API access").`,
    });
  }
  if (err.kind === "not_found") {
    return new ProviderError({
      provider: "onemeter",
      kind: "not_found",
      status: err.status,
      message: `onemeter: device not found: ${deviceId} (HTTP 404). Check onemeter.devices: the id is the device's UUID shown in OneMeter's cloud app.`,
    });
  }
  return err;
}
