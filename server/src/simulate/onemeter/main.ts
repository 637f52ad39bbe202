/**
 * Runs the OneMeter simulator on its own, for the demo and for poking at by hand:
 *   node --import tsx server/src/simulate/onemeter/main.ts [--port 8082] [--now 2026-06-10T09:05:00Z] [--hex-keys] [--delivery-minutes 15]
 * With --now the simulator's clock starts at that instant and then runs at real speed.
 */
import { parseArgs } from "node:util";
import { type Clock, offsetClock, systemClock } from "../../time/clock.js";
import { DEFAULT_SIM_METERS } from "./data.js";
import { startOneMeterSimulator } from "./server.js";

function fail(message: string): never {
  console.error(`onemeter simulator: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, now: { type: "string" }, "hex-keys": { type: "boolean", default: false }, "delivery-minutes": { type: "string", default: "15" } },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be a port number, got "${values.port}"`);
const deliveryMinutes = Number(values["delivery-minutes"]);
if (!Number.isInteger(deliveryMinutes) || deliveryMinutes < 15 || deliveryMinutes % 15 !== 0) fail(`--delivery-minutes must be a multiple of 15, got "${values["delivery-minutes"]}"`);
let clock: Clock = systemClock;
if (values.now !== undefined) {
  const start = Date.parse(values.now);
  if (Number.isNaN(start)) fail(`--now must be an ISO date-time such as 2026-06-10T09:05:00Z, got "${values.now}"`);
  clock = offsetClock(start);
}

const simulator = await startOneMeterSimulator({ port, clock, hexKeys: values["hex-keys"], deliveryEveryMs: deliveryMinutes * 60_000 });
console.log(`OneMeter simulator listening on ${simulator.url}`);
console.log(`  clock now  ${new Date(clock.now()).toISOString()}`);
console.log(`  base_url   ${simulator.url}`);
console.log(`  api_key    ${simulator.apiKey}`);
for (const m of DEFAULT_SIM_METERS) console.log(`  device     ${m.id}  (${m.name}, registers ${m.registers.join(" ")})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
