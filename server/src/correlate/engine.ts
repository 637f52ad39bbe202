/**
 * The correlation engine: learns each entity's power per state from the whole-home power around
 * its state changes, and the energy it used. Pure (no I/O, no clock) and incremental: feed
 * readings and events as they come, call `advanceTo` with the time the data is complete up to, and
 * read `profiles()` / `steps()`. Only events whose windows became complete are measured; the
 * per-state estimates are recomputed from the stored steps. Feeding the same data in any number of
 * batches gives the same result as feeding it at once, late data included (events near it are
 * measured again).
 */
import { costOf, energyByHour, kwh, timeInStates } from "./energy.js";
import { learnEntity, onTime, type LearnedState } from "./entity-learning.js";
import { EventLog, type EventRecord } from "./event-log.js";
import { confidenceOf, isPublishable, statusOf } from "./learn.js";
import { measureEvent, NOISE_LOOKBACK_MS, reachAfterMs } from "./measure.js";
import { PowerSeries } from "./power-series.js";
import { canCharacterise, characteriseSensor, windowGeometry, type WindowGeometry } from "./sensor.js";
import { defaultZeroState, learnedState, transitionKind, type ZeroStatePredicate } from "./states.js";
import type { DeviceProfile, EventStep, PowerSample, Price, SensorProfile, StateEvent } from "./types.js";

export interface EngineOptions {
  /** Skip estimating the sensor from its readings (noise is still estimated when omitted). */
  sensor?: { kind: SensorProfile["kind"]; intervalS: number; noiseW?: number };
  /** Candidate delays (s) between an event and its load settling; slow loads such as heat pumps need the longer ones. */
  lagsS?: readonly number[];
  isZeroState?: ZeroStatePredicate;
  /** Price per kWh for `cost`. */
  price?: Price;
  /** Readings further back than this from the complete-until time are dropped; late readings for that time are ignored. */
  retentionMs?: number;
  /** Only the most recent accepted steps per state and direction are learned from, so a replaced device is relearned. */
  maxStepsPerState?: number;
}

/** Learned energy of one (entity, state) in one UTC hour. */
export interface HourlyEnergy {
  entityId: string;
  state: string;
  hourStart: number;
  kwh: number;
}

export const DEFAULT_LAGS_S: readonly number[] = [0, 30, 60, 120, 240];
const DEFAULT_RETENTION_MS = 48 * 3600_000;
const DEFAULT_MAX_STEPS = 500;

export class CorrelationEngine {
  private readonly series = new PowerSeries();
  private readonly log = new EventLog();
  private readonly pending = new Set<EventRecord>();
  private readonly lagsS: readonly number[];
  private readonly isZero: ZeroStatePredicate;
  private completeUntil = Number.NEGATIVE_INFINITY;
  private droppedBefore = Number.NEGATIVE_INFINITY;
  private earliestLate = Number.POSITIVE_INFINITY;
  private sensorProfile: SensorProfile | null = null;
  private geometry: WindowGeometry | null = null;
  private learned: Map<string, Map<string, LearnedState>> | null = null;
  private ignoredLate = 0;
  /** The time of the earliest reading or event taken in, ms. */
  private firstDataAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: EngineOptions = {}) {
    this.lagsS = [...(options.lagsS ?? DEFAULT_LAGS_S)].sort((a, b) => a - b);
    this.isZero = options.isZeroState ?? defaultZeroState;
  }

  addSamples(samples: Iterable<PowerSample>): void {
    for (const s of samples) {
      if (!Number.isFinite(s.t) || !Number.isFinite(s.w)) continue;
      if (s.t < this.droppedBefore) {
        this.ignoredLate += 1;
        continue;
      }
      this.firstDataAt = Math.min(this.firstDataAt, s.t);
      const late = this.series.add(s.t, s.w) || s.t < this.completeUntil;
      if (late) this.earliestLate = Math.min(this.earliestLate, s.t);
      else this.completeUntil = s.t;
    }
  }

  addEvents(events: Iterable<StateEvent>): void {
    for (const event of events) {
      const kind = transitionKind(event, this.isZero);
      const record: EventRecord = { event, kind, state: learnedState(event, kind), measurement: null };
      if (Number.isFinite(event.t)) this.firstDataAt = Math.min(this.firstDataAt, event.t);
      this.log.add(record);
      this.pending.add(record);
      this.learned = null;
      if (event.t < this.completeUntil) this.earliestLate = Math.min(this.earliestLate, event.t);
    }
  }

  /** The readings and events are complete up to `t` (ms): a silent report-on-change sensor still held its value. */
  advanceTo(t: number): void {
    this.completeUntil = Math.max(this.completeUntil, t);
  }

  /** The span (ms) the engine has readings or events for, which energy and cost are totals over; null before any. */
  observedSpan(): { from: number; until: number } | null {
    if (!Number.isFinite(this.firstDataAt) || !Number.isFinite(this.completeUntil) || this.completeUntil <= this.firstDataAt) return null;
    return { from: this.firstDataAt, until: this.completeUntil };
  }

  /** The sensor as the engine sees it, or null until enough readings are in. */
  sensor(): SensorProfile | null {
    this.flush();
    return this.sensorProfile;
  }

  /** Readings that arrived for a time already dropped from memory, and were ignored. */
  ignoredLateSamples(): number {
    return this.ignoredLate;
  }

  /** Every event (or one entity's) with its step at the lag learned for its state and direction, oldest first. */
  steps(filter: { since?: number; entityId?: string } = {}): EventStep[] {
    const learned = this.learnAll();
    const source = filter.entityId === undefined ? this.log.all : this.log.of(filter.entityId);
    return source.filter((r) => filter.since === undefined || r.event.t >= filter.since).map((r) => this.describe(r, learned));
  }

  /** Learned power, confidence and energy per (entity, power state), sorted by entity then state. */
  profiles(): DeviceProfile[] {
    const learned = this.learnAll();
    const out: DeviceProfile[] = [];
    for (const entityId of this.log.entities()) {
      const own = this.log.of(entityId);
      const states = learned.get(entityId) ?? new Map<string, LearnedState>();
      const { intervals, ghostRuns } = onTime(own, states, this.completeUntil);
      const seconds = timeInStates(intervals);
      for (const [state, l] of [...states].sort(([a], [b]) => a.localeCompare(b))) {
        const published = isPublishable(l);
        const onS = seconds.get(state) ?? 0;
        out.push({
          entityId,
          state,
          powerW: published ? l.powerW : null,
          standardErrorW: Number.isFinite(l.standardErrorW) ? l.standardErrorW : null,
          confidence: confidenceOf(l),
          status: statusOf(l),
          events: l.n,
          seenEvents: own.filter((r) => r.event.from === state || r.event.to === state).length,
          lagS: { on: this.lagsS[l.onLagIndex] ?? 0, off: this.lagsS[l.offLagIndex] ?? 0 },
          onTimeH: onS / 3600,
          ghostRuns: ghostRuns.get(state) ?? 0,
          energyKwh: published ? kwh(l.powerW, onS * 1000) : null,
          cost: published && this.options.price !== undefined ? costOf(intervals, state, l.powerW, this.options.price) : null,
        });
      }
    }
    return out;
  }

  /** Learned energy per published (entity, state) and UTC hour in [from, to), for device statistics. */
  hourlyEnergy(from: number, to: number): HourlyEnergy[] {
    const learned = this.learnAll();
    const out: HourlyEnergy[] = [];
    for (const [entityId, states] of learned) {
      const { intervals } = onTime(this.log.of(entityId), states, this.completeUntil);
      for (const [state, l] of states) {
        if (!isPublishable(l)) continue;
        for (const [hourStart, value] of energyByHour(intervals, state, l.powerW, from, to)) out.push({ entityId, state, hourStart, kwh: value });
      }
    }
    return out.sort((a, b) => a.hourStart - b.hourStart || a.entityId.localeCompare(b.entityId) || a.state.localeCompare(b.state));
  }

  private learnAll(): Map<string, Map<string, LearnedState>> {
    this.flush();
    if (this.learned) return this.learned;
    const settings = { lagCount: this.lagsS.length, isZero: this.isZero, maxSteps: this.options.maxStepsPerState ?? DEFAULT_MAX_STEPS };
    this.learned = new Map(this.log.entities().map((entityId) => [entityId, learnEntity(this.log.of(entityId), settings)]));
    return this.learned;
  }

  /** Measures every pending event whose windows the data now covers. */
  private flush(): void {
    if (!this.ensureSensor()) return;
    const geometry = this.geometry!;
    const reach = reachAfterMs(geometry, this.lagsS);
    if (Number.isFinite(this.earliestLate)) {
      // Late data changes the windows of events up to `reach` before it (including the same entity's
      // neighbours, whose windows it clips), and the noise floor of events up to an hour after it.
      const dependsBack = NOISE_LOOKBACK_MS + geometry.preGuardMs;
      const all = this.log.all;
      for (let i = this.log.firstAtOrAfter(this.earliestLate - reach); i < all.length && all[i]!.event.t <= this.earliestLate + dependsBack; i += 1) this.reopen(all[i]!);
      this.earliestLate = Number.POSITIVE_INFINITY;
    }
    const ready = [...this.pending].filter((r) => r.event.t + reach <= this.completeUntil).sort((a, b) => a.event.t - b.event.t);
    if (ready.length === 0) return;
    const settings = { series: this.series, geometry, lagsS: this.lagsS, completeUntil: this.completeUntil, sensorNoiseW: this.sensorProfile!.noiseW };
    for (const r of ready) {
      const { previous, next } = this.log.neighbours(r);
      const input = {
        t: r.event.t,
        previousOwnEvent: previous ? previous.event.t : null,
        nextOwnEvent: next ? next.event.t : null,
        conflictIn: (from: number, to: number) => this.log.conflictIn(r, from, to),
      };
      r.measurement = measureEvent(input, settings);
      this.pending.delete(r);
    }
    this.learned = null;
    this.pruneSamples(reach);
  }

  private ensureSensor(): boolean {
    if (this.sensorProfile) return true;
    const given = this.options.sensor;
    const ready = canCharacterise(this.series, this.completeUntil);
    if (given && given.noiseW !== undefined) this.sensorProfile = { kind: given.kind, intervalS: given.intervalS, noiseW: given.noiseW };
    else if (!ready) return false;
    else {
      const seen = characteriseSensor(this.series);
      if (!seen) return false;
      this.sensorProfile = given ? { kind: given.kind, intervalS: given.intervalS, noiseW: seen.noiseW } : seen;
    }
    this.geometry = windowGeometry(this.sensorProfile);
    return true;
  }

  private reopen(r: EventRecord): void {
    if (!r.measurement) return;
    r.measurement = null;
    this.pending.add(r);
    this.learned = null;
  }

  /** Keeps what pending events and the late-data retention need. */
  private pruneSamples(reach: number): void {
    let keepFrom = this.completeUntil - Math.max(this.options.retentionMs ?? DEFAULT_RETENTION_MS, reach);
    for (const r of this.pending) keepFrom = Math.min(keepFrom, r.event.t - NOISE_LOOKBACK_MS - (this.geometry?.widthMs ?? 0));
    if (keepFrom <= this.droppedBefore) return;
    this.series.dropBefore(keepFrom);
    this.droppedBefore = keepFrom;
  }

  private describe(r: EventRecord, learned: Map<string, Map<string, LearnedState>>): EventStep {
    const { event, kind, state, measurement } = r;
    const l = learned.get(event.entityId)?.get(state);
    const lagIndex = kind === "off" ? (l?.offLagIndex ?? 0) : (l?.onLagIndex ?? 0);
    const m = measurement?.lags[lagIndex];
    const accepted = kind !== "none" && m !== undefined && m.reason === null;
    const reason = !measurement ? "pending" : kind === "none" ? "no-power-state" : (m?.reason ?? null);
    return {
      t: event.t,
      entityId: event.entityId,
      from: event.from,
      to: event.to,
      kind,
      state,
      stepW: m?.stepW ?? null,
      preW: measurement?.preW ?? null,
      postW: m?.postW ?? null,
      lagS: this.lagsS[lagIndex] ?? 0,
      accepted,
      reason,
      conflictWith: m?.conflictWith ?? null,
    };
  }
}

/** Learns from all the data at once; `now` (the end of the data) defaults to the last reading or event. */
export function correlate(samples: Iterable<PowerSample>, events: Iterable<StateEvent>, options: EngineOptions & { now?: number } = {}): { steps: EventStep[]; profiles: DeviceProfile[] } {
  const engine = new CorrelationEngine(options);
  const eventList = [...events];
  engine.addSamples(samples);
  engine.addEvents(eventList);
  engine.advanceTo(options.now ?? eventList.reduce((m, e) => Math.max(m, e.t), Number.NEGATIVE_INFINITY));
  return { steps: engine.steps(), profiles: engine.profiles() };
}
