/** `npm run bench`'s arguments: `--only <words>` picks sections, `--seed <n>` repeats a run, and a run without it draws a fresh seed. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SEED, parseBenchArgs, seedsFrom } from "../bench/seed.js";

test("--only takes the words after it, with or without --seed beside it", () => {
  assert.deepEqual(parseBenchArgs(["--only", "harder"], () => 7), { only: "harder", seed: 7, seedDrawn: true });
  assert.deepEqual(parseBenchArgs(["--only", "Synthetic", "household", "--seed", "42"]), { only: "synthetic household", seed: 42, seedDrawn: false });
  assert.deepEqual(parseBenchArgs(["--seed", "42", "--only", "correlation"]), { only: "correlation", seed: 42, seedDrawn: false });
  assert.deepEqual(parseBenchArgs(["--seed=0"]), { only: undefined, seed: 0, seedDrawn: false });
});

test("without --seed every run draws its own seed", () => {
  let calls = 0;
  const a = parseBenchArgs([], () => (calls += 1));
  const b = parseBenchArgs([], () => (calls += 1));
  assert.notEqual(a.seed, b.seed);
  assert.equal(a.seedDrawn, true);
  const drawn = parseBenchArgs([]).seed;
  assert.ok(Number.isInteger(drawn) && drawn >= 0 && drawn <= MAX_SEED, String(drawn));
});

test("a bad seed, an unknown option or a stray word is refused", () => {
  for (const bad of ["-1", "1.5", "abc", "", String(MAX_SEED + 1)]) assert.throws(() => parseBenchArgs([`--seed=${bad}`]), /--seed must be/, bad);
  assert.throws(() => parseBenchArgs(["--seeds", "4"]));
  assert.throws(() => parseBenchArgs(["harder"]), /use --only/);
});

test("a section's seeds are the run's seed and the ones after it, so --seed 101 replays the harder section's former households", () => {
  assert.deepEqual(seedsFrom(101, 4), [101, 102, 103, 104]);
  assert.deepEqual(seedsFrom(1, 6), [1, 2, 3, 4, 5, 6]);
  assert.equal(new Set(seedsFrom(MAX_SEED, 3)).size, 3);
});
