/** Time in each state from an entity's events, and the energy and cost of that time at a learned power. */
import { toKey } from "./states.js";
import type { Price, StateEvent } from "./types.js";

export interface StateInterval {
  state: string;
  from: number;
  to: number;
}

/** The entity's power states (keys, with attribute levels) between its events (sorted by time), the last one lasting until `until`. */
export function stateIntervals(events: readonly StateEvent[], until: number): StateInterval[] {
  const out: StateInterval[] = [];
  for (let i = 0; i < events.length; i += 1) {
    const from = events[i]!.t;
    const to = Math.min(i + 1 < events.length ? events[i + 1]!.t : until, until);
    if (to > from) out.push({ state: toKey(events[i]!), from, to });
  }
  return out;
}

/** Seconds spent in each state. */
export function timeInStates(intervals: readonly StateInterval[]): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const iv of intervals) seconds.set(iv.state, (seconds.get(iv.state) ?? 0) + (iv.to - iv.from) / 1000);
  return seconds;
}

/** Prices change at most every quarter hour (time-of-use plans switch on the hour in every zone we know of). */
const PRICE_STEP_MS = 15 * 60_000;

/** Cost of drawing `powerW` during the intervals in `state`, in the price's currency. */
export function costOf(intervals: readonly StateInterval[], state: string, powerW: number, price: Price): number {
  let cost = 0;
  for (const iv of intervals) {
    if (iv.state !== state) continue;
    if (typeof price === "number") {
      cost += kwh(powerW, iv.to - iv.from) * price;
      continue;
    }
    for (let from = iv.from; from < iv.to; ) {
      const to = Math.min(iv.to, (Math.floor(from / PRICE_STEP_MS) + 1) * PRICE_STEP_MS);
      cost += kwh(powerW, to - from) * price(from);
      from = to;
    }
  }
  return cost;
}

/** Energy of `powerW` in each UTC hour the intervals in `state` touch, keyed by the hour's start (ms). */
export function energyByHour(intervals: readonly StateInterval[], state: string, powerW: number, from: number, to: number): Map<number, number> {
  const HOUR = 3600_000;
  const out = new Map<number, number>();
  for (const iv of intervals) {
    if (iv.state !== state) continue;
    for (let a = Math.max(iv.from, from), end = Math.min(iv.to, to); a < end; ) {
      const hour = Math.floor(a / HOUR) * HOUR;
      const b = Math.min(end, hour + HOUR);
      out.set(hour, (out.get(hour) ?? 0) + kwh(powerW, b - a));
      a = b;
    }
  }
  return out;
}

export function kwh(powerW: number, ms: number): number {
  return (powerW * ms) / 3_600_000 / 1000;
}
