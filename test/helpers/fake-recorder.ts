/**
 * A fake Home Assistant recorder for the publisher: keeps what `recorder/import_statistics` sends
 * (an hour's row replaced on re-import, as HA does) and answers `statistics_during_period` (hourly)
 * and `get_statistics_metadata` from it. Enough to publish through, not a model of HA's statistics.
 */
import type { Connection } from "../../server/src/ha/connection.js";
import type { ImportMetadata } from "../../server/src/ha/metadata.js";
import type { ImportRow, StatisticValue } from "../../server/src/ha/recorder.js";

export class FakeRecorder {
  readonly metadata = new Map<string, ImportMetadata>();
  /** Per statistic id: hour start (epoch s) → the row last imported. */
  readonly rows = new Map<string, Map<number, ImportRow>>();
  imports = 0;

  /** The connection the publisher talks to. */
  connection(haVersion = "2026.11.0"): Connection {
    return { haVersion, sendMessagePromise: (msg: Record<string, unknown>) => Promise.resolve(this.answer(msg)) } as unknown as Connection;
  }

  /** A statistic's rows in time order, with their start in epoch seconds. */
  series(statisticId: string): (ImportRow & { at: number })[] {
    return [...(this.rows.get(statisticId) ?? new Map<number, ImportRow>())].sort((a, b) => a[0] - b[0]).map(([at, r]) => ({ ...r, at }));
  }

  private answer(msg: Record<string, unknown>): unknown {
    switch (msg.type) {
      case "get_config":
        return { state: "RUNNING" };
      case "recorder/get_statistics_metadata":
        return ((msg.statistic_ids as string[] | undefined) ?? [...this.metadata.keys()]).filter((id) => this.metadata.has(id)).map((id) => ({ statistic_id: id, source: this.metadata.get(id)!.source }));
      case "recorder/import_statistics": {
        const meta = msg.metadata as ImportMetadata;
        this.metadata.set(meta.statistic_id, meta);
        const rows = this.rows.get(meta.statistic_id) ?? new Map<number, ImportRow>();
        for (const r of msg.stats as ImportRow[]) rows.set(Date.parse(r.start) / 1000, r);
        this.rows.set(meta.statistic_id, rows);
        this.imports += 1;
        return null;
      }
      case "recorder/statistics_during_period": {
        if (msg.period !== "hour") throw new Error(`the fake recorder answers hourly statistics only, not ${String(msg.period)}`);
        const from = Date.parse(msg.start_time as string) / 1000;
        const to = msg.end_time ? Date.parse(msg.end_time as string) / 1000 : Number.POSITIVE_INFINITY;
        const out: Record<string, StatisticValue[]> = {};
        for (const id of msg.statistic_ids as string[]) {
          const rows = this.series(id).filter((r) => r.at >= from && r.at < to);
          if (rows.length > 0) out[id] = rows.map((r) => ({ start: r.at * 1000, end: (r.at + 3600) * 1000, state: r.state ?? null, sum: r.sum ?? null, mean: r.mean ?? null, min: r.min ?? null, max: r.max ?? null }));
        }
        return out;
      }
      default:
        throw new Error(`the fake recorder does not answer ${String(msg.type)}`);
    }
  }
}
