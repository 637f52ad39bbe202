/**
 * CI accuracy gate for the correlation engine (issue 6): one seeded household over a few days,
 * read by a periodic 5 s sensor and by report-on-change sensors, scored against its ground truth.
 * The full benchmark (6 seeds × 14 days, every sensor type) is `npm run bench`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import { firstDesignProfiles } from "../bench/first-design.js";
import { simulateHousehold } from "../../server/src/simulate/household/household.js";
import { scoreHousehold, summarise } from "../../server/src/simulate/household/metrics.js";
import { readSensor, sensorName, type SensorModel } from "../../server/src/simulate/household/sensors.js";

const SEED = 1;
const DAYS = 4;
const house = simulateHousehold({ seed: SEED, days: DAYS });
const SENSORS: SensorModel[] = [
  { kind: "periodic", intervalS: 5 },
  { kind: "on-change", minDeltaW: 5 },
  { kind: "on-change", minDeltaW: 20 },
];
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

for (const model of SENSORS) {
  test(`learned power and energy are within the targets, ${sensorName(model)}`, (t) => {
    const samples = readSensor(house, model, SEED);
    const s = summarise([scoreHousehold(house, correlate(samples, house.events, { now: house.end }).profiles)]);
    const first = summarise([scoreHousehold(house, firstDesignProfiles(samples, house.events, { now: house.end }))]);
    t.diagnostic(`power error median ${pct(s.powerErrorMedian)} P90 ${pct(s.powerErrorP90)}, energy error median ${pct(s.energyErrorMedian)} P90 ${pct(s.energyErrorP90)}, FEAC ${s.feac.toFixed(3)}, coverage ${pct(s.coverage)}`);
    t.diagnostic(`first design: power error median ${pct(first.powerErrorMedian)} P90 ${pct(first.powerErrorP90)}, FEAC ${first.feac.toFixed(3)}`);

    assert.ok(s.powerErrorMedian <= 0.05, `power error median ${pct(s.powerErrorMedian)} > 5 %`);
    assert.ok(s.powerErrorP90 <= 0.15, `power error P90 ${pct(s.powerErrorP90)} > 15 %`);
    assert.ok(s.energyErrorMedian <= 0.06, `energy error median ${pct(s.energyErrorMedian)} > 6 %`);
    assert.ok(s.energyErrorP90 <= 0.2, `energy error P90 ${pct(s.energyErrorP90)} > 20 %`);
    assert.ok(s.feac >= 0.95, `FEAC ${s.feac.toFixed(3)} < 0.95`);
    assert.ok(s.coverage >= 0.9, `coverage ${pct(s.coverage)} < 90 %`);
    // The gate discriminates: the first design misses it on the same data.
    assert.ok(first.powerErrorP90 > 0.15 || first.feac < 0.95);
  });
}

test("the simulated household is reproducible per seed, and its sensors and scenes behave as modelled", () => {
  const day = simulateHousehold({ seed: 7, days: 1 });
  assert.deepEqual(simulateHousehold({ seed: 7, days: 1 }).events, day.events);
  assert.notDeepEqual(simulateHousehold({ seed: 8, days: 1 }).events, day.events);
  for (const truth of day.truth) assert.ok(truth.runs === 0 || truth.energyKwh > 0 || truth.ghostRuns === truth.runs, truth.entityId);

  const periodic = readSensor(day, { kind: "periodic", intervalS: 5 }, 7);
  assert.ok(periodic.length > 0.97 * (86_400 / 5) && periodic.length < 86_400 / 5, `${periodic.length} readings`);
  const onChange = readSensor(day, { kind: "on-change", minDeltaW: 20, heartbeatS: 300, dropShare: 0 }, 7);
  for (let i = 1; i < onChange.length; i += 1) {
    const [a, b] = [onChange[i - 1]!, onChange[i]!];
    const moved = Math.abs(b.w - a.w) >= Math.max(20, 0.02 * Math.abs(a.w)) - 0.1;
    assert.ok(moved || b.t - a.t >= 300_000, `reading at ${b.t} neither moved nor was a heartbeat`);
  }

  const lightOnsTogether = (sceneShare: number) => {
    const ons = simulateHousehold({ seed: 7, days: 7, sceneShare }).events.filter((e) => e.entityId.startsWith("light.") && e.from === "off");
    return ons.filter((e, i) => ons.some((o, j) => j !== i && o.entityId !== e.entityId && Math.abs(o.t - e.t) <= 500)).length;
  };
  assert.equal(lightOnsTogether(0), 0);
  const together = lightOnsTogether(0.3);
  assert.ok(together >= 20, `${together} light switch-ons in scenes`);
});
