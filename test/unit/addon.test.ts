import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { addonConfigYaml } from "../../scripts/addon-config.js";
import { configFromAddonOptions, type AddonSchemaNode } from "../../server/src/addon/options.js";
import { describeConfigSchema, parseConfig } from "../../server/src/config/index.js";

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");
const config = parse(read("addon/config.yaml")) as Record<string, unknown>;

/** The Supervisor's own pattern for option types (supervisor/addons/options.py). */
const SCHEMA_ELEMENT = new RegExp(
  "^(?:|bool|email|url|port|device(?:\\((?<filter>subsystem=[a-z]+)\\))?|str(?:\\((?<s_min>\\d+)?,(?<s_max>\\d+)?\\))?|password(?:\\((?<p_min>\\d+)?,(?<p_max>\\d+)?\\))?|int(?:\\((?<i_min>\\d+)?,(?<i_max>\\d+)?\\))?|float(?:\\((?<f_min>[\\d.]+)?,(?<f_max>[\\d.]+)?\\))?|match\\((?<match>.*)\\)|list\\((?<list>.+)\\))\\??$",
);

/** The Supervisor's option validation, enough of it to check our defaults and a user's options. */
function validate(schema: AddonSchemaNode, value: unknown, path: string): void {
  if (Array.isArray(schema)) {
    assert.ok(Array.isArray(value), `${path}: a list is expected`);
    value.forEach((v, i) => validate(schema[0]!, v, `${path}[${i}]`));
    return;
  }
  if (typeof schema === "object") {
    assert.ok(value && typeof value === "object" && !Array.isArray(value), `${path}: a dict is expected`);
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) assert.ok(key in schema, `${path}.${key}: not in the schema (the Supervisor would drop it)`);
    for (const [key, sub] of Object.entries(schema)) {
      const optional = typeof (Array.isArray(sub) ? sub[0] : sub) === "string" && String(Array.isArray(sub) ? sub[0] : sub).endsWith("?");
      if (!(key in obj)) assert.ok(optional, `${path}.${key}: missing, and the schema requires it`);
      else validate(sub, obj[key], `${path}.${key}`);
    }
    return;
  }
  const m = SCHEMA_ELEMENT.exec(schema);
  assert.ok(m, `${path}: "${schema}" is not a type the Supervisor knows`);
  assert.notEqual(value, null, `${path}: required`);
  if (schema.startsWith("int")) {
    assert.ok(Number.isInteger(value), `${path}: an integer is expected`);
    if (m.groups?.i_min) assert.ok((value as number) >= Number(m.groups.i_min));
    if (m.groups?.i_max) assert.ok((value as number) <= Number(m.groups.i_max));
  } else if (schema.startsWith("float")) assert.equal(typeof value, "number", `${path}: a number is expected`);
  else if (schema.startsWith("list(")) assert.ok(m.groups!.list!.split("|").includes(String(value)), `${path}: ${String(value)} not in ${m.groups!.list}`);
  else if (schema.startsWith("url")) assert.doesNotThrow(() => new URL(String(value)), `${path}: a URL is expected`);
  else if (schema.startsWith("bool")) assert.equal(typeof value, "boolean", `${path}: true or false is expected`);
  else assert.equal(typeof value, "string", `${path}: text is expected`);
}

function leaves(schema: AddonSchemaNode, path: string, out: [string, string][]): [string, string][] {
  if (Array.isArray(schema)) return typeof schema[0] === "string" ? (out.push([path, schema[0]]), out) : leaves(schema[0]!, `${path}[]`, out);
  if (typeof schema === "object") for (const [k, v] of Object.entries(schema)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.push([path, schema]);
  return out;
}

test("addon/config.yaml is generated from the config schema (run npm run docs)", () => {
  assert.equal(read("addon/config.yaml"), addonConfigYaml());
});

test("addon/config.yaml follows the Supervisor's rules", () => {
  for (const key of ["name", "version", "slug", "description", "arch"]) assert.ok(config[key], `${key} is required`);
  assert.match(String(config.slug), /^[a-z0-9_]+$/);
  assert.equal(config.version, (JSON.parse(read("package.json")) as { version: string }).version);
  for (const arch of config.arch as string[]) assert.ok(["armhf", "armv7", "aarch64", "amd64", "i386"].includes(arch), arch);
  assert.ok(["initialize", "system", "services", "application", "once"].includes(String(config.startup)));
  assert.ok(["auto", "manual"].includes(String(config.boot)));
  assert.equal(config.homeassistant_api, true);
  assert.equal(config.ingress, true);
  assert.equal(config.ingress_port, 8099);
  for (const [path, type] of leaves(config.schema as AddonSchemaNode, "", [])) assert.match(type, SCHEMA_ELEMENT, path);
  validate(config.schema as AddonSchemaNode, config.options, "options");
  for (const [path, type] of leaves(config.schema as AddonSchemaNode, "", [])) if (/secret|password|api_key/.test(path)) assert.match(type, /^password/, `${path} must be a password field`);
});

test("the add-on's options and the backend's config agree", () => {
  const known = new Set(describeConfigSchema().map((r) => r.path));
  for (const [path] of leaves(config.schema as AddonSchemaNode, "", [])) assert.ok(known.has(path), `${path} is not a backend setting`);
  const options = structuredClone(config.options) as { contact: { accounts: unknown[] }; sync: Record<string, unknown> };
  options.contact.accounts.push({ username: "me@example.com", password: "pw-123456", contracts: ["1350000001"] });
  validate(config.schema as AddonSchemaNode, options, "options");
  const parsed = parseConfig(configFromAddonOptions(options, "/data"), { SUPERVISOR_TOKEN: "supervisor-token-value" });
  assert.equal(parsed.store.path, "/data/energy-insights.db");
  assert.equal(parsed.homeAssistant.websocketUrl, "ws://supervisor/core/websocket");
  assert.equal(parsed.homeAssistant.token, "supervisor-token-value");
  assert.equal(parsed.contact?.accounts[0]?.username, "me@example.com");
  assert.equal(parsed.sync.checkInterval, 6 * 3600);
  assert.deepEqual(parsed.api.allowedRemoteAddresses, ["172.30.32.2"], "as an add-on only the Supervisor's ingress proxy reaches the API");
  assert.equal(parseConfig({ home_assistant: { token: "t0ken-value" } }, {}).api.allowedRemoteAddresses, undefined, "outside the add-on anyone may connect (and authenticate)");
  // No account: the add-on still starts, with the provider off.
  const empty = parseConfig(configFromAddonOptions(config.options as Record<string, unknown>, "/data"), { SUPERVISOR_TOKEN: "t0ken-value" });
  assert.equal(empty.contact, undefined);
});
