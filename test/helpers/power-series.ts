/** Hand-made whole-home power for the learner's unit tests: a base load plus loads switched on and off. */
import { LEVEL_BINS, levelBin } from "../../server/src/correlate/runs.js";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";

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

/**
 * `count` hour-apart runs of a light drawing `w` W for `durationMs`, the first at T0 + 2 h, each
 * switched `pastHourMs` after the hour (20 s: the last reading of a 30 or 60 s sensor reading on the
 * minute is 20 s before each event), and `until`, two hours after the hour the last one started in,
 * for the readings and the engine to go to.
 */
export function hourlyLightRuns(entityId: string, w: number, options: { count?: number; durationMs?: number; pastHourMs?: number } = {}): { starts: number[]; events: StateEvent[]; loads: Load[]; until: number } {
  const { count = 6, durationMs = 30 * MINUTE, pastHourMs = 20 * SECOND } = options;
  const starts = Array.from({ length: count }, (_, i) => T0 + 2 * HOUR + i * HOUR + pastHourMs);
  const events: StateEvent[] = starts.flatMap((t) => [
    { t, entityId, from: "off", to: "on" },
    { t: t + durationMs, entityId, from: "on", to: "off" },
  ]);
  return { starts, events, loads: starts.map((t) => ({ from: t, to: t + durationMs, w })), until: T0 + (count + 3) * HOUR };
}

/** A run's level histogram (`RunMeasurement.levels`): ms at each level above its baseline, W (0: at or below it); levels in one bin add up. */
export function histogram(levels: readonly (readonly [number, number])[]): Float64Array {
  const h = new Float64Array(LEVEL_BINS);
  for (const [w, ms] of levels) h[levelBin(w)]! += ms;
  return h;
}
