import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { ManualClock } from "../../server/src/time/clock.js";
import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { SIM_USER, simulator } from "../helpers/backend.js";

const BIN = new URL("../../bin/energy-insights.js", import.meta.url).pathname;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function configFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const path = join(dir, "energy-insights.yaml");
  writeFileSync(path, yaml);
  return path;
}

test("a bad config stops the CLI with every problem listed by path, exit code 2, and no secret", async () => {
  const path = configFile("home_assistant:\n  token: very-secret-token\nsync:\n  hourly_days: 0\ncontact:\n  currency: euro\n  accounts:\n    - username: me@example.com\n      password: hunter2-secret\n      contract: [1]\n");
  const res = await run(["sync", "--once", "--config", path]);
  assert.equal(res.code, 2);
  for (const p of ["sync.hourly_days", "contact.currency", "contact.accounts[0].contract"]) assert.match(res.stderr, new RegExp(p.replace(/[[\].]/g, "\\$&")));
  assert.ok(!(res.stdout + res.stderr).includes("very-secret-token"));
  assert.ok(!(res.stdout + res.stderr).includes("hunter2-secret"));
  assert.ok(!/at .*\.ts:\d+/.test(res.stderr), "no stack trace");
});

test("sync --once --json --now against the simulator prints a summary and masks secrets in the logs", async (t) => {
  const now = DateTime.fromISO("2026-04-10T09:00", { zone: "Pacific/Auckland" });
  const sim = await simulator(new ManualClock(now.toMillis()));
  t.after(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const path = configFile(
    `home_assistant:\n  token: ha-token-never-used\nstore:\n  path: ${join(dir, "cache.db")}\nlog:\n  level: debug\ncontact:\n  base_url: ${sim.url}\n  accounts:\n    - username: ${SIM_USER.username}\n      contracts: ["1350000001"]\n`,
  );
  const res = await run(["sync", "--once", "--json", "--no-publish", "--now", now.toISO()!, "--config", path], { EI_CONTACT__ACCOUNTS__0__PASSWORD: SIM_USER.password });
  assert.equal(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { ok: boolean; providerCalls: number; sources: { name: string; detail: { contracts: { icp: string; requests: unknown[] }[] }[] }[] };
  assert.equal(summary.ok, true);
  assert.ok(summary.providerCalls > 3 && summary.providerCalls <= 13);
  assert.deepEqual(summary.sources.map((s) => s.name), ["Contact Energy"]);
  assert.deepEqual(summary.sources[0]!.detail[0]!.contracts.map((c) => c.icp), ["0000012345ABC"]);
  assert.match(res.stderr, /fetched usage/);
  assert.ok(!res.stderr.includes(SIM_USER.password) && !res.stdout.includes(SIM_USER.password));

  // The container health check: healthy right after a check, unhealthy two intervals later.
  const env = { EI_CONTACT__ACCOUNTS__0__PASSWORD: SIM_USER.password };
  const healthy = await run(["health", "--now", now.plus({ minutes: 5 }).toISO()!, "--config", path], env);
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /healthy: last check/);
  const stale = await run(["health", "--now", now.plus({ hours: 13 }).toISO()!, "--config", path], env);
  assert.equal(stale.code, 1);
  assert.match(stale.stdout, /unhealthy: the last check finished \d+ minutes ago/);

  // Unknown command and bad --now: clear messages, non-zero exit.
  const bad = await run(["sync", "--once", "--now", "yesterday", "--config", path]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /expected an ISO date/);
});

test("sync against an unreachable Home Assistant fails with a clear message and a non-zero exit", async (t) => {
  const now = DateTime.fromISO("2026-04-10T09:00", { zone: "Pacific/Auckland" });
  const sim = await simulator(new ManualClock(now.toMillis()));
  t.after(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const path = configFile(
    `home_assistant:\n  url: http://127.0.0.1:9\n  token: ha-token-secret-value\nstore:\n  path: ${join(dir, "cache.db")}\ncontact:\n  base_url: ${sim.url}\n  accounts:\n    - username: ${SIM_USER.username}\n      password: ${SIM_USER.password}\n      contracts: ["1350000001"]\n`,
  );
  const res = await run(["sync", "--once", "--now", now.toISO()!, "--config", path]);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /cannot reach Home Assistant/);
  assert.ok(!(res.stdout + res.stderr).includes("ha-token-secret-value"));
});

test("backfill --from fetches day totals back to the date in chunks the API accepts, with progress", async (t) => {
  const now = DateTime.fromISO("2026-04-10T09:00", { zone: "Pacific/Auckland" });
  const sim = await simulator(new ManualClock(now.toMillis()));
  t.after(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const path = configFile(
    `home_assistant:\n  token: unused\nstore:\n  path: ${join(dir, "cache.db")}\ncontact:\n  base_url: ${sim.url}\n  accounts:\n    - username: ${SIM_USER.username}\n      password: ${SIM_USER.password}\n      contracts: ["1350000001"]\n`,
  );
  const res = await run(["backfill", "--from", "2025-09-01", "--no-publish", "--now", now.toISO()!, "--config", path]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /Backfill from 2025-09-01 finished/);
  assert.match(res.stderr, /backfill .*\d+\/\d+/);
  const daily = sim.requestLog.filter((r) => r.query.interval === "daily");
  assert.equal(daily[0]!.query.from, "2025-09-01");
  for (const r of daily) assert.ok(DateTime.fromISO(r.query.to!).diff(DateTime.fromISO(r.query.from!), "days").days < 90);
  assert.ok(daily.length >= 3);
  const bad = await run(["backfill", "--from", "01/09/2025", "--config", path]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /expected a date such as 2025-01-31/);
});

test("doctor names each failing check and what to fix", async (t) => {
  const now = DateTime.fromISO("2026-04-10T09:00", { zone: "Pacific/Auckland" });
  const sim = await simulator(new ManualClock(now.toMillis()));
  t.after(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const path = configFile(
    `home_assistant:\n  url: http://127.0.0.1:9\n  token: ha-secret-token\nstore:\n  path: ${join(dir, "cache.db")}\ncontact:\n  base_url: ${sim.url}\n  accounts:\n    - username: ${SIM_USER.username}\n      password: ${SIM_USER.password}\n    - username: someone@example.com\n      password: wrong-password-value\n`,
  );
  const res = await run(["doctor", "--config", path]);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /✓ configuration is valid/);
  assert.match(res.stdout, /✓ Contact Energy demo@example.com: logged in; contracts 1350000001 \(ICP 0000012345ABC/);
  assert.match(res.stdout, /✗ Contact Energy someone@example.com: .*\n\s+fix: check contact.accounts/);
  assert.match(res.stdout, /✗ Home Assistant: cannot reach Home Assistant .*\n\s+fix: set home_assistant.url/);
  assert.ok(!(res.stdout + res.stderr).includes("wrong-password-value") && !(res.stdout + res.stderr).includes("ha-secret-token"));
});

test("doctor checks each OneMeter device: name, serial, firmware and battery; a rejected key and an unknown device say what to fix", async (t) => {
  const sim = await startOneMeterSimulator({ clock: new ManualClock(Date.UTC(2026, 3, 10, 9, 0)) });
  t.after(() => sim.close());
  const known = DEFAULT_SIM_METERS[0]!.id;
  const unknown = "11111111-2222-3333-4444-555555555555";
  const dir = mkdtempSync(join(tmpdir(), "ei-cli-"));
  const yaml = (key: string) =>
    `home_assistant:\n  url: http://127.0.0.1:9\n  token: ha-secret-token\nstore:\n  path: ${join(dir, "cache.db")}\nonemeter:\n  base_url: ${sim.url}\n  api_key: ${key}\n  devices: ["${known}", "${unknown}"]\n`;

  const res = await run(["doctor", "--config", configFile(yaml(sim.apiKey))]);
  assert.equal(res.code, 1, "the unknown device and the unreachable HA fail");
  assert.match(res.stdout, new RegExp(`✓ OneMeter ${known}: "Home", serial OM-4711, firmware 3\\.1\\.0, battery 87 % \\(3\\.09 V\\), last reading 2026-04-10T09:00Z`));
  assert.match(res.stdout, new RegExp(`✗ OneMeter ${unknown}: onemeter: device not found: ${unknown}.*\\n\\s+fix: copy the device's UUID`));
  assert.ok(!(res.stdout + res.stderr).includes(sim.apiKey), "the key is never printed");

  const rejected = await run(["doctor", "--config", configFile(yaml("revoked-key-0123456789"))]);
  assert.equal(rejected.code, 1);
  assert.match(rejected.stdout, new RegExp(`✗ OneMeter ${known}: onemeter: API key rejected \\(HTTP 401\\).*\\n\\s+fix: create a new key in OneMeter's account settings`));
  assert.ok(!(rejected.stdout + rejected.stderr).includes("revoked-key-0123456789"));
});
