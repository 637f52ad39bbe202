/**
 * The add-on's start script against a real Home Assistant, with the Supervisor's URL and token
 * replaced by the harness's: it turns the options into a config, connects, syncs and publishes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { connectToHa } from "../../server/src/ha/connection.js";
import { getStatisticsMetadata } from "../../server/src/ha/recorder.js";
import { startContactSimulator } from "../../server/src/simulate/contact/server.js";
import { systemClock } from "../../server/src/time/clock.js";
import { SIM_SEED, SIM_USER } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant } from "../../dev/harness/ha.js";

const root = new URL("../..", import.meta.url).pathname;

for (const version of HA_VERSIONS) {
  test(`the add-on start script publishes into Home Assistant ${version}`, { timeout: 300_000 }, async (t) => {
    const ha = await startHomeAssistant(version);
    t.after(() => ha.stop());
    const sim = await startContactSimulator({ clock: systemClock, seed: SIM_SEED });
    t.after(() => sim.close());
    const data = mkdtempSync(join(tmpdir(), "ei-addon-data-"));
    t.after(() => rmSync(data, { recursive: true, force: true }));

    const options = parse(readFileSync(join(root, "addon/config.yaml"), "utf8")).options as { contact: { base_url: string; accounts: unknown[] } };
    options.contact.base_url = sim.url;
    options.contact.accounts.push({ username: SIM_USER.username, password: SIM_USER.password, contracts: ["1350000001"] });
    writeFileSync(join(data, "options.json"), JSON.stringify(options));

    const child = spawn("sh", [join(root, "addon/run.sh")], {
      env: {
        PATH: process.env.PATH,
        ENERGY_INSIGHTS: join(root, "bin/energy-insights.js"),
        ADDON_OPTIONS: join(data, "options.json"),
        ADDON_DATA: data,
        SUPERVISOR_TOKEN: ha.token,
        // Where the Supervisor would be, the harness's HA is.
        EI_HOME_ASSISTANT__URL: ha.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    t.after(() => child.kill("SIGKILL"));

    const conn = await connectToHa({ url: ha.url, token: ha.token });
    t.after(() => conn.close());
    const deadline = Date.now() + 120_000;
    let ours: string[] = [];
    while (Date.now() < deadline && ours.length < 3) {
      ours = (await getStatisticsMetadata(conn)).map((m) => m.statistic_id).filter((id) => id.startsWith("energy_insights:contact_0000012345abc_"));
      if (ours.length < 3) await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(ours.sort(), ["energy_insights:contact_0000012345abc_free_energy", "energy_insights:contact_0000012345abc_paid_cost", "energy_insights:contact_0000012345abc_paid_energy"], output);
    assert.match(output, /published statistics/);
    assert.ok(!output.includes(ha.token) && !output.includes(SIM_USER.password), "no secret in the add-on's log");
    assert.equal(statSync(join(data, "energy-insights.addon.json")).mode & 0o077, 0, "the generated config is readable by its owner only");

    child.kill("SIGTERM");
    assert.equal(await exited, 0, `the add-on stops cleanly on SIGTERM:\n${output.slice(-2000)}`);
  });
}
