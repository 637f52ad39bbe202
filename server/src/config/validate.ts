/**
 * From a parsed file (or any plain object) and the environment to a typed, fully defaulted config,
 * or one ConfigError listing every problem. Nothing here touches the network.
 */
import type { z } from "zod";
import { applyEnv, envName } from "./env.js";
import { ConfigError, formatPath, type ConfigProblem } from "./errors.js";
import { camelize, configSchema, RESERVED_SECTIONS, SUPERVISOR_URL, SUPERVISOR_WEBSOCKET_URL, type EnergyInsightsConfig } from "./schema.js";
import { resolveSecretFiles } from "./secrets.js";
import { closest } from "./suggest.js";
import { nodeAt, objectFields, rootNode, secretKeys, type PathSegment } from "./walk.js";

export interface ValidateOptions {
  /** Relative `_file` paths are resolved against it. Default: process.cwd(). */
  cwd?: string;
  /** The file the raw config came from (named in the error). */
  file?: string;
  /** Position in the file of a path, for problems that come from the file. */
  locate?: (path: readonly PathSegment[]) => { line: number; column: number } | undefined;
}

interface Finding {
  path: PathSegment[];
  message: string;
  /** Came from the environment, so it has no position in the file. */
  fromEnv?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Copy, dropping mapping entries whose value is null: in YAML `api_key:` with nothing after it means "not set". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a group of settings (key: value lines)",
  array: "a list",
};

/** Zod's issues in words, saying what is expected; never echoes the value given. */
const humanError: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      return iss.input === undefined ? "required" : `expected ${EXPECTED[iss.expected] ?? iss.expected}`;
    case "too_small":
      if (iss.origin === "string" && Number(iss.minimum) === 1) return "must not be empty";
      if (iss.origin === "array") return `needs at least ${String(iss.minimum)} ${Number(iss.minimum) === 1 ? "entry" : "entries"}`;
      return `must be at least ${String(iss.minimum)}`;
    case "too_big":
      if (iss.origin === "array") return `allows at most ${String(iss.maximum)} entries`;
      return `must be at most ${String(iss.maximum)}`;
    case "invalid_value":
      return `expected one of ${iss.values.map(String).join(", ")}`;
    case "invalid_format":
      return `expected ${iss.format === "url" ? "a URL" : iss.format}`;
    default:
      return undefined;
  }
};

function keysAt(path: readonly PathSegment[]): string[] {
  const node = nodeAt(path);
  if (!node) return [];
  return Object.keys(objectFields(node)).flatMap((k) => (secretKeys(node).includes(k) ? [k, `${k}_file`] : [k]));
}

function unknownKeyMessage(parent: readonly PathSegment[], key: string): string {
  if (parent.length === 0 && (RESERVED_SECTIONS as readonly string[]).includes(key)) {
    return `the ${key} provider is not supported by this version yet; remove this section`;
  }
  const keys = keysAt(parent);
  const guess = closest(key, keys);
  if (guess) return `unknown setting; did you mean ${guess}?`;
  return keys.length ? `unknown setting; expected one of ${keys.join(", ")}` : "unknown setting";
}

function requiredMessage(path: readonly PathSegment[]): string {
  const key = path[path.length - 1];
  const parent = nodeAt(path.slice(0, -1));
  if (typeof key === "string" && parent && secretKeys(parent).includes(key)) {
    const addOn = formatPath(path) === "home_assistant.token" ? " (as a Home Assistant add-on, SUPERVISOR_TOKEN is used)" : "";
    return `required: set ${key}, ${key}_file, or ${envName(path)}${addOn}`;
  }
  return `required (or set ${envName(path)})`;
}

function fromIssues(issues: readonly z.core.$ZodIssue[], origins: ReadonlyMap<string, string>): Finding[] {
  const out: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownKeyMessage(path, key) });
      continue;
    }
    const message = issue.message === "required" ? requiredMessage(path) : issue.message;
    const variable = origins.get(formatPath(path));
    out.push(variable ? { path, message: `${message} (from ${variable})`, fromEnv: true } : { path, message });
  }
  return out;
}

/** As an add-on (SUPERVISOR_TOKEN set) with no token configured: talk to HA through the Supervisor. */
function applySupervisor(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const token = env.SUPERVISOR_TOKEN;
  if (!token) return;
  raw.home_assistant ??= {};
  const ha = raw.home_assistant;
  if (!isRecord(ha) || ha.token !== undefined) return;
  ha.token = token;
  if (ha.url === undefined) {
    ha.url = SUPERVISOR_URL;
    ha.websocket_url ??= SUPERVISOR_WEBSOCKET_URL;
  }
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, s) => (s.length >= 3 ? out.split(s).join("***") : out), text);
}

/** Validate `raw` (the file's content, or {} without a file) with `env` applied over it. */
export function validateConfig(raw: unknown, env: NodeJS.ProcessEnv, options: ValidateOptions = {}): EnergyInsightsConfig {
  const findings: Finding[] = [];
  let data: Record<string, unknown> = {};
  if (isRecord(raw)) data = withoutNulls(raw) as Record<string, unknown>;
  else if (raw !== undefined && raw !== null) findings.push({ path: [], message: "expected settings (key: value lines) at the top level of the file" });

  const fromEnv = applyEnv(data, env);
  findings.push(...fromEnv.problems.map((p) => ({ ...p, fromEnv: true })));
  const files = resolveSecretFiles(data, rootNode, options.cwd ?? process.cwd());
  for (const p of files.problems) {
    const variable = fromEnv.origins.get(formatPath(p.path));
    findings.push(variable ? { path: p.path, message: `${p.message} (from ${variable})`, fromEnv: true } : p);
  }
  applySupervisor(data, env);

  const result = configSchema.safeParse(data, { error: humanError });
  if (!result.success) findings.push(...fromIssues(result.error.issues, fromEnv.origins));
  if (findings.length === 0 && result.success) return camelize(result.data);

  const secrets = [...files.secrets, ...(env.SUPERVISOR_TOKEN ? [env.SUPERVISOR_TOKEN] : [])].sort((a, b) => b.length - a.length);
  const problems = findings.map((f): ConfigProblem => {
    const at = f.fromEnv ? undefined : options.locate?.(f.path);
    return { path: scrub(formatPath(f.path), secrets), message: scrub(f.message, secrets), ...(at ? { line: at.line, column: at.column } : {}) };
  });
  // problems without a position (environment, whole file) first, then in the file's order
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new ConfigError(problems, options.file);
}
