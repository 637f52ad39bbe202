import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EXTERNAL_STATISTIC_ID, seriesKey, slug, statisticId } from "../../server/src/ha/statistic-ids.js";

test("slug lowercases and folds runs of other characters into one underscore", () => {
  assert.equal(slug("0000012345ABC"), "0000012345abc");
  assert.equal(slug("  Main St -- #2 "), "main_st_2");
  assert.equal(slug("__x__"), "x");
  assert.equal(slug("Zażółć"), "za");
});

test("statistic ids follow the DESIGN.md pattern", () => {
  assert.equal(statisticId(seriesKey("contact", "0000012345ABC", "paid_energy")), "energy_insights:contact_0000012345abc_paid_energy");
});

test("every id we build is accepted by HA's external statistic id rule", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (provider, account) => {
      fc.pre(slug(provider) !== "" && slug(account) !== "");
      return EXTERNAL_STATISTIC_ID.test(statisticId(seriesKey(provider, account, "free_energy")));
    }),
  );
});

test("an account that slugs to nothing is refused with a clear message", () => {
  assert.throws(() => seriesKey("contact", "---", "paid_cost"), /cannot build a statistic id/);
});
