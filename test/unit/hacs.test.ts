import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");

test("HACS: hacs.json has only accepted keys, names the file the build makes, README has an image, the licence is MIT", () => {
  const hacs = JSON.parse(read("hacs.json")) as Record<string, unknown>;
  const accepted = ["name", "content_in_root", "filename", "homeassistant", "hacs", "hide_default_branch", "country", "render_readme", "zip_release", "persistent_directory"];
  for (const key of Object.keys(hacs)) assert.ok(accepted.includes(key), `hacs.json key ${key} is not accepted by HACS`);
  assert.equal(typeof hacs.name, "string");
  assert.equal(hacs.filename, "energy-insights-card.js");
  assert.match(read("rollup.config.js"), /dist\/energy-insights-card\.js/);
  assert.match(read("README.md"), /!\[[^\]]*\]\((?!https:\/\/img\.shields)[^)]+\)|<img /);
  assert.match(read("LICENSE"), /^MIT License|^The MIT License/);
  assert.equal((JSON.parse(read("package.json")) as { license: string }).license, "MIT");
});
