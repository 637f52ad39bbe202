import { Command, CommanderError, InvalidArgumentError } from "commander";
import { DateTime } from "luxon";
import type { EnergyInsightsConfig } from "../config/index.js";
import { translateStackTraces } from "../stack-traces.js";
import { offsetClock, systemClock, type Clock } from "../time/clock.js";

// Every command loads what it needs when it runs (`import()` below): `--help` and `health` start in a
// fraction of the time the whole backend takes to load (issue 19, figures in `npm run bench`).

/** How long a stop may take before the process exits regardless (well inside Docker's and the Supervisor's 10 s). */
const STOP_DEADLINE_MS = 4000;

interface CommonOptions {
  config?: string;
  now?: number;
}

function parseNow(value: string): number {
  const ms = DateTime.fromISO(value, { setZone: true }).toMillis();
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`expected an ISO date and time such as 2026-04-10T09:00:00+12:00, got "${value}"`);
  return ms;
}

function parseDate(value: string): string {
  const d = DateTime.fromISO(value);
  if (!d.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError(`expected a date such as 2025-01-31, got "${value}"`);
  return value;
}

/** Reads and validates the config; an invalid one is printed as a list of problems. */
async function configFrom(opts: CommonOptions): Promise<EnergyInsightsConfig> {
  const { loadConfig } = await import("../config/index.js");
  return loadConfig(opts.config ? { path: opts.config } : {});
}

function clockFrom(opts: CommonOptions): Clock {
  return opts.now === undefined ? systemClock : offsetClock(opts.now);
}

async function setup(opts: CommonOptions, logOpts: { toStderr?: boolean } = {}) {
  const config = await configFrom(opts);
  const { collectSecrets, createLogger } = await import("../log.js");
  const log = createLogger({ level: config.log.level, secrets: collectSecrets(config), ...(logOpts.toStderr ? { destination: process.stderr } : {}) });
  const clock = clockFrom(opts);
  return { config, log, clock };
}

export async function main(argv: string[]): Promise<number> {
  // The compiled backend (dist/server/main.js, not main.ts through tsx): stack traces name the .ts
  // line through the maps beside it, read only when a stack is printed (unless Node reads them itself).
  if (import.meta.url.endsWith(".js") && !process.sourceMapsEnabled) translateStackTraces();
  const program = new Command("energy-insights")
    .description("Electricity usage, cost, free hours and grid carbon from your providers into Home Assistant's long-term statistics.")
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  const withCommon = (cmd: Command) =>
    cmd
      .option("-c, --config <file>", "configuration file (default: $ENERGY_INSIGHTS_CONFIG or ./energy-insights.yaml)")
      .option("--now <iso>", "pretend the current time is this (for reproducible runs and tests)", parseNow);

  let exitCode = 0;

  withCommon(program.command("start").description("run the service: check providers every sync.check_interval and publish to Home Assistant")).action(async (opts: CommonOptions) => {
    const { config, log, clock } = await setup(opts);
    const { createApp } = await import("../app.js");
    const stop = new AbortController();
    const app = createApp(config, { clock, log, signal: stop.signal });
    // A stop aborts the provider requests in flight and waits for the current unit of work; if that
    // takes longer than STOP_DEADLINE_MS (HA not answering mid-publish), the process exits anyway:
    // every unit of work is one SQLite transaction, so nothing half-written is left. A second signal
    // exits at once. Docker and the Supervisor send SIGKILL after 10 s.
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) {
        log.warn({ signal }, "second stop signal: exiting now");
        process.exit(0);
      }
      log.info({ signal }, "stopping: aborting provider requests in flight");
      stop.abort();
      setTimeout(() => {
        log.warn({ deadlineMs: STOP_DEADLINE_MS }, "the current work did not finish in time; exiting (the cache stays consistent)");
        process.exit(0);
      }, STOP_DEADLINE_MS).unref();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    log.info({ providers: config.contact ? ["contact"] : [], checkIntervalSec: config.sync.checkInterval }, "Energy Insights started");
    const { startAppApiOrLog } = await import("../api/app-api.js");
    const api = await startAppApiOrLog(app, { clock, log });
    try {
      await app.service.run(stop.signal);
    } finally {
      await api?.close();
      app.close();
    }
  });

  withCommon(program.command("sync").description("one full sync and publish, then exit (non-zero on any failure)"))
    .option("--once", "run once and exit (the only mode of this command)")
    .option("--json", "print a machine-readable summary on stdout (logs go to stderr)")
    .option("--no-publish", "fetch into the cache only; do not touch Home Assistant")
    .action(async (opts: CommonOptions & { json?: boolean; publish: boolean }) => {
      const { config, log, clock } = await setup(opts, { toStderr: true });
      const { createApp } = await import("../app.js");
      const app = createApp(config, { clock, log, connectHa: opts.publish });
      try {
        const summary = await app.service.syncOnce();
        const { fetched, ...rest } = summary;
        const out = { ...rest, sources: fetched.map((f) => ({ name: f.name, provider: f.provider, errors: f.outcome.errors, detail: f.outcome.detail ?? null })), providerCalls: app.providerCalls.length };
        if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        else {
          const rows = summary.published.reduce((n, p) => n + p.rowsSent, 0);
          console.log(`${summary.ok ? "Sync finished" : "Sync finished with errors"}: ${app.providerCalls.length} provider requests, ${rows} statistics rows published.`);
          for (const e of summary.errors) console.log(`  error: ${e}`);
        }
        exitCode = summary.ok ? 0 : 1;
      } finally {
        app.close();
      }
    });

  withCommon(program.command("backfill").description("fetch history as far back as the provider allows, from a date, with progress"))
    .requiredOption("--from <date>", "first local day to fetch (YYYY-MM-DD)", parseDate)
    .option("--no-publish", "fetch into the cache only; do not touch Home Assistant")
    .action(async (opts: CommonOptions & { from: string; publish: boolean }) => {
      const { config, log, clock } = await setup(opts, { toStderr: true });
      const { runBackfill } = await import("./backfill.js");
      exitCode = await runBackfill(config, { log, clock, from: opts.from, publish: opts.publish });
    });

  withCommon(program.command("verify").description("check every Energy Insights statistic in Home Assistant: missing hours, wrong values, negative changes, sum breaks, metadata"))
    .option("--repair", "import the damaged hours again, from the last good sum")
    .option("--json", "print the report as JSON")
    .action(async (opts: CommonOptions & { repair?: boolean; json?: boolean }) => {
      const { config, log, clock } = await setup(opts, { toStderr: true });
      const { runVerify } = await import("./verify.js");
      exitCode = await runVerify(config, { log, clock, out: (line) => console.log(line), repair: Boolean(opts.repair), json: Boolean(opts.json) });
    });

  withCommon(program.command("doctor").description("check the configuration, provider logins and Home Assistant, and say what to fix")).action(async (opts: CommonOptions) => {
    const { config, log, clock } = await setup(opts, { toStderr: true });
    const { runDoctor } = await import("./doctor.js");
    exitCode = await runDoctor(config, { log, clock, out: (line) => console.log(line) });
  });

  withCommon(program.command("health").description("exit 0 when the service checked its providers recently and none keeps failing (for container health checks)")).action(
    async (opts: CommonOptions) => {
      const config = await configFrom(opts);
      const { runHealth } = await import("./health.js");
      exitCode = runHealth(config, { clock: clockFrom(opts), out: (line) => console.log(line) });
    },
  );

  program
    .command("addon")
    .description("run as a Home Assistant add-on: the options the Supervisor wrote become the config, then start")
    .option("--options <file>", "the add-on options", "/data/options.json")
    .option("--data <dir>", "the add-on's persistent folder", "/data")
    .action(async (opts: { options: string; data: string }) => {
      const { prepareAddonConfig } = await import("./addon.js");
      exitCode = await main(["start", "--config", prepareAddonConfig(opts.options, opts.data)]);
    });

  program
    .command("demo")
    .description("run every provider's simulator, a local Home Assistant with a living household, the backend and the card in every view; prints the URLs and login")
    .option("--info-file <file>", "write the demo's URLs, Home Assistant's token and process id as JSON once it is ready (for tests)")
    .action(async (opts: { infoFile?: string }) => {
      const { runDemo } = await import("./demo.js");
      exitCode = await runDemo(opts.infoFile ? { infoFile: opts.infoFile } : {});
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const { ConfigError } = await import("../config/index.js");
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    console.error(`energy-insights: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
