/**
 * `energy-insights verify` (pure core): compares a sum statistic as HA has it with what the store
 * recorded as confirmed in HA (`published`: the value and running sum of every hour imported), and
 * checks HA's rows on their own: every hour present, the same value, sums continuing row to row and
 * never going down, and the metadata the backend writes.
 */
import type { PublishedRow } from "./sums.js";

/** One hourly row as HA returns it (epoch seconds; `state` is the hour's value for our statistics). */
export interface HaSumRow {
  start: number;
  state: number | null;
  sum: number | null;
}

export type VerifyProblemKind = "missing_hour" | "value_mismatch" | "negative_change" | "sum_break" | "metadata";

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** The hour concerned (epoch seconds), absent for metadata. */
  start?: number;
  detail: string;
}

export interface SumStatisticReport {
  hoursChecked: number;
  problems: VerifyProblem[];
  /** The first hour from which HA's rows must be imported again (the row before it is good). */
  firstBad: number | undefined;
}

const EPS = 1e-6;

export function verifySumStatistic(ha: readonly HaSumRow[], published: readonly PublishedRow[]): SumStatisticReport {
  const problems: VerifyProblem[] = [];
  const at = (t: number) => new Date(t * 1000).toISOString();
  const byStart = new Map(ha.map((r) => [r.start, r]));
  for (const p of published) {
    const got = byStart.get(p.start);
    if (!got) problems.push({ kind: "missing_hour", start: p.start, detail: `${at(p.start)} is missing (imported with ${p.value})` });
    else if (got.state === null || Math.abs(got.state - p.value) > EPS || got.sum === null || Math.abs(got.sum - p.sum) > EPS) {
      problems.push({ kind: "value_mismatch", start: p.start, detail: `${at(p.start)} is ${got.state} (sum ${got.sum}), imported as ${p.value} (sum ${p.sum})` });
    }
  }
  for (let i = 1; i < ha.length; i += 1) {
    const prev = ha[i - 1]!;
    const row = ha[i]!;
    if (row.sum === null || prev.sum === null) continue;
    const step = row.sum - prev.sum;
    if (step < -EPS || (row.state !== null && row.state < -EPS)) {
      problems.push({ kind: "negative_change", start: row.start, detail: `${at(row.start)}: the sum goes from ${prev.sum} to ${row.sum}` });
    } else if (row.state !== null && Math.abs(step - row.state) > 1e-5) {
      problems.push({ kind: "sum_break", start: row.start, detail: `${at(row.start)}: the sum grows by ${step.toFixed(6)} but the hour is ${row.state}` });
    }
  }
  problems.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
  const starts = problems.map((p) => p.start).filter((s): s is number => s !== undefined);
  return { hoursChecked: ha.length, problems, firstBad: starts.length > 0 ? Math.min(...starts) : undefined };
}

export interface MetadataFacts {
  source: string;
  hasSum: boolean;
  unit: string | null;
}

/** HA's metadata against what the backend writes for the statistic. */
export function verifyMetadata(actual: MetadataFacts, expected: MetadataFacts): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  if (actual.source !== expected.source) out.push({ kind: "metadata", detail: `source is "${actual.source}", not "${expected.source}"` });
  if (actual.hasSum !== expected.hasSum) out.push({ kind: "metadata", detail: `has_sum is ${actual.hasSum}, not ${expected.hasSum}` });
  if (actual.unit !== expected.unit) out.push({ kind: "metadata", detail: `the unit is ${actual.unit ?? "none"}, not ${expected.unit ?? "none"}` });
  return out;
}
