/**
 * How uncertain another device is while a run is measured with it taken out at its step (issue 12): its steps' spread, or
 * how far its switch-ons and switch-offs are apart when they disagree (an EV charger that tapers off, an oven's thermostat).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { stepUncertaintyW } from "../../server/src/correlate/entity-learning.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";

test("a state is as uncertain as its steps' spread, or as its switch-ons and switch-offs are apart when that is more", () => {
  // An EV charger: switched on at 7 kW, off at 4 W once the car is full; its steps' spread (of all of them) 3 W.
  assert.equal(stepUncertaintyW({ spreadW: 3, onValues: [7010, 7018, 7030], offValues: [4, 7, 9] }), 7011);
  // An oven: on at its 2.4 kW heater, off mostly with the thermostat's heater off.
  assert.equal(stepUncertaintyW({ spreadW: 38, onValues: [2440, 2430, 2450], offValues: [30, 486, 2400, 40, 900] }), 1954);
  // A light whose edges agree: its spread.
  assert.equal(stepUncertaintyW({ spreadW: 5, onValues: [60, 61, 59], offValues: [59, 60, 58] }), 5);
  // Edges of one kind only: its spread.
  assert.equal(stepUncertaintyW({ spreadW: 9, onValues: [], offValues: [51, 55] }), 9);
});

test("a dishwasher run that began in the same second as an EV charge does not keep the charge (a fresh seed's household, read on change)", () => {
  // Household 1660857620 of the harder bench: a dishwasher (true 439 W while on) switched on with the charger one
  // evening was charged 2.8 kW while on, the charger (true 2.75 kW) 2.1 kW, when the first pass took the charger out at
  // its 9 W switch-off step, known to 3 W.
  const household = learnHousehold(1660857620, harderSensor("on-change"));
  for (const [entityId, within] of [["switch.dishwasher", 0.15], ["switch.ev_charger", 0.1]] as const) {
    const { error, detail } = household.device(entityId);
    assert.ok(Math.abs(error) < within, detail);
  }
});
