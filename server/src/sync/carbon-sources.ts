/**
 * The two carbon-intensity providers behind one interface: what the carbon job needs to start one
 * (find and check its region or zone, learn its plan) and to fetch from it.
 */
import type { ElectricityMapsClient, ElectricityMapsLocation } from "../providers/electricitymaps/client.js";
import { ProviderError } from "../providers/errors.js";
import { ELECTRICITY_MAPS_HISTORY_HOURS } from "../providers/electricitymaps/constants.js";
import { WATTTIME_HISTORICAL_MAX_DAYS } from "../providers/watttime/constants.js";
import { describeAccess, type WattTimeClient } from "../providers/watttime/client.js";
import type { CarbonProviderId, CarbonSignal } from "../statistics/ids.js";

/** A latitude/longitude, from the config or from Home Assistant's `get_config`. */
export interface GeoLocation {
  latitude: number;
  longitude: number;
}

export interface CarbonScope {
  /** The WattTime region or Electricity Maps zone. */
  account: string;
  signal: CarbonSignal;
  /** What the plan gives, in words (shown in `status`). */
  planScope: string;
  forecast: boolean;
}

export interface CarbonPoint {
  /** Epoch seconds of the point (5-minute for WattTime, hourly for Electricity Maps). */
  at: number;
  value: number;
}

export interface CarbonFetch {
  points: CarbonPoint[];
  /** Exclusive end (epoch seconds) up to which the points are final: hours before it are complete. */
  completeTo: number;
  forecast?: CarbonPoint[];
}

export interface CarbonSource {
  readonly provider: CarbonProviderId;
  /** "WattTime", "Electricity Maps". */
  readonly label: string;
  /** Finds and checks the region or zone; throws a ProviderError that says what to do. */
  start(location: () => Promise<GeoLocation>, nowSec: number): Promise<CarbonScope>;
  /** Points from `fromSec` (an hour start) up to now. */
  fetch(scope: CarbonScope, fromSec: number, nowSec: number): Promise<CarbonFetch>;
  /** Logins that replaced a token since start (0 for token-less providers). */
  tokenRefreshes(): number;
}

const HOUR = 3600;

export function wattTimeSource(client: WattTimeClient, opts: { region?: string; latitude?: number; longitude?: number }): CarbonSource {
  async function checkRegion(region: string, now: number): Promise<CarbonScope> {
    try {
      // A one-hour historical read tells whether the plan has values for this region.
      await client.historical(region, now - HOUR, now);
      let forecast = true;
      try {
        await client.forecast(region, 1);
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === "forbidden")) throw err;
        forecast = false;
      }
      return { account: region, signal: "intensity", planScope: `${client.signalType} historical${forecast ? " and forecast" : ""} in ${region}`, forecast };
    } catch (err) {
      if (!(err instanceof ProviderError && err.kind === "forbidden")) throw err;
      // The plan has no values here: the free percentile, clearly labelled as such.
      try {
        await client.signalIndex(region);
      } catch (inner) {
        if (inner instanceof ProviderError && inner.kind === "forbidden") throw inner;
        throw inner;
      }
      let allowed = "";
      try {
        allowed = ` ${describeAccess(await client.myAccess(), client.signalType)}`;
      } catch {
        // my-access is only for the explanation.
      }
      return { account: region, signal: "percentile", planScope: `signal-index (percentile) only in ${region}: the plan has no ${client.signalType} values there.${allowed}`, forecast: false };
    }
  }

  return {
    provider: "watttime",
    label: "WattTime",
    tokenRefreshes: () => client.stats().tokenRefreshes,
    async start(location, now) {
      let region = opts.region;
      if (!region) {
        const at = opts.latitude !== undefined && opts.longitude !== undefined ? { latitude: opts.latitude, longitude: opts.longitude } : await location();
        region = (await client.regionFromLoc(at.latitude, at.longitude)).region;
      }
      try {
        return await checkRegion(region, now);
      } catch (err) {
        if (err instanceof ProviderError && err.kind === "client") {
          throw new ProviderError({ provider: "watttime", kind: "client", status: err.status, message: `watttime: WattTime does not know region "${region}" (${err.message.replace(/^watttime: /, "").replace(/ This is probably a bug.*$/, "")}). Set watttime.region to a WattTime region such as CAISO_NORTH, or leave it out to look it up from the location.` });
        }
        throw err;
      }
    },
    async fetch(scope, fromSec, nowSec) {
      const completeTo = Math.floor(nowSec / HOUR) * HOUR;
      if (scope.signal === "percentile") {
        // One reading per check, kept in its (current) hour.
        const s = await client.signalIndex(scope.account);
        return { points: s.points, completeTo: completeTo + HOUR };
      }
      const points = [];
      for (let start = fromSec; start < completeTo; start += WATTTIME_HISTORICAL_MAX_DAYS * 86400) {
        const end = Math.min(completeTo, start + WATTTIME_HISTORICAL_MAX_DAYS * 86400);
        points.push(...(await client.historical(scope.account, start, end)).points.filter((p) => p.at >= start && p.at < end));
      }
      const out: CarbonFetch = { points, completeTo };
      if (scope.forecast) out.forecast = (await client.forecast(scope.account, 24)).points;
      return out;
    },
  };
}

export function electricityMapsSource(client: ElectricityMapsClient, opts: { zone?: string; latitude?: number; longitude?: number }): CarbonSource {
  let where: ElectricityMapsLocation | undefined;
  return {
    provider: "electricity_maps",
    label: "Electricity Maps",
    tokenRefreshes: () => 0,
    async start(location) {
      where = opts.zone ? { zone: opts.zone } : opts.latitude !== undefined && opts.longitude !== undefined ? { latitude: opts.latitude, longitude: opts.longitude } : await location();
      const latest = await client.latest(where);
      const zone = opts.zone ?? latest?.zone ?? "";
      if (!zone) {
        throw new ProviderError({ provider: "electricity_maps", kind: "bad_response", message: "electricity_maps: Electricity Maps answered without naming the zone of this location. Set electricity_maps.zone." });
      }
      // Later calls use the zone, which keeps the statistic's id stable.
      where = { zone };
      let forecast = true;
      try {
        await client.forecast(where, 6);
      } catch (err) {
        if (!(err instanceof ProviderError && (err.kind === "forbidden" || err.kind === "auth" || err.kind === "not_found"))) throw err;
        forecast = false;
      }
      return { account: zone, signal: "intensity", planScope: forecast ? `history (${ELECTRICITY_MAPS_HISTORY_HOURS} h), latest and forecast in ${zone}` : `history (${ELECTRICITY_MAPS_HISTORY_HOURS} h) and latest in ${zone}; no forecast on this plan`, forecast };
    },
    async fetch(scope, _fromSec, nowSec) {
      const zone = { zone: scope.account };
      const completeTo = Math.floor(nowSec / HOUR) * HOUR;
      const history = await client.history(zone);
      const out: CarbonFetch = { points: history.points.filter((p) => p.at < completeTo), completeTo };
      if (scope.forecast) out.forecast = await client.forecast(zone, 24);
      return out;
    },
  };
}
