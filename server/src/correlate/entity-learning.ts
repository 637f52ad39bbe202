/**
 * Everything learned about one entity from its measured events: the power of each of its power
 * states, and the time it spent in them once ghost runs are left out.
 */
import { stateIntervals, type StateInterval } from "./energy.js";
import type { EventRecord } from "./event-log.js";
import { isGhostRun, type EdgeStep } from "./ghosts.js";
import { estimate, isPublishable, joinedWeights, learnState, stepWeight, type Location, type RowWeights, type StateLearning, type StepRows } from "./learn.js";
import type { EventMeasurement, LagMeasurement } from "./measure.js";
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation } from "./robust.js";
import { fromKey, splitPowerStateKey, toKey, type ZeroStatePredicate } from "./states.js";

export interface LearnedState extends StateLearning {
  /** Robust standard deviation of the steps learned from, in W. */
  spreadW: number;
  /**
   * For an attribute level whose own steps are too few or too scattered to publish (a fan speed
   * read every 60 s): the power its neighbouring levels imply (`inferLevels`), W; otherwise null.
   */
  inferredW: number | null;
}

/**
 * How uncertain a publishable state's power is where other devices' runs are measured with it taken out at its step (the
 * engine's first pass, before any device is found to vary): its steps' spread, or how far its switch-ons' and switch-offs'
 * medians are apart when that is more. An EV charger switched on at 7 kW and off at 4 W once the car is full was taken out
 * at 9 W known to 3 W, and a dishwasher run that began in the same second as a charge kept 6.6 kW of it: the dishwasher was
 * charged 2.8 kW while on (true 0.44 kW), and the charger 23 % too little (one household of a fresh seed, on change).
 */
export function stepUncertaintyW(l: Pick<LearnedState, "spreadW" | "onValues" | "offValues">): number {
  const apart = l.onValues.length > 0 && l.offValues.length > 0 ? Math.abs(median(l.onValues) - median(l.offValues)) : 0;
  return Math.max(l.spreadW, apart);
}

/** The power a state is charged at: its steps' estimate when publishable, else the one its neighbouring levels imply, else null. */
export function powerOf(l: LearnedState): number | null {
  return isPublishable(l) ? l.powerW : l.inferredW;
}

export interface LearningSettings {
  lagCount: number;
  isZero: ZeroStatePredicate;
  /** Only the most recent accepted steps per state and direction count. */
  maxSteps: number;
  /** How a state's steps are summed up (`estimate`). */
  location: Location;
  /**
   * A step's noise (W) from its measurement, when steps are to count by it (`stepWeight`); without it
   * they count alike. The engine chooses it by the sensor (`stepNoiseFor`).
   */
  stepNoiseW?: (measurement: EventMeasurement) => number;
  /**
   * Steps are taken at this candidate lag (its index) or later: 1 on a meter whose clock runs behind HA's, whose
   * changes land inside the first lag's windows (the engine's `OffClock`); 0 (the default) otherwise.
   */
  firstLagIndex?: number;
  /** Steps from the windows' medians (`LagMeasurement.windowStepW`) where the levels were walked out from the events. */
  windowSteps?: boolean;
  /** Steps with the window before placed one width earlier (`EventMeasurement.earlyLags`). */
  earlySteps?: boolean;
}

/** Which of an event's measured steps count (`LearningSettings.windowSteps`, `earlySteps`). */
export type StepSource = Pick<LearningSettings, "windowSteps" | "earlySteps">;

/** An event's lag measurements as the settings read them (`LearningSettings.earlySteps`). */
export function lagsOf(m: EventMeasurement, settings: Pick<LearningSettings, "earlySteps">): readonly LagMeasurement[] {
  return settings.earlySteps ? (m.earlyLags ?? []) : m.lags;
}

export function learnEntity(own: readonly EventRecord[], settings: LearningSettings): Map<string, LearnedState> {
  const states = new Set<string>();
  for (const { event } of own) {
    if (!settings.isZero(event.from, event.entityId)) states.add(fromKey(event));
    if (!settings.isZero(event.to, event.entityId)) states.add(toKey(event));
  }
  const direct = new Map<string, LearnedState>();
  for (const state of states) direct.set(state, learnStateOf(own, state, settings));
  return inferLevels(own, inOrder(withStateChanges(own, direct, settings)), settings);
}

/** A level is out of order when the monotone fit moves it by more than max(2 W, 10 %) of its own estimate. */
const ORDER_TOLERANCE_W = 2;
const ORDER_TOLERANCE_SHARE = 0.1;

/**
 * A numbered attribute's power rises with its number (a light with its brightness, a fan with its
 * speed). The published levels of one state are fitted to that order (weighted by their standard
 * errors, pool-adjacent-violators), and a level the fit moves by more than max(2 W, 10 %) has steps
 * that contradict its neighbours': it is not published from them, and is charged what its in-order
 * neighbours imply (`inferLevels`). A dimmable light read every 60 s had its 30 % level at 133 ± 56 W
 * and its 10 % at 44 ± 7 W beside 27 ± 2 W at 50 % (true 16, 8 and 27 W): its energy came out 120 % high.
 */
export function inOrder(learned: Map<string, LearnedState>): Map<string, LearnedState> {
  const groups = new Map<string, { key: string; x: number }[]>();
  for (const [key, l] of learned) {
    const { state, level } = splitPowerStateKey(key);
    const x = levelNumber(level);
    if (x === null || x <= 0 || !isPublishable(l) || !(l.standardErrorW > 0)) continue;
    groups.set(state, [...(groups.get(state) ?? []), { key, x }]);
  }
  let out: Map<string, LearnedState> | null = null;
  for (const levels of groups.values()) {
    if (levels.length < 2) continue;
    levels.sort((a, b) => a.x - b.x);
    const own = levels.map((v) => learned.get(v.key)!);
    const fitted = isotonic(
      own.map((l) => l.powerW),
      own.map((l) => 1 / l.standardErrorW ** 2),
    );
    levels.forEach((v, i) => {
      const l = own[i]!;
      if (Math.abs(fitted[i]! - l.powerW) <= Math.max(ORDER_TOLERANCE_W, ORDER_TOLERANCE_SHARE * Math.abs(l.powerW))) return;
      out ??= new Map(learned);
      out.set(v.key, { ...l, standardErrorW: Number.POSITIVE_INFINITY });
    });
  }
  return out ?? learned;
}

/** Weighted least-squares non-decreasing fit of the values (pool-adjacent-violators). */
export function isotonic(values: readonly number[], weights: readonly number[]): number[] {
  const blocks: { sum: number; weight: number; count: number }[] = [];
  values.forEach((v, i) => {
    blocks.push({ sum: v * weights[i]!, weight: weights[i]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.sum / blocks[blocks.length - 2]!.weight > blocks[blocks.length - 1]!.sum / blocks[blocks.length - 1]!.weight) {
      const b = blocks.pop()!;
      const a = blocks[blocks.length - 1]!;
      a.sum += b.sum;
      a.weight += b.weight;
      a.count += b.count;
    }
  });
  return blocks.flatMap((b) => Array.from({ length: b.count }, () => b.sum / b.weight));
}

/** The number in an attribute level's label (`brightness 50 %` -> 50), or null (`heating`). */
function levelNumber(level: string | null): number | null {
  const m = level === null ? null : /(\d+(?:\.\d+)?)\s*%/.exec(level);
  return m ? Number(m[1]) : null;
}

/**
 * Levels of a numbered attribute (brightness, fan speed) whose own steps cannot be published are
 * charged what their neighbours imply, so that their on-time is not left out of the device's energy
 * (at 60 s, two of a fan's three speeds often are): between two published levels, the straight
 * line between them; beyond the published ones, the nearest in proportion to the level (a fan at
 * 33 % from its 22 W at 67 %: 11 W); with none published, all the levels' steps pooled.
 */
function inferLevels(own: readonly EventRecord[], learned: Map<string, LearnedState>, settings: LearningSettings): Map<string, LearnedState> {
  const groups = new Map<string, { key: string; x: number }[]>();
  for (const key of learned.keys()) {
    const { state, level } = splitPowerStateKey(key);
    const x = levelNumber(level);
    if (x === null || x <= 0) continue;
    groups.set(state, [...(groups.get(state) ?? []), { key, x }]);
  }
  const out = new Map(learned);
  for (const levels of groups.values()) {
    const known = levels.filter((v) => isPublishable(learned.get(v.key)!) && learned.get(v.key)!.powerW > 0).sort((a, b) => a.x - b.x);
    const unknown = levels.filter((v) => !known.includes(v));
    if (unknown.length === 0) continue;
    let pooledW: number | null = null;
    if (known.length === 0) {
      const keys = new Set(levels.map((v) => v.key));
      const rows = (kind: "on" | "off") => stepRowsOf(own, (r) => keys.has(r.state), kind, settings);
      const [on, off] = [rows("on"), rows("off")];
      const pooled = learnState(on.rows, off.rows, settings.lagCount, settings.location, on.weights, off.weights);
      pooledW = isPublishable(pooled) ? pooled.powerW : null;
    }
    for (const { key, x } of unknown) {
      const below = known.filter((v) => v.x < x).pop();
      const above = known.find((v) => v.x > x);
      const at = (v: { key: string }) => learned.get(v.key)!.powerW;
      const w = below && above ? at(below) + ((at(above) - at(below)) * (x - below.x)) / (above.x - below.x) : below ? (at(below) * x) / below.x : above ? (at(above) * x) / above.x : pooledW;
      out.set(key, { ...learned.get(key)!, inferredW: w !== null && w > 0 ? w : null });
    }
  }
  return out;
}

function learnStateOf(own: readonly EventRecord[], state: string, settings: LearningSettings): LearnedState {
  const on = stepRows(own, state, "on", settings);
  const off = stepRows(own, state, "off", settings);
  const fromSteps = learnState(on.rows, off.rows, settings.lagCount, settings.location, on.weights, off.weights);
  return { ...fromSteps, spreadW: spreadOf(fromSteps.values, fromSteps.powerW), inferredW: null };
}

/** Signed steps (the state's power) of the most recent events of one direction, one row per event, one column per lag, and each row's weight. */
function stepRows(own: readonly EventRecord[], state: string, kind: "on" | "off", settings: LearningSettings): { rows: StepRows; weights: RowWeights } {
  return stepRowsOf(own, (r) => r.state === state, kind, settings);
}

function stepRowsOf(own: readonly EventRecord[], pick: (r: EventRecord) => boolean, kind: "on" | "off", settings: LearningSettings): { rows: StepRows; weights: RowWeights } {
  const { maxSteps } = settings;
  const sign = kind === "on" ? 1 : -1;
  const rows: (number | null)[][] = [];
  const weights: number[] | null = settings.stepNoiseW ? [] : null;
  for (const r of own) {
    if (r.kind !== kind || !pick(r) || !r.measurement) continue;
    const first = settings.firstLagIndex ?? 0;
    const row = Array.from({ length: settings.lagCount }, (_, i) => {
      const m = lagsOf(r.measurement!, settings)[i];
      if (!m) return null;
      const step = stepOfLag(m, settings);
      return i >= first && m.reason === null && step !== null ? sign * step : null;
    });
    if (!row.some((v) => v !== null)) continue;
    rows.push(row);
    if (settings.stepNoiseW) weights?.push(stepWeight(settings.stepNoiseW(r.measurement)));
  }
  return { rows: rows.slice(-maxSteps), weights: weights && weights.slice(-maxSteps) };
}

/** A lag's step as the settings read it: from the walked levels, or from the windows' medians (`LearningSettings.windowSteps`). */
export function stepOfLag(m: LagMeasurement, settings: Pick<LearningSettings, "windowSteps">): number | null {
  return settings.windowSteps && m.windowStepW !== undefined ? m.windowStepW : m.stepW;
}

/**
 * A change between two power states (a fan from low to high) measures their difference: once one
 * side is known from on and off steps, the change adds a step to the other side.
 */
function withStateChanges(own: readonly EventRecord[], direct: Map<string, LearnedState>, settings: LearningSettings): Map<string, LearnedState> {
  const extra = new Map<string, { value: number; weight: number }[]>();
  const add = (state: string, value: number, weight: number) => extra.set(state, [...(extra.get(state) ?? []), { value, weight }]);
  const known = (l: LearnedState | undefined): l is LearnedState => l !== undefined && isPublishable(l);
  for (const r of own) {
    if (r.kind !== "change" || !r.measurement) continue;
    const from = direct.get(fromKey(r.event));
    const to = direct.get(toKey(r.event));
    const m = lagsOf(r.measurement, settings)[to?.onLagIndex ?? 0];
    const changeStep = m ? stepOfLag(m, settings) : null;
    if (!m || m.reason !== null || changeStep === null) continue;
    const weight = settings.stepNoiseW ? stepWeight(settings.stepNoiseW(r.measurement)) : 1;
    if (known(from)) add(toKey(r.event), from.powerW + changeStep, weight);
    if (known(to)) add(fromKey(r.event), to.powerW - changeStep, weight);
  }
  if (extra.size === 0) return direct;
  const out = new Map(direct);
  for (const [state, added] of extra) {
    const base = direct.get(state)!;
    const recent = added.slice(-settings.maxSteps);
    const all = [...base.values, ...recent.map((x) => x.value)];
    const weights = joinedWeights(base.weights, settings.stepNoiseW ? recent.map((x) => x.weight) : null);
    const e = estimate(all, settings.location, weights);
    out.set(state, { ...base, ...e, values: all, weights, spreadW: spreadOf(all, e.powerW) });
  }
  return out;
}

/** Time in each state, without ghost runs, and how many ghost runs were left out per state. */
export interface OnTime {
  intervals: StateInterval[];
  ghostRuns: Map<string, number>;
}

/** Marks ghost runs while computing intervals; never a state HA reports. */
const GHOST_STATE = "\u0000ghost";

/** The entity's state intervals up to `until`, less its ghost runs. */
export function onTime(own: readonly EventRecord[], states: ReadonlyMap<string, LearnedState>, until: number, stepNoiseW?: (m: EventMeasurement) => number, source: StepSource = {}): OnTime {
  const ghostStarts = new Set<EventRecord>();
  const ghostRuns = new Map<string, number>();
  // Each state's level (two medians) once, not once per run.
  const levels = new Map<string, number>();
  const levelOf = (state: string, l: LearnedState) => levels.get(state) ?? levels.set(state, lowestEdgeLevelW(l)).get(state)!;
  for (let i = 0; i + 1 < own.length; i += 1) {
    const start = own[i]!;
    const end = own[i + 1]!;
    const l = states.get(start.state);
    if (start.kind !== "on" || end.kind !== "off" || end.state !== start.state || !l || !isPublishable(l)) continue;
    const steps = [acceptedStep(start, l.onLagIndex, 1, stepNoiseW, source), acceptedStep(end, l.offLagIndex, -1, stepNoiseW, source)].flatMap((v) => (v === null ? [] : [v]));
    if (!isGhostRun(steps, levelOf(start.state, l), l.spreadW)) continue;
    ghostStarts.add(start);
    ghostRuns.set(start.state, (ghostRuns.get(start.state) ?? 0) + 1);
  }
  const events = own.map((r) => (ghostStarts.has(r) ? { ...r.event, to: GHOST_STATE, toLevel: null } : r.event));
  return { intervals: stateIntervals(events, until).filter((iv) => iv.state !== GHOST_STATE), ghostRuns };
}

/**
 * The level a real run's edges show at least: the state's power, or the median of its switch-ons or of its switch-offs
 * where one is lower. A PC learned at 169 W from switch-offs that caught its bursts is switched on and off at its 80 W
 * idle too; judged against 169 W, such runs looked like nothing following the switch (under half of it), and 5 of 20
 * runs left its on-time as ghosts (household 6086 read every 10 s: on-time 39.5 h, true 56.7 h).
 */
export function lowestEdgeLevelW(l: Pick<StateLearning, "powerW" | "onValues" | "offValues">): number {
  let level = l.powerW;
  if (l.onValues.length > 0) level = Math.min(level, median(l.onValues));
  if (l.offValues.length > 0) level = Math.min(level, median(l.offValues));
  return level;
}

function acceptedStep(r: EventRecord, lagIndex: number, sign: 1 | -1, stepNoiseW: ((m: EventMeasurement) => number) | undefined, source: StepSource): EdgeStep | null {
  const m = r.measurement ? lagsOf(r.measurement, source)[lagIndex] : undefined;
  // Behind an on-change sensor's dead band, a step is as unsure as something else moved in its windows (`movedW`): a 60 W
  // kitchen light's runs whose steps were near zero because a fridge or a charger switched beside them were taken for
  // ghost runs (3 of 56 on seed 424242's first household, its energy −12 % with its power −2 %; none with this).
  // The local noise of an on-change sensor's readings (about 11 W: consecutive reports differ by the threshold) cannot show it.
  // Nor is the hour's noise floor a step's noise where the sensor's at the levels read is more (`stepNoiseW`, read every 30 s
  // or less often: 1 % of a reading). A TV switched on beside an EV charger that had started within the hour (7.56 kW,
  // a floor of 5.8 W, about 75 W a reading) read +5 W and was taken for a ghost (seed 31339). The varying bench has no
  // ghost runs: at 30 s the nine seeds' 36 households had 37 (TVs 10 of them since paired readings narrowed their steps'
  // spread, 19 -> 15 W, under a sixth of their 93 W: `isGhostRun`), 27 with this; at 60 s 31 -> 28. The 30 s energy P90
  // went down on four seeds (2024 7.6 -> 6.5 %, 31337 8.6 -> 7.2 %, 777001 6.9 -> 6.3 %, 5 8.5 -> 7.8 %); seed 5's
  // 60 s energy median 2.83 -> 2.89 % (a PC's run no longer a ghost, its power high).
  const step = m ? stepOfLag(m, source) : null;
  return m && m.reason === null && step !== null ? { stepW: sign * step, noiseW: Math.max(r.measurement!.noiseW, m.movedW ?? 0, stepNoiseW?.(r.measurement!) ?? 0), ...(m.silentAfter ? { silent: true } : {}) } : null;
}

function spreadOf(values: readonly number[], center: number): number {
  return values.length > 0 ? MAD_TO_SIGMA * medianAbsoluteDeviation(values, center) : Number.POSITIVE_INFINITY;
}
