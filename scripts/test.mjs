#!/usr/bin/env node
// The whole test suite in one command: lint, type-check, unit, end-to-end (real Home Assistant).
// Ends with one plain line "N passed, N failed" (what CI reads); exits non-zero on any failure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { only: { type: "string", multiple: true } },
});
const root = new URL("..", import.meta.url).pathname;
const only = new Set(args.only ?? []);
const wants = (stage) => only.size === 0 || only.has(stage);

let passed = 0;
let failed = 0;
const failures = [];

function run(name, cmd, argv, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${argv.join(" ")}`);
  const res = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return res.status === 0;
}

function stage(name, ok) {
  if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(name);
  }
}

function findTests(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out.sort();
}

function nodeTests(name, dir, extra = []) {
  const files = findTests(join(root, dir));
  if (files.length === 0) {
    console.log(`\n=== ${name}: no test files in ${dir}`);
    stage(`${name} (no tests found)`, false);
    return;
  }
  const out = join(mkdtempSync(join(tmpdir(), "ei-test-")), "results.jsonl");
  const ok = run(name, process.execPath, [
    "--import", "tsx",
    "--test",
    ...extra,
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=./scripts/count-reporter.mjs", `--test-reporter-destination=${out}`,
    ...files,
  ]);
  let counted = 0;
  if (existsSync(out)) {
    for (const line of readFileSync(out, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      if (r.skipped) continue;
      counted += 1;
      if (r.passed) passed += 1;
      else {
        failed += 1;
        failures.push(`${name}: ${r.name}`);
      }
    }
  }
  // A runner that fails without reporting a failing test (a crash, a file that cannot load) still fails.
  if (!ok && failures.every((f) => !f.startsWith(`${name}:`))) stage(`${name} (runner failed)`, false);
  if (counted === 0) stage(`${name} (no test ran)`, false);
}

/** The card in Debian's Chromium (@web/test-runner); its reporter writes the counts to a JSON file. */
function browserTests() {
  const ready = run("browser setup", "bash", ["scripts/ha-setup.sh", "chromium"]);
  if (!ready) {
    stage("browser setup (Chromium)", false);
    return;
  }
  const summary = join(mkdtempSync(join(tmpdir(), "ei-wtr-")), "summary.json");
  const ok = run("browser", "npx", ["web-test-runner", "--config", "web-test-runner.config.mjs", "--static-logging"], { WTR_SUMMARY_FILE: summary });
  if (!existsSync(summary)) {
    stage("browser (runner failed before reporting)", false);
    return;
  }
  const r = JSON.parse(readFileSync(summary, "utf8"));
  passed += r.passed;
  failed += r.failed;
  for (const f of r.failures) failures.push(`browser: ${f.name}`);
  if (!ok && r.failed === 0) stage("browser (runner failed)", false);
  if (r.passed + r.failed === 0) stage("browser (no test ran)", false);
}

/**
 * `npm install` must leave the checkout as committed: a lockfile it rewrites would make `npm ci`
 * install something else elsewhere (npm's optional-dependency bug, npm/cli#4828). Skipped while
 * package.json itself has uncommitted changes (someone is changing the dependencies).
 */
function lockfileUnchanged() {
  const git = (args) => spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (git(["rev-parse", "--is-inside-work-tree"]).status !== 0) return true;
  if (git(["diff", "--quiet", "HEAD", "--", "package.json"]).status !== 0) return true;
  if (git(["diff", "--quiet", "HEAD", "--", "package-lock.json"]).status === 0) return true;
  console.log("\n=== lockfile: package-lock.json differs from the committed one, although package.json does not.");
  console.log("npm install rewrote it: commit the lockfile npm writes (it must list every platform's optional packages),");
  console.log("or run `git checkout package-lock.json && npm ci` to get the committed one back.");
  return false;
}

if (wants("lockfile")) stage("lockfile unchanged by npm install", lockfileUnchanged());
if (wants("lint")) stage("lint", run("lint", "npx", ["eslint", "."]));
if (wants("typecheck")) stage("typecheck", run("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]));
// Built before the unit tests: those that run bin/energy-insights.js run the compiled backend.
if (wants("build")) stage("build (card bundle, compiled backend)", run("build", "npm", ["run", "--silent", "build"]));
if (wants("unit")) nodeTests("unit", "test/unit");
if (wants("browser")) browserTests();
// The real-HA stage joins as soon as test/e2e has tests (the harness lands with them).
if (wants("e2e") && findTests(join(root, "test/e2e")).length > 0) {
  const ready = run("e2e setup", "bash", ["scripts/ha-setup.sh", "all"]);
  stage("e2e setup (Home Assistant, Chromium)", ready);
  if (ready) nodeTests("e2e", "test/e2e", ["--test-concurrency=1", "--test-timeout=900000"]);
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
