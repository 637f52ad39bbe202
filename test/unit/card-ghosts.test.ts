import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bucket } from "../../card/src/chart/buckets.js";
import { ghostValues, niceTop, stackedMax, withGhosts } from "../../card/src/chart/ghosts.js";
import type { ApexOptions } from "../../card/src/chart/options.js";

const b = (start: number, free: number, paid: number, total = false): Bucket => ({
  start,
  end: start + 1,
  free,
  paid,
  cost: null,
  ...(total ? { total: { kind: "day" as const, start, end: start + 24, free, paid, cost: null } } : {}),
});
const format = { energy: (kwh: number) => `${kwh} kWh` };
const tooltip = ({ dataPointIndex }: { dataPointIndex: number }) => `<div class="ei-tt">column ${dataPointIndex}</div>`;

test("ghost values: free + paid per slot, gaps where there is no compared column or only a total", () => {
  assert.deepEqual(ghostValues([b(0, 1.23456, 2), null, b(2, 0, 0), b(3, 5, 5, true)]), [3.235, null, 0, null]);
});

test("stacked columns and a cost line: the ghost area goes last, on the energy axis, faint and thin, with a tooltip row", () => {
  const options: ApexOptions = {
    series: [
      { name: "Free", type: "bar", data: [1, 2] },
      { name: "Paid", type: "bar", data: [3, 4] },
      { name: "Cost", type: "line", data: [0.5, 0.6] },
    ],
    chart: { stacked: true },
    colors: ["#0f0", "#f00", "#00f"],
    stroke: { width: [0, 0, 2], curve: "straight" },
    fill: { opacity: 1 },
    yaxis: [{ seriesName: ["Free", "Paid"] }, { seriesName: "Cost", opposite: true }],
    tooltip: { custom: tooltip },
  };
  const out = withGhosts(options, { ghosts: [b(0, 1, 1), null], name: "Previous period", color: "#888", format });
  const series = out.series as { name: string; type: string; data: unknown[] }[];
  assert.deepEqual(series.map((s) => s.type), ["bar", "bar", "line", "area"]);
  assert.deepEqual(series[3], { name: "Previous period", type: "area", data: [2, null] });
  assert.deepEqual(out.colors, ["#0f0", "#f00", "#00f", "#888"]);
  assert.deepEqual(out.stroke?.width, [0, 0, 2, 1.5]);
  assert.deepEqual(out.stroke?.dashArray, [0, 0, 0, 3]);
  assert.deepEqual(out.fill?.opacity, [1, 1, 1, 0.18]);
  const axes = out.yaxis as { seriesName: string | string[] }[];
  assert.deepEqual(axes[0]?.seriesName, ["Free", "Paid", "Previous period"]);
  // Stacked: the top is set from the highest stack (2 + 4 = 6) or ghost, so ApexCharts does not stack the ghosts on it.
  assert.equal((axes[0] as { max?: number }).max, 8);
  assert.equal(axes[1]?.seriesName, "Cost");
  const custom = out.tooltip?.custom as typeof tooltip;
  assert.match(custom({ dataPointIndex: 0 }), /^<div class="ei-tt">column 0<div class="ei-tt-row" data-ghost>.*Previous period.*2 kWh<\/span><\/div><\/div>$/);
  assert.equal(custom({ dataPointIndex: 1 }), tooltip({ dataPointIndex: 1 }), "no row where there is no ghost");
  // The options given are not changed.
  assert.equal((options.series as unknown[]).length, 3);
});

test("the merged hourly series (points with x): the ghosts are points too; a single y axis stays one object", () => {
  const options: ApexOptions = {
    series: [{ name: "Total", type: "bar", data: [{ x: "0", y: 1, fillColor: "#0f0" }, { x: "1", y: 2, fillColor: "#f00" }] }],
    stroke: { width: 0 },
    yaxis: { seriesName: ["Total"] },
  };
  const out = withGhosts(options, { ghosts: [null, b(1, 0, 4)], name: "Same period last year", color: "#888", format });
  assert.deepEqual((out.series as { data: unknown[] }[])[1]?.data, [{ x: "0", y: null }, { x: "1", y: 4 }]);
  assert.deepEqual(out.stroke?.width, [0, 1.5]);
  assert.deepEqual((out.yaxis as { seriesName: string[] }).seriesName, ["Total", "Same period last year"]);
});

test("the axis top: the highest stack or ghost, on a nice scale", () => {
  assert.equal(stackedMax([{ name: "a", type: "bar", data: [1, 2] }, { name: "b", type: "bar", data: [{ x: "0", y: 3 }, { x: "1", y: null }] }, { name: "c", type: "line", data: [100, 100] }]), 4);
  assert.deepEqual([15.2, 20, 0.7, 4.1, 130, 0].map((v) => niceTop(v, 4)), [20, 20, 0.8, 8, 200, 4]);
});
