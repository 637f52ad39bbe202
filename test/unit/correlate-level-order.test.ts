/**
 * A numbered attribute's power rises with its number: levels whose steps contradict that order are
 * charged what their in-order neighbours imply. Hand-made steps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inOrder, isotonic, powerOf, type LearnedState } from "../../server/src/correlate/entity-learning.js";
import { learnState } from "../../server/src/correlate/learn.js";
import { powerStateKey } from "../../server/src/correlate/states.js";

/** A level learned from switch-ons with these steps (one lag) and as many switch-offs. */
function level(steps: readonly number[]): LearnedState {
  const rows = steps.map((x) => [x]);
  const l = learnState(rows, rows, 1);
  return { ...l, spreadW: 0, inferredW: null };
}

test("the monotone fit pools neighbours that are out of order, weighted", () => {
  assert.deepEqual(isotonic([1, 2, 3], [1, 1, 1]), [1, 2, 3]);
  assert.deepEqual(isotonic([3, 1], [1, 1]), [2, 2]);
  assert.deepEqual(isotonic([10, 1, 5], [1, 3, 1]), [3.25, 3.25, 5]);
});

test("a dimmable light's levels whose steps break the brightness order are not published from them", () => {
  // 50 % and 100 % agree closely with themselves; 10 % and 30 % caught other loads and sit above 50 %.
  const key = (b: number) => powerStateKey("on", `brightness ${b} %`);
  const learned = new Map<string, LearnedState>([
    [key(10), level([40, 44, 52, 38, 47])],
    [key(30), level([20, 180, 140, 30, 150])],
    [key(50), level([26, 27, 26.5, 27.5, 26, 27, 26.8, 27.2])],
    [key(100), level([59, 61, 60, 60.5, 59.5])],
  ]);
  const out = inOrder(learned);
  assert.equal(powerOf(out.get(key(10))!), null, "10 % is out of order");
  assert.equal(powerOf(out.get(key(30))!), null, "30 % is out of order");
  assert.ok(Math.abs(powerOf(out.get(key(50))!)! - 26.75) < 0.5);
  assert.ok(Math.abs(powerOf(out.get(key(100))!)! - 60) < 0.5);
  // Levels in order are left alone, and levels that are not numbered are never compared.
  const fine = new Map([
    [key(10), level([7, 8, 7.5, 8.2, 7.8])],
    [key(50), level([26, 27, 26.5, 27.5, 26])],
  ]);
  assert.equal(inOrder(fine), fine);
  const modes = new Map([
    [powerStateKey("heat", "heating"), level([1100, 1120, 1090])],
    [powerStateKey("heat", "idle"), level([1500, 1490, 1510])],
  ]);
  assert.equal(inOrder(modes), modes);
});
