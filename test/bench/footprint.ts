/**
 * The production build (issue 19): how fast the CLI starts and how much memory the service holds,
 * the compiled backend (dist/server, what the package, the image and the add-on run) beside the
 * baseline of running the TypeScript sources through tsx (what bin/ did before the build existed).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startContactSimulator } from "../../server/src/simulate/contact/server.js";
import { systemClock } from "../../server/src/time/clock.js";
import { startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";
import { SIM_SEED, SIM_USER } from "../helpers/backend.js";
import type { Figure } from "./report.js";

const root = new URL("../..", import.meta.url).pathname;
const BIN = join(root, "bin/energy-insights.js");
/** Prints the process's peak RSS on exit, whatever the command did. */
const PEAK_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nPEAK_RSS_KB "+process.resourceUsage().maxRSS+"\\n"))`;
const SOURCES = { ENERGY_INSIGHTS_FROM_SOURCES: "1" };
/**
 * How the Docker image, the add-on and `npm start` run the service (see the README, "Footprint"): a
 * small young generation, no helper threads, memory over speed, and no optimizing compiler
 * (TurboFan's code and buffers are ~4 MB of the idle service; the first check's CPU time stays the
 * same, the learning engine's hourly work takes ~1.8× as long: ~35 ms instead of ~20 ms for 12 entities at 1 s).
 */
export const SERVICE_NODE_FLAGS = ["--max-semi-space-size=1", "--single-threaded", "--optimize-for-size", "--no-opt"];

interface Start {
  seconds: number;
  peakMb: number;
}

/** Median wall time and peak RSS of `energy-insights <args>` over five runs. */
function cliStart(args: string[], env: Record<string, string> = {}): Start {
  const runs: Start[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, ["--import", PEAK_HOOK, BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
    const seconds = (performance.now() - t0) / 1000;
    const peak = /PEAK_RSS_KB (\d+)/.exec(res.stderr);
    if (!peak) throw new Error(`energy-insights ${args.join(" ")} printed no peak memory:\n${res.stderr}`);
    runs.push({ seconds, peakMb: Number(peak[1]) / 1024 });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { seconds: median(runs.map((r) => r.seconds)), peakMb: median(runs.map((r) => r.peakMb)) };
}

/** Plain Node loading better-sqlite3 and ws: the floor any Node backend of this kind starts from. */
function plainNode(): Start {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ["--import", PEAK_HOOK, "--input-type=module", "-e", 'await import("better-sqlite3"); await import("ws");'], { cwd: root, encoding: "utf8" });
  return { seconds: (performance.now() - t0) / 1000, peakMb: Number(/PEAK_RSS_KB (\d+)/.exec(res.stderr)?.[1] ?? NaN) / 1024 };
}

/** `start` against the simulator (two contracts, 31 hourly days, power learning on, debug log): RSS once idle after the first check. */
async function serviceRss(ha: RunningHa, simUrl: string, opts: { env?: Record<string, string>; nodeFlags?: string[] } = {}): Promise<{ rssMb: number; privateMb: number; binaryMb: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ei-footprint-"));
  const config = join(dir, "energy-insights.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      home_assistant: { url: ha.url, token: ha.token },
      store: { path: join(dir, "cache.db") },
      api: { host: "127.0.0.1", port: 0 },
      log: { level: "debug" },
      sync: { hourly_days: 31 },
      power: { enabled: true },
      contact: { base_url: simUrl, accounts: [{ username: SIM_USER.username, password: SIM_USER.password, contracts: ["1350000001", "1350000002"] }] },
    }),
  );
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), BIN, "start", "--config", config], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        log += d.toString();
        if (log.includes('"msg":"check finished"')) resolve();
      });
      child.on("exit", (code) => reject(new Error(`the service exited (${code}) before its first check finished:\n${log.slice(-4000)}`)));
    });
    if (!/"ok":true[^\n]*"msg":"check finished"/.test(log)) throw new Error(`the first check failed:\n${log.slice(-4000)}`);
    // Idle: let the first check's garbage be collected as it would be between checks.
    await new Promise((r) => setTimeout(r, 20_000));
    const rollup = readFileSync(`/proc/${child.pid}/smaps_rollup`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1]) / 1024;
    // RSS counts the pages of the node executable the process has touched (file-backed, shared, and
    // given back under memory pressure) beside its own (anonymous) memory: the figures say both.
    return { rssMb: kb("Rss"), privateMb: kb("Anonymous"), binaryMb: kb("Rss") - kb("Anonymous"), dir };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

export async function benchFootprint(): Promise<Figure[]> {
  const built = spawnSync(process.execPath, [join(root, "scripts/build-server.mjs")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`the backend build failed:\n${built.stderr}`);
  const figures: Figure[] = [];
  const floor = plainNode();

  const ha = await startHomeAssistant("2026.11.0");
  const sim = await startContactSimulator({ clock: systemClock, seed: SIM_SEED });
  const dirs: string[] = [];
  try {
    const compiled = await serviceRss(ha, sim.url, { nodeFlags: SERVICE_NODE_FLAGS });
    dirs.push(compiled.dir);
    const sources = await serviceRss(ha, sim.url, { env: SOURCES });
    dirs.push(sources.dir);
    const healthArgs = ["health", "--config", join(compiled.dir, "energy-insights.yaml")];
    for (const [name, args] of [
      ["--help", ["--help"]],
      ["health", healthArgs],
    ] as const) {
      const ours = cliStart([...args]);
      const before = cliStart([...args], SOURCES);
      figures.push({ name: `CLI start: energy-insights ${name} (median of 5)`, value: ours.seconds, unit: "s", target: { op: "<=", value: 0.3 }, baseline: { name: "TypeScript through tsx", value: before.seconds } });
      figures.push({ name: `CLI peak memory: energy-insights ${name}`, value: ours.peakMb, unit: "MB", baseline: { name: "TypeScript through tsx", value: before.peakMb } });
    }
    figures.push({ name: "CLI start floor: plain Node loading better-sqlite3 and ws (for comparison)", value: floor.seconds, unit: "s" });
    figures.push({
      name: "Service RSS idle after its first check (2 contracts, 31 hourly days, power learning on, debug log)",
      value: compiled.rssMb,
      unit: "MB",
      target: { op: "<=", value: 80 },
      baseline: { name: "TypeScript through tsx, default heap", value: sources.rssMb },
    });
    figures.push({ name: "  of which the service's own (anonymous) memory", value: compiled.privateMb, unit: "MB", baseline: { name: "TypeScript through tsx, default heap", value: sources.privateMb } });
    figures.push({ name: "  of which pages of the node executable and libraries (file-backed, shared)", value: compiled.binaryMb, unit: "MB" });
  } finally {
    await sim.close();
    await ha.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  const learning = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(root, "test/bench/learning-memory.ts")], { cwd: root, encoding: "utf8" });
  if (learning.status !== 0) throw new Error(`the learning memory run failed:\n${learning.stderr}`);
  const m = JSON.parse(learning.stdout) as { engineHeapMb: number; entities: number; samples: number };
  figures.push({ name: `Device learning: heap the engine keeps after 14 days × ${m.entities} entities at 1 s (${m.samples.toLocaleString("en-US")} readings fed hour by hour)`, value: m.engineHeapMb, unit: "MB" });
  return figures;
}
