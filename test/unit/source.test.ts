/**
 * The Source interface: a provider is one Source the service loops over. A small fake provider
 * ("acme", hourly kWh from an in-process API) is written here the way a real one is laid out: its
 * client (what would be `providers/acme/`), its statistics module (`statistics/acme.ts`: store
 * readings to statistics with their rows, pure) and its Source (`sync/acme-source.ts`: fetch into
 * the store, publish through `sync/publish.ts`), and nothing else of the backend changes: the
 * service fetches it at every check, HA gets its statistics with continuous sums, its failures are
 * reported by name, and only the check interval's sources decide when the next check comes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../server/src/config/index.js";
import type { Connection } from "../../server/src/ha/connection.js";
import type { PublishResult } from "../../server/src/ha/publisher.js";
import { createLogger } from "../../server/src/log.js";
import { SyncService, FIRST_RETRY_MS } from "../../server/src/service.js";
import { composeHourly, type StatisticRows } from "../../server/src/statistics/compose.js";
import { parseStatisticId, seriesKey, statisticId, STATISTICS_SOURCE } from "../../server/src/statistics/ids.js";
import { openStore, type Store } from "../../server/src/store/store.js";
import { publishStatistics } from "../../server/src/sync/publish.js";
import type { CheckOptions, FetchOutcome, Source } from "../../server/src/sync/source.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { LogCapture } from "../helpers/backend.js";
import { FakeRecorder } from "../helpers/fake-recorder.js";

const START = Date.parse("2026-06-01T00:00:00Z");

// ── providers/acme/: the provider's client. ──

/** The fake provider's cloud: hourly kWh of one account, and a switch to make it fail. */
class AcmeApi {
  failing = false;
  requests = 0;
  hourly(fromS: number, toS: number): { start: number; kwh: number }[] {
    this.requests += 1;
    if (this.failing) throw new Error("acme: 503 Service Unavailable");
    const out = [];
    for (let t = fromS; t < toS; t += 3600) out.push({ start: t, kwh: ((t / 3600) % 7) / 10 });
    return out;
  }
}

// ── statistics/acme.ts: its readings as statistics (pure). ──

const ACCOUNT = "Account 7";

function acmeStatisticRows(store: Store, account: string): StatisticRows[] {
  const series = seriesKey("acme", account, "paid_energy");
  const stat = { statisticId: statisticId(series), source: STATISTICS_SOURCE, name: `Acme Power ${account} energy`, unit: "kWh", unitClass: "energy" as const, hasSum: true, hasMean: false };
  return [{ series, stat, rows: composeHourly({ hour: store.readings(series, "hour"), day: [], month: [] }, "UTC") }];
}

// ── sync/acme-source.ts: the provider as the service sees it. ──

class AcmeSource implements Source {
  readonly name = "Acme Power";
  constructor(
    private readonly api: AcmeApi,
    private readonly store: Store,
    private readonly clock: ManualClock,
    readonly onCheckInterval: boolean,
  ) {}
  async fetch(_opts: CheckOptions): Promise<FetchOutcome> {
    const series = seriesKey("acme", ACCOUNT, "paid_energy");
    const to = Math.floor(this.clock.now() / 3_600_000) * 3600;
    try {
      const rows = this.api.hourly(to - 6 * 3600, to);
      this.store.upsertReadings(rows.map((r) => ({ series, resolution: "hour", start: r.start, value: r.kwh })));
      return { errors: [] };
    } catch (err) {
      return { errors: [`Acme Power: ${err instanceof Error ? err.message : String(err)}`] };
    }
  }
  publish(conn: Connection): Promise<PublishResult[]> {
    return publishStatistics(conn, this.store, acmeStatisticRows(this.store, ACCOUNT), { publish: { readBackTimeoutMs: 0 } });
  }
}

function service(onCheckInterval: boolean, haUp: () => boolean) {
  const clock = new ManualClock(START);
  const { store } = openStore(join(mkdtempSync(join(tmpdir(), "ei-source-")), "cache.db"));
  const api = new AcmeApi();
  const acme = new AcmeSource(api, store, clock, onCheckInterval);
  const recorder = new FakeRecorder();
  const config = parseConfig({ home_assistant: { token: "t" } }, {});
  const logs = new LogCapture();
  const svc = new SyncService({
    config,
    store,
    clock,
    log: createLogger({ level: "info", secrets: [], destination: logs }),
    contactApi: () => {
      throw new Error("no Contact in this test");
    },
    ha: async () => {
      if (!haUp()) throw new Error("connection refused");
      return recorder.connection();
    },
    sources: [acme],
  });
  return { svc, store, api, recorder, clock };
}

test("a provider added as a Source is fetched and published at every check, with ids read back as its own", async () => {
  const { svc, store, recorder, clock } = service(true, () => true);
  assert.deepEqual(svc.sources.map((s) => s.name), ["Acme Power"]);
  const summary = await svc.syncOnce();
  assert.deepEqual(summary.errors, []);
  assert.equal(store.readings("acme_account_7_paid_energy", "hour").length, 6);
  assert.deepEqual(summary.published.map((p) => [p.statisticId, p.rowsSent]), [["energy_insights:acme_account_7_paid_energy", 6]]);
  const id = summary.published[0]!.statisticId;
  assert.deepEqual(parseStatisticId(id), { family: "account", series: "acme_account_7_paid_energy", owner: "acme_account_7", kind: "paid_energy" });
  const inHa = () => recorder.series(id).map((r) => r.sum);
  const first = inHa();
  assert.equal(first.length, 6);
  // Three hours later the next check adds only the new hours, their sums continuing HA's.
  clock.advance(3 * 3600_000);
  assert.deepEqual((await svc.syncOnce()).published.map((p) => p.rowsSent), [3]);
  assert.deepEqual(inHa().slice(0, 6), first);
  const kwh = store.readings("acme_account_7_paid_energy", "hour").map((r) => r.value);
  assert.ok(Math.abs(inHa().at(-1)! - kwh.reduce((a, b) => a + b, 0)) < 1e-9, "the last sum is the total of every hour");
});

test("a failing source on the check interval brings the next check forward; its failures are reported by name", async () => {
  let haUp = true;
  const { svc, api, clock } = service(true, () => haUp);
  api.failing = true;
  const failed = await svc.syncOnce();
  assert.deepEqual(failed.errors, ["Acme Power: acme: 503 Service Unavailable"]);
  assert.equal(svc.nextCheckAt(), clock.now() + FIRST_RETRY_MS, "retried after 5 minutes");
  api.failing = false;
  haUp = false;
  const unpublished = await svc.syncOnce();
  assert.deepEqual(unpublished.errors, ["Home Assistant (Acme Power): connection refused"]);
  assert.equal(svc.lastCheck()?.failures, 2, "a publish failure is a failed check too");
  haUp = true;
  assert.equal((await svc.syncOnce()).ok, true);
  assert.equal(svc.lastCheck()?.failures, 0);
});

test("a source with a schedule of its own does not move the check when it fails", async () => {
  const { svc, api, clock } = service(false, () => true);
  api.failing = true;
  const summary = await svc.syncOnce();
  assert.deepEqual(summary.errors, ["Acme Power: acme: 503 Service Unavailable"], "still reported");
  assert.equal(svc.lastCheck()?.failures, 0);
  assert.equal(svc.nextCheckAt(), clock.now() + 6 * 3600_000, "the next check after the whole interval");
});
