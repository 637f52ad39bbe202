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
/** ...and the learned power must stand this many step deviations clear of zero for that to mean anything. */
const CLEAR_OF_NOISE = 6;

/** One accepted step of a run's edge (W, signed so that the device's power is positive), and the readings' local noise there (W). */
export interface EdgeStep {
  stepW: number;
  noiseW: number;
}

/** A step tells "no load" only where the learned power is at least this many times the readings' local noise. */
const TELLING_NOISE_MULTIPLE = 2;

/**
 * True when the run's accepted steps (its on and off events' signed steps, at the learned lags)
 * all say "no load" (near zero), and the learned power is large enough against the steps' spread
 * for a real run to have shown it. A step taken where the readings are noisier than that (a 60 W
 * light switched while an EV charger's 7 kW held 1 % noise) says nothing either way.
 */
export function isGhostRun(steps: readonly EdgeStep[], powerW: number, stepSpreadW: number): boolean {
  if (powerW <= CLEAR_OF_NOISE * stepSpreadW) return false;
  const telling = steps.filter((s) => powerW > TELLING_NOISE_MULTIPLE * s.noiseW);
  return telling.length > 0 && telling.every((s) => Math.abs(s.stepW) < GHOST_SHARE * powerW);
}
