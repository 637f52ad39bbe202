import { test } from "node:test";
import assert from "node:assert/strict";
import { alignGhosts, compareBuckets, compareFigure, compareModeOf, compareRange, compareTotals, comparedPeriodWords, spanOf, type ShownRange } from "../../card/src/common/compare.js";
import { viewRange } from "../../card/src/common/range.js";
import { zonedInstant } from "../../card/src/common/time.js";
import { localizer } from "../../card/src/localize/localize.js";

const NZ = "Pacific/Auckland";
const at = (y: number, m: number, d: number, hour = 0) => zonedInstant({ year: y, month: m, day: d, hour }, NZ);
const iso = (ms: number) => new Date(ms).toISOString();
const en = localizer("en");
const EN = { language: "en", number_format: "language" as const };

function hours(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += 3600_000) out.push(t);
  return out;
}

test("previous period: a week before a week, in calendar days across the April DST change (the week before is an hour longer)", () => {
  const range: ShownRange = { start: at(2026, 4, 6), end: at(2026, 4, 13), timeZone: NZ, period: "day" };
  const c = compareRange(range, "previous");
  assert.equal(iso(c.start), iso(at(2026, 3, 30)));
  assert.equal(c.end, range.start);
  assert.deepEqual(c.shift, { days: 7 });
  assert.equal(c.end - c.start, 7 * 86_400_000 + 3600_000, "the 25-hour day of April 5 is in it");
  assert.equal(comparedPeriodWords(c, en), "last week");
});

test("previous period of a calendar month is the calendar month before, of whatever length; a year is 12 months back", () => {
  const feb: ShownRange = { start: at(2026, 2, 1), end: at(2026, 3, 1), timeZone: NZ, period: "day" };
  const jan = compareRange(feb, "previous");
  assert.deepEqual([iso(jan.start), iso(jan.end)], [iso(at(2026, 1, 1)), iso(at(2026, 2, 1))]);
  assert.deepEqual(jan.shift, { months: 1 });
  assert.equal(comparedPeriodWords(jan, en), "last month");
  const yoy = compareRange(feb, "year");
  assert.deepEqual([iso(yoy.start), iso(yoy.end)], [iso(at(2025, 2, 1)), iso(at(2025, 3, 1))]);
  assert.equal(comparedPeriodWords(yoy, en), "a year ago");
  // The card's monthly view of 18 months.
  const monthly = viewRange("monthly", 18, 0, at(2026, 12, 4, 10), NZ, NZ);
  const before = compareRange(monthly, "previous");
  assert.deepEqual(spanOf(monthly), { months: 18 });
  assert.deepEqual([iso(before.start), iso(before.end)], [iso(at(2024, 1, 1)), iso(at(2025, 7, 1))]);
  assert.equal(comparedPeriodWords(before, en), "the previous 18 months");
});

test("a year ago of a range starting on 29 February starts on 28 February, as HA's addYears does", () => {
  const r: ShownRange = { start: at(2028, 2, 29), end: at(2028, 3, 7), timeZone: NZ, period: "day" };
  const c = compareRange(r, "year");
  assert.equal(iso(c.start), iso(at(2027, 2, 28)));
  assert.equal(iso(c.end), iso(at(2027, 3, 7)));
});

test("the energy picker's end (23:59:59.999) counts as the whole last day", () => {
  const r = { start: at(2026, 11, 30), end: at(2026, 12, 7) - 1, timeZone: NZ };
  assert.deepEqual(spanOf(r), { days: 7 });
  assert.deepEqual(spanOf({ start: at(2026, 12, 4), end: at(2026, 12, 5) - 1, timeZone: NZ }), { days: 1 });
  assert.equal(comparedPeriodWords({ mode: "previous", span: { days: 1 } }, en), "the day before");
  assert.equal(comparedPeriodWords({ mode: "previous", span: { days: 9 } }, en), "the previous 9 days");
});

test("ghost columns: daily columns a week apart line up by calendar day; missing ones are null", () => {
  const current = [at(2026, 4, 6), at(2026, 4, 7), at(2026, 4, 8)];
  const earlier = [
    { start: at(2026, 3, 30), value: 10 },
    { start: at(2026, 4, 1), value: 12 },
  ];
  assert.deepEqual(alignGhosts(current, earlier, { days: 7 }, "day", NZ), [10, null, 12]);
});

test("ghost columns: hourly across DST, each wall hour finds its hour; the repeated hour's second copy has no twin", () => {
  // Apr 5 2026 (25 hours, 02:00 twice) shown, Mar 29 (24 hours) compared.
  const shown = hours(at(2026, 4, 5), at(2026, 4, 6));
  assert.equal(shown.length, 25);
  const earlier = hours(at(2026, 3, 29), at(2026, 3, 30)).map((start, i) => ({ start, value: i }));
  const ghosts = alignGhosts(shown, earlier, { days: 7 }, "hour", NZ);
  assert.deepEqual(ghosts.slice(0, 4), [0, 1, 2, null], "00, 01, 02 (first), 02 (second)");
  assert.deepEqual(ghosts.slice(4, 6), [3, 4]);
  assert.equal(ghosts[24], 23);
  // The other way: September 27 has no 02:00, so the earlier 02:00 has nowhere to go.
  const spring = hours(at(2026, 9, 27), at(2026, 9, 28));
  assert.equal(spring.length, 23);
  const before = hours(at(2026, 9, 20), at(2026, 9, 21)).map((start, i) => ({ start, value: i }));
  const g = alignGhosts(spring, before, { days: 7 }, "hour", NZ);
  assert.deepEqual(g.slice(0, 3), [0, 1, 3]);
});

test("ghost columns: months a year apart; 29 February has no twin a year on", () => {
  const months = [at(2026, 1, 1), at(2026, 2, 1), at(2026, 3, 1)];
  assert.deepEqual(alignGhosts(months, [{ start: at(2025, 2, 1), value: "feb" }, { start: at(2025, 3, 1), value: "mar" }], { months: 12 }, "month", NZ), [null, "feb", "mar"]);
  const days = [at(2029, 2, 28), at(2029, 3, 1)];
  const leap = [
    { start: at(2028, 2, 28), value: 1 },
    { start: at(2028, 2, 29), value: 2 },
    { start: at(2028, 3, 1), value: 3 },
  ];
  assert.deepEqual(alignGhosts(days, leap, { months: 12 }, "day", NZ), [1, 3]);
});

test("totals count only columns both periods have, so hours not in yet are left out of both", () => {
  const t = compareTotals([5, 6, null, null], [4, 6, 7, 8]);
  assert.deepEqual(t, { current: 11, previous: 10, change: 0.1, columns: 2 });
  assert.equal(compareTotals([1], [0]).change, null);
  assert.equal(compareTotals([null], [1]).change, null);
});

test("the header figure: signed whole percent and the period's words, in the user's number format", () => {
  const week = { mode: "previous" as const, span: { days: 7 } };
  assert.equal(compareFigure({ current: 112, previous: 100, change: 0.12, columns: 7 }, week, EN, en), "+12% vs last week");
  assert.equal(compareFigure({ current: 97, previous: 100, change: -0.03, columns: 7 }, { mode: "year", span: { days: 7 } }, EN, en), "−3% vs a year ago");
  assert.equal(compareFigure({ current: 100.2, previous: 100, change: 0.002, columns: 7 }, { mode: "previous", span: { months: 1 } }, EN, en), "Same as last month");
  assert.equal(compareFigure({ current: 1, previous: 0, change: null, columns: 1 }, week, EN, en), null);
  const pl = localizer("pl");
  assert.equal(compareFigure({ current: 112, previous: 100, change: 0.12, columns: 7 }, week, { language: "pl", number_format: "language" }, pl), "+12% wobec poprzedniego tygodnia");
});

test("compare mode from HA's energy collection names and the card's own", () => {
  assert.equal(compareModeOf("previous"), "previous");
  assert.equal(compareModeOf("yoy"), "year");
  assert.equal(compareModeOf("year"), "year");
  assert.equal(compareModeOf(true), "previous", "HA before compare modes");
  assert.equal(compareModeOf(false), null);
  assert.equal(compareModeOf(""), null);
  assert.equal(compareModeOf(undefined), null);
});

test("buckets: ghosts on every slot of the range (not-in-yet ones too), the figure over the slots both have, total bands left out", () => {
  const day = (d: number) => at(2026, 12, d);
  const slots = [1, 2, 3, 4, 5, 6, 7].map((d) => day(d));
  const b = (start: number, paid: number, cost: number | null = paid / 4) => ({ start, end: start + 86_400_000, free: 1, paid, cost });
  const current = [b(day(1), 9), b(day(2), 11), b(day(3), 10)];
  const band = { kind: "month" as const, start: at(2026, 11, 1), end: at(2026, 12, 1), free: 0, paid: 0, cost: null };
  const earlier = [b(at(2026, 11, 24), 8), b(at(2026, 11, 25), 9), { ...b(at(2026, 11, 26), 0), total: band }, b(at(2026, 11, 27), 12)];
  const c = compareRange({ start: day(1), end: day(8), timeZone: NZ, period: "day" }, "previous");
  const out = compareBuckets(slots, current, earlier, c, "day", NZ);
  assert.deepEqual(out.ghosts.map((g) => g?.paid ?? null), [8, 9, 0, 12, null, null, null]);
  assert.deepEqual(out.energy, { current: 10 + 12, previous: 9 + 10, change: (22 - 19) / 19, columns: 2 });
  assert.equal(out.cost.columns, 2);
  assert.equal(compareFigure(out.energy, c, EN, en), "+16% vs last week");
});
