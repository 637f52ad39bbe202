import { test } from "node:test";
import assert from "node:assert/strict";
import { comparedWindow } from "../../card/src/data/compared.js";

const NZ = "Pacific/Auckland";
const at = (iso: string) => Date.parse(iso);

test("hourly: the compared hours out to whole days of the server's zone (a day held as one total is seen whole)", () => {
  // 4 Apr 2026 15:00 – 5 Apr 06:00 NZ (NZDT ends on the 5th) → 4 Apr 00:00 NZDT – 6 Apr 00:00 NZST.
  const window = comparedWindow("hourly", { start: at("2026-04-04T02:00:00Z"), end: at("2026-04-04T18:00:00Z") }, NZ);
  assert.deepEqual(window, { start: at("2026-04-03T11:00:00Z"), end: at("2026-04-05T12:00:00Z") });
});

test("daily: out to whole months; a range already on day boundaries at a month's end stays in its month", () => {
  // 7 Feb – 9 Mar 2026 (exclusive) → 1 Feb – 1 Apr.
  assert.deepEqual(comparedWindow("daily", { start: at("2026-02-06T11:00:00Z"), end: at("2026-03-08T11:00:00Z") }, NZ), {
    start: at("2026-01-31T11:00:00Z"),
    end: at("2026-03-31T11:00:00Z"),
  });
  // 1 – 31 March (exclusive end 1 April) → unchanged.
  assert.deepEqual(comparedWindow("daily", { start: at("2026-02-28T11:00:00Z"), end: at("2026-03-31T11:00:00Z") }, NZ), {
    start: at("2026-02-28T11:00:00Z"),
    end: at("2026-03-31T11:00:00Z"),
  });
});

test("monthly: as it is", () => {
  const range = { start: at("2024-09-30T12:00:00Z"), end: at("2026-03-31T11:00:00Z") };
  assert.deepEqual(comparedWindow("monthly", range, NZ), range);
});
