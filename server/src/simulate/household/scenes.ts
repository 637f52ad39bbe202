/**
 * Scenes: one action switching several lights on together (an "evening" scene), so their
 * switch-ons land within a fraction of a second of each other and no window can tell them apart.
 */
import type { Random } from "./random.js";
import type { Run } from "./schedule.js";

/** Keeps one entity's runs apart, as the scheduler does. */
const MIN_GAP_MS = 60_000;
/** A run joins another light's switch-on within this distance. */
const REACH_MS = 3 * 3600_000;
/** How far apart HA stamps the switch-ons of one scene. */
const SPREAD_MS = 500;

/**
 * Moves a share of the lights' runs so that they start with the nearest run of another light
 * that lets them keep their length without overlapping the same light's other runs. `runs` maps
 * entity to its runs in time order; the lists are changed in place.
 */
export function gatherIntoScenes(runs: Map<string, Run[]>, lights: readonly string[], share: number, rng: Random): void {
  if (share <= 0 || lights.length < 2) return;
  for (const entity of lights) {
    const own = runs.get(entity) ?? [];
    own.forEach((run, i) => {
      if (!rng.chance(share)) return;
      const duration = run.end - run.start;
      const earliest = i > 0 ? own[i - 1]!.end + MIN_GAP_MS : Number.NEGATIVE_INFINITY;
      const latest = i + 1 < own.length ? own[i + 1]!.start - MIN_GAP_MS - duration : Number.POSITIVE_INFINITY;
      const starts = lights
        .filter((l) => l !== entity)
        .flatMap((l) => (runs.get(l) ?? []).map((r) => r.start))
        .filter((s) => Math.abs(s - run.start) <= REACH_MS && s >= earliest && s <= latest)
        .sort((a, b) => Math.abs(a - run.start) - Math.abs(b - run.start));
      if (starts.length > 0) {
        const start = starts[0]! + Math.round(rng.uniform(0, SPREAD_MS));
        own[i] = { start, end: start + duration };
      }
    });
  }
}
