import { existsSync } from "node:fs";
import { packageRoot } from "../package-root.js";

/** What `energy-insights demo` takes (dev/demo/run.ts reads the same). */
export interface DemoOptions {
  /** Write the demo's URLs, Home Assistant's token and process id as JSON once it is ready. */
  infoFile?: string;
}

/**
 * `npm run demo`: every provider's simulator, a real Home Assistant with a living household, the
 * backend, and the card in every view. The demo's code is development code (dev/demo, with the
 * HA harness in dev/harness), not part of the npm package: it runs from a checkout only.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const root = packageRoot();
  const run = new URL("dev/demo/run.ts", root);
  const setup = new URL("scripts/ha-setup.sh", root);
  if (!existsSync(run) || !existsSync(setup)) {
    console.error("energy-insights demo runs from a checkout of the repository (it needs dev/ and scripts/ha-setup.sh): git clone the repository, then npm install && npm run demo.");
    return 1;
  }
  // The demo is TypeScript outside the compiled backend: a checkout has tsx (a dev dependency) to run it.
  const { register } = await import("tsx/esm/api");
  register();
  const demo = (await import(run.href)) as { runDemo(opts: DemoOptions): Promise<number> };
  return demo.runDemo(opts);
}
