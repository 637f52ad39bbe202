/**
 * ApexCharts is pinned to exactly 4.7.0, the last release whose every licence statement is MIT:
 * from 5.1 its licence needs a paid OEM licence for a product like a HACS card, and the 5.0.0
 * tarball already ships that dual licence as its LICENSE file (while its package.json says MIT).
 * This fails if anything else gets installed. (Read through the test server, which serves the
 * installed node_modules the card is built from.)
 */
import { expect } from "@open-wc/testing";
import { describe, it } from "./helpers/mocha.js";

describe("ApexCharts licence", () => {
  it("the installed apexcharts is exactly 4.7.0 and its package.json licence is MIT", async () => {
    const response = await fetch("/node_modules/apexcharts/package.json");
    expect(response.ok, "apexcharts/package.json is readable").to.equal(true);
    const pkg = (await response.json()) as { version?: string; license?: string };
    expect(pkg.version).to.equal("4.7.0");
    expect(pkg.license).to.equal("MIT");
  });

  it("its LICENSE file is the MIT licence text", async () => {
    const response = await fetch("/node_modules/apexcharts/LICENSE");
    expect(response.ok, "apexcharts/LICENSE is readable").to.equal(true);
    const text = await response.text();
    expect(text.trimStart().startsWith("The MIT License")).to.equal(true);
    expect(text).to.not.match(/dual-license|Commercial License|OEM/i);
  });

  it("the ES module the card bundles says the same in its header", async () => {
    const source = await (await fetch("/node_modules/apexcharts/dist/apexcharts.esm.js")).text();
    const header = source.slice(0, 200);
    expect(header).to.contain("ApexCharts v4.7.0");
    expect(header).to.contain("Released under the MIT License");
  });
});
