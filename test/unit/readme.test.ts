import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { withReference } from "../../scripts/config-reference.js";

test("the README's configuration reference matches the config schema (run npm run docs)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.equal(withReference(readme), readme);
  assert.match(readme, /npm install && npm run demo/);
  assert.match(readme, /npm install && npm test/);
});
