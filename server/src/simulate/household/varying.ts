/**
 * A harder synthetic household (issue 12): tracked devices whose power varies while they are on.
 * A washing machine and a dishwasher reported only as on/off with quiet first and last phases, an
 * oven cycling its element on a thermostat, a heat pump with a dead time, a 3-minute ramp, ±20 %
 * modulation and pump run-on whose climate entity reports `hvac_action`, an EV charger that stops
 * drawing when the car is full, a PC idling with bursts, a dimmable light re-dimmed mid-run with a
 * `brightness` attribute, a TV with standby and pause, a fan with speeds, a kettle and fixed lights;
 * untracked fridge and freezer cycles with inrush, a microwave, a toaster, small loads and a
 * drifting base load. HA stamps every change 0–3 s after the load changed, and a share of
 * switchings lands in the same second as another device's.
 *
 * Ground truth is kept per device and per power state (HA state and attribute level, as the
 * collector reports them), so confident profiles can be checked state by state.
 */
import { attributeLevel } from "../../correlate/states.js";
import type { StateEvent } from "../../correlate/types.js";
import { constant, withInrush } from "./appliances.js";
import { baseLoad, DEFAULT_START, trackedSchedules, untrackedTracks, type DeviceTruth, type Household } from "./household.js";
import { Random } from "./random.js";
import type { Run, Schedule } from "./schedule.js";
import { ApplianceTrack, mergeTracks } from "./trace.js";
import type { UntrackedLoad } from "./devices.js";

/** One change of what HA shows, at the moment the load changed (ms). */
export interface Change {
  t: number;
  state: string;
  attributes?: Record<string, unknown>;
}

/**
 * Draws one run's power on the track (never past `limit`, the next run's start) and returns what
 * HA shows during it: the first change at `run.start` enters a power state, the last at `run.end`
 * returns to the device's resting state.
 */
export type Behaviour = (track: ApplianceTrack, run: Run, rng: Random, limit: number) => Change[];

export interface VaryingDevice {
  entityId: string;
  /** One constant power whenever on: scored for the single-level power error. */
  singleLevel: boolean;
  schedule: Schedule;
  behaviour: Behaviour;
}

/** Truth of one (entity, power state). */
export interface StateTruth {
  state: string;
  level: string | null;
  energyKwh: number;
  onTimeH: number;
  powerW: number;
}

export interface VaryingTruth extends DeviceTruth {
  singleLevel: boolean;
  states: StateTruth[];
  /** The device's own power over time, as drawn (not as HA stamped it). */
  track: ApplianceTrack;
}

export interface VaryingHousehold extends Household {
  truth: VaryingTruth[];
  /** Share of events stamped within one second of another entity's event. */
  simultaneousShare: number;
}

export interface VaryingOptions {
  seed: number;
  days: number;
  start?: number;
  /** Share of run starts and ends moved into the same second as another device's (8 % by default: some moves do not fit, and about 5 % of events end up together). */
  simultaneousShare?: number;
  /** HA stamps each change this many seconds after the load changed (uniform; 0–3 s by default). */
  latenessS?: [number, number];
  devices?: readonly VaryingDevice[];
  untracked?: readonly UntrackedLoad[];
}

const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 86_400_000;

// ---- behaviours ----------------------------------------------------------------------------------

const onOff = (s: number, e: number, on = "on", off = "off"): Change[] => [
  { t: s, state: on },
  { t: e, state: off },
];

/** A fixed load: `watts` from on to off. */
export function steady(watts: number): Behaviour {
  return (track, run) => {
    track.set(run.start, watts);
    track.set(run.end, 0);
    return onOff(run.start, run.end);
  };
}

const BRIGHTNESS_LEVELS = [255, 191, 128, 77, 26];

/** A dimmable LED light: power falls with brightness (not linearly); 45 % of runs are re-dimmed once or twice. */
export function dimmable(maxW: number): Behaviour {
  const power = (b: number) => maxW * (0.08 + 0.92 * (b / 255) ** 1.3);
  return (track, run, rng) => {
    const pick = (not?: number) => {
      const options = BRIGHTNESS_LEVELS.filter((b) => b !== not);
      return options[Math.floor(rng.next() * options.length)]!;
    };
    const duration = run.end - run.start;
    let b = pick();
    const changes: Change[] = [{ t: run.start, state: "on", attributes: { brightness: b } }];
    track.set(run.start, power(b));
    const redims = duration >= 10 * MINUTE && rng.chance(0.45) ? (rng.chance(0.4) ? 2 : 1) : 0;
    const times = Array.from({ length: redims }, (_, i) => run.start + Math.round(((i + rng.uniform(0.3, 0.9)) / redims) * (duration - 4 * MINUTE)) + 2 * MINUTE).sort((x, y) => x - y);
    for (const t of times) {
      b = pick(b);
      changes.push({ t, state: "on", attributes: { brightness: b } });
      track.set(t, power(b));
    }
    track.set(run.end, 0);
    changes.push({ t: run.end, state: "off" });
    return changes;
  };
}

/** A TV: a level per run while playing, a lower one while paused, nothing in standby. */
export function television(meanW: number, spreadW: number, pausedW: number): Behaviour {
  return (track, run, rng) => {
    const playing = meanW + rng.uniform(-spreadW, spreadW);
    const changes: Change[] = [{ t: run.start, state: "playing" }];
    track.set(run.start, playing);
    const duration = run.end - run.start;
    if (duration >= 40 * MINUTE && rng.chance(0.35)) {
      const pauseAt = run.start + Math.round(duration * rng.uniform(0.3, 0.6));
      const resumeAt = pauseAt + Math.round(rng.uniform(5, 15) * MINUTE);
      if (resumeAt < run.end - 5 * MINUTE) {
        changes.push({ t: pauseAt, state: "paused" }, { t: resumeAt, state: "playing" });
        track.set(pauseAt, pausedW);
        track.set(resumeAt, playing);
      }
    }
    track.set(run.end, 0);
    changes.push({ t: run.end, state: "standby" });
    return changes;
  };
}

/**
 * A heat pump's climate entity: in `heat` mode it alternates `hvac_action` heating and idle.
 * Heating: 45 s dead time, a 3-minute ramp to a level drawn per cycle, then ±20 % modulation every
 * 3–10 minutes. When the compressor stops (to idle, or the mode goes off) the circulation pump runs
 * on at 80 W for 2–5 minutes; idle draws 15 W.
 */
export function heatPump(watts: number): Behaviour {
  const IDLE_W = 15;
  const RUN_ON_W = 80;
  return (track, run, rng, limit) => {
    const changes: Change[] = [];
    const cycles: { from: number; to: number; heating: boolean }[] = [];
    for (let t = run.start, heating = true; t < run.end; heating = !heating) {
      const length = (heating ? rng.uniform(20, 60) : rng.uniform(10, 30)) * MINUTE;
      const to = run.end - (t + length) < 5 * MINUTE ? run.end : Math.round(t + length);
      cycles.push({ from: t, to, heating });
      t = to;
    }
    cycles.forEach((c, i) => {
      changes.push({ t: c.from, state: "heat", attributes: { hvac_action: c.heating ? "heating" : "idle" } });
      if (!c.heating) return;
      track.set(c.from, IDLE_W);
      const level = watts * rng.uniform(0.85, 1.15);
      const rampStart = c.from + 45_000;
      for (let k = 1; k <= 90 && rampStart + (k - 1) * 2000 < c.to; k += 1) track.set(rampStart + (k - 1) * 2000, (level * k) / 90);
      for (let t = rampStart + 180_000 + rng.uniform(180, 600) * 1000; t < c.to; t += rng.uniform(180, 600) * 1000) track.set(Math.round(t), level * (1 + rng.uniform(-0.2, 0.2)));
      // The pump runs on into the idle cycle after, or past the mode's switch-off.
      const after = cycles[i + 1];
      const runOnEnd = Math.min(after ? after.to : limit, c.to + Math.round(rng.uniform(120, 300) * 1000));
      track.set(c.to, RUN_ON_W);
      if (runOnEnd > c.to) track.set(runOnEnd, after ? IDLE_W : 0);
    });
    const last = cycles[cycles.length - 1]!;
    if (!last.heating) track.set(run.end, 0);
    changes.push({ t: run.end, state: "off", attributes: { hvac_action: "off" } });
    return changes;
  };
}

/** Sets the level at `t` only when it is inside the run (a helper for phase programs). */
function phases(track: ApplianceTrack, run: Run, program: [number, number][]): void {
  for (const [t, w] of program) if (t >= run.start && t < run.end) track.set(Math.round(t), w);
  track.set(run.end, 0);
}

/**
 * A washing machine reported only as on/off: 15 W filling for 4 minutes, a 2 kW heater for
 * 15 minutes, a tumbling motor at 200–500 W, a 450 W spin for 8 minutes and a quiet 10 W finish.
 */
export function washingMachine(): Behaviour {
  return (track, run, rng) => {
    const { start: s, end: e } = run;
    const program: [number, number][] = [
      [s, 15],
      [s + 4 * MINUTE, 2000],
    ];
    const spin = e - 11 * MINUTE;
    for (let t = s + 19 * MINUTE; t < spin; t += rng.uniform(30, 90) * 1000) program.push([t, rng.uniform(200, 500)]);
    program.push([spin, 450], [e - 3 * MINUTE, 10]);
    phases(track, run, program);
    return onOff(s, e);
  };
}

/** A dishwasher: 20 W filling, 1.8 kW heating for 18 minutes, washing at 60–140 W, 1.8 kW rinse heating, 8 W drying. */
export function dishwasher(): Behaviour {
  return (track, run, rng) => {
    const { start: s, end: e } = run;
    const program: [number, number][] = [
      [s, 20],
      [s + 5 * MINUTE, 1800],
    ];
    const rinse = e - 35 * MINUTE;
    for (let t = s + 23 * MINUTE; t < rinse; t += rng.uniform(60, 120) * 1000) program.push([t, rng.uniform(60, 140)]);
    program.push([rinse, 1800], [e - 25 * MINUTE, 8]);
    phases(track, run, program);
    return onOff(s, e);
  };
}

/** An oven: fan and light 30 W throughout, a 2.4 kW element preheating 10 minutes and then cycled by its thermostat. */
export function oven(): Behaviour {
  return (track, run, rng) => {
    const { start: s, end: e } = run;
    const program: [number, number][] = [[s, 2430]];
    let t = s + rng.uniform(8, 12) * MINUTE;
    while (t < e) {
      program.push([t, 30]);
      t += rng.uniform(90, 180) * 1000;
      if (t >= e) break;
      program.push([t, 2430]);
      t += rng.uniform(45, 120) * 1000;
    }
    phases(track, run, program);
    return onOff(s, e);
  };
}

/** An EV charger: about 7.2 kW until the car is full (after 1.5–5 h, a 15-minute taper), then 4 W until switched off. */
export function evCharger(): Behaviour {
  return (track, run, rng) => {
    const { start: s, end: e } = run;
    const level = 7200 * rng.uniform(0.97, 1.03);
    const full = Math.min(e - 20 * MINUTE, s + rng.uniform(1.5, 5) * HOUR);
    const program: [number, number][] = [[s, level]];
    for (let k = 0; k < 15; k += 1) program.push([full - (15 - k) * MINUTE, level - ((level - 1000) * (k + 1)) / 15]);
    program.push([full, 4]);
    phases(track, run, program.filter(([x]) => x >= s));
    return onOff(s, e);
  };
}

/** A fan at 33, 67 or 100 % (`percentage`), changed up to twice per run. */
export function speedFan(watts: Record<number, number>): Behaviour {
  const speeds = Object.keys(watts).map(Number);
  return (track, run, rng) => {
    const pick = (not?: number) => {
      const options = speeds.filter((p) => p !== not);
      return options[Math.floor(rng.next() * options.length)]!;
    };
    let p = pick();
    const changes: Change[] = [{ t: run.start, state: "on", attributes: { percentage: p } }];
    track.set(run.start, watts[p]!);
    const duration = run.end - run.start;
    const n = duration >= 10 * MINUTE ? Math.floor(rng.uniform(0, 3)) : 0;
    const times = Array.from({ length: n }, () => run.start + 2 * MINUTE + Math.round(rng.next() * (duration - 4 * MINUTE))).sort((a, b) => a - b);
    let last = run.start;
    for (const t of times) {
      if (t - last < MINUTE) continue;
      p = pick(p);
      changes.push({ t, state: "on", attributes: { percentage: p } });
      track.set(t, watts[p]!);
      last = t;
    }
    track.set(run.end, 0);
    changes.push({ t: run.end, state: "off" });
    return changes;
  };
}

/** A PC: 80 W idle (±4 W), bursts of 30 s to 10 min at 150–200 W, about a third of the time. */
export function computer(): Behaviour {
  return (track, run, rng) => {
    let t = run.start;
    let burst = false;
    while (t < run.end) {
      const length = burst ? rng.uniform(0.5, 10) * MINUTE : rng.exponential(8 * MINUTE);
      const level = burst ? rng.uniform(150, 200) : 80;
      for (let x = t; x < Math.min(run.end, t + length); x += 5000) track.set(Math.round(x), level + rng.normal(0, burst ? 6 : 2));
      t += length;
      burst = !burst;
    }
    track.set(run.end, 0);
    return onOff(run.start, run.end);
  };
}

// ---- the household -----------------------------------------------------------------------------

const logNormal = (runsPerDay: number, meanMin: number): Schedule => ({ kind: "log-normal", runsPerDay, meanS: meanMin * 60 });
const daily = (probability: number, fromHour: number, toHour: number, minMin: number, maxMin: number): Schedule => ({ kind: "daily", probability, fromHour, toHour, minS: minMin * 60, maxS: maxMin * 60 });

export const VARYING_DEVICES: readonly VaryingDevice[] = [
  { entityId: "light.hall", singleLevel: true, schedule: logNormal(4, 45), behaviour: steady(8) },
  { entityId: "light.bedside", singleLevel: true, schedule: logNormal(3, 60), behaviour: steady(12) },
  // Switched on in the evening's busiest hours, when the oven, kettle and dishwasher start too.
  { entityId: "light.porch", singleLevel: true, schedule: daily(1, 17, 20, 20, 90), behaviour: steady(40) },
  { entityId: "light.kitchen", singleLevel: true, schedule: logNormal(4, 30), behaviour: steady(60) },
  { entityId: "light.living_room", singleLevel: false, schedule: logNormal(3, 90), behaviour: dimmable(60) },
  { entityId: "media_player.tv", singleLevel: false, schedule: logNormal(2, 120), behaviour: television(90, 15, 55) },
  { entityId: "switch.kettle", singleLevel: true, schedule: { kind: "random", runsPerDay: 4, minS: 120, maxS: 240 }, behaviour: steady(2000) },
  { entityId: "climate.heat_pump", singleLevel: false, schedule: logNormal(2, 240), behaviour: heatPump(1200) },
  { entityId: "switch.washing_machine", singleLevel: false, schedule: daily(0.6, 8, 21, 70, 100), behaviour: washingMachine() },
  { entityId: "switch.dishwasher", singleLevel: false, schedule: daily(0.7, 19, 22, 110, 150), behaviour: dishwasher() },
  { entityId: "switch.oven", singleLevel: false, schedule: daily(0.6, 16, 19, 40, 90), behaviour: oven() },
  { entityId: "switch.ev_charger", singleLevel: false, schedule: daily(0.4, 21, 24, 360, 540), behaviour: evCharger() },
  { entityId: "fan.bedroom", singleLevel: false, schedule: logNormal(3, 60), behaviour: speedFan({ 33: 12, 67: 22, 100: 40 }) },
  { entityId: "switch.pc", singleLevel: false, schedule: logNormal(2, 180), behaviour: computer() },
];

export const VARYING_UNTRACKED: readonly UntrackedLoad[] = [
  { name: "fridge", shape: withInrush(120, 450 / 120, 2), schedule: { kind: "cycling", onS: 15 * 60, offS: 30 * 60, jitter: 0.2 } },
  { name: "freezer", shape: withInrush(90, 3, 2), schedule: { kind: "cycling", onS: 12 * 60, offS: 36 * 60, jitter: 0.2 } },
  { name: "microwave", shape: constant(1000), schedule: { kind: "random", runsPerDay: 2, minS: 60, maxS: 300 } },
  { name: "toaster", shape: constant(900), schedule: { kind: "random", runsPerDay: 1, minS: 120, maxS: 240 } },
  { name: "desk lamp", shape: constant(25), schedule: { kind: "random", runsPerDay: 3, minS: 600, maxS: 3600 } },
  { name: "bathroom fan", shape: constant(15), schedule: { kind: "random", runsPerDay: 5, minS: 300, maxS: 1200 } },
  { name: "chargers", shape: constant(10), schedule: { kind: "random", runsPerDay: 4, minS: 1800, maxS: 7200 } },
];

/** Runs of one device keep this far apart. */
const MIN_GAP_MS = 60_000;

export function simulateVaryingHousehold(options: VaryingOptions): VaryingHousehold {
  const start = options.start ?? DEFAULT_START;
  const end = start + options.days * DAY;
  const root = new Random(options.seed);
  const baseW = baseLoad(options.days * 86_400 + 1, root.fork("base"));
  const tracks = untrackedTracks(options.untracked ?? VARYING_UNTRACKED, start, end, root);
  const devices = options.devices ?? VARYING_DEVICES;
  const { rngs, schedules } = trackedSchedules(devices, start, end, root);
  moveTogether(schedules, options.simultaneousShare ?? 0.08, root.fork("together"), start, end);
  const [lateMin, lateMax] = options.latenessS ?? [0, 3];
  const late = root.fork("lateness");
  const events: StateEvent[] = [];
  const truth: VaryingTruth[] = [];
  for (const device of devices) {
    const rng = rngs.get(device.entityId)!;
    const track = new ApplianceTrack();
    const runs = schedules.get(device.entityId)!;
    const segments: Segment[] = [];
    runs.forEach((run, i) => {
      const limit = i + 1 < runs.length ? runs[i + 1]!.start - 1000 : end;
      const changes = device.behaviour(track, run, rng, limit);
      let previous: { state: string; level: string | null } = { state: restOf(changes), level: null };
      changes.forEach((c, k) => {
        const level = attributeLevel(device.entityId, c.attributes);
        const t = Math.round(c.t + late.uniform(lateMin, lateMax) * 1000);
        events.push({ t, entityId: device.entityId, from: previous.state, to: c.state, fromLevel: previous.level, toLevel: level });
        if (k + 1 < changes.length) segments.push({ from: c.t, to: changes[k + 1]!.t, shownTo: changes[k + 1]!.t, state: c.state, level });
        previous = { state: c.state, level };
      });
      // Run-on after the last change belongs to the last power state.
      const last = segments[segments.length - 1];
      if (last) last.to = limit;
    });
    tracks.push(track);
    truth.push(deviceTruth(device, track, segments, runs.length));
  }
  events.sort((a, b) => a.t - b.t || a.entityId.localeCompare(b.entityId));
  return { start, end, events, truth, trace: mergeTracks(start, baseW, tracks), simultaneousShare: togetherShare(events) };
}

/** The resting state a run returns to. */
function restOf(changes: readonly Change[]): string {
  return changes[changes.length - 1]!.state;
}

interface Segment {
  from: number;
  /** Energy counts to here: the next change, or for a run's last power state its run-on up to the next run. */
  to: number;
  /** HA shows the state up to here. */
  shownTo: number;
  state: string;
  level: string | null;
}

function deviceTruth(device: VaryingDevice, track: ApplianceTrack, segments: readonly Segment[], runs: number): VaryingTruth {
  const energies = energyOver(track, segments);
  const byState = new Map<string, StateTruth>();
  let onMs = 0;
  segments.forEach((s, i) => {
    const key = `${s.state}\u0000${s.level ?? ""}`;
    let st = byState.get(key);
    if (!st) byState.set(key, (st = { state: s.state, level: s.level, energyKwh: 0, onTimeH: 0, powerW: 0 }));
    st.energyKwh += energies[i]!;
    st.onTimeH += (s.shownTo - s.from) / HOUR;
    onMs += s.shownTo - s.from;
  });
  const states = [...byState.values()].map((s) => ({ ...s, powerW: s.onTimeH > 0 ? (s.energyKwh * 1000) / s.onTimeH : 0 }));
  const onTimeH = onMs / HOUR;
  const powerW = onTimeH > 0 ? (track.energyKwh * 1000) / onTimeH : 0;
  return { entityId: device.entityId, nominalW: powerW, energyKwh: track.energyKwh, onTimeH, powerW, runs, ghostRuns: 0, singleLevel: device.singleLevel, states, track };
}

/** Energy (kWh) of the track over each segment [from, to). Segments are in time order and do not overlap. */
function energyOver(track: ApplianceTrack, segments: readonly { from: number; to: number }[]): number[] {
  const out: number[] = [];
  let i = 0;
  let level = 0;
  for (const seg of segments) {
    while (i < track.times.length && track.times[i]! <= seg.from) level += track.deltas[i++]!;
    let joules = 0;
    let t = seg.from;
    while (i < track.times.length && track.times[i]! < seg.to) {
      joules += (level * (track.times[i]! - t)) / 1000;
      t = track.times[i]!;
      level += track.deltas[i++]!;
    }
    joules += (level * (seg.to - t)) / 1000;
    out.push(joules / 3_600_000);
  }
  return out;
}

/**
 * Moves a share of run starts and ends into the same second as another device's start or end (a
 * scene, an automation switching several things), keeping each run's length and its gaps.
 */
function moveTogether(runs: Map<string, Run[]>, share: number, rng: Random, from: number, until: number): void {
  if (share <= 0) return;
  const ids = [...runs.keys()];
  for (const id of ids) {
    const own = runs.get(id)!;
    for (let i = 0; i < own.length; i += 1) {
      for (const edge of ["start", "end"] as const) {
        if (!rng.chance(share)) continue;
        const run = own[i]!;
        const at = run[edge];
        const others = ids
          .filter((o) => o !== id)
          .flatMap((o) => runs.get(o)!.flatMap((r) => [r.start, r.end]))
          .filter((x) => Math.abs(x - at) <= 3 * HOUR)
          .sort((a, b) => Math.abs(a - at) - Math.abs(b - at));
        for (const target of others) {
          const shift = target + Math.round(rng.uniform(0, 900)) - at;
          const moved = { start: run.start + shift, end: run.end + shift };
          const okBefore = i === 0 ? moved.start >= from : moved.start >= own[i - 1]!.end + MIN_GAP_MS;
          const okAfter = i + 1 >= own.length ? moved.end < until : moved.end <= own[i + 1]!.start - MIN_GAP_MS;
          if (okBefore && okAfter) {
            own[i] = moved;
            break;
          }
        }
      }
    }
  }
}

/** Share of events within one second of another entity's event. */
function togetherShare(events: readonly StateEvent[]): number {
  let together = 0;
  for (let i = 0; i < events.length; i += 1) {
    const e = events[i]!;
    const near = (j: number) => j >= 0 && j < events.length && Math.abs(events[j]!.t - e.t) < 1000 && events[j]!.entityId !== e.entityId;
    let found = false;
    for (let j = i - 1; j >= 0 && e.t - events[j]!.t < 1000 && !found; j -= 1) found = near(j);
    for (let j = i + 1; j < events.length && events[j]!.t - e.t < 1000 && !found; j += 1) found = near(j);
    if (found) together += 1;
  }
  return together / Math.max(1, events.length);
}

