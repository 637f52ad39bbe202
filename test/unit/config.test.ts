import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  ConfigError,
  describeConfigSchema,
  loadConfig,
  parseConfig,
  type ConfigProblem,
  type EnergyInsightsConfig,
} from "../../server/src/config/index.js";

const fixtures = new URL("../fixtures/config/", import.meta.url).pathname;
const repoRoot = new URL("../../", import.meta.url).pathname;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "ei-config-"));
}

/** The ConfigError thrown by `fn` (fails the test if none). */
function problemsOf(fn: () => unknown): { error: ConfigError; problems: readonly ConfigProblem[]; byPath: Map<string, string> } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return { error, problems: error.problems, byPath: new Map(error.problems.map((p) => [p.path, p.message])) };
  }
  assert.fail("expected a ConfigError");
}

const TOKEN = "ha-token-0123456789abcdef";
const PASSWORD = "contact-password-s3cret!";

const DEFAULTS: EnergyInsightsConfig = {
  homeAssistant: { url: "http://homeassistant.local:8123", token: TOKEN, websocketUrl: "ws://homeassistant.local:8123/api/websocket" },
  store: { path: "energy-insights.db" },
  sync: { checkInterval: 6 * 3600, hourlyDays: 9, dailyDays: 35, monthlyMonths: 18 },
  api: { port: 8099, host: "0.0.0.0" },
  log: { level: "info" },
  power: { enabled: true, wholeHome: "auto", entities: [], historyDays: 3, deviceStatistics: true, addDevicesToEnergyPrefs: false },
};

test("a minimal file (just the HA token) gives the fully defaulted config", () => {
  const config = loadConfig({ path: join(fixtures, "minimal.yaml"), env: {} });
  assert.deepEqual(config, { ...DEFAULTS, homeAssistant: { ...DEFAULTS.homeAssistant, token: "fixture-ha-token-0123456789" } });
});

test("defaults: every section filled in, contact off when absent, contact defaults when present", () => {
  assert.deepEqual(parseConfig({ home_assistant: { token: TOKEN } }, {}), DEFAULTS);
  const config = parseConfig({ home_assistant: { token: TOKEN }, contact: { accounts: [{ username: "me@example.com", password: PASSWORD }] } }, {});
  assert.deepEqual(config.contact, {
    baseUrl: "https://api.contact-digital-prod.net",
    timeZone: "Pacific/Auckland",
    currency: "NZD",
    dailyFixedCharge: 0,
    accounts: [{ username: "me@example.com", password: PASSWORD }],
  });
  assert.equal(config.contact?.apiKey, undefined, "the provider fills in its own public key");
  assert.equal(config.contact?.accounts[0]?.contracts, undefined, "no filter = all contracts");
});

test("values given in the file are kept, converted to camelCase; URLs lose trailing slashes; websocket URL derived", () => {
  const config = parseConfig(
    {
      home_assistant: { url: "https://ha.example.org:8443/", token: TOKEN },
      store: { path: "/data/ei.db" },
      sync: { check_interval: "1h30m", hourly_days: 31, daily_days: 60, monthly_months: 24 },
      api: { port: 0, host: "127.0.0.1" },
      log: { level: "debug" },
      contact: { base_url: "http://127.0.0.1:9999/", api_key: "k-123", time_zone: "UTC", currency: "AUD", accounts: [{ username: "a", password: "p", contracts: ["1", "2"] }] },
    },
    {},
  );
  assert.deepEqual(config.homeAssistant, { url: "https://ha.example.org:8443", token: TOKEN, websocketUrl: "wss://ha.example.org:8443/api/websocket" });
  assert.deepEqual(config.sync, { checkInterval: 5400, hourlyDays: 31, dailyDays: 60, monthlyMonths: 24 });
  assert.deepEqual(config.api, { port: 0, host: "127.0.0.1" });
  assert.equal(config.contact?.baseUrl, "http://127.0.0.1:9999");
  assert.equal(config.contact?.apiKey, "k-123");
  assert.deepEqual(config.contact?.accounts[0]?.contracts, ["1", "2"]);
});

test("durations: units, plain seconds (number or text), and bounds", () => {
  const interval = (v: unknown) => parseConfig({ home_assistant: { token: TOKEN }, sync: { check_interval: v } }, {}).sync.checkInterval;
  assert.equal(interval("30m"), 1800);
  assert.equal(interval("2d"), 172_800);
  assert.equal(interval(3600), 3600);
  assert.equal(interval("5400"), 5400);
  assert.match(problemsOf(() => interval("90s")).byPath.get("sync.check_interval")!, /between 15m and 7d/);
  assert.match(problemsOf(() => interval("soon")).byPath.get("sync.check_interval")!, /expected a duration such as "6h"/);
});

test("environment variables override the file, nested and in lists; numbers become numbers", () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, "energy-insights.yaml"),
    "home_assistant:\n  token: from-file\napi:\n  port: 8099\ncontact:\n  accounts:\n    - username: me@example.com\n      password_file: missing-but-overridden\n",
  );
  const config = loadConfig({
    cwd: dir,
    env: {
      EI_HOME_ASSISTANT__TOKEN: TOKEN,
      EI_API__PORT: "8100",
      EI_SYNC__HOURLY_DAYS: "14",
      EI_SYNC__CHECK_INTERVAL: "7200",
      EI_LOG__LEVEL: "warn",
      EI_CONTACT__ACCOUNTS__0__PASSWORD: PASSWORD,
      EI_CONTACT__ACCOUNTS__0__CONTRACTS: "1350000001, 1350000002",
      EI_CONTACT__ACCOUNTS__1__USERNAME: "second@example.com",
      EI_CONTACT__ACCOUNTS__1__PASSWORD: "second-password",
      EI_CONTACT__ACCOUNTS__1__CONTRACTS__0: "42",
      EI_API__HOST: "", // empty = unset
    },
  });
  assert.equal(config.homeAssistant.token, TOKEN);
  assert.equal(config.api.port, 8100);
  assert.equal(config.api.host, "0.0.0.0");
  assert.equal(config.sync.hourlyDays, 14);
  assert.equal(config.sync.checkInterval, 7200);
  assert.equal(config.log.level, "warn");
  assert.deepEqual(config.contact?.accounts, [
    { username: "me@example.com", password: PASSWORD, contracts: ["1350000001", "1350000002"] },
    { username: "second@example.com", password: "second-password", contracts: ["42"] },
  ]);
});

test("without a file the environment alone can supply everything", () => {
  const config = loadConfig({
    cwd: tempDir(),
    env: { EI_HOME_ASSISTANT__TOKEN: TOKEN, EI_CONTACT__ACCOUNTS__0__USERNAME: "me", EI_CONTACT__ACCOUNTS__0__PASSWORD: PASSWORD },
  });
  assert.equal(config.homeAssistant.token, TOKEN);
  assert.equal(config.contact?.accounts[0]?.password, PASSWORD);
});

test("a bad environment variable: unknown names and bad values are problems, named by variable", () => {
  const { byPath } = problemsOf(() =>
    parseConfig({}, {
      EI_HOME_ASSISTANT__TOKEN: TOKEN,
      EI_SYNC__HOURLY_DAY: "3",
      EI_API__PORT: "eighty",
      EI_CONTACT: "yes",
      EI_WATTTIME__USERNAME: "u",
      EI_STORE__PATH__X: "1",
      EI_LOG__LEVEL_FILE: "/x",
      EI_CONTACT__ACCOUNTS__0__PASSWORD_FILE: "/no/such/file",
    }),
  );
  assert.match(byPath.get("watttime.password")!, /required: set password, password_file, or EI_WATTTIME__PASSWORD/, "watttime is a real section now: its own problems, by path");
  assert.match(byPath.get("store.path.x")!, /^unknown setting \(from environment variable EI_STORE__PATH__X\)$/);
  assert.match(byPath.get("log.level_file")!, /^unknown setting .*; expected one of EI_LOG__LEVEL$/);
  assert.match(byPath.get("contact.accounts[0].password_file")!, /cannot read \/no\/such\/file: no such file \(from EI_CONTACT__ACCOUNTS__0__PASSWORD_FILE\)/);
  assert.match(byPath.get("sync.hourly_day")!, /unknown setting \(from environment variable EI_SYNC__HOURLY_DAY\); did you mean EI_SYNC__HOURLY_DAYS\?/);
  assert.match(byPath.get("api.port")!, /expected a whole number \(from EI_API__PORT\)/);
  assert.match(byPath.get("contact")!, /names a whole section.*EI_CONTACT__/);
});

test("the config file: --config, then ENERGY_INSIGHTS_CONFIG, then ./energy-insights.yaml; a given file must exist", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "energy-insights.yaml"), "home_assistant:\n  token: default-file\n");
  writeFileSync(join(dir, "other.yaml"), "home_assistant:\n  token: other-file\n");
  assert.equal(loadConfig({ cwd: dir, env: {} }).homeAssistant.token, "default-file");
  assert.equal(loadConfig({ cwd: dir, env: { ENERGY_INSIGHTS_CONFIG: "other.yaml" } }).homeAssistant.token, "other-file");
  assert.equal(loadConfig({ cwd: dir, path: "other.yaml", env: { ENERGY_INSIGHTS_CONFIG: "nope.yaml" } }).homeAssistant.token, "other-file");

  const fromFlag = problemsOf(() => loadConfig({ cwd: dir, path: "missing.yaml", env: {} }));
  assert.match(fromFlag.problems[0]!.message, /missing\.yaml \(from --config\) not found/);
  const fromEnv = problemsOf(() => loadConfig({ cwd: dir, env: { ENERGY_INSIGHTS_CONFIG: "missing.yaml" } }));
  assert.match(fromEnv.problems[0]!.message, /\(from ENERGY_INSIGHTS_CONFIG\) not found/);
  // no file and no token: the missing token is the problem, not the missing default file
  const none = problemsOf(() => loadConfig({ cwd: tempDir(), env: {} }));
  assert.deepEqual([...none.byPath.keys()], ["home_assistant.token"]);
});

test("_file secrets are read at load (one trailing newline dropped); missing files are problems like the others", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "token"), `${TOKEN}\n`);
  writeFileSync(join(dir, "password"), PASSWORD);
  writeFileSync(join(dir, "empty"), "\n");
  const config = parseConfig(
    { home_assistant: { token_file: "token" }, contact: { api_key_file: join(dir, "password"), accounts: [{ username: "me", password_file: "password" }] } },
    {},
    { cwd: dir },
  );
  assert.equal(config.homeAssistant.token, TOKEN);
  assert.equal(config.contact?.accounts[0]?.password, PASSWORD);
  assert.equal(config.contact?.apiKey, PASSWORD);
  assert.equal(config.contact && "apiKeyFile" in config.contact, false);

  const viaEnv = parseConfig({}, { EI_HOME_ASSISTANT__TOKEN_FILE: join(dir, "token") });
  assert.equal(viaEnv.homeAssistant.token, TOKEN);

  const { byPath } = problemsOf(() =>
    parseConfig(
      {
        home_assistant: { token_file: "no-such-file" },
        sync: { hourly_days: 99 },
        contact: { api_key: "x", api_key_file: "password", accounts: [{ username: "me", password_file: "empty" }] },
      },
      {},
      { cwd: dir },
    ),
  );
  assert.match(byPath.get("home_assistant.token_file")!, /cannot read .*no-such-file: no such file/);
  assert.match(byPath.get("contact.api_key_file")!, /set either api_key or api_key_file, not both/);
  assert.match(byPath.get("contact.accounts[0].password_file")!, /is empty/);
  assert.match(byPath.get("sync.hourly_days")!, /at most 31/);
});

test("a bad config gives one error listing every problem by path, with line numbers, in file order", () => {
  const { error, problems } = problemsOf(() => loadConfig({ path: join(fixtures, "bad.yaml"), env: {} }));
  assert.deepEqual(
    problems.map((p) => `${p.path}@${p.line}`),
    [
      "home_assistant.url@2",
      "sync.check_intervall@5",
      "sync.hourly_days@6",
      "api.port@8",
      "contact.time_zone@10",
      "contact.currency@11",
      "contact.accounts[0].password@13",
      "contact.accounts[0].contracts[0]@14",
    ],
  );
  const message = (path: string) => problems.find((p) => p.path === path)!.message;
  assert.equal(message("home_assistant.url"), "expected a URL starting with http:// or https://");
  assert.equal(message("sync.hourly_days"), "must be at least 1");
  assert.equal(message("api.port"), "must be at most 65535");
  assert.match(message("contact.currency"), /3-letter .* capitals/);
  assert.equal(message("contact.accounts[0].password"), "required: set password, password_file, or EI_CONTACT__ACCOUNTS__0__PASSWORD");
  assert.match(message("contact.accounts[0].contracts[0]"), /quoted/);
  assert.match(error.message, /^Invalid configuration in .*bad\.yaml \(8 problems\):\n {2}- home_assistant\.url \(line 2, column 3\): expected a URL/);
});

test("unknown keys are problems, with a suggestion or the list of what is allowed; planned providers are refused", () => {
  const { byPath } = problemsOf(() =>
    parseConfig(
      { home_assistant: { token: TOKEN, tokn: "x" }, logging: { level: "info" }, api: { prot: 1, xyz: 2 }, onemeter: { api_key: "k" }, contact: { accounts: [{ username: "u", password: "p", contract: ["1"] }] } },
      {},
    ),
  );
  assert.equal(byPath.get("home_assistant.tokn"), "unknown setting; did you mean token?");
  assert.equal(byPath.get("api.prot"), "unknown setting; did you mean port?");
  assert.equal(byPath.get("api.xyz"), "unknown setting; expected one of port, host, allowed_remote_addresses");
  assert.equal(byPath.get("logging"), "unknown setting; expected one of home_assistant, store, sync, api, log, contact, onemeter, power, watttime, electricity_maps");
  assert.equal(byPath.get("contact.accounts[0].contract"), "unknown setting; did you mean contracts?");
  assert.match(byPath.get("onemeter.devices")!, /list of device ids/, "onemeter is a real section now: its own problems, by path");
});

test("api.allowed_remote_addresses takes IP addresses only, also from the environment", () => {
  const remotes = (list: unknown, env: Record<string, string> = {}) => () => parseConfig({ home_assistant: { token: TOKEN }, api: { allowed_remote_addresses: list } }, env);
  assert.deepEqual(remotes(["172.30.32.2", "::1"])().api.allowedRemoteAddresses, ["172.30.32.2", "::1"]);
  assert.equal(problemsOf(remotes(["supervisor"])).byPath.get("api.allowed_remote_addresses[0]"), '"supervisor" is not an IP address');
  assert.match(problemsOf(remotes([])).byPath.get("api.allowed_remote_addresses")!, /at least one address/);
  const fromEnv = parseConfig({ home_assistant: { token: TOKEN } }, { EI_API__ALLOWED_REMOTE_ADDRESSES: "10.0.0.5,10.0.0.6" });
  assert.deepEqual(fromEnv.api.allowedRemoteAddresses, ["10.0.0.5", "10.0.0.6"]);
});

test("time zones are checked against the IANA database", () => {
  const tz = (time_zone: string) => () => parseConfig({ home_assistant: { token: TOKEN }, contact: { time_zone, accounts: [{ username: "u", password: "p" }] } }, {});
  assert.equal(tz("Europe/Warsaw")().contact?.timeZone, "Europe/Warsaw");
  assert.match(problemsOf(tz("Pacific/Aukland")).byPath.get("contact.time_zone")!, /unknown time zone "Pacific\/Aukland".*IANA/);
  assert.ok(problemsOf(tz("GMT+13")).byPath.has("contact.time_zone"));
});

test("a YAML syntax error is one problem with its line and column, without quoting the file", () => {
  const { problems, error } = problemsOf(() => loadConfig({ path: join(fixtures, "syntax-error.yaml"), env: {} }));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, "");
  assert.equal(problems[0]!.line, 3);
  assert.ok(problems[0]!.column !== undefined);
  assert.match(problems[0]!.message, /^YAML syntax error: /);
  assert.doesNotMatch(error.message, /fixture-secret/);
  assert.match(error.message, /\(line 3, column \d+\)/);
});

test("secrets never appear in problem messages, even when put where a value is echoed", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "pw"), PASSWORD);
  const { error } = problemsOf(() =>
    parseConfig(
      {
        home_assistant: { token: TOKEN, url: TOKEN },
        contact: { time_zone: PASSWORD, currency: TOKEN, api_key: 12345, accounts: [{ username: PASSWORD, password_file: "pw" }, { username: "u", password: 42 }] },
        [TOKEN]: 1,
      },
      { EI_SYNC__HOURLY_DAYS: PASSWORD, SUPERVISOR_TOKEN: "supervisor-token-xyz" },
      { cwd: dir },
    ),
  );
  assert.ok(error.problems.length >= 6, error.message);
  for (const secret of [TOKEN, PASSWORD]) {
    assert.ok(!error.message.includes(secret), `secret leaked: ${error.message}`);
    for (const p of error.problems) assert.ok(!p.message.includes(secret) && !p.path.includes(secret), `secret leaked in ${p.path}: ${p.message}`);
  }
  assert.match(error.message, /contact\.time_zone: unknown time zone "\*\*\*"/);
});

test("as a Home Assistant add-on (SUPERVISOR_TOKEN), no token is needed and HA is reached through the Supervisor", () => {
  const env = { SUPERVISOR_TOKEN: "supervisor-token-xyz" };
  assert.deepEqual(parseConfig({}, env).homeAssistant, {
    url: "http://supervisor/core",
    token: "supervisor-token-xyz",
    websocketUrl: "ws://supervisor/core/websocket",
  });
  // a configured token means a direct connection with it
  assert.deepEqual(parseConfig({ home_assistant: { token: TOKEN } }, env).homeAssistant, DEFAULTS.homeAssistant);
});

test("`key:` with nothing after it counts as not set", () => {
  const config = parseConfig(parseYaml("home_assistant:\n  token: t0k3n\n  websocket_url:\ncontact:\n  api_key:\n  accounts:\n    - username: u\n      password: p\n"), {});
  assert.equal(config.homeAssistant.websocketUrl, "ws://homeassistant.local:8123/api/websocket");
  assert.equal(config.contact?.apiKey, undefined);
});

/** Every leaf path of a value, lists as "[]": { a: [{ b: 1 }] } → ["a[].b"]. */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.length && typeof value[0] === "object" ? leafPaths(value[0], `${prefix}[]`) : [prefix];
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

const EVERY_OPTION = {
  home_assistant: { url: "http://h:1", token: "t", token_file: "f", websocket_url: "ws://h:1/ws" },
  store: { path: "x.db" },
  sync: { check_interval: "6h", hourly_days: 9, daily_days: 35, monthly_months: 18 },
  api: { port: 8099, host: "0.0.0.0", allowed_remote_addresses: ["172.30.32.2"] },
  log: { level: "info" },
  contact: {
    base_url: "http://c",
    api_key: "k",
    api_key_file: "f",
    time_zone: "Pacific/Auckland",
    currency: "NZD",
    daily_fixed_charge: 2.3,
    accounts: [{ username: "u", password: "p", password_file: "f", contracts: ["1"], daily_fixed_charge: 3.45 }],
  },
  onemeter: { base_url: "http://o", api_key: "k", api_key_file: "f", devices: ["03b38411-d37b-4957-8d5b-641db7bde29a"], poll_interval: "15m", backfill_days: 30, add_to_energy_prefs: false },
  watttime: { base_url: "http://w", username: "u", password: "p", password_file: "f", region: "CAISO_NORTH", latitude: 1, longitude: 2, check_interval: "1h" },
  electricity_maps: { base_url: "http://e", token: "t", token_file: "f", zone: "NZ-NZN", latitude: 1, longitude: 2, emission_factor_type: "lifecycle", check_interval: "1h" },
  power: {
    enabled: true,
    whole_home: "auto",
    whole_home_sensor: "sensor.home_power",
    circuit_sensors: ["sensor.oven_circuit"],
    entities: ["input_boolean.pump"],
    history_days: 3,
    device_statistics: true,
    add_devices_to_energy_prefs: false,
  },
};

test("describeConfigSchema covers every leaf, each with a description and its environment variable", () => {
  const rows = describeConfigSchema();
  const byPath = new Map(rows.map((r) => [r.path, r]));
  for (const path of leafPaths(EVERY_OPTION)) assert.ok(byPath.has(path), `no row for ${path}`);
  const leafRows = rows.filter((r) => !r.type.includes("section"));
  assert.deepEqual(leafRows.map((r) => r.path).sort(), leafPaths(EVERY_OPTION).sort(), "a row for something that is not an option");
  for (const row of rows) {
    assert.ok(row.description.length > 10, `${row.path} has no description`);
    assert.match(row.env, /^EI_([A-Z0-9_]|<n>)+$/);
  }
  assert.deepEqual(byPath.get("contact.accounts[].password"), {
    path: "contact.accounts[].password",
    type: "string",
    default: undefined,
    defaultText: "",
    description: "Its password.",
    env: "EI_CONTACT__ACCOUNTS__<n>__PASSWORD",
    required: true,
    secret: true,
  });
  assert.equal(byPath.get("sync.hourly_days")?.type, "integer 1..31");
  assert.equal(byPath.get("sync.hourly_days")?.default, 9);
  assert.equal(byPath.get("sync.check_interval")?.default, "6h");
  assert.equal(byPath.get("home_assistant.url")?.type, "URL");
  assert.match(byPath.get("log.level")!.type, /^one of trace, debug, info/);
  assert.equal(byPath.get("contact.accounts[].password_file")?.env, "EI_CONTACT__ACCOUNTS__<n>__PASSWORD_FILE");
  assert.deepEqual(
    rows.filter((r) => r.secret).map((r) => r.path),
    ["home_assistant.token", "contact.api_key", "contact.accounts[].password", "onemeter.api_key", "watttime.password", "electricity_maps.token"],
  );
});

test("the example file parses, and documents every option", async () => {
  const config = loadConfig({ path: join(repoRoot, "energy-insights.example.yaml"), env: {} });
  assert.equal(config.contact?.accounts.length, 1);
  assert.equal(config.sync.checkInterval, 21_600);
  const { readFileSync } = await import("node:fs");
  const text = readFileSync(join(repoRoot, "energy-insights.example.yaml"), "utf8");
  for (const row of describeConfigSchema()) {
    const key = row.path.split(/[.[\]]+/).filter(Boolean).pop()!;
    assert.match(text, new RegExp(`^\\s*#?\\s*(- )?${key}:`, "m"), `the example does not mention ${row.path}`);
  }
});

test("power: overrides parsed, entity ids checked, the Energy prefs option is off unless set", () => {
  const config = parseConfig(
    { home_assistant: { token: TOKEN }, power: { whole_home_sensor: "sensor.mains", circuit_sensors: ["sensor.oven_circuit"], entities: ["input_boolean.pump"], history_days: 7, add_devices_to_energy_prefs: true } },
    {},
  );
  assert.deepEqual(config.power, {
    enabled: true,
    wholeHome: "auto",
    wholeHomeSensor: "sensor.mains",
    circuitSensors: ["sensor.oven_circuit"],
    entities: ["input_boolean.pump"],
    historyDays: 7,
    deviceStatistics: true,
    addDevicesToEnergyPrefs: true,
  });
  const { byPath } = problemsOf(() => parseConfig({ home_assistant: { token: TOKEN }, power: { whole_home_sensor: "Home Power", history_days: 30 } }, {}));
  assert.match(byPath.get("power.whole_home_sensor") ?? "", /entity id/);
  assert.match(byPath.get("power.history_days") ?? "", /at most 14/);
  assert.equal(parseConfig({ home_assistant: { token: TOKEN } }, { EI_POWER__DEVICE_STATISTICS: "false" }).power.deviceStatistics, false);
});
