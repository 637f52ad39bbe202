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
  assert.deepEqual(c.onemeter, { baseUrl: "https://cloud.onemeter.com/api", apiKey: "om-key", devices: [DEVICE], pollInterval: 900, backfillDays: 30 });
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
