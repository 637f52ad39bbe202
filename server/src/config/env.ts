/**
 * Environment variables. Every setting of the file can also be given as an environment variable:
 * `EI_` then the setting's path, keys in capitals, levels joined by `__` (two underscores), list
 * items by their index (0, 1, …):
 *
 *   home_assistant.token              EI_HOME_ASSISTANT__TOKEN
 *   sync.check_interval               EI_SYNC__CHECK_INTERVAL=30m
 *   api.port                          EI_API__PORT=8100                (read as a number)
 *   contact.accounts[0].username      EI_CONTACT__ACCOUNTS__0__USERNAME
 *   contact.accounts[0].password      EI_CONTACT__ACCOUNTS__0__PASSWORD
 *   contact.accounts[0].password_file EI_CONTACT__ACCOUNTS__0__PASSWORD_FILE=/run/secrets/contact
 *   contact.accounts[0].contracts     EI_CONTACT__ACCOUNTS__0__CONTRACTS=1350000001,1350000002
 *                                     (or one by one: EI_CONTACT__ACCOUNTS__0__CONTRACTS__0=1350000001)
 *
 * A variable wins over the file (for a secret, `X` from the environment also replaces `X_file` from
 * the file, and the other way round). An empty variable counts as unset. A variable with the `EI_`
 * prefix that names no setting is a problem like an unknown key in the file. Setting any
 * `EI_CONTACT__…` variable turns the Contact provider on, as a `contact:` section would.
 *
 * Other variables read: ENERGY_INSIGHTS_CONFIG (path of the file, when --config is not given) and
 * SUPERVISOR_TOKEN (set by Home Assistant for add-ons; used when no token is configured).
 */
import * as z from "zod";
import { child, defOf, listElement, objectFields, rootNode, secretKeys, type PathSegment, type SchemaNode } from "./walk.js";
import { formatPath } from "./errors.js";
import { RESERVED_SECTIONS } from "./schema.js";
import { closest } from "./suggest.js";

export const ENV_PREFIX = "EI_";

/** The variable for a concrete path: ["contact", "accounts", 0, "password"] → EI_CONTACT__ACCOUNTS__0__PASSWORD. */
export function envName(path: readonly PathSegment[]): string {
  return ENV_PREFIX + path.map((s) => String(s).toUpperCase()).join("__");
}

/** The variable for a reference path where "[]" marks a list item: → EI_CONTACT__ACCOUNTS__<n>__PASSWORD. */
export function envNameForPattern(path: readonly string[]): string {
  return ENV_PREFIX + path.map((s) => (s === "[]" ? "<n>" : s.toUpperCase())).join("__");
}

/** A problem found while reading the environment; the path is where the variable points. */
export interface EnvFinding {
  path: PathSegment[];
  message: string;
}

/** What `<secret>_file` variables point at: a path, read as text. */
const FILE_PATH: SchemaNode = { schema: z.string(), kind: "leaf", info: undefined, optional: true, defaultValue: undefined };

type Container = Record<string, unknown> | unknown[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function coerce(node: SchemaNode, value: string): unknown {
  const element = listElement(node);
  if (element) return value.split(",").map((v) => coerce(element, v.trim())).filter((v) => v !== "");
  switch (defOf(node.schema).type) {
    case "number":
      return /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    case "boolean":
      return /^(true|yes|on|1)$/i.test(value) ? true : /^(false|no|off|0)$/i.test(value) ? false : value;
    default:
      return value;
  }
}

/** Resolve a variable's name to a path in the schema, or explain why it names no setting. */
function target(name: string): { path: PathSegment[]; node: SchemaNode } | { path: PathSegment[]; message: string } {
  const raw = name.slice(ENV_PREFIX.length).split("__").map((s) => s.toLowerCase());
  const path: PathSegment[] = [];
  let node: SchemaNode = rootNode;
  for (const [i, segment] of raw.entries()) {
    const isLast = i === raw.length - 1;
    if (node.kind === "list" && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      node = listElement(node)!;
      continue;
    }
    const next = child(node, segment);
    if (next) {
      path.push(segment);
      node = next;
      continue;
    }
    path.push(...raw.slice(i).map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
    if (isLast && segment.endsWith("_file") && secretKeys(node).includes(segment.slice(0, -"_file".length))) {
      return { path, node: FILE_PATH };
    }
    if (i === 0 && (RESERVED_SECTIONS as readonly string[]).includes(segment)) {
      return { path, message: `the ${segment} provider is not supported by this version yet (from environment variable ${name})` };
    }
    if (node.kind === "list") return { path, message: `unknown setting (from environment variable ${name}): expected a list index (0, 1, …) after ${envName(path.slice(0, i))}` };
    const keys = Object.keys(objectFields(node)).flatMap((k) => (secretKeys(node).includes(k) ? [k, `${k}_file`] : [k]));
    const guess = closest(segment, keys);
    const hint = guess ? `did you mean ${envName([...path.slice(0, i), guess])}?` : keys.length ? `expected one of ${keys.map((k) => envName([...path.slice(0, i), k])).join(", ")}` : "";
    return { path, message: `unknown setting (from environment variable ${name})${hint ? `; ${hint}` : ""}` };
  }
  return { path, node };
}

function setAt(root: Record<string, unknown>, path: readonly PathSegment[], value: unknown, fromEnv: ReadonlySet<string>): void {
  let container: Container = root;
  for (const [i, segment] of path.entries()) {
    const isLast = i === path.length - 1;
    const slot = container as Record<PathSegment, unknown>;
    if (isLast) {
      slot[segment] = value;
      if (typeof segment === "string" && isRecord(container)) {
        // a secret from the environment replaces the file's variant of it, and the other way round
        const counterpart = segment.endsWith("_file") ? segment.slice(0, -"_file".length) : `${segment}_file`;
        if (counterpart in container && !fromEnv.has(formatPath([...path.slice(0, -1), counterpart]))) delete container[counterpart];
      }
      return;
    }
    const wantList = typeof path[i + 1] === "number";
    const existing = slot[segment];
    if (wantList ? !Array.isArray(existing) : !isRecord(existing)) slot[segment] = wantList ? [] : {};
    container = slot[segment] as Container;
  }
}

/**
 * Write every `EI_…` variable of `env` into `raw` (a parsed file, changed in place). Returns the
 * dotted paths set from the environment with the variable that set each, and problems found.
 */
export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): { origins: Map<string, string>; problems: EnvFinding[] } {
  const origins = new Map<string, string>();
  const problems: EnvFinding[] = [];
  const names = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && (env[name] ?? "") !== "")
    .sort();
  for (const name of names) {
    const value = env[name]!;
    const found = target(name);
    if ("message" in found) {
      problems.push({ path: found.path, message: found.message });
      continue;
    }
    const { path, node } = found;
    if (node.kind === "object" || listElement(node)?.kind === "object") {
      const example = envName([...path, ...(node.kind === "list" ? [0] : []), Object.keys(objectFields(listElement(node) ?? node))[0] ?? "…"]);
      problems.push({ path, message: `${name} names a whole section; set its settings one by one, e.g. ${example}` });
      continue;
    }
    setAt(raw, path, coerce(node, value), new Set(origins.keys()));
    origins.set(formatPath(path), name);
  }
  return { origins, problems };
}
