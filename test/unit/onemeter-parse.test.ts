import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { ProviderError } from "../../server/src/providers/errors.js";
import { hexObis, isEnergyRegister, normaliseObis } from "../../server/src/providers/onemeter/obis.js";
import { parseDevice, parseReadings } from "../../server/src/providers/onemeter/parse.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/onemeter/${name}`, import.meta.url), "utf8"));

test("the reference's device sample parses verbatim: diagnostics, monthly usage, registers by normalised key", () => {
  const d = parseDevice(fixture("device.json"));
  assert.equal(d.id, "03b38411-d37b-4957-8d5b-641db7bde29a");
  assert.equal(d.name, "Home");
  assert.equal(d.meterId, "PAF70691699");
  assert.equal(d.multiplier, 1);
  assert.equal(d.firmware, "3.1.0");
  assert.equal(d.hardware, "4.5");
  assert.equal(d.timeZone, "Europe/Warsaw");
  assert.equal(d.batteryVoltage, 3.09);
  assert.equal(d.batteryPercent, 87);
  assert.equal(d.batteryStatus, 0);
  assert.equal(d.usageThisMonthKwh, 123.45);
  assert.equal(d.usagePreviousMonthKwh, 456.78);
  assert.equal(d.disabled, false);
  assert.equal(d.lastReading?.at, Date.parse("2025-06-25T13:00:00.000Z"));
  const r = d.lastReading!;
  assert.equal(r.energy["1_8_0"], 12345.67);
  assert.equal(r.energy["1_8_2"], 4345.57);
  assert.equal(r.energy["8_8_0"], 3061.36);
  assert.equal(r.energy["0_2_2"], undefined, "only energy registers are energy");
  assert.equal(r.tariff, "G11");
  // C_1_0 (the meter's serial) is a hex group like F_8_0, so it is normalised as one.
  assert.equal(r.meterSerial, "11722779");
  assert.equal(r.batteryVoltage, 3.09);
});

/** A snapshot's fields besides its energy registers, for a reading that has none of them. */
const NOTHING_ELSE = { powerKw: null, meterSerial: null, meterErrors: null, tariff: null, failedReadouts: null, batteryVoltage: null };

test("the reference's readings sample parses verbatim, oldest first", () => {
  const r = parseReadings(fixture("readings.json"));
  assert.deepEqual(r, [
    { at: Date.parse("2025-06-15T00:00:00.000Z"), energy: { "15_8_0": 22738.78 }, ...NOTHING_ELSE },
    { at: Date.parse("2025-06-15T00:15:00.000Z"), energy: { "15_8_0": 22740.16 }, ...NOTHING_ELSE },
  ]);
  const reversed = { readings: [...(fixture("readings.json") as { readings: unknown[] }).readings].reverse() };
  assert.deepEqual(parseReadings(reversed).map((x) => x.at), r.map((x) => x.at));
});

test("hex and decimal OBIS keys are one register", () => {
  assert.equal(normaliseObis("F_8_0"), "15_8_0");
  assert.equal(normaliseObis("15_8_0"), "15_8_0");
  assert.equal(normaliseObis("f_8_0"), "15_8_0");
  assert.equal(normaliseObis("1_8_1"), "1_8_1");
  assert.equal(normaliseObis("F_F_0"), "15_15_0");
  assert.equal(normaliseObis("10_7_0"), "10_7_0", "a group of digits is decimal");
  assert.equal(normaliseObis("S_1_1_2"), "S_1_1_2");
  assert.equal(normaliseObis("date"), "date");
  fc.assert(
    // Single hex digits (0..F): what the firmware writes. ("10" can only be read as decimal.)
    fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), (a, b, c) => {
      const key = `${a}_${b}_${c}`;
      return normaliseObis(hexObis(key)) === key && normaliseObis(key) === key;
    }),
  );
  const mixed = parseReadings({ readings: [{ F_8_0: 1.5, "1_8_0": "2.25", date: "2025-06-15T00:00:00Z" }] });
  assert.deepEqual(mixed[0]!.energy, { "15_8_0": 1.5, "1_8_0": 2.25 });
  assert.ok(isEnergyRegister("1_8_2") && isEnergyRegister("8_8_0") && !isEnergyRegister("16_7_0") && !isEnergyRegister("0_2_2"));
});

test("fields the OpenAPI copy marks loosely: previousMonth null, numbers as strings, no lastReading, multiplier", () => {
  const d = parseDevice({ _id: "x1", usage: { thisMonth: "12.5", previousMonth: null }, config: { multiplier: 40 } });
  assert.equal(d.usageThisMonthKwh, 12.5);
  assert.equal(d.usagePreviousMonthKwh, null);
  assert.equal(d.multiplier, 40);
  assert.equal(d.lastReading, null);
  assert.equal(parseDevice({ _id: "x1", config: { multiplier: 0 } }).multiplier, 1);
});

test("malformed answers are a clear bad_response, never a crash", () => {
  for (const body of [null, [], { readings: "no" }, { readings: [{ "1_8_0": 1 }] }, { readings: [{ date: "yesterday" }] }]) {
    assert.throws(() => parseReadings(body), (err: unknown) => err instanceof ProviderError && err.kind === "bad_response" && /onemeter: .*readings|onemeter: reading/.test(err.message));
  }
  assert.throws(() => parseDevice({ SN: "x" }), (err: unknown) => err instanceof ProviderError && /_id/.test(err.message));
  assert.throws(() => parseDevice(fixture("error-404-device.json")), ProviderError);
});
