import { test } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { billingStep, combineDailyCosts, currentBillPeriod, dailyCostsOf, daysFrom, projectBill } from "../../server/src/bill/projection.js";
import { addDays, dayStart } from "../../server/src/time/local.js";

const NZ = "Pacific/Auckland";
const nz = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toMillis();

/** `n` days from `from`, each costing `cost` (or what `cost(i)` gives). */
function costs(from: string, n: number, cost: number | ((i: number) => number)): Map<string, number> {
  return new Map(Array.from({ length: n }, (_, i) => [addDays(from, i), typeof cost === "number" ? cost : cost(i)]));
}

const PERIOD = { start: "2026-11-19", end: "2026-12-19" };

test("a month with data to 3 days ago: so far is the usage plus the daily charge to the last day with data; projected fills the rest with the recent average", () => {
  // Nov 19 .. Dec 1 (13 days) at 4.00, today Dec 4 (Contact is 1–3 days late).
  const p = projectBill({ period: PERIOD, dailyCosts: costs("2026-11-19", 13, 4), dailyFixedCharge: 2.3, now: nz("2026-12-04T10:00"), zone: NZ });
  assert.deepEqual(p, {
    start: "2026-11-19",
    end: "2026-12-19",
    periodDays: 30,
    daysToNextBill: 15,
    dataUntil: "2026-12-01",
    daysWithData: 13,
    usageSoFar: 52,
    soFar: 52 + 13 * 2.3,
    dailyAverage: 4,
    projected: 30 * 4 + 30 * 2.3,
  });
});

test("the average is of the 7 most recent days with data, and a missing day inside the period is estimated, not counted as 0", () => {
  const daily = costs("2026-11-19", 13, (i) => (i < 6 ? 10 : 3));
  daily.delete("2026-11-25"); // a gap (the provider never sent that day)
  const p = projectBill({ period: PERIOD, dailyCosts: daily, dailyFixedCharge: 0, now: nz("2026-12-04T10:00"), zone: NZ });
  assert.equal(p.daysWithData, 12);
  assert.equal(p.dataUntil, "2026-12-01");
  assert.equal(p.usageSoFar, 6 * 10 + 6 * 3);
  // Most recent 7 with data: Dec 1 .. Nov 26 are 3 (6 days), Nov 25 missing, Nov 24 is 10.
  assert.equal(p.dailyAverage, Math.round(((6 * 3 + 10) / 7) * 100) / 100);
  assert.equal(p.projected, Math.round((78 + ((6 * 3 + 10) / 7) * 18) * 100) / 100);
});

test("no cost yet in the period (it has just started): so far is 0, the projection comes from the previous period's recent days", () => {
  const previous = costs("2026-11-10", 9, 5); // Nov 10 .. Nov 18
  const p = projectBill({ period: PERIOD, dailyCosts: previous, dailyFixedCharge: 1, now: nz("2026-11-20T08:00"), zone: NZ });
  assert.equal(p.dataUntil, null);
  assert.equal(p.daysWithData, 0);
  assert.equal(p.soFar, 0);
  assert.equal(p.dailyAverage, 5);
  assert.equal(p.projected, 30 * 5 + 30 * 1);
  assert.equal(p.daysToNextBill, 29);
});

test("on the bill date itself the new period starts: nothing so far, days to the next bill is the whole period", () => {
  const p = projectBill({ period: PERIOD, dailyCosts: new Map(), dailyFixedCharge: 2, now: nz("2026-11-19T00:00"), zone: NZ });
  assert.deepEqual([p.soFar, p.projected, p.dailyAverage, p.daysToNextBill, p.dataUntil], [0, null, null, 30, null]);
});

test("no data at all: no projection rather than a guess", () => {
  const p = projectBill({ period: PERIOD, dailyCosts: new Map(), dailyFixedCharge: 0, now: nz("2026-12-04T10:00"), zone: NZ });
  assert.equal(p.projected, null);
  assert.equal(p.soFar, 0);
});

test("days after today (data for 'tomorrow' in a clock-skewed store) and outside the period do not count as so far", () => {
  const daily = costs("2026-11-01", 40, 1);
  const p = projectBill({ period: PERIOD, dailyCosts: daily, dailyFixedCharge: 0, now: nz("2026-11-25T12:00"), zone: NZ });
  assert.equal(p.dataUntil, "2026-11-25");
  assert.equal(p.daysWithData, 7);
  assert.equal(p.projected, 30);
});

test("DST: the period over the April change has calendar days, and 'today' is the Auckland day (UTC is the day before)", () => {
  const period = { start: "2026-03-19", end: "2026-04-19" };
  // 2026-04-05 has 25 hours; the count of days is still 31.
  assert.equal(daysFrom(period.start, period.end), 31);
  // 2026-04-10 08:00 NZST is 2026-04-09 20:00 UTC.
  const p = projectBill({ period, dailyCosts: costs("2026-03-19", 20, 2), dailyFixedCharge: 1, now: nz("2026-04-10T08:00"), zone: NZ });
  assert.equal(p.periodDays, 31);
  assert.equal(p.daysToNextBill, 9);
  assert.equal(p.dataUntil, "2026-04-07");
  assert.equal(p.soFar, 20 * 2 + 20 * 1);
  // September's 23-hour day: days to the next bill across it.
  const sept = projectBill({ period: { start: "2026-09-19", end: "2026-10-19" }, dailyCosts: new Map(), dailyFixedCharge: 0, now: nz("2026-09-26T23:30"), zone: NZ });
  assert.equal(sept.daysToNextBill, 23);
});

test("the bill period: seen last bill date, else one billing step back from the next; a passed next bill date rolls forward", () => {
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-12-19", lastBillDate: "2026-11-19" }, "2026-12-04"), { start: "2026-11-19", end: "2026-12-19", derivedStart: false });
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-12-19", billingFrequency: "Monthly" }, "2026-12-04"), { start: "2026-11-19", end: "2026-12-19", derivedStart: true });
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-03-31" }, "2026-03-10"), { start: "2026-02-28", end: "2026-03-31", derivedStart: true });
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-12-19", billingFrequency: "Two Monthly" }, "2026-12-04"), { start: "2026-10-19", end: "2026-12-19", derivedStart: true });
  // Not read again since the bill date went by: the next period, derived.
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-12-19", lastBillDate: "2026-11-19" }, "2026-12-20"), { start: "2026-12-19", end: "2027-01-19", derivedStart: true });
  assert.deepEqual(currentBillPeriod({ nextBillDate: "2026-12-19" }, "2026-12-19"), { start: "2026-12-19", end: "2027-01-19", derivedStart: true });
  assert.equal(currentBillPeriod({}, "2026-12-04"), null);
  assert.deepEqual(billingStep("Fortnightly"), { days: 14 });
  assert.deepEqual(billingStep(undefined), { months: 1 });
});

test("daily costs: complete days from hours (23/24/25 of them), else the day total; partial days left out; contracts combined only on days all have", () => {
  const hours = (day: string, n: number, each: number) => Array.from({ length: n }, (_, i) => ({ start: dayStart(day, NZ) + i * 3600, value: each }));
  const a = dailyCostsOf(
    {
      hour: [...hours("2026-04-05", 25, 0.1), ...hours("2026-04-06", 24, 0.2), ...hours("2026-04-07", 10, 0.3)],
      day: [{ start: dayStart("2026-04-04", NZ), value: 3 }, { start: dayStart("2026-04-07", NZ), value: 7 }],
    },
    NZ,
  );
  assert.deepEqual([...a.entries()].sort().map(([d, v]) => [d, Math.round(v * 100) / 100]), [
    ["2026-04-04", 3],
    ["2026-04-05", 2.5],
    ["2026-04-06", 4.8],
    ["2026-04-07", 7],
  ]);
  const b = dailyCostsOf({ hour: hours("2026-04-06", 24, 0.1), day: [] }, NZ);
  const both = combineDailyCosts([a, b]);
  assert.deepEqual([...both.keys()], ["2026-04-06"]);
  assert.equal(Math.round(both.get("2026-04-06")! * 100) / 100, 7.2);
  assert.deepEqual(combineDailyCosts([]), new Map());
});
