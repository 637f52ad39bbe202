/**
 * Carbon statistics into a real Home Assistant (both pinned versions): an hourly intensity
 * statistic (mean/min/max, no sum) and a contract's emissions (kg CO2eq, continuous sums) built
 * from usage × intensity, re-published when a late intensity hour arrives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connectToHa } from "../../server/src/ha/connection.js";
import { publishMeanStatistic, publishStatistic } from "../../server/src/ha/publisher.js";
import type { MeanRow } from "../../server/src/statistics/compose.js";
import { getStatisticsMetadata, statisticsDuringPeriod } from "../../server/src/ha/recorder.js";
import { openStore } from "../../server/src/store/store.js";
import { emissionsOfPeriods, emissionsStatistic, intensityStatistic } from "../../server/src/statistics/carbon.js";
import { hourlyUsage } from "../helpers/usage-rows.js";
import { HA_VERSIONS, startHomeAssistant } from "../../dev/harness/ha.js";

const START = Date.UTC(2026, 3, 1) / 1000;
const HOURS = 48;

for (const version of HA_VERSIONS) {
  test(`carbon intensity and emissions statistics in Home Assistant ${version}`, { timeout: 300_000 }, async (t) => {
    const ha = await startHomeAssistant(version);
    t.after(() => ha.stop());
    const conn = await connectToHa({ url: ha.url, token: ha.token });
    t.after(() => conn.close());
    const { store } = openStore(":memory:");
    t.after(() => store.close());

    const intensity: MeanRow[] = Array.from({ length: HOURS }, (_, i) => {
      const mean = 80 + ((i * 37) % 120);
      return { start: START + i * 3600, mean, min: mean - 10, max: mean + 15 };
    });
    const { series, stat } = intensityStatistic("electricity_maps", "NZ-NZN", "intensity");
    // One hour arrives late: published without it first, then with it.
    const late = 20;
    await publishMeanStatistic(conn, store, series, stat, intensity.filter((_, i) => i !== late));
    const again = await publishMeanStatistic(conn, store, series, stat, intensity);
    assert.equal(again.rowsSent, 1, "only the late hour is sent again");
    const got = (await statisticsDuringPeriod(conn, { startTime: new Date(START * 1000), endTime: new Date((START + HOURS * 3600) * 1000 - 1), statisticIds: [stat.statisticId], period: "hour", types: ["mean", "min", "max"] }))[stat.statisticId] ?? [];
    assert.equal(got.length, HOURS);
    for (const [i, r] of got.entries()) {
      assert.ok(Math.abs(r.mean! - intensity[i]!.mean) < 1e-6 && Math.abs(r.min! - intensity[i]!.min) < 1e-6 && Math.abs(r.max! - intensity[i]!.max) < 1e-6, `hour ${i}: ${JSON.stringify(r)}`);
    }

    const kwh = new Map(intensity.map((r, i) => [r.start, 0.3 + (i % 5) * 0.2]));
    const emissions = emissionsStatistic("0000012345ABC");
    await publishStatistic(conn, store, emissions.series, emissions.stat, emissionsOfPeriods(hourlyUsage(kwh), intensity.slice(0, 30)));
    await publishStatistic(conn, store, emissions.series, emissions.stat, emissionsOfPeriods(hourlyUsage(kwh), intensity));
    const sums = (await statisticsDuringPeriod(conn, { startTime: new Date(START * 1000), endTime: new Date((START + HOURS * 3600) * 1000 - 1), statisticIds: [emissions.stat.statisticId], period: "hour", types: ["sum", "change"] }))[emissions.stat.statisticId] ?? [];
    assert.equal(sums.length, HOURS);
    let total = 0;
    for (const [i, r] of sums.entries()) {
      const expected = (kwh.get(intensity[i]!.start)! * intensity[i]!.mean) / 1000;
      total += expected;
      assert.ok(Math.abs(r.change! - expected) < 1e-5, `emissions hour ${i}: ${r.change} vs ${expected}`);
      assert.ok(Math.abs(r.sum! - total) < 1e-4, `continuous sum at hour ${i}`);
    }

    const meta = await getStatisticsMetadata(conn, [stat.statisticId, emissions.stat.statisticId]);
    const byId = new Map(meta.map((m) => [m.statistic_id, m]));
    assert.equal(byId.get(stat.statisticId)?.statistics_unit_of_measurement, "gCO2eq/kWh");
    assert.equal(byId.get(stat.statisticId)?.has_sum, false);
    assert.equal(byId.get(emissions.stat.statisticId)?.statistics_unit_of_measurement, "kg CO2eq");
    assert.doesNotMatch(readFileSync(ha.logFile, "utf8"), /called without specifying|Invalid (statistic_id|timestamp)|Unsupported unit/i);
  });
}
