/**
 * Ghost runs: Home Assistant showed the entity on, but its steps show no load following it (a
 * smart plug toggled with nothing plugged in, a state restored after a restart). Their time is not
 * counted as on-time, or the energy would be overstated by the whole run.
 */

/**
 * A ghost's accepted steps are all within this share of the learned power of zero (either way: a
 * step of -60 W for a 60 W light whose switch-on a fridge's switch-off followed says that something
 * else moved, not that nothing did; counted as a ghost, it took real runs out of the on-time)...
 */
const GHOST_SHARE = 0.5;
/**
 * ...or within this share, when only one of the run's steps tells (the other not accepted, or taken where the readings
 * were too noisy to show the device): one step under half the power is often another load moving beside a real
 * switching. Over 160 households of the harder bench, which have no ghost runs at all, runs were dropped as ghosts 551
 * times over five sensor kinds (kitchen lights 214, kettles 95, PCs 94, TVs 63); with this, the energy error RMS went
 * 4.08 -> 4.03 % at 1 s, 4.78 -> 4.70 at 10 s, 5.28 -> 5.26 on change, 5.39 -> 5.31 at 30 s and 6.48 -> 6.42 at 60 s
 * (89 devices' errors down by over 3 points, 10 up: PCs whose lost runs had offset a power too high), misses 93 -> 90.
 * On the synthetic household, 2 % of whose runs are ghosts, seeds 101, 2024 and 5: energy figures within a few tenths
 * either way (the 60 s median on seed 2024 0.95 -> 1.18 %, the scenes' P90 on seed 5 5.13 -> 3.84 %). Asking both steps
 * instead did better on the first (4.02 % at 1 s, 4.63 at 10 s) but missed true ghosts on the second: energy P90 at
 * 10 s 3.24 -> 4.54 %, at 60 s 6.09 -> 7.63 %, on change 5.04 -> 7.36 % (seed 2024).
 */
const LONE_STEP_GHOST_SHARE = 0.2;
/** ...and the learned power must stand this many step deviations clear of zero for that to mean anything. */
const CLEAR_OF_NOISE = 6;

/** One accepted step of a run's edge (W, signed so that the device's power is positive), and the readings' local noise there (W). */
export interface EdgeStep {
  stepW: number;
  noiseW: number;
  /** An on-change sensor reported nothing from before the switching to the end of the window after (`LagMeasurement.silentAfter`). */
  silent?: boolean;
}

/** A step tells "no load" only where the learned power is at least this many times the readings' local noise. */
const TELLING_NOISE_MULTIPLE = 2;

/**
 * True when the run's accepted steps (its on and off events' signed steps, at the learned lags)
 * all say "no load" (near zero; nearer when one step alone tells), and the learned power is large enough against the steps' spread
 * for a real run to have shown it. A step taken where the readings are noisier than that (a 60 W
 * light switched while an EV charger's 7 kW held 1 % noise) says nothing either way.
 */
export function isGhostRun(steps: readonly EdgeStep[], powerW: number, stepSpreadW: number): boolean {
  if (powerW <= CLEAR_OF_NOISE * stepSpreadW) return false;
  const telling = steps.filter((s) => powerW > TELLING_NOISE_MULTIPLE * s.noiseW);
  // An on-change sensor's silence is what a ghost shows, but also what a real switching shows when its report was lost
  // (dropped, or the meter offline for a while): one silent step alone proves nothing. The harder bench has no ghost
  // runs, yet its 160 households' on-change sensors dropped 78 (kettles 29, kitchen lights 27, PCs 14), most on one
  // silent step; 28 with this (energy RMS on change 5.26 -> 5.23 %, every on-change energy figure of the nine seeds equal
  // or better). The synthetic household's true ghosts, on change at 5 W, energy P90: seed 101 5.85 -> 4.95 %, 2024
  // 5.04 -> 5.13 %, 5 5.97 -> 6.06 %.
  if (telling.length === 1 && telling[0]!.silent) return false;
  const share = telling.length > 1 ? GHOST_SHARE : LONE_STEP_GHOST_SHARE;
  return telling.length > 0 && telling.every((s) => Math.abs(s.stepW) < share * powerW);
}
