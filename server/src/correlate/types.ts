/** Inputs and outputs of the correlation engine. Times are epoch milliseconds. */

/** One reading of the whole-home power sensor; it holds until the next reading (sample-and-hold). */
export interface PowerSample {
  t: number;
  w: number;
}

/** A state change of a tracked entity, stamped when Home Assistant saw it. */
export interface StateEvent {
  t: number;
  entityId: string;
  from: string;
  to: string;
  /**
   * The power-relevant attribute before and after the change, as `attributeLevel` formats it
   * (a light's brightness, a fan's speed, a climate's hvac_action); absent or null when the entity
   * has none. A change of level alone is an event too.
   */
  fromLevel?: string | null;
  toLevel?: string | null;
}

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
  /** The attribute level of this profile (`brightness 50 %`, `heating`), or null/absent for the state as a whole. */
  level?: string | null;
  /** False when the energy cannot be attributed reliably enough to be published as statistics. */
  published?: boolean;
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
}
