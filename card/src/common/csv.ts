/**
 * "Download CSV" of what the card shows: one row per column, in RFC 4180 form (comma separated,
 * CRLF line ends, fields with a comma, quote or line break quoted and their quotes doubled).
 *
 * Pure but for `downloadCsv`, which takes the document to use. Numbers are written for machines:
 * a dot as decimal mark, no grouping, whatever the user's display format; an empty field where the
 * column has no value (data not in yet is not 0). Times are the column's start in local ISO 8601
 * with its offset ("2026-04-05T02:00:00+13:00", then "2026-04-05T02:00:00+12:00" for the repeated
 * hour), so a spreadsheet and a script both read them unambiguously.
 */
import type { Bucket } from "../chart/buckets.js";
import { slug } from "../../../server/src/statistics/ids.js";
import { zonedParts } from "./time.js";

/** One column of the chart. */
export interface CsvRow {
  /** The column's start, epoch ms. */
  start: number;
  paidKwh: number | null;
  freeKwh: number | null;
  cost: number | null;
  /** Carbon intensity (or the percentile signal) of the column, when the card shows one. */
  carbon?: number | null;
}

export interface CsvOptions {
  /** The zone the columns are cut in (the range's `timeZone`). */
  timeZone: string;
  /** The cost statistic's unit (a currency code such as NZD); the cost column's name carries it. */
  currency?: string | undefined;
  /** Whether a carbon column is written, and its unit ("gCO2eq/kWh", "%"); left out when undefined. */
  carbonUnit?: string | undefined;
}

const CRLF = "\r\n";

/** One field, quoted when it must be (RFC 4180 §2.6, §2.7). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A number for machines: up to 6 decimals, no float noise (0.1 + 0.2 → 0.3), empty for none. */
export function csvNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const rounded = Math.round(value * 1e6) / 1e6;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** `ms` as local ISO 8601 with seconds and offset in `timeZone`. */
export function localIso(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The header: start, paid_kwh, free_kwh, cost_<currency>, and carbon_<unit> when shown. */
export function csvHeader(options: CsvOptions): string[] {
  const cost = options.currency ? `cost_${slug(options.currency)}` : "cost";
  const header = ["start", "paid_kwh", "free_kwh", cost];
  if (options.carbonUnit !== undefined) header.push(options.carbonUnit ? `carbon_${slug(options.carbonUnit)}` : "carbon");
  return header;
}

/** The whole file, header first, rows in time order, ending with a line break. */
export function toCsv(rows: readonly CsvRow[], options: CsvOptions): string {
  const lines = [csvHeader(options).map(csvField).join(",")];
  const withCarbon = options.carbonUnit !== undefined;
  for (const row of [...rows].sort((a, b) => a.start - b.start)) {
    const fields = [localIso(row.start, options.timeZone), csvNumber(row.paidKwh), csvNumber(row.freeKwh), csvNumber(row.cost)];
    if (withCarbon) fields.push(csvNumber(row.carbon));
    lines.push(fields.map(csvField).join(","));
  }
  return lines.join(CRLF) + CRLF;
}

/**
 * A file name that says what is in it: "energy-insights_0000012345abc_hourly_2026-11-25_2026-12-03.csv"
 * (the last day shown, not the exclusive end). Only [a-z0-9_-] (and the extension) survive, so it is safe on any system.
 */
export function csvFilename(what: { account?: string | undefined; view: string; start: number; end: number; timeZone: string }): string {
  const day = (ms: number) => localIso(ms, what.timeZone).slice(0, 10);
  const lastDay = day(Math.max(what.start, what.end - 1));
  const parts = ["energy-insights", what.account, what.view, day(what.start), lastDay].filter((p): p is string => !!p);
  const safe = parts.map((p) => p.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")).filter(Boolean);
  return `${safe.join("_")}.csv`;
}

/**
 * The rows for what the chart draws (its buckets, and the carbon series when shown). A day or month
 * drawn as a total band is one row at its start with the total (as Home Assistant holds it), not
 * one per slot; a forecast hour has its intensity and empty energy and cost (not known yet).
 */
export function csvRowsFromBuckets(buckets: readonly Bucket[], carbon?: { intensity: readonly (number | null)[]; forecast?: readonly boolean[] }): CsvRow[] {
  const rows: CsvRow[] = [];
  const bands = new Set<number>();
  buckets.forEach((b, i) => {
    const intensity = carbon ? (carbon.intensity[i] ?? null) : undefined;
    const withCarbon = (row: CsvRow): CsvRow => (carbon ? { ...row, carbon: intensity ?? null } : row);
    if (b.total) {
      if (bands.has(b.total.start)) return;
      bands.add(b.total.start);
      rows.push(withCarbon({ start: b.total.start, paidKwh: b.total.paid, freeKwh: b.total.free, cost: b.total.cost }));
      return;
    }
    if (carbon?.forecast?.[i]) {
      rows.push(withCarbon({ start: b.start, paidKwh: null, freeKwh: null, cost: null }));
      return;
    }
    rows.push(withCarbon({ start: b.start, paidKwh: b.paid, freeKwh: b.free, cost: b.cost }));
  });
  return rows;
}

/** The document parts `downloadCsv` uses (the real `document`, or a test double). */
export interface DownloadDocument {
  createElement(tag: "a"): { href: string; download: string; click(): void; remove(): void; style: { display: string } };
  body: { appendChild(node: unknown): unknown };
}

/** Saves `text` as `filename` through a temporary link (no server round trip, nothing fetched). */
export function downloadCsv(text: string, filename: string, doc: DownloadDocument = document as unknown as DownloadDocument, url: Pick<typeof URL, "createObjectURL" | "revokeObjectURL"> = URL): void {
  const href = url.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = doc.createElement("a");
  link.href = href;
  link.download = filename;
  link.style.display = "none";
  doc.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoked after the click has been handled: the download has its own reference by then.
    setTimeout(() => url.revokeObjectURL(href), 0);
  }
}
