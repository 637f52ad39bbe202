/**
 * chart/apex-speedups.ts wraps parts of ApexCharts' prototypes to skip DOM work whose answer is
 * known or unused. It must not change what is drawn: the same chart drawn without them (first, before
 * any chart of this page has them) and with them has the same texts, lines and positions, multi-line
 * labels included; and with them, svg.js no longer reads a computed style for each single-line text,
 * short y labels are not measured, and the x labels are measured together (one layout).
 */
import ApexCharts from "apexcharts";
import { expect } from "@open-wc/testing";
import { applyApexSpeedups, surelyFits } from "../../card/src/chart/apex-speedups.js";
import type { ApexOptions } from "../../card/src/chart/options.js";
import { afterEach, describe, it } from "./helpers/mocha.js";

const days = Array.from({ length: 35 }, (_, i) => (i % 7 === 0 ? `${i + 1} Mar` : ""));

function options(): ApexOptions {
  return {
    chart: { type: "bar", height: 240, stacked: true, animations: { enabled: false }, toolbar: { show: false } },
    series: [
      { name: "free", type: "bar", data: days.map((_, i) => (i % 3) + 1) },
      { name: "paid", type: "bar", data: days.map((_, i) => (i % 5) + 2) },
      { name: "cost", type: "line", data: days.map((_, i) => i / 2) },
    ],
    // A two-line label (an array: one tspan per line, the second placed by svg.js from the font size).
    xaxis: { type: "category", categories: [["Sun", "1 Mar"], ...days.slice(1)], labels: { rotate: 0, hideOverlappingLabels: true } },
    yaxis: [
      { seriesName: ["free", "paid"], min: 0, tickAmount: 4, title: { text: "kWh" } },
      // Labels too long for the axis' maxWidth (160 px): shortened with "...", measured with or without.
      { seriesName: "cost", opposite: true, min: 0, tickAmount: 4, labels: { formatter: (v: number) => `${v.toFixed(1)} in a label far too long for the axis` } },
    ],
    dataLabels: { enabled: false },
    legend: { show: false },
  };
}

/** Every text ApexCharts drew, with its position and its lines'. */
function texts(host: HTMLElement): string[] {
  return [...host.querySelectorAll("text")].map((t) => {
    const attrs = ["x", "y", "dy", "transform", "font-size", "text-anchor"].map((a) => `${a}=${t.getAttribute(a)}`).join(" ");
    const lines = [...t.querySelectorAll("tspan")].map((s) => `[${s.textContent} x=${s.getAttribute("x")} dy=${s.getAttribute("dy")}]`).join("");
    return `${t.getAttribute("class")} ${attrs} "${t.textContent}" ${lines}`;
  });
}

/** Draws a chart in a new element of fixed size; counts getComputedStyle calls, and which texts were measured (getBBox), during the render. */
async function draw(speedUp: boolean): Promise<{ texts: string[]; styleReads: number; energyLabelsMeasured: number; measuredTogether: number }> {
  const host = document.createElement("div");
  host.style.width = "700px";
  document.body.appendChild(host);
  const chart = new ApexCharts(host, options());
  if (speedUp) applyApexSpeedups(chart);
  const original = window.getComputedStyle;
  const getBBox = SVGGraphicsElement.prototype.getBBox;
  let styleReads = 0;
  const measured: string[] = [];
  // The most hidden measuring texts (drawn at -200,-200) in the chart at one measurement.
  let measuredTogether = 0;
  window.getComputedStyle = function (this: Window, ...args: Parameters<typeof getComputedStyle>) {
    styleReads += 1;
    return original.apply(this, args);
  };
  SVGGraphicsElement.prototype.getBBox = function (this: SVGGraphicsElement, ...args: Parameters<typeof getBBox>) {
    measured.push(this.textContent ?? "");
    measuredTogether = Math.max(measuredTogether, host.querySelectorAll('text[x="-200"]').length);
    return getBBox.apply(this, args);
  };
  try {
    await chart.render();
  } finally {
    window.getComputedStyle = original;
    SVGGraphicsElement.prototype.getBBox = getBBox;
  }
  const energyLabels = new Set([...host.querySelectorAll(".apexcharts-yaxis[rel='0'] .apexcharts-yaxis-label tspan")].map((t) => t.textContent ?? ""));
  const result = { texts: texts(host), styleReads, energyLabelsMeasured: measured.filter((t) => energyLabels.has(t)).length, measuredTogether };
  chart.destroy();
  host.remove();
  return result;
}

describe("ApexCharts speed-ups", () => {
  afterEach(() => document.body.replaceChildren());

  it("draw the same texts in the same places, a two-line label's second line and shortened labels included, with fewer style and box reads and the x labels measured together", async () => {
    const plain = await draw(false);
    const fast = await draw(true);
    const twoLine = plain.texts.find((t) => t.includes("[Sun") && t.includes("[1 Mar"));
    expect(twoLine, "the two-line label is drawn as two lines").to.be.a("string");
    // svg.js placed the second line below the first from its font size.
    expect(twoLine).to.match(/\[1 Mar x=\S+ dy=\d/);
    expect(plain.texts.some((t) => t.includes("...")), "a cost label is shortened").to.equal(true);
    expect(fast.texts).to.deep.equal(plain.texts);
    // One read per line of each text, three times per axis label without; with, only the two-line label's.
    expect(plain.styleReads).to.be.greaterThan(50);
    expect(fast.styleReads).to.be.lessThan(plain.styleReads / 4);
    // The energy axis' five short labels: each measured when drawn without; with, only its widest, once, to size the axis.
    expect(plain.energyLabelsMeasured).to.be.at.least(5);
    expect(fast.energyLabelsMeasured).to.be.at.most(1);
    // Without, one text at a time (a layout each); with, the x-axis' four one-line labels together.
    expect(plain.measuredTogether).to.equal(1);
    expect(fast.measuredTogether).to.be.at.least(4);
  });

  it("a label surely fits its width only when its characters at 1.5 em each do, in a px font size", () => {
    expect(surelyFits("12.5", 160, "11px")).to.equal(true);
    expect(surelyFits("NZ$1,234.56", 160, "11px")).to.equal(false); // 11 characters × 16.5 px = 181.5 px > 160: measured
    expect(surelyFits("x".repeat(9), 160, "11px")).to.equal(true);
    expect(surelyFits("x".repeat(10), 160, "11px")).to.equal(false);
    expect(surelyFits("12", 160, "0.8rem")).to.equal(false);
    expect(surelyFits("12", undefined, "11px")).to.equal(false);
    expect(surelyFits(["12"], 160, "11px")).to.equal(false);
  });
});
