/**
 * The production build (issue 19): the compiled backend is what bin/, the npm package, the Docker
 * image and the add-on run, so what they copy or load must be what the build writes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

function buildInto(): string {
  const out = join(mkdtempSync(join(tmpdir(), "ei-build-")), "server");
  const res = spawnSync(process.execPath, [join(root, "scripts/build-server.mjs"), "--outdir", out], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  return out;
}

test("the backend build writes the entry bin/ loads, source maps that name the TypeScript files, and no compiler", async () => {
  const out = buildInto();
  const bin = readFileSync(join(root, "bin/energy-insights.js"), "utf8");
  assert.match(bin, /new URL\("\.\.\/dist\/server\/main\.js", import\.meta\.url\)/, "bin/ loads dist/server/main.js");
  assert.doesNotMatch(bin, /setSourceMapsEnabled\(true\)|enable-source-maps/, "Node's source maps stay off: they would keep every chunk's map in memory");
  assert.ok(existsSync(join(out, "main.js")), "the build writes main.js");
  assert.ok(existsSync(join(out, "BUILT")), "the build stamps itself (bin/ compares it with the sources)");
  const map = JSON.parse(readFileSync(join(out, "main.js.map"), "utf8")) as { sources: string[] };
  assert.ok(map.sources.some((s) => s.endsWith("server/src/cli/main.ts")), "the map names the .ts sources");
  const code = readdirSync(out).filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(out, f), "utf8")).join("\n");
  assert.ok(!/from\s*"(tsx|esbuild|typescript)["/]/.test(code), "no compiler is imported statically");
  assert.ok(/from\s*"better-sqlite3"/.test(code), "better-sqlite3 (native code) is imported from node_modules, not bundled");
  // Every other package is inside the bundle: the npm package depends on better-sqlite3 alone.
  const bare = new Set([...code.matchAll(/(?:from\s*|import\s*\(\s*|require\(\s*)"((?:@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9._/-]+)?)"/g)].map((m) => m[1]!).filter((s) => !s.startsWith("node:")));
  const builtins = new Set((await import("node:module")).builtinModules);
  assert.deepEqual([...bare].filter((s) => !builtins.has(s)).sort(), ["better-sqlite3", "tsx/esm/api"]);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  assert.deepEqual(Object.keys(pkg.dependencies), ["better-sqlite3"]);
  assert.match(readFileSync(join(out, "THIRD_PARTY_LICENSES.txt"), "utf8"), /^zod \d+\.\d+\.\d+ \(MIT\)$/m, "the bundled packages' licences ship with it");
});

test("a stack trace from the compiled backend names the .ts line, with Node's source maps off (read when the stack is printed)", () => {
  const out = buildInto();
  // A config file that cannot be read as YAML fails inside the config loader; print its stack.
  const script = join(out, "..", "trace.mjs");
  writeFileSync(
    script,
    `if (process.sourceMapsEnabled) throw new Error("source maps are on: this test is about the backend's own translation");
const { main } = await import(${JSON.stringify(join(out, "main.js"))});
const orig = console.error;
console.error = (...a) => orig(...a, new Error("where").stack);
process.exitCode = await main(["health", "--config", "/nonexistent/energy-insights.yaml"]);`,
  );
  const res = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.match(res.stderr, /server\/src\/cli\/main\.ts:\d+/, res.stderr);
});

/** The Dockerfile's COPY lines: sources from the build context, or from an earlier stage. */
function dockerCopies(file: string): { from?: string; src: string[] }[] {
  return readFileSync(join(root, file), "utf8")
    .split("\n")
    .filter((l) => /^COPY\s/.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((w) => !w.startsWith("--"));
      return { ...(from ? { from } : {}), src: paths.slice(0, -1) };
    });
}

test("the Docker image copies the compiled backend from its build stage, and only what exists in the context", () => {
  const copies = dockerCopies("Dockerfile");
  const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
  for (const c of copies.filter((c) => !c.from)) {
    for (const src of c.src) {
      if (src === ".") continue;
      assert.ok(existsSync(join(root, src)), `COPY ${src}: exists in the build context`);
      assert.ok(!ignored.some((i) => src === i || src.startsWith(`${i}/`)), `COPY ${src}: not excluded by .dockerignore`);
    }
  }
  const fromBuild = copies.filter((c) => c.from === "build").flatMap((c) => c.src);
  assert.deepEqual(fromBuild, ["/src/dist/server"], "the runtime stage takes the compiled backend");
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  assert.match(dockerfile, /RUN node scripts\/build-server\.mjs/, "the build stage runs the backend build");
  assert.match(dockerfile, /npm ci --omit=dev/, "the runtime stage has production dependencies only");
  assert.doesNotMatch(dockerfile.split(/^FROM /m).at(-1)!, /COPY server\b/, "no TypeScript sources in the image");
});

test("the npm package (and so the add-on, which installs it) ships the compiled backend, not the sources, and no compiler as a dependency", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[]; dependencies: Record<string, string>; scripts: Record<string, string> };
  assert.ok(pkg.files.includes("dist/server/"));
  assert.ok(!pkg.files.some((f) => f.startsWith("server/")), "no TypeScript sources in the package");
  for (const compiler of ["tsx", "esbuild", "typescript"]) assert.ok(!(compiler in pkg.dependencies), `${compiler} is not a production dependency`);
  assert.match(pkg.scripts.build!, /scripts\/build-server\.mjs/);
  assert.match(pkg.scripts.prepack!, /npm run build/, "npm pack builds first");
  assert.match(readFileSync(join(root, "addon/Dockerfile"), "utf8"), /npm install --global --omit=dev "energy-insights@/, "the add-on installs the package");
});

test("the Docker image, the add-on and npm start run the service with the node flags the bench measures", async () => {
  const { SERVICE_NODE_FLAGS } = await import("../bench/footprint.js");
  const flags = SERVICE_NODE_FLAGS.join(" ");
  const cmd = /^CMD \[(.*)\]$/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"))?.[1];
  assert.deepEqual(JSON.parse(`[${cmd}]`), ["node", ...SERVICE_NODE_FLAGS, "bin/energy-insights.js", "start"], "Dockerfile CMD");
  const runSh = readFileSync(join(root, "addon/run.sh"), "utf8");
  assert.ok(runSh.includes(`exec node ${flags} "\${ENERGY_INSIGHTS:-$(command -v energy-insights)}" addon`), "add-on run.sh runs node with the flags");
  assert.doesNotMatch(runSh, /NODE_OPTIONS=.*--(single-threaded|optimize-for-size|no-opt)/, "V8 flags that node refuses in NODE_OPTIONS");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${flags} bin/energy-insights.js start`);
  const accepted = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, "-e", "process.exit(0)"], { encoding: "utf8" });
  assert.equal(accepted.status, 0, `node accepts ${flags}: ${accepted.stderr}`);
});
