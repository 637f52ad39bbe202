import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openStore } from "../../server/src/store/store.js";
import { MIGRATIONS } from "../../server/src/store/migrations.js";

const tmp = () => join(mkdtempSync(join(tmpdir(), "ei-store-")), "cache.db");

test("readings are upserted by (series, resolution, start) and survive reopening", () => {
  const path = tmp();
  const { store } = openStore(path);
  store.upsertReadings([
    { series: "s", resolution: "hour", start: 3600, value: 1 },
    { series: "s", resolution: "hour", start: 7200, value: 2 },
    { series: "s", resolution: "day", start: 3600, value: 3 },
  ]);
  store.upsertReadings([{ series: "s", resolution: "hour", start: 3600, value: 1.5 }]);
  store.close();
  const again = openStore(path).store;
  assert.deepEqual(again.readings("s", "hour"), [{ start: 3600, value: 1.5 }, { start: 7200, value: 2 }]);
  assert.deepEqual(again.readings("s", "day"), [{ start: 3600, value: 3 }]);
  assert.deepEqual(again.readings("s", "hour", 7200), [{ start: 7200, value: 2 }]);
  again.close();
});

test("periods, attempts, sync state and published rows round-trip", () => {
  const { store } = openStore(tmp());
  store.recordPeriod("contact", "c1", "hour", "2026-04-05", { rows: 25, totalKwh: 30.5, cost: null, fetchedAt: 10 });
  assert.deepEqual(store.periods("contact", "c1", "hour").get("2026-04-05"), { rows: 25, totalKwh: 30.5, cost: null, fetchedAt: 10 });
  store.recordAttempt("contact", "c1", "probe", { at: 5, ok: false });
  assert.deepEqual(store.attempts("contact", "c1").get("probe"), { at: 5, ok: false });
  store.recordSync("contact", "c1", "hour", { at: 1, ok: true, from: "2026-04-02", to: "2026-04-05" });
  store.recordSync("contact", "c1", "hour", { at: 2, ok: false, error: "boom" });
  store.recordSync("contact", "c1", "hour", { at: 3, ok: false, error: "boom again" });
  const s = store.syncState("contact", "c1", "hour")!;
  assert.equal(s.failures, 2);
  assert.equal(s.lastSuccess, 1);
  assert.equal(s.lastError, "boom again");
  store.recordSync("contact", "c1", "hour", { at: 4, ok: true, from: "2026-03-30", to: "2026-04-01" });
  assert.deepEqual([store.syncState("contact", "c1", "hour")!.coveredFrom, store.syncState("contact", "c1", "hour")!.coveredTo, store.syncState("contact", "c1", "hour")!.failures], ["2026-03-30", "2026-04-05", 0]);
  store.recordPublished("x", [{ start: 0, value: 1, sum: 1 }, { start: 3600, value: 2, sum: 3 }]);
  assert.deepEqual(store.publishedBefore("x", 3600), { start: 0, value: 1, sum: 1 });
  assert.equal(store.hasPublished("y"), false);
  store.set("k", "v");
  assert.equal(store.get("k"), "v");
  store.close();
});

test("a corrupt file is moved aside, kept byte for byte, and a fresh store is made", () => {
  const path = tmp();
  const garbage = Buffer.from("this is not an sqlite database ".repeat(200));
  writeFileSync(path, garbage);
  const moved: string[] = [];
  const opened = openStore(path, { onMovedAside: (_from, to) => moved.push(to) });
  assert.ok(opened.movedAside);
  assert.deepEqual(moved, [opened.movedAside]);
  assert.deepEqual(readFileSync(opened.movedAside!), garbage);
  opened.store.upsertReadings([{ series: "s", resolution: "hour", start: 0, value: 1 }]);
  assert.equal(opened.store.readings("s", "hour").length, 1);
  opened.store.close();
});

test("a damaged page inside a real database is detected and moved aside", () => {
  const path = tmp();
  const { store } = openStore(path);
  store.upsertReadings(Array.from({ length: 5000 }, (_, i) => ({ series: `s${i % 7}`, resolution: "hour" as const, start: i * 3600, value: i })));
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  store.close();
  const bytes = readFileSync(path);
  bytes.fill(0xa5, 4096 * 3, 4096 * 6);
  writeFileSync(path, bytes);
  const opened = openStore(path);
  assert.ok(opened.movedAside, "damage must be detected");
  assert.ok(existsSync(opened.movedAside!));
  assert.equal(opened.store.readings("s1", "hour").length, 0);
  opened.store.close();
  assert.ok(readdirSync(join(path, "..")).some((f) => f.includes(".corrupt-")));
});

test("a database from a newer version is refused, not moved aside", () => {
  const path = tmp();
  const db = new Database(path);
  db.pragma("user_version = 99");
  db.close();
  assert.throws(() => openStore(path), /newer Energy Insights/);
  assert.ok(existsSync(path));
});

test("mean statistics' confirmed hours live beside the sums in the published table; an older store's JSON blob is adopted once", () => {
  const { store } = openStore(":memory:");
  store.set("published_mean:em_nz_carbon_intensity", JSON.stringify({ 3600: [100, 90, 110], 7200: [101, 91, 111], 10800: "garbage" }));
  assert.deepEqual([...store.publishedMeans("em_nz_carbon_intensity")], [[3600, [100, 90, 110]], [7200, [101, 91, 111]]]);
  assert.equal(store.get("published_mean:em_nz_carbon_intensity"), undefined, "the blob is gone once adopted");
  store.recordPublishedMeans("em_nz_carbon_intensity", [{ start: 10800, mean: 102, min: 92, max: 112 }], 7200);
  assert.deepEqual([...store.publishedMeans("em_nz_carbon_intensity").keys()], [7200, 10800], "hours before keepFrom are forgotten");
  store.close();
});

test("state events keep their attribute levels; an event without levels reads back without them", () => {
  const { store } = openStore(tmp());
  store.addStateEvents([
    { t: 1000, entityId: "light.desk", from: "off", to: "on", fromLevel: null, toLevel: "brightness 50 %" },
    { t: 2000, entityId: "switch.kettle", from: "off", to: "on" },
  ]);
  assert.deepEqual(store.stateEvents(), [
    { t: 1000, entityId: "light.desk", from: "off", to: "on", fromLevel: null, toLevel: "brightness 50 %" },
    { t: 2000, entityId: "switch.kettle", from: "off", to: "on" },
  ]);
  store.close();
});

test("a store from before the one published table keeps its sums and means through the migration", () => {
  const path = tmp();
  const db = new Database(path);
  for (const m of MIGRATIONS.slice(0, 4)) db.exec(m);
  db.pragma("user_version = 4");
  db.prepare("INSERT INTO published (series, start, value, sum) VALUES (?, ?, ?, ?)").run("c_paid", 3600, 1.5, 10.5);
  db.prepare("INSERT INTO published (series, start, value, sum) VALUES (?, ?, ?, ?)").run("c_paid", 7200, 2, 12.5);
  db.prepare("INSERT INTO published_mean (series, start, mean, min, max) VALUES (?, ?, ?, ?, ?)").run("wt_nz_carbon_intensity", 3600, 100, 90, 110);
  db.close();
  const { store } = openStore(path);
  assert.deepEqual(store.published("c_paid"), [{ start: 3600, value: 1.5, sum: 10.5 }, { start: 7200, value: 2, sum: 12.5 }]);
  assert.deepEqual(store.publishedBefore("c_paid", 7200), { start: 3600, value: 1.5, sum: 10.5 });
  assert.deepEqual([...store.publishedMeans("wt_nz_carbon_intensity")], [[3600, [100, 90, 110]]]);
  assert.ok(!store.hasPublished("wt_nz_carbon_intensity"), "a mean statistic has no sums to continue");
  assert.deepEqual(store.published("wt_nz_carbon_intensity"), []);
  const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  assert.ok(!tables.includes("published_mean"), tables.join(", "));
  store.close();
});
