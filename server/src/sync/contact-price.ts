/**
 * The price per kWh that learned devices' energy is costed at, from the Contact usage the store holds.
 *
 * Which price: an hour's own cost ÷ kWh where Contact has that hour (summed over the contracts), since
 * that is what a kWh drawn in it cost, free hours (0) and off-peak rates included. The device's most
 * recent hours have no price yet (Contact publishes a day 1–3 days late, and devices are learned from
 * live power), so they are costed at the mean price of the same local hour of the week over the last
 * four weeks with prices: a plan's free or off-peak hours (Good Nights, Good Weekends) stay free or
 * cheap, which the period's flat mean would not. An hour of the week with no price in those weeks
 * gets their overall mean. Contact's usage cost leaves the daily fixed charge out, and so does this.
 */
import { DateTime } from "luxon";
import type { PriceSource } from "../correlate/engine.js";
import type { Price } from "../correlate/types.js";
import { PROVIDER, seriesKey } from "../statistics/ids.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";

/** One hour of usage with its cost: `start` in epoch seconds. */
export interface HourCost {
  start: number;
  kwh: number;
  cost: number;
}

const HOUR_S = 3600;
const DAY_S = 86_400;
/** How far back from the newest priced hour the hour-of-week means reach. */
export const MEAN_WINDOW_S = 28 * DAY_S;

/** Pure: the price at any time from priced hours (any order; hours of several contracts may repeat a start). Undefined without any. */
export function priceFromHours(hours: readonly HourCost[], zone: string): Price | undefined {
  const byHour = new Map<number, { kwh: number; cost: number }>();
  for (const h of hours) {
    if (!(h.kwh >= 0) || !Number.isFinite(h.cost)) continue;
    const sum = byHour.get(h.start) ?? { kwh: 0, cost: 0 };
    sum.kwh += h.kwh;
    sum.cost += h.cost;
    byHour.set(h.start, sum);
  }
  const priced = [...byHour].filter(([, s]) => s.kwh > 0);
  if (!priced.length) return undefined;
  const own = new Map(priced.map(([start, s]) => [start, s.cost / s.kwh]));
  const slotOf = (startS: number) => {
    const local = DateTime.fromSeconds(startS, { zone });
    return local.weekday * 24 + local.hour;
  };
  const newest = Math.max(...priced.map(([start]) => start));
  const slots = new Map<number, { kwh: number; cost: number }>();
  let kwh = 0;
  let cost = 0;
  for (const [start, s] of priced) {
    if (start <= newest - MEAN_WINDOW_S) continue;
    const slot = slotOf(start);
    const sum = slots.get(slot) ?? { kwh: 0, cost: 0 };
    sum.kwh += s.kwh;
    sum.cost += s.cost;
    slots.set(slot, sum);
    kwh += s.kwh;
    cost += s.cost;
  }
  const mean = cost / kwh;
  const fallback = new Map<number, number>();
  return (t: number) => {
    const start = Math.floor(t / 1000 / HOUR_S) * HOUR_S;
    const known = own.get(start);
    if (known !== undefined) return known;
    let price = fallback.get(start);
    if (price === undefined) {
      const slot = slots.get(slotOf(start));
      price = slot ? slot.cost / slot.kwh : mean;
      fallback.set(start, price);
    }
    return price;
  };
}

/** The hours of every Contact contract in the store from `fromS` (epoch s) on that have a cost. */
export function storedContactHours(store: Store, fromS: number): HourCost[] {
  const accounts = new Set(store.allSyncStates().filter((s) => s.provider === PROVIDER.contact).map((s) => s.account));
  const out: HourCost[] = [];
  for (const icp of accounts) {
    const kwh = new Map<number, number>();
    for (const kind of ["paid_energy", "free_energy"] as const) {
      for (const r of store.readings(seriesKey(PROVIDER.contact, icp, kind), "hour", fromS)) kwh.set(r.start, (kwh.get(r.start) ?? 0) + r.value);
    }
    for (const r of store.readings(seriesKey(PROVIDER.contact, icp, "paid_cost"), "hour", fromS)) {
      const used = kwh.get(r.start);
      if (used !== undefined) out.push({ start: r.start, kwh: used, cost: r.value });
    }
  }
  return out;
}

/**
 * What the store says of Contact's hourly syncs: it changes when a check stores new hours (each one
 * records its sync after writing them), so the hours need reading again only when it does.
 */
function contactHoursStamp(store: Store): string {
  return store
    .allSyncStates()
    .filter((s) => s.provider === PROVIDER.contact && s.resolution === "hour")
    .map((s) => `${s.account} ${s.lastSuccess ?? ""} ${s.coveredTo ?? ""}`)
    .sort()
    .join("|");
}

/**
 * The devices' price from the store's Contact hours. They are read again as soon as a check has
 * recorded new hours (a first start is costed at once, not minutes later), and at most every
 * `refreshMs` otherwise (hours written some other way): a Contact account that never delivers
 * hours costs a look at its few sync states per ask, not a read of six weeks of hours.
 * `lookbackMs`: how far back the devices' energy reaches.
 */
export function contactPriceSource(store: Store, zone: string, clock: Clock, lookbackMs: number, refreshMs = 5 * 60_000): PriceSource {
  let readAt = Number.NEGATIVE_INFINITY;
  let stamp: string | undefined;
  let price: Price | undefined;
  return {
    current() {
      const now = clock.now();
      const seen = contactHoursStamp(store);
      if (seen !== stamp || now - readAt >= refreshMs) {
        readAt = now;
        stamp = seen;
        price = priceFromHours(storedContactHours(store, Math.floor((now - lookbackMs) / 1000) - MEAN_WINDOW_S), zone);
      }
      return price;
    },
  };
}
