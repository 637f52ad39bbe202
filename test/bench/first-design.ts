/**
 * The first design of this feature, kept as the benchmark's baseline: for each switch-on, the
 * reading nearest to 10 s before and 10 s after the event (within 30 s), the step kept when it is at
 * least 10 W, and the mean of the kept steps per (entity, state). It ignores switch-offs.
 */
import { costOf, kwh, stateIntervals, timeInStates } from "../../server/src/correlate/energy.js";
import { defaultZeroState, transitionKind, type ZeroStatePredicate } from "../../server/src/correlate/states.js";
import type { DeviceProfile, PowerSample, Price, StateEvent } from "../../server/src/correlate/types.js";

const OFFSET_MS = 10_000;
const NEAREST_WITHIN_MS = 30_000;
const MIN_STEP_W = 10;

export interface FirstDesignOptions {
  isZeroState?: ZeroStatePredicate;
  price?: Price;
  /** End of the data (ms); defaults to the last reading or event. */
  now?: number;
}

export function firstDesignProfiles(samples: readonly PowerSample[], events: readonly StateEvent[], options: FirstDesignOptions = {}): DeviceProfile[] {
  const isZero = options.isZeroState ?? defaultZeroState;
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const times = Float64Array.from(sorted, (s) => s.t);
  const watts = Float64Array.from(sorted, (s) => s.w);
  const nearest = (t: number): number | null => {
    const i = lowerBound(times, t);
    let best = -1;
    for (const j of [i - 1, i]) if (j >= 0 && j < times.length && (best < 0 || Math.abs(times[j]! - t) < Math.abs(times[best]! - t))) best = j;
    return best >= 0 && Math.abs(times[best]! - t) <= NEAREST_WITHIN_MS ? watts[best]! : null;
  };

  const steps = new Map<string, Map<string, number[]>>();
  const byEntity = new Map<string, StateEvent[]>();
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (!byEntity.has(e.entityId)) byEntity.set(e.entityId, []);
    byEntity.get(e.entityId)!.push(e);
    if (!steps.has(e.entityId)) steps.set(e.entityId, new Map());
    if (transitionKind(e, isZero) !== "on") continue;
    const perState = steps.get(e.entityId)!;
    if (!perState.has(e.to)) perState.set(e.to, []);
    const before = nearest(e.t - OFFSET_MS);
    const after = nearest(e.t + OFFSET_MS);
    if (before === null || after === null || Math.abs(after - before) < MIN_STEP_W) continue;
    perState.get(e.to)!.push(after - before);
  }

  const now = options.now ?? events.reduce((m, e) => Math.max(m, e.t), times.length > 0 ? times[times.length - 1]! : Number.NEGATIVE_INFINITY);
  const out: DeviceProfile[] = [];
  for (const [entityId, perState] of [...steps].sort(([a], [b]) => a.localeCompare(b))) {
    const intervals = stateIntervals(byEntity.get(entityId)!, now);
    const seconds = timeInStates(intervals);
    for (const [state, values] of [...perState].sort(([a], [b]) => a.localeCompare(b))) {
      const n = values.length;
      const powerW = n > 0 ? values.reduce((s, v) => s + v, 0) / n : null;
      const onS = seconds.get(state) ?? 0;
      out.push({
        entityId,
        state,
        level: null,
        published: powerW !== null,
        energyFrom: "steps",
        stepW: powerW,
        range: null,
        phases: [],
        kwhPerRun: null,
        runs: 0,
        measuredRuns: 0,
        cleanRuns: 0,
        powerW,
        standardErrorW: null,
        // The first design had no notion of confidence; this one only counts events.
        confidence: Math.min(1, n / 5),
        status: powerW === null ? "learning" : "estimated",
        events: n,
        seenEvents: byEntity.get(entityId)!.filter((e) => e.to === state || e.from === state).length,
        lagS: { on: 0, off: 0 },
        onTimeH: onS / 3600,
        ghostRuns: 0,
        energyKwh: powerW === null ? null : kwh(powerW, onS * 1000),
        cost: powerW === null || options.price === undefined ? null : costOf(intervals, state, powerW, options.price),
      });
    }
  }
  return out;
}

function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
