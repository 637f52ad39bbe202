import { test } from "node:test";
import assert from "node:assert/strict";
import { csvField, csvFilename, csvRowsFromBuckets, csvHeader, csvNumber, downloadCsv, localIso, toCsv, type DownloadDocument } from "../../card/src/common/csv.js";
import { zonedInstant } from "../../card/src/common/time.js";

const NZ = "Pacific/Auckland";
const at = (y: number, m: number, d: number, hour = 0) => zonedInstant({ year: y, month: m, day: d, hour }, NZ);

test("RFC 4180 fields: commas, quotes and line breaks quoted, quotes doubled; plain text as is", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\r\nlines"), '"two\r\nlines"');
  assert.equal(csvField("line\nfeed"), '"line\nfeed"');
});

test("numbers for machines: dot decimals, no grouping, no float noise, empty for no value", () => {
  assert.equal(csvNumber(0.1 + 0.2), "0.3");
  assert.equal(csvNumber(12345.678), "12345.678");
  assert.equal(csvNumber(null), "");
  assert.equal(csvNumber(undefined), "");
  assert.equal(csvNumber(Number.NaN), "");
  assert.equal(csvNumber(-0.0000001), "0");
  assert.equal(csvNumber(0), "0");
});

test("local ISO with the offset of that instant: both copies of the repeated April hour, and UTC", () => {
  const first = at(2026, 4, 5, 2) - 3600_000; // 02:00 NZDT
  assert.equal(localIso(first, NZ), "2026-04-05T02:00:00+13:00");
  assert.equal(localIso(first + 3600_000, NZ), "2026-04-05T02:00:00+12:00");
  assert.equal(localIso(Date.UTC(2026, 0, 1), "UTC"), "2026-01-01T00:00:00+00:00");
  assert.equal(localIso(Date.UTC(2026, 6, 1, 12), "America/St_Johns"), "2026-07-01T09:30:00-02:30");
});

test("the file: header with the currency and carbon unit, rows in time order, CRLF line ends, empty cells for data not in", () => {
  const rows = [
    { start: at(2026, 12, 2), paidKwh: null, freeKwh: null, cost: null, carbon: 95 },
    { start: at(2026, 12, 1), paidKwh: 10.25, freeKwh: 3.5, cost: 3.67, carbon: 101.5 },
  ];
  assert.equal(
    toCsv(rows, { timeZone: NZ, currency: "NZD", carbonUnit: "gCO2eq/kWh" }),
    "start,paid_kwh,free_kwh,cost_nzd,carbon_gco2eq_kwh\r\n2026-12-01T00:00:00+13:00,10.25,3.5,3.67,101.5\r\n2026-12-02T00:00:00+13:00,,,,95\r\n",
  );
  assert.equal(toCsv([], { timeZone: NZ }), "start,paid_kwh,free_kwh,cost\r\n");
  assert.deepEqual(csvHeader({ timeZone: NZ, carbonUnit: "" }), ["start", "paid_kwh", "free_kwh", "cost", "carbon"]);
  // No carbon column when the card shows none, even if rows carry a value.
  assert.equal(toCsv(rows.slice(1), { timeZone: NZ }).split("\r\n")[1], "2026-12-01T00:00:00+13:00,10.25,3.5,3.67");
});

test("the file name says account, view and the days shown (the last one, not the exclusive end), with safe characters only", () => {
  assert.equal(csvFilename({ account: "0000012345abc", view: "hourly", start: at(2026, 11, 25), end: at(2026, 12, 4), timeZone: NZ }), "energy-insights_0000012345abc_hourly_2026-11-25_2026-12-03.csv");
  assert.equal(csvFilename({ view: "monthly", start: at(2025, 7, 1), end: at(2027, 1, 1), timeZone: NZ }), "energy-insights_monthly_2025-07-01_2026-12-31.csv");
  assert.equal(csvFilename({ account: "../Main St/ÄÖ", view: "daily", start: at(2026, 1, 1), end: at(2026, 1, 2), timeZone: NZ }), "energy-insights_main-st_daily_2026-01-01_2026-01-01.csv");
});

test("download: a hidden link with the file name is clicked and removed, and its object URL revoked", async () => {
  const events: string[] = [];
  const link = { href: "", download: "", style: { display: "" }, click: () => events.push(`click ${link.download} ${link.href}`), remove: () => events.push("remove") };
  const doc: DownloadDocument = { createElement: () => link, body: { appendChild: () => events.push("append") } };
  let blob: Blob | undefined;
  const url = {
    createObjectURL: (b: Blob) => {
      blob = b;
      return "blob:1";
    },
    revokeObjectURL: (u: string) => events.push(`revoke ${u}`),
  };
  downloadCsv("a,b\r\n", "x.csv", doc, url as unknown as Pick<typeof URL, "createObjectURL" | "revokeObjectURL">);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events, ["append", "click x.csv blob:1", "remove", "revoke blob:1"]);
  assert.equal(link.style.display, "none");
  assert.equal(await blob!.text(), "a,b\r\n");
  assert.equal(blob!.type, "text/csv;charset=utf-8");
});

test("rows from the chart's buckets: a total band once at its start, forecast hours without energy, carbon when shown", () => {
  const h = (n: number) => at(2026, 12, 1, n);
  const total = { kind: "day" as const, start: at(2026, 11, 30), end: at(2026, 12, 1), free: 3, paid: 20, cost: 7.1 };
  const buckets = [
    { start: at(2026, 11, 30), end: at(2026, 11, 30, 1), free: 0, paid: 0, cost: null, total },
    { start: at(2026, 11, 30, 1), end: at(2026, 11, 30, 2), free: 0, paid: 0, cost: null, total },
    { start: h(0), end: h(1), free: 0.5, paid: 0, cost: 0 },
    { start: h(1), end: h(2), free: 0, paid: 0, cost: null },
  ];
  assert.deepEqual(csvRowsFromBuckets(buckets), [
    { start: at(2026, 11, 30), paidKwh: 20, freeKwh: 3, cost: 7.1 },
    { start: h(0), paidKwh: 0, freeKwh: 0.5, cost: 0 },
    { start: h(1), paidKwh: 0, freeKwh: 0, cost: null },
  ]);
  assert.deepEqual(csvRowsFromBuckets(buckets, { intensity: [100, 100, 90, 80], forecast: [false, false, false, true] }), [
    { start: at(2026, 11, 30), paidKwh: 20, freeKwh: 3, cost: 7.1, carbon: 100 },
    { start: h(0), paidKwh: 0, freeKwh: 0.5, cost: 0, carbon: 90 },
    { start: h(1), paidKwh: null, freeKwh: null, cost: null, carbon: 80 },
  ]);
});
