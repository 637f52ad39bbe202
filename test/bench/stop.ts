import { stopWhileRequestsHang } from "../helpers/stop.js";
import type { Figure } from "./report.js";

/** How long `start` takes to exit after SIGTERM while every provider request hangs (median of 3). */
export async function benchStop(): Promise<Figure[]> {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const out = await stopWhileRequestsHang({ signals: ["SIGTERM"] });
    if (out.code !== 0) throw new Error(`the service exited with ${out.code ?? out.signal}:\n${out.log}`);
    times.push(out.stopMs);
  }
  times.sort((a, b) => a - b);
  return [{ name: "Stop: SIGTERM to exit while every provider request hangs (median of 3)", value: times[1]! / 1000, unit: "s", target: { op: "<=", value: 5 } }];
}
