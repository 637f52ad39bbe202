/** The synthetic household's appliances: the 12 tracked entities and the untracked loads that confound them. */
import { constant, heatPump, levelPerRun, noisyLevel, thermostat, washer, withInrush, type PowerShape } from "./appliances.js";
import type { Schedule } from "./schedule.js";

/** How the entity's state reads in Home Assistant while its load runs and while it rests. */
export type StateNames = { kind: "binary"; on: string; off: string } | { kind: "cover" };

export interface TrackedDevice {
  entityId: string;
  /** The power it is rated at (W); the truth the benchmark scores against is measured from the trace. */
  nominalW: number;
  shape: PowerShape;
  schedule: Schedule;
  states: StateNames;
}

export interface UntrackedLoad {
  name: string;
  shape: PowerShape;
  schedule: Schedule;
}

const onOff: StateNames = { kind: "binary", on: "on", off: "off" };

export const TRACKED_DEVICES: readonly TrackedDevice[] = [
  { entityId: "light.hall", nominalW: 8, shape: constant(8), schedule: { kind: "log-normal", runsPerDay: 4, meanS: 45 * 60 }, states: onOff },
  { entityId: "light.bedside", nominalW: 12, shape: constant(12), schedule: { kind: "log-normal", runsPerDay: 3, meanS: 60 * 60 }, states: onOff },
  { entityId: "light.kitchen", nominalW: 25, shape: constant(25), schedule: { kind: "log-normal", runsPerDay: 4, meanS: 30 * 60 }, states: onOff },
  { entityId: "light.living_room", nominalW: 40, shape: constant(40), schedule: { kind: "log-normal", runsPerDay: 3, meanS: 90 * 60 }, states: onOff },
  { entityId: "light.porch", nominalW: 60, shape: constant(60), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 20 * 60 }, states: onOff },
  { entityId: "switch.heater", nominalW: 1500, shape: constant(1500), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 60 * 60 }, states: onOff },
  { entityId: "switch.dehumidifier", nominalW: 300, shape: withInrush(300, 3, 2), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 2 * 3600 }, states: onOff },
  { entityId: "fan.bedroom", nominalW: 35, shape: constant(35), schedule: { kind: "log-normal", runsPerDay: 3, meanS: 40 * 60 }, states: onOff },
  { entityId: "climate.heat_pump", nominalW: 1200, shape: heatPump(1200, 30, 120, 100), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 3 * 3600 }, states: { kind: "binary", on: "heat", off: "off" } },
  { entityId: "cover.garage", nominalW: 120, shape: constant(120), schedule: { kind: "fixed", runsPerDay: 4, durationS: 25 }, states: { kind: "cover" } },
  { entityId: "media_player.tv", nominalW: 90, shape: levelPerRun(90, 15), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 2 * 3600 }, states: { kind: "binary", on: "playing", off: "off" } },
  { entityId: "switch.pc", nominalW: 150, shape: noisyLevel(150, 40, 10), schedule: { kind: "log-normal", runsPerDay: 2, meanS: 3 * 3600 }, states: onOff },
];

export const UNTRACKED_LOADS: readonly UntrackedLoad[] = [
  { name: "fridge", shape: withInrush(120, 450 / 120, 2), schedule: { kind: "cycling", onS: 15 * 60, offS: 30 * 60, jitter: 0.2 } },
  { name: "freezer", shape: withInrush(90, 3, 2), schedule: { kind: "cycling", onS: 12 * 60, offS: 36 * 60, jitter: 0.2 } },
  { name: "kettle", shape: constant(2000), schedule: { kind: "random", runsPerDay: 4, minS: 120, maxS: 240 } },
  { name: "microwave", shape: constant(1000), schedule: { kind: "random", runsPerDay: 2, minS: 60, maxS: 300 } },
  { name: "oven", shape: thermostat(2000, 120, 180, 600), schedule: { kind: "daily", probability: 0.7, fromHour: 5, toHour: 8, minS: 3600, maxS: 3600 } },
  { name: "washer", shape: washer(), schedule: { kind: "daily", probability: 0.6, fromHour: 20, toHour: 26, minS: 65 * 60, maxS: 90 * 60 } },
];
