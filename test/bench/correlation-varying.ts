/**
 * Issue 12's harder household: devices whose power varies while they are on (washer, dishwasher,
 * oven, heat pump, EV charger, PC, dimmable light, TV, fan) beside fixed lights and a kettle, with
 * untracked loads, late events, simultaneous switchings, 1 % noise, dropped readings and outages.
 * Every tracked device is scored, over several households (seeds drawn from the run's `--seed`), for
 * each of the five sensor kinds.
 * `npm run bench -- --only harder` runs this section alone; BENCH_VERBOSE=1 lists every device.
 * BENCH_DETAIL=1 prints, per sensor kind, one row per device with its signed energy error (and, for
 * single-level devices, its power error) in each household, worst first, so it shows which devices
 * make the P90s; BENCH_DETAIL=<words> does so only for the sensor kinds whose name contains them
 * (`BENCH_DETAIL="60 s"`, `BENCH_DETAIL=change`).
 */
import { correlate } from "../../server/src/correlate/engine.js";
import type { DeviceProfile } from "../../server/src/correlate/types.js";
import { quantile } from "../../server/src/simulate/household/metrics.js";
import { singleLevelOracle } from "../../server/src/simulate/household/power-oracle.js";
import { readSensor, sensorName, type SensorModel } from "../../server/src/simulate/household/sensors.js";
import { simulateVaryingHousehold, type VaryingHousehold } from "../../server/src/simulate/household/varying.js";
import { scoreVaryingHousehold, summariseVarying, type VaryingScore } from "../../server/src/simulate/household/varying-metrics.js";
import type { Figure } from "./report.js";
import { seedsFrom } from "./seed.js";

/** Households per run, each from its own seed. */
const HOUSES = 4;
const DAYS = 14;

const FAULTS = { noiseW: 2, noiseShare: 0.01, dropShare: 0.01, outages: { perDay: 0.2, minS: 600, maxS: 3600 } };
/** The issue's five sensor kinds; `slow` ones (30 and 60 s) have the looser energy P90 and coverage targets. */
export const VARYING_SENSORS: { model: SensorModel; slow: boolean; issue: IssueBaseline }[] = [
  { model: { kind: "periodic", intervalS: 1, ...FAULTS }, slow: false, issue: { powerMedian: 1.8, powerP90: 22.4, energyP90: 22.7, coverage: 100 } },
  { model: { kind: "periodic", intervalS: 10, ...FAULTS }, slow: false, issue: { powerMedian: 1.3, powerP90: 24.9, energyP90: 27.9, coverage: 92 } },
  { model: { kind: "on-change", minDeltaW: 10, ...FAULTS }, slow: false, issue: { powerMedian: 2.2, powerP90: 21.5, energyP90: 21.5, coverage: 100 } },
  { model: { kind: "periodic", intervalS: 30, ...FAULTS }, slow: true, issue: { powerMedian: 2.4, powerP90: 23.5, energyP90: 23.5, coverage: 86 } },
  { model: { kind: "periodic", intervalS: 60, ...FAULTS }, slow: true, issue: { powerMedian: 4.2, powerP90: 22.8, energyP90: 22.8, coverage: 81 } },
];

/**
 * Issue 12's table: the engine before it (edge steps times on-time) on the issue's own households (3 seeds x 14 days,
 * 12 tracked devices), pooled over all tracked devices, in %. Its FEAC over the devices other than the two biggest
 * was 0.85-0.90 (the better end is taken), its single-level P90 about 6 %. Other households than these, so a ratio says
 * how far from the issue's starting point a figure is, not a like-for-like rerun: that engine (commit 21f5994) on these
 * households, over the nine reference seeds, had an energy error P90 of 43-99 % and a single-level power P90 of
 * 3.9-8.1 % at 1 s, 6.3-16.3 % at 10 s, 9.9-27.9 % on change, 10.1-22.1 % at 30 s and 13.6-38.5 % at 60 s (README).
 */
interface IssueBaseline {
  powerMedian: number;
  powerP90: number;
  energyP90: number;
  coverage: number;
}
const ISSUE_FEAC_OTHERS = 0.9;
/** The issue: "on single-level devices the figures above hold too (P90 about 6 %)", on its households. */
const ISSUE_SINGLE_LEVEL_P90 = 6;
/**
 * `singleLevelOracle`: a floor under the single-level power P90, which no learner reaches in expectation (a report-on-change
 * sensor has none: its dead band's silences are not readings the oracle's filter can weigh).
 */
const ORACLE_KNOWS = "(knows every other load and each switching instant; only the base load's walk and the meter's noise unknown)";
const issueBaseline = (value: number) => ({ name: "issue 12, the engine before it on the issue's households", value });

type Target = Figure["target"];
const atMost = (value: number): Target => ({ op: "<=", value });
const atLeast = (value: number): Target => ({ op: ">=", value });
const pct = (x: number) => x * 100;

export async function benchCorrelationVarying(seed: number): Promise<Figure[]> {
  const seeds = seedsFrom(seed, HOUSES);
  console.log(`  household seeds ${seeds.join(", ")}`);
  const houses = seeds.map((s) => simulateVaryingHousehold({ seed: s, days: DAYS }));
  const together = houses.reduce((s, h) => s + h.simultaneousShare, 0) / houses.length;
  const figures: Figure[] = [];
  const verbose = process.env.BENCH_VERBOSE === "1";
  const detail = process.env.BENCH_DETAIL;
  for (const { model, slow, issue } of VARYING_SENSORS) {
    const label = sensorName(model);
    const scores: VaryingScore[] = [];
    const oracleErrors: number[] = [];
    let ms = 0;
    houses.forEach((house, i) => {
      const samples = readSensor(house, model, seeds[i]!);
      for (const d of singleLevelOracle(house, samples, model) ?? []) oracleErrors.push(Math.abs(d.powerW - d.truePowerW) / d.truePowerW);
      const t0 = performance.now();
      const profiles = correlate(samples, house.events, { now: house.end }).profiles;
      ms += performance.now() - t0;
      const score = scoreVaryingHousehold(house, profiles);
      scores.push(score);
      if (verbose) printDetails(label, seeds[i]!, house, score, profiles);
    });
    if (detail && (detail === "1" || label.includes(detail))) printDetailTable(label, seeds, scores);
    const s = summariseVarying(scores);
    const name = (what: string) => `${label}: ${what}`;
    figures.push(
      { name: name("energy error median"), value: pct(s.energyErrorMedian), unit: "%", target: atMost(3) },
      { name: name("energy error P90"), value: pct(s.energyErrorP90), unit: "%", target: atMost(slow ? 15 : 10), baseline: issueBaseline(issue.energyP90) },
      { name: name("power error of single-level devices, median"), value: pct(s.powerErrorMedian), unit: "%", target: atMost(3) },
      { name: name("power error of single-level devices, P90"), value: pct(s.powerErrorP90), unit: "%", target: atMost(8), baseline: issueBaseline(ISSUE_SINGLE_LEVEL_P90) },
      ...(oracleErrors.length > 0 ? [{ name: name(`the same P90 for an oracle ${ORACLE_KNOWS}`), value: pct(quantile(oracleErrors, 0.9)), unit: "%" }] : []),
      { name: name("power error of all devices (mean while on), median"), value: pct(s.allPowerErrorMedian), unit: "%", baseline: issueBaseline(issue.powerMedian) },
      { name: name("power error of all devices (mean while on), P90"), value: pct(s.allPowerErrorP90), unit: "%", baseline: issueBaseline(issue.powerP90) },
      { name: name("coverage (devices with published energy)"), value: pct(s.coverage), unit: "%", target: atLeast(slow ? 90 : 95), baseline: issueBaseline(issue.coverage) },
      { name: name("FEAC over the devices other than the two biggest"), value: s.feacOthers, unit: "", target: atLeast(0.95), baseline: issueBaseline(ISSUE_FEAC_OTHERS) },
      {
        name: name(`profiles labelled confident that are off by more than max(2 W, 10 %) (of ${s.confident} confident)`),
        value: s.confidentMisses.length,
        unit: "",
        target: atMost(0),
      },
      { name: name(`runtime per household (${DAYS} days)`), value: ms / houses.length, unit: "ms" },
    );
  }
  figures.push(runtimeFigure(houses[0]!, seeds[0]!));
  figures.push({ name: `events in the same second as another device's (${HOUSES} seeds × ${DAYS} days, ${houses[0]!.truth.length} tracked devices)`, value: pct(together), unit: "%" });
  return figures;
}

/** 14 days of 1 s readings for every tracked device, from readings and events to profiles; median of 3 runs. */
function runtimeFigure(house: VaryingHousehold, seed: number): Figure {
  const samples = readSensor(house, VARYING_SENSORS[0]!.model, seed);
  const times = [0, 1, 2].map(() => {
    const t0 = performance.now();
    correlate(samples, house.events, { now: house.end });
    return performance.now() - t0;
  });
  return {
    name: `runtime, ${DAYS} days × ${house.truth.length} entities at 1 s (${samples.length.toLocaleString("en-US")} readings, ${house.events.length} events)`,
    value: times.sort((a, b) => a - b)[1]! / 1000,
    unit: "s",
    target: atMost(1.5),
  };
}

function printDetails(label: string, seed: number, house: VaryingHousehold, score: VaryingScore, profiles: readonly DeviceProfile[]): void {
  const f = (x: number | null, d = 1) => (x === null ? "—" : x.toFixed(d));
  console.log(`  [${label}, seed ${seed}]`);
  for (const e of score.entities) {
    const own = profiles.filter((p) => p.entityId === e.entityId);
    const states = own.map((p) => `${p.state}${p.level ? `[${p.level}]` : ""} ${f(p.powerW)} W ${p.status}`).join("; ");
    console.log(
      `    ${e.entityId.padEnd(24)} energy ${f(e.energyKwh, 2)} / ${e.trueEnergyKwh.toFixed(2)} kWh (${f(e.energyError === null ? null : pct(e.energyError))} %), power ${f(e.powerW)} / ${e.truePowerW.toFixed(1)} W  | ${states}`,
    );
  }
  for (const m of score.confidentMisses) console.log(`    CONFIDENT MISS ${m.entityId} ${m.state}${m.level ? `[${m.level}]` : ""}: ${m.powerW.toFixed(1)} W, true ${m.truePowerW.toFixed(1)} W`);
  void house;
}

/**
 * One row per device: its signed energy error in each household (`e`), and for a single-level device its
 * power error (`p`), in %; "—" where nothing was published. Rows sorted by the device's worst error.
 */
function printDetailTable(label: string, seeds: readonly number[], scores: readonly VaryingScore[]): void {
  const signed = (x: number | null, truth: number) => (x === null ? null : ((x - truth) / truth) * 100);
  const cell = (x: number | null) => (x === null ? "—" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}`).padStart(7);
  const ids = [...new Set(scores.flatMap((s) => s.entities.map((e) => e.entityId)))];
  const rows = ids.map((id) => {
    const per = scores.map((s) => s.entities.find((e) => e.entityId === id) ?? null);
    const energy = per.map((e) => (e ? signed(e.energyKwh, e.trueEnergyKwh) : null));
    const power = per.map((e) => (e && e.singleLevel ? signed(e.powerW, e.truePowerW) : null));
    const worst = Math.max(0, ...energy.map((x) => (x === null ? 100 : Math.abs(x))), ...power.map((x) => (x === null ? 0 : Math.abs(x))));
    const single = per.some((e) => e?.singleLevel);
    return { id, energy, power, worst, single };
  });
  rows.sort((a, b) => b.worst - a.worst);
  console.log(`  [${label}] signed errors in %, households ${seeds.join(", ")}: e = energy, p = power (single-level devices)`);
  for (const r of rows) {
    console.log(`    ${r.id.padEnd(24)} e ${r.energy.map(cell).join(" ")}${r.single ? `   p ${r.power.map(cell).join(" ")}` : ""}`);
  }
}
