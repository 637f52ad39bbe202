import type { Logger } from "pino";
import { createApp } from "../app.js";
import type { EnergyInsightsConfig } from "../config/index.js";
import type { Connection } from "../ha/connection.js";
import { getStatisticsMetadata, statisticsDuringPeriod, type StatisticMetadata } from "../ha/recorder.js";
import { isOurStatisticId, parseStatisticId, STATISTICS_SOURCE } from "../statistics/ids.js";
import { verifyMetadata, verifySumStatistic, type MetadataFacts, type VerifyProblem } from "../statistics/verify.js";
import { markForReimport } from "../store/state.js";
import type { Store } from "../store/store.js";
import { EMISSIONS_UNIT, INTENSITY_UNIT } from "../statistics/carbon.js";
import type { Clock } from "../time/clock.js";

export interface StatisticVerdict {
  statisticId: string;
  hoursChecked: number;
  problems: VerifyProblem[];
  /** Set by `--repair`: from which hour it was imported again. */
  repairedFrom?: string;
}

export interface VerifyReport {
  statistics: StatisticVerdict[];
  ok: boolean;
}

/** What the backend writes as metadata, from what the statistic id says it holds. */
export function expectedMetadata(statisticId: string, currency: string): MetadataFacts | undefined {
  const parsed = parseStatisticId(statisticId);
  const facts = (hasSum: boolean, unit: string): MetadataFacts => ({ source: STATISTICS_SOURCE, hasSum, unit });
  switch (parsed?.family) {
    case "carbon":
      return parsed.kind === "carbon_intensity" ? facts(false, INTENSITY_UNIT) : facts(false, "%");
    case "account":
      return parsed.kind === "emissions" ? facts(true, EMISSIONS_UNIT) : parsed.kind === "paid_cost" ? facts(true, currency) : facts(true, "kWh");
    case "onemeter":
      return facts(true, parsed.reactive ? "kvarh" : "kWh");
    case "device":
      return facts(true, "kWh");
    default:
      return undefined;
  }
}

async function haRows(conn: Connection, statisticId: string, from: number): Promise<{ start: number; state: number | null; sum: number | null }[]> {
  const res = await statisticsDuringPeriod(conn, { startTime: new Date(from * 1000), statisticIds: [statisticId], period: "hour", types: ["state", "sum"] });
  return (res[statisticId] ?? []).map((r) => ({ start: Math.round((typeof r.start === "number" ? r.start : Date.parse(r.start)) / 1000), state: r.state ?? null, sum: r.sum ?? null }));
}

/** Every `energy_insights:` statistic in HA against the store and its own rules. Pure reads. */
export async function verifyStatistics(conn: Connection, store: Store, currency: string, nowMs: number): Promise<VerifyReport> {
  const ours = (await getStatisticsMetadata(conn)).filter((m: StatisticMetadata) => isOurStatisticId(m.statistic_id)).sort((a, b) => a.statistic_id.localeCompare(b.statistic_id));
  const statistics: StatisticVerdict[] = [];
  for (const meta of ours) {
    const id = meta.statistic_id;
    const series = id.slice(STATISTICS_SOURCE.length + 1);
    const expected = expectedMetadata(id, currency);
    const problems: VerifyProblem[] = expected
      ? verifyMetadata({ source: meta.source, hasSum: meta.has_sum, unit: meta.statistics_unit_of_measurement }, expected)
      : [{ kind: "metadata", detail: "not a statistic this backend writes" }];
    let hoursChecked = 0;
    if (meta.has_sum) {
      const published = store.published(series);
      // From two years back, or from the first hour imported (HA's older rows are not ours to judge).
      const from = published[0]?.start ?? Math.floor(nowMs / 1000) - 730 * 86400;
      const report = verifySumStatistic(await haRows(conn, id, from), published);
      hoursChecked = report.hoursChecked;
      problems.push(...report.problems);
    }
    statistics.push({ statisticId: id, hoursChecked, problems });
  }
  return { statistics, ok: statistics.every((s) => s.problems.length === 0) };
}

/**
 * `energy-insights verify [--repair]`: lists what is wrong with our statistics in HA; with
 * `--repair`, forgets what the store recorded as imported from each statistic's first bad hour,
 * imports again from the last good sum (a normal sync and publish), and verifies again.
 * Exit 0 when everything is right (after a repair: when the repair made it so), 1 otherwise.
 */
export async function runVerify(
  config: EnergyInsightsConfig,
  deps: { log: Logger; clock: Clock; out: (line: string) => void; repair?: boolean; json?: boolean },
): Promise<number> {
  const app = createApp(config, { log: deps.log, clock: deps.clock, connectHa: true });
  const currency = config.contact?.currency ?? "NZD";
  try {
    let conn: Connection;
    try {
      conn = await app.haConnection();
    } catch (err) {
      deps.out(`✗ Home Assistant: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    let report = await verifyStatistics(conn, app.store, currency, deps.clock.now());
    if (deps.repair && !report.ok) {
      const repairs = new Map<string, string>();
      for (const s of report.statistics) {
        const series = s.statisticId.slice(STATISTICS_SOURCE.length + 1);
        // Metadata alone is put right by importing the last hour again (an import carries the metadata).
        const first = s.problems.map((p) => p.start).filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0] ?? app.store.publishedBefore(series, Number.MAX_SAFE_INTEGER)?.start;
        if (first === undefined || s.problems.length === 0) continue;
        app.store.forgetPublished(series, first);
        markForReimport(app.store, [series]);
        repairs.set(s.statisticId, new Date(first * 1000).toISOString());
      }
      if (repairs.size > 0) {
        deps.out(`Importing ${repairs.size} statistic(s) again from their first bad hour…`);
        const summary = await app.service.syncOnce();
        for (const e of summary.errors) deps.out(`  error: ${e}`);
      }
      report = await verifyStatistics(conn, app.store, currency, deps.clock.now());
      for (const s of report.statistics) {
        const from = repairs.get(s.statisticId);
        if (from) s.repairedFrom = from;
      }
    }
    if (deps.json) deps.out(JSON.stringify(report, null, 2));
    else {
      for (const s of report.statistics) {
        const repaired = s.repairedFrom ? ` (imported again from ${s.repairedFrom})` : "";
        if (s.problems.length === 0) deps.out(`✓ ${s.statisticId}: ${s.hoursChecked} hours${repaired}`);
        else {
          deps.out(`✗ ${s.statisticId}: ${s.problems.length} problem(s)${repaired}`);
          for (const p of s.problems.slice(0, 10)) deps.out(`    ${p.kind}: ${p.detail}`);
          if (s.problems.length > 10) deps.out(`    … and ${s.problems.length - 10} more`);
        }
      }
      if (report.statistics.length === 0) deps.out("- no Energy Insights statistics in Home Assistant yet: run `energy-insights sync --once`");
      deps.out(report.ok ? "\nEvery statistic is right." : `\nRun \`energy-insights verify --repair\` to import the damaged hours again.`);
    }
    conn.close();
    return report.ok ? 0 : 1;
  } finally {
    app.close();
  }
}
