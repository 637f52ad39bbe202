/**
 * `npm run demo`: the whole system on the real clock. The Contact Energy, OneMeter, WattTime and
 * Electricity Maps simulators; a real Home Assistant (the newest pinned version, from the
 * development harness) with a living household (dev/demo/devices.ts) played in it in real time;
 * the backend (`start`: every provider, the power collector, the API on a free port); the Energy
 * dashboard with grid, cost and the learned devices; and a dashboard with the card in every view.
 * History (weeks of usage and carbon, ten days of the household) is there at once, so every view
 * has data on the first screen. The console says what is where, prints a status line every minute
 * and a line per learned device; Ctrl-C (or `signal`) stops everything, Home Assistant included.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppApi } from "../../server/src/api/app-api.js";
import { createApp, type App } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import { addGridImports } from "../../server/src/ha/energy.js";
import { parseHaVersion } from "../../server/src/ha/version.js";
import { collectSecrets, createLogger } from "../../server/src/log.js";
import { DEFAULT_SIM_USERS, startContactSimulator, type ContactSimulator } from "../../server/src/simulate/contact/server.js";
import { DEFAULT_SIM_ACCOUNTS } from "../../server/src/simulate/contact/data.js";
import { ELECTRICITY_MAPS_SIM_PAID_TOKEN, startElectricityMapsSimulator } from "../../server/src/simulate/electricitymaps/server.js";
import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { startWattTimeSimulator, WATTTIME_SIM_USER } from "../../server/src/simulate/watttime/server.js";
import type { SyncSummary } from "../../server/src/service.js";
import { emissionsStatistic } from "../../server/src/statistics/carbon.js";
import { contactStatistics } from "../../server/src/statistics/contact.js";
import { oneMeterStatistics } from "../../server/src/statistics/onemeter.js";

import { statisticId, carbonSeries } from "../../server/src/statistics/ids.js";
import { systemClock } from "../../server/src/time/clock.js";
import { confirmHttpConfig } from "../harness/browser.js";
import { HA_LOGIN, haInstalled, startHomeAssistant, type HaVersion, type RunningHa } from "../harness/ha.js";
import { addModuleResource, createDashboard, localPath } from "../harness/lovelace.js";
import { DASHBOARD_PATH, dashboardConfig, demoViews, type DemoStatistics } from "./dashboard.js";
import { householdConfiguration, brightnessLog, demoDevices } from "./devices.js";
import { householdAsContactUsage, seedElectricityMaps, seedHousehold } from "./history.js";
import { LivingHousehold } from "./household.js";
import { DemoConsole } from "./report.js";

export const DEMO_HA_VERSION: HaVersion = "2026.11.0";
const repoRoot = new URL("../..", import.meta.url).pathname;
const SEED = 7;
/** Ten days of household history: the card's hourly view (nine days) is full of learned devices. */
const HOUSEHOLD_HISTORY_DAYS = 10;
const HOUSEHOLD_AHEAD_DAYS = 7;
/** Electricity Maps' past intensity for the daily view's 35 days and a little more. */
const CARBON_HISTORY_DAYS = 40;
const EM_ZONE = "NZ-NZN";
/** WattTime's region of Home Assistant's location (Auckland), on a plan with its history and forecast. */
const WATTTIME_REGION = "NZ";
/** The Contact contract whose usage is the living household (the other two are other homes of the same logins). */
const HOME_CONTRACT = DEFAULT_SIM_ACCOUNTS[0]!.contracts[0]!;
const ONEMETER = DEFAULT_SIM_METERS[0]!;

export interface DemoOptions {
  /** Stops the demo (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Where to write what the demo runs (URLs, HA's token and process id) as JSON once it is ready: for tests. */
  infoFile?: string;
  /** The console (default: stdout). */
  out?: (line: string) => void;
  /** Between status lines (default a minute). */
  statusEveryMs?: number;
}

/** What `infoFile` holds. */
export interface DemoInfo {
  haUrl: string;
  haToken: string;
  haPid: number | undefined;
  haConfigDir: string;
  apiUrl: string;
  energyUrl: string;
  dashboardUrl: string;
  views: { path: string; title: string; url: string }[];
  statistics: DemoStatistics;
  devices: { entityId: string; name: string }[];
  backendLog: string;
}

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const started = Date.now();
  if (!prepareHomeAssistant(out) || !prepareCard(out)) return 1;

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      out("Second stop signal: exiting now.");
      process.exit(130);
    }
    out("\nStopping the demo…");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  opts.signal?.addEventListener("abort", () => stop.abort(), { once: true });

  const runDir = mkdtempSync(join(tmpdir(), "energy-insights-demo-"));
  const backendLog = join(runDir, "backend.log");
  const closers: (() => Promise<void> | void)[] = [];
  let ha: RunningHa | undefined;
  let ok = false;
  try {
    // --- simulators, on the real clock -----------------------------------------------------------
    const contact = await startContactSimulator({ clock: systemClock, seed: SEED });
    closers.push(() => contact.close());
    const oneMeter = await startOneMeterSimulator({ clock: systemClock, readoutEveryMs: 60_000, powerKw: (_id, at) => 0.35 + 0.25 * Math.sin(at / 3_600_000) });
    closers.push(() => oneMeter.close());
    const wattTime = await startWattTimeSimulator({ clock: systemClock, planRegions: [WATTTIME_REGION] });
    closers.push(() => wattTime.close());
    const electricityMaps = await startElectricityMapsSimulator({ clock: systemClock });
    closers.push(() => electricityMaps.close());
    out(`Simulators: Contact Energy ${contact.url}, OneMeter ${oneMeter.url}, WattTime ${wattTime.url}, Electricity Maps ${electricityMaps.url}`);
    if (stop.signal.aborted) return 0;

    // --- Home Assistant with the household's entities ---------------------------------------------
    out(`Starting Home Assistant ${DEMO_HA_VERSION}…`);
    const bundle = join(repoRoot, "dist", "energy-insights-card.js");
    ha = await startHomeAssistant(DEMO_HA_VERSION, { www: [bundle], configuration: householdConfiguration(demoDevices(brightnessLog())) });
    const runningHa = ha;
    closers.push(() => runningHa.stop());
    const target = { url: ha.url, token: ha.token };
    if (stop.signal.aborted) return 0;

    // --- the household: history before the split, live after it ---------------------------------
    const household = new LivingHousehold({ seed: SEED, splitAt: Date.now() + 3000, historyDays: HOUSEHOLD_HISTORY_DAYS, aheadDays: HOUSEHOLD_AHEAD_DAYS });
    await household.initialise(target);
    const revisedHours = householdAsContactUsage(contact, HOME_CONTRACT.id, household);
    const config = demoConfig(ha, runDir, contact, oneMeter.url, oneMeter.apiKey, wattTime.url, electricityMaps.url);
    const logStream = createWriteStream(backendLog, { flags: "a" });
    closers.push(() => new Promise<void>((resolve) => logStream.end(resolve)));
    const log = createLogger({ level: "info", secrets: collectSecrets(config), destination: logStream });
    const app = createApp(config, { clock: systemClock, log, signal: stop.signal, collector: { publishEveryMs: 5 * 60_000 } });
    closers.push(() => app.close());
    const seeded = seedHousehold(app.store, household);
    const carbonHours = seedElectricityMaps(app.store, EM_ZONE, Date.now(), CARBON_HISTORY_DAYS);
    await systemClock.sleep(household.splitAt - Date.now(), stop.signal);
    const warn = (what: string, err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, `demo household: ${what} failed`);
    const driving = household.drive(target, stop.signal, warn).catch((err: unknown) => {
      warn("playing", err);
      out(`The household stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
    closers.push(() => driving);
    out(`Household: ${household.devices.length} devices and whole-home power live in Home Assistant; ${HOUSEHOLD_HISTORY_DAYS} days of history (${seeded.events} switchings, ${seeded.samples.toLocaleString("en-US")} readings), ${revisedHours} hours of it as the home's Contact usage; ${carbonHours} hours of past carbon intensity.`);
    if (stop.signal.aborted) return 0;

    // --- the backend -----------------------------------------------------------------------------
    const api = await startAppApi(app, { clock: systemClock, log });
    closers.push(() => api.close());
    const apiUrl = `ws://127.0.0.1:${api.port}`;
    const report = new DemoConsole(app, household, out);
    if (app.collector) await app.collector.start();
    report.devicesLearned();
    out("First sync: Contact (three contracts), OneMeter (30 days), WattTime and Electricity Maps…");
    const summary = await app.service.syncOnce();
    for (const e of summary.errors) out(`  problem: ${e}`);
    const ids = demoStatistics(config.contact!.currency);
    await energyDashboard(app, ids);
    const views = demoViews(ids, apiUrl);
    await confirmHttpConfig(ha);
    await addModuleResource(ha, await localPath(ha, bundle));
    const dashboardUrl = await createDashboard(ha, { urlPath: DASHBOARD_PATH, title: "Energy Insights", icon: "mdi:lightning-bolt", config: dashboardConfig(views) });
    const info: DemoInfo = {
      haUrl: ha.url,
      haToken: ha.token,
      haPid: ha.pid,
      haConfigDir: ha.configDir,
      apiUrl,
      energyUrl: `${ha.url}/energy`,
      dashboardUrl,
      views: views.map((v) => ({ path: v.path, title: v.title, url: `${ha!.url}/${DASHBOARD_PATH}/${v.path}` })),
      statistics: ids,
      devices: household.devices.map((d) => ({ entityId: d.entityId, name: d.name })),
      backendLog,
    };
    banner(out, info, views, summary, (Date.now() - started) / 1000);
    if (opts.infoFile) {
      // Whole or not at all: a reader waits for the file to appear.
      writeFileSync(`${opts.infoFile}.tmp`, JSON.stringify(info, null, 2));
      renameSync(`${opts.infoFile}.tmp`, opts.infoFile);
    }

    // --- running ---------------------------------------------------------------------------------
    const statusTimer = setInterval(() => report.status(), opts.statusEveryMs ?? 60_000);
    const learnedTimer = setInterval(() => report.devicesLearned(), 10_000);
    closers.push(() => {
      clearInterval(statusTimer);
      clearInterval(learnedTimer);
    });
    await app.service.run(stop.signal);
    ok = true;
    return 0;
  } catch (err) {
    if (stop.signal.aborted) {
      ok = true;
      return 0;
    }
    out(`The demo failed: ${err instanceof Error ? err.message : String(err)}`);
    out(`The backend's log: ${backendLog}`);
    return 1;
  } finally {
    stop.abort();
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // stopping goes on
      }
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (ok) rmSync(runDir, { recursive: true, force: true });
    out(ok ? "Stopped: simulators, backend and Home Assistant are down." : `Stopped. Files of this run are kept in ${runDir}.`);
  }
}

/** Installs Home Assistant on the first run (saying how long it takes); false when that fails. */
function prepareHomeAssistant(out: (line: string) => void): boolean {
  if (haInstalled(DEMO_HA_VERSION)) return true;
  out(`Home Assistant ${DEMO_HA_VERSION} is not installed yet. Installing it now into ~/.cache/energy-insights: a Debian chroot with Python 3.14 and Home Assistant, about 5 to 10 minutes (later runs reuse it and are ready in under a minute).`);
  const installed = spawnSync("bash", [join(repoRoot, "scripts", "ha-setup.sh"), DEMO_HA_VERSION], { stdio: "inherit" });
  if (installed.status === 0) return true;
  out(`\nHome Assistant ${DEMO_HA_VERSION} could not be installed: see the lines above for the step that failed.`);
  out("It needs root (for the Debian sid chroot with Python 3.14), debootstrap from Debian's packages, and access to Debian's and PyPI's package servers.");
  return false;
}

/** Builds the card when its bundle is missing or older than its sources. */
function prepareCard(out: (line: string) => void): boolean {
  const bundle = join(repoRoot, "dist", "energy-insights-card.js");
  if (existsSync(bundle) && newestMtime(join(repoRoot, "card", "src")) <= statSync(bundle).mtimeMs) return true;
  out("Building the card (npm run build)…");
  if (spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" }).status === 0) return true;
  out("\nThe card could not be built: see the lines above.");
  return false;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function demoConfig(ha: RunningHa, runDir: string, contact: ContactSimulator, oneMeterUrl: string, oneMeterKey: string, wattTimeUrl: string, electricityMapsUrl: string) {
  const user = DEFAULT_SIM_USERS[0]!;
  return parseConfig(
    {
      home_assistant: { url: ha.url, token: ha.token },
      store: { path: join(runDir, "energy-insights.db") },
      // 100 days of daily totals: the Compare view's 35 days and the 35 before them, day by day.
      sync: { check_interval: "1h", daily_days: 100 },
      api: { host: "127.0.0.1", port: 0 },
      // The simulator's plans charge 2.30 a day per contract, so the bill projection matches its invoices.
      contact: { base_url: contact.url, daily_fixed_charge: 2.3, accounts: [{ username: user.username, password: user.password }] },
      onemeter: { base_url: oneMeterUrl, api_key: oneMeterKey, devices: [ONEMETER.id], poll_interval: "1m", backfill_days: 30 },
      watttime: { base_url: wattTimeUrl, username: WATTTIME_SIM_USER.username, password: WATTTIME_SIM_USER.password },
      electricity_maps: { base_url: electricityMapsUrl, token: ELECTRICITY_MAPS_SIM_PAID_TOKEN, zone: EM_ZONE },
      // The seeded store holds the household's history; HA's own history starts with the demo.
      power: { history_days: 0, add_devices_to_energy_prefs: true },
    },
    {},
  );
}

function demoStatistics(currency: string): DemoStatistics {
  const [paid, free, cost] = contactStatistics(HOME_CONTRACT.icp, currency).map((s) => s.stat.statisticId);
  const importEnergy = oneMeterStatistics(ONEMETER.id, ["1_8_0"]).find((s) => s.register === "1_8_0")!.stat.statisticId;
  return {
    paid: paid!,
    free: free!,
    cost: cost!,
    emissions: emissionsStatistic(HOME_CONTRACT.icp).stat.statisticId,
    electricityMaps: statisticId(carbonSeries("electricity_maps", EM_ZONE, "intensity").mean),
    // WattTime's region is looked up from Home Assistant's location (Auckland).
    wattTime: statisticId(carbonSeries("watttime", WATTTIME_REGION, "intensity").mean),
    oneMeterImport: importEnergy,
  };
}

/** The home's contract as grid consumption with its cost; the learned devices are added by the backend (power.add_devices_to_energy_prefs). */
async function energyDashboard(app: App, ids: DemoStatistics): Promise<void> {
  const conn = await app.haConnection();
  await addGridImports(
    conn,
    [
      { energyStatisticId: ids.paid, costStatisticId: ids.cost },
      { energyStatisticId: ids.free, costStatisticId: null },
    ],
    parseHaVersion(conn.haVersion),
  );
}

function banner(out: (line: string) => void, info: DemoInfo, views: ReturnType<typeof demoViews>, summary: SyncSummary, seconds: number): void {
  const rows = summary.published.reduce((n, p) => n + p.rowsSent, 0);
  const width = Math.max(...views.map((v) => v.title.length));
  out(`
Energy Insights demo is ready (${seconds.toFixed(0)} s; ${rows.toLocaleString("en-US")} statistics rows imported).

  Home Assistant   ${info.haUrl}   user "${HA_LOGIN.username}", password "${HA_LOGIN.password}"
  Start here       ${info.views[0]!.url}
  Energy dashboard ${info.energyUrl}   (the home's grid use with cost, and the learned devices;
                   Contact publishes a day one to three days late: press ‹ to step back a few days)
  The card, view by view:
${views.map((v, i) => `    ${v.title.padEnd(width)}  ${info.views[i]!.url}\n    ${" ".repeat(width)}  ${v.what}`).join("\n")}
  Backend API      ${info.apiUrl}   (the card's backend_url)
  Backend log      ${info.backendLog}

The household lives on in Home Assistant: its devices switch and "Home power" follows them, and the
backend learns from it as it would in a real home. Switch a device yourself (Overview) and its power
shows in "Home power"; the backend measures each switching about five minutes later (the devices
panel's recent events). A status line follows every minute; Ctrl-C stops everything.`);
}

