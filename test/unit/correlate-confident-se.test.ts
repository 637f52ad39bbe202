/**
 * A level is labelled confident only when its standard error is a quarter of what a confident level may be off by
 * (max(2 W, 10 %)), for small devices too, where the 2 W floor holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { confidentMaxErrorW, confidentToleranceW } from "../../server/src/correlate/learn.js";
import { harderSensor, learnHousehold } from "../helpers/household.js";

test("what a confident level may be off by is max(2 W, 10 %), twice the confident tolerance's share", () => {
  assert.equal(confidentMaxErrorW(12), 2);
  assert.equal(confidentMaxErrorW(-12), 2);
  assert.equal(confidentMaxErrorW(2000), 200);
  assert.equal(confidentMaxErrorW(2000), 2 * confidentToleranceW(2000));
  assert.equal(confidentMaxErrorW(12), confidentToleranceW(12));
});

test("read every 5 and 7 s, no level is labelled confident further off than max(2 W, 10 %) (household 7016: a fan's 12 W speed at 9.7-9.8 W)", () => {
  for (const intervalS of [5, 7]) {
    const model = { ...harderSensor(10), intervalS };
    const { profiles } = learnHousehold(7016, model);
    const confident = profiles.filter(({ profile }) => profile.status === "confident");
    assert.ok(confident.length >= 3, `${confident.length} confident profiles at ${intervalS} s`);
    for (const { profile, truePowerW } of confident) {
      assert.ok(truePowerW !== null && profile.powerW !== null, `${profile.entityId} ${profile.state}`);
      const off = Math.abs(profile.powerW - truePowerW);
      assert.ok(off <= confidentMaxErrorW(truePowerW), `${profile.entityId} ${profile.level ?? profile.state} at ${intervalS} s: ${profile.powerW.toFixed(1)} W, true ${truePowerW.toFixed(1)} W (se ${profile.standardErrorW?.toFixed(2)} W)`);
    }
  }
});
