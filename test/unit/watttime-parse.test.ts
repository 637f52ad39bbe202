import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isHtmlPage, isScopeRefusal, parseAccess, parseLogin, parseRegion, parseSeries } from "../../server/src/providers/watttime/parse.js";
import { describeAccess } from "../../server/src/providers/watttime/client.js";
import { lbsPerMwhToGPerKwh } from "../../server/src/providers/watttime/constants.js";
import { ProviderError } from "../../server/src/providers/errors.js";

const raw = (name: string) => readFileSync(new URL(`../fixtures/watttime/${name}`, import.meta.url), "utf8");
const fixture = (name: string): unknown => JSON.parse(raw(name));

test("WattTime reference samples parse: login, region-from-loc, signal-index (percentile), my-access", () => {
  assert.equal(parseLogin(fixture("login.json")), "<JWT>");
  assert.deepEqual(parseRegion(fixture("region-from-loc.json")), { region: "PSCO", fullName: "Public Service Co of Colorado" });
  const index = parseSeries(fixture("signal-index.json"));
  assert.deepEqual(index, { unit: "percentile", periodSeconds: 300, points: [{ at: Date.parse("2024-06-18T18:40:00Z") / 1000, value: 96 }] });
  const access = parseAccess(fixture("my-access.json"));
  assert.deepEqual(access, [{ signalType: "co2_moer", region: "CAISO_NORTH", endpoints: ["v3/forecast"] }]);
  assert.match(describeAccess(access, "co2_moer"), /Your plan allows: co2_moer in CAISO_NORTH \(v3\/forecast\)\. Set watttime\.region to one of CAISO_NORTH/);
});

test("MOER in lbs/MWh becomes g/kWh (× 0.453592) for historical and forecast", () => {
  assert.equal(lbsPerMwhToGPerKwh(1000), 453.592);
  const hist = parseSeries(fixture("historical.json"));
  assert.equal(hist.unit, "gCO2eq/kWh");
  assert.deepEqual(hist.points.map((p) => p.value), [lbsPerMwhToGPerKwh(900), lbsPerMwhToGPerKwh(880)]);
  const fc = parseSeries(fixture("forecast.json"));
  assert.equal(fc.points[0]!.value, 394.851836);
});

test("403 kinds: the scope refusal (JSON) is told apart from nginx's HTML page (a bad or expired token)", () => {
  assert.equal(isScopeRefusal(raw("forecast-403-scope.json")), true);
  assert.equal(isScopeRefusal(raw("403-forbidden.html")), false);
  assert.equal(isHtmlPage(raw("403-forbidden.html")), true);
  assert.equal(isHtmlPage(raw("forecast-403-scope.json")), false);
  assert.deepEqual(fixture("region-from-loc-404.json"), { error: "No coverage available for these coordinates and signal_type", latitude: "0", longitude: "0", signal_type: "co2_moer" });
});

test("malformed WattTime answers are bad_response errors that say what is wrong", () => {
  assert.throws(() => parseSeries({ data: [{ point_time: "x", value: 1 }], meta: {} }), (e: unknown) => e instanceof ProviderError && e.kind === "bad_response" && /not a date/.test(e.message));
  assert.throws(() => parseSeries({ meta: {} }), /unexpected shape \(data/);
  assert.throws(() => parseSeries({ data: [], meta: { units: "tons" } }), /unknown units/);
  assert.throws(() => parseLogin({}), /no token/);
});
