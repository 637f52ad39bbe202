// A real Home Assistant core on loopback for the end-to-end tests, the bench and `npm run demo` (DESIGN.md "Testing"):
// a fresh config directory, onboarding over REST and a long-lived token over the websocket API
// (ha-api.md §5). The installs come from scripts/ha-setup.sh; tests always start HA with --skip-pip.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import WebSocket from "ws";

export type HaVersion = "2024.3.3" | "2026.11.0";
export const HA_VERSIONS: HaVersion[] = ["2024.3.3", "2026.11.0"];

/** The admin user that onboarding creates (for the login form). */
export const HA_LOGIN = { name: "Test", username: "test", password: "test-password" } as const;

export interface RunningHa {
  version: HaVersion;
  url: string;
  wsUrl: string;
  /** Long-lived access token of the admin user. */
  token: string;
  accessToken: string;
  refreshToken: string;
  configDir: string;
  port: number;
  /** HA's stdout and stderr. */
  logFile: string;
  /** The process id of HA's launcher, which leads HA's process group; undefined while stopped. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Starts again after stop(), with the same config dir and port. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Per start, until HA reports RUNNING. */
  timeoutMs?: number;
  /**
   * Files copied into `<config>/www/` before the first start: HA serves `/local` only if that
   * directory exists at startup, and restarting to get it makes 2026.11 ask to confirm its HTTP
   * settings (they revert after 5 minutes unless confirmed).
   */
  www?: string[];
  /** YAML appended to the harness's configuration.yaml (more integrations, e.g. the demo's household entities). */
  configuration?: string;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const POLL_MS = 250;
const LOG_TAIL_LINES = 60;

// --- installs (layout written by scripts/ha-setup.sh) ------------------------------------------

const CACHE_ROOT = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "energy-insights");
const SID_ROOT = join(CACHE_ROOT, "sid-chroot");
const CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Runs in a private mount namespace (unshare), so these mounts vanish with the HA process.
const ENTER_CHROOT = `set -e
root=$1 config=$2
shift 2
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind "$config" "$root/config"
exec chroot "$root" "$@"`;

interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function installDir(version: HaVersion): string {
  return version === "2026.11.0" ? join(SID_ROOT, "opt", `ha-${version}`) : join(CACHE_ROOT, `ha-${version}`);
}

/** True when scripts/ha-setup.sh has built `version` (its `.ready` stamp holds the version). */
export function haInstalled(version: HaVersion): boolean {
  const stamp = join(installDir(version), ".ready");
  return existsSync(stamp) && readFileSync(stamp, "utf8") === version;
}

function assertInstalled(version: HaVersion): void {
  if (!haInstalled(version)) {
    throw new Error(`Home Assistant ${version} is not installed in ${installDir(version)}: run scripts/ha-setup.sh ${version}`);
  }
}

function launchFor(version: HaVersion, configDir: string): Launch {
  const hassArgs = ["--skip-pip", "--log-no-color"];
  // PDEATHSIG: HA dies with this process even when it is killed without running exit handlers.
  const guard = ["--pdeathsig", "KILL", "--"];
  if (version === "2026.11.0") {
    const hass = `/opt/ha-${version}/venv/bin/hass`;
    return {
      command: "setpriv",
      args: [...guard, "unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", ENTER_CHROOT, "sh", SID_ROOT, configDir, hass, "-c", "/config", ...hassArgs],
      env: { PATH: CHROOT_PATH, HOME: "/root", LANG: "C.UTF-8" },
    };
  }
  const hass = join(installDir(version), "venv", "bin", "hass");
  return { command: "setpriv", args: [...guard, hass, "-c", configDir, ...hassArgs], env: process.env };
}

// --- configuration -----------------------------------------------------------------------------

/** `configuration.yaml` beside this file (shared with scripts/ha-setup.sh's warm-up start). */
function configurationYaml(port: number): string {
  const template = readFileSync(new URL("./configuration.yaml", import.meta.url), "utf8");
  return template.replaceAll("@NAME@", "Test").replaceAll("@PORT@", String(port));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- child processes ---------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const configDirs = new Set<string>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function onProcessExit(): void {
  for (const child of liveChildren) killGroup(child, "SIGKILL");
  // Config dirs of a failed run stay for inspection.
  if (process.exitCode === undefined || process.exitCode === 0) {
    for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
  } else if (configDirs.size > 0) {
    console.error(`Home Assistant config dirs kept: ${[...configDirs].join(" ")}`);
  }
}

// A process killed by a signal runs no exit handler: there, setpriv's PDEATHSIG ends HA.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", onProcessExit);
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class HaProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;

  constructor(launch: Launch, logFile: string) {
    const log = openSync(logFile, "a");
    try {
      // detached: its own process group, so that a stop reaches anything HA started.
      this.child = spawn(launch.command, launch.args, { detached: true, stdio: ["ignore", log, log], env: launch.env });
    } finally {
      closeSync(log);
    }
    this.child.unref();
    liveChildren.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        liveChildren.delete(this.child);
        resolve(this.exit);
      });
      this.child.once("error", (error) => {
        this.exit = { code: null, signal: null };
        liveChildren.delete(this.child);
        writeFileSync(logFile, `spawn failed: ${error.message}\n`, { flag: "a" });
        resolve(this.exit);
      });
    });
  }

  async stop(): Promise<void> {
    if (this.exit) return;
    killGroup(this.child, "SIGTERM");
    if (await settlesWithin(this.exited, STOP_TIMEOUT_MS)) return;
    killGroup(this.child, "SIGKILL");
    await this.exited;
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function logContains(logFile: string, text: string): boolean {
  return existsSync(logFile) && readFileSync(logFile, "utf8").includes(text);
}

function logTail(logFile: string): string {
  const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "(no log)";
  return text.split("\n").slice(-LOG_TAIL_LINES).join("\n");
}

// --- HTTP --------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function request(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url} -> ${response.status}: ${body}`);
  return body ? JSON.parse(body) : null;
}

function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

function postJson(url: string, body: Json, token?: string): Promise<unknown> {
  const headers = { "Content-Type": "application/json", ...(token ? bearer(token) : {}) };
  return request(url, { method: "POST", headers, body: JSON.stringify(body) });
}

function stringField(json: unknown, key: string): string {
  const value = typeof json === "object" && json !== null ? (json as Json)[key] : undefined;
  if (typeof value !== "string") throw new Error(`expected a string "${key}" in ${JSON.stringify(json)}`);
  return value;
}

/** True once GET answers 2xx (optionally with a bearer token); false while HA is not up yet. */
async function answers(url: string, token?: string, check: (json: Json) => boolean = () => true): Promise<boolean> {
  try {
    const headers = token ? bearer(token) : {};
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return false;
    return check((await response.json()) as Json);
  } catch {
    return false;
  }
}

// --- websocket ---------------------------------------------------------------------------------

export interface HaSocket {
  /** ha_version from auth_ok. */
  haVersion: string;
  /** Sends a command (id added) and resolves with its result, rejects with HA's error. */
  call(message: Json): Promise<unknown>;
  close(): void;
}

interface WsMessage {
  type: string;
  id?: number;
  ha_version?: string;
  message?: string;
  success?: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** Connects and authenticates (ha-api.md §6); one command at a time is all the harness needs. */
export function connectWebSocket(wsUrl: string, token: string, timeoutMs = 15_000): Promise<HaSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const pending = new Map<number, Pending>();
    let nextId = 1;
    let closing = false;
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      ws.terminate();
    };
    const timer = setTimeout(() => fail(new Error(`no auth_ok from ${wsUrl} within ${timeoutMs} ms`)), timeoutMs);
    const socket: HaSocket = {
      haVersion: "",
      call(message) {
        const id = nextId++;
        return new Promise((res, rej) => {
          pending.set(id, { resolve: res, reject: rej });
          ws.send(JSON.stringify({ ...message, id }));
        });
      },
      close() {
        closing = true;
        ws.close();
      },
    };
    ws.on("error", fail);
    ws.on("close", () => {
      if (!closing) fail(new Error(`websocket ${wsUrl} closed`));
    });
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as WsMessage;
      if (message.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
      else if (message.type === "auth_invalid") fail(new Error(`auth_invalid: ${message.message}`));
      else if (message.type === "auth_ok") {
        clearTimeout(timer);
        socket.haVersion = message.ha_version ?? "";
        resolve(socket);
      } else if (message.type === "result" && message.id !== undefined) settle(pending, message);
    });
  });
}

function settle(pending: Map<number, Pending>, message: WsMessage): void {
  const waiter = pending.get(message.id!);
  if (!waiter) return;
  pending.delete(message.id!);
  if (message.success) waiter.resolve(message.result);
  else waiter.reject(new Error(`${message.error?.code}: ${message.error?.message}`));
}

// --- onboarding (ha-api.md §5.2) ---------------------------------------------------------------

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

async function onboard(url: string): Promise<Tokens> {
  const clientId = `${url}/`;
  const user = await postJson(`${url}/api/onboarding/users`, {
    client_id: clientId,
    ...HA_LOGIN,
    language: "en",
  });
  const tokens = await request(`${url}/auth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code: stringField(user, "auth_code"), client_id: clientId }),
  });
  const accessToken = stringField(tokens, "access_token");
  await postJson(`${url}/api/onboarding/core_config`, {}, accessToken);
  await postJson(`${url}/api/onboarding/analytics`, {}, accessToken);
  await postJson(`${url}/api/onboarding/integration`, { client_id: clientId, redirect_uri: clientId }, accessToken);
  return { accessToken, refreshToken: stringField(tokens, "refresh_token") };
}

// Onboarding sets up met and radio_browser, which need the internet: offline they retry forever,
// and radio_browser holds every later start for about 10 s. No test needs them. Removing
// radio_browser waits for its first setup to give up (about 12 s on 2026.11), so it runs in the
// background and stop() waits for it.
const INTERNET_ONLY_DOMAINS = ["met", "radio_browser"];
const ONBOARDING_ENTRIES_WAIT_MS = 10_000;

interface ConfigEntry {
  entry_id: string;
  domain: string;
}

async function configEntries(url: string, token: string): Promise<ConfigEntry[]> {
  const entries = await request(`${url}/api/config/config_entries/entry`, { headers: bearer(token) });
  return Array.isArray(entries) ? (entries as ConfigEntry[]) : [];
}

async function removeInternetOnlyEntries(url: string, token: string): Promise<void> {
  const deadline = Date.now() + ONBOARDING_ENTRIES_WAIT_MS;
  let entries = await configEntries(url, token);
  // The 2026 core_config step creates them in the background.
  while (!INTERNET_ONLY_DOMAINS.every((domain) => entries.some((e) => e.domain === domain)) && Date.now() < deadline) {
    await sleep(POLL_MS);
    entries = await configEntries(url, token);
  }
  for (const entry of entries.filter((e) => INTERNET_ONLY_DOMAINS.includes(e.domain))) {
    await request(`${url}/api/config/config_entries/entry/${entry.entry_id}`, { method: "DELETE", headers: bearer(token) });
  }
}

async function createLongLivedToken(wsUrl: string, accessToken: string): Promise<string> {
  const socket = await connectWebSocket(wsUrl, accessToken);
  try {
    const token = await socket.call({ type: "auth/long_lived_access_token", client_name: "e2e tests", lifespan: 365 });
    if (typeof token !== "string") throw new Error(`unexpected long-lived token result ${JSON.stringify(token)}`);
    return token;
  } finally {
    socket.close();
  }
}

// --- the running instance ----------------------------------------------------------------------

// An integration of configuration.yaml did not set up: a busy port, or a cached venv that lacks a
// requirement (tests run --skip-pip; rerun scripts/ha-setup.sh).
const SETUP_FAILURE = /Setup failed for|Failed to create HTTP server|Unable to install package|Requirements for .* not found/;

class HomeAssistant implements RunningHa {
  readonly url: string;
  readonly wsUrl: string;
  readonly logFile: string;
  token = "";
  accessToken = "";
  refreshToken = "";
  private process: HaProcess | undefined;
  private cleanup: Promise<void> | undefined;

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  constructor(
    readonly version: HaVersion,
    readonly configDir: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/api/websocket`;
    this.logFile = join(configDir, "harness-hass.log");
  }

  /** First start: onboarding and tokens. */
  async setUp(): Promise<void> {
    const deadline = this.spawn();
    // Onboarding while HA still starts would make its startup wait for the integrations that
    // onboarding sets up.
    await this.waitFor("startup", deadline, async () => logContains(this.logFile, "Home Assistant initialized in"));
    await this.assertNoSetupFailure();
    const tokens = await this.failWithLog(() => onboard(this.url));
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    await this.waitUntilRunning(deadline, this.accessToken);
    this.token = await this.failWithLog(() => createLongLivedToken(this.wsUrl, this.accessToken));
    this.cleanup = removeInternetOnlyEntries(this.url, this.token).catch((error: unknown) => {
      writeFileSync(this.logFile, `harness: could not remove ${INTERNET_ONLY_DOMAINS.join(", ")}: ${String(error)}\n`, { flag: "a" });
    });
  }

  async start(): Promise<void> {
    const deadline = this.spawn();
    await this.waitUntilRunning(deadline, this.token);
  }

  async stop(): Promise<void> {
    await this.cleanup;
    this.cleanup = undefined;
    await this.process?.stop();
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private spawn(): number {
    if (this.process) throw new Error(`Home Assistant ${this.version} on port ${this.port} is already running`);
    this.process = new HaProcess(launchFor(this.version, this.configDir), this.logFile);
    return Date.now() + this.timeoutMs;
  }

  private async waitUntilRunning(deadline: number, token: string): Promise<void> {
    await this.waitFor("state RUNNING", deadline, () =>
      answers(`${this.url}/api/config`, token, (config) => config.state === "RUNNING"),
    );
    await this.assertNoSetupFailure();
  }

  private async assertNoSetupFailure(): Promise<void> {
    const failure = readFileSync(this.logFile, "utf8").split("\n").find((line) => SETUP_FAILURE.test(line));
    if (failure) await this.fail(`a setup failed: ${failure}`);
  }

  private async waitFor(what: string, deadline: number, probe: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (await probe()) return;
      const exit = this.process?.exit;
      if (exit) await this.fail(`exited (code ${exit.code}, signal ${exit.signal}) while waiting for ${what}`);
      if (Date.now() > deadline) await this.fail(`not ready within ${this.timeoutMs} ms (waiting for ${what})`);
      await sleep(POLL_MS);
    }
  }

  private async failWithLog<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      return this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** Stops HA and throws with the tail of its log. */
  private async fail(reason: string): Promise<never> {
    await this.stop();
    throw new Error(`Home Assistant ${this.version} on port ${this.port}: ${reason}\n` +
      `--- last ${LOG_TAIL_LINES} lines of ${this.logFile} ---\n${logTail(this.logFile)}`);
  }
}

/** Starts a fresh, onboarded Home Assistant; throws (never skips) when it cannot. */
export async function startHomeAssistant(version: HaVersion, opts: StartOptions = {}): Promise<RunningHa> {
  assertInstalled(version);
  installExitHook();
  const configDir = mkdtempSync(join(tmpdir(), `ei-ha-${version}-`));
  configDirs.add(configDir);
  const port = opts.port ?? (await freePort());
  writeFileSync(join(configDir, "configuration.yaml"), configurationYaml(port) + (opts.configuration ? `\n${opts.configuration}\n` : ""));
  if (opts.www?.length) {
    mkdirSync(join(configDir, "www"));
    for (const file of opts.www) copyFileSync(file, join(configDir, "www", basename(file)));
  }
  const ha = new HomeAssistant(version, configDir, port, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  await ha.setUp();
  return ha;
}
