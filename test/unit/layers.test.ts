/**
 * The backend's layers point one way (README "Architecture"): each folder of server/src may import
 * only the folders listed for it here, and the card takes from the backend only the import-free
 * statistic ids and the API protocol. A new import across layers fails here, with the file named.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const serverSrc = join(root, "server/src");

/** Layer → the layers it may import. The top (service, app, api, cli, addon) may import anything below. */
const ALLOWED: Record<string, readonly string[]> = {
  time: [],
  store: [],
  "package-root": [],
  "stack-traces": [],
  correlate: ["store"],
  bill: ["store", "time"],
  statistics: ["correlate", "store", "time"],
  ha: ["statistics", "store", "time"],
  providers: ["time"],
  config: ["providers"],
  log: ["config"],
  simulate: ["correlate", "providers", "time"],
  sync: ["config", "correlate", "ha", "providers", "statistics", "store", "time", "log"],
};
const TOP = new Set(["service", "app", "api", "cli", "addon"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.ts$/.test(entry) ? [path] : [];
  });
}

/** The relative imports of a file (static, dynamic and `export … from`), resolved to paths. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

function layerOf(path: string): string {
  return relative(serverSrc, path).split("/")[0]!.replace(/\.(ts|js)$/, "");
}

test("every import between the backend's layers points down", () => {
  const wrong: string[] = [];
  for (const file of filesUnder(serverSrc)) {
    const from = layerOf(file);
    if (TOP.has(from)) continue;
    const allowed = ALLOWED[from];
    assert.ok(allowed, `server/src/${from} has no place in the layer table of test/unit/layers.test.ts: add it`);
    for (const target of relativeImports(file)) {
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to)) wrong.push(`${relative(root, file)} imports ${relative(root, target)} (${from} → ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("the layer table itself has no cycle", () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (layer: string, path: string[]): void => {
    if (done.has(layer)) return;
    assert.ok(!visiting.has(layer), `cycle: ${[...path, layer].join(" → ")}`);
    visiting.add(layer);
    for (const next of ALLOWED[layer] ?? []) visit(next, [...path, layer]);
    visiting.delete(layer);
    done.add(layer);
  };
  for (const layer of Object.keys(ALLOWED)) visit(layer, []);
});

test("the card takes from the backend only the statistic ids and the API protocol", () => {
  const allowed = new Set(["server/src/statistics/ids.js", "server/src/api/protocol.js"]);
  const wrong: string[] = [];
  for (const file of filesUnder(join(root, "card/src"))) {
    for (const target of relativeImports(file)) {
      const rel = relative(root, target);
      if (rel.startsWith("server/") && !allowed.has(rel)) wrong.push(`${relative(root, file)} imports ${rel}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("the checks above see real imports (a layer that imports a lower one is found)", () => {
  const collector = join(serverSrc, "sync/power-collector.ts");
  const layers = new Set(relativeImports(collector).map(layerOf));
  assert.ok(layers.has("correlate") && layers.has("ha"), [...layers].join(", "));
});
