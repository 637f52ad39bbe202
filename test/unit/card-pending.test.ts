import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Bucket } from "../../card/src/chart/buckets.js";
import { withPendingSlots } from "../../card/src/chart/pending.js";
import { viewRange } from "../../card/src/common/range.js";
import { carbonFrom } from "../../card/src/data/carbon.js";

// Data not in yet, pure parts: the slots after the provider's last data up to the range's end (hours,
// or the zone's own days and months, DST included), which of them are "not in yet", and the carbon
// statistics picked out of the one statistics answer.

const H = 3_600_000;
const TZ = "Pacific/Auckland";
const bucketsOf = (starts: number[], step: (s: number) => number): Bucket[] => starts.map((start) => ({ start, end: step(start), free: 0, paid: 1, cost: null }));

test("hourly: empty slots after the last hour up to the range's end; those before now are pending", () => {
  // NOW: 7 Apr 2026 10:00 NZST; the 9-day range ends 8 Apr 00:00 NZST; data ends 7 Apr 00:00.
  const now = Date.parse("2026-04-06T22:00:00Z");
  const range = viewRange("hourly", 9, 0, now, TZ, TZ);
  const lastEnd = Date.parse("2026-04-06T12:00:00Z");
  const hours = Array.from({ length: (lastEnd - range.start) / H }, (_, i) => range.start + i * H);
  const { buckets, pending } = withPendingSlots(bucketsOf(hours, (s) => s + H), range, now);
  assert.equal(buckets.length, (range.end - range.start) / H, "one slot per hour of the range (217: 5 April has 25)");
  assert.equal(buckets.length, 217);
  assert.equal(buckets.at(-1)!.end, range.end);
  assert.deepEqual(pending, { first: hours.length, count: 10, lastDataStart: lastEnd - H, lastDataEnd: lastEnd });
  buckets.slice(hours.length).forEach((b, i) => assert.deepEqual(b, { start: lastEnd + i * H, end: lastEnd + (i + 1) * H, free: 0, paid: 0, cost: null }));
});

test("daily: the zone's own days (the DST day is 25 hours), monthly: its months", () => {
  // Daily range of 5 days ending 6 Apr 2026 (NZ) while data ends 4 Apr 00:00: 4 and 5 Apr (25 h) pending.
  const now = Date.parse("2026-04-05T22:00:00Z"); // 6 Apr 10:00 NZST
  const range = viewRange("daily", 5, 0, now, TZ, TZ);
  const apr4 = Date.parse("2026-04-03T11:00:00Z");
  const apr5 = Date.parse("2026-04-04T11:00:00Z");
  const apr6 = Date.parse("2026-04-05T12:00:00Z");
  const days = [range.start, range.start + 24 * H];
  const { buckets, pending } = withPendingSlots(bucketsOf(days, (s) => s + 24 * H), range, now);
  assert.deepEqual(buckets.slice(2).map((b) => [b.start, b.end]), [
    [apr4, apr5],
    [apr5, apr6],
    [apr6, range.end],
  ]);
  assert.equal(apr6 - apr5, 25 * H);
  assert.deepEqual(pending, { first: 2, count: 3, lastDataStart: days[1], lastDataEnd: apr4 });

  const monthly = viewRange("monthly", 3, 0, now, TZ, TZ); // Feb, Mar, Apr 2026
  const feb = monthly.start;
  const mar = Date.parse("2026-02-28T11:00:00Z");
  const { buckets: months, pending: late } = withPendingSlots(bucketsOf([feb], () => mar), monthly, now);
  assert.deepEqual(months.map((b) => new Date(b.start).toISOString()), ["2026-01-31T11:00:00.000Z", "2026-02-28T11:00:00.000Z", "2026-03-31T11:00:00.000Z"]);
  assert.equal(months.at(-1)!.end, monthly.end);
  assert.equal(late?.count, 2);
});

test("no pending slots when the data reaches now, or the range is over and complete", () => {
  const now = Date.parse("2026-04-06T22:00:00Z");
  const past = viewRange("hourly", 2, 3, now, TZ, TZ);
  const all = Array.from({ length: (past.end - past.start) / H }, (_, i) => past.start + i * H);
  assert.deepEqual(withPendingSlots(bucketsOf(all, (s) => s + H), past, now), { buckets: bucketsOf(all, (s) => s + H) });
  // Data up to the current hour: the rest of today is empty slots, none pending.
  const present = viewRange("hourly", 1, 0, now, TZ, TZ);
  const upToNow = Array.from({ length: (now - present.start) / H }, (_, i) => present.start + i * H);
  const { buckets, pending } = withPendingSlots(bucketsOf(upToNow, (s) => s + H), present, now);
  assert.equal(pending, undefined);
  assert.equal(buckets.at(-1)!.end, present.end);
});

test("a recent range without data: not in yet from its start when the provider's last hour before it is known; else simply empty", () => {
  // Today (7 Apr NZST) picked at 10:00; the last data is 6 Apr 22:00–23:00 NZST.
  const now = Date.parse("2026-04-06T22:00:00Z");
  const today = viewRange("hourly", 1, 0, now, TZ, TZ);
  const before = { start: today.start - 2 * H, end: today.start - H };
  const { buckets, pending } = withPendingSlots([], today, now, before);
  assert.equal(buckets.length, 24, "the whole day as slots");
  assert.equal(buckets[0]!.start, today.start, "the slots begin at the range, not at the last data");
  assert.deepEqual(pending, { first: 0, count: 10, lastDataStart: before.start, lastDataEnd: before.end });
  assert.deepEqual(withPendingSlots([], today, now), { buckets: [] }, "no known last data: nothing to call late");
  // With data in the range, the last data is the range's own (what came before is not used).
  const { pending: own } = withPendingSlots(bucketsOf([today.start], (s) => s + H), today, now, before);
  assert.deepEqual(own, { first: 1, count: 9, lastDataStart: today.start, lastDataEnd: today.start + H });
});

test("property: slots are contiguous, end at the range's end, and the pending ones are exactly those starting before now after the data", () => {
  const now = Date.parse("2026-04-06T22:00:00Z");
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 24 * 31 }), (days, offset, dataHours) => {
      const range = viewRange("hourly", days, offset, now, TZ, TZ);
      const hours = Array.from({ length: Math.min(dataHours, (range.end - range.start) / H) }, (_, i) => range.start + i * H);
      const { buckets, pending } = withPendingSlots(bucketsOf(hours, (s) => s + H), range, now);
      if (!hours.length) return;
      buckets.slice(1).forEach((b, i) => assert.equal(b.start, buckets[i]!.end));
      assert.equal(buckets.at(-1)!.end, range.end);
      const waiting = buckets.slice(hours.length).filter((b) => b.start < now).length;
      assert.equal(pending?.count ?? 0, waiting);
    }),
  );
});

test("carbonFrom: the carbon statistics out of the one answer; an id HA has neither rows nor metadata for is left out", () => {
  const stats = { "energy_insights:x_carbon_intensity": [{ start: 0, end: H, mean: 100 }], "energy_insights:contact_1_paid_energy": [{ start: 0, end: H, change: 1 }] };
  const picked = carbonFrom(stats, { intensity: "energy_insights:x_carbon_intensity", emissions: "energy_insights:contact_1_emissions" }, new Map());
  assert.deepEqual(picked, { ids: { intensity: "energy_insights:x_carbon_intensity" }, signal: "intensity", stats: { "energy_insights:x_carbon_intensity": [{ start: 0, end: H, mean: 100 }] } });
  assert.equal(carbonFrom(stats, { emissions: "energy_insights:contact_1_emissions" }, new Map()), undefined);
});
