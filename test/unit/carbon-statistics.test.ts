import { carbonSeries } from "../../server/src/statistics/ids.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { importMetadata } from "../../server/src/ha/metadata.js";
import { planMeanPublish } from "../../server/src/ha/publisher.js";
import { parseHaVersion } from "../../server/src/ha/version.js";
import { planPublish } from "../../server/src/statistics/sums.js";
import { hourlyAggregates } from "../../server/src/sync/carbon-job.js";
import { emissionsOfPeriods, emissionsStatistic, intensityStatistic } from "../../server/src/statistics/carbon.js";
import { hourlyUsage } from "../helpers/usage-rows.js";

test("statistic ids: <provider>_<region or zone>_carbon_intensity, the percentile labelled signal_index, contact_<icp>_emissions", () => {
  assert.equal(intensityStatistic("electricity_maps", "NZ-NZN", "intensity").stat.statisticId, "energy_insights:electricity_maps_nz_nzn_carbon_intensity");
  assert.equal(intensityStatistic("watttime", "CAISO_NORTH", "intensity").stat.statisticId, "energy_insights:watttime_caiso_north_carbon_intensity");
  const index = intensityStatistic("watttime", "PSCO", "percentile").stat;
  assert.equal(index.statisticId, "energy_insights:watttime_psco_signal_index");
  assert.equal(index.unit, "%");
  assert.match(index.name, /percentile, not gCO2eq\/kWh/);
  assert.equal(emissionsStatistic("0000012345ABC").stat.statisticId, "energy_insights:contact_0000012345abc_emissions");
  assert.deepEqual(carbonSeries("watttime", "PSCO", "intensity"), { mean: "watttime_psco_carbon_intensity", min: "watttime_psco_carbon_intensity_min", max: "watttime_psco_carbon_intensity_max" });
});

test("intensity metadata: a mean statistic with no sum; has_mean up to 2025.3, mean_type 1 after, unit_class null (no converter for gCO2eq/kWh)", () => {
  const { stat } = intensityStatistic("electricity_maps", "DE", "intensity");
  assert.deepEqual(importMetadata(stat, parseHaVersion("2024.3.3")), { has_sum: false, has_mean: true, name: stat.name, source: "energy_insights", statistic_id: stat.statisticId, unit_of_measurement: "gCO2eq/kWh" });
  const mid = importMetadata(stat, parseHaVersion("2025.6.0"));
  assert.equal(mid.mean_type, 1);
  assert.equal("has_mean" in mid, false);
  const now = importMetadata(stat, parseHaVersion("2026.11.0"));
  assert.deepEqual([now.mean_type, now.unit_class, now.has_sum, "has_mean" in now], [1, null, false, false]);
  const e = importMetadata(emissionsStatistic("X1").stat, parseHaVersion("2026.11.0"));
  assert.deepEqual([e.mean_type, e.unit_class, e.has_sum, e.unit_of_measurement], [0, null, true, "kg CO2eq"]);
});

test("5-minute points become hourly mean/min/max; an hour not yet over is left for later", () => {
  const h = 1_780_000_000 - (1_780_000_000 % 3600);
  const points = [0, 1, 2].map((i) => ({ at: h + i * 300, value: 100 + i * 10 })).concat([{ at: h + 3600, value: 5 }]);
  assert.deepEqual(hourlyAggregates(points, h + 3600), [{ start: h, mean: 110, min: 100, max: 120 }]);
  assert.equal(hourlyAggregates(points, h + 7200).length, 2);
});

test("emissions: kWh × g/kWh / 1000 per hour with both, continuous sums, a late intensity hour re-sends later sums only", () => {
  const h = 1_780_000_000 - (1_780_000_000 % 3600);
  const kwh = new Map([[h, 1.5], [h + 3600, 2], [h + 7200, 0.5]]);
  const full = [h, h + 3600, h + 7200].map((start, i) => ({ start, mean: 200 + i * 100, min: 0, max: 0 }));
  const partial = [full[0]!, full[2]!];
  const first = emissionsOfPeriods(hourlyUsage(kwh), partial);
  assert.deepEqual(first.map((r) => r.value), [0.3, 0.2]);
  const published = planPublish(first, []).rows;
  assert.deepEqual(published.map((r) => r.sum), [0.3, 0.5]);
  const later = planPublish(emissionsOfPeriods(hourlyUsage(kwh), full), published);
  assert.equal(later.firstChanged, h + 3600);
  assert.deepEqual(later.rows.map((r) => [r.value, r.sum]), [[0.6, 0.9], [0.2, 1.1]]);
});

test("mean publishing sends new and changed hours only", () => {
  const rows = [{ start: 7200, mean: 2, min: 1, max: 3 }, { start: 3600, mean: 1, min: 1, max: 1 }];
  assert.deepEqual(planMeanPublish(rows, new Map()).map((r) => r.start), [3600, 7200]);
  assert.deepEqual(planMeanPublish(rows, new Map([[3600, [1, 1, 1] as const], [7200, [2, 1, 3] as const]])), []);
  assert.deepEqual(planMeanPublish(rows, new Map([[3600, [1, 1, 1] as const], [7200, [2, 1, 4] as const]])).map((r) => r.start), [7200]);
});

test("emissions of day and month totals: the total × the mean intensity of its hours, only when every hour has one", () => {
  const day = 1_775_000_000 - (1_775_000_000 % 3600);
  const intensity = Array.from({ length: 48 }, (_, i) => ({ start: day + i * 3600, mean: 100 + i, min: 100 + i, max: 100 + i }));
  const usage = [
    { start: day, end: day + 3600, value: 2 },
    { start: day + 3600, end: day + 24 * 3600, value: 23 },
    { start: day + 24 * 3600, end: day + 50 * 3600, value: 30 },
  ];
  const rows = emissionsOfPeriods(usage, intensity);
  assert.deepEqual(rows.map((r) => [r.start, r.end]), [[day, day + 3600], [day + 3600, day + 24 * 3600]], "the last period lacks two hours of intensity: no emissions");
  assert.equal(rows[0]!.value, (2 * 100) / 1000);
  const meanOfDay = Array.from({ length: 23 }, (_, i) => 101 + i).reduce((a, b) => a + b, 0) / 23;
  assert.ok(Math.abs(rows[1]!.value - (23 * meanOfDay) / 1000) < 1e-6);
});
