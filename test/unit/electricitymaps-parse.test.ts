import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { errorText, parseForecast, parseHistory, parseLatest } from "../../server/src/providers/electricitymaps/parse.js";

const raw = (name: string) => readFileSync(new URL(`../fixtures/electricitymaps/${name}`, import.meta.url), "utf8");
const fixture = (name: string): unknown => JSON.parse(raw(name));

test("Electricity Maps reference samples parse: latest, history (24 hourly items), forecast, the 401 body", () => {
  assert.deepEqual(parseLatest(fixture("latest.json")), { zone: "DE", at: Date.parse("2024-03-06T19:00:00.000Z") / 1000, value: 216, estimated: true });
  const history = parseHistory(fixture("history.json"));
  assert.equal(history.zone, "DE");
  assert.equal(history.points.length, 24);
  assert.deepEqual(history.points[0], { at: Date.parse("2024-03-05T20:00:00.000Z") / 1000, value: 200, estimated: false });
  assert.deepEqual(parseForecast(fixture("forecast.json")).map((p) => p.value), [300, 290]);
  assert.equal(errorText(raw("401.json")), "Invalid auth-token");
  assert.equal(errorText("<html>"), undefined);
});

test("hours without a value (null) are skipped, never zero; malformed answers say which field", () => {
  const h = parseHistory({ zone: "DE", history: [{ carbonIntensity: null, datetime: "2024-03-06T19:00:00.000Z" }, { carbonIntensity: 5, datetime: "2024-03-06T20:00:00.000Z" }] });
  assert.deepEqual(h.points.map((p) => p.value), [5]);
  assert.throws(() => parseHistory({ zone: "DE" }), /unexpected shape \(history/);
  assert.throws(() => parseLatest({ carbonIntensity: 1, datetime: "soon" }), /not a date/);
});
