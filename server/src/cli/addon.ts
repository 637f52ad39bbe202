import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFromAddonOptions } from "../addon/options.js";

/**
 * Turns the add-on's options (written by the Supervisor) into the backend's config file in the
 * data folder, readable by root only, and returns its path for `start --config`.
 */
export function prepareAddonConfig(optionsPath: string, dataDir: string): string {
  let options: unknown;
  try {
    options = JSON.parse(readFileSync(optionsPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot read the add-on options at ${optionsPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new Error(`the add-on options at ${optionsPath} are not an object`);
  const path = join(dataDir, "energy-insights.addon.json");
  writeFileSync(path, JSON.stringify(configFromAddonOptions(options as Record<string, unknown>, dataDir), null, 2), { mode: 0o600 });
  return path;
}
