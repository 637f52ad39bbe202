import { SingleBar, Presets } from "cli-progress";
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import { createApp } from "../app.js";
import type { Clock } from "../time/clock.js";

interface Progress {
  update(done: number, planned: number, what: string): void;
  stop(): void;
}

/** A bar on a terminal; one plain line per request otherwise (CI, logs, pipes). */
function progress(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) {
    return { update: (done, planned, what) => stream.write(`backfill ${done + 1}/${planned} ${what}\n`), stop: () => undefined };
  }
  const bar = new SingleBar({ format: "backfill {bar} {value}/{total} {what}", stream, hideCursor: true }, Presets.shades_classic);
  bar.start(1, 0, { what: "" });
  return {
    update: (done, planned, what) => {
      bar.setTotal(Math.max(planned, 1));
      bar.update(done, { what });
    },
    stop: () => bar.stop(),
  };
}

/** `backfill --from DATE`: one sync with the daily and monthly windows extended back, showing progress. */
export async function runBackfill(config: EnergyInsightsConfig, deps: { log: Logger; clock: Clock; from: string; publish?: boolean }): Promise<number> {
  const app = createApp(config, { log: deps.log, clock: deps.clock, connectHa: deps.publish ?? true });
  const bar = progress(process.stderr);
  try {
    const summary = await app.service.syncOnce({ backfillFrom: deps.from, onRequest: (done, planned, what) => bar.update(done, planned, what) });
    bar.stop();
    const rows = summary.published.reduce((n, p) => n + p.rowsSent, 0);
    console.log(`Backfill from ${deps.from} ${summary.ok ? "finished" : "finished with errors"}: ${app.providerCalls.length} provider requests, ${rows} statistics rows published.`);
    for (const e of summary.errors) console.log(`  error: ${e}`);
    return summary.ok ? 0 : 1;
  } finally {
    bar.stop();
    app.close();
  }
}
