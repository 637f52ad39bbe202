// The devices panel's words for what a device draws and how sure that is (issue 12, item 5): pure, so tested in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeFormatters } from "../../card/src/common/format.js";
import { localizer } from "../../card/src/localize/localize.js";
import { deviceSummary, formatPower } from "../../card/src/panel/panel.js";
import type { DeviceView } from "../../card/src/data/backend.js";

const fmt = makeFormatters({ language: "en", number_format: "comma_decimal" });
const t = localizer("en");

function device(over: Partial<DeviceView>): DeviceView {
  return {
    entity_id: "switch.x",
    state: "on",
    status: "estimated",
    power_w: 60,
    standard_error_w: 1,
    confidence: 0.8,
    events: 10,
    seen_events: 10,
    on_time_h: 5,
    energy_kwh: 0.3,
    cost: null,
    currency: null,
    period_days: 7,
    ...over,
  };
}

test("power in words' units: kW from 1000 W, whole watts from 10 W, tenths below", () => {
  assert.deepEqual([1850, 12_400, 650, 12.4, 8.46].map((w) => formatPower(w, fmt)), ["1.9 kW", "12 kW", "650 W", "12 W", "8.5 W"]);
});

test("a steady device: its power whenever on, and sure to within 5 % only when confident; otherwise its range", () => {
  assert.equal(deviceSummary(device({ status: "confident", energy_from: "steps" }), fmt, t), "60 W whenever on; sure to within 5 %");
  assert.equal(deviceSummary(device({ energy_from: "steps", range_w: { low: 52, high: 68 } }), fmt, t), "60 W whenever on; an estimate: 52 W–68 W");
  assert.equal(deviceSummary(device({}), fmt, t), "60 W whenever on; an estimate", "an older backend without a range");
});

test("a washer: its mean, its runs' range, its phases and a cycle's energy, and that it is an estimate", () => {
  const washer = device({
    power_w: 650,
    energy_from: "while-on",
    range_w: { low: 450, high: 820 },
    phases: [
      { power_w: 2000, minutes_per_run: 20 },
      { power_w: 15, minutes_per_run: 24.6 },
    ],
    kwh_per_run: 0.72,
  });
  assert.equal(deviceSummary(washer, fmt, t), "about 650 W on average, 450 W–820 W a run; 2.0 kW for 20 min, 15 W for 25 min a run; 0.72 kWh a run; an estimate from what it used while on");
});

test("a PC, switched on at idle and off at any level: its mean, the levels it was switched off at, and that it is an estimate from those and its runs", () => {
  const pc = device({ power_w: 118, energy_from: "switch-offs", range_w: { low: 79, high: 192 } });
  assert.equal(deviceSummary(pc, fmt, t), "about 118 W on average, between 79 W and 192 W; an estimate from the levels it was switched off at and what its runs used");
});

test("learning and unpublished devices say so instead of a number", () => {
  assert.equal(deviceSummary(device({ status: "learning", power_w: null }), fmt, t), "still learning");
  assert.equal(deviceSummary(device({ published: false, power_w: null }), fmt, t), "not counted: its energy cannot be told apart from the rest of the house reliably");
  assert.equal(deviceSummary(device({ status: "learning", published: false, power_w: null }), fmt, t), "still learning", "unpublished because it has too few events yet");
});
