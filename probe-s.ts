import { correlate } from "./server/src/correlate/engine.js";
import { readSensor } from "./server/src/simulate/household/sensors.js";
import { simulateVaryingHousehold } from "./server/src/simulate/household/varying.js";
import { VARYING_SENSORS } from "./test/bench/correlation-varying.js";
const seed = Number(process.argv[2] ?? 314159);
const which = Number(process.argv[3] ?? 0);
const house = simulateVaryingHousehold({ seed, days: 14 });
const ent = process.env.DEBUG_ENTITY ?? "switch.washing_machine";
// runs of the device and overlapping others
const ev = house.events;
const onAt = new Map<string, number>();
const ivs: { id: string; from: number; to: number }[] = [];
for (const e of ev) { if (e.to !== "off" && e.to !== "idle" && !onAt.has(e.entityId)) onAt.set(e.entityId, e.t); else if ((e.to === "off" || e.to === "idle") && onAt.has(e.entityId)) { ivs.push({ id: e.entityId, from: onAt.get(e.entityId)!, to: e.t }); onAt.delete(e.entityId); } }
for (const r of ivs.filter((x) => x.id === ent)) {
  const ov = ivs.filter((x) => x.id !== ent && x.from < r.to + 30 * 60000 && x.to > r.from - 30 * 60000).map((x) => `${x.id.split(".")[1]}[${((x.from - r.from) / 60000).toFixed(0)},${((x.to - r.from) / 60000).toFixed(0)}]`);
  console.log(new Date(r.from).toISOString().slice(5, 16), ((r.to - r.from) / 60000).toFixed(0), "min", ov.join(" "));
}
const model = VARYING_SENSORS[which]!.model;
const samples = readSensor(house, model, seed);
const res = correlate(samples, house.events, { now: house.end });
const p = res.profiles.find((x) => x.entityId === ent);
console.log(JSON.stringify(p, (k, v) => (typeof v === "number" ? +v.toFixed(3) : v)).slice(0, 1500));
console.log("truth", JSON.stringify(house.truth.find((t) => t.entityId === ent)));
