/** Which entity states draw no power of their own, and what an event therefore measures. */
import type { StateEvent, TransitionKind } from "./types.js";

/** Decides whether an entity's state is a zero-power state (the reference the other states are measured from). */
export type ZeroStatePredicate = (state: string, entityId: string) => boolean;

/**
 * Off-like states of the domains the collector follows: lights, switches and fans `off`; climate
 * `off`; covers resting `open` or `closed` (the motor runs only while `opening`/`closing`);
 * media players `off`/`standby`; and the states HA uses when it does not know.
 */
const ZERO_STATES = new Set(["off", "closed", "open", "standby", "unavailable", "unknown", ""]);

export const defaultZeroState: ZeroStatePredicate = (state) => ZERO_STATES.has(state.toLowerCase());

export function transitionKind(event: StateEvent, isZero: ZeroStatePredicate): TransitionKind {
  const fromZero = isZero(event.from, event.entityId);
  const toZero = isZero(event.to, event.entityId);
  if (fromZero && toZero) return "none";
  if (fromZero) return "on";
  if (toZero) return "off";
  return fromKey(event) === toKey(event) ? "none" : "change";
}

/** Between a state and its attribute level in a power state's key. */
const LEVEL_SEPARATOR = " · ";

/** The key a power state is learned under: the HA state, with its attribute level when it has one (`on · brightness 50 %`). */
export function powerStateKey(state: string, level: string | null | undefined): string {
  return level ? `${state}${LEVEL_SEPARATOR}${level}` : state;
}

/** The HA state and attribute level of a power state's key. */
export function splitPowerStateKey(key: string): { state: string; level: string | null } {
  const i = key.indexOf(LEVEL_SEPARATOR);
  return i < 0 ? { state: key, level: null } : { state: key.slice(0, i), level: key.slice(i + LEVEL_SEPARATOR.length) };
}

/** The power state before and after an event (zero states keep no level). */
export function fromKey(event: StateEvent): string {
  return powerStateKey(event.from, event.fromLevel);
}

export function toKey(event: StateEvent): string {
  return powerStateKey(event.to, event.toLevel);
}

/** The power state an event teaches about. */
export function learnedState(event: StateEvent, kind: TransitionKind): string {
  return kind === "off" ? fromKey(event) : toKey(event);
}

/** An entity's HA domain ("light" of "light.hall"). The learner may not import the HA layer's `domainOf` (layers.test.ts). */
function domainOf(entityId: string): string {
  return entityId.slice(0, Math.max(0, entityId.indexOf(".")));
}

/** Domains whose attributes set their power. */
const LEVEL_DOMAINS = new Set(["light", "fan", "climate"]);

/** True for an entity whose attributes set its power (a light, a fan, a climate). */
export function hasLevels(entityId: string): boolean {
  return LEVEL_DOMAINS.has(domainOf(entityId));
}

/** Domains whose power is steady at each level of their attributes: a light at a brightness, a fan at a speed (a heat pump modulates). */
const STEADY_DOMAINS = new Set(["light", "fan"]);

/** True for an entity whose power is steady while it is in one power state (`powerStateKey`): it has no bursts to find. */
export function steadyInEachState(entityId: string): boolean {
  return STEADY_DOMAINS.has(domainOf(entityId));
}

/**
 * The attribute that sets an entity's power while it is on, as a short label, or null: a light's
 * `brightness` (0–255) in 10 % steps, a fan's `percentage`, a climate's `hvac_action` (heating,
 * idle, cooling…). Media players need none: their state (playing, paused, idle) says it.
 */
export function attributeLevel(entityId: string, attributes: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!attributes) return null;
  const domain = domainOf(entityId);
  if (domain === "light") {
    const b = attributes.brightness;
    return typeof b === "number" && Number.isFinite(b) && b > 0 ? `brightness ${Math.max(10, Math.round((b / 255) * 10) * 10)} %` : null;
  }
  if (domain === "fan") {
    const p = attributes.percentage;
    return typeof p === "number" && Number.isFinite(p) && p > 0 ? `speed ${Math.round(p)} %` : null;
  }
  if (domain === "climate") {
    const a = attributes.hvac_action;
    return typeof a === "string" && a !== "" ? a : null;
  }
  return null;
}
