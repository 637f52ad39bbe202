import { test } from "node:test";
import assert from "node:assert/strict";
import { expectedMetadata } from "../../server/src/cli/verify.js";
import { verifyMetadata, verifySumStatistic, type HaSumRow } from "../../server/src/statistics/verify.js";
import type { PublishedRow } from "../../server/src/statistics/sums.js";

const H = 3600;
const T = 1_775_000_000 - (1_775_000_000 % H);

function imported(values: number[]): PublishedRow[] {
  let sum = 0;
  return values.map((value, i) => ({ start: T + i * H, value, sum: (sum += value) }));
}
const asHa = (rows: PublishedRow[]): HaSumRow[] => rows.map((r) => ({ start: r.start, state: r.value, sum: r.sum }));

test("verify: HA equal to what was imported has no problem", () => {
  const rows = imported([1, 2, 0, 3.5]);
  assert.deepEqual(verifySumStatistic(asHa(rows), rows), { hoursChecked: 4, problems: [], firstBad: undefined });
});

test("verify: a missing hour, a wrong value, a negative change and a sum break are each named, with the first bad hour", () => {
  const rows = imported([1, 2, 3, 4, 5, 6]);
  const ha = asHa(rows);
  ha.splice(1, 1); // hour 1 missing
  const missing = verifySumStatistic(ha, rows);
  assert.deepEqual(missing.problems.map((p) => p.kind), ["missing_hour", "sum_break"]);
  assert.equal(missing.firstBad, T + H);

  const wrong = asHa(rows);
  wrong[3] = { ...wrong[3]!, state: 9 };
  assert.deepEqual(verifySumStatistic(wrong, rows).problems.map((p) => p.kind), ["value_mismatch", "sum_break"]);

  const negative = asHa(rows);
  negative[4] = { ...negative[4]!, sum: negative[3]!.sum! - 1 };
  const neg = verifySumStatistic(negative, rows);
  assert.ok(neg.problems.some((p) => p.kind === "negative_change" && p.start === T + 4 * H));
  assert.equal(neg.firstBad, T + 4 * H);

  const jump = asHa(rows).map((r, i) => (i >= 2 ? { ...r, sum: r.sum! + 100 } : r));
  const broken = verifySumStatistic(jump, rows);
  assert.ok(broken.problems.some((p) => p.kind === "sum_break" && p.start === T + 2 * H));
  assert.equal(broken.firstBad, T + 2 * H);
});

test("verify: metadata against what the backend writes for each kind of statistic", () => {
  assert.deepEqual(expectedMetadata("energy_insights:contact_0000012345abc_paid_cost", "NZD"), { source: "energy_insights", hasSum: true, unit: "NZD" });
  assert.deepEqual(expectedMetadata("energy_insights:onemeter_x_reactive_energy_q1", "NZD")?.unit, "kvarh");
  assert.deepEqual(expectedMetadata("energy_insights:onemeter_x_import_energy_t2", "NZD")?.unit, "kWh");
  assert.deepEqual(expectedMetadata("energy_insights:electricity_maps_nz_carbon_intensity", "NZD"), { source: "energy_insights", hasSum: false, unit: "gCO2eq/kWh" });
  assert.equal(expectedMetadata("energy_insights:something_else", "NZD"), undefined);
  assert.deepEqual(verifyMetadata({ source: "energy_insights", hasSum: true, unit: "Wh" }, { source: "energy_insights", hasSum: true, unit: "kWh" }).map((p) => p.kind), ["metadata"]);
});
