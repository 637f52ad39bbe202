/**
 * Whole-home power sensors as Home Assistant records them: periodic ones (every 1–60 s, with noise,
 * timing jitter and dropped readings) and report-on-change ones (a reading when the value moved by
 * a threshold, plus a heartbeat), read from the household's true power.
 */
import type { PowerSample } from "../../correlate/types.js";
import type { Household } from "./household.js";
import { Random } from "./random.js";
import { TraceCursor } from "./trace.js";

/** What every sensor model may add: noise proportional to the reading, and outages with no readings at all. */
export interface SensorFaults {
  /** Noise of a reading as a share of its value, on top of `noiseW` (root sum of squares). */
  noiseShare?: number;
  /** Outages per day on average (Poisson), each lasting a uniform `minS`–`maxS`. */
  outages?: { perDay: number; minS: number; maxS: number };
}

export type SensorModel = SensorFaults &
  (
  | { kind: "periodic"; intervalS: number; noiseW?: number; jitterS?: number; dropShare?: number }
  | {
      kind: "on-change";
      /** Reports when |value − last reported| ≥ max(minDeltaW, minDeltaShare × |last reported|). */
      minDeltaW: number;
      minDeltaShare?: number;
      heartbeatS?: number;
      noiseW?: number;
      dropShare?: number;
    }
  );

const NOISE_W = 3;
const JITTER_S = 0.2;
const DROP_SHARE = 0.01;
const HEARTBEAT_S = 300;
const ON_CHANGE_SHARE = 0.02;

export function sensorName(model: SensorModel): string {
  return model.kind === "periodic" ? `every ${model.intervalS} s` : `on change ≥${model.minDeltaW} W`;
}

export function readSensor(house: Household, model: SensorModel, seed: number): PowerSample[] {
  const rng = new Random(seed).fork(sensorName(model));
  const read = model.kind === "periodic" ? readPeriodic(house, model, rng) : readOnChange(house, model, rng);
  if (!model.outages) return read;
  const outages = outagesOf(house, model.outages, new Random(seed).fork(`outages ${sensorName(model)}`));
  let k = 0;
  return read.filter((s) => {
    while (k < outages.length && outages[k]!.to <= s.t) k += 1;
    return !(k < outages.length && outages[k]!.from <= s.t);
  });
}

/** The outage intervals [from, to) over the household's time, in time order. */
function outagesOf(house: Household, o: NonNullable<SensorFaults["outages"]>, rng: Random): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  if (o.perDay <= 0) return out;
  for (let t = house.start + rng.exponential(86_400_000 / o.perDay); t < house.end; t += rng.exponential(86_400_000 / o.perDay)) {
    const to = t + rng.uniform(o.minS, o.maxS) * 1000;
    out.push({ from: t, to });
    t = to;
  }
  return out;
}

/** A reading's noise: `noiseW`, and `noiseShare` of the value. */
function noiseOf(noiseW: number, share: number | undefined, w: number): number {
  return share ? Math.hypot(noiseW, share * w) : noiseW;
}

/** The standard deviation of the noise `model` adds to a reading whose true value is `trueW`. */
export function readingNoiseW(model: SensorModel, trueW: number): number {
  return noiseOf(model.noiseW ?? NOISE_W, model.noiseShare, trueW);
}

function readPeriodic(house: Household, model: Extract<SensorModel, { kind: "periodic" }>, rng: Random): PowerSample[] {
  const cursor = new TraceCursor(house.trace);
  const interval = model.intervalS * 1000;
  const jitter = (model.jitterS ?? JITTER_S) * 1000;
  const noise = model.noiseW ?? NOISE_W;
  const drop = model.dropShare ?? DROP_SHARE;
  const out: PowerSample[] = [];
  for (let tick = house.start + rng.uniform(jitter, interval); tick < house.end; tick += interval) {
    const t = Math.round(tick + rng.uniform(-jitter, jitter));
    const truth = cursor.powerAt(t);
    const w = truth + rng.normal(0, noiseOf(noise, model.noiseShare, truth));
    if (!rng.chance(drop)) out.push({ t, w: round1(w) });
  }
  return out;
}

/** The meter measures every second and reports when the value moved enough, or on its heartbeat. */
function readOnChange(house: Household, model: Extract<SensorModel, { kind: "on-change" }>, rng: Random): PowerSample[] {
  const cursor = new TraceCursor(house.trace);
  const noise = model.noiseW ?? NOISE_W;
  const drop = model.dropShare ?? DROP_SHARE;
  const share = model.minDeltaShare ?? ON_CHANGE_SHARE;
  const heartbeat = (model.heartbeatS ?? HEARTBEAT_S) * 1000;
  const out: PowerSample[] = [];
  let last = Number.NaN;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (let tick = house.start + Math.round(rng.uniform(0, 1000)); tick < house.end; tick += 1000) {
    const truth = cursor.powerAt(tick);
    const w = truth + rng.normal(0, noiseOf(noise, model.noiseShare, truth));
    const moved = !(Math.abs(w - last) < Math.max(model.minDeltaW, share * Math.abs(last)));
    if (!moved && tick - lastAt < heartbeat) continue;
    last = w;
    lastAt = tick;
    if (!rng.chance(drop)) out.push({ t: tick, w: round1(w) });
  }
  return out;
}

function round1(w: number): number {
  return Math.round(w * 10) / 10;
}
