/**
 * A device that varies while on taken out of another device's runs at its mean (issue 12): uncertain by
 * how its levels spread when it modulates about one level (a heat pump), by its whole mean when its
 * levels are far apart (a washer's heater and tumbling). Hand-made level histograms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { modulationSigmaW } from "../../server/src/correlate/run-shapes.js";
import { HOUR, MINUTE, histogram } from "../helpers/power-series.js";

test("a heat pump modulating ±20 % about 1.2 kW is uncertain by its levels' spread, not its whole mean", () => {
  const h = histogram([
    [1000, 20 * MINUTE],
    [1200, 1 * HOUR],
    [1400, 20 * MINUTE],
    [200, 5 * MINUTE], // its ramp
    [0, 1 * HOUR], // a baseline window that caught another load
  ]);
  const sigma = modulationSigmaW([h], 1150);
  assert.ok(sigma > 50 && sigma < 0.3 * 1150, `sigma ${sigma}`);
});

test("a washer's 2 kW heater and 300 W tumbling about a 630 W mean, and an oven's element cycled against its fan, are uncertain by their mean", () => {
  const washer = histogram([
    [2000, 15 * MINUTE],
    [250, 20 * MINUTE],
    [400, 30 * MINUTE],
    [15, 4 * MINUTE],
  ]);
  assert.equal(modulationSigmaW([washer], 630), 630);
  const oven = histogram([
    [2400, 30 * MINUTE],
    [30, 30 * MINUTE],
  ]);
  assert.equal(modulationSigmaW([oven], 1200), 1200);
});

test("a heater at one level for 3.5 of its 4 hours, at its 50 W edges for the rest, is uncertain by its mean over that rest", () => {
  const h = histogram([
    [2450, 210 * MINUTE],
    [50, 30 * MINUTE],
  ]);
  const sigma = modulationSigmaW([h], 2150);
  assert.ok(sigma >= 2150 / 8 - 1 && sigma < 2150 / 2, `sigma ${sigma}`);
});
