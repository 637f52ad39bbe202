/** When appliances run: lists of [start, end) times (ms), never overlapping for one appliance. */
import type { Random } from "./random.js";

export interface Run {
  start: number;
  end: number;
}

export type Schedule =
  /** A thermostat appliance cycling all day (fridge, freezer), each phase ±`jitter` of its length. */
  | { kind: "cycling"; onS: number; offS: number; jitter: number }
  /** Runs at random times, `runsPerDay` on average, with uniform durations. */
  | { kind: "random"; runsPerDay: number; minS: number; maxS: number }
  /** Runs at random times with log-normal durations (σ 0.7 in log space) of the given mean. */
  | { kind: "log-normal"; runsPerDay: number; meanS: number }
  /** Runs of exactly `durationS` (a cover's motor). */
  | { kind: "fixed"; runsPerDay: number; durationS: number }
  /** At most one run a day, on a share of days, starting inside an hour range (UTC). */
  | { kind: "daily"; probability: number; fromHour: number; toHour: number; minS: number; maxS: number };

const DAY_MS = 86_400_000;
const LOG_NORMAL_SIGMA = 0.7;
/** Gap kept between runs of one appliance, so that each run has its own on and off. */
const MIN_GAP_MS = 60_000;

export function scheduleRuns(schedule: Schedule, start: number, end: number, rng: Random): Run[] {
  const runs: Run[] = [];
  switch (schedule.kind) {
    case "cycling": {
      let t = start + rng.uniform(0, schedule.offS * 1000);
      while (t < end) {
        const on = schedule.onS * 1000 * rng.uniform(1 - schedule.jitter, 1 + schedule.jitter);
        const off = schedule.offS * 1000 * rng.uniform(1 - schedule.jitter, 1 + schedule.jitter);
        if (t + on < end) runs.push({ start: t, end: t + on });
        t += on + off;
      }
      return runs;
    }
    case "daily": {
      for (let day = start; day < end; day += DAY_MS) {
        if (!rng.chance(schedule.probability)) continue;
        const s = day + rng.uniform(schedule.fromHour, schedule.toHour) * 3600_000;
        const e = s + rng.uniform(schedule.minS, schedule.maxS) * 1000;
        if (e < end) runs.push({ start: s, end: e });
      }
      return runs;
    }
    default: {
      const duration = (): number => {
        if (schedule.kind === "fixed") return schedule.durationS * 1000;
        if (schedule.kind === "random") return rng.uniform(schedule.minS, schedule.maxS) * 1000;
        return Math.min(12 * 3600, Math.max(60, rng.logNormal(schedule.meanS, LOG_NORMAL_SIGMA))) * 1000;
      };
      const meanGap = DAY_MS / schedule.runsPerDay;
      let t = start + rng.exponential(meanGap);
      while (t < end) {
        const e = t + duration();
        if (e >= end) break;
        runs.push({ start: Math.round(t), end: Math.round(e) });
        t = e + MIN_GAP_MS + rng.exponential(meanGap);
      }
      return runs;
    }
  }
}
