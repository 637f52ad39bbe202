/**
 * Loading the configuration: find and read the YAML file, apply the environment, validate.
 * Synchronous and offline, so the CLI can stop with every problem before any network call.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from "yaml";
import { ConfigError, type ConfigProblem } from "./errors.js";
import type { EnergyInsightsConfig } from "./schema.js";
import { validateConfig } from "./validate.js";
import type { PathSegment } from "./walk.js";

export const DEFAULT_CONFIG_FILE = "energy-insights.yaml";
/** Path of the file when no `--config` is given. */
export const CONFIG_PATH_ENV = "ENERGY_INSIGHTS_CONFIG";

export interface LoadConfigOptions {
  /** From `--config`; wins over ENERGY_INSIGHTS_CONFIG. A given file must exist. */
  path?: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where relative paths start. Default: process.cwd(). */
  cwd?: string;
}

/**
 * Read the config file (`path`, else $ENERGY_INSIGHTS_CONFIG, else ./energy-insights.yaml), apply
 * `EI_…` variables over it, and validate. Without a file the environment alone may supply everything;
 * a file given explicitly must exist. Throws one ConfigError listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): EnergyInsightsConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const given = options.path ?? (env[CONFIG_PATH_ENV] || undefined);
  const file = resolve(cwd, given ?? DEFAULT_CONFIG_FILE);

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && given === undefined) return validateConfig({}, env, { cwd });
    const by = options.path !== undefined ? "--config" : CONFIG_PATH_ENV;
    const why = code === "ENOENT" ? "not found" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? "unknown error"})`;
    throw new ConfigError([{ path: "", message: `config file ${file} (from ${by}) ${why}` }], file);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map(syntaxProblem), file);
  return validateConfig(doc.toJS(), env, { cwd, file, locate: (path) => locate(doc, lineCounter, path) });
}

/**
 * Validate an already parsed config (e.g. from a test or another source) with `env` applied over it.
 * Throws one ConfigError listing every problem.
 */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, options: { cwd?: string } = {}): EnergyInsightsConfig {
  return validateConfig(raw, env, options);
}

/** The first line of yaml's message only: the rest quotes the file, which may hold a secret. */
function syntaxProblem(error: YAMLError): ConfigProblem {
  const what = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  const pos = error.linePos?.[0];
  return { path: "", message: `YAML syntax error: ${what}`, ...(pos ? { line: pos.line, column: pos.col } : {}) };
}

/** Where a path is in the file: the key itself, else the nearest enclosing entry (not the whole file). */
function locate(doc: Document, lines: LineCounter, path: readonly PathSegment[]): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (!item || !(isMap(item) || isSeq(item) || isScalar(item))) break;
      offset = item.range?.[0];
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
