/**
 * `npm run bench`: every figure the issues name, each beside its target and baseline, in one run.
 * Exits non-zero when a figure misses its target, so a regression is visible.
 *
 * `npm run bench -- --only <words>` runs the sections whose title contains them (case-insensitive);
 * `--seed <n>` repeats a run's simulated households and soak scenarios. Without it each run draws a
 * fresh seed, printed first, so every run tests households it has not seen before.
 */
import { benchCardRender } from "./card-render.js";
import { benchCarbonCalls } from "./carbon-calls.js";
import { benchCorrelation } from "./correlation.js";
import { benchCorrelationVarying } from "./correlation-varying.js";
import { benchDemo } from "./demo.js";
import { benchFootprint } from "./footprint.js";
import { benchOneMeterCalls } from "./onemeter-calls.js";
import { benchProviderCalls } from "./provider-calls.js";
import { benchPublish } from "./publish.js";
import { benchStoreUpsert } from "./store-upsert.js";
import { benchSoak, benchSyncFreshness } from "./sync-soak.js";
import { benchStop } from "./stop.js";
import { formatFigure, met, type Figure } from "./report.js";
import { parseBenchArgs } from "./seed.js";

let args;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const { only, seed } = args;

const sections: [string, () => Promise<Figure[]> | Figure[]][] = [
  ["Provider calls (Contact Energy simulator)", benchProviderCalls],
  ["Sync freshness (Contact Energy simulator)", benchSyncFreshness],
  ["Soak: kills, outages, lost caches, HA restarts (real Home Assistant)", () => benchSoak(seed)],
  ["Stopping the service", benchStop],
  ["Provider calls (WattTime and Electricity Maps simulators)", benchCarbonCalls],
  ["Provider calls (OneMeter simulator)", benchOneMeterCalls],
  ["Store", benchStoreUpsert],
  ["Publishing into a real Home Assistant", () => benchPublish()],
  ["Card (Chromium)", benchCardRender],
  ["Correlation (synthetic household)", () => benchCorrelation(seed)],
  ["Correlation, harder household: devices whose power varies (issue 12)", () => benchCorrelationVarying(seed)],
  ["The demo (npm run demo, real Home Assistant)", benchDemo],
  ["Production build: start-up and memory (real Home Assistant)", benchFootprint],
];

console.log(`seed ${seed}${args.seedDrawn ? " (drawn for this run)" : ""}: repeat with npm run bench -- --seed ${seed}${only ? ` --only ${only}` : ""}`);

let missed = 0;
for (const [title, run] of sections.filter(([t]) => !only || t.toLowerCase().includes(only))) {
  console.log(`\n## ${title}`);
  try {
    for (const f of await run()) {
      console.log(formatFigure(f));
      if (!met(f)) missed += 1;
    }
  } catch (err) {
    missed += 1;
    console.log(`FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
console.log(`\n${missed === 0 ? "all targets met" : `${missed} figure(s) missed their target`}`);
process.exitCode = missed === 0 ? 0 : 1;
