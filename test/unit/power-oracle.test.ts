/** The bench's floor under the single-level power error: an oracle that knows all but the base load's walk and the meter's noise. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE_WALK_VARIANCE_PER_S } from "../../server/src/simulate/household/household.js";
import { oraclePower, singleLevelOracle, type OracleReading } from "../../server/src/simulate/household/power-oracle.js";
import { Random } from "../../server/src/simulate/household/random.js";
import { readSensor } from "../../server/src/simulate/household/sensors.js";
import { simulateVaryingHousehold } from "../../server/src/simulate/household/varying.js";

/** Readings every `intervalS` of a base load walking `walkW` per √s, a `powerW` device on for 20 of every 60 minutes, with `noiseW` noise. */
function series(seed: number, { powerW, intervalS, noiseW, walkW, hours }: { powerW: number; intervalS: number; noiseW: number; walkW: number; hours: number }): OracleReading[] {
  const rng = new Random(seed);
  const out: OracleReading[] = [];
  let base = 200;
  for (let s = 0; s < hours * 3600; s += intervalS) {
    base += rng.normal(0, walkW * Math.sqrt(intervalS));
    const on = s % 3600 >= 1200 && s % 3600 < 2400;
    out.push({ t: s * 1000, residualW: base + (on ? powerW : 0) + rng.normal(0, noiseW), on, noiseW });
  }
  return out;
}

test("without noise or a wandering base load, the oracle reads a device's power exactly", () => {
  const est = oraclePower(series(1, { powerW: 8, intervalS: 60, noiseW: 1e-6, walkW: 0, hours: 6 }), 0);
  assert.ok(Math.abs(est.powerW - 8) < 1e-3, `${est.powerW} W`);
});

test("with noise and a walking base load, the oracle's error is what its standard error says", () => {
  const walkW = Math.sqrt(BASE_WALK_VARIANCE_PER_S);
  const z: number[] = [];
  for (let seed = 1; seed <= 40; seed += 1) {
    const est = oraclePower(series(seed, { powerW: 8, intervalS: 60, noiseW: 3.6, walkW, hours: 48 }), BASE_WALK_VARIANCE_PER_S);
    assert.ok(est.standardErrorW > 0.2 && est.standardErrorW < 2, `standard error ${est.standardErrorW} W`);
    z.push((est.powerW - 8) / est.standardErrorW);
  }
  const meanZ = z.reduce((s, x) => s + x, 0) / z.length;
  const rmsZ = Math.sqrt(z.reduce((s, x) => s + x * x, 0) / z.length);
  assert.ok(Math.abs(meanZ) < 0.5, `mean error ${meanZ} standard errors: biased`);
  assert.ok(rmsZ > 0.7 && rmsZ < 1.4, `errors ${rmsZ} standard errors (RMS): the standard error is not the error`);
  // More readings know more: read every 10 s, the same device is known better.
  const fine = oraclePower(series(1, { powerW: 8, intervalS: 10, noiseW: 3.6, walkW, hours: 48 }), BASE_WALK_VARIANCE_PER_S);
  const coarse = oraclePower(series(1, { powerW: 8, intervalS: 60, noiseW: 3.6, walkW, hours: 48 }), BASE_WALK_VARIANCE_PER_S);
  assert.ok(fine.standardErrorW < coarse.standardErrorW, `${fine.standardErrorW} W every 10 s, ${coarse.standardErrorW} W every 60 s`);
});

test("in the harder household, the oracle finds every single-level device within its standard error; on-change sensors have no oracle", () => {
  const house = simulateVaryingHousehold({ seed: 7, days: 7 });
  const model = { kind: "periodic", intervalS: 60, noiseW: 2, noiseShare: 0.01 } as const;
  const devices = singleLevelOracle(house, readSensor(house, model, 7), model)!;
  assert.deepEqual(
    devices.map((d) => d.entityId),
    house.truth.filter((t) => t.singleLevel).map((t) => t.entityId),
  );
  for (const d of devices) {
    assert.ok(Math.abs(d.powerW - d.truePowerW) < 4 * d.standardErrorW, `${d.entityId}: ${d.powerW} W for ${d.truePowerW} W (standard error ${d.standardErrorW} W)`);
    assert.ok(d.standardErrorW < 0.15 * d.truePowerW, `${d.entityId}: standard error ${d.standardErrorW} W`);
  }
  const onChange = { kind: "on-change", minDeltaW: 10 } as const;
  assert.equal(singleLevelOracle(house, readSensor(house, onChange, 7), onChange), null);
});
