// The card's by-device stack (card/src/chart/devices.ts) and device statistic discovery
// (card/src/data/devices.ts): pure, so tested here in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Bucket } from "../../card/src/chart/buckets.js";
import {
  DEVICE_PALETTE,
  OTHER_COLOR,
  UNTRACKED_COLOR,
  deviceChartOptions,
  deviceColors,
  deviceTooltipHtml,
  stackByDevice,
  type DeviceChartInput,
  type DeviceRows,
} from "../../card/src/chart/devices.js";
import { findDeviceStatistics } from "../../card/src/data/devices.js";

const H = 3_600_000;
const T0 = Date.parse("2026-04-06T00:00:00Z");

function whole(values: [number, number][]): Bucket[] {
  return values.map(([free, paid], i) => ({ start: T0 + i * H, end: T0 + (i + 1) * H, free, paid, cost: null }));
}

function device(id: string, values: (number | null)[], name = id): DeviceRows {
  return {
    statisticId: `energy_insights:device_${id}_energy`,
    name,
    rows: values.flatMap((v, i) => (v === null ? [] : [{ start: T0 + i * H, end: T0 + (i + 1) * H, change: v }])),
  };
}

const byKind = (stack: ReturnType<typeof stackByDevice>, kind: string) => stack.series.filter((s) => s.kind === kind);

test("untracked is whole home (free + paid) minus the devices, per hour", () => {
  const stack = stackByDevice(whole([[0, 2], [1, 0.5], [0, 0.4]]), [device("kettle", [0.5, 0.2, 0]), device("heater", [1, 0.3, 0.1])], { maxDevices: 4 });
  assert.deepEqual(stack.series.map((s) => [s.kind, s.name]), [["device", "heater"], ["device", "kettle"], ["untracked", ""]], "biggest device at the bottom, untracked on top");
  assert.deepEqual(stack.series[0]!.values, [1, 0.3, 0.1]);
  assert.deepEqual(stack.series[1]!.values, [0.5, 0.2, 0]);
  assert.deepEqual(byKind(stack, "untracked")[0]!.values, [0.5, 1, 0.3]);
  assert.deepEqual(stack.excess, [0, 0, 0]);
  assert.deepEqual(stack.metered, [true, true, true]);
  // Stacked, every column is the metered whole home again.
  stack.buckets.forEach((b, i) => {
    const drawn = stack.series.reduce((a, s) => a + s.values[i]!, 0);
    assert.ok(Math.abs(drawn - (b.free + b.paid)) < 1e-9, `hour ${i}: ${drawn} drawn, ${b.free + b.paid} metered`);
  });
});

test("devices above the whole home: untracked is 0 and the excess is kept for the tooltip", () => {
  const stack = stackByDevice(whole([[0, 1], [0, 1]]), [device("heater", [1.3, 1.0002])], { maxDevices: 4 });
  assert.deepEqual(byKind(stack, "untracked")[0]!.values, [0, 0]);
  assert.deepEqual(stack.excess, [0.3, 0], "0.3 kWh over in hour 0; 0.2 Wh is rounding, not excess");
  const input = chartInput(stack);
  const html = deviceTooltipHtml(input, 0);
  assert.match(html, /data-excess>Learned devices exceed the meter by 0\.3 kWh/);
  assert.doesNotMatch(deviceTooltipHtml(input, 1), /data-excess/);
});

test("hours with device energy but no meter row yet are columns of their own, unmetered", () => {
  const stack = stackByDevice(whole([[0, 1]]), [device("kettle", [0.2, 0.4, 0])], { maxDevices: 4 });
  assert.deepEqual(stack.buckets.map((b) => b.start), [T0, T0 + H], "hour 2 has only a 0: no column");
  assert.deepEqual(stack.metered, [true, false]);
  assert.deepEqual(byKind(stack, "untracked")[0]!.values, [0.8, 0], "unknown, not drawn");
  assert.deepEqual(stack.excess, [0, 0]);
  const html = deviceTooltipHtml(chartInput(stack), 1);
  assert.match(html, /data-unmetered/);
  assert.doesNotMatch(html, /Untracked/);
  assert.match(html, /kettle.*0\.4 kWh/);
});

test("many devices: the top N by energy in the range have a series, the rest are summed into other devices", () => {
  const devices = [5, 1, 4, 0.5, 3, 2, 0].map((kwh, i) => device(`d${i}`, [kwh / 2, kwh / 2]));
  const stack = stackByDevice(whole([[0, 10], [0, 10]]), devices, { maxDevices: 3 });
  assert.deepEqual(stack.series.map((s) => s.key), ["energy_insights:device_d0_energy", "energy_insights:device_d2_energy", "energy_insights:device_d4_energy", "other", "untracked"]);
  const other = byKind(stack, "other")[0]!;
  assert.deepEqual(other.values, [1.75, 1.75], "d5 + d1 + d3 = 3.5 kWh over two hours");
  assert.equal(other.color, OTHER_COLOR);
  assert.deepEqual(byKind(stack, "untracked")[0]!.values, [2.25, 2.25], "10 − 7.75 kWh each hour");
  assert.equal(stack.devices.length, 6, "the device without energy in the range is left out");
  // The tooltip names every device of the hour, the grouped ones in the colour of "other devices".
  const html = deviceTooltipHtml(chartInput(stack), 0);
  for (const name of ["d0", "d1", "d2", "d3", "d4", "d5"]) assert.match(html, new RegExp(`>${name}<`));
  assert.doesNotMatch(html, />d6</);
  assert.match(html, new RegExp(`background:${OTHER_COLOR}"></span><span class="ei-tt-name">d1<`));
  assert.equal(stack.series.at(-1)!.color, UNTRACKED_COLOR);
});

test("one device past N keeps its own series: grouping it would save nothing", () => {
  const stack = stackByDevice(whole([[0, 10]]), [device("a", [3]), device("b", [2]), device("c", [1])], { maxDevices: 2 });
  assert.deepEqual(stack.series.map((s) => s.kind), ["device", "device", "device", "untracked"]);
});

test("property: devices + untracked = whole home where metered and devices fit; no value below 0; top-N caps the series", () => {
  const hour = fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }));
  fc.assert(
    fc.property(
      fc.array(hour, { minLength: 1, maxLength: 30 }),
      fc.array(fc.array(fc.option(fc.double({ min: 0, max: 3, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 30 }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 5 }),
      (meter, devs, maxDevices) => {
        const stack = stackByDevice(whole(meter), devs.map((v, i) => device(`dev${i}`, v)), { maxDevices });
        assert.ok(stack.series.length <= maxDevices + 3, `${stack.series.length} series for maxDevices ${maxDevices}`);
        for (const s of stack.series) for (const v of s.values) assert.ok(v >= 0);
        stack.buckets.forEach((b, i) => {
          if (!stack.metered[i]) return;
          const devices = stack.devices.reduce((a, d) => a + d.values[i]!, 0);
          const untracked = stack.series.at(-1)!.values[i]!;
          const metered = b.free + b.paid;
          if (stack.excess[i]! > 0) assert.ok(Math.abs(devices - metered - stack.excess[i]!) < 0.0005 * (stack.devices.length + 2), "excess = devices − meter");
          else assert.ok(Math.abs(devices + untracked - metered) < 0.0005 * (stack.devices.length + 2), `hour ${i}: ${devices} + ${untracked} vs ${metered}`);
        });
      },
    ),
    { numRuns: 200 },
  );
});

test("device colours depend on the set of devices only, not on their order or energy", () => {
  const ids = ["energy_insights:device_switch_kettle_energy", "energy_insights:device_climate_heat_pump_energy", "energy_insights:device_light_lounge_energy"];
  const a = deviceColors(ids);
  const b = deviceColors([...ids].reverse());
  assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort());
  assert.equal(new Set(a.values()).size, 3, "distinct while the palette lasts");
  for (const c of a.values()) assert.ok((DEVICE_PALETTE as readonly string[]).includes(c));
  const many = deviceColors(Array.from({ length: DEVICE_PALETTE.length }, (_, i) => `energy_insights:device_d${i}_energy`));
  assert.equal(new Set(many.values()).size, DEVICE_PALETTE.length);
  // The same device keeps its colour whichever range ranks it first.
  const s1 = stackByDevice(whole([[0, 5]]), [device("switch_kettle", [2]), device("light_lounge", [1])], { maxDevices: 4 });
  const s2 = stackByDevice(whole([[0, 5]]), [device("switch_kettle", [1]), device("light_lounge", [2])], { maxDevices: 4 });
  const color = (s: typeof s1, key: string) => s.series.find((x) => x.key === key)!.color;
  assert.equal(color(s1, "energy_insights:device_switch_kettle_energy"), color(s2, "energy_insights:device_switch_kettle_energy"));
});

test("chart options: one stacked bar series per stack series, their colours, no cost axis, tooltip from the stack", () => {
  const stack = stackByDevice(whole([[0, 2], [1, 0]]), [device("kettle", [0.5, 0.2], "Kettle")], { maxDevices: 4 });
  const base = {
    chart: { type: "bar" as const, stacked: false, animations: { enabled: false } },
    yaxis: [{ seriesName: ["Total"], min: 0, title: { text: "kWh" } }, { seriesName: "Cost", opposite: true }],
    tooltip: { shared: true },
  };
  const options = deviceChartOptions(base, chartInput(stack));
  assert.equal(options.chart?.stacked, true);
  assert.equal(options.chart?.animations?.enabled, false, "animations stay off");
  assert.deepEqual(options.series, [
    { name: "Kettle", type: "bar", data: [0.5, 0.2] },
    { name: "Untracked", type: "bar", data: [1.5, 0.8] },
  ]);
  assert.deepEqual(options.colors, [stack.series[0]!.color, UNTRACKED_COLOR]);
  assert.deepEqual(options.yaxis, { min: 0, title: { text: "kWh" } });
  const custom = options.tooltip?.custom as (a: { dataPointIndex: number }) => string;
  const html = custom({ dataPointIndex: 1 });
  assert.match(html, /Kettle<\/span><span class="ei-tt-value">0\.2 kWh/);
  assert.match(html, /Untracked<\/span><span class="ei-tt-value">0\.8 kWh/);
  assert.match(html, /Whole home<\/span><span class="ei-tt-value">1 kWh/);
});

test("hourly chart options: a stacked area flat across each hour's slot [i, i + 1] of a numeric axis; the tooltip reads the hour of either point", () => {
  const stack = stackByDevice(whole([[0, 2], [1, 0], [0, 0.5]]), [device("kettle", [0.5, 0.2, 0], "Kettle")], { maxDevices: 4 });
  const input = { ...chartInput(stack), labels: { ...chartInput(stack).labels, view: "hourly" as const, columns: [], groups: [{ first: 0, count: 3, text: "Apr 6" }] } };
  const options = deviceChartOptions({ chart: { type: "bar", animations: { enabled: false } }, xaxis: { type: "category", categories: ["Apr 6", "", ""] }, tooltip: {} }, input);
  assert.equal(options.chart?.type, "area");
  assert.equal(options.chart?.stacked, true);
  assert.equal(options.chart?.animations?.enabled, false);
  assert.deepEqual(options.xaxis && { type: options.xaxis.type, min: options.xaxis.min, max: options.xaxis.max }, { type: "numeric", min: 0, max: 3 });
  const kettle = options.series![0] as { name: string; type: string; data: { x: number; y: number }[] };
  assert.equal(kettle.type, "area");
  assert.deepEqual(kettle.data.map((p) => [Math.floor(p.x), p.y]), [[0, 0.5], [0, 0.5], [1, 0.2], [1, 0.2], [2, 0], [2, 0]]);
  assert.ok(kettle.data.every((p, i) => (i % 2 === 0 ? p.x > Math.floor(p.x) : p.x < Math.floor(p.x) + 1)), "inside the slot, not on its edges");
  const custom = options.tooltip?.custom as (a: { dataPointIndex: number }) => string;
  assert.equal(custom({ dataPointIndex: 2 }), custom({ dataPointIndex: 3 }));
  assert.match(custom({ dataPointIndex: 3 }), /hour 1<\/div>.*0\.2 kWh/);
});

test("device statistics are found by id and source, named by the entity's friendly name, else the statistic's name", () => {
  const meta = (statistic_id: string, name: string | null, source = "energy_insights", has_sum = true) => ({ statistic_id, name, source, has_sum });
  const found = findDeviceStatistics(
    [
      meta("energy_insights:device_switch_kettle_energy", "Kettle (learned)"),
      meta("energy_insights:device_climate_heat_pump_energy", "Heat pump (learned)"),
      meta("energy_insights:device_light_gone_energy", null),
      meta("energy_insights:contact_0000012345abc_paid_energy", "Paid"),
      meta("other:device_switch_kettle_energy", "Not ours", "other"),
      meta("sensor.device_x_energy", "An entity", "recorder"),
    ],
    { "switch.kettle": { attributes: { friendly_name: "Kitchen kettle" } }, "sensor.unrelated": { attributes: {} } },
  );
  assert.deepEqual(found, [
    { statisticId: "energy_insights:device_climate_heat_pump_energy", name: "Heat pump (learned)" },
    { statisticId: "energy_insights:device_light_gone_energy", name: "light_gone" },
    { statisticId: "energy_insights:device_switch_kettle_energy", name: "Kitchen kettle" },
  ]);
});

function chartInput(stack: ReturnType<typeof stackByDevice>): DeviceChartInput {
  return {
    stack,
    labels: { view: "daily", axis: stack.buckets.map(() => ""), groups: [], columns: stack.buckets.map(() => ""), tooltip: stack.buckets.map((_, i) => `hour ${i}`) },
    names: { untracked: "Untracked", other: "Other devices", wholeHome: "Whole home" },
    format: { energy: (kwh) => `${Math.round(kwh * 1000) / 1000} kWh` },
    notes: { excess: (kwh) => `Learned devices exceed the meter by ${kwh}`, unmetered: "No meter data for this hour yet" },
  };
}
