/**
 * "Download CSV" of what the card shows: the loaded range's columns (common/csv.ts writes the file).
 * A column after the last data (not in yet, or still to come) has empty fields, not zeros.
 */
import { csvFilename, csvRowsFromBuckets, downloadCsv, toCsv, type CsvRow } from "./common/csv.js";
import { accountKeyOf, splitAccountKey } from "./data/discovery.js";
import type { LoadedRange } from "./data/statistics-controller.js";

export interface ShownCsv {
  text: string;
  filename: string;
  /** The carbon column's unit, when the card shows one. */
  carbonUnit: string | undefined;
}

/** The end of the last column with data (energy, cost, or a total band); the range's start when none. */
function lastDataEnd(data: LoadedRange): number {
  const energy = data.energyBuckets ?? data.buckets;
  for (let i = energy.length - 1; i >= 0; i -= 1) {
    const b = energy[i];
    if (b && (b.total || b.free !== 0 || b.paid !== 0 || b.cost !== null)) return b.end;
  }
  return data.range.start;
}

/** The file for the shown range; `account` names it (the account or ICP, or undefined for several summed). */
export function shownCsv(data: LoadedRange, account: string | undefined): ShownCsv {
  const carbon = data.carbonShown?.series;
  const withCarbon = carbon && carbon.intensity.some((v) => v !== null) ? carbon : undefined;
  const carbonUnit = withCarbon ? (withCarbon.signal === "percentile" ? "%" : "gCO2eq/kWh") : undefined;
  const until = lastDataEnd(data);
  const rows = csvRowsFromBuckets(data.buckets, withCarbon ? { intensity: withCarbon.intensity, forecast: withCarbon.forecast } : undefined).map(
    (row): CsvRow => (row.start >= until ? { ...row, paidKwh: null, freeKwh: null, cost: null } : row),
  );
  const { range } = data;
  const text = toCsv(rows, { timeZone: range.timeZone, currency: data.currency, carbonUnit });
  const filename = csvFilename({ account, view: range.view, start: range.start, end: range.end, timeZone: range.timeZone });
  return { text, filename, carbonUnit };
}

/** The shown account's name: the configured one, or the one its statistic ids name; undefined for several summed. */
export function shownAccountName(configured: string | undefined, data: LoadedRange | undefined): string | undefined {
  if (configured) return configured;
  const key = data ? accountKeyOf(data.ids) : undefined;
  return key ? splitAccountKey(key).account || undefined : undefined;
}

/** Saves the shown columns as a CSV file. */
export function downloadShownCsv(data: LoadedRange, account: string | undefined): void {
  const csv = shownCsv(data, account);
  downloadCsv(csv.text, csv.filename);
}
