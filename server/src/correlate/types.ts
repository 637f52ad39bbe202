/** Inputs and outputs of the correlation engine. Times are epoch milliseconds. */

export type { PowerSample, StateEvent } from "../store/rows.js";

/**
 * How an event relates to the entity's power states: `on` enters a power state from a
 * zero-power state, `off` leaves one into a zero-power state, `change` goes between two power
 * states, `none` between two zero-power states (it tells nothing about power).
 */
export type TransitionKind = "on" | "off" | "change" | "none";

export type ExclusionReason =
  /** Another entity changed state inside this event's windows, so the step is not this entity's alone. */
  | "ambiguous"
  /** A window's spread is larger than the sensor noise and the step allow: something else moved. */
  | "noisy"
  /** A window has less than the minimum support, usually because the entity changed again too soon. */
  | "short-window"
  /** No fresh power reading covers a window. */
  | "no-data"
  /** Between two zero-power states. */
  | "no-power-state"
  /** Windows not yet covered by data. */
  | "pending";

/** The measured power step of one event, at the lag learned for its entity, state and direction. */
export interface EventStep {
  t: number;
  entityId: string;
  from: string;
  to: string;
  kind: TransitionKind;
  /** The power state this event teaches about: `to` for `on` and `change`, `from` for `off`. */
  state: string;
  /** Median power after minus median power before, in W (negative for a switch-off). */
  stepW: number | null;
  preW: number | null;
  postW: number | null;
  lagS: number;
  accepted: boolean;
  reason: ExclusionReason | null;
  /** For `ambiguous`: the other entity whose event fell inside the windows. */
  conflictWith: string | null;
}

/** `learning`: not enough evidence to publish; `estimated`: published; `confident`: published with a small error. */
export type ProfileStatus = "learning" | "estimated" | "confident";

/** Learned power of one (entity, power state), and the energy it used while in that state. */
export interface DeviceProfile {
  entityId: string;
  state: string;
  /** The attribute level of this profile (`brightness 50 %`, `heating`), or null for the state as a whole. */
  level: string | null;
  /** False when the energy cannot be attributed reliably enough to be published (as statistics, or in the scores). */
  published: boolean;
  /** Learned power in W; null while `learning`. */
  powerW: number | null;
  /** Standard error of `powerW` in W. */
  standardErrorW: number | null;
  /** 0..1: probability that `powerW` is within max(2 W, 5 %) of the truth, scaled down below 5 events. */
  confidence: number;
  status: ProfileStatus;
  /** Events the estimate was learned from. */
  events: number;
  /** All events into or out of this state, accepted or not. */
  seenEvents: number;
  /** Lags (s) after the event at which the step was measured, for switching on and off. */
  lagS: { on: number; off: number };
  /** Hours in this state, less ghost runs. */
  onTimeH: number;
  /** Runs whose on and off steps showed no load at all; their time is not on-time. */
  ghostRuns: number;
  /** onTime × powerW, in kWh; null while `learning`. */
  energyKwh: number | null;
  /** energyKwh × price, in the price's currency; null while learning or without a price. */
  cost: number | null;
  /**
   * How the energy was found: `steps`, the step at the switching edges × on-time (a device whose
   * power is the same all the time it is on); `while-on`, the whole-home power used during each run
   * less a baseline and the other devices (a device whose power varies while on). `powerW` is then
   * the mean power while on; `switch-offs`, its mean while on × on-time, from the share of its
   * switch-offs caught in a burst and from its runs (a device switched on at idle and off at any of
   * its levels, a PC), or, where the switch-offs cannot say it (too coarse to count the bursts, or
   * caught it idle almost every time), from its runs, `powerW` that mean.
   */
  energyFrom: "steps" | "while-on" | "switch-offs";
  /** The learned step at the switching edges, W; null when not known. */
  stepW: number | null;
  /** `while-on`: the mean power of a run, 10th to 90th percentile; `switch-offs`: the levels it was switched off at, likewise; `steps`: ± two standard errors. */
  range: { lowW: number; highW: number } | null;
  /** `while-on`: the levels the device stands at for a good part of a run (a washer's heating and washing). */
  phases: Phase[];
  /** `while-on`: the median energy of one run (a washing cycle), kWh. */
  kwhPerRun: number | null;
  /** Runs (switch-on to switch-off) through this state; of them, measured from the whole-home power; and of those, with no other device switching near them. */
  runs: number;
  measuredRuns: number;
  cleanRuns: number;
}

/** A level a device stands at for part of each run. */
export interface Phase {
  powerW: number;
  /** Minutes per run at this level. */
  minutesPerRun: number;
}

/** A price per kWh: constant, or a function of time for time-of-use plans (free hours cost 0). */
export type Price = number | ((t: number) => number);

/** What the engine assumes about the power sensor. Estimated from the samples unless given. */
export interface SensorProfile {
  kind: "periodic" | "on-change";
  /** Typical seconds between readings (periodic), or between changes (on-change). */
  intervalS: number;
  /** Noise of the readings in W (robust standard deviation of consecutive differences ÷ √2). */
  noiseW: number;
  /**
   * On-change sensors: the smallest change it reports, about (W), estimated from its readings. A step
   * not well above it is seen late or not at all, so it is never learned confidently.
   */
  resolutionW?: number;
  /** On-change sensors: how often the meter measures (s), the shortest gap between its reports. */
  sampleS?: number;
}
