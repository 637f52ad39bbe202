import { parseConfig } from "../../server/src/config/index.js";
import { ELECTRICITY_MAPS_SIM_TOKEN, startElectricityMapsSimulator } from "../../server/src/simulate/electricitymaps/server.js";
import { startWattTimeSimulator, WATTTIME_SIM_USER } from "../../server/src/simulate/watttime/server.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { testBackend } from "../helpers/backend.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Figure } from "./report.js";
import { CarbonSync } from "../../server/src/sync/carbon-service.js";

/**
 * Issue 3's counts against the WattTime and Electricity Maps simulators: 24 simulated hours with
 * 30-minute tokens, the backend reading WattTime every 5 minutes (its data every 10) and Electricity
 * Maps hourly. The first design never renewed its token, so every fetch after 30 minutes failed.
 */
export async function benchCarbonCalls(): Promise<Figure[]> {
  const start = Date.parse("2026-04-10T00:00:00Z");
  const clock = new ManualClock(start);
  const wt = await startWattTimeSimulator({ clock });
  const em = await startElectricityMapsSimulator({ clock });
  const config = parseConfig(
    {
      home_assistant: { url: "http://127.0.0.1:1", token: "bench-token-not-used" },
      store: { path: join(mkdtempSync(join(tmpdir(), "ei-bench-carbon-")), "cache.db") },
      watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: WATTTIME_SIM_USER.password, region: "CAISO_NORTH", check_interval: "10m" },
      electricity_maps: { base_url: em.url, token: ELECTRICITY_MAPS_SIM_TOKEN, zone: "NZ-NZN", check_interval: "1h" },
    },
    {},
  );
  const { app } = testBackend(config, clock);
  try {
    let failedChecks = 0;
    for (let minute = 0; minute <= 24 * 60; minute += 5) {
      clock.set(start + minute * 60_000);
      if ((await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors.length > 0) failedChecks += 1;
    }
    const data = wt.requestLog.filter((r) => r.path !== "/login");
    const logins = wt.requestLog.filter((r) => r.path === "/login").map((r) => r.at);
    const gaps = logins.slice(1).map((at, i) => (at - logins[i]!) / 60_000);
    return [
      { name: "WattTime data requests refused over 24 h with 30-minute tokens", value: data.filter((r) => r.status !== 200 || r.expiredToken).length, unit: "requests", target: { op: "<=", value: 0 } },
      { name: "carbon checks that reported an error over those 24 h", value: failedChecks, unit: "checks", target: { op: "<=", value: 0 } },
      { name: `WattTime logins over 24 h (${data.length} data requests)`, value: logins.length, unit: "logins" },
      { name: "shortest time between two WattTime logins", value: gaps.length > 0 ? Math.min(...gaps) : 24 * 60, unit: "min", target: { op: ">=", value: 25 } },
      { name: "Electricity Maps history requests over 24 h (hourly, 24 h free-tier history)", value: em.requestLog.filter((r) => r.path.endsWith("/history")).length, unit: "requests", target: { op: "<=", value: 26 } },
    ];
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
}
