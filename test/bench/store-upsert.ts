import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SeriesReading } from "../../server/src/store/store.js";
import type { Figure } from "./report.js";

/** Upserts of hourly readings into a real on-disk SQLite cache (WAL), new rows then re-fetched ones. */
export function benchStoreUpsert(): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), "ei-bench-store-"));
  const { store } = openStore(join(dir, "cache.db"));
  const series = ["contact_0000012345abc_paid_energy", "contact_0000012345abc_free_energy", "contact_0000012345abc_paid_cost", "contact_0000012345abc_offpeak_energy"];
  const rows: SeriesReading[] = [];
  const hours = 5 * 8760;
  for (const s of series) for (let h = 0; h < hours; h += 1) rows.push({ series: s, resolution: "hour", start: 1_700_000_000 + h * 3600, value: (h % 97) / 100 });
  const time = (fn: () => void) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const insertSec = time(() => store.upsertReadings(rows));
  const refetched = rows.map((r) => ({ ...r, value: r.value + 0.01 }));
  const updateSec = time(() => store.upsertReadings(refetched));
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return [
    { name: `store upsert, ${rows.length.toLocaleString("en-US")} new hourly rows`, value: rows.length / insertSec, unit: "rows/s", target: { op: ">=", value: 500_000 } },
    { name: `store upsert, ${rows.length.toLocaleString("en-US")} re-fetched rows`, value: rows.length / updateSec, unit: "rows/s", target: { op: ">=", value: 500_000 } },
  ];
}
