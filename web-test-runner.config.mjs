// Browser tests of the card: @web/test-runner in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium),
// TypeScript through esbuild with the root tsconfig (Lit's experimentalDecorators + useDefineForClassFields:false).
// Chromium runs headless as root with a fresh profile and without the background services that would try
// to reach the (closed) internet.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { chromeLauncher } from "@web/test-runner-chrome";
import { defaultReporter } from "@web/test-runner";
import { summaryReporter } from "./test/browser/summary-reporter.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./dev/harness/chromium.mjs";
import { tsImport } from "tsx/esm/api";

// A stand-in for the Supervisor's ingress in front of the real backend API (test/browser/ingress.test.ts).
const { fakeSupervisorIngress } = await tsImport("./test/browser/helpers/fake-ingress.ts", import.meta.url);

const userDataDir = mkdtempSync(join(tmpdir(), "ei-wtr-chromium-"));
process.on("exit", () => rmSync(userDataDir, { recursive: true, force: true }));


export default {
  files: ["test/browser/**/*.test.ts"],
  rootDir: ".",
  nodeResolve: { exportConditions: ["production"] },
  plugins: [esbuildPlugin({ ts: true, tsconfig: "./tsconfig.json", target: "es2021" }), fakeSupervisorIngress()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        userDataDir,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
  reporters: [defaultReporter(), summaryReporter()],
};
