/**
 * Adding a provider. A small fake one ("acme": hourly kWh of one account from an HTTP API) is
 * written here the way a real one is laid out, and handed to the real `createApp` beside the
 * built-in providers; nothing else of the backend changes:
 * - `providers/acme/`: its client, through the HTTP policy the context gives (retries, request log);
 * - `statistics/acme.ts`: its store readings as statistics, pure;
 * - `sync/acme-source.ts`: its Source (fetch into the store, publish through `sync/publish.ts`,
 *   health) and its `Provider`, which builds the source from the config;
 * - a line in `PROVIDERS` (here: the `providers` option) and, for a real one, a schema entry and
 *   a simulator (here: a node:http server).
 * The service fetches it at every check, HA gets its statistics with continuous sums, its failures
 * are reported by name and in its health, and only the check interval's sources decide when the
 * next check comes.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod";
import { createApp } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import type { Connection } from "../../server/src/ha/connection.js";
import type { PublishResult } from "../../server/src/ha/publisher.js";
import { createLogger } from "../../server/src/log.js";
import type { HttpClient } from "../../server/src/providers/http.js";
import { FIRST_RETRY_MS } from "../../server/src/service.js";
import { composeHourly, type StatisticRows } from "../../server/src/statistics/compose.js";
import { parseStatisticId, seriesKey, statisticId, STATISTICS_SOURCE } from "../../server/src/statistics/ids.js";
import type { Store } from "../../server/src/store/store.js";
import { PROVIDERS, type Provider } from "../../server/src/sync/providers.js";
import { publishStatistics } from "../../server/src/sync/publish.js";
import type { CheckOptions, FetchOutcome, Source, SourceHealth } from "../../server/src/sync/source.js";
import { ManualClock, type Clock } from "../../server/src/time/clock.js";
import { LogCapture } from "../helpers/backend.js";
import { FakeRecorder } from "../helpers/fake-recorder.js";

const START = Date.parse("2026-06-01T00:00:00Z");
const ACCOUNT = "Account 7";

// ── The simulator: hourly kWh of one account, and a switch to make it fail. ──

async function acmeSimulator(t: TestContext) {
  const state = { failing: false, requests: 0 };
  const server = createServer((req, res) => {
    state.requests += 1;
    if (state.failing) {
      res.writeHead(503).end("maintenance");
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const from = Number(url.searchParams.get("from"));
    const to = Number(url.searchParams.get("to"));
    const hours = [];
    for (let at = from; at < to; at += 3600) hours.push({ start: at, kwh: ((at / 3600) % 7) / 10 });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hours }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// ── providers/acme/client.ts ──

const HourlyAnswer = z.object({ hours: z.array(z.object({ start: z.number(), kwh: z.number() })) });

class AcmeClient {
  constructor(
    private readonly baseUrl: string,
    private readonly http: HttpClient,
  ) {}
  async hourly(fromS: number, toS: number): Promise<{ start: number; kwh: number }[]> {
    const res = await this.http.request({ method: "GET", url: `${this.baseUrl}/usage?from=${fromS}&to=${toS}` });
    return res.json(HourlyAnswer).hours;
  }
}

// ── statistics/acme.ts ──

const acmeSeries = (account: string) => seriesKey("acme", account, "paid_energy");

function acmeStatisticRows(store: Store, account: string): StatisticRows[] {
  const series = acmeSeries(account);
  const stat = { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Acme Power ${account} energy`, unit: "kWh", unitClass: "energy" as const, hasSum: true, hasMean: false };
  return [{ series, stat, rows: composeHourly({ hour: store.readings(series, "hour"), day: [], month: [] }, "UTC") }];
}

// ── sync/acme-source.ts ──

class AcmeSource implements Source {
  readonly name = "Acme Power";
  readonly provider = "acme";
  private lastSuccess: number | null = null;
  private lastError: string | null = null;
  constructor(
    private readonly api: AcmeClient,
    private readonly store: Store,
    private readonly clock: Clock,
    readonly onCheckInterval: boolean,
  ) {}
  async fetch(_opts: CheckOptions): Promise<FetchOutcome> {
    const to = Math.floor(this.clock.now() / 3_600_000) * 3600;
    try {
      const rows = await this.api.hourly(to - 6 * 3600, to);
      this.store.upsertReadings(rows.map((r) => ({ series: acmeSeries(ACCOUNT), resolution: "hour", start: r.start, value: r.kwh })));
      this.lastSuccess = this.clock.now();
      this.lastError = null;
      return { errors: [] };
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      return { errors: [`Acme Power: ${this.lastError}`] };
    }
  }
  publish(conn: Connection): Promise<PublishResult[]> {
    return publishStatistics(conn, this.store, acmeStatisticRows(this.store, ACCOUNT), { publish: { readBackTimeoutMs: 0 } });
  }
  health(): SourceHealth {
    return { name: this.name, provider: this.provider, healthy: this.lastError === null, lastSuccess: this.lastSuccess, lastError: this.lastError };
  }
}

/** A real provider reads its URL and account from its config section; this one is given them. */
function acmeProvider(baseUrl: string, onCheckInterval: boolean): Provider {
  return {
    id: "acme",
    create: (ctx) => ({ sources: [new AcmeSource(new AcmeClient(baseUrl, ctx.http("acme")), ctx.store, ctx.clock, onCheckInterval)] }),
  };
}

// ── The backend, as `createApp` wires it, with the fake provider added. ──

async function backend(t: TestContext, onCheckInterval: boolean, haUp: () => boolean) {
  const sim = await acmeSimulator(t);
  const clock = new ManualClock(START);
  const recorder = new FakeRecorder();
  const config = parseConfig({ home_assistant: { token: "t" }, store: { path: join(mkdtempSync(join(tmpdir(), "ei-source-")), "cache.db") }, power: { enabled: false } }, {});
  const app = createApp(config, {
    clock,
    log: createLogger({ level: "info", secrets: [], destination: new LogCapture() }),
    http: { sleep: async () => undefined },
    // HA going away: every message fails until it is back (the app keeps one connection).
    connect: async () => {
      const conn = recorder.connection();
      const send = conn.sendMessagePromise.bind(conn);
      return { ...conn, connected: true, sendMessagePromise: (msg: Parameters<typeof send>[0]) => (haUp() ? send(msg) : Promise.reject(new Error("connection refused"))) } as unknown as Connection;
    },
    providers: [...PROVIDERS, acmeProvider(sim.url, onCheckInterval)],
  });
  t.after(() => app.close());
  return { app, sim, recorder, clock };
}

test("a provider added to the registry is fetched and published at every check, with ids read back as its own", async (t) => {
  const { app, sim, recorder, clock } = await backend(t, true, () => true);
  const svc = app.service;
  assert.deepEqual(svc.sources.map((s) => s.name), ["Acme Power"], "no other provider is configured");
  const summary = await svc.syncOnce();
  assert.deepEqual(summary.errors, []);
  assert.equal(sim.state.requests, 1);
  assert.equal(app.providerCalls.filter((c) => c.provider === "acme").length, 1, "its requests go through the HTTP policy and are counted");
  assert.equal(app.store.readings("acme_account_7_paid_energy", "hour").length, 6);
  assert.deepEqual(summary.published.map((p) => [p.statisticId, p.rowsSent]), [["energy_insights:acme_account_7_paid_energy", 6]]);
  const id = summary.published[0]!.statisticId;
  assert.deepEqual(parseStatisticId(id), { family: "account", series: "acme_account_7_paid_energy", owner: "acme_account_7", kind: "paid_energy" });
  assert.deepEqual(svc.health(), [{ name: "Acme Power", provider: "acme", healthy: true, lastSuccess: START, lastError: null }]);
  const inHa = () => recorder.series(id).map((r) => r.sum);
  const first = inHa();
  assert.equal(first.length, 6);
  // Three hours later the next check adds only the new hours, their sums continuing HA's.
  clock.advance(3 * 3600_000);
  assert.deepEqual((await svc.syncOnce()).published.map((p) => p.rowsSent), [3]);
  assert.deepEqual(inHa().slice(0, 6), first);
  const kwh = app.store.readings("acme_account_7_paid_energy", "hour").map((r) => r.value);
  assert.ok(Math.abs(inHa().at(-1)! - kwh.reduce((a, b) => a + b, 0)) < 1e-9, "the last sum is the total of every hour");
});

test("a failing source on the check interval brings the next check forward; its failures are reported by name and in its health", async (t) => {
  let haUp = true;
  const { app, sim, clock } = await backend(t, true, () => haUp);
  const svc = app.service;
  sim.state.failing = true;
  const failed = await svc.syncOnce();
  assert.equal(failed.errors.length, 1);
  assert.match(failed.errors[0]!, /^Acme Power: .*503/);
  assert.ok(sim.state.requests > 1, "the HTTP policy retried the 503");
  assert.equal(svc.health()[0]!.healthy, false);
  assert.equal(svc.nextCheckAt(), clock.now() + FIRST_RETRY_MS, "retried after 5 minutes");
  sim.state.failing = false;
  haUp = false;
  const unpublished = await svc.syncOnce();
  assert.deepEqual(unpublished.errors, ["Home Assistant (Acme Power): connection refused"]);
  assert.equal(svc.lastCheck()?.failures, 2, "a publish failure is a failed check too");
  haUp = true;
  assert.equal((await svc.syncOnce()).ok, true);
  assert.equal(svc.lastCheck()?.failures, 0);
  assert.equal(svc.health()[0]!.healthy, true);
});

test("a source with a schedule of its own does not move the check when it fails", async (t) => {
  const { app, sim, clock } = await backend(t, false, () => true);
  sim.state.failing = true;
  const summary = await app.service.syncOnce();
  assert.equal(summary.errors.length, 1, "still reported");
  assert.equal(app.service.lastCheck()?.failures, 0);
  assert.equal(app.service.nextCheckAt(), clock.now() + 6 * 3600_000, "the next check after the whole interval");
});
