/**
 * Runs the Contact Energy simulator on its own, for the demo and for poking at by hand:
 *   node --import tsx server/src/simulate/contact/main.ts [--port 8081] [--now 2026-10-15T12:00:00+13:00] [--seed 1]
 * With --now the simulator's clock starts at that instant and then runs at real speed.
 */
import { parseArgs } from "node:util";
import { type Clock, offsetClock, systemClock } from "../../time/clock.js";
import { DEFAULT_CONTACT_API_KEY } from "../../providers/contact/constants.js";
import { DEFAULT_SIM_ACCOUNTS } from "./data.js";
import { DEFAULT_SIM_USERS, startContactSimulator } from "./server.js";

function fail(message: string): never {
  console.error(`contact simulator: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, now: { type: "string" }, seed: { type: "string", default: "1" } },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be a port number, got "${values.port}"`);
const seed = Number(values.seed);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got "${values.seed}"`);
let clock: Clock = systemClock;
if (values.now !== undefined) {
  const start = Date.parse(values.now);
  if (Number.isNaN(start)) fail(`--now must be an ISO date-time such as 2026-10-15T12:00:00+13:00, got "${values.now}"`);
  clock = offsetClock(start);
}

const simulator = await startContactSimulator({ port, clock, seed });
const user = DEFAULT_SIM_USERS[0]!;
console.log(`Contact Energy simulator listening on ${simulator.url}`);
console.log(`  clock now  ${new Date(clock.now()).toISOString()}`);
console.log(`  base_url   ${simulator.url}`);
console.log(`  api key    ${DEFAULT_CONTACT_API_KEY}`);
console.log(`  username   ${user.username}`);
console.log(`  password   ${user.password}`);
for (const account of DEFAULT_SIM_ACCOUNTS) {
  for (const c of account.contracts) console.log(`  account ${account.id}  contract ${c.id}  ICP ${c.icp}  plan ${c.plan.name}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
