import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../config/index.js";
import { createApp } from "../app.js";
import { addGridImports } from "../ha/energy.js";
import { parseHaVersion } from "../ha/version.js";
import { collectSecrets, createLogger } from "../log.js";
import { startContactSimulator } from "../simulate/contact/server.js";
import { DEFAULT_SIM_USERS } from "../simulate/contact/server.js";
import { contactStatistics } from "../sync/contact-statistics.js";
import { systemClock } from "../time/clock.js";

const DEMO_HA_VERSION = "2026.11.0";
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * `npm run demo`: the Contact Energy simulator, a real Home Assistant (the newest pinned version,
 * installed by the development harness on first use), and the backend syncing into it, with the Energy
 * dashboard set up. Prints the URL and login; Ctrl-C stops everything.
 */
export async function runDemo(): Promise<number> {
  const setup = join(repoRoot, "scripts", "ha-setup.sh");
  const harness = join(repoRoot, "dev", "harness", "ha.ts");
  if (!existsSync(setup) || !existsSync(harness)) {
    console.error("energy-insights demo runs from a checkout of the repository (it needs scripts/ha-setup.sh and the development harness in dev/harness).");
    return 1;
  }
  console.log(`Preparing Home Assistant ${DEMO_HA_VERSION} (the first run installs it and takes several minutes)…`);
  const installed = spawnSync("bash", [setup, DEMO_HA_VERSION], { stdio: "inherit" });
  if (installed.status !== 0) {
    console.error(`\nHome Assistant ${DEMO_HA_VERSION} could not be installed: see the lines above for the step that failed.`);
    console.error("It needs root (for the Debian sid chroot with Python 3.14), debootstrap from Debian's packages, and access to Debian's and PyPI's package servers.");
    return 1;
  }

  const bundle = join(repoRoot, "dist", "energy-insights-card.js");
  if (!existsSync(bundle)) {
    console.log("Building the card (npm run build)…");
    if (spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" }).status !== 0) {
      console.error("\nThe card could not be built: see the lines above.");
      return 1;
    }
  }
  const { startHomeAssistant, HA_LOGIN } = await import("../../../dev/harness/ha.js");
  const { addModuleResource, createDashboard, localPath } = await import("../../../dev/harness/lovelace.js");
  const { confirmHttpConfig } = await import("../../../dev/harness/browser.js");
  const sim = await startContactSimulator({ clock: systemClock, seed: 7 });
  console.log(`Contact Energy simulator at ${sim.url}`);
  console.log(`Starting Home Assistant ${DEMO_HA_VERSION}…`);
  // The card is served from /config/www, which HA only serves if it exists at startup.
  const ha = await startHomeAssistant(DEMO_HA_VERSION, { www: [bundle] });
  const user = DEFAULT_SIM_USERS[0]!;
  const config = parseConfig(
    {
      home_assistant: { url: ha.url, token: ha.token },
      store: { path: join(mkdtempSync(join(tmpdir(), "energy-insights-demo-")), "energy-insights.db") },
      contact: { base_url: sim.url, accounts: [{ username: user.username, password: user.password }] },
    },
    {},
  );
  const log = createLogger({ level: "info", secrets: collectSecrets(config), pretty: true, destination: process.stderr });
  const app = createApp(config, { clock: systemClock, log });
  const stop = new AbortController();
  const shutdown = async () => {
    stop.abort();
    app.close();
    await sim.close();
    await ha.stop();
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());

  try {
    const summary = await app.service.syncOnce();
    const conn = await app.haConnection();
    const imports = summary.contact.flatMap((l) => l.contracts).flatMap((c) => {
      const [paid, free, cost] = contactStatistics(c.icp, config.contact!.currency).map((s) => s.stat.statisticId);
      return [
        { energyStatisticId: paid!, costStatisticId: cost! },
        { energyStatisticId: free!, costStatisticId: null },
      ];
    });
    await addGridImports(conn, imports, parseHaVersion(conn.haVersion));
    // 2026.11 would otherwise ask every browser to confirm its HTTP settings, and revert them in 5 minutes.
    await confirmHttpConfig(ha);
    // The card on its own dashboard, as a user adds it: a module resource and the card from the picker.
    await addModuleResource(ha, await localPath(ha, bundle));
    const cardUrl = await createDashboard(ha, {
      urlPath: "energy-insights",
      title: "Energy Insights",
      icon: "mdi:lightning-bolt",
      config: { views: [{ title: "Energy Insights", cards: [{ type: "custom:energy-insights-card" }] }] },
    });
    const rows = summary.published.reduce((n, p) => n + p.rowsSent, 0);
    console.log(`
Energy Insights demo is running.
  Home Assistant:    ${ha.url}   (user "${HA_LOGIN.username}", password "${HA_LOGIN.password}")
  Energy dashboard:  ${ha.url}/energy   (${rows} statistics rows imported for ${imports.length / 2} contracts)
  Energy Insights card: ${cardUrl}
Press Ctrl-C to stop.`);
    await app.service.run(stop.signal);
    return 0;
  } catch (err) {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown();
    return 1;
  }
}
