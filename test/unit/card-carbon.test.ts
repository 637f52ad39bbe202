import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bucket } from "../../card/src/chart/buckets.js";
import {
  bandColor,
  bandLevels,
  carbonSeries,
  carbonTotals,
  carbonTooltipRows,
  cleanestBands,
  cleanestHours,
  intensityBands,
  signalOf,
  withCarbon,
  withCarbonBuckets,
  type CarbonDrawInput,
} from "../../card/src/chart/carbon.js";
import { emissionsIdFor, pickIntensity } from "../../card/src/data/carbon.js";
import type { StatisticsMetaData } from "../../card/src/data/recorder.js";

// The card's carbon overlay, pure parts: statistics lined up with the chart's buckets, the cleanest
// forecast hours, the bands' levels and positions, and the options the overlay adds.

const H = 3_600_000;
const T0 = Date.parse("2026-04-06T00:00:00Z");
const bucket = (i: number, free = 0, paid = 1): Bucket => ({ start: T0 + i * H, end: T0 + (i + 1) * H, free, paid, cost: null });
const INTENSITY = "energy_insights:electricity_maps_nz_carbon_intensity";
const EMISSIONS = "energy_insights:contact_1_emissions";
const row = (i: number, value: { mean?: number; change?: number }) => ({ start: T0 + i * H, end: T0 + (i + 1) * H, ...value });

test("card carbon: the percentile is told by its unit, else by its id", () => {
  assert.equal(signalOf("energy_insights:watttime_caiso_north_signal_index", "%"), "percentile");
  assert.equal(signalOf(INTENSITY, "gCO2eq/kWh"), "intensity");
  assert.equal(signalOf("energy_insights:watttime_caiso_north_signal_index", null), "percentile");
  assert.equal(signalOf(INTENSITY, undefined), "intensity");
});

test("card carbon: intensity-only hours and forecast hours become buckets without energy; values line up", () => {
  const energy = [bucket(0), bucket(1)];
  const stats = { [INTENSITY]: [row(0, { mean: 100 }), row(1, { mean: 120 }), row(2, { mean: 90 })], [EMISSIONS]: [row(0, { change: 0.1 }), row(1, { change: 0.12 })] };
  const forecast = [
    { start: T0 + 2 * H, intensity: 999 }, // already measured: the measurement wins
    { start: T0 + 3 * H, intensity: 80 },
    { start: T0 + 4 * H, intensity: 70 },
  ];
  const ids = { intensity: INTENSITY, emissions: EMISSIONS };
  const buckets = withCarbonBuckets(energy, stats, ids, forecast);
  assert.deepEqual(buckets.map((b) => (b.start - T0) / H), [0, 1, 2, 3, 4]);
  assert.deepEqual(buckets.slice(2).map((b) => b.free + b.paid), [0, 0, 0]);
  const series = carbonSeries(buckets, stats, ids, "intensity", forecast);
  assert.deepEqual(series.intensity, [100, 120, 90, 80, 70]);
  assert.deepEqual(series.emissions, [0.1, 0.12, null, null, null]);
  assert.deepEqual(series.forecast, [false, false, false, true, true]);
  const totals = carbonTotals(series);
  assert.ok(Math.abs(totals.emissions! - 0.22) < 1e-12);
  assert.ok(Math.abs(totals.meanIntensity! - (100 + 120 + 90) / 3) < 1e-12, "forecast hours are not in the mean");
  // Without carbon rows nothing is added.
  assert.deepEqual(withCarbonBuckets(energy, {}, ids), energy);
  assert.deepEqual(carbonTotals(carbonSeries(energy, {}, ids, "intensity")), { emissions: null, meanIntensity: null });
});

test("card carbon: the N cleanest hours of the next 24 h, as runs in time order", () => {
  const now = T0 + 30 * 60_000; // 00:30: the current hour counts
  const values = [50, 20, 20, 90, 10, 95, 30];
  const forecast = values.map((v, i) => ({ start: T0 + i * H, intensity: v }));
  assert.deepEqual(cleanestHours(forecast, now, 3), [
    { start: T0 + H, end: T0 + 3 * H },
    { start: T0 + 4 * H, end: T0 + 5 * H },
  ]);
  assert.deepEqual(cleanestHours(forecast, now, 1), [{ start: T0 + 4 * H, end: T0 + 5 * H }]);
  assert.deepEqual(cleanestHours(forecast, now, 0), []);
  // Hours already over and hours past the horizon are never chosen.
  assert.deepEqual(cleanestHours(forecast, T0 + 5 * H, 2), [{ start: T0 + 5 * H, end: T0 + 7 * H }]);
  assert.deepEqual(cleanestHours(forecast, now, 2, 2 * H), [{ start: T0 + H, end: T0 + 3 * H }]);
  // A tie goes to the earlier hour.
  assert.deepEqual(cleanestHours([{ start: T0 + 2 * H, intensity: 5 }, { start: T0 + H, intensity: 5 }], now, 1), [{ start: T0 + H, end: T0 + 2 * H }]);
});

test("card carbon: band levels are relative to the shown range; neighbours of one level share a rectangle", () => {
  assert.deepEqual(bandLevels([100, 200, 150, null, 101]), [0, 4, 2, null, 0]);
  assert.deepEqual(bandLevels([7, 7]), [0, 0]);
  assert.deepEqual(bandLevels([null]), [null]);
  const bands = intensityBands([100, 101, 200, 200, null, 100], 600);
  assert.deepEqual(
    bands.map((b) => [b.x, b.x2, b.fillColor]),
    [
      ["0px", "200px", bandColor(0)],
      ["200px", "400px", bandColor(4)],
      ["500px", "600px", bandColor(0)],
    ],
  );
  assert.equal(bandColor(0), "hsl(120, 75%, 45%)");
  assert.equal(bandColor(4), "hsl(0, 75%, 45%)");
  assert.deepEqual(intensityBands([1, 2], 0), [], "no width yet: nothing placed");
});

test("card carbon: cleanest highlights sit on the buckets of their hours", () => {
  const buckets = [0, 1, 2, 3, 4].map((i) => bucket(i));
  const marks = cleanestBands(buckets, [{ start: T0 + H, end: T0 + 3 * H }, { start: T0 + 9 * H, end: T0 + 10 * H }], 500);
  assert.deepEqual(marks.map((m) => [m.x, m.x2, m.id]), [["100px", "300px", "ei-cleanest"]]);
});

function drawInput(overlay: CarbonDrawInput["overlay"], signal: "intensity" | "percentile" = "intensity"): CarbonDrawInput {
  return {
    series: { signal, intensity: [100.04, null, 50], emissions: [0.2, null, 0.1], forecast: [false, false, true] },
    overlay,
    name: signal === "percentile" ? "Carbon signal (percentile)" : "Carbon intensity",
    unitLabel: signal === "percentile" ? "percentile (%)" : "gCO2eq/kWh",
    color: "#8E24AA",
    axisLabelColor: "#777",
    width: 300,
    highlights: [],
    format: { intensity: (v) => (signal === "percentile" ? `${v} %` : `${v} g`), emissions: (kg) => `${kg} kg` },
    names: { intensity: "Carbon intensity", emissions: "Emissions", forecast: "forecast" },
  };
}

test("card carbon: the line goes on its own right-hand axis, in the bars' data form, after the cost line", () => {
  const base = {
    series: [
      { name: "Total", type: "bar", data: [{ x: "0", y: 1 }, { x: "1", y: 2 }, { x: "2", y: 3 }] },
      { name: "Cost", type: "line", data: [{ x: "0", y: 0.3 }, { x: "1", y: 0.6 }, { x: "2", y: 0.9 }] },
    ],
    stroke: { width: [0, 2], curve: "straight" as const },
    colors: ["#FEB019", "#00B8A9"],
    yaxis: [{ seriesName: ["Total"] }, { seriesName: "Cost", opposite: true }],
    tooltip: { custom: ({ dataPointIndex }: { dataPointIndex: number }) => `<div class="ei-tt"><div>bucket ${dataPointIndex}</div></div>` },
  };
  const out = withCarbon(base, drawInput("line"));
  const series = out.series as { name: string; type: string; data: unknown[] }[];
  assert.equal(series.length, 3);
  assert.deepEqual(series[2], { name: "Carbon intensity", type: "line", data: [{ x: "0", y: 100 }, { x: "1", y: null }, { x: "2", y: 50 }] });
  assert.deepEqual(out.stroke?.width, [0, 2, 2]);
  assert.deepEqual(out.colors, ["#FEB019", "#00B8A9", "#8E24AA"]);
  const axes = out.yaxis as { seriesName?: unknown; opposite?: boolean; title?: { text?: string }; max?: number }[];
  assert.equal(axes.length, 3);
  assert.equal(axes[2]!.seriesName, "Carbon intensity");
  assert.equal(axes[2]!.opposite, true);
  assert.equal(axes[2]!.title?.text, "gCO2eq/kWh");
  assert.equal(axes[2]!.max, undefined);
  const tooltip = (out.tooltip?.custom as (a: { dataPointIndex: number }) => string)({ dataPointIndex: 2 });
  assert.match(tooltip, /^<div class="ei-tt"><div>bucket 2<\/div>.*Emissions.*0\.1 kg.*Carbon intensity \(forecast\).*50 g.*<\/div>$/);
  assert.equal(base.series.length, 2, "the input options are not changed");

  // Plain numbers stay plain numbers; a single energy axis becomes a list.
  const plain = withCarbon({ series: [{ name: "Free", type: "bar", data: [1, 2, 3] }], stroke: { width: 0 }, colors: ["#1", "#2", "#3"], yaxis: { seriesName: ["Free"] } }, drawInput("line", "percentile"));
  assert.deepEqual((plain.series as { data: unknown[] }[])[1]!.data, [100, null, 50]);
  assert.deepEqual(plain.stroke?.width, [0, 2]);
  assert.deepEqual(plain.colors, ["#1", "#8E24AA"]);
  const pAxis = (plain.yaxis as { title?: { text?: string }; max?: number }[])[1]!;
  assert.equal(pAxis.title?.text, "percentile (%)");
  assert.equal(pAxis.max, 100);
});

test("card carbon: bands add rectangles and no series; none adds nothing to the chart but keeps the tooltip rows", () => {
  const base = { series: [{ name: "Free", type: "bar", data: [1, 2, 3] }], annotations: { xaxis: [{ x: "10px" }] } };
  const bands = withCarbon(base, drawInput("bands"));
  assert.equal((bands.series as unknown[]).length, 1);
  const xaxis = bands.annotations?.xaxis ?? [];
  assert.deepEqual(xaxis.map((a) => a.x), ["0px", "200px", "10px"], "bands behind, event marks kept");
  const none = withCarbon(base, drawInput("none"));
  assert.deepEqual(none.series, base.series);
  assert.deepEqual(none.annotations, base.annotations);
  assert.equal(carbonTooltipRows(drawInput("none"), 1), "");
  assert.match(carbonTooltipRows(drawInput("none", "percentile"), 0), /data-carbon="intensity".*100\.04 %/);
});

test("card carbon: the intensity statistic is found among HA's statistics; emissions sit beside the energy ids", () => {
  const meta = (statistic_id: string, source = "energy_insights"): StatisticsMetaData => ({ statistic_id, source });
  const rows = [meta("sensor.co2_intensity", "recorder"), meta("energy_insights:watttime_pjm_signal_index"), meta("energy_insights:watttime_caiso_north_carbon_intensity"), meta("energy_insights:contact_1_paid_energy")];
  assert.equal(pickIntensity(rows), "energy_insights:watttime_caiso_north_carbon_intensity", "gCO2eq/kWh before a percentile");
  assert.equal(pickIntensity(rows.slice(0, 2)), "energy_insights:watttime_pjm_signal_index");
  assert.equal(pickIntensity([meta("x:y_carbon_intensity", "x")]), undefined);
  assert.equal(emissionsIdFor({ paid_energy: "energy_insights:contact_0000012345abc_paid_energy" }), "energy_insights:contact_0000012345abc_emissions");
  assert.equal(emissionsIdFor({ free_energy: "energy_insights:onemeter_abc_free_energy" }), "energy_insights:onemeter_abc_emissions");
  assert.equal(emissionsIdFor({ paid_energy: "sensor.grid_energy" }), undefined);
  assert.equal(emissionsIdFor({}), undefined);
});
