/**
 * The per-provider statistics modules (statistics/contact.ts, statistics/carbon.ts) map the store's
 * readings to statistics with their rows, and sync/publish.ts brings HA in line with them: checked
 * here end to end against a fake recorder (the real HA is the e2e tests').
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { carbonSeries, seriesKey } from "../../server/src/statistics/ids.js";
import { carbonStatisticRows, emissionsIntensity } from "../../server/src/statistics/carbon.js";
import { contactStatisticRows } from "../../server/src/statistics/contact.js";
import { openStore, type Store } from "../../server/src/store/store.js";
import { publishStatistics } from "../../server/src/sync/publish.js";
import { dayStart } from "../../server/src/time/local.js";
import { FakeRecorder } from "../helpers/fake-recorder.js";

const NZ = "Pacific/Auckland";
const ICP = "0000012345ABC";
const DAY = dayStart("2026-06-02", NZ);
const HOURS = Array.from({ length: 24 }, (_, i) => DAY + i * 3600);
const ZONE = { provider: "electricity_maps", account: "NZ-NZN", signal: "intensity" } as const;

function store(): Store {
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-provider-stats-")), "cache.db"));
  const contact = (kind: "paid_energy" | "free_energy" | "paid_cost") => seriesKey("contact", ICP, kind);
  store.upsertReadings([
    // The day before as a day total only (older than the hourly window), then a whole day of hours.
    { series: contact("paid_energy"), resolution: "day", start: dayStart("2026-06-01", NZ), value: 20 },
    ...HOURS.flatMap((start, i) => [
      { series: contact("paid_energy"), resolution: "hour" as const, start, value: i < 7 ? 0 : 1 },
      { series: contact("free_energy"), resolution: "hour" as const, start, value: i < 7 ? 0.5 : 0 },
      { series: contact("paid_cost"), resolution: "hour" as const, start, value: i < 7 ? 0 : 0.3 },
    ]),
  ]);
  const s = carbonSeries(ZONE.provider, ZONE.account, ZONE.signal);
  // Intensity for both days: the day-total day and the hourly one.
  const intensity = [...Array.from({ length: 24 }, (_, i) => dayStart("2026-06-01", NZ) + i * 3600), ...HOURS];
  store.upsertReadings(
    intensity.flatMap((start, i) => [
      { series: s.mean, resolution: "hour" as const, start, value: 100 + (i % 24) },
      { series: s.min, resolution: "hour" as const, start, value: 90 + (i % 24) },
      { series: s.max, resolution: "hour" as const, start, value: 110 + (i % 24) },
    ]),
  );
  return store;
}

test("a Contact contract's statistics: paid and free kWh and the paid cost, each period at the finest resolution stored", () => {
  const stats = contactStatisticRows(store(), ICP, { zone: NZ, currency: "NZD" });
  assert.deepEqual(
    stats.map((s) => [s.stat.statisticId, s.stat.unit, "rows" in s ? s.rows.length : -1]),
    [
      ["energy_insights:contact_0000012345abc_paid_energy", "kWh", 25],
      ["energy_insights:contact_0000012345abc_free_energy", "kWh", 24],
      ["energy_insights:contact_0000012345abc_paid_cost", "NZD", 24],
    ],
  );
  const paid = stats[0]!;
  assert.ok("rows" in paid);
  assert.deepEqual(paid.rows[0], { start: dayStart("2026-06-01", NZ), end: DAY, value: 20 }, "the day total in the day's first hour");
});

test("carbon: the intensity as mean/min/max hours, and emissions only from an intensity (never a percentile)", () => {
  const db = store();
  const stats = carbonStatisticRows(db, [ZONE], { icps: [ICP], zone: NZ });
  assert.deepEqual(stats.map((s) => s.stat.statisticId), ["energy_insights:electricity_maps_nz_nzn_carbon_intensity", "energy_insights:contact_0000012345abc_emissions"]);
  const [intensity, emissions] = stats;
  assert.ok(intensity && "means" in intensity && emissions && "rows" in emissions);
  assert.deepEqual(intensity.means[0], { start: dayStart("2026-06-01", NZ), mean: 100, min: 90, max: 110 });
  // The day total (20 kWh) × its hours' mean intensity (111.5 g/kWh), then each hour's kWh × its intensity.
  assert.deepEqual(emissions.rows[0], { start: dayStart("2026-06-01", NZ), end: DAY, value: 2.23 });
  assert.deepEqual(emissions.rows[1], { start: DAY, end: DAY + 3600, value: 0.05 });
  const percentile = { provider: "watttime", account: "PSCO", signal: "percentile" } as const;
  assert.deepEqual(carbonStatisticRows(db, [percentile], { icps: [ICP], zone: NZ }).map((s) => s.stat.statisticId), ["energy_insights:watttime_psco_signal_index"]);
  // With both providers, emissions follow Electricity Maps' average intensity, not WattTime's marginal one.
  const moer = { provider: "watttime", account: "CAISO_NORTH", signal: "intensity" } as const;
  assert.deepEqual(emissionsIntensity([moer, ZONE]), ZONE);
  assert.deepEqual(emissionsIntensity([percentile, moer]), moer);
  assert.equal(emissionsIntensity([percentile]), undefined);
});

test("publishing a provider's statistics: continuous sums, mean hours with their extremes, nothing twice, a revised hour re-sent from it on", async () => {
  const db = store();
  const ha = new FakeRecorder();
  const conn = ha.connection();
  const all = () => [...contactStatisticRows(db, ICP, { zone: NZ, currency: "NZD" }), ...carbonStatisticRows(db, [ZONE], { icps: [ICP], zone: NZ })];
  const first = await publishStatistics(conn, db, all(), { publish: { readBackTimeoutMs: 0 } });
  assert.deepEqual(first.map((r) => r.rowsSent), [25, 24, 24, 48, 25]);
  const paid = ha.series("energy_insights:contact_0000012345abc_paid_energy");
  assert.deepEqual([paid[0]!.sum, paid.at(-1)!.sum], [20, 37]);
  const intensity = ha.series("energy_insights:electricity_maps_nz_nzn_carbon_intensity");
  assert.deepEqual([intensity[0]!.mean, intensity[0]!.min, intensity[0]!.max, intensity[0]!.sum], [100, 90, 110, undefined]);
  assert.equal(ha.metadata.get("energy_insights:electricity_maps_nz_nzn_carbon_intensity")?.has_sum, false);

  assert.deepEqual((await publishStatistics(conn, db, all(), { publish: { readBackTimeoutMs: 0 } })).map((r) => r.rowsSent), [0, 0, 0, 0, 0], "a second publish sends nothing");

  // The provider revises the last hour but two: that hour and every later sum are sent again.
  db.upsertReadings([{ series: seriesKey("contact", ICP, "paid_energy"), resolution: "hour", start: HOURS[21]!, value: 3 }]);
  const revised = await publishStatistics(conn, db, all(), { publish: { readBackTimeoutMs: 0 } });
  assert.deepEqual(revised.map((r) => r.rowsSent), [3, 0, 0, 0, 3]);
  assert.deepEqual(ha.series("energy_insights:contact_0000012345abc_paid_energy").slice(-3).map((r) => r.sum), [37, 38, 39], "35, 36, 37 before");
});
