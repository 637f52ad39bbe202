import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CARD_VERSION } from "../../card/src/const.js";
import { getConfigForm } from "../../card/src/energy-insights-card-editor.js";

test("the card, its editor and the package show one version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal(CARD_VERSION, pkg.version);
  assert.equal(getConfigForm().computeHelper?.({ name: "title" }), `Energy Insights card ${pkg.version}`);
  assert.match(readFileSync(new URL("../../CHANGELOG.md", import.meta.url), "utf8"), new RegExp(`## ${pkg.version.replace(/\./g, "\\.")}`));
});
