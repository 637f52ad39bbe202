/**
 * How appliances draw power during one run, as level changes on their track. A run is the time
 * the appliance is switched on; the load itself starts and stops a relay delay later.
 */
import type { Random } from "./random.js";
import type { ApplianceTrack } from "./trace.js";

/** Draws power on `track` for a run from `on` to `off` (ms, when the relay acts). */
export type PowerShape = (track: ApplianceTrack, on: number, off: number, rng: Random) => void;

export function constant(watts: number): PowerShape {
  return (track, on, off) => {
    track.set(on, watts);
    track.set(off, 0);
  };
}

/** A motor or compressor: `factor` × the running power for `seconds` after starting. */
export function withInrush(watts: number, factor: number, seconds: number): PowerShape {
  return (track, on, off) => {
    track.set(on, watts * factor);
    track.set(Math.min(off, on + seconds * 1000), watts);
    track.set(off, 0);
  };
}

/** A level drawn once per run, as a TV's brightness and content make it differ from day to day. */
export function levelPerRun(meanW: number, spreadW: number): PowerShape {
  return (track, on, off, rng) => {
    track.set(on, meanW + rng.uniform(-spreadW, spreadW));
    track.set(off, 0);
  };
}

/** A computer: a level per run and noise around it every couple of seconds. */
export function noisyLevel(meanW: number, spreadW: number, noiseW: number, everyS = 2): PowerShape {
  return (track, on, off, rng) => {
    const level = meanW + rng.uniform(-spreadW, spreadW);
    for (let t = on; t < off; t += everyS * 1000) track.set(t, Math.max(0, level + rng.normal(0, noiseW)));
    track.set(off, 0);
  };
}

/**
 * A heat pump: nothing for `deadS` after the call for heat, a linear ramp over `rampS`, then a level
 * modulated within ±`modulationW` every few minutes; it stops at once.
 */
export function heatPump(watts: number, deadS: number, rampS: number, modulationW: number): PowerShape {
  return (track, on, off, rng) => {
    const rampStart = on + deadS * 1000;
    const steps = Math.max(1, Math.round(rampS / 2));
    for (let i = 1; i <= steps; i += 1) {
      const t = rampStart + (i - 1) * 2000;
      if (t >= off) break;
      track.set(t, (watts * i) / steps);
    }
    for (let t = rampStart + rampS * 1000 + rng.uniform(120, 600) * 1000; t < off; t += rng.uniform(180, 600) * 1000) {
      track.set(t, watts + rng.uniform(-modulationW, modulationW));
    }
    track.set(off, 0);
  };
}

/** A thermostat cycling a heating element on and off for the whole run (an oven). */
export function thermostat(watts: number, onS: number, offS: number, preheatS: number): PowerShape {
  return (track, on, off, rng) => {
    track.set(on, watts);
    let t = on + preheatS * 1000;
    while (t < off) {
      track.set(t, 0);
      t += offS * rng.uniform(0.8, 1.2) * 1000;
      if (t >= off) break;
      track.set(t, watts);
      t += onS * rng.uniform(0.8, 1.2) * 1000;
    }
    track.set(off, 0);
  };
}

/** A washing machine: heating, then a tumbling motor of varying power, then a spin. */
export function washer(): PowerShape {
  return (track, on, off, rng) => {
    const heatEnd = Math.min(off, on + 15 * 60_000);
    const spinStart = Math.max(heatEnd, off - 10 * 60_000);
    track.set(on, 2000);
    for (let t = heatEnd; t < spinStart; t += 20_000) track.set(t, Math.max(30, 250 + rng.uniform(-150, 150)));
    track.set(spinStart, 500);
    track.set(off, 0);
  };
}
