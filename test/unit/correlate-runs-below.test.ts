/**
 * An oven is switched on at its heater's full power and off wherever its thermostat was: its switch-offs are below its
 * switch-ons, and its runs say it draws about half its step. Used three or four times in two weeks, its runs are too
 * few and too noisy to prove it varies, and it was charged its step (+97 to +113 % in two of 320 fresh households).
 * When every run says less and its edges lean the same way, it is charged its step plus its runs' median residual
 * (`meanOfRunsBelow`, issue 12).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { meanOfRunsBelow } from "../../server/src/correlate/attribution.js";
import { estimate } from "../../server/src/correlate/learn.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";

const learned = (onValues: number[], offValues: number[]) => ({ ...estimate([...onValues, ...offValues]), onLagIndex: 0, offLagIndex: 0, values: [...onValues, ...offValues], weights: null, onValues, offValues, onProfile: [] });

/** Household 8020's oven read on change: on at 2.4 kW, off in a heating phase, half-way, and with another load going off. */
const oven = learned([2413, 2430, 2421, 2418], [2411, 1226, -1458, 2416]);

test("an oven whose every run drew less than its step, its switch-offs below its switch-ons, is charged its step plus its runs' median residual", () => {
  assert.equal(meanOfRunsBelow(oven, 2418, [-1380, -804, -1466], { middleW: -1380, standardErrorW: 710 }), 1038);
});

test("the step stands when a run drew more, the residual is within its standard error or a tenth of the step, or the edges agree", () => {
  assert.equal(meanOfRunsBelow(oven, 2418, [-1380, 150, -1466], { middleW: -1380, standardErrorW: 710 }), null, "one run above the step");
  assert.equal(meanOfRunsBelow(oven, 2418, [-500, -300, -700], { middleW: -500, standardErrorW: 600 }), null, "within one standard error");
  assert.equal(meanOfRunsBelow(oven, 2418, [-200, -150, -230], { middleW: -200, standardErrorW: 50 }), null, "within a tenth of the step");
  const steady = learned([2000, 2003, 1998, 2001], [2002, 1999, 2001, 2000]);
  assert.equal(meanOfRunsBelow(steady, 2000, [-900, -800, -1000], { middleW: -900, standardErrorW: 100 }), null, "a kettle's edges agree");
  const pc = learned([80, 81, 79, 82], [170, 80, 165, 79]);
  assert.equal(meanOfRunsBelow(pc, 80, [-30, -20, -25], { middleW: -25, standardErrorW: 5 }), null, "switch-offs above the switch-ons");
  assert.equal(meanOfRunsBelow(oven, 2418, [-1380, -1466], { middleW: -1400, standardErrorW: 100 }), null, "fewer than three runs");
});

test("an oven used four times in two weeks is charged about what it drew, not its heater's power (household 8020, read on change)", () => {
  const { profile: found, error, detail } = learnHousehold(8020, harderSensor("on-change")).device("switch.oven");
  assert.ok(Math.abs(error) < 0.15, detail);
  assert.equal(found.energyFrom, "switch-offs");
  assert.notEqual(found.status, "confident");
});
