/** Hand-made whole-home power for the learner's unit tests: a base load plus loads switched on and off. */
import type { PowerSample } from "../../server/src/correlate/types.js";

export const T0 = Date.UTC(2026, 0, 5);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const BASE_W = 200;

/** A load drawing `w` W over [from, to). */
export interface Load {
  from: number;
  to: number;
  w: number;
}

/** Readings every `everyMs` from T0 until `until`: BASE_W plus every load on at that instant. */
export function readings(loads: readonly Load[], until: number, everyMs = SECOND): PowerSample[] {
  const sorted = [...loads].sort((a, b) => a.from - b.from);
  const out: PowerSample[] = [];
  for (let t = T0; t < until; t += everyMs) {
    let w = BASE_W;
    for (const l of sorted) {
      if (l.from > t) break;
      if (t < l.to) w += l.w;
    }
    out.push({ t, w });
  }
  return out;
}
