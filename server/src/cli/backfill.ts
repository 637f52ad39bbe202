import { SingleBar, Presets } from "cli-progress";
import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import { createApp } from "../app.js";
import type { Clock } from "../time/clock.js";

/** `backfill --from DATE`: one sync with the daily and monthly windows extended back, with a progress bar. */
export async function runBackfill(config: EnergyInsightsConfig, deps: { log: Logger; clock: Clock; from: string }): Promise<number> {
  const app = createApp(config, { log: deps.log, clock: deps.clock });
  const bar = new SingleBar({ format: "backfill {bar} {value}/{total} {what}", stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(1, 0, { what: "" });
  try {
    const summary = await app.service.syncOnce({
      backfillFrom: deps.from,
      onRequest: (done, planned, what) => {
        bar.setTotal(Math.max(planned, 1));
        bar.update(done, { what });
      },
    });
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
