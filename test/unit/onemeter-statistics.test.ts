import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hourlyFromRegister, oneMeterStatistics, registerKind } from "../../server/src/statistics/onemeter.js";
import { oneMeterGridImport } from "../../server/src/sync/onemeter-source.js";
import { EXTERNAL_STATISTIC_ID } from "../../server/src/statistics/ids.js";
import { nextOneMeterPollAt, oneMeterBackoffMs } from "../../server/src/sync/onemeter-poller.js";

const H = 3600;
const Q = 900;

test("15-minute snapshots give each hour its exact register difference", () => {
  const t0 = 1_750_000_000 - (1_750_000_000 % H);
  const snaps = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ start: t0 + i * Q, value: 100 + i * i * 0.01 }));
  const rows = hourlyFromRegister(snaps);
  assert.deepEqual(rows.map((r) => r.start), [t0, t0 + H]);
  assert.ok(Math.abs(rows[0]!.value - (snaps[4]!.value - snaps[0]!.value)) < 1e-9);
  assert.ok(Math.abs(rows[1]!.value - (snaps[8]!.value - snaps[4]!.value)) < 1e-9);
});

test("a gap is spread over its hours and a late burst replaces the spread with exact hours; totals never change", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 8, maxLength: 200 }), fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }), (incs, keep) => {
      const t0 = 1_750_000_000 - (1_750_000_000 % H);
      let v = 1000;
      const all = [{ start: t0, value: v }, ...incs.map((inc, i) => ({ start: t0 + (i + 1) * Q, value: (v += inc / 100) }))];
      const sparse = all.filter((_, i) => i === 0 || i === all.length - 1 || keep[i]);
      const full = hourlyFromRegister(all);
      const gappy = hourlyFromRegister(sparse);
      const total = all.at(-1)!.value - all[0]!.value;
      const sum = (rows: { value: number }[]) => rows.reduce((s, r) => s + r.value, 0);
      assert.ok(Math.abs(sum(full) - total) < 1e-4 && Math.abs(sum(gappy) - total) < 1e-4);
      assert.ok(gappy.every((r) => r.value >= 0));
      for (const r of full) {
        const end = all.find((s) => s.start === r.start + H) ?? all.at(-1)!;
        const begin = all.find((s) => s.start === r.start)!;
        assert.ok(Math.abs(r.value - (end.value - begin.value)) < 1e-6);
      }
    }),
  );
});

test("a counter that goes down (meter replaced) adds nothing instead of a negative hour", () => {
  const rows = hourlyFromRegister([{ start: 0, value: 500 }, { start: Q, value: 3 }, { start: 2 * Q, value: 4 }]);
  assert.deepEqual(rows, [{ start: 0, end: H, value: 1 }]);
});

test("statistic ids and units per register: import, export, tariffs, reactive kvarh; |A| as import on blink meters", () => {
  const dev = "03b38411-d37b-4957-8d5b-641db7bde29a";
  const stats = oneMeterStatistics(dev, ["1_8_0", "1_8_1", "1_8_2", "2_8_0", "5_8_0", "8_8_0", "15_8_0"]);
  const ids = stats.map((s) => s.stat.statisticId);
  assert.deepEqual(ids, [
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_import_energy",
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_import_energy_t1",
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_import_energy_t2",
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_export_energy",
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_reactive_energy_q1",
    "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a_reactive_energy_q4",
  ]);
  for (const id of ids) assert.match(id, EXTERNAL_STATISTIC_ID);
  assert.deepEqual(
    stats.map((s) => [s.register, s.stat.unit, s.stat.unitClass]),
    [
      ["1_8_0", "kWh", "energy"],
      ["1_8_1", "kWh", "energy"],
      ["1_8_2", "kWh", "energy"],
      ["2_8_0", "kWh", "energy"],
      ["5_8_0", "kvarh", null],
      ["8_8_0", "kvarh", null],
    ],
  );
  const blink = oneMeterStatistics(dev, ["15_8_0"]);
  assert.deepEqual(blink.map((s) => [s.register, s.series.endsWith("_import_energy"), s.stat.unit]), [["15_8_0", true, "kWh"]]);
  assert.equal(registerKind("2_8_3"), "export_energy_t3");
  assert.equal(registerKind("16_7_0"), undefined);
});

test("polls fall on the clock's marks, at least 60 s apart, later after failures", () => {
  const m = 60_000;
  const base = Date.UTC(2026, 5, 1, 10, 0, 0);
  assert.equal(nextOneMeterPollAt(base + 7 * m + 5_000, 15 * m, undefined), base + 15 * m);
  assert.equal(nextOneMeterPollAt(base + 15 * m, 15 * m, base + 15 * m), base + 30 * m, "never the same mark twice");
  assert.equal(nextOneMeterPollAt(base + 30_000, m, base + 20_000), base + 2 * m, "60 s after a poll 40 s before the next mark");
  assert.equal(nextOneMeterPollAt(base, 10_000, undefined), base + m, "an interval under a minute is a minute");
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(m, 5 * m, 15 * m), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 5 }), (now, interval, since, failures) => {
      const last = base + now - since;
      const at = nextOneMeterPollAt(base + now, interval, last, oneMeterBackoffMs(failures, "rate_limited", interval));
      return at % interval === 0 && at > base + now && at - last >= 60_000;
    }),
  );
  assert.equal(oneMeterBackoffMs(1, "auth", m), 3600_000);
  assert.equal(oneMeterBackoffMs(10, "auth", m), 24 * 3600_000);
  assert.equal(oneMeterBackoffMs(1, "rate_limited", m), 15 * m);
  assert.equal(oneMeterBackoffMs(1, "server", 5 * m), 5 * m);
  assert.equal(oneMeterBackoffMs(0, "server", 5 * m), 0);
});

test("Energy prefs source: import as grid consumption, export as return; a blink meter's |A| is its import; none before any import register", () => {
  const dev = "03b38411-d37b-4957-8d5b-641db7bde29a";
  const base = "energy_insights:onemeter_03b38411_d37b_4957_8d5b_641db7bde29a";
  assert.deepEqual(oneMeterGridImport(dev, ["1_8_0", "1_8_1", "2_8_0", "5_8_0"]), { energyStatisticId: `${base}_import_energy`, costStatisticId: null, returnStatisticId: `${base}_export_energy` });
  assert.deepEqual(oneMeterGridImport(dev, ["15_8_0"]), { energyStatisticId: `${base}_import_energy`, costStatisticId: null, returnStatisticId: null });
  assert.equal(oneMeterGridImport(dev, []), undefined);
  assert.equal(oneMeterGridImport(dev, ["5_8_0"]), undefined);
});
