import { DEFAULT_SIM_METERS } from "../../server/src/simulate/onemeter/data.js";
import { startOneMeterSimulator } from "../../server/src/simulate/onemeter/server.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { runOneMeterBackend } from "../helpers/onemeter.js";
import type { Figure } from "./report.js";

const MIN = 60_000;
const FAULT_HOURS = 4;

/**
 * Issue 4's counts from the OneMeter simulator's request log: the real poller (service.run) over
 * 8 simulated hours at the 1-minute interval (the tightest), then 4 hours of 401 and 4 of 429, each
 * answered by backing off instead of a storm.
 */
export async function benchOneMeterCalls(): Promise<Figure[]> {
  const device = DEFAULT_SIM_METERS[0]!.id;
  const start = Date.parse("2026-06-01T10:07:23Z");
  const hours = 8;
  const clock = new ManualClock(start);
  const sim = await startOneMeterSimulator({ clock, readoutEveryMs: MIN });
  const run = runOneMeterBackend(sim, clock, "1m", device);
  try {
    await run.runUntil(start + hours * 60 * MIN);
    const polls = sim.requestLog.filter((r) => r.path === `/devices/${device}`).map((r) => r.at);
    const gaps = polls.slice(1).map((at, i) => (at - polls[i]!) / 1000);
    const offMark = polls.slice(1).filter((at) => at % MIN !== 0).length;
    const readings = sim.requestLog.filter((r) => r.path.endsWith("/readings")).length;

    // A rejected key, then a rate limit, each lasting 4 simulated hours: the requests made meanwhile.
    const storm = async (faults: Parameters<typeof sim.setFaults>[0]) => {
      sim.clearLog();
      sim.setFaults(faults);
      await run.runUntil(clock.now() + FAULT_HOURS * 60 * MIN);
      const n = sim.requestLog.length;
      sim.clearFaults();
      await run.runUntil(clock.now() + 24 * 60 * MIN);
      return n;
    };
    const after401 = await storm({ unauthorized: {} });
    const after429 = await storm({ rateLimit: { retryAfterSec: 60 } });
    // Without backoff the 1-minute poller would ask every minute throughout.
    const storming = { name: "a poll every minute", value: FAULT_HOURS * 60 };
    return [
      { name: `OneMeter shortest gap between device polls (1-minute interval, ${hours} simulated hours, ${polls.length} polls)`, value: Math.min(...gaps), unit: "s", target: { op: ">=", value: 60 } },
      { name: "OneMeter polls off the clock's minute marks", value: offMark, unit: "polls", target: { op: "<=", value: 0 } },
      { name: "OneMeter readings requests per hour (reader in 1-minute mode)", value: readings / hours, unit: "requests/h" },
      { name: `OneMeter requests during ${FAULT_HOURS} h of a rejected API key (401; back-off 1 h doubling)`, value: after401, unit: "requests", target: { op: "<=", value: 3 }, baseline: storming },
      { name: `OneMeter requests during ${FAULT_HOURS} h of rate limiting (429; back-off 15 min doubling)`, value: after429, unit: "requests", target: { op: "<=", value: 6 }, baseline: storming },
    ];
  } finally {
    await run.stop();
    await sim.close();
  }
}
