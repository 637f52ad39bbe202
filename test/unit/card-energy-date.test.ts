import { test } from "node:test";
import assert from "node:assert/strict";
import { zonedInstant } from "../../card/src/common/time.js";
import {
  energyCollectionKeys,
  energyRange,
  isOptionProblem,
  readEnergyOptions,
  suggestedView,
  exclusiveEnd,
  normalizeCollectionKey,
  subscribeEnergyDate,
  type EnergyDataLike,
  type EnergyDateState,
  type EnergyHass,
} from "../../card/src/data/energy-date.js";

/** HA's energy collection as its frontend builds it: start/end/compare fields and a subscribe that counts subscribers. */
class FakeCollection {
  start: Date;
  end: Date | undefined;
  compare: string | boolean | undefined;
  subscribers = new Set<(d: EnergyDataLike) => void>();
  constructor(start: string, end?: string) {
    this.start = new Date(start);
    this.end = end ? new Date(end) : undefined;
  }
  subscribe(fn: (d: EnergyDataLike) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
  /** What the picker does: setPeriod / setCompare, then refresh, which calls every subscriber with the new data. */
  pick(start: string, end: string | undefined, compare?: string) {
    this.start = new Date(start);
    this.end = end ? new Date(end) : undefined;
    this.compare = compare;
    for (const fn of this.subscribers) fn({ start: this.start, end: this.end, compareMode: compare });
  }
}

class FakeTimers {
  now = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.next;
    this.queue.push({ at: this.now + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.queue = this.queue.filter((t) => t.id !== id);
  };
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const t = this.queue[0];
      if (!t || t.at > until) break;
      this.queue.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
  get pending() {
    return this.queue.length;
  }
}

// Pacific/Auckland: Nov 30 00:00 NZDT = Nov 29 11:00Z; HA's end is the last ms of Dec 6.
const WEEK = { start: "2026-11-29T11:00:00.000Z", end: "2026-12-06T10:59:59.999Z" };

test("keys: a configured collection_key as HA names it; else the dashboard's default collection, then _energy", () => {
  assert.equal(normalizeCollectionKey("energy_upstairs"), "energy_upstairs");
  assert.equal(normalizeCollectionKey("upstairs"), "energy_ui_upstairs");
  assert.deepEqual(energyCollectionKeys({}, "energy_upstairs"), ["_energy_upstairs"]);
  const hass: EnergyHass = {
    panelUrl: "dashboard-power",
    panels: { "dashboard-power": { url_path: "dashboard-power", title: "Power" }, energy: { url_path: "energy", title: "energy" } },
    localize: (k) => (k === "panel.energy" ? "Energy" : ""),
  };
  assert.deepEqual(energyCollectionKeys(hass), ["_energy_dashboard-power", "_energy_ui_Power", "_energy"]);
  assert.deepEqual(energyCollectionKeys({ ...hass, panelUrl: "energy" }), ["_energy_energy", "_energy_ui_Energy", "_energy"]);
  assert.deepEqual(energyCollectionKeys({}), ["_energy"]);
});

test("HA's end of day is the card's exclusive end; an open end is null", () => {
  assert.equal(exclusiveEnd(new Date(WEEK.end)), Date.parse("2026-12-06T11:00:00.000Z"));
  assert.equal(exclusiveEnd(new Date("2026-12-06T11:00:00.000Z")), Date.parse("2026-12-06T11:00:00.000Z"));
  assert.equal(exclusiveEnd(undefined), null);
});

test("an existing collection: its dates at once, then every change of the picker's dates or comparison; unsubscribing lets go", () => {
  const collection = new FakeCollection(WEEK.start, WEEK.end);
  const states: EnergyDateState[] = [];
  const timers = new FakeTimers();
  const stop = subscribeEnergyDate({ connection: { _energy: collection } }, { onChange: (s) => states.push(s), timers });
  assert.deepEqual(states, [{ status: "following", selection: { start: Date.parse(WEEK.start), end: Date.parse("2026-12-06T11:00:00.000Z"), compare: null, key: "_energy" } }]);
  assert.equal(collection.subscribers.size, 1);
  // HA's first data for the same dates changes nothing.
  collection.pick(WEEK.start, WEEK.end);
  assert.equal(states.length, 1);
  collection.pick("2026-11-30T11:00:00.000Z", "2026-12-01T10:59:59.999Z", "yoy");
  assert.deepEqual(states[1], { status: "following", selection: { start: Date.parse("2026-11-30T11:00:00.000Z"), end: Date.parse("2026-12-01T11:00:00.000Z"), compare: "year", key: "_energy" } });
  collection.pick("2026-11-30T11:00:00.000Z", undefined, "previous");
  assert.deepEqual(states[2], { status: "following", selection: { start: Date.parse("2026-11-30T11:00:00.000Z"), end: null, compare: "previous", key: "_energy" } });
  stop();
  stop();
  assert.equal(collection.subscribers.size, 0);
  collection.pick(WEEK.start, WEEK.end);
  assert.equal(states.length, 3);
  assert.equal(timers.pending, 0);
});

test("the dashboard's own collection wins over _energy; a configured key is the only one looked for", () => {
  const mine = new FakeCollection(WEEK.start, WEEK.end);
  const other = new FakeCollection("2020-01-01T00:00:00.000Z");
  const hass: EnergyHass = { connection: { _energy: other, _energy_ui_Home: mine }, panelUrl: "lovelace", panels: { lovelace: { url_path: "lovelace", title: "Home" } } };
  const states: EnergyDateState[] = [];
  subscribeEnergyDate(hass, { onChange: (s) => states.push(s), timers: new FakeTimers() })();
  assert.equal(states[0]?.status === "following" && states[0].selection.key, "_energy_ui_Home");
  const configured: EnergyDateState[] = [];
  subscribeEnergyDate(hass, { collectionKey: "energy_upstairs", onChange: (s) => configured.push(s), timers: new FakeTimers() })();
  assert.deepEqual(configured, [{ status: "waiting", keys: ["_energy_upstairs"] }]);
});

test("older HA (compare: true, no compareMode) compares with the previous period", () => {
  const collection = new FakeCollection(WEEK.start, WEEK.end);
  const states: EnergyDateState[] = [];
  const stop = subscribeEnergyDate({ connection: { _energy: collection } }, { onChange: (s) => states.push(s), timers: new FakeTimers() });
  for (const fn of collection.subscribers) fn({ start: collection.start, end: collection.end, startCompare: new Date("2026-11-22T11:00:00.000Z") });
  assert.equal(states[1]?.status === "following" && states[1].selection.compare, "previous");
  stop();
  const old = new FakeCollection(WEEK.start, WEEK.end);
  old.compare = true;
  const first: EnergyDateState[] = [];
  subscribeEnergyDate({ connection: { _energy: old } }, { onChange: (s) => first.push(s), timers: new FakeTimers() })();
  assert.equal(first[0]?.status === "following" && first[0].selection.compare, "previous");
});

test("no collection yet: waiting, then following as soon as the date picker card creates it", () => {
  const connection: Record<string, unknown> = {};
  const timers = new FakeTimers();
  const states: EnergyDateState[] = [];
  const stop = subscribeEnergyDate({ connection }, { onChange: (s) => states.push(s), timers, waitMs: 1000, pollMs: 100 });
  assert.deepEqual(states, [{ status: "waiting", keys: ["_energy"] }]);
  timers.advance(500);
  connection._energy = new FakeCollection(WEEK.start, WEEK.end);
  timers.advance(100);
  assert.equal(states.length, 2);
  assert.equal(states[1]?.status, "following");
  assert.equal(timers.pending, 0, "no more looking once found");
  stop();
});

test("no collection at all: 'missing' after the wait (the card shows its own dates), still following a picker that comes later", () => {
  const connection: Record<string, unknown> = { _energy: { not: "a collection" } };
  const timers = new FakeTimers();
  const states: EnergyDateState[] = [];
  const stop = subscribeEnergyDate({ connection }, { onChange: (s) => states.push(s), timers, waitMs: 1000, pollMs: 100 });
  timers.advance(999);
  assert.deepEqual(states.map((s) => s.status), ["waiting"]);
  timers.advance(1);
  assert.deepEqual(states.map((s) => s.status), ["waiting", "missing"]);
  assert.deepEqual(states[1], { status: "missing", keys: ["_energy"] });
  timers.advance(60_000);
  assert.equal(states.length, 2, "said once");
  connection._energy = new FakeCollection(WEEK.start, WEEK.end);
  timers.advance(800);
  assert.equal(states[2]?.status, "following");
  stop();
  assert.equal(timers.pending, 0);
});

test("no connection (a hass without one, as in the card editor's preview): waiting, and stopping clears the timer", () => {
  const timers = new FakeTimers();
  const states: EnergyDateState[] = [];
  const stop = subscribeEnergyDate({}, { onChange: (s) => states.push(s), timers });
  assert.equal(states[0]?.status, "waiting");
  assert.equal(timers.pending, 1);
  stop();
  assert.equal(timers.pending, 0);
});

const NZ = "Pacific/Auckland";
const at = (y: number, m: number, d: number, hour = 0) => zonedInstant({ year: y, month: m, day: d, hour }, NZ);

test("card options: period energy with an optional collection key; compare previous, year or none; clear problems otherwise", () => {
  assert.deepEqual(readEnergyOptions({}), { followEnergy: false, collectionKey: undefined, compare: undefined });
  assert.deepEqual(readEnergyOptions({ period: "energy", collection_key: " energy_upstairs ", compare: "year" }), { followEnergy: true, collectionKey: "energy_upstairs", compare: "year" });
  assert.deepEqual(readEnergyOptions({ period: "", collection_key: "", compare: "none" }), { followEnergy: false, collectionKey: undefined, compare: null });
  const problems = [
    readEnergyOptions({ period: "week" }),
    readEnergyOptions({ period: "energy", collection_key: 3 }),
    readEnergyOptions({ collection_key: "energy_x" }),
    readEnergyOptions({ compare: "yoy" }),
  ];
  assert.ok(problems.every(isOptionProblem));
  assert.deepEqual(problems.map((p) => (isOptionProblem(p) ? p.field : "")), ["period", "collection_key", "collection_key", "compare"]);
  const first = problems[0]!;
  assert.ok(isOptionProblem(first) && first.message.includes('"energy"'));
});

test("the view for a picked range, as HA's energy cards choose their period", () => {
  assert.equal(suggestedView(at(2026, 12, 4), at(2026, 12, 5), NZ), "hourly", "a day");
  assert.equal(suggestedView(at(2026, 12, 3), at(2026, 12, 5), NZ), "hourly", "two days");
  assert.equal(suggestedView(at(2026, 11, 30), at(2026, 12, 7), NZ), "daily", "a week");
  assert.equal(suggestedView(at(2026, 11, 1), at(2026, 12, 1), NZ), "daily", "a month is 30 days: daily");
  assert.equal(suggestedView(at(2026, 1, 1), at(2027, 1, 1), NZ), "monthly", "a year");
  assert.equal(suggestedView(at(2026, 1, 5), at(2027, 1, 1), NZ), "daily", "not whole months");
});

test("the drawn range: the picker's dates; 'until now' ends with today in the zone", () => {
  const now = at(2026, 12, 4, 10);
  assert.deepEqual(energyRange({ start: at(2026, 11, 30), end: at(2026, 12, 7), compare: null, key: "_energy" }, now, NZ), { view: "daily", start: at(2026, 11, 30), end: at(2026, 12, 7), timeZone: NZ });
  assert.deepEqual(energyRange({ start: at(2026, 12, 4), end: null, compare: null, key: "_energy" }, now, NZ), { view: "hourly", start: at(2026, 12, 4), end: at(2026, 12, 5), timeZone: NZ });
});
