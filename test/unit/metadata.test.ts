import { test } from "node:test";
import assert from "node:assert/strict";
import { importMetadata, type StatisticDescription } from "../../server/src/ha/metadata.js";
import { atLeast, parseHaVersion } from "../../server/src/ha/version.js";

const energy: StatisticDescription = {
  statisticId: "energy_insights:contact_0000012345abc_paid_energy",
  source: "energy_insights",
  name: "Contact 0000012345ABC paid energy",
  unit: "kWh",
  unitClass: "energy",
  hasSum: true,
  hasMean: false,
};
const cost: StatisticDescription = { ...energy, statisticId: "energy_insights:contact_0000012345abc_paid_cost", unit: "NZD", unitClass: null };

test("HA versions parse from auth_ok, betas and dev builds included", () => {
  assert.deepEqual(parseHaVersion("2024.3.3"), { year: 2024, month: 3, patch: 3 });
  assert.deepEqual(parseHaVersion("2025.11.0b2"), { year: 2025, month: 11, patch: 0 });
  assert.deepEqual(parseHaVersion("2026.8.0.dev0"), { year: 2026, month: 8, patch: 0 });
  assert.throws(() => parseHaVersion("latest"), /unrecognised Home Assistant version/);
  assert.equal(atLeast(parseHaVersion("2025.3.9"), 2025, 4), false);
  assert.equal(atLeast(parseHaVersion("2026.1.0"), 2025, 11), true);
});

test("up to 2025.3 metadata carries has_mean and nothing newer", () => {
  const m = importMetadata(energy, parseHaVersion("2024.3.3"));
  assert.deepEqual(m, {
    has_sum: true,
    has_mean: false,
    name: energy.name,
    source: "energy_insights",
    statistic_id: energy.statisticId,
    unit_of_measurement: "kWh",
  });
  assert.equal(importMetadata(energy, parseHaVersion("2025.3.4")).mean_type, undefined);
});

test("2025.4 to 2025.10 metadata carries mean_type but no unit_class", () => {
  for (const v of ["2025.4.0", "2025.10.4"]) {
    const m = importMetadata({ ...energy, hasMean: true }, parseHaVersion(v));
    assert.equal(m.mean_type, 1);
    assert.equal("has_mean" in m, false);
    assert.equal("unit_class" in m, false);
  }
});

test("from 2025.11 metadata carries mean_type and unit_class, and no has_mean", () => {
  for (const v of ["2025.11.0", "2026.11.0"]) {
    const e = importMetadata(energy, parseHaVersion(v));
    assert.equal(e.mean_type, 0);
    assert.equal(e.unit_class, "energy");
    assert.equal("has_mean" in e, false);
    const c = importMetadata(cost, parseHaVersion(v));
    assert.equal(c.unit_class, null);
    assert.equal(c.unit_of_measurement, "NZD");
  }
});
