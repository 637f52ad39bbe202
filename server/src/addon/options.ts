/**
 * The Home Assistant add-on's options: their `schema` and defaults are generated from the backend's
 * config schema (one source), and the options a user saves become a backend config here.
 * The add-on fixes what the Supervisor provides: HA's address and token (SUPERVISOR_TOKEN), the
 * cache in /data, and the API port behind ingress, open to the ingress proxy only.
 */
import { SUPERVISOR_INGRESS_ADDRESS } from "../api/remote-policy.js";
import { describeConfigSchema, type ConfigOptionDescription } from "../config/index.js";

/** Sections the add-on sets itself; they are not options. */
const FIXED_SECTIONS = new Set(["home_assistant", "store", "api"]);

export type AddonSchemaNode = string | AddonSchemaNode[] | { [key: string]: AddonSchemaNode };
export type AddonSchema = { [key: string]: AddonSchemaNode };

/** An add-on schema type (Supervisor's RE_SCHEMA_ELEMENT) for one config leaf. */
export function addonType(row: ConfigOptionDescription, required: boolean): AddonSchemaNode {
  const q = required ? "" : "?";
  const int = /^integer (\d+)\.\.(\d+)$/.exec(row.type);
  const oneOf = /^one of (.+)$/.exec(row.type);
  if (row.type === "list of string") return [`str?`];
  if (row.secret) return `password${q}`;
  if (row.type === "URL") return `url${q}`;
  if (row.type === "boolean") return `bool${q}`;
  if (int) return `int(${int[1]},${int[2]})${q}`;
  // The Supervisor's float ranges take no negative bounds (latitude -90..90): the backend checks the range.
  if (row.type.startsWith("number")) return `float${q}`;
  if (oneOf) return `list(${oneOf[1]!.split(", ").join("|")})${q}`;
  return `str${q}`;
}

function ensure(tree: AddonSchema, parts: string[]): AddonSchema {
  let node = tree;
  for (const part of parts) {
    const list = part.endsWith("[]");
    const key = list ? part.slice(0, -2) : part;
    if (list) {
      const existing = node[key];
      if (!Array.isArray(existing) || typeof existing[0] !== "object") node[key] = [{}];
      node = (node[key] as AddonSchema[])[0]!;
    } else {
      if (typeof node[key] !== "object" || Array.isArray(node[key])) node[key] = {};
      node = node[key] as AddonSchema;
    }
  }
  return node;
}

/** The add-on's `schema`: every config setting a user may set as an add-on, with its type. */
export function addonSchema(): AddonSchema {
  const schema: AddonSchema = {};
  for (const row of describeConfigSchema()) {
    const parts = row.path.split(".");
    if (FIXED_SECTIONS.has(parts[0]!) || row.type === "section" || row.type === "list of sections" || row.path.endsWith("_file")) continue;
    // Inside a list item the Supervisor requires what we require; elsewhere every option is optional
    // (the backend's own defaults apply), so the add-on starts without any configuration.
    const inList = parts.some((p) => p.endsWith("[]"));
    ensure(schema, parts.slice(0, -1))[parts.at(-1)!] = addonType(row, inList && row.required);
  }
  return schema;
}

/** Defaults shown in the add-on's configuration tab: dict and list options must be present. */
export function addonDefaultOptions(): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const row of describeConfigSchema()) {
    const parts = row.path.split(".");
    if (FIXED_SECTIONS.has(parts[0]!) || parts.length !== 2 || row.path.endsWith("_file") || row.secret) continue;
    const section = (options[parts[0]!] ??= {}) as Record<string, unknown>;
    if (row.type === "list of sections") section[parts[1]!] = [];
    else if (row.default !== undefined) section[parts[1]!] = row.default;
  }
  return options;
}

/**
 * The backend config for the options the Supervisor wrote to /data/options.json. A provider with no
 * account is left out (off); HA's address and token come from SUPERVISOR_TOKEN (config validation).
 */
export function configFromAddonOptions(options: Record<string, unknown>, dataDir = "/data"): Record<string, unknown> {
  const raw: Record<string, unknown> = structuredClone(options);
  for (const [key, value] of Object.entries(raw)) {
    if (value && typeof value === "object" && !Array.isArray(value) && Array.isArray((value as Record<string, unknown>).accounts) && ((value as Record<string, unknown>).accounts as unknown[]).length === 0) {
      delete raw[key];
    }
    // WattTime without a username, Electricity Maps without a token (the add-on's defaults) = off.
    if ((key === "watttime" && !hasText(value, "username")) || (key === "electricity_maps" && !hasText(value, "token"))) delete raw[key];
    // OneMeter: no device listed (the add-on's default) = off.
    if (key === "onemeter" && value && typeof value === "object" && !Array.isArray(value)) {
      const devices = (value as Record<string, unknown>).devices;
      if (!Array.isArray(devices) || devices.length === 0) delete raw[key];
    }
  }
  raw.store = { path: `${dataDir}/energy-insights.db` };
  // Ingress is the only way in: the Supervisor's proxy checks the HA user's session first.
  raw.api = { port: 8099, host: "0.0.0.0", allowed_remote_addresses: [SUPERVISOR_INGRESS_ADDRESS] };
  return raw;
}

function hasText(section: unknown, key: string): boolean {
  return typeof section === "object" && section !== null && typeof (section as Record<string, unknown>)[key] === "string" && (section as Record<string, unknown>)[key] !== "";
}
