/**
 * The correlation engine: learns each entity's power per state from the whole-home power around
 * its state changes, and the energy it used. Pure (no I/O, no clock) and incremental: feed
 * readings and events as they come, call `advanceTo` with the time the data is complete up to, and
 * read `profiles()` / `steps()`. Only events whose windows became complete are measured; the
 * per-state estimates are recomputed from the stored steps. Feeding the same data in any number of
 * batches gives the same result as feeding it at once, late data included (events near it are
 * measured again).
 */
import { attributeEntity, cyclesInsideRuns, EnergyCurve, keepsEarlierAnswer, Presence, rawExcessW, type EnergyPiece, type EntityEnergy, type EntityInput, type Others } from "./attribution.js";
import { atLevelMs, modulationSigmaW, taperedOnLevelW, taperedShape, taperMs } from "./run-shapes.js";
import { fewReadingWindows, jumpsShowBursts as jumpsShowBurstsFor, locationFor, readingNoiseFor, singleReadingWindows, stepNoiseFor } from "./sensor-rules.js";
import { changesShowBefore, movesAround, offClockOf, walkedStepsShort, type OffClock } from "./clock.js";
import { costOf, energyByHour, kwh, stateIntervals, timeInStates } from "./energy.js";
import { lagsOf, learnEntity, onTime, powerOf, stepOfLag, stepUncertaintyW, type LearnedState, type StepSource } from "./entity-learning.js";
import { EventLog, type EventRecord } from "./event-log.js";
import { confidenceOf, confidentMaxErrorW, confidentToleranceW, isPublishable, isRepresentative, movedWithSwitching, movedLittle, rampDeficitWattMs, statusOf } from "./learn.js";
import { measureEvent, NOISE_LOOKBACK_MS, reachAfterMs, type EventMeasurement } from "./measure.js";
import { PowerSeries } from "./power-series.js";
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation } from "./robust.js";
import { MAX_BASELINE_WINDOW_MS, MAX_RUN_MS, measureRun, runGeometry, runReachMs, runsOf, runSignature, type RunMeasurement } from "./runs.js";
import { canCharacterise, characteriseSensor, readingQuantumW, windowGeometry, type WindowGeometry } from "./sensor.js";
import { defaultZeroState, fromKey, learnedState, splitPowerStateKey, toKey, transitionKind, type ZeroStatePredicate } from "./states.js";
import type { DeviceProfile, EventStep, PowerSample, Price, SensorProfile, StateEvent } from "./types.js";

/** A tapering device's own switch-on step stands for its level in that run when within this many spreads of its steps' median. */
const OWN_LEVEL_SPREADS = 3;

/** A price that becomes known (or changes) while the engine runs: read at every `profiles()`. */
export interface PriceSource {
  current(): Price | undefined;
}

export interface EngineOptions {
  /** Skip estimating the sensor from its readings (noise is still estimated when omitted). */
  sensor?: { kind: SensorProfile["kind"]; intervalS: number; noiseW?: number };
  /** Candidate delays (s) between an event and its load settling; slow loads such as heat pumps need the longer ones. */
  lagsS?: readonly number[];
  isZeroState?: ZeroStatePredicate;
  /**
   * Price per kWh for `cost`: a fixed price, or a source asked at every `profiles()` for the price as
   * now known (the provider's prices arrive days after the power readings); none or undefined: cost null.
   */
  price?: Price | PriceSource;
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
/** A level the engine cannot vouch for is at most this confident. */
const UNTRUSTED_CONFIDENCE = 0.5;
/** With a report-on-change sensor, a confident level is at least this many times the smallest change it reports. */
const RESOLUTION_MULTIPLE = 3;
/**
 * A switch-off step measured over windows at most this wide (ms) samples the level a device was at;
 * over wider ones, another load moves inside them too often (a fridge's 120 W cycles made a 60 W
 * light look like it had bursts at 180 W with a 60 s sensor's 3-minute windows). A 60 s sensor's
 * windows of one reading are within it: its energy P90 was missed on 3 of the nine reference seeds
 * with them, 8 with 3-minute windows.
 */
const SWITCH_OFF_LEVELS_MAX_WINDOW_MS = 120_000;
/**
 * With windows at least this wide (ms: a sensor read every 60 s or less often, its interval measured a
 * hair either side of 60 s; 30 s and faster ones have 30 s windows), a device is taken to
 * have bursts only when its switch-offs are above its switch-on level clearly more often than its
 * switch-ons (`switchOffsClearlyAbove`). Over the nine reference seeds at 60 s, seven single-level
 * lights were charged from their switch-offs or runs as if they had bursts, 25-63 % too much (their
 * steps within 5.3 %): the two-minute span of one-reading windows often holds a fridge's or a
 * freezer's switching, and the runs of a light on at busy hours say more than its step. The rule
 * keeps five of them on their steps (the 60 s misses 20 -> 16); of 29 PCs charged for bursts, five
 * lose them, two for the better (+17 -> 0 %, +7 -> -4 %), three for the worse (to about -30 %, none
 * a miss). Not with narrower windows: at 30 s it moved no miss and made the energy P90 worse on three
 * seeds (10.7 -> 12.4 % on one); on change it added a miss (an energy median 2.99 -> 3.03 %).
 */
const BURSTS_MUST_STAND_OUT_MIN_WINDOW_MS = 45_000;

/**
 * With steps from windows of a few readings (`fewReadingWindows`), a level is confident only when
 * its standard error is at most this share of the confident tolerance (three standard errors). Its
 * steps' robust spread says less of how far off it is: a fridge or a charger switching between the
 * readings moves a step by its whole power. Within one standard error, as otherwise, a 12 W bedside
 * light at 14.6 W (se 1.6 W), a fan's 22 W speed at 19 W (se 1.8 W) and a PC's 77 W idle level
 * (se 1.4 W, its mean 118 W: its edges agreed by chance) were labelled confident over the nine
 * reference seeds at 30 and 60 s (7 such misses; within half of it, the PC still was); at 10 s, a
 * dimmed light at 9.9 W (true 7.6 W, se 1.5 W) on seed 5, and a fan's 12 W speed at 14.1 W (se 1.7 W)
 * on a fresh seed (271828) once the window before an event held fresh readings only. It leaves 66 of
 * 155 confident profiles at 10 s over the nine seeds, 49 of 76 at 30 s, 42 of 49 at 60 s (none off).
 * Behind an on-change sensor's dead band too: with steps summed by their biweight, a fan's 40 W speed
 * at 44.2 W was labelled confident on seed 1676508719 without it.
 */
const FEW_READINGS_SE_SHARE = 1 / 3;

/**
 * Any level is confident only when its standard error is at most a quarter of what a confident level may be off by
 * (`confidentMaxErrorW`, max(2 W, 10 %)): four standard errors. Within one, with 2 % meter noise read every second (a
 * variant of the harder household, seed 22), a dimmed light's 27.3 W level was labelled confident at 30.2 W (se
 * 1.05 W: 2.7 of them off). Half of max(2 W, 5 %) was four standard errors above 40 W but two below, where the 2 W
 * floor holds: read every 5 and 7 s (fresh household 7016), a fan's 12 W speed was labelled confident at 9.8 and
 * 9.7 W (se 0.67 and 0.71 W, 42 and 45 steps). Over 40 fresh households (7001-7040) the confident profiles' errors
 * were 0.65 standard errors at the median and 2.6-3.2 at the 99th percentile (at 1-60 s, on change, and read every
 * 3-120 s, with 2 % noise, 20 % of events together, 0-8 s late, 5 % dropped readings); this leaves 281 of 328 of them
 * confident at 1 s, 81 of 109 at 10 s, all at the others (where `FEW_READINGS_SE_SHARE` and the dead band ask as much).
 */
const CONFIDENT_SE_SIGMAS = 4;

export class CorrelationEngine {
  private readonly series = new PowerSeries();
  private readonly log = new EventLog();
  private readonly pending = new Set<EventRecord>();
  private readonly lagsS: readonly number[];
  private readonly isZero: ZeroStatePredicate;
  private completeUntil = Number.NEGATIVE_INFINITY;
  private droppedBefore = Number.NEGATIVE_INFINITY;
  private earliestLate = Number.POSITIVE_INFINITY;
  /** Whether the steps learned from are the windows' medians' (`LagMeasurement.windowStepW`) rather than the walked levels'. */
  private windowSteps = false;
  /** The entities whose steps are taken with the window before placed earlier (`EventMeasurement.earlyLags`): their changes show before their events. */
  private earlyEntities: ReadonlySet<string> = new Set();
  private latestLate = Number.NEGATIVE_INFINITY;
  /** Measured runs, by their first (switch-on) record. */
  private readonly runMeasurements = new Map<EventRecord, RunMeasurement>();
  /** The earliest time a run not measured yet needs readings from. */
  private runsWaitFrom = Number.POSITIVE_INFINITY;
  private attribution: Map<string, EntityEnergy> | null = null;
  private sensorProfile: SensorProfile | null = null;
  private geometry: WindowGeometry | null = null;
  private learned: Map<string, Map<string, LearnedState>> | null = null;
  private ignoredLate = 0;
  /** The step the sensor's readings come in (`readingQuantumW`), W; 0 until known. */
  private quantumW = 0;
  /** Whether the meter's clock is off HA's, as the steps from the first lag on showed it when last learned (`learnAll`). */
  private clock: OffClock = { before: false, after: false };
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
      if (late) this.markLate(s.t);
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
      if (event.t < this.completeUntil) this.markLate(event.t);
    }
  }

  private markLate(t: number): void {
    this.earliestLate = Math.min(this.earliestLate, t);
    this.latestLate = Math.max(this.latestLate, t);
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
    const given = this.options.price;
    const price = typeof given === "object" ? given.current() : given;
    const learned = this.learnAll();
    const attribution = this.attributeAll();
    this.quantumW = readingQuantumW(this.series);
    const out: DeviceProfile[] = [];
    for (const entityId of this.log.entities()) {
      const own = this.log.of(entityId);
      const states = learned.get(entityId) ?? new Map<string, LearnedState>();
      const energy = attribution.get(entityId);
      const { intervals, ghostRuns } = onTime(own, states, this.completeUntil, this.stepNoise(), this.stepSource(entityId));
      const whileOn = energy?.model === "while-on";
      const seconds = timeInStates(whileOn ? stateIntervals(own.map((r) => r.event), this.completeUntil) : intervals);
      for (const [state, l] of [...states].sort(([a], [b]) => a.localeCompare(b))) {
        const e = energy?.states.get(state);
        const power = e?.powerW ?? powerOf(l);
        // A power that is not above zero says the energy could not be attributed: it is not published; nor is a
        // step the runs say is far off without saying by how much.
        const shown = power !== null && power > 0;
        const published = shown && !e?.unattributable;
        const onS = seconds.get(state) ?? 0;
        const pieces = whileOn ? energy!.pieces.filter((p) => p.state === state) : [];
        const { state: haState, level } = splitPowerStateKey(state);
        out.push({
          entityId,
          state: haState,
          level,
          powerW: shown ? power : null,
          standardErrorW: Number.isFinite(l.standardErrorW) ? l.standardErrorW : null,
          confidence: whileOn || !isPublishable(l) || !this.trusted(entityId, l, own, state, this.clock) || e?.runsDisagree || e?.fromSwitchOffs ? Math.min(confidenceOf(l), UNTRUSTED_CONFIDENCE) : confidenceOf(l),
          status: !shown ? "learning" : whileOn || !isPublishable(l) || !this.trusted(entityId, l, own, state, this.clock) || e?.runsDisagree || e?.unattributable || e?.fromSwitchOffs ? "estimated" : statusOf(l),
          events: l.n,
          seenEvents: own.filter((r) => fromKey(r.event) === state || toKey(r.event) === state).length,
          lagS: { on: this.lagsS[l.onLagIndex] ?? 0, off: this.lagsS[l.offLagIndex] ?? 0 },
          onTimeH: onS / 3600,
          ghostRuns: whileOn ? 0 : (ghostRuns.get(state) ?? 0),
          energyKwh: !shown ? null : whileOn ? pieces.reduce((sum, p) => sum + p.wattMs, 0) / 3_600_000 / 1000 : kwh(power, onS * 1000),
          cost: !shown || price === undefined ? null : whileOn ? costOfPieces(pieces, price) : costOf(intervals, state, power, price),
          energyFrom: whileOn ? "while-on" : e?.fromSwitchOffs ? "switch-offs" : "steps",
          stepW: e?.stepW ?? (isPublishable(l) ? l.powerW : null),
          range: e?.range ?? null,
          phases: e?.phases ?? [],
          kwhPerRun: e?.kwhPerRun ?? null,
          runs: e?.runs ?? 0,
          measuredRuns: e?.measuredRuns ?? 0,
          cleanRuns: e?.cleanRuns ?? 0,
          published,
        });
      }
    }
    return out;
  }

  /** Learned energy per published (entity, state) and UTC hour in [from, to), for device statistics. */
  hourlyEnergy(from: number, to: number): HourlyEnergy[] {
    const learned = this.learnAll();
    const attribution = this.attributeAll();
    const out: HourlyEnergy[] = [];
    for (const [entityId, states] of learned) {
      const energy = attribution.get(entityId);
      if (energy?.model === "while-on") {
        for (const [key, value] of piecesByHour(energy.pieces, from, to)) {
          const [state, hourStart] = key;
          const power = energy.states.get(state)?.powerW ?? null;
          if (power !== null && power > 0) out.push({ entityId, state, hourStart, kwh: value });
        }
        continue;
      }
      const { intervals } = onTime(this.log.of(entityId), states, this.completeUntil, this.stepNoise(), this.stepSource(entityId));
      for (const [state, l] of states) {
        const power = energy?.states.get(state)?.powerW ?? powerOf(l);
        if (power === null || power <= 0 || energy?.states.get(state)?.unattributable) continue;
        for (const [hourStart, value] of energyByHour(intervals, state, power, from, to)) out.push({ entityId, state, hourStart, kwh: value });
      }
    }
    return out.sort((a, b) => a.hourStart - b.hourStart || a.entityId.localeCompare(b.entityId) || a.state.localeCompare(b.state));
  }

  /**
   * Each entity's energy: its steps × on-time, or what it used while on. Two passes: the first
   * takes the other devices out of a run at their learned steps and finds which devices' power
   * varies while on; the second measures only runs during which no other such device was on (its
   * part of the integral is not known well enough to take out), and a device left with too few
   * of those keeps the first pass's answer.
   */
  private attributeAll(): Map<string, EntityEnergy> {
    const learned = this.learnAll();
    if (this.attribution) return this.attribution;
    const geometry = this.geometry;
    const sensor = this.sensorProfile;
    const switchOffsSampleLevels = sensor !== null && geometry !== null && geometry.widthMs <= SWITCH_OFF_LEVELS_MAX_WINDOW_MS;
    const burstsMustStandOut = geometry !== null && geometry.widthMs >= BURSTS_MUST_STAND_OUT_MIN_WINDOW_MS;
    // Readings 30 s or more apart, or reports on change: a jump between two of them is a load switching, not another device's ramp read in pieces.
    const jumpsShowBursts = sensor !== null && jumpsShowBurstsFor(sensor);
    const inputs: EntityInput[] = this.log.entities().map((entityId) => {
      const own = this.log.of(entityId);
      const states = learned.get(entityId) ?? new Map<string, LearnedState>();
      const runs = geometry
        ? runsOf(own).map((run) => {
            const m = this.runMeasurements.get(run.records[0]!);
            return { run, measurement: m && m.signature === runSignature(run) ? m : null };
          })
        : [];
      const offset = geometry ? geometry.postGuardMs + geometry.widthMs / 2 : 0;
      const rampDeficit = new Map([...states].map(([state, l]) => [state, rampDeficitWattMs(l, this.lagsS, offset, powerOf(l) ?? 0)] as const));
      return { entityId, events: own.map((r) => r.event), learned: states, stepIntervals: onTime(own, states, this.completeUntil, this.stepNoise(), this.stepSource(entityId)).intervals, runs, until: this.completeUntil, switchOffsSampleLevels, burstsMustStandOut, jumpsShowBursts, rampDeficitWattMs: rampDeficit };
    });
    const steps = new Map(
      inputs.map((input) => [
        input.entityId,
        new EnergyCurve(
          input.stepIntervals.flatMap((iv) => {
            const l = input.learned.get(iv.state);
            const w = l ? powerOf(l) : null;
            return w !== null ? [{ from: iv.from, to: iv.to, powerW: w }] : [];
          }),
        ),
      ]),
    );
    // A device whose steps are unknown is as uncertain as the typical excess of its runs (a small light's is small).
    const typical = new Map(
      inputs.flatMap((input) => {
        const excess = input.runs.flatMap(({ measurement: m }) => (m && m.integrable ? [rawExcessW(m)] : []));
        return excess.length > 0 ? [[input.entityId, median(excess)] as const] : [];
      }),
    );
    // When each device was on (with the longest lag after, for run-on), and how uncertain its power was.
    const tail = Math.max(0, ...this.lagsS) * 1000;
    // Each learned state's uncertainty at its step (two medians) once, not once per interval and pass.
    const stepSigmas = new Map<LearnedState, number>();
    const stepSigmaOf = (l: LearnedState) => stepSigmas.get(l) ?? stepSigmas.set(l, stepUncertaintyW(l)).get(l)!;
    const presence = (meanOf: (entityId: string, state: string) => number | null, sigmaOf: (entityId: string, state: string, meanW: number) => number = (_e, _s, m) => Math.abs(m)) =>
      new Map(
        inputs.map((input) => [
          input.entityId,
          new Presence(
            stateIntervals(input.events, input.until).flatMap((iv) => {
              const l = input.learned.get(iv.state);
              if (!l) return [];
              const mean = meanOf(input.entityId, iv.state);
              const sigmaW = mean !== null ? sigmaOf(input.entityId, iv.state, mean) : isPublishable(l) ? stepSigmaOf(l) : (typical.get(input.entityId) ?? Number.POSITIVE_INFINITY);
              return [{ from: iv.from, to: iv.to + tail, sigmaW }];
            }),
          ),
        ]),
      );
    const pass1 = new Map(inputs.map((input) => [input.entityId, attributeEntity(input, this.others(input.entityId, steps, presence(() => null)))]));
    const inputById = new Map(inputs.map((input) => [input.entityId, input]));
    const varying = [...pass1.values()].filter((e) => e.model === "while-on");
    // Devices on their steps whose runs suggest far more (`suspectedW`: a washer's and a dishwasher's quiet edges, each in the
    // other's baseline windows) are taken out at that in the passes after, as a varying device at its mean.
    const suspects = (at: ReadonlyMap<string, EntityEnergy>): EntityEnergy[] =>
      [...at.values()].flatMap((e) => {
        if (e.model !== "steps" || e.suspectedW == null) return [];
        const states = new Map([...e.states].map(([state, x]) => [state, { ...x, powerW: e.suspectedW! }] as const));
        return [{ ...e, states }];
      });
    if (varying.length === 0 && suspects(pass1).length === 0) return (this.attribution = pass1);
    // Second pass: a varying device is taken out at its mean power while on; its uncertainty is that mean.
    // Each (device, state)'s run histograms, gathered once: every one of its state intervals asks, in each pass.
    const levels = new Map<string, Float64Array[]>();
    const levelsOf = (entityId: string, state: string) => {
      const key = `${entityId}\u0000${state}`;
      let found = levels.get(key);
      if (!found) {
        found = inputById.get(entityId)!.runs.flatMap(({ measurement: m }) => (m?.integrable && m.levels.has(state) ? [m.levels.get(state)!] : []));
        levels.set(key, found);
      }
      return found;
    };
    const again = (varyingFound: readonly EntityEnergy[], before: ReadonlyMap<string, EntityEnergy>): Map<string, EntityEnergy> => {
      const found = [...varyingFound, ...suspects(before)];
      const curves = new Map(steps);
      for (const e of found) {
        const input = inputById.get(e.entityId)!;
        curves.set(
          e.entityId,
          new EnergyCurve(
            stateIntervals(input.events, input.until).flatMap((iv) => {
              const w = e.states.get(iv.state)?.powerW ?? null;
              return w === null ? [] : [{ from: iv.from, to: iv.to, powerW: w }];
            }),
          ),
        );
      }
      const means = new Map(found.map((e) => [e.entityId, e]));
      // ...uncertain by how its level moves about that mean while in the state, when it modulates about it (`modulationSigmaW`):
      // a heat pump's ±20 % about 1.1 kW, not its whole 1.1 kW.
      const around = presence(
        (entityId, state) => means.get(entityId)?.states.get(state)?.powerW ?? null,
        (entityId, state, meanW) => modulationSigmaW(levelsOf(entityId, state), meanW),
      );
      // A varying device that stops drawing before it is switched off (an EV charger) is taken out at its level while its run
      // shows it there, not at its mean: a dishwasher's runs beside a charge kept kilowatts of it and it fell back to its 6 W edges.
      for (const e of found) {
        const shaped = this.taperedCurve(inputById.get(e.entityId)!, e, tail);
        if (!shaped) continue;
        curves.set(e.entityId, shaped.curve);
        around.set(e.entityId, shaped.presence);
      }
      // A device found to vary in the pass before keeps that answer when this one has too few runs clear of the
      // varying devices around it to say otherwise (a dishwasher beside a heat pump that is nearly always on).
      return new Map(
        inputs.map((input) => {
          const now = attributeEntity(input, this.others(input.entityId, curves, around));
          const first = before.get(input.entityId)!;
          return [input.entityId, keepsEarlierAnswer(first, now) ? first : now];
        }),
      );
    };
    const pass2 = again(varying, pass1);
    // A third pass when the second found devices to vary that the first had at their steps (a heat pump whose ramp showed
    // only once the EV charger beside it was taken out at its level): taken out at their steps, uncertain by their spread
    // (a heat pump's ramp spreads its steps by hundreds of watts), they left a dishwasher's runs beside them too uncertain
    // to measure, and the dishwasher at its 8 W pump edges (-96 % in one household).
    const known = new Set(varying.map((e) => e.entityId));
    const found = [...pass2.values()].filter((e) => e.model === "while-on");
    this.attribution = found.some((e) => !known.has(e.entityId)) ? again(found, pass2) : pass2;
    return this.attribution;
  }

  /**
   * A tapering device's power and uncertainty over its on-intervals (`taperedShape`): in a run whose
   * own switch-on step was measured (within `OWN_LEVEL_SPREADS` spreads of its median), at that step
   * for as long as the run's levels show it at half of it or more; in any other, at its mean while on,
   * uncertain by that mean, as before (a level known only to its spread of a few %, 200 W of an EV
   * charger's, read a PC's runs beside it 200 W low). Null for a device that does not taper.
   */
  private taperedCurve(input: EntityInput, energy: EntityEnergy, tailMs: number): { curve: EnergyCurve; presence: Presence } | null {
    if (input.learned.size !== 1) return null;
    const [state, l] = [...input.learned][0]!;
    const levelW = taperedOnLevelW(l);
    const meanW = energy.states.get(state)?.powerW ?? null;
    if (levelW === null || meanW === null || cyclesInsideRuns(input.runs.map((r) => r.measurement), state, levelW)) return null;
    const histograms = input.runs.flatMap(({ measurement: m }) => (m?.integrable && m.levels.has(state) ? [m.levels.get(state)!] : []));
    const taper = taperMs(histograms, levelW);
    const spreadW = MAD_TO_SIGMA * medianAbsoluteDeviation(l.onValues, levelW);
    const byStart = new Map(
      input.runs.map(({ run, measurement: m }) => {
        // A run's own switch-on step, unless another load moved in its windows (an EV charger's 7.1 kW read as 5.2 kW
        // as a dishwasher's heater went off).
        const first = run.records[0]!.measurement;
        const lag = first ? lagsOf(first, this.stepSource(input.entityId))[l.onLagIndex] : undefined;
        const step = lag ? stepOfLag(lag, this.stepSource(input.entityId)) : null;
        const own = lag && lag.reason === null && step !== null && Math.abs(step - levelW) <= OWN_LEVEL_SPREADS * spreadW ? step : null;
        const histogram = m?.integrable ? m.levels.get(state) : undefined;
        return [run.records[0]!.event.t, own !== null && histogram ? { own, histogram } : null] as const;
      }),
    );
    const afterW = median(l.offValues);
    const curve: { from: number; to: number; powerW: number }[] = [];
    const presence: { from: number; to: number; sigmaW: number }[] = [];
    for (const iv of stateIntervals(input.events, input.until)) {
      if (iv.state !== state) continue;
      const known = byStart.get(iv.from);
      if (!known) {
        curve.push({ from: iv.from, to: iv.to, powerW: meanW });
        presence.push({ from: iv.from, to: iv.to + tailMs, sigmaW: Math.abs(meanW) });
        continue;
      }
      // As uncertain at its level as its switch-ons are spread (a run's own step has its windows' errors too).
      const shape = taperedShape(iv, atLevelMs(known.histogram, known.own), known.own, { levelSigmaW: spreadW, taperMs: taper, afterW, tailMs });
      curve.push(...shape.curve);
      presence.push(...shape.presence);
    }
    return { curve: new EnergyCurve(curve), presence: new Presence(presence) };
  }

  /** The other devices as a run of `entityId` sees them: taken out at their learned power; uncertain ones (unknown, varying, spread) block a run. */
  /**
   * A step-learned level may be called confident only when its edges agree it is what the device
   * draws all the time it is on, with a report-on-change sensor when it is well above the smallest
   * change the sensor reports, and with windows of a few readings (`fewReadingWindows`) or behind an
   * on-change sensor's dead band when its standard error is at most `FEW_READINGS_SE_SHARE` of the
   * confident tolerance, and always at most a quarter of what it may be off by (`CONFIDENT_SE_SIGMAS`); never when its load mostly
   * changed before its events' windows or after them (`movedWithSwitching`): the steps then miss part
   * of the change, however well they agree; on a meter whose clock is off HA's (`OffClock`), only when
   * its own moves show it missed little of its change (`movedLittle`); nor when the sensor reads in
   * steps coarser than its tolerance (`readingQuantumW`).
   */
  private trusted(entityId: string, l: LearnedState, own: readonly EventRecord[], state: string, offClock: OffClock): boolean {
    const sensor = this.sensorProfile;
    const resolution = sensor?.kind === "on-change" ? (sensor.resolutionW ?? 0) : 0;
    if (sensor !== null && (fewReadingWindows(sensor) || this.geometry?.deadBand) && l.standardErrorW > FEW_READINGS_SE_SHARE * confidentToleranceW(l.powerW)) return false;
    if (l.standardErrorW > confidentMaxErrorW(l.powerW) / CONFIDENT_SE_SIGMAS) return false;
    // Steps from the window before the usual one (`earlyEntities`) have nothing to show what moved before them.
    if (this.earlyEntities.has(entityId)) return false;
    const { before, after } = movesAround(own, state, l, this.windowSteps);
    if (movedWithSwitching(before, l.powerW) || movedWithSwitching(after, l.powerW)) return false;
    // Judged by the moves the meter was found off by: a late meter's from the first lag (its levels' steps are from the next one).
    const judged = offClock.after ? movesAround(own, state, { onLagIndex: 0, offLagIndex: 0 }, this.windowSteps) : { before, after };
    if ((offClock.before && !movedLittle(judged.before, l.powerW)) || (offClock.after && !movedLittle(judged.after, l.powerW))) return false;
    // A step is the difference of two levels read in the sensor's steps (`readingQuantumW`): however many
    // events agree, each level can be off by up to half a step, the same way each time. Read in 10 W steps
    // (kW with two decimals), an 8 W light was labelled confident at 10.0 W (se 0.06 W) and a dimmed light's
    // 60 W level at 50.0 W (a variant of the harder household, read every 1 and 10 s).
    if (this.quantumW > confidentToleranceW(l.powerW)) return false;
    return isRepresentative(l) && Math.abs(l.powerW) >= RESOLUTION_MULTIPLE * resolution;
  }

  private others(entityId: string, curves: ReadonlyMap<string, EnergyCurve>, presence: ReadonlyMap<string, Presence>): Others {
    const steady = [...curves].filter(([id]) => id !== entityId).map(([, c]) => c);
    const around = [...presence].filter(([id]) => id !== entityId).map(([, p]) => p);
    return {
      energy: (from, to) => steady.reduce((s, c) => s + c.between(from, to), 0),
      switchedIn: (from, to) => this.log.otherIn(entityId, from, to),
      uncertaintyW: (from, to) => around.reduce((sum, p) => sum + p.uncertainty(from, to), 0) / Math.max(1, to - from),

    };
  }

  /** Which of an entity's measured steps count: walked or the windows' medians (`windowSteps`), the usual or the early ones (`earlyEntities`). */
  private stepSource(entityId: string): StepSource {
    return { windowSteps: this.windowSteps, earlySteps: this.earlyEntities.has(entityId) };
  }

  /** A step's noise as the sensor's steps are judged (`stepNoiseFor`), for telling ghost runs (`onTime`). */
  private stepNoise(): ((m: EventMeasurement) => number) | undefined {
    return stepNoiseFor(this.sensorProfile, this.geometry) ?? undefined;
  }

  private learnAll(): Map<string, Map<string, LearnedState>> {
    this.flush();
    if (this.learned) return this.learned;
    this.attribution = null;
    const sensor = this.sensorProfile;
    const stepNoiseW = stepNoiseFor(sensor, this.geometry);
    const settings = {
      lagCount: this.lagsS.length,
      isZero: this.isZero,
      maxSteps: this.options.maxStepsPerState ?? DEFAULT_MAX_STEPS,
      location: locationFor(sensor, this.geometry),
      ...(stepNoiseW ? { stepNoiseW } : {}),
    };
    const learn = (firstLagIndex: number, windowSteps: boolean, early: ReadonlySet<string> = new Set()) =>
      new Map(this.log.entities().map((entityId) => [entityId, learnEntity(this.log.of(entityId), { ...settings, firstLagIndex, windowSteps, earlySteps: early.has(entityId) })]));
    // On a meter whose clock runs behind HA's (`OffClock`), the changes land inside the first lag's windows: the steps are
    // taken from the next lag on. Read every second with the changes 12 s late, the harder household's single-level power
    // P90 went from 25.0 to 6.5 % (households 11 to 66) and its energy median on change from 23.8 to 2.5 %.
    const fromWindows = learn(0, true);
    this.clock = offClockOf(this.log, fromWindows);
    // Levels walked out from the events (`walkedLevel`) weigh the readings nearest them most: on a meter whose clock is
    // off HA's by a few seconds, those hold the event's own change, and the walked steps come out short. Such a meter
    // keeps the windows' medians.
    this.windowSteps = this.clock.before || this.clock.after || walkedStepsShort(this.log, fromWindows);
    // On one whose changes show before the events (its clock ahead of HA's, or an integration that stamps its switchings
    // 10-30 s late), the window before holds the change: the steps take the window one width earlier as the level before
    // (`EventMeasurement.earlyLags`). Eight of the harder household's variants with every event 10-30 s late: single-level
    // power RMS 55 -> 4.9 % at 1 s, 47 -> 6.0 % at 10 s, 40 -> 6.2 % at 30 s, 15 -> 7.2 % at 60 s, energy RMS 45 -> 6.1,
    // 62 -> 6.8, 44 -> 6.9 and 14 -> 9.9 %, and 23-33 of 40 single-level devices published at 1-30 s -> 39-40; with
    // the meter 8 s ahead 8.7 -> 4.6 % (1 s) and 13.9 -> 7.8 % (30 s, energy 40 -> 6.5 %); 5 s ahead, at 1 s, 5.3 -> 6.0 %
    // (the change in the window's last 2-5 s barely moved its median; the earlier window adds 30 s of wander).
    // Windows of one reading (`singleReadingWindows`) measure one entity's moves too roughly to tell: read every 60 s, the
    // late 12 W light's moves were 1.4-1.6 standard deviations ahead, and an on-time 8 W light's came out late by chance.
    const oneReadingWindows = this.sensorProfile !== null && singleReadingWindows(this.sensorProfile);
    this.earlyEntities = new Set(this.clock.after ? [] : this.log.entities().filter((entityId) => this.clock.before || (!oneReadingWindows && changesShowBefore(this.log.of(entityId)))));
    this.learned = this.clock.after ? learn(1, true) : this.windowSteps && this.earlyEntities.size === 0 ? fromWindows : learn(0, this.windowSteps, this.earlyEntities);
    return this.learned;
  }

  /** Measures every pending event whose windows the data now covers, and every run the data now covers. */
  private flush(): void {
    if (!this.ensureSensor()) return;
    const geometry = this.geometry!;
    const reach = reachAfterMs(geometry, this.lagsS);
    if (Number.isFinite(this.earliestLate)) {
      // Late data changes the windows of events up to `reach` before it (including the same entity's
      // neighbours, whose windows it clips), and the noise floor of events up to an hour after it.
      const dependsBack = NOISE_LOOKBACK_MS + geometry.preGuardMs;
      const all = this.log.all;
      for (let i = this.log.firstAtOrAfter(this.earliestLate - reach); i < all.length && all[i]!.event.t <= this.latestLate + dependsBack; i += 1) this.reopen(all[i]!);
      // A late reading holds into the time after it; a run whose windows it falls in is measured again.
      for (const [record, m] of this.runMeasurements) {
        if (m.from - MAX_BASELINE_WINDOW_MS <= this.latestLate + geometry.staleMs && m.to + MAX_BASELINE_WINDOW_MS >= this.earliestLate) this.runMeasurements.delete(record);
      }
      this.earliestLate = Number.POSITIVE_INFINITY;
      this.latestLate = Number.NEGATIVE_INFINITY;
      this.learned = null;
    }
    const ready = [...this.pending].filter((r) => r.event.t + reach <= this.completeUntil).sort((a, b) => a.event.t - b.event.t);
    if (ready.length > 0) {
      const settings = { series: this.series, geometry, lagsS: this.lagsS, completeUntil: this.completeUntil, sensorNoiseW: this.sensorProfile!.noiseW, readingNoiseW: readingNoiseFor(this.sensorProfile!) };
      for (const r of ready) {
        const { previous, next } = this.log.neighbours(r);
        const input = {
          t: r.event.t,
          previousOwnEvent: previous ? previous.event.t : null,
          nextOwnEvent: next ? next.event.t : null,
          conflictIn: (from: number, to: number) => this.log.conflictIn(r, from, to),
          othersIn: (from: number, to: number) => this.log.othersIn(r, from, to),
        };
        r.measurement = measureEvent(input, settings);
        this.pending.delete(r);
      }
      this.learned = null;
    }
    this.measureRuns(geometry);
    this.pruneSamples(reach);
  }

  /** Measures the closed runs the data now covers (again when their events changed). */
  private measureRuns(geometry: WindowGeometry): void {
    // The jumps between readings inside runs are counted where bursts are judged by them (`EntityInput.jumpsShowBursts`);
    // in the last quarter of runs in one state always (`cyclesInsideRuns`).
    const g = { ...runGeometry(geometry, this.sensorProfile!, this.lagsS, this.completeUntil), countJumps: jumpsShowBurstsFor(this.sensorProfile!) };
    let waitFrom = Number.POSITIVE_INFINITY;
    for (const entityId of this.log.entities()) {
      for (const run of runsOf(this.log.of(entityId))) {
        const first = run.records[0]!;
        const last = run.records[run.records.length - 1]!;
        const covered = run.closed && last.event.t + runReachMs(geometry, this.lagsS, last.event.t - first.event.t) <= this.completeUntil;
        if (!covered) {
          if (first.event.t >= this.completeUntil - MAX_RUN_MS) waitFrom = Math.min(waitFrom, first.event.t - geometry.preGuardMs - MAX_BASELINE_WINDOW_MS - geometry.staleMs);
          continue;
        }
        const known = this.runMeasurements.get(first);
        if (known && known.signature === runSignature(run)) continue;
        this.runMeasurements.set(first, measureRun(run, this.series, g));
        this.learned = null;
      }
    }
    this.runsWaitFrom = waitFrom;
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
    keepFrom = Math.min(keepFrom, this.runsWaitFrom);
    if (keepFrom <= this.droppedBefore) return;
    this.series.dropBefore(keepFrom);
    this.droppedBefore = keepFrom;
  }

  private describe(r: EventRecord, learned: Map<string, Map<string, LearnedState>>): EventStep {
    const { event, kind, state, measurement } = r;
    const l = learned.get(event.entityId)?.get(state);
    const lagIndex = kind === "off" ? (l?.offLagIndex ?? 0) : (l?.onLagIndex ?? 0);
    const source = this.stepSource(event.entityId);
    const m = measurement ? lagsOf(measurement, source)[lagIndex] : undefined;
    const accepted = kind !== "none" && m !== undefined && m.reason === null;
    // Taken from the window before the usual one (`earlyEntities`), an event too near its previous one has no step.
    const reason = !measurement ? "pending" : kind === "none" ? "no-power-state" : m ? m.reason : "short-window";
    return {
      t: event.t,
      entityId: event.entityId,
      from: event.from,
      to: event.to,
      kind,
      state,
      stepW: m ? stepOfLag(m, source) : null,
      // Taken with the window one width earlier (`earlyEntities`), the level before is the one the step is from.
      preW: source.earlySteps && m?.postW != null && m.stepW !== null ? m.postW - m.stepW : (measurement?.preW ?? null),
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

/** Prices change at most every quarter hour. */
const PRICE_STEP_MS = 15 * 60_000;

/** Cost of energy pieces (each spread evenly over its time), quarter hour by quarter hour. */
function costOfPieces(pieces: readonly EnergyPiece[], price: Price): number {
  let cost = 0;
  for (const p of pieces) {
    const length = p.to - p.from;
    if (length <= 0) continue;
    const kwhPerMs = p.wattMs / length / 3_600_000 / 1000;
    if (typeof price === "number") {
      cost += kwhPerMs * length * price;
      continue;
    }
    for (let a = p.from; a < p.to; ) {
      const b = Math.min(p.to, (Math.floor(a / PRICE_STEP_MS) + 1) * PRICE_STEP_MS);
      cost += kwhPerMs * (b - a) * price(a);
      a = b;
    }
  }
  return cost;
}

/** Energy pieces per (state, UTC hour start) in [from, to), kWh, each spread evenly over its time. */
function piecesByHour(pieces: readonly EnergyPiece[], from: number, to: number): Map<[string, number], number> {
  const HOUR = 3600_000;
  const sums = new Map<string, { state: string; hour: number; kwh: number }>();
  for (const p of pieces) {
    const length = p.to - p.from;
    if (length <= 0) continue;
    const kwhPerMs = p.wattMs / length / 3_600_000 / 1000;
    for (let a = Math.max(p.from, from), end = Math.min(p.to, to); a < end; ) {
      const hour = Math.floor(a / HOUR) * HOUR;
      const b = Math.min(end, hour + HOUR);
      const key = `${hour}\u0000${p.state}`;
      const entry = sums.get(key) ?? { state: p.state, hour, kwh: 0 };
      entry.kwh += kwhPerMs * (b - a);
      sums.set(key, entry);
      a = b;
    }
  }
  return new Map([...sums.values()].map((e) => [[e.state, e.hour] as [string, number], e.kwh]));
}
