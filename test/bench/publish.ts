import { connectToHa } from "../../server/src/ha/connection.js";
import { importMetadata, type StatisticDescription } from "../../server/src/ha/metadata.js";
import { publishStatistic } from "../../server/src/ha/publisher.js";
import { importStatistics, statisticsDuringPeriod } from "../../server/src/ha/recorder.js";
import { STATISTICS_SOURCE } from "../../server/src/statistics/ids.js";
import { parseHaVersion } from "../../server/src/ha/version.js";
import type { ComposedRow } from "../../server/src/statistics/compose.js";
import { openStore } from "../../server/src/store/store.js";
import { startHomeAssistant, type HaVersion } from "../../dev/harness/ha.js";
import type { Figure } from "./report.js";

const HOURS = 8760;
const BASELINE_HOURS = 336;
const START = Date.UTC(2025, 0, 1) / 1000;

function stat(series: string, unit = "kWh"): StatisticDescription {
  return { statisticId: `${STATISTICS_SOURCE}:${series}`, source: STATISTICS_SOURCE, name: series, unit, unitClass: unit === "kWh" ? "energy" : null, hasSum: true, hasMean: false };
}

function year(): ComposedRow[] {
  return Array.from({ length: HOURS }, (_, i) => ({ start: START + i * 3600, end: START + (i + 1) * 3600, value: ((i * 53) % 211) / 100 }));
}

/**
 * One year of hourly rows for 3 statistics published into a real HA (newest pinned version) and
 * read back, against a naive publisher that sends one message per hour.
 */
export async function benchPublish(version: HaVersion = "2026.11.0"): Promise<Figure[]> {
  const ha = await startHomeAssistant(version);
  try {
    const conn = await connectToHa({ url: ha.url, token: ha.token });
    const { store } = openStore(":memory:");
    const stats = [stat("bench_year_paid_energy"), stat("bench_year_free_energy"), stat("bench_year_paid_cost", "NZD")];
    const t0 = performance.now();
    for (const s of stats) await publishStatistic(conn, store, s.statisticId.split(":")[1]!, s, year());
    let readBack = 0;
    for (const s of stats) {
      const res = await statisticsDuringPeriod(conn, { startTime: new Date(START * 1000), endTime: new Date((START + HOURS * 3600) * 1000), statisticIds: [s.statisticId], period: "hour", types: ["sum"] });
      readBack += res[s.statisticId]?.length ?? 0;
    }
    const ours = (stats.length * HOURS) / ((performance.now() - t0) / 1000);
    if (readBack !== stats.length * HOURS) throw new Error(`read back ${readBack} rows of ${stats.length * HOURS}`);

    // Naive: one import message per hour, confirmed once at the end.
    const naive = stat("bench_naive_paid_energy");
    const metadata = importMetadata(naive, parseHaVersion(conn.haVersion));
    const t1 = performance.now();
    let sum = 0;
    for (const r of year().slice(0, BASELINE_HOURS)) {
      sum += r.value;
      await importStatistics(conn, metadata, [{ start: new Date(r.start * 1000).toISOString(), state: r.value, sum }]);
    }
    for (;;) {
      const res = await statisticsDuringPeriod(conn, { startTime: new Date(START * 1000), endTime: new Date((START + BASELINE_HOURS * 3600) * 1000), statisticIds: [naive.statisticId], period: "hour", types: ["sum"] });
      if ((res[naive.statisticId]?.length ?? 0) >= BASELINE_HOURS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const baseline = BASELINE_HOURS / ((performance.now() - t1) / 1000);
    conn.close();
    store.close();
    return [
      {
        name: `publish into HA ${version}, 1 year hourly x 3 statistics (${(stats.length * HOURS).toLocaleString("en-US")} rows), read back`,
        value: ours,
        unit: "rows/s",
        target: { op: ">=", value: 2400 },
        baseline: { name: `one message per hour, ${BASELINE_HOURS} rows`, value: baseline },
      },
    ];
  } finally {
    await ha.stop();
  }
}
