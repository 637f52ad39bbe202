/**
 * The seed of a bench run: `npm run bench -- --seed <n>` repeats a run; without it, every run draws a
 * fresh one (printed at the top of the output), so each run tests households and soak scenarios it
 * has not seen before. Sections that simulate draw their own seeds from it (`seedsFrom`).
 */
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";

export interface BenchArgs {
  /** Words a section's title must contain (case-insensitive), or undefined for every section. */
  only: string | undefined;
  seed: number;
  /** Whether the seed was drawn for this run rather than given. */
  seedDrawn: boolean;
}

/** The largest seed (seeds are 32-bit for the simulators' PRNGs; leave room for `seedsFrom`'s offsets). */
export const MAX_SEED = 2 ** 31 - 1;

/**
 * `--only <words...>` (the words may follow as separate arguments: `--only correlation harder`) and
 * `--seed <n>` (a whole number from 0 to `MAX_SEED`). Throws on an unknown option or a bad seed.
 */
export function parseBenchArgs(argv: readonly string[], draw: () => number = () => randomInt(0, MAX_SEED)): BenchArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { only: { type: "string" }, seed: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const words = [values.only, ...positionals].filter((w): w is string => w !== undefined && w !== "");
  if (values.only === undefined && positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}: use --only <words> to pick sections`);
  let seed: number;
  let seedDrawn = false;
  if (values.seed === undefined) {
    seed = draw();
    seedDrawn = true;
  } else {
    if (!/^\d+$/.test(values.seed) || Number(values.seed) > MAX_SEED) throw new Error(`--seed must be a whole number from 0 to ${MAX_SEED}, not ${values.seed}`);
    seed = Number(values.seed);
  }
  return { only: words.length > 0 ? words.join(" ").toLowerCase() : undefined, seed, seedDrawn };
}

/**
 * `count` distinct seeds for one section's households or scenarios: the run's seed and the ones after
 * it (`--seed 101` gives the harder household section the four households it always had before runs
 * drew their seeds: 101 to 104; `--seed 1`, the first correlation section its 1 to 6).
 */
export function seedsFrom(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (seed + i) % 2 ** 32);
}
