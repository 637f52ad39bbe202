/**
 * The npm package as users get it: `npm pack`, installed into an empty project, and
 * `npx energy-insights doctor` from there against the simulator and a real Home Assistant.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startContactSimulator } from "../../server/src/simulate/contact/server.js";
import { systemClock } from "../../server/src/time/clock.js";
import { SIM_SEED, SIM_USER } from "../helpers/backend.js";
import { startHomeAssistant } from "../../dev/harness/ha.js";

const root = new URL("../..", import.meta.url).pathname;

function runAsync(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("npm pack installs in an empty project and npx energy-insights doctor runs from it", { timeout: 600_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), "ei-pack-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: root, encoding: "utf8" }).trim().split("\n").at(-1)!;
  const listing = execFileSync("tar", ["tzf", join(work, tarball)], { encoding: "utf8" });
  assert.match(listing, /package\/dist\/energy-insights-card\.js/, "the built card is in the package");
  assert.match(listing, /package\/bin\/energy-insights\.js/);
  assert.match(listing, /package\/dist\/server\/main\.js/, "the compiled backend is in the package");
  assert.doesNotMatch(listing, /package\/server\//, "no TypeScript sources: the package runs the compiled backend");
  assert.doesNotMatch(listing, /package\/test\/|node_modules|\.db\b/, "no tests, dependencies or caches in the package");

  const app = join(work, "app");
  execFileSync("mkdir", [app]);
  // npm 11 runs a dependency's install script only when the project allows it (better-sqlite3 compiles).
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, allowScripts: { "better-sqlite3": true } }));
  // better-sqlite3 compiles from source here (no prebuilt binary offline): on every core, as a user's
  // npm would be told with jobs=max; the result is the same.
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", join(work, tarball)], { cwd: app, encoding: "utf8", env: { ...process.env, npm_config_jobs: "max" } });
  assert.equal(install.status, 0, install.stderr);
  assert.ok(existsSync(join(app, "node_modules/better-sqlite3/build/Release/better_sqlite3.node")), "better-sqlite3 was built");
  assert.ok(readdirSync(join(app, "node_modules/energy-insights/dist")).includes("energy-insights-card.js"));
  assert.ok(!existsSync(join(app, "node_modules/tsx")) && !existsSync(join(app, "node_modules/esbuild")), "no compiler installed: the CLI below runs the compiled backend");

  const ha = await startHomeAssistant("2026.11.0");
  t.after(() => ha.stop());
  const sim = await startContactSimulator({ clock: systemClock, seed: SIM_SEED });
  t.after(() => sim.close());
  writeFileSync(
    join(app, "energy-insights.yaml"),
    `home_assistant:\n  url: ${ha.url}\n  token_file: ha-token\ncontact:\n  base_url: ${sim.url}\n  accounts:\n    - username: ${SIM_USER.username}\n      password: ${SIM_USER.password}\n`,
  );
  writeFileSync(join(app, "ha-token"), `${ha.token}\n`, { mode: 0o600 });
  // Asynchronously: the simulator answers from this process's event loop.
  const doctor = await runAsync("npx", ["--no-install", "energy-insights", "doctor"], app);
  assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /✓ Contact Energy demo@example\.com: logged in/);
  assert.match(doctor.stdout, /✓ Home Assistant 2026\.11\.0 reachable/);
  assert.match(doctor.stdout, /All checks passed/);
  assert.ok(!doctor.stdout.includes(ha.token));
});
