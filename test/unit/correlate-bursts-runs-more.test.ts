/**
 * A PC idles at 80 W and bursts to 150-200 W a third of its time. Its switch-offs sample its bursts' share, one instant
 * each; its hours-long runs gather other loads and say more. When the runs said more than the switch-offs by over two
 * standard errors, the switch-offs were silenced: the PC was charged its runs alone (+36 %) or its idle step (-32 %).
 * Runs that say more than the switch-offs now join them, weighed by their errors, within the levels the switch-offs
 * saw (`meanOfBursts`, issue 12).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { meanOfBursts } from "../../server/src/correlate/attribution.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";

test("runs that say more than the switch-offs are weighed with them, not instead of them", () => {
  // Household 6053's PC read every second: switch-offs 106 +- 12 W, its clear runs 145 +- 14 W.
  const edges = { meanW: 106, standardErrorW: 12, baseW: 80 };
  const runs = { meanW: 145, standardErrorW: 14 };
  const expected = (106 / 144 + 145 / 196) / (1 / 144 + 1 / 196);
  assert.ok(Math.abs(meanOfBursts(edges, 80, runs)! - expected) < 1e-9, String(meanOfBursts(edges, 80, runs)));
  // All the runs join only when they agree with the switch-offs.
  assert.ok(Math.abs(meanOfBursts(edges, 80, runs, { meanW: 170, standardErrorW: 10 })! - expected) < 1e-9, "all runs far above the switch-offs stay out");
  // Above the levels the switch-offs saw, the runs hold other loads: the step stands.
  assert.equal(meanOfBursts(edges, 80, runs, null, 110), null, "a mean above the switch-offs' ceiling");
  assert.ok(meanOfBursts(edges, 80, runs, null, 170) !== null, "a mean under it");
  // Runs that say less than the switch-offs still silence them (a light's switch-offs confounded at a busy hour).
  assert.equal(meanOfBursts(edges, 80, { meanW: 70, standardErrorW: 10 }), null);
});

test("a PC whose runs say more than its switch-offs is charged neither its idle step nor its runs alone (households 6053 and 6101)", () => {
  // 6053 read every second: charged its 80 W idle (-32 %) before; 6101 read every 10 s: its runs alone (+37 %).
  for (const [seed, sensor] of [
    [6053, 1],
    [6101, 10],
  ] as const) {
    const { error, detail } = learnHousehold(seed, harderSensor(sensor)).device("switch.pc");
    assert.ok(Math.abs(error) < 0.15, detail);
  }
});
