/**
 * Energy from what a device used while it was on. For each measured run: the whole-home power
 * integrated over the run, less a baseline interpolated between windows before and after it, less
 * the other devices learned to be running then. Compared run by run with what the learned steps
 * predict (step × on-time), this tells a device whose level is the same all the time it is on
 * (its steps are the better measure: untracked loads add noise to an integral, not to a median
 * step) from one whose power varies (a washer heating, a PC's bursts, a heat pump's ramp and
 * run-on), whose energy is then the integrals' and whose power is its mean while on.
 *
 * Pure: computed from the stored run measurements and learned steps whenever profiles are read.
 */
import { stateIntervals, type StateInterval } from "./energy.js";
import { powerOf, type LearnedState } from "./entity-learning.js";
import { edgeMean, isPublishable, isRepresentative, switchOffsClearlyAbove, trimmedMean, type EdgeMean, type StateLearning } from "./learn.js";
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation, MEDIAN_SE_FACTOR, standardErrorOfMedian } from "./robust.js";
import { phasesOf } from "./run-shapes.js";
import { LEVEL_BINS, levelBin, levelOfBin, type JumpCounts, type Run, type RunMeasurement } from "./runs.js";
import { steadyInEachState } from "./states.js";
import type { Phase, StateEvent } from "./types.js";

/** How a device's energy was found. */
export type EnergyModel = "steps" | "while-on";

export interface StateEnergy {
  /** Mean power while in the state (the step for the step model), W; null when unknown. */
  powerW: number | null;
  /** The learned step at the switching edges, W; null when not publishable. */
  stepW: number | null;
  /** Runs through the state, measured runs, and measured runs with no other device's event near. */
  runs: number;
  measuredRuns: number;
  cleanRuns: number;
  /** Mean power per measured run: 10th and 90th percentile, W (while-on model). */
  range: { lowW: number; highW: number } | null;
  phases: Phase[];
  /** Median energy of a measured run in this state, kWh (while-on model). */
  kwhPerRun: number | null;
  /** Relative standard error of the state's energy, as far as the runs show it; null when unknown. */
  energyRelativeError: number | null;
  /** Step model: the power is a bursty device's mean from its switch-offs and runs (`meanOfBursts`), not the step. */
  fromSwitchOffs: boolean;
  /** Step model: all the device's runs together say it draws clearly other than the power charged (`runsContradict`); it is then never confident. */
  runsDisagree: boolean;
  /** Step model: the step cannot stand for the device's energy and the runs cannot say what does (`unattributable`): not published. */
  unattributable: boolean;
}

/** A stretch of time over which an entity drew a known energy in one state (spread evenly over it). */
export interface EnergyPiece {
  state: string;
  from: number;
  to: number;
  wattMs: number;
}

export interface EntityEnergy {
  entityId: string;
  model: EnergyModel;
  /** Runs whose integral was used. */
  measuredRuns: number;
  /** Whether too few runs were clear of uncertain neighbours, so the least uncertain few were used. */
  fewCertainRuns: boolean;
  /**
   * Step model: the mean power its runs suggest (`suspectedMeanW`) when they say it draws far more than its quiet
   * edges without proving it, W; null otherwise. Other devices' runs take it out at this, not at its step.
   */
  suspectedW?: number | null;
  /** Step model, one state: all its runs' median residual against its step (`broadResidual`); null or absent otherwise. */
  allRuns?: Residual | null;
  /**
   * Step model: whether all its runs, weighed by what this pass knows of the devices around them, would still confirm that
   * it varies (`confirmedByAllRuns`; true with too few runs to say); absent otherwise.
   */
  allRunsConfirmVarying?: boolean;
  states: Map<string, StateEnergy>;
  /** Where the energy was drawn, for hourly statistics and time-of-use cost. */
  pieces: EnergyPiece[];
}

export interface EntityInput {
  entityId: string;
  events: readonly StateEvent[];
  learned: ReadonlyMap<string, LearnedState>;
  /** HA's on-time intervals of the step model (ghost runs left out). */
  stepIntervals: readonly StateInterval[];
  runs: readonly { run: Run; measurement: RunMeasurement | null }[];
  until: number;
  /**
   * Whether a switch-off step is measured over windows narrow enough to stand for the level the
   * device was at (`edgeMean`): not over windows wider than two minutes, which as often catch another
   * load (a porch light went 60 -> 81 W, a TV 87 -> 103 W with a 60 s sensor's former 3-minute windows;
   * its one-reading windows now are narrow enough).
   */
  switchOffsSampleLevels: boolean;
  /**
   * Whether a state's switch-offs must be above its switch-on level clearly more often than its
   * switch-ons are (`switchOffsClearlyAbove`) before it is taken for a device with bursts, from its
   * switch-offs (`edgeMean`) or from its runs (`meanOfRuns`): with windows a minute wide or wider,
   * where other loads confound many steps (see the engine's `BURSTS_MUST_STAND_OUT_MIN_WINDOW_MS`).
   */
  burstsMustStandOut?: boolean;
  /**
   * Whether the jumps between consecutive readings inside a state's runs (`jumpExcessSigmas`) say whether it has
   * bursts (`burstsGate`): with readings 30 s or more apart (one a window, `singleReadingWindows`). Read every 10 s or
   * on change, other devices' ramps and modulation (a heat pump's) come as many jumps of a light's size: lights
   * stood 4 or more standard errors above their baseline windows, and five were charged for bursts (+11 to +29 %).
   */
  jumpsShowBursts?: boolean;
  /** Per state, the energy its load does not draw while ramping up after each entry into it (`rampDeficitWattMs`), W·ms. */
  rampDeficitWattMs: ReadonlyMap<string, number>;
}

/** Another device's power over time, for taking it out of a run's integral. */
export class EnergyCurve {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly watts: Float64Array;
  private readonly before: Float64Array;

  constructor(intervals: readonly { from: number; to: number; powerW: number }[]) {
    const sorted = [...intervals].filter((x) => x.to > x.from && x.powerW !== 0).sort((a, b) => a.from - b.from);
    this.starts = Float64Array.from(sorted, (x) => x.from);
    this.ends = Float64Array.from(sorted, (x) => x.to);
    this.watts = Float64Array.from(sorted, (x) => x.powerW);
    this.before = new Float64Array(sorted.length + 1);
    sorted.forEach((x, i) => (this.before[i + 1] = this.before[i]! + x.powerW * (x.to - x.from)));
  }

  /** W·ms drawn in [from, to]. */
  between(from: number, to: number): number {
    return to > from ? this.upTo(to) - this.upTo(from) : 0;
  }

  private upTo(t: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= t) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (i < 0) return 0;
    return this.before[i]! + this.watts[i]! * (Math.min(t, this.ends[i]!) - this.starts[i]!);
  }
}

/** When a device was on, and how uncertain its power was then (W; infinite when unknown or varying). */
export class Presence {
  private readonly froms: Float64Array;
  private readonly tos: Float64Array;
  private readonly sigmas: Float64Array;

  constructor(intervals: readonly { from: number; to: number; sigmaW: number }[]) {
    const sorted = [...intervals].filter((x) => x.to > x.from).sort((a, b) => a.from - b.from);
    this.froms = Float64Array.from(sorted, (x) => x.from);
    this.tos = Float64Array.from(sorted, (x) => x.to);
    this.sigmas = Float64Array.from(sorted, (x) => x.sigmaW);
  }

  /** Σ uncertainty × overlap (W·ms) of the intervals overlapping (from, to); infinite when one of unknown power does. */
  uncertainty(from: number, to: number): number {
    let lo = 0;
    let hi = this.froms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.froms[mid]! < to) lo = mid + 1;
      else hi = mid;
    }
    // One device's intervals overlap only by their tails: of those starting before `from`, the last few can reach into it.
    let sum = 0;
    let before = 0;
    for (let i = lo - 1; i >= 0 && before < 3; i -= 1) {
      const overlap = Math.min(to, this.tos[i]!) - Math.max(from, this.froms[i]!);
      if (overlap > 0) sum += this.sigmas[i]! * overlap;
      if (this.froms[i]! < from) before += 1;
    }
    return sum;
  }
}

/** The other devices' W·ms in [from, to], and whether any of them switched in it. */
export interface Others {
  energy(from: number, to: number): number;
  switchedIn(from: number, to: number): boolean;
  /**
   * How uncertain, on average over [from, to], the power of the other devices on then is, W: the
   * spread of their steps, the mean of one that varies while on, infinite for one of unknown power.
   */
  uncertaintyW(from: number, to: number): number;
}

/** A run is measured when the other devices around it are uncertain by at most max(5 W, 10 % of the device's power). */
const UNCERTAINTY_FLOOR_W = 5;
const UNCERTAINTY_SHARE = 0.1;
/**
 * Whether a run says what the device drew: the other devices around it are known to max(5 W, 10 % of the device's scale,
 * its largest step or its runs' median raw excess), and its baselines before and after disagree by at most
 * `BASELINE_GAP_SCALES` times that scale.
 * A 1.8 kW load that came on during a PC's run (80 W idle, 119 W mean) left it saying 1043 W; one of the PC's three
 * runs clear of uncertain neighbours, it was found to vary at 346 W (+191 % in one household of 160, read every second).
 */
export function clearOfNeighbours(m: { uncertaintyW: number; baselineGapW: number }, scaleW: number): boolean {
  return m.uncertaintyW <= Math.max(UNCERTAINTY_FLOOR_W, UNCERTAINTY_SHARE * scaleW) && m.baselineGapW <= BASELINE_GAP_SCALES * scaleW;
}

/**
 * ...twice that scale: a washer whose raw excess (340 W, true mean 590 W) a dishwasher's heater after it had pulled
 * down had its runs' baselines 625 W apart, and its clear runs were what found it to vary.
 */
const BASELINE_GAP_SCALES = 2;

/** A run's residual must be at least this share of the steps' energy to be worth the integrals' noise. */
const MIN_RESIDUAL_SHARE = 0.03;
/** ...and this many of its standard errors from zero. */
const RESIDUAL_SIGMAS = 2.5;
/** A residual of at least this share of the steps' energy is believed from `MIN_MEASURED_RUNS` runs; a smaller one needs `SUBTLE_RESIDUAL_RUNS`. */
const LARGE_RESIDUAL_SHARE = 0.5;
const SUBTLE_RESIDUAL_RUNS = 6;
/**
 * A device whose switch-on and switch-off steps see the same level (`isRepresentative`) is taken to
 * vary in between only when its runs' residual is this many times their own noise (baseline
 * disagreement and the uncertainty around them): a washer's heater behind quiet edges is, and a heat
 * pump's ramp; a small light's evening company of untracked loads (tens of watts, beside its 12 W) is
 * not.
 */
const STEADY_EDGES_NOISE_MULTIPLE = 3;
/**
 * A residual over this many times the steps is no small light's evening company (a 12 W light's 44 W of it, 3.6 times,
 * was what `STEADY_EDGES_NOISE_MULTIPLE` stopped): quiet edges in front of a heater (a washer's 16 W fill, its runs
 * +593 ± 206 W above it beside noise of 285 W, 36 times).
 */
const FAR_ABOVE_STEP_MULTIPLE = 10;
/**
 * The runs are compared with the steps when the states with a step (`powerOf`) hold all but this share of the measured
 * runs' on-time, over that time alone; otherwise, with no step for a good part of it, their mean power alone says
 * whether the device varies (and it does whenever it draws anything). A TV's pauses on seed 8675309 at 30 s (seven
 * changes in two weeks, 2 % of its runs' time, two of them resuming to a brighter programme) had a step of 51 ± 6 W from
 * one reading a window and 30 ± 18 W, not publishable, from paired readings: its runs alone, 27 W above its 87 W
 * playing step with other loads in them, became its energy (+35 %; +0.6 % with this, that seed's 30 s energy P90
 * 9.7 -> 7.9 %). No other device of the nine seeds moved: a heat pump's idle cycles, without a step, hold 27-34 % of its
 * runs' time at all five sensors, and still leave its runs alone to decide.
 */
const UNSTEPPED_MAX_SHARE = 0.1;
/** Measured runs needed before the while-on model is used. */
export const MIN_MEASURED_RUNS = 3;
/** Run means further than this many robust deviations (plus a few watts) from their median are clipped. */
const WINSOR_SIGMAS = 3;
const WINSOR_FLOOR_W = 2;

interface MeasuredRun {
  /** W·ms above the baseline, less other devices, per state; and per segment (parallel to the measurement's). */
  byState: Map<string, number>;
  segments: number[];
  /** HA's on-time of each state in the run, ms. */
  onMs: Map<string, number>;
  totalOnMs: number;
  total: number;
  clean: boolean;
  /** How uncertain the other devices on around the run were, W (see `Others.uncertaintyW`). */
  uncertaintyW: number;
  /** |baseline before − baseline after|, W (0 with one of them). */
  baselineGapW: number;
  measurement: RunMeasurement;
}

export function attributeEntity(input: EntityInput, others: Others): EntityEnergy {
  const stepOf = (state: string): number | null => {
    const l = input.learned.get(state);
    return l ? powerOf(l) : null;
  };
  // The device's scale: its largest learned step or the median of its runs' raw excess, whichever is larger. Not each
  // run's own excess: a run inflated by an untracked load would then tolerate more uncertainty, and be chosen more often.
  const integrable = input.runs.flatMap(({ run, measurement: m }) => (m && m.integrable ? [{ run, m }] : []));
  const steps = [...input.learned.keys()].map(stepOf).filter((x): x is number => x !== null);
  const scaleW = Math.max(0, ...steps.map(Math.abs), integrable.length > 0 ? median(integrable.map(({ m }) => rawExcessW(m))) : 0);
  const all = integrable.map(({ run, m }) => excessOf(run, m, others));
  // Runs around which the other devices' power is known to max(5 W, 10 % of the device's); with too few of them, the
  // least noisy few (their outliers clipped): by the uncertainty around them and their baselines' disagreement both, the
  // run's own noise the residual's error counts (`noiseW`). By the uncertainty alone, a washer on its 15 W fill edges
  // (seed 314159, read every second) was measured by runs with baselines 290-350 W apart beside one 13 W apart, and
  // not by runs 40-90 W apart beside a heat pump or PC uncertain by 100-140 W: its residual, +539 ± 279 W (1.9 standard
  // errors), was lost in that noise, and it was charged its edges (-97 %); now +604 ± 106 W, -1 %. Nine seeds 23 -> 23
  // misses (41 figures better, 18 worse with four fresh seeds); fresh seeds 17 -> 14.
  const certain = all.filter((m) => clearOfNeighbours(m, scaleW));
  const noiseOf = (m: MeasuredRun) => m.uncertaintyW + m.baselineGapW;
  const measured = certain.length >= MIN_MEASURED_RUNS ? certain : [...all].sort((a, b) => noiseOf(a) - noiseOf(b)).slice(0, MIN_MEASURED_RUNS);
  const runCount = new Map<string, number>();
  for (const { run } of input.runs) for (const state of new Set(run.records.slice(0, -1).map((r) => r.state))) runCount.set(state, (runCount.get(state) ?? 0) + 1);

  // Residual power of each measured run against the steps: zero, give or take noise, for a steady device.
  const stepEnergy = (m: MeasuredRun) => stepEnergyOf(m, stepOf);
  // The runs are compared with the steps over their time in states with a step (`UNSTEPPED_MAX_SHARE`).
  const stepped = measured.map((m) => steppedPart(m, stepOf));
  const onMs = measured.reduce((s, m) => s + m.totalOnMs, 0);
  const steppedMs = stepped.reduce((s, k) => s + k.ms, 0);
  const stepsKnown = measured.length > 0 && stepped.every((k) => k.ms > 0) && onMs - steppedMs <= UNSTEPPED_MAX_SHARE * onMs;
  let variable = false;
  let finalTotals: number[] = [];
  /** Median residual of the measured runs against the steps and its standard error, W; null without steps or enough runs. */
  let residual: Residual | null = null;
  if (measured.length >= MIN_MEASURED_RUNS) {
    // A run's own noise: how far its baselines before and after disagree (a fridge on in one, off in the other), and
    // how uncertain the other devices around it are; the spread of the runs may hide it when there are only a few.
    const noiseW = median(measured.map((m) => m.baselineGapW + m.uncertaintyW));
    // Significant: the median is clear of its standard error, or every run on its own is clear of its own noise (its
    // baselines' disagreement plus the uncertainty around it; runs
    // that really differ from each other, as an EV charger's do with how full the car was, widen the median's error).
    const seOf = (values: readonly number[], middle: number) =>
      Math.max(standardErrorOfMedian(medianAbsoluteDeviation(values, middle), values.length), (MEDIAN_SE_FACTOR * noiseW) / Math.sqrt(values.length), RESIDUAL_SE_FLOOR_W / Math.sqrt(values.length));
    const eachClearOf = (values: readonly number[], middle: number) =>
      values.every((v) => Math.sign(v) === Math.sign(middle)) && values.every((v, i) => Math.abs(v) > measured[i]!.baselineGapW + measured[i]!.uncertaintyW);
    const significant = (values: readonly number[], middle: number) => {
      const se = seOf(values, middle);
      const sameSign = values.every((v) => Math.sign(v) === Math.sign(middle));
      return (Math.abs(middle) > RESIDUAL_SIGMAS * se && (values.length >= SUBTLE_RESIDUAL_RUNS || sameSign)) || eachClearOf(values, middle);
    };
    if (stepsKnown) {
      const residualW = stepped.map((k) => (k.wattMs - k.stepWattMs) / Math.max(1, k.ms));
      const middle = median(residualW);
      residual = { middleW: middle, standardErrorW: seOf(residualW, middle) };
      const stepMeanW = stepped.reduce((s, k) => s + k.stepWattMs, 0) / Math.max(1, steppedMs);
      // A large residual (a washer's 2 kW heater behind 15 W edges) shows in a few runs; a subtle one needs more of them.
      const share = Math.abs(middle) / Math.max(1e-9, Math.abs(stepMeanW));
      // ...or, when the runs say the device draws less than its step, in a few runs that each show it clear of their own
      // noise (an oven's thermostat cutting its 2.4 kW to 1.2 kW in each of five runs: 0.2 % short of the large share, it
      // was charged 82 % too much). A device drawing more than its step has its switch-offs to show its bursts (a PC).
      const subtleShown = residualW.length >= SUBTLE_RESIDUAL_RUNS || (middle < 0 && eachClearOf(residualW, middle));
      variable = significant(residualW, middle) && (share >= LARGE_RESIDUAL_SHARE || (subtleShown && share >= MIN_RESIDUAL_SHARE));
      // Edges that agree speak for a steady device: only a large excess over the runs' own noise says otherwise.
      const steadyEdges = [...input.learned.values()].every((l) => !isPublishable(l) || isRepresentative(l));
      // ...unless it is far above the steps (`FAR_ABOVE_STEP_MULTIPLE`): quiet edges do not speak for a heater behind them.
      if (variable && steadyEdges && !(middle > FAR_ABOVE_STEP_MULTIPLE * stepMeanW)) variable = Math.abs(middle) >= STEADY_EDGES_NOISE_MULTIPLE * noiseW;
      // Runs that say the device drew nothing or less, while its steps say it draws power, measured noise.
      if (variable && stepMeanW > 0 && stepMeanW + middle <= 0) variable = false;
      const clipped = winsorize(residualW, ownRunsStand(measured));
      // The time in states without a step keeps its own integral.
      finalTotals = measured.map((m, i) => stepped[i]!.stepWattMs + clipped[i]! * stepped[i]!.ms + (m.total - stepped[i]!.wattMs));
    } else {
      // No steps to compare with: the runs alone, when they clearly show a load.
      const meanW = measured.map((m) => m.total / Math.max(1, m.totalOnMs));
      const middle = median(meanW);
      variable = middle > 0 && significant(meanW, middle);
      const clipped = winsorize(meanW, ownRunsStand(measured));
      finalTotals = measured.map((m, i) => clipped[i]! * m.totalOnMs);
    }
  }
  const fewCertainRuns = certain.length < MIN_MEASURED_RUNS;
  // The few least uncertain runs may all have caught other loads; all the device's runs together must agree.
  const allRunsConfirmVarying = confirmedByAllRuns(all, input, stepOf, stepEnergy);
  if (variable && !allRunsConfirmVarying) variable = false;
  // A light or a fan is steady at each brightness or speed: what its runs hold beyond its steps is other loads (a 40 W
  // porch light's seven least uncertain runs at 60 s, at the busy hour, said 411 W).
  const steady = steadyInEachState(input.entityId);
  if (steady) variable = false;
  const broad = variable ? null : broadResidual(all, input, stepOf, stepEnergy);
  if (!variable && !steady && certain.length < SUBTLE_RESIDUAL_RUNS && farAboveByAllRuns(input, stepOf, residual, broad)) {
    const runs = all.filter((m) => m.totalOnMs > 0);
    const stepWattMs = runs.map(stepEnergy);
    const clipped = winsorize(runs.map((m, i) => (m.total - stepWattMs[i]!) / m.totalOnMs), ownRunsStand(runs));
    const totals = runs.map((m, i) => stepWattMs[i]! + clipped[i]! * m.totalOnMs);
    // Its mean from the less contaminated half of its runs; the others keep their own measure only when it is better than
    // that mean (`ownIntegralBetter`). Its phases from its least uncertain runs: the others hold other devices' levels (an EV charger's 6 kW).
    const { kept, left } = lessContaminatedHalf(runs);
    return { ...whileOnModel(input, stepOf, runCount, kept.map((i) => runs[i]!), kept.map((i) => totals[i]!), left.map((i) => runs[i]!), measured), fewCertainRuns };
  }
  if (!variable) {
    const onSteps = stepModel(input, stepOf, runCount, measured, residual, broad);
    // Used once or twice, each run measured and far above what else can have moved it (an EV charger): what its runs used.
    const closedRuns = input.runs.filter(({ run }) => run.closed).length;
    if (!steady && fewRunsOwnIntegrals(onSteps, all, closedRuns)) return { ...whileOnModel(input, stepOf, runCount, all, all.map((m) => m.total)), fewCertainRuns };
    return { ...onSteps, fewCertainRuns, suspectedW: suspectedMeanW(input, stepOf, residual), allRuns: broad, allRunsConfirmVarying };
  }
  const rest = all.filter((m) => !measured.includes(m));
  return { ...whileOnModel(input, stepOf, runCount, measured, finalTotals, rest), fewCertainRuns };
}

/**
 * The indices of the runs whose contamination (`contaminationW`) is at most the median's, at least `MIN_MEASURED_RUNS` of
 * them (`kept`), and of the others (`left`). A dishwasher charged all its eleven runs (its pump edges far below what they
 * said) had two of them beside loads that came and went, their baselines 1-3 kW apart: clipped to -520 and -38 W, they
 * took its mean from 446 to 271 W (-39 % at 30 s, household 6147).
 */
export function lessContaminatedHalf(runs: readonly Pick<MeasuredRun, "baselineGapW" | "uncertaintyW" | "totalOnMs">[]): { kept: number[]; left: number[] } {
  const contamination = runs.map(contaminationW);
  const limit = Math.max(median(contamination), [...contamination].sort((a, b) => a - b)[Math.min(runs.length, MIN_MEASURED_RUNS) - 1] ?? 0);
  const kept: number[] = [];
  const left: number[] = [];
  contamination.forEach((c, i) => (c <= limit ? kept : left).push(i));
  return { kept, left };
}

/** A few runs together (`fewRunsOwnIntegrals`), or one run (`ownRunsStand`), must draw this many times what else can have moved them (`contaminationW`, a bound). */
const FEW_RUNS_CLEAR_MULTIPLE = 4;

/**
 * Whether a device whose steps cannot give its energy (its one or two switch-ons and switch-offs too few to publish a
 * step, or a step its runs say is far off: `unattributable`, `fewRunsBelow`) is charged what its runs used: fewer than
 * `MIN_MEASURED_RUNS` runs, every one of its `closedRuns` measured, together drawing over `FEW_RUNS_CLEAR_MULTIPLE` times
 * the most that other loads can have moved them (each run's `contaminationW` over its on-time), so that its energy is
 * within a quarter of the truth however they fell. An EV charger used once or twice in two weeks (on at 7 kW, 4 W once
 * the car is full) was not published in 16 of 320 fresh households (24-58 kWh each); charged its runs, -8 to +4 %. Asked
 * of each run, a short charge beside a 27 kWh one (its 1.6 kW mean 2.5 times its 640 W bound) kept three more
 * unpublished (30-45 kWh; -2 to -4 % charged their runs). A 150 W load on for an hour stays unpublished: a microwave
 * inside that hour could be most of it.
 */
export function fewRunsOwnIntegrals(
  onSteps: Pick<EntityEnergy, "states">,
  all: readonly Pick<MeasuredRun, "total" | "totalOnMs" | "baselineGapW" | "uncertaintyW">[],
  closedRuns: number,
): boolean {
  if (all.length === 0 || all.length >= MIN_MEASURED_RUNS || all.length !== closedRuns) return false;
  const unknown = [...onSteps.states.values()].some((e) => e.unattributable || e.powerW === null || !(e.powerW > 0));
  if (!unknown) return false;
  return all.every((m) => m.total > 0) && farAboveContamination(all);
}

/** Whether the runs together drew over `FEW_RUNS_CLEAR_MULTIPLE` times the most that other loads can have moved them (each run's `contaminationW` over its on-time). */
function farAboveContamination(runs: readonly Pick<MeasuredRun, "total" | "totalOnMs" | "baselineGapW" | "uncertaintyW">[]): boolean {
  if (!runs.every((m) => m.totalOnMs > 0)) return false;
  const drawn = runs.reduce((s, m) => s + m.total, 0);
  const movable = runs.reduce((s, m) => s + contaminationW(m) * m.totalOnMs, 0);
  return drawn > FEW_RUNS_CLEAR_MULTIPLE * movable;
}

/**
 * The mean power a one-state device on its steps is suspected to draw: its step plus its measured runs' median residual,
 * when that residual is positive and over `FAR_ABOVE_STEP_MULTIPLE` times the step (however noisy); null otherwise.
 * A washer and a dishwasher, each on its quiet edges (16 W fill, 10 W pump), both used in the evening in one household
 * (seed 99993), each took the other out of its runs at that step: the other's 1.8-2 kW heater stayed in its baseline
 * windows (gaps of 230-4200 W), its runs' residuals (+295 ± 285 W, +305 ± 488 W) were lost in that noise, and both were
 * charged their edges (-97 % of their energy). Taken out at this mean instead (uncertain by it, as a varying device), the
 * other's heater leaves the baselines and the runs beside it are no longer the least uncertain: both then vary (+0 and
 * -12 % there; FEAC over the smaller devices 0.90-0.91 -> 0.97-0.99 at the four sensor kinds it missed at).
 */
export function suspectedMeanW(input: EntityInput, stepOf: (s: string) => number | null, residual: Residual | null): number | null {
  if (residual === null || input.learned.size !== 1) return null;
  const step = stepOf([...input.learned.keys()][0]!);
  if (step === null || !(step > 0)) return null;
  return residual.middleW > FAR_ABOVE_STEP_MULTIPLE * step ? step + residual.middleW : null;
}

/**
 * Whether a one-state device on its steps draws what all its runs say instead (`broadResidual`): they say over
 * `FAR_ABOVE_STEP_MULTIPLE` times its step more, `RESIDUAL_SIGMAS` standard errors clear of zero, and its least
 * uncertain runs (when there are enough) say more too. A dishwasher on its 14 W pump edges whose three least uncertain
 * runs said +325 ± 149 W (2.2 standard errors, short of proof), its nine runs +393 ± 27 W (true mean 430 W), was
 * charged its edges (-97 %, one household of forty, on change). A 41 W porch light whose runs at the busy hour
 * said +222 ± 61 W (5.4 times) is no such case. Only when fewer than `SUBTLE_RESIDUAL_RUNS` runs are clear of
 * uncertain neighbours (checked by the caller): a washer and a dishwasher whose eight runs each were all clear of
 * neighbours but had the other machine in their baseline windows are for `suspectedMeanW` to sort out.
 */
export function farAboveByAllRuns(input: Pick<EntityInput, "learned">, stepOf: (s: string) => number | null, residual: Residual | null, broad: Residual | null): boolean {
  if (broad === null || input.learned.size !== 1) return false;
  const step = stepOf([...input.learned.keys()][0]!);
  if (step === null || !(step > 0)) return false;
  return broad.middleW > FAR_ABOVE_STEP_MULTIPLE * step && broad.middleW > RESIDUAL_SIGMAS * broad.standardErrorW && (residual === null || residual.middleW > 0);
}

/**
 * Whether a device found to vary in the pass before keeps that answer now that it is back on its steps with too few runs
 * clear of the varying devices around it to say otherwise (a dishwasher beside a heat pump that is nearly always on):
 * not when all its runs now clearly say another mean (`RESIDUAL_SIGMAS` standard errors of their median residual). A PC
 * whose three least uncertain runs in the first pass held a washer's heater (taken out at its 15 W edges then) was found
 * to vary at 346 W; all its runs in the second said 134 ± 25 W (true 116 W), and it was charged 346 W (+197 %). A device
 * with several states (no median residual) keeps it only while all its runs, weighed by what this pass knows of the
 * devices around them, still confirm that it varies (`confirmedByAllRuns`): a TV whose first pass measured a run beside a
 * dishwasher, taken out at its 14 W edges then, was charged 244 W while playing, true 93 W (+164 %; household 7017 read
 * every 60 s with 5 % of its readings dropped and an hour's outage a day).
 */
export function keepsEarlierAnswer(first: EntityEnergy, now: EntityEnergy): boolean {
  if (!(first.model === "while-on" && now.model === "steps" && now.fewCertainRuns)) return false;
  const broad = now.allRuns ?? null;
  if (broad === null || first.states.size !== 1) return now.allRunsConfirmVarying ?? true;
  const [state, earlier] = [...first.states][0]!;
  const step = now.states.get(state)?.stepW ?? null;
  if (earlier.powerW === null || step === null) return true;
  return Math.abs(earlier.powerW - (step + broad.middleW)) <= RESIDUAL_SIGMAS * broad.standardErrorW;
}

/** The runs' median residual against the steps, and its standard error, W. */
export interface Residual {
  middleW: number;
  standardErrorW: number;
}

/** Runs needed for the median residual over all runs (`broadResidual`) to say anything. */
export const BROAD_MIN_RUNS = 8;

/**
 * The median residual against the step over every integrable run of a one-state device, however
 * uncertain the devices around each run (a PC is on for hours beside everything, so none of its
 * runs is clear of them), with the standard error of that median from the runs' spread. Each run's
 * error is large, but others' loads start and stop inside a run as often as around it, so they move
 * the median little. Null for devices with more than one state, or with fewer than `BROAD_MIN_RUNS` runs.
 */
function broadResidual(all: readonly MeasuredRun[], input: EntityInput, stepOf: (s: string) => number | null, stepEnergy: (m: MeasuredRun) => number): Residual | null {
  if (input.learned.size !== 1) return null;
  const runs = all.filter((m) => m.totalOnMs > 0 && [...m.onMs.keys()].every((s) => stepOf(s) !== null));
  if (runs.length < BROAD_MIN_RUNS) return null;
  const residualW = runs.map((m) => (m.total - stepEnergy(m)) / m.totalOnMs);
  const middle = median(residualW);
  return { middleW: middle, standardErrorW: standardErrorOfMedian(medianAbsoluteDeviation(residualW, middle), residualW.length) };
}

/**
 * Whether all of a device's integrable runs (at least `BROAD_MIN_RUNS`) confirm that it varies while
 * on: their residuals against its steps (or, without a step for each of its states, their mean power), each
 * weighed by the inverse square of what else going on in it can explain (`contaminationW`, taken as
 * √3 standard deviations), average `RESIDUAL_SIGMAS` standard errors from zero. The runs clear of
 * uncertain neighbours are few for a device on at the busy hours, and can all have caught untracked
 * loads: a 60 W kitchen light read every 60 s, whose nine such runs said 64 ± 22 W above its step,
 * had its 50 runs say nothing clear; so had a 40 W porch light whose three said 77 ± 48 W. A washer's
 * heater, a dishwasher's or an oven's thermostat shows in all their runs alike (590 W above 12 W
 * edges), and runs beside an EV charger, uncertain by kilowatts, hardly count. A device with several
 * states too: a fan at 12, 22 and 40 W in a household with two PCs (on for hours, at 80 W idle with
 * bursts to 200 W) had one run clear of them; its three least uncertain runs each said 31-126 W above
 * its speeds' steps, and it was charged 95 W at its 12 W speed (+112 % energy at 60 s); its 49 runs
 * said nothing clear. Over the nine reference seeds this moved no miss: 25 figures better, 6 worse
 * (seed 5's 60 s energy P90 14.8 -> 11.6 %; seed 1676508719's 30 s one 8.7 -> 12.2 %). True with fewer
 * runs (nothing to confirm with).
 */
export function confirmedByAllRuns(all: readonly MeasuredRun[], input: EntityInput, stepOf: (s: string) => number | null, stepEnergy: (m: MeasuredRun) => number): boolean {
  const runs = all.filter((m) => m.totalOnMs > 0 && Number.isFinite(m.uncertaintyW));
  if (runs.length < BROAD_MIN_RUNS) return true;
  const stepKnown = runs.every((m) => [...m.onMs.keys()].every((s) => stepOf(s) !== null));
  let sum = 0;
  let weights = 0;
  for (const m of runs) {
    const w = 3 / contaminationW(m) ** 2;
    sum += (w * (m.total - (stepKnown ? stepEnergy(m) : 0))) / m.totalOnMs;
    weights += w;
  }
  return Math.abs(sum / weights) > RESIDUAL_SIGMAS / Math.sqrt(weights);
}

/**
 * The switch-offs' mean and the runs' must agree within this many combined standard errors to be
 * combined: a TV's switch-offs that caught a fridge's cycles four times in sixteen say 112 W, its runs
 * 68 ± 17 W; one of them is wrong, and the steps stand.
 */
const EDGE_MEAN_AGREE_SIGMAS = 2;
/** The mean must differ from the step by more than max(2 W, 10 %) to replace it (`meaningfulGapW`). */
const EDGE_MEAN_MIN_GAP_W = 2;
const EDGE_MEAN_MIN_GAP_SHARE = 0.1;

/** The least difference from a level that means something: max(2 W, 10 % of it). */
function meaningfulGapW(levelW: number): number {
  return Math.max(EDGE_MEAN_MIN_GAP_W, EDGE_MEAN_MIN_GAP_SHARE * levelW);
}
/** A residual's standard error is at least this (W, over the square root of the runs): noise-free runs still vary a little. */
const RESIDUAL_SE_FLOOR_W = 1;

/**
 * A bursty device's mean power from its switch-offs (`edgeMean`), from its least uncertain runs (its
 * step plus their median residual) and, when given, from all its runs (`broadResidual`), each weighed
 * by the inverse of its variance; null (the step stands) when the least uncertain runs say less than
 * the switch-offs by more than `EDGE_MEAN_AGREE_SIGMAS` combined standard errors (a light whose
 * switch-offs were confounded at a busy hour, its runs showing nothing above its step), or when the
 * combined mean is within max(2 W, 10 %) of the step. All the runs join only when they agree with the
 * switch-offs as closely and resolve the device (`BROAD_MAX_RELATIVE_SE`): a PC on for hours beside
 * everything has few runs clear of other devices (4-8 of 17-24), and its switch-offs sample its bursts'
 * share from 15-30 events, each uncertain by 12-18 W; its 17-24 runs together add a third estimate.
 * Runs that say more than the switch-offs do not silence them: both say the device draws more than its
 * step, and the hours-long runs gather other loads where each switch-off is one instant. A PC whose
 * switch-offs said 99 +- 8 W and its three clear runs 161 +- 23 W was charged its runs alone (156 W,
 * +36 %; true 115 W), another whose switch-offs said 106 +- 12 W and its runs 145 +- 14 W its idle step
 * (80 W, -32 %); together they say 106 and 119 W. Such a mean must stay within `ceilingW` (the levels
 * its switch-offs saw, `belowSwitchOffs`).
 */
export function meanOfBursts(edges: EdgeMean, stepW: number, runs: MeanEstimate, allRuns: MeanEstimate | null = null, ceilingW = Number.POSITIVE_INFINITY): number | null {
  const agrees = (e: MeanEstimate) => Math.abs(edges.meanW - e.meanW) <= EDGE_MEAN_AGREE_SIGMAS * Math.hypot(edges.standardErrorW, e.standardErrorW);
  const runsAgree = agrees(runs);
  if (!runsAgree && runs.meanW <= edges.meanW) return null;
  const joins = allRuns !== null && allRuns.standardErrorW <= BROAD_MAX_RELATIVE_SE * stepW && agrees(allRuns);
  const mean = inverseVarianceMean([edges, runs, ...(joins ? [allRuns] : [])]);
  if (!runsAgree && mean > ceilingW) return null;
  return mean > 0 && Math.abs(mean - stepW) > meaningfulGapW(Math.abs(stepW)) ? mean : null;
}

/** A mean power and its standard error, W. */
interface MeanEstimate {
  meanW: number;
  standardErrorW: number;
}

/** The estimates' mean, each weighed by the inverse of its variance. */
function inverseVarianceMean(estimates: readonly MeanEstimate[]): number {
  let sum = 0;
  let weights = 0;
  for (const e of estimates) {
    const w = 1 / e.standardErrorW ** 2;
    sum += w * e.meanW;
    weights += w;
  }
  return sum / weights;
}

/** The broad residual must be this many of its standard errors above zero (one-sided 90 %: the edges have already said the device draws more). */
const BROAD_SIGMAS = 1.28;
/**
 * ...and its standard error at most this share of the step: runs only speak for a device they
 * resolve (an 8 or 12 W light's runs at 30 s scatter by ±15 W around its step; a PC's by ±15-30 W
 * around its 80 W).
 */
const BROAD_MAX_RELATIVE_SE = 0.5;
/**
 * ...and the mean it gives at most this many times the level the device's switch-ons see. Twenty
 * simulated households' PCs (80 W idle, a third of the time at 150-200 W) came out at 1.4-1.7 times
 * it where the rule applied; the one household whose PC runs said 2.1-2.2 times (190 W, true 116 W)
 * had other loads in them, which a PC's hours-long runs gather.
 */
const BROAD_MAX_RATIO = 2;

/**
 * Whether a one-state device's runs (all of them, `broadResidual`, or the ones clear of uncertain
 * neighbours, `Residual`) say it draws clearly other than
 * `powerW`: by more than max(2 W, 10 %), by more than `BROAD_SIGMAS` standard errors, with an error
 * under half of it. A PC whose switch-ons and switch-offs both caught it idle (a report-on-change
 * sensor) was labelled confident at 81 W, its runs saying about 35 W more (true 118 W): a level its
 * runs contradict is at most "estimated"; so was one read every second whose switch-offs caught it
 * idle 11 times in 12 (80 W, true 115 W), its five clear runs saying 22 ± 16 W more.
 */
export function runsContradict(powerW: number, broad: Residual | null): boolean {
  if (broad === null || !(powerW > 0)) return false;
  const gap = Math.abs(broad.middleW);
  return gap > meaningfulGapW(powerW) && gap > BROAD_SIGMAS * broad.standardErrorW && broad.standardErrorW <= BROAD_MAX_RELATIVE_SE * powerW;
}

/** How many times the step, and how many of their standard errors, all the runs' median residual must be for `runsFarAbove`. */
const FAR_ABOVE_RUNS_MULTIPLE = 5;
const FAR_ABOVE_RUNS_SIGMAS = 3;

/**
 * Whether all of a device's runs together (`broadResidual`) say it draws far more than `powerW`: over
 * `FAR_ABOVE_RUNS_MULTIPLE` times it and `FAR_ABOVE_RUNS_SIGMAS` standard errors above it, however large
 * that error is beside the step (`runsContradict` asks for an error under half the step, to be sure by how
 * much). It only keeps the level from being confident. A washer learned at its 12 W fill pump (true mean
 * 614 W) from agreeing edges, its runs saying 614 ± 38 W more, was labelled confident beside a 45 W
 * device left on for days (a variant of the harder household, seed 66, read every second).
 */
export function runsFarAbove(powerW: number, broad: Residual | null): boolean {
  if (broad === null || !(powerW > 0)) return false;
  return broad.middleW > FAR_ABOVE_RUNS_MULTIPLE * powerW && broad.middleW > FAR_ABOVE_RUNS_SIGMAS * broad.standardErrorW;
}

/**
 * Whether every measured run (at least `MIN_MEASURED_RUNS`) of a one-state device drew more than its
 * step by over max(2 W, 10 %) plus its own noise (its baselines' disagreement and the uncertainty
 * around it). Edges that happen to agree keep such a device on its steps (a dishwasher whose 8 W pump
 * edges agreed on average, its three runs each 370-510 W above them, beside noise of 90-400 W), but
 * its level is then never confident.
 */
export function eachRunAbove(measured: readonly MeasuredRun[], stepOf: (s: string) => number | null, stepW: number): boolean {
  if (measured.length < MIN_MEASURED_RUNS || !(stepW > 0)) return false;
  return measured.every((m) => drewPastStep(m, stepOf, stepW, "above"));
}

/**
 * Whether a one-state device with too few integrable runs for a residual (fewer than
 * `MIN_MEASURED_RUNS`) cannot be charged its step: its edges say the step is not what it draws while
 * on (`isRepresentative` fails), and every one of its runs (at least one) drew less than the step by
 * more than max(2 W, 10 %) plus that run's own noise. An EV charger with three runs, its switch-ons at
 * 7.2 kW and its switch-offs at 4 W once the car was full, was charged 7.2 kW for all 24 hours it was
 * on (172 kWh, 72 kWh drawn) while its two measured runs said 1.7 and 4.0 kW.
 */
export function fewRunsBelow(l: StateLearning, measured: readonly MeasuredRun[], stepOf: (s: string) => number | null, stepW: number): boolean {
  return fewRunsPastStep(l, measured, stepOf, stepW, "below");
}

/**
 * The other way round (`fewRunsBelow`): every one of its runs (one or two) drew more than the step by more than
 * max(2 W, 10 %) plus that run's own noise, its edges disagreeing. An EV charger with two runs, one of its
 * switch-ons ambiguous, learned its 4 W after the car was full from its switch-offs and was charged 7 W for its
 * 13.6 hours on (0.09 kWh; 37.6 kWh drawn, its two measured runs saying kilowatts): on 2 of 88 fresh households
 * at 1 s (seeds 5020 and 6104, -99.9 and -99.7 %), with 2 % meter noise on change on another (seed 22, -100 %).
 */
export function fewRunsAbove(l: StateLearning, measured: readonly MeasuredRun[], stepOf: (s: string) => number | null, stepW: number): boolean {
  return fewRunsPastStep(l, measured, stepOf, stepW, "above");
}

function fewRunsPastStep(l: StateLearning, measured: readonly MeasuredRun[], stepOf: (s: string) => number | null, stepW: number, side: "above" | "below"): boolean {
  if (measured.length === 0 || measured.length >= MIN_MEASURED_RUNS || !(stepW > 0) || !isPublishable(l) || isRepresentative(l)) return false;
  return measured.every((m) => drewPastStep(m, stepOf, stepW, side));
}

/** Whether a run's mean power above its baseline is past what its steps predict by more than max(2 W, 10 %) plus its own noise. */
function drewPastStep(m: MeasuredRun, stepOf: (s: string) => number | null, stepW: number, side: "above" | "below"): boolean {
  if (!(m.totalOnMs > 0)) return false;
  const floor = meaningfulGapW(stepW);
  const excessW = residualOfRunW(m, stepOf);
  return (side === "above" ? excessW : -excessW) > floor + m.baselineGapW + m.uncertaintyW;
}

/** A run's mean power past what its steps predict, W (`stepEnergyOf`). */
function residualOfRunW(m: Pick<MeasuredRun, "total" | "totalOnMs" | "onMs">, stepOf: (s: string) => number | null): number {
  return (m.total - stepEnergyOf(m, stepOf)) / Math.max(1, m.totalOnMs);
}

/** What a run's steps predict it drew (W·ms): each state's step times its on-time, states without a step counting nothing. */
export function stepEnergyOf(m: Pick<MeasuredRun, "onMs">, stepOf: (s: string) => number | null): number {
  let wattMs = 0;
  for (const [state, ms] of m.onMs) wattMs += (stepOf(state) ?? 0) * ms;
  return wattMs;
}

/** A switch-off "above" the switch-on level is this share above it (as for bursts). */
const LEAN_RISE = 0.3;

/**
 * Whether a one-state device's edges and runs both lean towards it drawing more than its step, each
 * short of proof: more of its switch-offs than of its switch-ons are well above the step, and its runs'
 * median residual is above the step by more than max(2 W, 10 %) and by at least one standard error. A
 * PC at 82 W idle (true mean 116 W) whose switch-offs caught a burst 7 times in 24 (its switch-ons
 * once in 20), its runs saying 24 ± 19 W more, was labelled confident; such a level is estimated.
 */
export function leansAbove(l: StateLearning, stepW: number, runs: Residual | null): boolean {
  if (runs === null || !(stepW > 0) || l.onValues.length === 0 || l.offValues.length === 0) return false;
  if (!switchOffsLeanAbove(l, stepW)) return false;
  return runs.middleW > meaningfulGapW(stepW) && runs.middleW >= runs.standardErrorW;
}

/** How many times the step the runs' median residual and its standard error must both exceed for `unattributable`. */
const UNATTRIBUTABLE_MULTIPLE = 5;

/**
 * Whether a one-state device's energy cannot be attributed at all: its edges say the step is not what
 * it draws while on (`isRepresentative` fails), and its runs say it draws far more or less, by over
 * `UNATTRIBUTABLE_MULTIPLE` times the step and by `RESIDUAL_SIGMAS` standard errors, but too scattered
 * (a standard error of over that multiple too) to say how much; an 8 W light whose runs at 60 s said
 * −45 ± 62 W is no such case. A dishwasher whose edges are its 8 W fill pump, read every second, had runs of
 * +409, +356 and −226 W against it (true mean 450 W): learned at 8 W, its 10.6 kWh came out as
 * 0.18 kWh. Such a device is not published (the rule: a device whose energy cannot be
 * attributed reliably is not published as statistics).
 */
export function unattributable(l: StateLearning, stepW: number, residual: Residual | null): boolean {
  if (residual === null || !(stepW > 0) || !isPublishable(l) || isRepresentative(l)) return false;
  const limit = UNATTRIBUTABLE_MULTIPLE * stepW;
  const gap = Math.abs(residual.middleW);
  return gap > limit && gap > RESIDUAL_SIGMAS * residual.standardErrorW && residual.standardErrorW > limit;
}

/**
 * Whether a one-state device left on its steps has measured runs that each drew over `FAR_ABOVE_STEP_MULTIPLE` times its
 * step more, too noisy to say how much: its energy is not its step, and not known. A dishwasher on its 17 W pump edges,
 * seven runs in two weeks read every 60 s, none clear of uncertain neighbours, its three least noisy +322, +510 and
 * +516 W above its step beside baselines 111-1000 W apart (true mean 427 W), was published at its step (-96 %).
 */
export function farAboveUnproven(measured: readonly Pick<MeasuredRun, "total" | "totalOnMs" | "onMs">[], stepOf: (s: string) => number | null, stepW: number, residual: Residual | null): boolean {
  if (residual === null || !(stepW > 0) || measured.length < MIN_MEASURED_RUNS) return false;
  const limit = FAR_ABOVE_STEP_MULTIPLE * stepW;
  return residual.middleW > limit && measured.every((m) => m.totalOnMs > 0 && residualOfRunW(m, stepOf) > limit);
}

/**
 * The mean power of a one-state device whose edges say its step is not what it draws all the time
 * it is on, and say it draws more (its switch-offs, on their trimmed mean, above its switch-ons: a
 * PC switched on at idle and off at any of its levels): its step plus the median residual of all its
 * runs (`broadResidual`), when that is clearly above zero, more than max(2 W, 10 %) of the step, and
 * not above the 90th percentile of its switch-offs (a mean above nearly every level it was seen
 * stopping at is other loads in its runs: a porch light's runs at the busiest hour said 295 W) nor
 * above `BROAD_MAX_RATIO` times its switch-on level.
 * Null otherwise: the step stands. A PC read every 30 s or on change whose switch-offs showed no
 * clear burst level, and whose runs clear of other devices were too few to say (three of 13–22), was
 * learned at its idle level, a third below its mean. Not used with switch-off windows wider than two minutes (`switchOffsSampleLevels`: a sensor read less often than every 60 s).
 */
export function meanOfRuns(l: StateLearning, stepW: number, broad: Residual | null): number | null {
  if (broad === null || !(stepW > 0) || !isPublishable(l) || isRepresentative(l)) return null;
  if (trimmedMean(l.offValues) <= trimmedMean(l.onValues)) return null;
  // Its step is the level it is switched on at (a PC's idle), not one its switch-offs pulled up (a porch light's
  // switch-ons at 41 W, its step 63 W from switch-offs at the busy hour, its runs saying 91 W: true 60 W).
  const onLevel = median(l.onValues);
  if (Math.abs(stepW - onLevel) > meaningfulGapW(onLevel)) return null;
  if (broad.middleW <= meaningfulGapW(stepW)) return null;
  if (broad.middleW <= BROAD_SIGMAS * broad.standardErrorW || broad.standardErrorW > BROAD_MAX_RELATIVE_SE * stepW) return null;
  const mean = stepW + broad.middleW;
  return belowSwitchOffs(l, mean) ? mean : null;
}

/** How many of their standard errors the clear runs' and all runs' median residuals must each be from zero (`meanWhereRunsAgree`). */
const AGREEING_RUNS_SIGMAS = 2;

/**
 * The mean power of a one-state device that may have bursts (`burstsGate`) whose runs say it draws other than its step
 * where its edges could not: its step plus the median residual of all its runs (`broadResidual`), when that and the
 * runs clear of neighbours (`Residual`) are both more than max(2 W, 10 %) of the step from it, on the same side, one
 * `AGREEING_RUNS_SIGMAS` standard errors from zero and the other `BROAD_SIGMAS`, and resolved (a standard error of at most `BROAD_MAX_RELATIVE_SE` of
 * the step); and its edges show the way: above the step, more of its switch-offs than of its switch-ons well above it
 * (`LEAN_RISE`) and the mean at most the 90th percentile of its switch-offs and `BROAD_MAX_RATIO` times its switch-on
 * level; below, the mean not under the lower of its switch-ons' and switch-offs' medians by more than max(2 W, 10 %).
 * Null otherwise. A PC's switch-offs sample its bursts at random (a third of the time at 150-200 W over its 80 W idle):
 * in 160 households, PCs whose switch-offs caught it idle 19 times in 22 were charged 80 W and PCs whose switch-offs
 * caught mostly bursts 163-177 W (true mean 115-120 W), while their runs said 36 +- 8 W more, or 50 +- 20 W less: twelve
 * of 800 went from -34..+50 % to -4..+18 %. The edges' conditions are for a steady load switched as a `switch` (a
 * relay behind a light): the same 160 households' kitchen lights, taken as switches, had runs saying up to 79 % more or
 * 98 % less (cooking beside them), and none was moved with them. Two standard errors each left PCs whose switch-offs
 * caught a burst 4 times in 27 at their idle level (clear runs +46 +- 14 W, all runs +38 +- 20 W: -32 %); with one of
 * them at 1.28, five more in 320 fresh households went from -31..-33 % to -8..0 %, and no steady lamp switched as a
 * `switch` in 80 households moved.
 */
export function meanWhereRunsAgree(l: Pick<StateLearning, "onValues" | "offValues">, stepW: number, clear: Residual | null, broad: Residual | null): number | null {
  if (clear === null || broad === null || !(stepW > 0) || l.onValues.length === 0 || l.offValues.length === 0) return null;
  const gap = meaningfulGapW(stepW);
  const says = (r: Residual, sigmas: number) => Math.abs(r.middleW) > gap && Math.abs(r.middleW) >= sigmas * r.standardErrorW && r.standardErrorW <= BROAD_MAX_RELATIVE_SE * stepW;
  // One of the two clearly, the other one-sided 90 % (`BROAD_SIGMAS`): the clear runs are among all the runs, so two
  // standard errors each asked the same runs twice.
  const bothSay = (says(clear, AGREEING_RUNS_SIGMAS) && says(broad, BROAD_SIGMAS)) || (says(clear, BROAD_SIGMAS) && says(broad, AGREEING_RUNS_SIGMAS));
  if (!bothSay || Math.sign(clear.middleW) !== Math.sign(broad.middleW)) return null;
  const mean = stepW + broad.middleW;
  if (broad.middleW > 0) {
    return switchOffsLeanAbove(l, stepW) && belowSwitchOffs(l, mean) ? mean : null;
  }
  const lowest = Math.min(median(l.onValues), median(l.offValues));
  return mean >= lowest - meaningfulGapW(lowest) ? mean : null;
}

/** Whether more of a state's switch-offs than of its switch-ons are well above its step (`LEAN_RISE`). */
function switchOffsLeanAbove(l: Pick<StateLearning, "onValues" | "offValues">, stepW: number): boolean {
  const rise = stepW * (1 + LEAN_RISE);
  const shareAbove = (values: readonly number[]) => values.filter((x) => x > rise).length / values.length;
  return shareAbove(l.offValues) > shareAbove(l.onValues);
}

/**
 * Whether a mean from a device's runs is among the levels its edges saw: at most the 90th percentile of its switch-offs
 * (a mean above nearly every level it was seen stopping at is other loads in its runs) and `BROAD_MAX_RATIO` times its
 * switch-on level.
 */
function belowSwitchOffs(l: Pick<StateLearning, "onValues" | "offValues">, meanW: number): boolean {
  return meanW <= switchOffsCeilingW(l);
}

/** The highest mean a device's edges allow (`belowSwitchOffs`); NaN without switch-ons or switch-offs (no mean is below it). */
function switchOffsCeilingW(l: Pick<StateLearning, "onValues" | "offValues">): number {
  return Math.min(quantile(l.offValues, 0.9), BROAD_MAX_RATIO * median(l.onValues));
}

/**
 * Energy = step × on-time; the runs' integrals only describe it. A device whose switch-offs catch
 * bursts its switch-ons do not (`edgeMean`) draws its mean while on instead, from two independent
 * measures, each weighed by its standard error: the mean of its switch-offs, and the step plus the
 * runs' median residual. A light whose switch-offs were confounded at a busy hour has runs that
 * show nothing above its step, and they outweigh the switch-offs; a PC whose runs overlap everything
 * has runs too noisy to say much, and its switch-offs carry it.
 */
function stepModel(input: EntityInput, stepOf: (s: string) => number | null, runCount: Map<string, number>, measured: readonly MeasuredRun[], residual: Residual | null, broad: Residual | null = null): EntityEnergy {
  const states = new Map<string, StateEnergy>();
  for (const [state, l] of input.learned) {
    const step = stepOf(state);
    const runs = measured.filter((m) => m.onMs.has(state));
    // A device whose switch-offs catch it at levels its switch-ons do not (a PC's bursts) draws their mean. With windows a
    // minute wide (`burstsMustStandOut`), only when its runs show the power jumping by about its step more often than
    // their baseline windows do (`JUMP_SIGMAS`); a one-state device whose runs show that clearly (`JUMP_STRONG_SIGMAS`)
    // has bursts however its edges came out. Never a light or a fan (`steadyInEachState`): a kitchen light's runs jump with the
    // cooking done under it (4.5 standard errors more often than around them; +44 to +55 % at 30 and 60 s).
    const jumps = step === null || !input.jumpsShowBursts ? null : jumpExcessSigmas(input.runs.map((r) => r.measurement), state, JUMP_BAND_LOW * Math.abs(step), JUMP_BAND_HIGH * Math.abs(step));
    const gate = burstsGate(l, input, { jumpSigmas: jumps, oneState: input.learned.size === 1 });
    const burstsPossible = gate.possible && !steadyInEachState(input.entityId);
    const jumpy = gate.shownByJumps && burstsPossible;
    const edges = step === null || residual === null || !burstsPossible ? null : edgeMean(l, input.learned.size === 1);
    const allRuns = broad === null ? null : { meanW: step! + broad.middleW, standardErrorW: broad.standardErrorW };
    const fromEdges =
      edges === null ? null : meanOfBursts(edges, step!, { meanW: step! + residual!.middleW, standardErrorW: residual!.standardErrorW }, allRuns, switchOffsCeilingW(l));
    // Without that (switch-offs too few or too scattered to show the bursts' share), all its runs together; at 60 s only
    // when the switch-offs stand clearly above the switch-ons (`burstsMustStandOut`), or a porch light's runs at the busy
    // hour look like a PC's bursts (63 W learned as 91 W); unless the jumps in its runs show the bursts (`meanOfJumpyRuns`).
    // Last, a one-state device whose clear runs and all its runs agree that it draws other than its step (`meanWhereRunsAgree`).
    let bursty =
      fromEdges ??
      (step === null || !burstsPossible
        ? null
        : (meanOfRuns(l, step, broad) ?? (jumpy ? meanOfJumpyRuns(step, broad) : null) ?? (input.learned.size === 1 ? meanWhereRunsAgree(l, step, residual, broad) : null)));
    // A one-state device switched off below the level it is switched on at, every run saying less than its step (an oven's
    // thermostat), is charged what its runs say even when they are too few to prove it varies (`meanOfRunsBelow`).
    if (bursty === null && step !== null && input.learned.size === 1 && !steadyInEachState(input.entityId)) {
      bursty = meanOfRunsBelow(l, step, measured.map((m) => residualOfRunW(m, stepOf)), residual);
    }
    // A load that ramps up after each entry into the state draws less than its step then (a heat pump's dead time and ramp).
    const deficit = bursty === null ? (input.rampDeficitWattMs.get(state) ?? 0) : 0;
    const intervals = input.stepIntervals.filter((iv) => iv.state === state);
    let onMs = 0;
    let lost = 0;
    intervals.forEach((iv, i) => {
      onMs += iv.to - iv.from;
      const continues = i > 0 && intervals[i - 1]!.to === iv.from;
      if (!continues && step !== null) lost += Math.min(deficit, step * (iv.to - iv.from));
    });
    const meanW = step === null || onMs <= 0 ? step : step - lost / onMs;
    states.set(state, {
      powerW: bursty ?? meanW,
      stepW: step,
      runs: runCount.get(state) ?? 0,
      measuredRuns: runs.length,
      cleanRuns: runs.filter((m) => m.clean).length,
      range:
        bursty !== null
          ? { lowW: quantile(l.offValues, 0.1), highW: quantile(l.offValues, 0.9) }
          : step === null || !Number.isFinite(l.standardErrorW)
            ? null
            : { lowW: step - 2 * l.standardErrorW, highW: step + 2 * l.standardErrorW },
      phases: [],
      kwhPerRun: null,
      energyRelativeError: step === null || step <= 0 ? null : l.standardErrorW / step,
      fromSwitchOffs: bursty !== null,
      runsDisagree:
        bursty === null && step !== null && (runsContradict(step, broad) || runsFarAbove(step, broad) || (input.learned.size === 1 && (runsContradict(step, residual) || leansAbove(l, step, residual) || leansAbove(l, step, broad) || eachRunAbove(measured, stepOf, step)))),
      unattributable:
        bursty === null &&
        step !== null &&
        input.learned.size === 1 &&
        (unattributable(l, step, residual) || farAboveUnproven(measured, stepOf, step, residual) || (residual === null && (fewRunsBelow(l, measured, stepOf, step) || fewRunsAbove(l, measured, stepOf, step)))),
    });
  }
  const pieces = input.stepIntervals.flatMap((iv) => {
    const power = states.get(iv.state)?.powerW ?? null;
    return power === null ? [] : [{ state: iv.state, from: iv.from, to: iv.to, wattMs: power * (iv.to - iv.from) }];
  });
  return { entityId: input.entityId, model: "steps", measuredRuns: measured.length, fewCertainRuns: false, states, pieces };
}

/**
 * Energy = what the measured runs used (each split over its states and hours as its excess was), and
 * mean power while on for the rest. A run not measured (other uncertain devices around it) whose own
 * integral is less uncertain than that mean is for it (`ownIntegralBetter`) keeps its integral.
 */
function whileOnModel(
  input: EntityInput,
  stepOf: (s: string) => number | null,
  runCount: Map<string, number>,
  measured: readonly MeasuredRun[],
  totals: readonly number[],
  rest: readonly MeasuredRun[] = [],
  shapes: readonly MeasuredRun[] = measured,
): EntityEnergy {
  const pieces: EnergyPiece[] = [];
  const energyByState = new Map<string, number[]>();
  const onByState = new Map<string, number>();
  /** Spreads a run's total over its segments as its excess was spread; W·ms per state. */
  const spread = (m: MeasuredRun, total: number): Map<string, number> => {
    const weights = m.segments.map((x) => Math.max(0, x));
    let weightSum = weights.reduce((s, w) => s + w, 0);
    const segs = m.measurement.segments;
    if (weightSum <= 0) {
      segs.forEach((s, k) => (weights[k] = s.to - s.from));
      weightSum = weights.reduce((s, w) => s + w, 0);
    }
    const perState = new Map<string, number>();
    segs.forEach((s, k) => {
      const wattMs = (total * weights[k]!) / weightSum;
      pieces.push({ state: s.state, from: s.from, to: s.to, wattMs });
      perState.set(s.state, (perState.get(s.state) ?? 0) + wattMs);
    });
    return perState;
  };
  measured.forEach((m, i) => {
    for (const [state, wattMs] of spread(m, totals[i]!)) energyByState.set(state, [...(energyByState.get(state) ?? []), wattMs]);
    for (const [state, ms] of m.onMs) onByState.set(state, (onByState.get(state) ?? 0) + ms);
  });
  const meanOf = (state: string): number | null => {
    const on = onByState.get(state) ?? 0;
    if (on <= 0) return stepOf(state);
    return (energyByState.get(state) ?? []).reduce((s, x) => s + x, 0) / on;
  };
  const covered = [...measured];
  // How much the runs differ: the measured runs' spread, or all runs' beyond their contamination when that is more (an EV
  // charger's three least uncertain runs may happen to agree). A left-out run that stands on its own (`ownRunsStand`)
  // keeps its integral however little the others differ.
  const withOwnTotals = [...measured.map((m, i) => ({ ...m, total: totals[i]! })), ...rest];
  const runSpreadW = Math.max(robustSpreadW(measured.map((m, i) => totals[i]! / Math.max(1, m.totalOnMs))), spreadBeyondContaminationW(withOwnTotals));
  const restStands = ownRunsStand(withOwnTotals).slice(measured.length);
  for (const [k, m] of rest.entries()) {
    if (!ownIntegralBetter(m, runSpreadW) && !restStands[k]) continue;
    spread(m, m.total);
    covered.push(m);
  }
  // Time not in a measured run (a run too long or with an outage, or still on) at the state's mean power.
  const all = stateIntervals(input.events, input.until);
  for (const iv of all) {
    const power = meanOf(iv.state);
    if (power === null || !input.learned.has(iv.state)) continue;
    if (covered.some((m) => iv.from >= m.measurement.from && iv.to <= m.measurement.to)) continue;
    pieces.push({ state: iv.state, from: iv.from, to: iv.to, wattMs: power * (iv.to - iv.from) });
  }
  const states = new Map<string, StateEnergy>();
  for (const state of input.learned.keys()) {
    const runs = measured.filter((m) => m.onMs.has(state));
    const perRun = runs.map((m) => ({ wattMs: m.byState.get(state) ?? 0, ms: m.onMs.get(state)! }));
    const energies = energyByState.get(state) ?? [];
    const meanPerRunW = perRun.map((r, k) => (energies[k] ?? r.wattMs) / Math.max(1, r.ms));
    const mean = meanOf(state);
    const sd = meanPerRunW.length > 1 ? Math.sqrt(meanPerRunW.reduce((s, x) => s + (x - (mean ?? 0)) ** 2, 0) / (meanPerRunW.length - 1)) : null;
    states.set(state, {
      powerW: mean,
      stepW: stepOf(state),
      runs: runCount.get(state) ?? 0,
      measuredRuns: runs.length,
      cleanRuns: runs.filter((m) => m.clean).length,
      range: meanPerRunW.length > 0 ? { lowW: quantile(meanPerRunW, 0.1), highW: quantile(meanPerRunW, 0.9) } : null,
      phases: phasesOf(shapes.flatMap((m) => m.measurement.levels.get(state) ?? []), shapes.filter((m) => m.onMs.has(state)).length),
      kwhPerRun: energies.length > 0 ? median(energies) / 3_600_000 / 1000 : null,
      energyRelativeError: mean !== null && mean > 0 && sd !== null ? sd / Math.sqrt(meanPerRunW.length) / mean : null,
      fromSwitchOffs: false,
      runsDisagree: false,
      unattributable: false,
    });
  }
  return { entityId: input.entityId, model: "while-on", measuredRuns: measured.length, fewCertainRuns: false, states, pieces };
}

/**
 * How much the values differ, W: their robust standard deviation (1.4826 × MAD), or with three or four of them
 * (`WINSOR_MIN_VALUES`) their standard deviation, since the MAD of so few is as often near zero as not (an EV charger's
 * runs at 2.2, 1.4 and 1.3 kW: MAD 160 W, standard deviation 480 W); 0 with fewer than three.
 */
export function robustSpreadW(values: readonly number[]): number {
  if (values.length < 3) return 0;
  if (values.length >= WINSOR_MIN_VALUES) return MAD_TO_SIGMA * medianAbsoluteDeviation(values, median(values));
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (values.length - 1));
}

/**
 * How much the runs' own means differ beyond what their contamination adds to that, W: the robust spread of all of
 * them (`robustSpreadW`), less in quadrature the spread of a uniform error as wide as each one's `contaminationW`. An EV
 * charger's three least uncertain runs drew 2.3, 2.7 and 2.6 kW on average (a spread of 170 W), its other two 1.4 and
 * 1.7 kW, within a few hundred watts each: charged the three's mean, they were 18 % over (household 11087, every second).
 */
export function spreadBeyondContaminationW(runs: readonly Pick<MeasuredRun, "total" | "totalOnMs" | "baselineGapW" | "uncertaintyW">[]): number {
  const spread = robustSpreadW(runs.map((m) => m.total / Math.max(1, m.totalOnMs)));
  const noise = runs.reduce((s, m) => s + contaminationW(m) ** 2 / 3, 0) / Math.max(1, runs.length);
  return Math.sqrt(Math.max(0, spread * spread - noise));
}

/**
 * Whether a run left out for the uncertain devices around it is better charged its own integral than
 * the device's mean power while on: when the most those devices can have moved its mean
 * (`contaminationW`, a bound: taken as the half-width of a uniform error, √3 of its standard
 * deviations) is below how much the device's measured runs differ from each other. An EV
 * charger's runs differ by kilowatts with how full the car was (11 to 33 kWh in one household): a
 * run beside a heat pump was charged 17.5 kWh at the mean, 12.5 kWh drawn; its integral, with the
 * heat pump taken out at its mean, is off by a fraction of that. A light's runs agree within watts,
 * and its mean stands.
 */
export function ownIntegralBetter(m: { baselineGapW: number; uncertaintyW: number; totalOnMs: number }, runSpreadW: number): boolean {
  return Number.isFinite(m.uncertaintyW) && contaminationW(m) / Math.sqrt(3) < runSpreadW;
}

/** One measured run's energy above the baseline, less the other devices running then. */
function excessOf(run: Run, m: RunMeasurement, others: Others): MeasuredRun {
  const windowMean = (w: RunMeasurement["pre"]) => (w === null ? null : (w.wattMs - (others.energy(w.from, w.to) * w.coveredMs) / (w.to - w.from)) / w.coveredMs);
  const preW = windowMean(m.pre);
  const postW = windowMean(m.post);
  const span = m.to - m.from;
  const baseAt = (t: number) => (preW === null ? postW! : postW === null ? preW : preW + ((postW - preW) * (t - m.from)) / span);
  const byState = new Map<string, number>();
  const segments = m.segments.map((s) => {
    const length = s.to - s.from;
    if (s.coveredMs <= 0) return 0;
    const excess = s.wattMs - baseAt((s.from + s.to) / 2) * s.coveredMs - (others.energy(s.from, s.to) * s.coveredMs) / length;
    const full = (excess * length) / s.coveredMs;
    byState.set(s.state, (byState.get(s.state) ?? 0) + full);
    return full;
  });
  const onMs = new Map<string, number>();
  for (let i = 0; i + 1 < run.records.length; i += 1) {
    const r = run.records[i]!;
    onMs.set(r.state, (onMs.get(r.state) ?? 0) + run.records[i + 1]!.event.t - r.event.t);
  }
  const total = segments.reduce((s, x) => s + x, 0);
  const totalOnMs = [...onMs.values()].reduce((s, x) => s + x, 0);
  const outerFrom = m.pre?.from ?? m.from;
  const outerTo = m.post?.to ?? m.to;
  const clean = !others.switchedIn(outerFrom, outerTo);
  const uncertaintyW = others.uncertaintyW(outerFrom, outerTo);
  const baselineGapW = preW !== null && postW !== null ? Math.abs(preW - postW) : 0;
  return { byState, segments, onMs, totalOnMs, total, clean, uncertaintyW, baselineGapW, measurement: m };
}

/** A measured run over its states with a step: its W·ms above the baseline there, what the steps predict there, and its on-time there. */
function steppedPart(m: MeasuredRun, stepOf: (s: string) => number | null): { wattMs: number; stepWattMs: number; ms: number } {
  let wattMs = 0;
  let stepWattMs = 0;
  let ms = 0;
  for (const [state, on] of m.onMs) {
    const step = stepOf(state);
    if (step === null) continue;
    wattMs += m.byState.get(state) ?? 0;
    stepWattMs += step * on;
    ms += on;
  }
  return { wattMs, stepWattMs, ms };
}

/** A run's mean power above the raw baseline (nobody taken out), W. */
export function rawExcessW(m: RunMeasurement): number {
  const rawPre = m.pre ? m.pre.wattMs / m.pre.coveredMs : null;
  const rawPost = m.post ? m.post.wattMs / m.post.coveredMs : null;
  const rawBase = rawPre === null ? rawPost! : rawPost === null ? rawPre : (rawPre + rawPost) / 2;
  const covered = m.segments.reduce((s, x) => s + x.coveredMs, 0);
  return covered > 0 ? Math.abs(m.segments.reduce((s, x) => s + x.wattMs, 0) / covered - rawBase) : 0;
}

/**
 * Clips values further than WINSOR_SIGMAS robust deviations from their median (one run with a
 * microwave in it), but those `stands` marks (`ownRunsStand`). Not with fewer than `WINSOR_MIN_VALUES`
 * values. (Clipping a run by at most what the engine believes went on in it was tried: a dishwasher run
 * beside an EV charger, taken out at a 4 W step in the first pass, then kept 12.7 kWh of the charger's energy.)
 */
export function winsorize(values: readonly number[], stands: readonly boolean[] = []): number[] {
  if (values.length < WINSOR_MIN_VALUES) return [...values];
  const m = median(values);
  const spread = WINSOR_SIGMAS * MAD_TO_SIGMA * medianAbsoluteDeviation(values, m) + WINSOR_FLOOR_W;
  return values.map((v, i) => (stands[i] ? v : Math.min(m + spread, Math.max(m - spread, v))));
}

/**
 * Which runs' own measures stand unclipped by `winsorize`: each of them draws over `FEW_RUNS_CLEAR_MULTIPLE` times what
 * else can have moved its mean (`contaminationW`); stands at the device's levels (its top level, where it spends its
 * last `TOP_LEVEL_SHARE` of the time, at most one level bin above the median run's); and is as far from the median run
 * as its time at that level says it should be, give or take `UNEXPLAINED_SHARE` of the distance and its contamination.
 * An EV charger's runs differ by how empty the car was: runs of 11-14 kWh beside two of 31-34 kWh, each measured within
 * 1 kWh, were clipped to 21-24 kWh (-14 % over two weeks, household 6051), and a 15.6 kWh one raised to 35.8 (+12 %,
 * 6135). Still clipped: a run that caught another big load for hours (it stands above the device's levels), one that
 * caught a moderate load for hours (a dishwasher's run 0.9 kWh over the others with no more time at its heater's
 * level, household 11078), and a brief untracked use inside a PC's run (within the bound).
 */
export function ownRunsStand(runs: readonly Pick<MeasuredRun, "total" | "totalOnMs" | "baselineGapW" | "uncertaintyW" | "measurement">[]): boolean[] {
  const tops = runs.map((m) => topLevelBin(m.measurement));
  const known = tops.filter((b): b is number => b !== null);
  if (known.length === 0) return runs.map(() => false);
  const typical = median(known);
  const topBin = Math.round(typical);
  const topMs = runs.map((m) => msAtOrAbove(m.measurement, topBin - 1));
  const typicalTopMs = median(topMs);
  const typicalTotal = median(runs.map((m) => m.total));
  return runs.map((m, i) => {
    if (tops[i] === null || tops[i]! > typical + 1 || !farAboveContamination([m])) return false;
    const apart = m.total - typicalTotal;
    const explained = (topMs[i]! - typicalTopMs) * levelOfBin(topBin);
    return Math.abs(apart - explained) <= UNEXPLAINED_SHARE * Math.abs(apart) + contaminationW(m) * m.totalOnMs;
  });
}

/** How much of a standing run's distance from the median run its time at the top level need not account for. */
const UNEXPLAINED_SHARE = 0.25;

/** ms the power stood at or above level bin `bin` in a run (`RunMeasurement.levels`). */
function msAtOrAbove(m: Pick<RunMeasurement, "levels">, bin: number): number {
  let ms = 0;
  for (const counts of m.levels.values()) for (let b = Math.max(0, bin); b < LEVEL_BINS; b += 1) ms += counts[b]!;
  return ms;
}

/** The share of a run's time at its highest levels that `topLevelBin` reads its level from. */
const TOP_LEVEL_SHARE = 0.1;

/** The highest level bin the whole-home power stood at or above for `TOP_LEVEL_SHARE` of the run's time (`levelBin`); null without levels. */
export function topLevelBin(m: Pick<RunMeasurement, "levels">): number | null {
  const bins = new Float64Array(LEVEL_BINS);
  for (const counts of m.levels.values()) counts.forEach((ms, b) => (bins[b]! += ms));
  const total = bins.reduce((s, x) => s + x, 0);
  if (!(total > 0)) return null;
  let above = 0;
  for (let b = LEVEL_BINS - 1; b >= 0; b -= 1) {
    above += bins[b]!;
    if (above >= TOP_LEVEL_SHARE * total) return b;
  }
  return 0;
}

/**
 * Fewer runs than this are not clipped: the robust deviation of three or four is as often near zero
 * (two runs that agree) as not, and then clips a run that is merely the device's own (a dishwasher's
 * three least uncertain runs, 1.0, 0.91 and 0.74 kWh, had the first clipped to 0.78 kWh: true 0.95;
 * an EV charger's three runs of 12, 12 and 28.7 kWh, the last filling the car from far lower, had it
 * clipped to 16.5 kWh).
 */
const WINSOR_MIN_VALUES = 5;

/**
 * An untracked appliance used briefly during a run (a microwave, a toaster, a hair dryer) adds at most
 * about this much energy to it, W·ms: 2 kW for 10 minutes.
 */
const UNTRACKED_USE_WATT_MS = 2000 * 600_000;

/**
 * The most that what else went on during a run can have moved its mean power, W: its baselines'
 * disagreement, the uncertainty of the other devices on around it, and one brief untracked use
 * spread over its on-time (which dominates a short run's: 4000 W over a 5-minute run, 40 W over 8 hours).
 */
export function contaminationW(m: { baselineGapW: number; uncertaintyW: number; totalOnMs: number }): number {
  return m.baselineGapW + m.uncertaintyW + UNTRACKED_USE_WATT_MS / Math.max(1, m.totalOnMs);
}


function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}


/**
 * Jumps counted for bursts are this share of the state's step to this multiple of it: a PC's bursts
 * (+70 to +120 W over its 80 W idle), and the fridge's and freezer's cycles (90 and 120 W) beside a
 * 40-60 W light, which come as often while it is off.
 */
const JUMP_BAND_LOW = 0.5;
const JUMP_BAND_HIGH = 2.5;
/**
 * With windows a minute wide (`EntityInput.burstsMustStandOut`), a state is taken to have bursts
 * only when its runs' jumps (`jumpExcessSigmas`) are at least this many standard errors above their
 * baseline windows' (or too few to say). Over the nine reference seeds at 60 s, a 60 W kitchen light and
 * a 40 W porch light, their switch-offs above their switch-ons often enough by chance (8 in 35 above
 * 78 W, 2 in 33 switch-ons), were charged for bursts (+48 and +52 % energy), and a fan's top speed
 * in two households (+14, +20 %); their runs' jumps stood at -0.9, -2.6, -1.1 and 1.8 standard errors.
 * Every PC's stood at 3.0 or more (7.5 typically); lights' from -3.7 to 4.2. The four went to
 * -0.4, -1.0, +0.6 and +4.9 %; nothing else moved.
 */
const JUMP_SIGMAS = 2;
/**
 * A one-state device whose runs' jumps are at least this many standard errors above their baseline
 * windows' has bursts even where its edges do not show them (`switchOffsClearlyAbove`, `burstsOf`),
 * and is charged its runs' mean when nothing else says it (`meanOfJumpyRuns`). PCs read every 60 s
 * that were charged their idle step in ten of 36 households (-28 to -34 % energy; their jumps at 3.0
 * to 13.3 standard errors, nine at 4.8 or more) went to -21 to +17 % (seven within 13 %), and one
 * read every 30 s -34 -> -8 %; one, its step 106 W from switch-ons at a burst, -9.5 -> +33 %. Lights'
 * jumps reach 6.3 standard errors at 30 s (a porch light at the busy hour, where other devices
 * cycle inside its runs), but their runs then said too little or too much for `meanOfJumpyRuns`.
 */
const JUMP_STRONG_SIGMAS = 4;
/** Jumps needed, inside and outside a device's runs together, before their rates say anything. */
const JUMP_MIN_COUNT = 20;

/**
 * How many standard errors more often the whole-home power jumps by `lowW` to `highW` inside a
 * state's runs (clear of its own events) than in their baseline windows, per hour of readings: the
 * conditional test of two Poisson rates (the jumps inside, of all, against the share of the time that
 * was inside). Null with fewer than `JUMP_MIN_COUNT` such jumps, or without time inside or outside.
 */
export function jumpExcessSigmas(
  measurements: readonly (RunMeasurement | null)[],
  state: string,
  lowW: number,
  highW: number,
  insideOf: (jumps: NonNullable<RunMeasurement["jumps"]>) => JumpCounts | undefined = (jumps) => jumps.inside.get(state),
): number | null {
  const lo = levelBin(lowW);
  const hi = levelBin(highW);
  let nIn = 0;
  let msIn = 0;
  let nOut = 0;
  let msOut = 0;
  for (const m of measurements) {
    if (!m?.integrable || !m.jumps) continue;
    const inside = insideOf(m.jumps);
    if (!inside) continue;
    for (let b = lo; b <= hi; b += 1) nIn += inside.bins[b]!;
    msIn += inside.ms;
    for (let b = lo; b <= hi; b += 1) nOut += m.jumps.outside.bins[b]!;
    msOut += m.jumps.outside.ms;
  }
  const n = nIn + nOut;
  if (n < JUMP_MIN_COUNT || msIn <= 0 || msOut <= 0) return null;
  const p = msIn / (msIn + msOut);
  return (nIn - n * p) / Math.sqrt(n * p * (1 - p));
}

/**
 * A device that stops drawing before it is switched off (`taperedOnLevelW`: an EV charger) stays stopped; one whose
 * switch-offs merely happened to find it off cycles at its level all through its runs (an oven's 2.4 kW element under
 * its thermostat, off at two switch-offs in three: all three or four of them low in about one household in four). Its
 * runs show it: in their last quarter (`RunMeasurement.jumps.ending`), where a tapering device has stopped, the
 * whole-home power jumps by half to twice that level more often than in their baseline windows, by `CYCLING_SIGMAS`
 * standard errors (`jumpExcessSigmas`). Taken for a tapering device, an oven was taken out of a dishwasher's run at its
 * 31 W fan for the 22 minutes they overlapped, and the dishwasher charged its cycling (+26 % at 1 and 10 s, household
 * 11135). Not over whole runs: a washer's heater, which cycles at the start of its runs only, made its runs jump at 4.9
 * standard errors (0.8 in their last quarter), and taken out at its mean, uncertain by it, it left a PC beside it on its
 * 80 W idle edges (-5 -> -35 %, household 6106).
 */
export function cyclesInsideRuns(measurements: readonly (RunMeasurement | null)[], state: string, levelW: number): boolean {
  const sigmas = jumpExcessSigmas(measurements, state, CYCLING_BAND_LOW * levelW, CYCLING_BAND_HIGH * levelW, (jumps) => jumps.ending);
  return sigmas !== null && sigmas >= CYCLING_SIGMAS;
}
const CYCLING_BAND_LOW = 0.5;
const CYCLING_BAND_HIGH = 2;
const CYCLING_SIGMAS = 4;

/**
 * Whether a state may be charged for bursts (`edgeMean`, `meanOfRuns`): with switch-offs that sample
 * its levels (`switchOffsSampleLevels`), and, with windows a minute wide (`burstsMustStandOut`), when
 * its switch-offs are clearly above its switch-ons (`switchOffsClearlyAbove`) and its runs' jumps
 * (`jumpSigmas`, from `jumpExcessSigmas`) do not deny it (`JUMP_SIGMAS`), or when a one-state device's
 * jumps show the bursts on their own (`JUMP_STRONG_SIGMAS`: `shownByJumps`).
 */
export function burstsGate(
  l: { onValues: readonly number[]; offValues: readonly number[] },
  input: { switchOffsSampleLevels: boolean; burstsMustStandOut?: boolean },
  options: { jumpSigmas: number | null; oneState: boolean },
): { possible: boolean; shownByJumps: boolean } {
  const shownByJumps = options.oneState && options.jumpSigmas !== null && options.jumpSigmas >= JUMP_STRONG_SIGMAS;
  const notDenied = options.jumpSigmas === null || options.jumpSigmas >= JUMP_SIGMAS;
  const possible = input.switchOffsSampleLevels && (!input.burstsMustStandOut || shownByJumps || (switchOffsClearlyAbove(l.onValues, l.offValues) && notDenied));
  return { possible, shownByJumps };
}

/**
 * The mean power of a one-state device whose runs show bursts by their jumps (`JUMP_STRONG_SIGMAS`)
 * where neither its switch-offs (`edgeMean`) nor `meanOfRuns` could say it: its step plus the median
 * residual of all its runs (`broadResidual`), when that is above zero, resolved (a standard error of
 * at most `BROAD_MAX_RELATIVE_SE` of the step) and at most `BROAD_MAX_RATIO` times the step. Null
 * otherwise: the step stands. A PC read every 60 s whose switch-ons caught bursts as often as its
 * switch-offs (4 in 14 and 4 in 13) was charged its 78 W idle (-34 %); its runs said 16 ± 17 W more.
 */
export function meanOfJumpyRuns(stepW: number, broad: Residual | null): number | null {
  if (broad === null || !(stepW > 0) || !(broad.middleW > 0) || broad.standardErrorW > BROAD_MAX_RELATIVE_SE * stepW) return null;
  const mean = stepW + broad.middleW;
  return mean <= BROAD_MAX_RATIO * stepW ? mean : null;
}

/**
 * The mean power of a one-state device whose edges say it draws less than its step while on (its switch-offs' trimmed
 * mean below its switch-ons' by more than max(2 W, 10 %) of the step: an oven switched on at its heater's 2.4 kW and off
 * wherever its thermostat was), when each of its measured runs (at least `MIN_MEASURED_RUNS`) drew less than the step
 * and their median residual is beyond max(2 W, 10 %) of the step and at least one standard error: the step plus that
 * residual. Null otherwise: the step stands. An oven used three or four times in two weeks, its runs saying 951-1811 W
 * against its 2.4 kW step (true 1.1-1.2 kW), too few and noisy to prove it varies (-1380 +- 710 W), was charged its step:
 * +97 to +113 % in two of 320 fresh households (6026 read every 10 and 60 s, 8020 on change); 3.7 to 15 % with this,
 * and nothing else moved in those households or on the thirteen seeds.
 */
export function meanOfRunsBelow(l: StateLearning, stepW: number, runResidualsW: readonly number[], residual: Residual | null): number | null {
  if (residual === null || !(stepW > 0) || !isPublishable(l) || isRepresentative(l) || runResidualsW.length < MIN_MEASURED_RUNS) return null;
  if (l.onValues.length === 0 || l.offValues.length === 0) return null;
  if (trimmedMean(l.offValues) >= trimmedMean(l.onValues) - meaningfulGapW(stepW)) return null;
  if (!runResidualsW.every((r) => r < 0)) return null;
  if (!(residual.middleW < -meaningfulGapW(stepW)) || -residual.middleW < residual.standardErrorW) return null;
  const mean = stepW + residual.middleW;
  return mean > 0 ? mean : null;
}
