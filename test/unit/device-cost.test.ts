// Learned devices' cost from Contact's own prices: the price per hour, the fallback for the hours
// Contact has not published yet, and the app wiring the price into the power collector's engine
// (without it every device's cost was null, and the card's devices panel showed "—").
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createApp } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/index.js";
import type { Connection } from "../../server/src/ha/connection.js";
import { seriesKey } from "../../server/src/statistics/ids.js";
import { openStore } from "../../server/src/store/store.js";
import { contactPriceSource, priceFromHours, storedContactHours } from "../../server/src/sync/contact-price.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { FakeHa } from "../helpers/fake-ha.js";

const H = 3600;
const DAY = 24 * H;
const ZONE = "Pacific/Auckland";
/** Friday 2026-06-12 00:00 UTC = 12:00 NZST; the five weeks before it are NZST too (local hours of the week, not UTC ones, are compared). */
const T0 = Date.UTC(2026, 5, 12) / 1000;
const MS = 1000;

function price(hours: Parameters<typeof priceFromHours>[0]) {
  const p = priceFromHours(hours, ZONE);
  assert.ok(typeof p === "function", "a price once any hour has one");
  return p;
}

test("device price: an hour's own cost per kWh, summed over contracts; free hours cost 0", () => {
  const p = price([
    { start: T0, kwh: 2, cost: 0.7 },
    { start: T0, kwh: 2, cost: 0.5 },
    { start: T0 + H, kwh: 1.5, cost: 0 },
  ]);
  assert.equal(p(T0 * MS), 0.3);
  assert.equal(p((T0 + H - 1) * MS), 0.3, "any time inside the hour");
  assert.equal(p((T0 + H + 900) * MS), 0, "a free hour");
});

test("device price: hours not published yet cost the mean of the same hour of the week over the last four weeks, else the overall mean", () => {
  const hours = [];
  for (let week = 1; week <= 5; week++) {
    // The hour a week (…) earlier: 0.25 in the last four weeks, 1.00 five weeks back (out of the window).
    hours.push({ start: T0 - week * 7 * DAY, kwh: 1, cost: week === 5 ? 1 : 0.25 });
    // Another hour of the week: free.
    hours.push({ start: T0 - week * 7 * DAY + 3 * H, kwh: 3, cost: 0 });
  }
  const p = price(hours);
  assert.equal(p(T0 * MS), 0.25, "same local hour of the week");
  assert.equal(p((T0 + 3 * H) * MS), 0, "a free hour of the week stays free");
  assert.equal(p((T0 + 7 * H) * MS), 1 / 16, "an hour of the week without prices: the mean of the four weeks (1 NZD over 16 kWh)");
  assert.equal(priceFromHours([{ start: T0, kwh: 0, cost: 0 }], ZONE), undefined, "no price without a priced kWh");
});

test("device price source: hours read again when a check records new ones (at once on a first start), else at most every refresh", () => {
  const dir = mkdtempSync(join(tmpdir(), "ei-device-price-"));
  const { store } = openStore(join(dir, "cache.db"));
  try {
    const clock = new ManualClock((T0 + 2 * H) * MS);
    const source = contactPriceSource(store, "UTC", clock, 86_400_000, 5 * 60_000);
    let reads = 0;
    const readings = store.readings.bind(store);
    store.readings = (...args: Parameters<typeof store.readings>) => {
      reads += 1;
      return readings(...args);
    };
    const icp = "0000000001UN001";
    store.recordSync("contact", icp, "hour", { at: clock.now(), ok: false, error: "Contact is down" });
    assert.equal(source.current(), undefined, "no hours yet");
    const afterFirst = reads;
    assert.ok(afterFirst > 0, "the first ask reads the store");
    for (let i = 0; i < 5; i += 1) assert.equal(source.current(), undefined);
    store.recordSync("contact", icp, "hour", { at: clock.now(), ok: false, error: "Contact is down again" });
    assert.equal(source.current(), undefined);
    assert.equal(reads, afterFirst, "while Contact delivers no hours, asking again does not read the hours again");
    const hour = (start: number, kwh: number, cost: number) => [
      { series: seriesKey("contact", icp, "paid_energy"), resolution: "hour" as const, start, value: kwh },
      { series: seriesKey("contact", icp, "free_energy"), resolution: "hour" as const, start, value: 0 },
      { series: seriesKey("contact", icp, "paid_cost"), resolution: "hour" as const, start, value: cost },
    ];
    store.upsertReadings(hour(T0, 2, 0.6));
    store.recordSync("contact", icp, "hour", { at: clock.now(), ok: true, from: "2026-06-12", to: "2026-06-12" });
    // The first check stored its hours a moment later: the devices are costed at once, not 5 minutes on.
    const price = source.current();
    assert.ok(price !== undefined, "the price is known as soon as the hours are stored");
    const at = (p: NonNullable<typeof price>, ms: number) => (typeof p === "number" ? p : p(ms));
    assert.ok(Math.abs(at(price, T0 * MS) - 0.3) < 1e-9);
    store.upsertReadings(hour(T0, 2, 1.0));
    assert.ok(Math.abs(at(source.current()!, T0 * MS) - 0.3) < 1e-9, "a known price is kept until the refresh");
    clock.advance(5 * 60_000);
    assert.ok(Math.abs(at(source.current()!, T0 * MS) - 0.5) < 1e-9, "and read again after it");
    store.upsertReadings(hour(T0, 2, 1.2));
    clock.advance(1000);
    store.recordSync("contact", icp, "hour", { at: clock.now(), ok: true, from: "2026-06-12", to: "2026-06-12" });
    assert.ok(Math.abs(at(source.current()!, T0 * MS) - 0.6) < 1e-9, "a check that records new hours is seen before the refresh");
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("app: learned devices are costed at the stored Contact prices (the devices panel's cost per day)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ei-device-cost-"));
  const clock = new ManualClock((T0 + 2 * H) * MS);
  const ha = new FakeHa();
  const config = parseConfig(
    {
      home_assistant: { token: "t" },
      power: { history_days: 1 },
      store: { path: join(dir, "cache.db") },
      contact: { accounts: [{ username: "home@example.com", password: "p" }] },
    },
    {},
  );
  const app = createApp(config, { clock, log: pino({ level: "silent" }), connect: () => Promise.resolve(ha as unknown as Connection) });
  try {
    // Contact's hours: 0.30 NZD/kWh in the first, the second a free hour.
    const icp = "0000000001UN001";
    const hour = (start: number, paid: number, free: number, cost: number) => [
      { series: seriesKey("contact", icp, "paid_energy"), resolution: "hour" as const, start, value: paid },
      { series: seriesKey("contact", icp, "free_energy"), resolution: "hour" as const, start, value: free },
      { series: seriesKey("contact", icp, "paid_cost"), resolution: "hour" as const, start, value: cost },
    ];
    app.store.upsertReadings([...hour(T0, 2, 0, 0.6), ...hour(T0 + H, 0, 2, 0)]);
    app.store.recordSync("contact", icp, "hour", { at: clock.now(), ok: true, from: "2026-06-12", to: "2026-06-12" });
    assert.equal(storedContactHours(app.store, T0 - DAY).length, 2);

    // A 1.5 kW heater, 4 min every 10 min for two hours, over a 300 W base read every 5 s.
    ha.set("sensor.home_power", (T0 - H) * MS, "0.3", { device_class: "power", unit_of_measurement: "kW", friendly_name: "Home power" });
    ha.set("switch.heater", (T0 - H) * MS, "off", { friendly_name: "Heater" });
    for (let i = 0; i < 12; i++) {
      const on = (T0 + 120 + i * 600) * MS;
      ha.set("switch.heater", on, "on");
      ha.set("switch.heater", on + 240 * MS, "off");
    }
    for (let t = T0 * MS; t < clock.now(); t += 5 * MS) {
      const running = Array.from({ length: 12 }, (_, i) => (T0 + 120 + i * 600) * MS + MS).some((on) => t >= on && t < on + 240 * MS);
      ha.set("sensor.home_power", t, ((300 + (running ? 1500 : 0) + ((t / 5000) % 3)) / 1000).toFixed(4));
    }
    assert.ok(app.collector);
    await app.collector.start();
    const heater = app.collector.engine.profiles().find((p) => p.entityId === "switch.heater" && p.state === "on");
    assert.ok(heater?.powerW && heater.energyKwh, "the heater is learned");
    // 24 min at ~1.5 kW in the paid hour (0.6 kWh at 0.30), the other 24 min in the free hour.
    assert.ok(heater.cost !== null, "a cost once Contact has prices");
    assert.ok(Math.abs(heater.cost - (heater.energyKwh / 2) * 0.3) < 0.01, `cost ${heater.cost} for ${heater.energyKwh} kWh`);
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
