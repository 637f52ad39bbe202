import { test } from "node:test";
import assert from "node:assert/strict";
import { shownCsv } from "../../card/src/csv-export.js";
import type { LoadedRange } from "../../card/src/data/statistics-controller.js";
import { totalsOf, type Bucket } from "../../card/src/chart/buckets.js";

const HOUR = 3_600_000;
const START = Date.parse("2026-04-05T12:00:00Z"); // 6 Apr 2026 00:00 NZST

function loaded(buckets: Bucket[], extra: Partial<LoadedRange> = {}): LoadedRange {
  return {
    range: { view: "hourly", period: "hour", start: START, end: START + buckets.length * HOUR, timeZone: "Pacific/Auckland" },
    buckets,
    totals: totalsOf(buckets),
    currency: "NZD",
    ids: {},
    ...extra,
  };
}

const slot = (i: number, free: number, paid: number, cost: number | null): Bucket => ({ start: START + i * HOUR, end: START + (i + 1) * HOUR, free, paid, cost });

test("the shown columns: empty fields after the last data (not in yet), zeros before it kept as zeros", () => {
  const csv = shownCsv(loaded([slot(0, 0, 1.5, 0.3), slot(1, 0, 0, 0), slot(2, 2, 0, 0), slot(3, 0, 0, null), slot(4, 0, 0, null)]), "0000012345ABC");
  assert.equal(csv.filename, "energy-insights_0000012345abc_hourly_2026-04-06_2026-04-06.csv");
  assert.equal(csv.carbonUnit, undefined);
  assert.equal(
    csv.text,
    [
      "start,paid_kwh,free_kwh,cost_nzd",
      "2026-04-06T00:00:00+12:00,1.5,0,0.3",
      "2026-04-06T01:00:00+12:00,0,0,0",
      "2026-04-06T02:00:00+12:00,0,2,0",
      "2026-04-06T03:00:00+12:00,,,",
      "2026-04-06T04:00:00+12:00,,,",
      "",
    ].join("\r\n"),
  );
});

test("with the carbon overlay: a carbon column in its unit; forecast hours have intensity and no energy", () => {
  const buckets = [slot(0, 0, 1, 0.2), slot(1, 0, 0, null)];
  const carbonShown = {
    buckets,
    series: { signal: "intensity" as const, intensity: [120.5, 98], emissions: [0.12, null], forecast: [false, true] },
    totals: {} as never,
    cleanest: [],
  };
  const csv = shownCsv(loaded(buckets, { carbonShown: carbonShown as unknown as LoadedRange["carbonShown"] }), undefined);
  assert.equal(csv.carbonUnit, "gCO2eq/kWh");
  assert.equal(csv.filename, "energy-insights_hourly_2026-04-06_2026-04-06.csv");
  assert.deepEqual(csv.text.split("\r\n").slice(0, 3), ["start,paid_kwh,free_kwh,cost_nzd,carbon_gco2eq_kwh", "2026-04-06T00:00:00+12:00,1,0,0.2,120.5", "2026-04-06T01:00:00+12:00,,,,98"]);
});
