import type { EnergyInsightsConfig } from "../config/index.js";
import { openStore } from "../store/store.js";
import { lastCheck, sourceHealthRecord } from "../store/state.js";
import type { Clock } from "../time/clock.js";

/**
 * `health` (the Docker health check): healthy when the service finished a check within two check
 * intervals, no provider has failed more than 3 times in a row, and no source (as the last check
 * saw them) has been unhealthy for longer than two check intervals: a carbon provider whose login
 * is refused keeps no sync state, but its source says so. Prints why; exit 0 or 1.
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
    const now = deps.clock.now();
    const broken = sourceHealthRecord(store).filter((s) => s.unhealthySince !== null && now - s.unhealthySince > maxAgeMs);
    if (broken.length > 0) {
      deps.out(`unhealthy: ${broken.map((s) => `${s.name} has failed for ${Math.round((now - s.unhealthySince!) / 60_000)} minutes: ${s.lastError ?? "no error given"}`).join("; ")}`);
      return 1;
    }
    deps.out(`healthy: last check ${ageMin} minutes ago`);
    return 0;
  } finally {
    store.close();
  }
}
