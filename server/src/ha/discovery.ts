/**
 * Which of Home Assistant's entities the power collector follows, decided from `get_states`
 * alone (pure): the whole-home power sensor, circuit sensors, other power sensors, daily-energy
 * sensors, and the entities whose state changes are correlated with power. Config overrides win.
 */

/** One entity as `get_states` and `state_changed` give it (only what discovery reads). */
export interface HaEntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

export interface PowerSensor {
  entityId: string;
  name: string;
  unit: string;
  /** Multiply a reading by this to get watts (1 for W, 1000 for kW). */
  toWatts: number;
  /** Why it was chosen: named in the config, or found by its name or attributes. */
  source: "config" | "discovered";
}

export interface EnergySensor {
  entityId: string;
  name: string;
  unit: string;
}

export interface PowerOverrides {
  wholeHomeSensor?: string | undefined;
  circuitSensors?: readonly string[] | undefined;
  /** Followed besides the tracked domains. */
  entities?: readonly string[] | undefined;
}

export interface PowerDiscovery {
  wholeHome: PowerSensor | null;
  circuits: PowerSensor[];
  /** Power sensors that are neither (smart plugs and other per-device meters). */
  otherPowerSensors: PowerSensor[];
  /** Sensors of energy per day (device_class energy, named daily/today): noted, not used yet. */
  dailyEnergySensors: EnergySensor[];
  /** Entities whose state changes are followed, sorted. */
  tracked: string[];
  /** What could not be used as configured, in words. */
  problems: string[];
}

/** Domains whose state changes are followed without configuration. */
export const TRACKED_DOMAINS: readonly string[] = ["switch", "light", "climate", "fan", "cover", "media_player"];

const POWER_UNITS: Record<string, number> = { w: 1, kw: 1000 };
/** Whole-home names, best first. */
const WHOLE_HOME_IDS = ["sensor.total_power", "sensor.home_power", "sensor.house_power", "sensor.whole_home_power", "sensor.total_home_power", "sensor.home_consumption_power"];
const WHOLE_HOME_WORDS = /(^|_)(total|home|house|whole|mains|household)(_|$)/;
const CIRCUIT_WORDS = /(^|_)(circuit|breaker|channel|phase|ct\d*)(_|$)/;
const DAILY_WORDS = /(^|_)(daily|today|day)(_|$)/;

/** Watts per unit of a power sensor's `unit_of_measurement`, or null when it is not W or kW. */
export function wattsPerUnit(unit: unknown): number | null {
  if (typeof unit !== "string") return null;
  return POWER_UNITS[unit.trim().toLowerCase()] ?? null;
}

/** A reading in watts, or null for "unavailable", "unknown" and other non-numbers. */
export function readingInWatts(state: string, toWatts: number): number | null {
  if (state.trim() === "") return null;
  const value = Number(state);
  return Number.isFinite(value) ? value * toWatts : null;
}

export function domainOf(entityId: string): string {
  return entityId.slice(0, Math.max(0, entityId.indexOf(".")));
}

/** True when the collector follows this entity's state changes. */
export function isTracked(entityId: string, overrides: PowerOverrides = {}): boolean {
  return TRACKED_DOMAINS.includes(domainOf(entityId)) || (overrides.entities ?? []).includes(entityId);
}

function nameOf(s: HaEntityState): string {
  const friendly = s.attributes.friendly_name;
  return typeof friendly === "string" && friendly !== "" ? friendly : s.entity_id;
}

/** Words of the object id and friendly name, lowercased and joined by "_", for name rules. */
function words(s: HaEntityState): string {
  return `${s.entity_id.slice(s.entity_id.indexOf(".") + 1)}_${nameOf(s)}`.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

function asPowerSensor(s: HaEntityState, source: PowerSensor["source"]): PowerSensor | null {
  const toWatts = wattsPerUnit(s.attributes.unit_of_measurement);
  if (toWatts === null) return null;
  return { entityId: s.entity_id, name: nameOf(s), unit: String(s.attributes.unit_of_measurement), toWatts, source };
}

/** How much a power sensor looks like the whole home: 0 = not at all. */
function wholeHomeScore(s: HaEntityState): number {
  const rank = WHOLE_HOME_IDS.indexOf(s.entity_id);
  if (rank >= 0) return 100 - rank;
  if (WHOLE_HOME_WORDS.test(words(s))) return 50;
  if (s.entity_id.startsWith("sensor.power_")) return 10;
  return 0;
}

export function discoverPower(states: readonly HaEntityState[], overrides: PowerOverrides = {}): PowerDiscovery {
  const problems: string[] = [];
  const byId = new Map(states.map((s) => [s.entity_id, s]));
  const powerSensors = states.filter((s) => s.entity_id.startsWith("sensor.") && s.attributes.device_class === "power");

  const configured = (entityId: string, what: string): PowerSensor | null => {
    const s = byId.get(entityId);
    if (!s) {
      problems.push(`${what} ${entityId} does not exist in Home Assistant (yet)`);
      return null;
    }
    const sensor = asPowerSensor(s, "config");
    if (!sensor) problems.push(`${what} ${entityId} has unit ${JSON.stringify(s.attributes.unit_of_measurement ?? null)}, expected W or kW`);
    return sensor;
  };

  // Best name first; among equals the highest reading, since the whole home draws at least as much as any part of it.
  const discovered = () =>
    powerSensors
      .filter((s) => !CIRCUIT_WORDS.test(words(s)))
      .map((s) => ({ s, score: wholeHomeScore(s), sensor: asPowerSensor(s, "discovered") }))
      .filter((c) => c.score > 0 && c.sensor !== null)
      .sort((a, b) => b.score - a.score || (readingInWatts(b.s.state, b.sensor!.toWatts) ?? -Infinity) - (readingInWatts(a.s.state, a.sensor!.toWatts) ?? -Infinity))[0]?.sensor ?? null;
  const wholeHome = overrides.wholeHomeSensor ? configured(overrides.wholeHomeSensor, "power.whole_home_sensor") : discovered();

  const circuits: PowerSensor[] = [];
  if (overrides.circuitSensors) {
    for (const id of overrides.circuitSensors) {
      const sensor = configured(id, "power.circuit_sensors:");
      if (sensor) circuits.push(sensor);
    }
  } else {
    for (const s of powerSensors) {
      const sensor = CIRCUIT_WORDS.test(words(s)) ? asPowerSensor(s, "discovered") : null;
      if (sensor && sensor.entityId !== wholeHome?.entityId) circuits.push(sensor);
    }
  }

  const used = new Set([wholeHome?.entityId, ...circuits.map((c) => c.entityId)]);
  const otherPowerSensors = powerSensors.filter((s) => !used.has(s.entity_id)).flatMap((s) => asPowerSensor(s, "discovered") ?? []);

  const dailyEnergySensors = states
    .filter((s) => s.entity_id.startsWith("sensor.") && s.attributes.device_class === "energy" && DAILY_WORDS.test(words(s)))
    .map((s) => ({ entityId: s.entity_id, name: nameOf(s), unit: String(s.attributes.unit_of_measurement ?? "") }));

  const tracked = new Set(states.filter((s) => isTracked(s.entity_id, overrides)).map((s) => s.entity_id));
  for (const id of overrides.entities ?? []) {
    if (!byId.has(id)) problems.push(`power.entities: ${id} does not exist in Home Assistant (yet)`);
    tracked.add(id);
  }

  return {
    wholeHome,
    circuits: circuits.sort(byEntity),
    otherPowerSensors: otherPowerSensors.sort(byEntity),
    dailyEnergySensors: dailyEnergySensors.sort(byEntity),
    tracked: [...tracked].sort(),
    problems,
  };
}

function byEntity(a: { entityId: string }, b: { entityId: string }): number {
  return a.entityId.localeCompare(b.entityId);
}
