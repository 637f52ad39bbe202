/**
 * Starts the real CLI's `start` against a provider that accepts every request and never answers,
 * waits until a request hangs, sends stop signals and reports how the process ended. Used by the
 * stop test (behaviour) and the bench (how long the stop took).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = new URL("../../bin/energy-insights.js", import.meta.url).pathname;

export interface StopOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the first stop signal to the process's exit. */
  stopMs: number;
  log: string;
}

export async function stopWhileRequestsHang(opts: { signals: NodeJS.Signals[]; gapMs?: number; deadlineMs?: number }): Promise<StopOutcome> {
  const held: (() => void)[] = [];
  let hung: () => void = () => undefined;
  const requestHangs = new Promise<void>((resolve) => (hung = resolve));
  const provider: Server = createServer((req, res) => {
    held.push(() => res.destroy());
    hung();
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(join(tmpdir(), "ei-stop-"));
  const config = join(dir, "energy-insights.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      home_assistant: { url: "http://127.0.0.1:1", token: "not-used-before-the-stop" },
      store: { path: join(dir, "cache.db") },
      api: { host: "127.0.0.1", port: 0 },
      power: { enabled: false },
      contact: { base_url: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`, accounts: [{ username: "stop@example.com", password: "stop-password" }] },
    }),
  );
  const child = spawn(process.execPath, [BIN, "start", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  try {
    await Promise.race([requestHangs, exited.then(() => Promise.reject(new Error(`the service exited before asking the provider:\n${log}`)))]);
    const stoppedAt = performance.now();
    for (const [i, s] of opts.signals.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, opts.gapMs ?? 20));
      child.kill(s);
    }
    const deadline = opts.deadlineMs ?? 60_000;
    let timedOut: (v: undefined) => void = () => undefined;
    const timeout = new Promise<undefined>((r) => (timedOut = r));
    const timer = setTimeout(() => timedOut(undefined), deadline);
    const ended = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (!ended) {
      child.kill("SIGKILL");
      throw new Error(`the service was still running ${deadline} ms after ${opts.signals.join(", ")}:\n${log}`);
    }
    return { ...ended, stopMs: performance.now() - stoppedAt, log };
  } finally {
    for (const close of held) close();
    provider.closeAllConnections();
    await new Promise((r) => provider.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}
