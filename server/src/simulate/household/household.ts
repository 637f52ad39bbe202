/**
 * A seeded synthetic household with ground truth (reference `correlation.md` §3): a drifting base
 * load, untracked appliances that step on their own, and tracked entities whose state changes
 * Home Assistant reports, including ghost changes with no power behind them.
 */
import type { StateEvent } from "../../correlate/types.js";
import { TRACKED_DEVICES, UNTRACKED_LOADS, type TrackedDevice, type UntrackedLoad } from "./devices.js";
import { Random } from "./random.js";
import { gatherIntoScenes } from "./scenes.js";
import { scheduleRuns, type Run } from "./schedule.js";
import { ApplianceTrack, mergeTracks, type PowerTrace } from "./trace.js";

export interface HouseholdOptions {
  seed: number;
  days: number;
  /** Epoch ms of the first second; a Monday in January by default. */
  start?: number;
  /** Share of runs that are ghosts: HA reports on and off, no power changes (2 % by default). */
  ghostShare?: number;
  devices?: readonly TrackedDevice[];
  untracked?: readonly UntrackedLoad[];
  /** Share of light runs moved to start with another light's, as a scene does (none by default, as in the reference). */
  sceneShare?: number;
}

/** What really happened for one tracked entity. */
export interface DeviceTruth {
  entityId: string;
  nominalW: number;
  energyKwh: number;
  /** Hours HA showed the entity on during runs that drew power (ghost runs excluded). */
  onTimeH: number;
  /** energyKwh ÷ onTimeH: what a learned power is scored against. */
  powerW: number;
  runs: number;
  ghostRuns: number;
}

export interface Household {
  start: number;
  end: number;
  events: StateEvent[];
  truth: DeviceTruth[];
  trace: PowerTrace;
}

export const DEFAULT_START = Date.UTC(2026, 0, 5);
const BASE_W = 150;
const BASE_RANGE_W = 40;
/** Random-walk step of the base load per second: 3 W per √minute. */
const BASE_STEP_W = 3 / Math.sqrt(60);
/** How far the base load wanders, as the variance (W²) its random walk adds per second (reflection at ±40 W aside). */
export const BASE_WALK_VARIANCE_PER_S = BASE_STEP_W * BASE_STEP_W;
const RELAY_DELAY_S: [number, number] = [0.3, 1.8];

/** Each untracked load's power over [start, end), on its own random stream forked from `root`. */
export function untrackedTracks(loads: readonly UntrackedLoad[], start: number, end: number, root: Random): ApplianceTrack[] {
  return loads.map((load) => {
    const rng = root.fork(`untracked:${load.name}`);
    const track = new ApplianceTrack();
    for (const run of scheduleRuns(load.schedule, start, end, rng)) load.shape(track, run.start, run.end, rng);
    return track;
  });
}

/** Each tracked device's random stream (forked from `root`) and its runs over [start, end). */
export function trackedSchedules<D extends { entityId: string; schedule: Parameters<typeof scheduleRuns>[0] }>(devices: readonly D[], start: number, end: number, root: Random): { rngs: Map<string, Random>; schedules: Map<string, Run[]> } {
  const rngs = new Map(devices.map((d) => [d.entityId, root.fork(`tracked:${d.entityId}`)]));
  const schedules = new Map(devices.map((d) => [d.entityId, scheduleRuns(d.schedule, start, end, rngs.get(d.entityId)!)]));
  return { rngs, schedules };
}

export function simulateHousehold(options: HouseholdOptions): Household {
  const start = options.start ?? DEFAULT_START;
  const end = start + options.days * 86_400_000;
  const root = new Random(options.seed);
  const baseW = baseLoad(options.days * 86_400 + 1, root.fork("base"));
  const tracks = untrackedTracks(options.untracked ?? UNTRACKED_LOADS, start, end, root);
  const devices = options.devices ?? TRACKED_DEVICES;
  const { rngs, schedules } = trackedSchedules(devices, start, end, root);
  const lights = devices.filter((d) => d.entityId.startsWith("light.")).map((d) => d.entityId);
  gatherIntoScenes(schedules, lights, options.sceneShare ?? 0, root.fork("scenes"));
  const events: StateEvent[] = [];
  const truth: DeviceTruth[] = [];
  for (const device of devices) {
    const rng = rngs.get(device.entityId)!;
    const track = new ApplianceTrack();
    const runs = schedules.get(device.entityId)!;
    let onMs = 0;
    let ghostRuns = 0;
    runs.forEach((run, i) => {
      events.push(...runEvents(device, run, i));
      if (rng.chance(options.ghostShare ?? 0.02)) {
        ghostRuns += 1;
        return;
      }
      onMs += run.end - run.start;
      device.shape(track, run.start + relayDelay(rng), run.end + relayDelay(rng), rng);
    });
    tracks.push(track);
    const onTimeH = onMs / 3_600_000;
    truth.push({ entityId: device.entityId, nominalW: device.nominalW, energyKwh: track.energyKwh, onTimeH, powerW: onTimeH > 0 ? track.energyKwh * 1000 / onTimeH : 0, runs: runs.length, ghostRuns });
  }
  events.sort((a, b) => a.t - b.t || a.entityId.localeCompare(b.entityId));
  return { start, end, events, truth, trace: mergeTracks(start, baseW, tracks) };
}

function runEvents(device: TrackedDevice, run: Run, index: number): StateEvent[] {
  const { entityId } = device;
  if (device.states.kind === "binary") {
    const { on, off } = device.states;
    return [
      { t: run.start, entityId, from: off, to: on },
      { t: run.end, entityId, from: on, to: off },
    ];
  }
  const [resting, moving, arrived] = index % 2 === 0 ? ["closed", "opening", "open"] : ["open", "closing", "closed"];
  return [
    { t: run.start, entityId, from: resting, to: moving },
    { t: run.end, entityId, from: moving, to: arrived },
  ];
}

function relayDelay(rng: Random): number {
  return Math.round(rng.uniform(RELAY_DELAY_S[0], RELAY_DELAY_S[1]) * 1000);
}

/** 150 W plus a random walk kept within ±40 W by reflection: the base load of both simulated households. */
export function baseLoad(seconds: number, rng: Random): Float32Array {
  const out = new Float32Array(seconds);
  let offset = 0;
  for (let i = 0; i < seconds; i += 1) {
    offset += rng.normal(0, BASE_STEP_W);
    if (offset > BASE_RANGE_W) offset = 2 * BASE_RANGE_W - offset;
    if (offset < -BASE_RANGE_W) offset = -2 * BASE_RANGE_W - offset;
    out[i] = BASE_W + offset;
  }
  return out;
}
