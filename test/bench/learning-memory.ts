/**
 * Child process of the footprint bench: 14 days of a 12-entity household at 1 s fed hour by hour to
 * the incremental engine, as the service's collector feeds it; prints as JSON the heap the engine
 * keeps (beyond the simulated household's own arrays) and the process's memory.
 */
import { CorrelationEngine } from "../../server/src/correlate/engine.js";
import { simulateHousehold } from "../../server/src/simulate/household/household.js";
import { readSensor } from "../../server/src/simulate/household/sensors.js";

const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const house = simulateHousehold({ seed: 1, days: 14 });
const withoutEngine = heap();
const samples = readSensor(house, { kind: "periodic", intervalS: 1 }, 1);
const engine = new CorrelationEngine();
let s = 0;
let e = 0;
for (let hour = house.start + 3_600_000; hour <= house.end; hour += 3_600_000) {
  const from = s;
  while (s < samples.length && samples[s]!.t < hour) s += 1;
  const fromEvent = e;
  while (e < house.events.length && house.events[e]!.t < hour) e += 1;
  engine.addSamples(samples.slice(from, s));
  engine.addEvents(house.events.slice(fromEvent, e));
  engine.advanceTo(hour);
  engine.profiles();
}
const inputs = samples.length;
samples.length = 0; // the service never holds the whole fortnight's readings: only the engine's state counts
const engineHeapMb = heap() - withoutEngine;
process.stdout.write(`${JSON.stringify({ engineHeapMb, rssMb: process.memoryUsage().rss / 2 ** 20, peakMb: process.resourceUsage().maxRSS / 1024, entities: house.truth.length, samples: inputs, profiles: engine.profiles().length })}\n`);
