/**
 * `npm run demo` as a child process (what the npm script runs: `node bin/energy-insights.js demo`),
 * for the e2e test and the bench: started with `--info-file`, ready when that file appears.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DemoInfo } from "../../dev/demo/run.js";

const root = new URL("../..", import.meta.url).pathname;

export interface DemoProcess {
  child: ChildProcess;
  info: DemoInfo;
  /** Milliseconds from the spawn to the info file. */
  readyMs: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  /** Ctrl-C: SIGINT, then waits for the exit. */
  interrupt(): Promise<number | null>;
  /** Kills the demo and HA's process group at once, if it still runs (cleanup after a failure). */
  kill(): void;
}

/** Starts the demo and waits until it is ready; throws (with its output) if it exits first or takes longer than `timeoutMs`. */
export async function startDemoProcess(timeoutMs: number): Promise<DemoProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ei-demo-"));
  const infoFile = join(dir, "demo.json");
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, "bin", "energy-insights.js"), "demo", "--info-file", infoFile], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const deadline = started + timeoutMs;
  while (!existsSync(infoFile)) {
    if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the demo was not ready within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const readyMs = Date.now() - started;
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as DemoInfo;
  return {
    child,
    info,
    readyMs,
    output: () => output,
    exited,
    interrupt() {
      child.kill("SIGINT");
      return exited;
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      if (info.haPid) spawnSync("kill", ["-KILL", `-${info.haPid}`]);
    },
  };
}

/** The processes (ps lines) whose process group is `pgid`. */
export function processGroup(pgid: number): string[] {
  const ps = spawnSync("ps", ["-eo", "pid=,pgid=,args="], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.trim().split(/\s+/)[1] === String(pgid));
}
