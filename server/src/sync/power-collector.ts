/**
 * The power and event collector: follows the whole-home power sensor (and circuit sensors) and the
 * tracked entities over HA's websocket, stores their readings and state changes (bounded
 * retention), feeds the correlation engine, and publishes learned device energy as statistics.
 *
 * - First start: reads `power.history_days` of HA's recorded history, so learning starts at once.
 * - Restart: reloads what the store holds, then reads HA's history since the data was last complete.
 * - HA restart or a dropped connection: the subscription is renewed by the websocket library; on
 *   "ready" the collector reads the history of the gap and rediscovers. While disconnected the data
 *   is not declared complete, so nothing is measured across a gap it has not seen.
 * - Whole-home power may instead come from an external source (a OneMeter reader, see
 *   `power-source.ts`): when HA has no whole-home sensor, or when `power.whole_home` names it. Its
 *   readings arrive late (the poll after they were taken), so the engine is advanced only up to
 *   its newest reading, not to now.
 */
import { recordedUntil, recordRecordedUntil } from "../store/state.js";
import type { StateChangedEvent } from "home-assistant-js-websocket";
import type { Logger } from "pino";
import type { PowerConfig } from "../config/schema.js";
import { sendCommand, type Connection } from "../ha/connection.js";
import type { ComposedRow } from "../statistics/compose.js";
import { deviceRows, deviceStatistic } from "../statistics/devices.js";
import { deviceSeriesKey } from "../statistics/ids.js";
import { addDevicesToEnergyPrefs } from "../ha/energy.js";
import { discoverPower, isTracked, readingInWatts, type HaEntityState, type PowerDiscovery, type PowerSensor } from "../ha/discovery.js";
import { historyDuringPeriod, historyPieces, timedAttributes, timedStates, type CompressedState } from "../ha/history.js";
import type { PublishOptions, PublishResult } from "../ha/publisher.js";
import { publishStatistics } from "./publish.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { CorrelationEngine, type EngineOptions } from "../correlate/engine.js";
import { chooseWholeHome, type WholeHomePowerSource, type WholeHomeSelection } from "./power-source.js";
import { attributeLevel, hasLevels } from "../correlate/states.js";
import type { PowerSample, StateEvent } from "../correlate/types.js";

export interface CollectorDeps {
  /** Resolves the (admin) HA connection. */
  ha: () => Promise<Connection>;
  store: Store;
  clock: Clock;
  log: Logger;
  power: PowerConfig;
  /** Engine tuning, e.g. a known sensor profile (default: the engine estimates it from the readings). */
  engine?: EngineOptions;
  /** How often buffered readings are stored and the engine moves on. */
  flushEveryMs?: number;
  /** How often device statistics are published (besides every service check). */
  publishEveryMs?: number;
  /** Whole-home power from outside HA (OneMeter readers), used as `power.whole_home` says. */
  wholeHomeSources?: readonly WholeHomePowerSource[];
}

export interface CollectorStatus {
  running: boolean;
  /** HA's whole-home sensor (found or configured), whether or not it is the one learned from. */
  wholeHome: PowerSensor | null;
  /** The whole-home power learned from: HA's sensor or an external source; null when there is none. */
  wholeHomeSource: { kind: "home_assistant" | "external"; id: string; name: string } | null;
  circuits: PowerSensor[];
  tracked: number;
  /** The readings and events are complete up to here (epoch ms), or null before the first flush. */
  recordedUntil: number | null;
  problems: string[];
}

/** Readings and events older than this are deleted from the store and not reloaded. */
export const POWER_RETENTION_MS = 14 * 86_400_000;
/** Readings stamped up to this long ago may still be on their way: the data is complete up to now minus this. */
export const COMPLETE_MARGIN_MS = 3000;
/** Whole-home readings further apart than this (s) are too coarse for most devices. */
const SLOW_SOURCE_S = 120;
const DAY_MS = 86_400_000;
const HOUR_MS = 3600_000;
/** States that say nothing about an entity's power; the change back from them is measured from the last real state. */
const NO_STATE = new Set(["unavailable", "unknown", ""]);

export class PowerCollector {
  private conn: Connection | null = null;
  private discovery: PowerDiscovery | null = null;
  private selection: WholeHomeSelection = { kind: "none", problem: null };
  private sourceUnsubscribes: (() => void)[] = [];
  private readonly sensorStates = new Map<string, HaEntityState>();
  private readonly names = new Map<string, string>();
  private readonly lastSample = new Map<string, number>();
  private readonly lastState = new Map<string, { t: number; state: string; level: string | null }>();
  private pendingSamples = new Map<string, PowerSample[]>();
  private pendingEvents: StateEvent[] = [];
  /** Live events that arrive while history is being read; handled after it. */
  private buffered: StateChangedEvent[] | null = null;
  private engineRef: CorrelationEngine;
  private engineSensor: string | null = null;
  private engineBuiltAt = 0;
  private lastPrune = 0;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => Promise<void>) | null = null;
  private publishing: Promise<unknown> = Promise.resolve();
  private prefsAdded = new Set<string>();
  private running = false;

  constructor(private readonly deps: CollectorDeps) {
    this.engineRef = new CorrelationEngine(deps.engine);
  }

  /** The engine with everything recorded so far (profiles, steps, hourly energy). */
  get engine(): CorrelationEngine {
    return this.engineRef;
  }

  status(): CollectorStatus {
    const until = recordedUntil(this.deps.store);
    const sel = this.selection;
    return {
      running: this.running,
      wholeHome: this.discovery?.wholeHome ?? null,
      wholeHomeSource: sel.kind === "none" ? null : { kind: sel.kind, id: sel.id, name: sel.name },
      circuits: this.discovery?.circuits ?? [],
      tracked: this.discovery?.tracked.length ?? 0,
      recordedUntil: until ?? null,
      problems: [...(this.discovery?.problems ?? []), ...(sel.kind === "none" && sel.problem ? [sel.problem] : []), ...this.slowSourceProblem()],
    };
  }

  /** An external source read less often than every 2 minutes learns few devices (measured: see the README's Device energy). */
  private slowSourceProblem(): string[] {
    if (this.selection.kind !== "external") return [];
    const intervalS = this.engineRef.sensor()?.intervalS;
    if (intervalS === undefined || intervalS <= SLOW_SOURCE_S) return [];
    return [
      `whole-home power from ${this.selection.id} comes every ${Math.round(intervalS / 60)} min: only some devices can be learned from it; poll every minute (onemeter.poll_interval: 1m) with the reader in its 1-minute mode`,
    ];
  }

  /** Connects, subscribes, catches up from the store and HA's history, and starts recording. */
  async start(): Promise<void> {
    if (this.running) return;
    const conn = await this.deps.ha();
    this.conn = conn;
    this.buffered = [];
    const unsubscribe = await conn.subscribeEvents<StateChangedEvent>((ev) => this.onStateChanged(ev), "state_changed");
    this.unsubscribe = unsubscribe;
    conn.addEventListener("ready", this.onReady);
    for (const source of this.deps.wholeHomeSources ?? []) {
      this.sourceUnsubscribes.push(source.subscribe((samples) => this.safely("an external power reading", () => this.external(source.id, samples))));
    }
    this.running = true;
    try {
      await this.catchUp(conn);
    } catch (err) {
      this.stop();
      throw err;
    }
    const flushEvery = this.deps.flushEveryMs ?? 5000;
    this.timers.push(setInterval(() => this.safely("recording", () => this.flush()), flushEvery));
    const publishEvery = this.deps.publishEveryMs ?? 15 * 60_000;
    if (this.deps.power.deviceStatistics) this.timers.push(setInterval(() => void this.publishDevices().catch((err: unknown) => this.warn("publishing device statistics", err)), publishEvery));
  }

  stop(): void {
    if (!this.running) return;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.conn?.removeEventListener("ready", this.onReady);
    void this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = null;
    for (const stop of this.sourceUnsubscribes) stop();
    this.sourceUnsubscribes = [];
    try {
      this.flush();
    } catch (err) {
      this.warn("storing the last readings", err);
    }
    this.running = false;
  }

  /** Stores what arrived, feeds the engine and, while connected, declares the data complete up to now. */
  flush(): void {
    const { store, clock } = this.deps;
    const samples = this.pendingSamples;
    const events = this.pendingEvents;
    this.pendingSamples = new Map();
    this.pendingEvents = [];
    store.transaction(() => {
      for (const [sensor, list] of samples) store.addPowerSamples(sensor, list);
      store.addStateEvents(events);
    });
    const wholeHome = this.wholeHomeKey();
    if (wholeHome !== this.engineSensor) return this.rebuildEngine();
    if (wholeHome) this.engineRef.addSamples(samples.get(wholeHome) ?? []);
    this.engineRef.addEvents(events);
    const now = clock.now();
    if (this.running && this.buffered === null && this.conn?.connected) {
      const complete = now - COMPLETE_MARGIN_MS;
      this.engineRef.advanceTo(this.completeFor(wholeHome, complete));
      recordRecordedUntil(store, complete);
    }
    if (now - this.lastPrune > HOUR_MS) {
      this.lastPrune = now;
      store.prunePower(now - POWER_RETENTION_MS);
    }
    // A fresh engine a day keeps its memory bounded by the retention.
    if (now - this.engineBuiltAt > DAY_MS) this.rebuildEngine();
  }

  /** Publishes every learned device's hourly energy (one at a time; a call while one runs waits for it). */
  publishDevices(): Promise<PublishResult[]> {
    const run = this.publishing.then(() => this.publishNow());
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private async publishNow(): Promise<PublishResult[]> {
    const { power, log, store, clock } = this.deps;
    if (!power.deviceStatistics || !this.running) return [];
    this.flush();
    const conn = await this.deps.ha();
    const now = clock.now();
    const rows = deviceRows(this.engineRef.hourlyEnergy(now - POWER_RETENTION_MS, now), now);
    const results = await publishDeviceStatistics(conn, store, rows, (id) => this.names.get(id) ?? id, { log });
    if (power.addDevicesToEnergyPrefs) {
      const ids = [...rows.keys()].map((id) => deviceStatistic(id, id).statisticId).filter((id) => !this.prefsAdded.has(id));
      if (ids.length > 0) {
        const added = await addDevicesToEnergyPrefs(conn, ids);
        for (const id of ids) this.prefsAdded.add(id);
        if (added.length > 0) log.info({ added }, "added learned devices to the Energy dashboard");
      }
    }
    const sent = results.reduce((n, r) => n + r.rowsSent, 0);
    if (sent > 0) log.info({ devices: results.length, rows: sent }, "published device energy statistics");
    return results;
  }

  // ---- live events ----------------------------------------------------------------------------

  private readonly onReady = (): void => {
    const conn = this.conn;
    if (!conn || !this.running) return;
    this.deps.log.info("Home Assistant is back; reading the history of the gap");
    this.buffered ??= [];
    void this.catchUp(conn).catch((err: unknown) => {
      this.buffered = null;
      this.warn("catching up after a reconnect", err);
    });
  };

  private onStateChanged(ev: StateChangedEvent): void {
    if (this.buffered) this.buffered.push(ev);
    else this.safely("a state change", () => this.handle(ev));
  }

  private handle(ev: StateChangedEvent): void {
    const { entity_id: entityId, new_state: next, old_state: previous } = ev.data;
    if (!next) return;
    const state: HaEntityState = { entity_id: entityId, state: next.state, attributes: next.attributes as Record<string, unknown>, last_changed: next.last_changed, last_updated: next.last_updated };
    this.remember(state);
    if (entityId.startsWith("sensor.")) {
      const before = previous?.attributes as Record<string, unknown> | undefined;
      if (!before || before.unit_of_measurement !== state.attributes.unit_of_measurement || before.device_class !== state.attributes.device_class) this.rediscover();
      this.sample(entityId, Date.parse(next.last_updated), next.state);
    }
    if (this.follows(entityId)) this.change(entityId, { state: next.state, level: attributeLevel(entityId, state.attributes), changedAt: Date.parse(next.last_changed), updatedAt: Date.parse(next.last_updated) });
  }

  // ---- catching up ------------------------------------------------------------------------------

  /** Current states, discovery, the store (first time), HA's history of the gap, then the buffered live events. */
  private async catchUp(conn: Connection): Promise<void> {
    const { store, clock, power, log } = this.deps;
    const states = await sendCommand<HaEntityState[]>(conn, { type: "get_states" });
    for (const s of states) this.remember(s);
    this.rediscover(states);
    if (this.engineSensor !== this.wholeHomeKey() || this.engineBuiltAt === 0) this.rebuildEngine();

    const now = clock.now();
    const until = recordedUntil(store);
    let from = until !== undefined ? until : power.historyDays > 0 ? now - power.historyDays * DAY_MS : now;
    from = Math.max(from, now - POWER_RETENTION_MS);
    const ids = this.followedIds();
    if (from < now && ids.length > 0) {
      let read = 0;
      for (const piece of historyPieces(from, now)) {
        const range = { startTime: new Date(piece.from), endTime: new Date(piece.to) };
        // Entities whose attributes set their power (brightness, fan speed, hvac_action) are read with them; the rest,
        // the power sensors above all, without (a 1 s sensor's attributes would be most of the answer).
        const withLevels = ids.filter((id) => this.follows(id) && hasLevels(id));
        const history = await historyDuringPeriod(conn, { ...range, entityIds: ids.filter((id) => !withLevels.includes(id)) });
        const levelled = withLevels.length > 0 ? await historyDuringPeriod(conn, { ...range, entityIds: withLevels, attributes: true }) : {};
        for (const [entityId, rows] of Object.entries(history)) {
          for (const r of timedStates(rows)) {
            if (this.isPowerSensor(entityId)) this.sample(entityId, r.t, r.state);
            if (this.follows(entityId)) this.change(entityId, { state: r.state, level: null, changedAt: r.t, updatedAt: r.t });
            read += 1;
          }
        }
        for (const [entityId, rows] of Object.entries(levelled)) {
          for (const r of timedLevels(entityId, rows)) {
            this.change(entityId, { state: r.state, level: r.level, changedAt: r.t, updatedAt: r.t });
            read += 1;
          }
        }
        this.flushWithoutAdvancing();
      }
      log.info({ from: new Date(from).toISOString(), states: read }, "read Home Assistant's history");
    }
    // The states now: a change the history did not have yet, and the held power.
    for (const s of states) {
      if (this.isPowerSensor(s.entity_id)) this.sample(s.entity_id, Date.parse(s.last_updated), s.state);
      if (this.follows(s.entity_id)) this.change(s.entity_id, { state: s.state, level: attributeLevel(s.entity_id, s.attributes), changedAt: Date.parse(s.last_changed), updatedAt: Date.parse(s.last_updated) });
    }
    const live = this.buffered ?? [];
    this.buffered = null;
    for (const ev of live) this.safely("a state change", () => this.handle(ev));
    this.flush();
  }

  private flushWithoutAdvancing(): void {
    const buffered = this.buffered;
    this.buffered ??= [];
    try {
      this.flush();
    } finally {
      this.buffered = buffered;
    }
  }

  /** A new engine from what the store holds for the current whole-home sensor (retention bounded). */
  private rebuildEngine(): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    const since = now - POWER_RETENTION_MS;
    const sensor = this.wholeHomeKey();
    const engine = new CorrelationEngine(this.deps.engine);
    const samples = sensor ? store.powerSamples(sensor, since) : [];
    const events = store.stateEvents(since);
    engine.addSamples(samples);
    engine.addEvents(events);
    if (sensor && samples.length > 0) this.lastSample.set(sensor, Math.max(this.lastSample.get(sensor) ?? -Infinity, samples.at(-1)!.t));
    for (const e of events) {
      const last = this.lastState.get(e.entityId);
      if (!last || e.t >= last.t) this.lastState.set(e.entityId, { t: e.t, state: e.to, level: e.toLevel ?? null });
    }
    const until = recordedUntil(store);
    if (until !== undefined) engine.advanceTo(this.completeFor(sensor, until));
    this.engineRef = engine;
    this.engineSensor = sensor;
    this.engineBuiltAt = now;
  }

  // ---- recording ----------------------------------------------------------------------------

  private sample(entityId: string, t: number, state: string): void {
    const sensor = this.powerSensor(entityId);
    if (!sensor || !Number.isFinite(t)) return;
    const w = readingInWatts(state, sensor.toWatts);
    if (w !== null) this.record(entityId, t, w);
  }

  /** Readings of an external whole-home source, recorded like a sensor's (whether or not it is the one learned from). */
  private external(sourceId: string, samples: readonly PowerSample[]): void {
    for (const s of samples) if (Number.isFinite(s.t) && Number.isFinite(s.w)) this.record(sourceId, s.t, s.w);
  }

  private record(series: string, t: number, w: number): void {
    if (t <= (this.lastSample.get(series) ?? -Infinity)) return;
    this.lastSample.set(series, t);
    let list = this.pendingSamples.get(series);
    if (!list) this.pendingSamples.set(series, (list = []));
    list.push({ t, w });
  }

  /** The key of the whole-home series learned from (an HA entity id or an external source id). */
  private wholeHomeKey(): string | null {
    return this.selection.kind === "none" ? null : this.selection.id;
  }

  /** How far the engine may take the data as complete: an external source only up to its newest reading. */
  private completeFor(series: string | null, complete: number): number {
    if (this.selection.kind !== "external" || series !== this.selection.id) return complete;
    return Math.min(complete, this.lastSample.get(series) ?? Number.NEGATIVE_INFINITY);
  }

  /**
   * A state seen: an event when it or its attribute level differs from the last real one (at the time
   * the state changed, or for a change of level alone, the time the entity was updated); the first
   * one seen is only the baseline.
   */
  private change(entityId: string, seen: { state: string; level: string | null; changedAt: number; updatedAt: number }): void {
    const { state, level } = seen;
    if (NO_STATE.has(state)) return;
    const last = this.lastState.get(entityId);
    const t = last && last.state === state ? seen.updatedAt : seen.changedAt;
    if (!Number.isFinite(t)) return;
    if (last && (t <= last.t || (state === last.state && level === last.level))) return;
    this.lastState.set(entityId, { t, state, level });
    if (!last) return;
    const event: StateEvent = { t, entityId, from: last.state, to: state };
    if (last.level !== null || level !== null) Object.assign(event, { fromLevel: last.level, toLevel: level });
    this.pendingEvents.push(event);
  }

  private remember(s: HaEntityState): void {
    const name = s.attributes.friendly_name;
    if (typeof name === "string" && name !== "") this.names.set(s.entity_id, name);
    if (s.entity_id.startsWith("sensor.")) this.sensorStates.set(s.entity_id, s);
  }

  private rediscover(states?: readonly HaEntityState[]): void {
    const { power, log } = this.deps;
    const previous = this.discovery;
    const next = discoverPower(states ?? [...this.sensorStates.values()], power);
    // Between full discoveries only sensors change; keep the tracked entities seen so far.
    if (!states && previous) next.tracked = [...new Set([...previous.tracked, ...next.tracked])].sort();
    this.discovery = next;
    const before = this.selection;
    this.selection = chooseWholeHome(power.wholeHome, next.wholeHome, this.deps.wholeHomeSources ?? []);
    const sel = this.selection;
    const changed = (before.kind === "none" ? null : before.id) !== (sel.kind === "none" ? null : sel.id);
    if (changed || previous?.circuits.length !== next.circuits.length) {
      if (sel.kind === "home_assistant") log.info({ wholeHome: sel.id, unit: sel.sensor.unit, circuits: next.circuits.map((c) => c.entityId), tracked: next.tracked.length }, "power sensors found");
      else if (sel.kind === "external") log.info({ wholeHome: sel.id, name: sel.name, circuits: next.circuits.map((c) => c.entityId), tracked: next.tracked.length }, "learning from whole-home power polled outside Home Assistant");
      else log.warn({ tracked: next.tracked.length }, "no whole-home power found: set power.whole_home_sensor, or configure a OneMeter device (device energy is not learned until there is one)");
    }
    const problems = [...next.problems, ...(sel.kind === "none" && sel.problem ? [sel.problem] : [])];
    const previousProblems = [...(previous?.problems ?? []), ...(before.kind === "none" && before.problem ? [before.problem] : [])];
    for (const problem of problems) if (!previousProblems.includes(problem)) log.warn({ problem }, "power configuration");
  }

  private powerSensor(entityId: string): PowerSensor | undefined {
    const d = this.discovery;
    if (!d) return undefined;
    return d.wholeHome?.entityId === entityId ? d.wholeHome : d.circuits.find((c) => c.entityId === entityId);
  }

  private isPowerSensor(entityId: string): boolean {
    return this.powerSensor(entityId) !== undefined;
  }

  private follows(entityId: string): boolean {
    return isTracked(entityId, this.deps.power);
  }

  private followedIds(): string[] {
    const d = this.discovery;
    if (!d) return [];
    return [...new Set([...(d.wholeHome ? [d.wholeHome.entityId] : []), ...d.circuits.map((c) => c.entityId), ...d.tracked])];
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.warn(what, err);
    }
  }

  private warn(what: string, err: unknown): void {
    this.deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, `power collector: ${what} failed`);
  }
}

/** History rows read with attributes as timed states with their attribute level (see `timedAttributes`). */
export function timedLevels(entityId: string, rows: readonly CompressedState[] | undefined): { t: number; state: string; level: string | null }[] {
  return timedAttributes(rows).map((r) => ({ t: r.t, state: r.state, level: attributeLevel(entityId, r.attributes) }));
}

/** Publishes each entity's rows with the statistics publisher (continuous sums, read back). */
export function publishDeviceStatistics(
  conn: Connection,
  store: Store,
  rows: ReadonlyMap<string, readonly ComposedRow[]>,
  names: (entityId: string) => string,
  opts: PublishOptions = {},
): Promise<PublishResult[]> {
  const statistics = [...rows].map(([entityId, composed]) => ({ series: deviceSeriesKey(entityId), stat: deviceStatistic(entityId, names(entityId)), rows: [...composed] }));
  const { log, ...publish } = opts;
  return publishStatistics(conn, store, statistics, { ...(log ? { log } : {}), publish });
}
