import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseConfig, type EnergyInsightsConfig } from "../../server/src/config/index.js";
import { collectSecrets, createLogger } from "../../server/src/log.js";
import { createApp, type App } from "../../server/src/app.js";
import { startContactSimulator, type ContactSimulator } from "../../server/src/simulate/contact/server.js";
import { DEFAULT_SIM_USERS } from "../../server/src/simulate/contact/server.js";
import type { Clock } from "../../server/src/time/clock.js";

export const SIM_SEED = 7;
export const SIM_USER = DEFAULT_SIM_USERS[0]!;

/** Everything the backend logged, as text, for checks such as "no secret appears". */
export class LogCapture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export function testConfig(sim: ContactSimulator, extra: { storePath?: string; haUrl?: string; haToken?: string } = {}): EnergyInsightsConfig {
  return parseConfig(
    {
      home_assistant: { url: extra.haUrl ?? "http://127.0.0.1:1", token: extra.haToken ?? "test-token-not-used" },
      store: { path: extra.storePath ?? join(mkdtempSync(join(tmpdir(), "ei-backend-")), "cache.db") },
      log: { level: "debug" },
      contact: { base_url: sim.url, accounts: [{ username: SIM_USER.username, password: SIM_USER.password }] },
    },
    {},
  );
}

export interface TestBackend {
  app: App;
  logs: LogCapture;
  config: EnergyInsightsConfig;
}

/**
 * How long the test backend waits for a simulator's answer: generous, so that a busy machine never
 * turns a slow answer into a failure; a test about timeouts sets its own (`http.timeoutMs`) and
 * holds the simulator's answers far longer than that.
 */
export const TEST_HTTP_TIMEOUT_MS = 30_000;

/** The real backend (config, store, HTTP policy, client) wired to a simulator; fast retries for tests. */
export function testBackend(config: EnergyInsightsConfig, clock: Clock, opts: { connectHa?: boolean; logs?: LogCapture; http?: { timeoutMs?: number } } = {}): TestBackend {
  const logs = opts.logs ?? new LogCapture();
  const log = createLogger({ level: "debug", secrets: collectSecrets(config), destination: logs });
  const app = createApp(config, { clock, log, connectHa: opts.connectHa ?? false, http: { timeoutMs: opts.http?.timeoutMs ?? TEST_HTTP_TIMEOUT_MS, baseDelayMs: 5, maxDelayMs: 50 } });
  return { app, logs, config };
}

export async function simulator(clock: Clock): Promise<ContactSimulator> {
  return startContactSimulator({ clock, seed: SIM_SEED });
}
