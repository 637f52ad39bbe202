#!/usr/bin/env node
// Entry point of the `energy-insights` command. It runs the compiled backend (dist/server, made by
// `npm run build`; the npm package, the Docker image and the add-on ship only that). In a checkout
// whose TypeScript sources are newer than that build, or that has not been built, or with
// ENERGY_INSIGHTS_FROM_SOURCES=1, it runs the sources through tsx instead: a checkout never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";

const compiled = new URL("../dist/server/main.js", import.meta.url);
const built = new URL("../dist/server/BUILT", import.meta.url);
const sources = new URL("../server/src/", import.meta.url);

/** The newest modification time of the files under a folder. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) latest = Math.max(latest, newest(new URL(`${entry.name}/`, dir)));
    else latest = Math.max(latest, statSync(new URL(entry.name, dir)).mtimeMs);
  }
  return latest;
}

function runCompiled() {
  if (process.env.ENERGY_INSIGHTS_FROM_SOURCES === "1" || !existsSync(compiled)) return !existsSync(sources);
  return !existsSync(sources) || statSync(built, { throwIfNoEntry: false })?.mtimeMs >= newest(sources);
}

let main;
if (runCompiled()) ({ main } = await import(compiled.href));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(new URL("cli/main.ts", sources).href));
}
process.exitCode = await main(process.argv.slice(2));
