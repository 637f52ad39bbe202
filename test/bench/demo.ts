import { processGroup, startDemoProcess } from "../helpers/demo.js";
import type { Figure } from "./report.js";

/**
 * `npm run demo` on a machine with the caches (issue 15: a second run is ready in under a minute):
 * a first run warms them (builds the card if needed), the second is timed from the spawn to
 * "ready" (every view has data), then Ctrl-C to exit with no process of Home Assistant left.
 */
export async function benchDemo(): Promise<Figure[]> {
  const first = await startDemoProcess(900_000);
  await first.interrupt();
  const demo = await startDemoProcess(300_000);
  try {
    const stopping = Date.now();
    const code = await demo.interrupt();
    const stopMs = Date.now() - stopping;
    if (code !== 0) throw new Error(`the demo exited with ${code}:\n${demo.output()}`);
    const left = demo.info.haPid ? processGroup(demo.info.haPid) : [];
    if (left.length > 0) throw new Error(`processes left after Ctrl-C:\n${left.join("\n")}`);
    return [
      { name: "Demo: second run, from `npm run demo` to ready (every view has data)", value: demo.readyMs / 1000, unit: "s", target: { op: "<=", value: 60 } },
      { name: "Demo: Ctrl-C to exit, Home Assistant's processes gone", value: stopMs / 1000, unit: "s" },
    ];
  } finally {
    demo.kill();
  }
}
