import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DateTime } from "luxon";
import { composeHourly, type ComposedRow, type Reading } from "../../server/src/statistics/compose.js";
import { planPublish, type PublishedRow } from "../../server/src/statistics/sums.js";
import { dayStart, hoursInDay } from "../../server/src/time/local.js";

const NZ = "Pacific/Auckland";
const at = (iso: string) => DateTime.fromISO(iso, { zone: NZ }).toSeconds();

function hoursOf(day: string, value: (i: number) => number): Reading[] {
  const start = dayStart(day, NZ);
  return Array.from({ length: hoursInDay(day, NZ) }, (_, i) => ({ start: start + i * 3600, value: value(i) }));
}

/** Apply a plan the way HA does: rows with the same start are replaced. */
function apply(published: PublishedRow[], rows: PublishedRow[]): PublishedRow[] {
  const byStart = new Map(published.map((r) => [r.start, r]));
  for (const r of rows) byStart.set(r.start, r);
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

function assertContinuous(rows: PublishedRow[]): void {
  let sum = 0;
  for (const r of rows) {
    sum += r.value;
    assert.ok(Math.abs(r.sum - sum) < 1e-5, `sum at ${r.start} is ${r.sum}, expected ${sum}`);
  }
}

test("complete days are hourly; DST days have 23 and 25 hours", () => {
  const rows = composeHourly({ hour: [...hoursOf("2026-04-05", () => 1), ...hoursOf("2026-09-27", () => 1)], day: [], month: [] }, NZ);
  assert.equal(rows.filter((r) => r.start < at("2026-04-06")).length, 25);
  assert.equal(rows.filter((r) => r.start >= at("2026-09-27")).length, 23);
  assert.ok(rows.every((r) => r.end - r.start === 3600 && r.start % 3600 === 0));
});

test("a day known only by its total goes into the day's first local hour", () => {
  const rows = composeHourly({ hour: [], day: [{ start: at("2026-03-10"), value: 17.5 }], month: [] }, NZ);
  assert.deepEqual(rows, [{ start: at("2026-03-10"), end: at("2026-03-11"), value: 17.5 }]);
});

test("an incomplete day with a day total uses the total; without one it uses its hours", () => {
  const partial = hoursOf("2026-03-10", () => 1).slice(0, 10);
  assert.deepEqual(composeHourly({ hour: partial, day: [{ start: at("2026-03-10"), value: 24 }], month: [] }, NZ).length, 1);
  assert.equal(composeHourly({ hour: partial, day: [], month: [] }, NZ).length, 10);
});

test("a month total is imported once, less the days known finer, at its first uncovered day", () => {
  const month = { start: at("2026-02-01"), value: 300 };
  const days: Reading[] = [];
  for (let d = 15; d <= 28; d += 1) days.push({ start: at(`2026-02-${String(d).padStart(2, "0")}`), value: 10 });
  const rows = composeHourly({ hour: [], day: days, month: [month] }, NZ);
  assert.equal(rows.length, 15);
  assert.deepEqual(rows[0], { start: at("2026-02-01"), end: at("2026-02-15"), value: 160 });
  assert.equal(rows.reduce((s, r) => s + r.value, 0), 300);
  // Fully covered month: no remainder row at all.
  const full = composeHourly({ hour: [], day: Array.from({ length: 28 }, (_, i) => ({ start: at(`2026-02-${String(i + 1).padStart(2, "0")}`), value: 1 })), month: [month] }, NZ);
  assert.equal(full.length, 28);
});

test("first publish sends everything with sums from zero", () => {
  const composed = composeHourly({ hour: hoursOf("2026-04-05", (i) => i / 10), day: [], month: [] }, NZ);
  const plan = planPublish(composed, []);
  assert.equal(plan.rows.length, 25);
  assertContinuous(plan.rows);
  assert.equal(plan.firstChanged, composed[0]!.start);
});

test("a new day sends only the new day, continuing the last sum", () => {
  const day1 = hoursOf("2026-05-01", () => 0.5);
  const published = planPublish(composeHourly({ hour: day1, day: [], month: [] }, NZ), []).rows;
  const plan = planPublish(composeHourly({ hour: [...day1, ...hoursOf("2026-05-02", () => 0.25)], day: [], month: [] }, NZ), published);
  assert.equal(plan.rows.length, 24);
  assert.equal(plan.rows[0]!.sum, 12.25);
  assert.equal(plan.firstChanged, at("2026-05-02"));
});

test("a revised hour re-sends it and every later hour; earlier rows are untouched", () => {
  const hours = [...hoursOf("2026-05-01", () => 1), ...hoursOf("2026-05-02", () => 1)];
  const published = planPublish(composeHourly({ hour: hours, day: [], month: [] }, NZ), []).rows;
  const revised = hours.map((h, i) => (i === 30 ? { ...h, value: 3 } : h));
  const plan = planPublish(composeHourly({ hour: revised, day: [], month: [] }, NZ), published);
  assert.equal(plan.firstChanged, hours[30]!.start);
  assert.equal(plan.rows.length, 48 - 30);
  const after = apply(published, plan.rows);
  assertContinuous(after);
  assert.equal(after.at(-1)!.sum, 50);
});

test("nothing changed: nothing to send", () => {
  const composed = composeHourly({ hour: hoursOf("2026-05-01", () => 1), day: [{ start: at("2026-04-30"), value: 9 }], month: [] }, NZ);
  const published = planPublish(composed, []).rows;
  assert.deepEqual(planPublish(composed, published), { rows: [], firstChanged: undefined });
});

test("finer data replaces a day total in place, without double counting", () => {
  const published = planPublish(composeHourly({ hour: [], day: [{ start: at("2026-05-01"), value: 24 }], month: [] }, NZ), []).rows;
  const plan = planPublish(composeHourly({ hour: hoursOf("2026-05-01", () => 1), day: [{ start: at("2026-05-01"), value: 24 }], month: [] }, NZ), published);
  const after = apply(published, plan.rows);
  assert.equal(after.length, 24);
  assert.equal(after.at(-1)!.sum, 24);
  assertContinuous(after);
});

test("HA's finer rows are never coarsened by a rebuilt store that only has the day total", () => {
  const hours = hoursOf("2026-05-01", (i) => (i % 3) + 0.5);
  const published = planPublish(composeHourly({ hour: hours, day: [], month: [] }, NZ), []).rows;
  const total = hours.reduce((s, h) => s + h.value, 0);
  const plan = planPublish(composeHourly({ hour: [], day: [{ start: at("2026-05-01"), value: total }], month: [] }, NZ), published);
  assert.deepEqual(plan.rows, []);
});

test("a month HA has partly in hours gets exactly its remainder at its first uncovered hour, once", () => {
  // HA holds 1–10 April hourly; the store was lost and the provider now offers only April's total.
  const days = Array.from({ length: 10 }, (_, i) => `2026-04-${String(i + 1).padStart(2, "0")}`);
  const hours = days.flatMap((d) => hoursOf(d, (i) => 0.5 + (i % 4) * 0.1));
  const inHa = hours.reduce((s, h) => s + h.value, 0);
  let ha = planPublish(composeHourly({ hour: hours, day: [], month: [] }, NZ), []).rows;
  const month = [{ start: at("2026-04-01"), value: 390 }];
  const plan = planPublish(composeHourly({ hour: [], day: [], month }, NZ), ha, 0);
  assert.equal(plan.rows.length, 1, "only the remainder");
  assert.equal(plan.rows[0]!.start, at("2026-04-11"), "at the first hour HA has no row for");
  assert.ok(Math.abs(plan.rows[0]!.value - (390 - inHa)) < 1e-6);
  ha = apply(ha, plan.rows);
  assertContinuous(ha);
  const april = ha.filter((r) => r.start >= at("2026-04-01") && r.start < at("2026-05-01")).reduce((s, r) => s + r.value, 0);
  assert.ok(Math.abs(april - 390) < 1e-6, `April in HA ${april}`);
  assert.deepEqual(planPublish(composeHourly({ hour: [], day: [], month }, NZ), ha, 0).rows, [], "a second run adds nothing");
  // A later revision of the month adds only the difference.
  const revised = planPublish(composeHourly({ hour: [], day: [], month: [{ start: at("2026-04-01"), value: 400 }] }, NZ), ha, 0);
  ha = apply(ha, revised.rows);
  assertContinuous(ha);
  assert.ok(Math.abs(ha.filter((r) => r.start < at("2026-05-01")).reduce((s, r) => s + r.value, 0) - 400) < 1e-6);
});

test("a day HA has partly in hours gets its remainder; a lower total replaces its hours, never a negative bar", () => {
  const morning = hoursOf("2026-05-02", () => 1).slice(0, 12);
  const ha = planPublish(composeHourly({ hour: morning, day: [], month: [] }, NZ), []).rows;
  const plan = planPublish(composeHourly({ hour: [], day: [{ start: at("2026-05-02"), value: 20 }], month: [] }, NZ), ha, 0);
  assert.deepEqual(plan.rows.map((r) => [r.start, r.value]), [[at("2026-05-02T12:00"), 8]]);
  const rounding = planPublish(composeHourly({ hour: [], day: [{ start: at("2026-05-02"), value: 11.995 }], month: [] }, NZ), ha, 0);
  assert.deepEqual(rounding.rows, [], "a total a rounding below HA's hours changes nothing");
  const lower = planPublish(composeHourly({ hour: [], day: [{ start: at("2026-05-02"), value: 5 }], month: [] }, NZ), ha, 0);
  const after = apply(ha, lower.rows);
  assertContinuous(after);
  assert.ok(after.every((r) => r.value >= 0), "never a negative bar");
  assert.equal(after.find((r) => r.start === at("2026-05-02"))!.value, 5, "a total below HA's hours: the day is drawn as its total");
  assert.ok(Math.abs(after.reduce((s, r) => s + r.value, 0) - 5) < 1e-9);
});

test("property: any sequence of compositions keeps HA's sums continuous and equal to the target", () => {
  const dayArb = fc.constantFrom("2026-04-04", "2026-04-05", "2026-04-06");
  const valueArb = fc.integer({ min: 0, max: 5000 }).map((v) => v / 1000);
  const stepArb = fc.record({
    hourly: fc.array(fc.tuple(dayArb, fc.array(valueArb, { minLength: 25, maxLength: 25 })), { maxLength: 3 }),
    daily: fc.array(fc.tuple(dayArb, valueArb), { maxLength: 3 }),
  });
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 1, maxLength: 4 }), (steps) => {
      let ha: PublishedRow[] = [];
      for (const step of steps) {
        const hour: Reading[] = [];
        const seen = new Set<string>();
        for (const [day, values] of step.hourly) {
          if (seen.has(day)) continue;
          seen.add(day);
          hour.push(...hoursOf(day, (i) => values[i]!));
        }
        const day = [...new Map(step.daily.map(([d, v]) => [d, { start: dayStart(d, NZ), value: v }])).values()];
        const composed: ComposedRow[] = composeHourly({ hour, day, month: [] }, NZ);
        ha = apply(ha, planPublish(composed, ha).rows);
        assertContinuous(ha);
        for (const r of ha) assert.ok(r.value >= 0);
      }
    }),
  );
});
