/**
 * A one-state device on its quiet edges whose runs all together say it draws far more (issue 12):
 * a dishwasher on its 14 W pump edges, its three least uncertain runs short of proof, its nine runs
 * clear, is charged what its runs used, not its edges (-97 % before, one household of forty).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { farAboveByAllRuns } from "../../server/src/correlate/attribution.js";

const oneState = { learned: new Map([["on", null as never]]) };
const twoStates = { learned: new Map([["on", null as never], ["heat", null as never]]) };

test("all runs far above the step and clear of their error, the least uncertain ones agreeing in sign, charge the runs", () => {
  const step = () => 14.4;
  // The dishwasher: least uncertain runs +325 ± 149 W (2.2 standard errors), all nine +393 ± 27 W.
  assert.equal(farAboveByAllRuns(oneState, step, { middleW: 325, standardErrorW: 149 }, { middleW: 393, standardErrorW: 27 }), true);
  // Too few runs clear of neighbours for a residual: all runs alone decide.
  assert.equal(farAboveByAllRuns(oneState, step, null, { middleW: 393, standardErrorW: 27 }), true);
  // The least uncertain runs say less than the step: they and all runs disagree, the step stands.
  assert.equal(farAboveByAllRuns(oneState, step, { middleW: -20, standardErrorW: 149 }, { middleW: 393, standardErrorW: 27 }), false);
  // All runs too scattered to be clear of zero.
  assert.equal(farAboveByAllRuns(oneState, step, { middleW: 325, standardErrorW: 149 }, { middleW: 393, standardErrorW: 200 }), false);
  // Fewer than eight runs (no broad residual), or a device with more than one state.
  assert.equal(farAboveByAllRuns(oneState, step, { middleW: 325, standardErrorW: 149 }, null), false);
  assert.equal(farAboveByAllRuns(twoStates, step, { middleW: 325, standardErrorW: 149 }, { middleW: 393, standardErrorW: 27 }), false);
});

test("a porch light whose runs at the busy hour hold other loads (5.4 times its step) keeps its step", () => {
  assert.equal(farAboveByAllRuns(oneState, () => 41, { middleW: -14, standardErrorW: 87 }, { middleW: 222, standardErrorW: 61 }), false);
  assert.equal(farAboveByAllRuns(oneState, () => 41, { middleW: 30, standardErrorW: 87 }, { middleW: 222, standardErrorW: 61 }), false);
  // No step, or none above zero: nothing to be far above.
  assert.equal(farAboveByAllRuns(oneState, () => null, null, { middleW: 393, standardErrorW: 27 }), false);
  assert.equal(farAboveByAllRuns(oneState, () => 0, null, { middleW: 393, standardErrorW: 27 }), false);
});
