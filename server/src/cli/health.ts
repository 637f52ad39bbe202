import type { EnergyInsightsConfig } from "../config/index.js";
import { openStore } from "../store/store.js";
import { lastCheck } from "../store/state.js";
import type { Clock } from "../time/clock.js";

/**
 * `health` (the Docker health check): healthy when the service finished a check within two check
 * intervals, and no provider has failed more than 3 times in a row. Prints why; exit 0 or 1.
 */
export function runHealth(config: EnergyInsightsConfig, deps: { clock: Clock; out: (line: string) => void }): number {
  const { store } = openStore(config.store.path);
  try {
    const last = lastCheck(store)?.at ?? Number.NaN;
    const maxAgeMs = 2 * config.sync.checkInterval * 1000 + 10 * 60_000;
    if (!Number.isFinite(last)) {
      deps.out("unhealthy: no check has finished yet");
      return 1;
    }
    const ageMin = Math.round((deps.clock.now() - last) / 60_000);
    if (deps.clock.now() - last > maxAgeMs) {
      deps.out(`unhealthy: the last check finished ${ageMin} minutes ago`);
      return 1;
    }
    const failing = store.allSyncStates().filter((s) => s.failures > 3);
    if (failing.length > 0) {
      deps.out(`unhealthy: ${failing.map((s) => `${s.provider} ${s.account} ${s.resolution} failed ${s.failures} times: ${s.lastError ?? ""}`).join("; ")}`);
      return 1;
    }
    deps.out(`healthy: last check ${ageMin} minutes ago`);
    return 0;
  } finally {
    store.close();
  }
}
