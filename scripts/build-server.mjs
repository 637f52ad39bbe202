#!/usr/bin/env node
// The backend's production build: server/src bundled by esbuild into dist/server (ES modules, one
// chunk per lazily loaded command). One bundle instead of hundreds of module files is what makes
// `energy-insights --help` and `health` start in a fraction of the time (figures in `npm run bench`;
// minified, so V8 has less to parse), and the package needs no dependency installed but
// better-sqlite3: the Docker image and the add-on carry neither a TypeScript compiler nor zod & co. better-sqlite3 stays outside (native
// code); tsx stays outside (only the demo, which runs from a checkout, loads it). Source maps without
// the sources: a stack trace names the .ts file and line.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({ options: { outdir: { type: "string" } } });
const outdir = values.outdir ? resolve(values.outdir) : `${root}dist/server`;

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: "server/src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "tsx"],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: "eof",
  logLevel: "warning",
  metafile: true,
  // Bundled CommonJS packages (pino, ws, commander…) call require() for Node's own modules.
  banner: { js: 'import { createRequire as __eiRequire } from "node:module"; const require = __eiRequire(import.meta.url);' },
});
// The bundle carries its dependencies' code (the package needs only better-sqlite3 installed), so it
// carries their licences too: one file with each bundled package's name, version and licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m && !packages.has(m[2])) packages.set(m[2], `${root}${m[1]}`);
}
const notices = [...packages.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(`${dir}/${file}`, "utf8").trim() : `${pkg.license ?? "see the package"} (no licence file in the package)`;
  return `${name} ${pkg.version} (${pkg.license ?? "unknown"})\n\n${text}\n`;
});
if (notices.length === 0 || !existsSync(`${outdir}/main.js`)) throw new Error("the backend build found nothing to bundle");
writeFileSync(`${outdir}/THIRD_PARTY_LICENSES.txt`, `Energy Insights' compiled backend bundles code of these packages:\n\n${notices.join("\n" + "-".repeat(72) + "\n\n")}`);
// bin/energy-insights.js runs this build only while it is newer than every source file.
writeFileSync(`${outdir}/BUILT`, `${new Date().toISOString()}\n`);
