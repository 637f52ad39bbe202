import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../server/src/config/index.js";

const TOKEN = "ha-token-0123456789abcdef";
const DEVICE = "03b38411-d37b-4957-8d5b-641db7bde29a";

function problems(fn: () => unknown): Map<string, string> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return new Map(err.problems.map((p) => [p.path, p.message]));
    throw err;
  }
  assert.fail("expected a ConfigError");
}

test("onemeter: defaults, env secrets, and the three poll intervals", () => {
  const c = parseConfig({ home_assistant: { token: TOKEN }, onemeter: { devices: [DEVICE] } }, { EI_ONEMETER__API_KEY: "om-key" });
  assert.deepEqual(c.onemeter, { baseUrl: "https://cloud.onemeter.com/api", apiKey: "om-key", devices: [DEVICE], pollInterval: 900, backfillDays: 30, addToEnergyPrefs: false });
  for (const [given, seconds] of [["1m", 60], ["5m", 300], [900, 900]] as const) {
    assert.equal(parseConfig({ home_assistant: { token: TOKEN }, onemeter: { api_key: "k", devices: [DEVICE], poll_interval: given } }, {}).onemeter?.pollInterval, seconds);
  }
  assert.equal(parseConfig({ home_assistant: { token: TOKEN } }, {}).onemeter, undefined);
});

test("onemeter: polling under a minute or off the 1/5/15-minute marks, a missing key or device list are problems by path", () => {
  const bad = (onemeter: Record<string, unknown>) => problems(() => parseConfig({ home_assistant: { token: TOKEN }, onemeter }, {}));
  assert.match(bad({ api_key: "k", devices: [DEVICE], poll_interval: "30s" }).get("onemeter.poll_interval")!, /between 1m and 15m/);
  assert.match(bad({ api_key: "k", devices: [DEVICE], poll_interval: "2m" }).get("onemeter.poll_interval")!, /"1m", "5m" or "15m"/);
  assert.match(bad({ api_key: "k", devices: [] }).get("onemeter.devices")!, /at least one device/);
  assert.match(bad({ api_key: "k", devices: ["not a uuid"] }).get("onemeter.devices[0]")!, /UUID/);
  assert.match(bad({ devices: [DEVICE] }).get("onemeter.api_key")!, /required: set api_key, api_key_file, or EI_ONEMETER__API_KEY/);
});

test("power.whole_home: auto by default; onemeter:<device> must name one of onemeter.devices", () => {
  const om = { api_key: "k", devices: [DEVICE] };
  assert.equal(parseConfig({ home_assistant: { token: TOKEN } }, {}).power.wholeHome, "auto");
  assert.equal(parseConfig({ home_assistant: { token: TOKEN }, onemeter: om, power: { whole_home: `onemeter:${DEVICE}` } }, {}).power.wholeHome, `onemeter:${DEVICE}`);
  assert.equal(parseConfig({ home_assistant: { token: TOKEN }, power: { whole_home: "home_assistant" } }, {}).power.wholeHome, "home_assistant");
  const other = "11111111-2222-3333-4444-555555555555";
  assert.match(problems(() => parseConfig({ home_assistant: { token: TOKEN }, onemeter: om, power: { whole_home: `onemeter:${other}` } }, {})).get("power.whole_home")!, /not in onemeter.devices/);
  assert.match(problems(() => parseConfig({ home_assistant: { token: TOKEN }, power: { whole_home: "sensor.home_power" } }, {})).get("power.whole_home")!, /expected auto, home_assistant or onemeter:<device id>/);
  assert.equal(parseConfig({ home_assistant: { token: TOKEN }, onemeter: { ...om, add_to_energy_prefs: true } }, {}).onemeter?.addToEnergyPrefs, true);
});
