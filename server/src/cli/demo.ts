import { existsSync } from "node:fs";
import type { DemoOptions } from "../../../dev/demo/run.js";

export type { DemoOptions };

/**
 * `npm run demo`: every provider's simulator, a real Home Assistant with a living household, the
 * backend, and the card in every view. The demo's code is development code (dev/demo, with the
 * HA harness in dev/harness), not part of the npm package: it runs from a checkout only.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const run = new URL("../../../dev/demo/run.ts", import.meta.url);
  const setup = new URL("../../../scripts/ha-setup.sh", import.meta.url);
  if (!existsSync(run) || !existsSync(setup)) {
    console.error("energy-insights demo runs from a checkout of the repository (it needs dev/ and scripts/ha-setup.sh): git clone the repository, then npm install && npm run demo.");
    return 1;
  }
  const demo = await import("../../../dev/demo/run.js");
  return demo.runDemo(opts);
}
