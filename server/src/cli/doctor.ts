import type { Logger } from "pino";
import type { EnergyInsightsConfig } from "../config/index.js";
import { createApp } from "../app.js";
import { verifyStatistics } from "./verify.js";
import { currentUser, getPrefs, validateEnergy } from "../ha/energy.js";
import { getStatisticsMetadata } from "../ha/recorder.js";
import { isOurStatisticId, statisticId, STATISTICS_SOURCE } from "../statistics/ids.js";
import { ProviderError } from "../providers/errors.js";
import type { OneMeterDevice } from "../providers/onemeter/client.js";
import type { Clock } from "../time/clock.js";
import { ContactSource } from "../sync/contact-source.js";
import { OneMeterSource } from "../sync/onemeter-source.js";

type Out = (line: string) => void;

/**
 * Checks everything the service needs, in order, and says what to fix. Returns the exit code:
 * 0 when every check passed.
 */
export async function runDoctor(config: EnergyInsightsConfig, deps: { log: Logger; clock: Clock; out: Out }): Promise<number> {
  const { out } = deps;
  let failed = 0;
  const ok = (msg: string) => out(`✓ ${msg}`);
  const bad = (msg: string, fix: string) => {
    failed += 1;
    out(`✗ ${msg}\n    fix: ${fix}`);
  };
  const err = (e: unknown) => (e instanceof Error ? e.message : String(e));

  ok(`configuration is valid (store ${config.store.path}, checks every ${Math.round(config.sync.checkInterval / 3600)} h)`);
  const app = createApp(config, { log: deps.log, clock: deps.clock, connectHa: false });
  try {
    if (!config.contact) out("- Contact Energy: not configured (add a contact: section to use it)");
    for (const account of config.contact?.accounts ?? []) {
      try {
        const contact = app.service.sourcesOf(ContactSource)[0];
        if (!contact) throw new Error("contact is not configured");
        const contracts = await contact.contracts(account);
        ok(`Contact Energy ${account.username}: logged in; contracts ${contracts.map((c) => `${c.contractId} (ICP ${c.icp}${c.product ? `, ${c.product}` : ""})`).join(", ") || "none"}`);
        if (contracts.length === 0) bad(`Contact Energy ${account.username} has no contracts`, "check the login in the Contact Energy app");
      } catch (e) {
        bad(`Contact Energy ${account.username}: ${err(e)}`, "check contact.accounts username and password (or password_file), and contact.base_url");
      }
    }

    for (const deviceId of config.onemeter?.devices ?? []) {
      try {
        const meter = app.service.sourcesOf(OneMeterSource).find((s) => s.deviceId === deviceId);
        if (!meter) throw new Error("onemeter is not configured");
        const d = await meter.describe();
        ok(`OneMeter ${deviceId}: ${oneMeterSummary(d)}`);
        if (d.disabled) bad(`OneMeter ${deviceId} is disabled in OneMeter's cloud`, "enable the device in the OneMeter app, or remove it from onemeter.devices");
      } catch (e) {
        const kind = e instanceof ProviderError ? e.kind : undefined;
        const fix =
          kind === "auth"
            ? 'create a new key in OneMeter\'s account settings ("Get API access") and set onemeter.api_key (or onemeter.api_key_file)'
            : kind === "not_found"
              ? "copy the device's UUID from OneMeter's cloud app into onemeter.devices"
              : "check onemeter.base_url and the network; OneMeter's cloud may be down, try again later";
        bad(`OneMeter ${deviceId}: ${err(e)}`, fix);
      }
    }

    let conn;
    try {
      conn = await app.haConnection();
      ok(`Home Assistant ${conn.haVersion} reachable at ${config.homeAssistant.websocketUrl}`);
    } catch (e) {
      bad(`Home Assistant: ${err(e)}`, "set home_assistant.url to HA's address and home_assistant.token to a long-lived token of an administrator");
      return failed === 0 ? 0 : 1;
    }
    try {
      const user = await currentUser(conn);
      if (user.is_admin) ok(`the token belongs to "${user.name}", an administrator`);
      else bad(`the token belongs to "${user.name}", who is not an administrator; importing statistics needs one`, "create the token as an administrator, or make this user one (Settings > People)");
    } catch (e) {
      bad(`could not read the token's user: ${err(e)}`, "use a long-lived access token");
    }
    const ours = (await getStatisticsMetadata(conn)).filter((m) => m.source === STATISTICS_SOURCE);
    if (ours.length > 0) ok(`${ours.length} Energy Insights statistics in Home Assistant`);
    if (ours.length > 0) {
      const report = await verifyStatistics(conn, app.store, config.contact?.currency ?? "NZD", deps.clock.now());
      const damaged = report.statistics.filter((s) => s.problems.length > 0);
      const hours = report.statistics.reduce((n, s) => n + s.hoursChecked, 0);
      if (damaged.length === 0) ok(`verify: ${hours} hours of ${report.statistics.length} statistics are right (no missing hour, negative change or sum break)`);
      else bad(`verify: ${damaged.length} statistic(s) have problems (${damaged.map((s) => `${s.statisticId}: ${s.problems[0]!.kind}`).join("; ")})`, "run `energy-insights verify` for the details and `energy-insights verify --repair` to import them again");
    }
    else out("- no Energy Insights statistics in Home Assistant yet: run `energy-insights sync --once`");
    const prefs = await getPrefs(conn);
    const configured = JSON.stringify(prefs?.energy_sources ?? []).includes(statisticId(""));
    if (configured) {
      const validation = await validateEnergy(conn);
      const issues = validation.energy_sources.flat().filter((i) => i.affected_entities.some(([id]) => isOurStatisticId(id)));
      if (issues.length === 0) ok("the Energy dashboard uses our statistics and reports no issue with them");
      else for (const i of issues) bad(`Energy dashboard issue "${i.type}" for ${i.affected_entities.map(([id]) => id).join(", ")}`, "run a sync; if it stays, remove and re-add the source in Settings > Dashboards > Energy");
    } else if (ours.length > 0) {
      const how = [
        ...(config.contact ? ["Contact's paid and free energy as grid consumption"] : []),
        ...(config.onemeter ? ["OneMeter's import as grid consumption and export as return (or set onemeter.add_to_energy_prefs: true)"] : []),
      ];
      out(`- the Energy dashboard does not use our statistics yet: add ${how.join("; and ") || "them"} (Settings > Dashboards > Energy)`);
    }
    conn.close();
  } finally {
    app.close();
  }
  out(failed === 0 ? "\nAll checks passed." : `\n${failed} check(s) failed.`);
  return failed === 0 ? 0 : 1;
}

/** "Home", serial OM-4711, firmware 3.1.0, battery 87 % (3.09 V), last reading 2026-04-10T08:45Z. */
export function oneMeterSummary(d: OneMeterDevice): string {
  const parts = [
    `"${d.name ?? "unnamed"}"`,
    `serial ${d.serial ?? "unknown"}`,
    `firmware ${d.firmware ?? "unknown"}`,
    `battery ${d.batteryPercent !== null ? `${d.batteryPercent} %` : "unknown"}${d.batteryVoltage !== null ? ` (${d.batteryVoltage} V)` : ""}`,
    `last reading ${d.lastReading ? new Date(d.lastReading.at).toISOString().replace(/:00\.000Z$/, "Z") : "none yet"}`,
  ];
  return parts.join(", ");
}
