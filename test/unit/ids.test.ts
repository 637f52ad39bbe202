import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ACCOUNT_KINDS,
  CARBON_KINDS,
  carbonSeries,
  deviceSeriesKey,
  deviceSlugOf,
  EXTERNAL_STATISTIC_ID,
  oneMeterRegisterSeries,
  oneMeterSeries,
  parseStatisticId,
  seriesKey,
  slug,
  STATISTIC_OR_ENTITY_ID,
  statisticId,
} from "../../server/src/statistics/ids.js";

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

const part = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => slug(s) !== "");

test("every id built is read back as what it was built from: account, carbon, OneMeter and device statistics", () => {
  fc.assert(
    fc.property(part, part, fc.constantFrom(...ACCOUNT_KINDS), (provider, account, kind) => {
      const id = statisticId(seriesKey(provider, account, kind));
      assert.deepEqual(parseStatisticId(id), { family: "account", series: id.slice(id.indexOf(":") + 1), owner: `${slug(provider)}_${slug(account)}`, kind });
    }),
  );
  fc.assert(
    fc.property(part, part, fc.constantFrom("intensity" as const, "percentile" as const), (provider, account, signal) => {
      const { mean, min, max } = carbonSeries(provider, account, signal);
      const parsed = parseStatisticId(statisticId(mean));
      assert.equal(parsed?.family, "carbon");
      assert.equal(parsed?.kind, signal === "intensity" ? CARBON_KINDS[0] : CARBON_KINDS[1]);
      assert.equal(parsed?.owner, `${slug(provider)}_${slug(account)}`);
      assert.deepEqual([min, max], [`${mean}_min`, `${mean}_max`]);
      assert.equal(parseStatisticId(statisticId(min)), null, "the stored minimum is not a statistic");
    }),
  );
  fc.assert(
    fc.property(part, fc.constantFrom("import_energy", "export_energy_t2", "reactive_energy_q1", "reactive_energy_q4_t1"), (device, kind) => {
      const id = statisticId(oneMeterSeries(device, kind));
      assert.ok(EXTERNAL_STATISTIC_ID.test(id));
      assert.deepEqual(parseStatisticId(id), { family: "onemeter", series: id.slice(id.indexOf(":") + 1), owner: `onemeter_${slug(device)}`, kind, reactive: kind.startsWith("reactive") });
    }),
  );
  fc.assert(
    fc.property(part, (entity) => {
      const id = statisticId(deviceSeriesKey(entity));
      assert.ok(EXTERNAL_STATISTIC_ID.test(id));
      assert.equal(deviceSlugOf(id), slug(entity));
    }),
  );
});

test("ids that are not ours, or of a kind this version does not know, are not read as ours", () => {
  for (const id of ["sensor.energy", "other:contact_1_paid_energy", "energy_insights:contact_paid_energy", "energy_insights:contact_1_something", "energy_insights:Contact_1_paid_energy", "energy_insights:device__energy"]) {
    assert.equal(parseStatisticId(id), null, id);
  }
  assert.equal(parseStatisticId(statisticId(oneMeterRegisterSeries("m1", "1_8_0"))), null, "a register series is stored only");
  assert.equal(deviceSlugOf("energy_insights:contact_1_paid_energy"), null);
});

test("a card option naming a statistic takes any integration's external statistic id or an entity id, nothing else", () => {
  for (const ok of ["energy_insights:contact_0000012345abc_paid_energy", "opower:pge_elec_energy", "sensor.kitchen_energy"]) assert.match(ok, STATISTIC_OR_ENTITY_ID);
  for (const bad of ["energy_insights:", "Energy Insights", "sensor.Kitchen", "energy_insights:contact paid", "kitchen"]) assert.doesNotMatch(bad, STATISTIC_OR_ENTITY_ID);
});
