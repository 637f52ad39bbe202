/**
 * The backend's OneMeter poller run for real (service.run) on a ManualClock: each time the poller
 * goes to sleep, the clock is moved to its wake-up time, so simulated hours pass in milliseconds.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import { collectSecrets, createLogger } from "../../server/src/log.js";
import type { OneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import type { ManualClock } from "../../server/src/time/clock.js";
import { LogCapture } from "./backend.js";

export interface OneMeterRun {
  app: ReturnType<typeof createApp>;
  logs: LogCapture;
  clock: ManualClock;
  /** Lets the pollers run until the clock reaches `untilMs`; `at(ms)` is called before each poll time is reached. */
  runUntil(untilMs: number, at?: (ms: number) => void): Promise<void>;
  stop(): Promise<void>;
}

export function runOneMeterBackend(s: OneMeterSimulator, clock: ManualClock, pollInterval: string, deviceId: string): OneMeterRun {
  const config = parseConfig(
    {
      home_assistant: { token: "unused-token" },
      store: { path: join(mkdtempSync(join(tmpdir(), "ei-onemeter-")), "cache.db") },
      power: { enabled: false },
      api: { port: 0, host: "127.0.0.1" },
      onemeter: { base_url: s.url, api_key: s.apiKey, devices: [deviceId], poll_interval: pollInterval, backfill_days: 2 },
    },
    {},
  );
  const logs = new LogCapture();
  const log = createLogger({ level: "debug", secrets: collectSecrets(config), destination: logs });
  let pending: number | undefined;
  let notify = () => {};
  const app = createApp(config, {
    clock,
    log,
    connectHa: false,
    http: { timeoutMs: 30_000 },
    onOneMeterSleep: (_id, until) => {
      pending = until;
      notify();
    },
  });
  const stopper = new AbortController();
  const running = app.service.run(stopper.signal);
  const stop = async () => {
    stopper.abort();
    await running;
    app.close();
  };
  return {
    app,
    logs,
    clock,
    stop: () => (stopper.signal.aborted ? Promise.resolve() : stop()),
    async runUntil(untilMs, at) {
      for (;;) {
        const deadline = Date.now() + 30_000;
        while (pending === undefined) {
          if (Date.now() > deadline) throw new Error("the poller never went to sleep");
          await new Promise<void>((r) => {
            notify = r;
            setTimeout(r, 20);
          });
        }
        const next = pending;
        if (next > untilMs) {
          clock.set(untilMs);
          return;
        }
        pending = undefined;
        at?.(next);
        clock.set(next);
      }
    },
  };
}

