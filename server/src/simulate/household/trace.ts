/**
 * The true power of the household: a per-second base load plus every appliance's level changes,
 * exact to the millisecond. Each appliance records its own levels, so its true energy is exact too.
 */

/** One appliance's power over time, as level changes in time order. */
export class ApplianceTrack {
  private level = 0;
  private lastT = 0;
  private joules = 0;
  readonly times: number[] = [];
  readonly deltas: number[] = [];

  /** Sets the power from time `t` (ms, not before the previous change) on. */
  set(t: number, watts: number): void {
    if (t < this.lastT) throw new Error(`level change at ${t} before ${this.lastT}`);
    this.joules += (this.level * (t - this.lastT)) / 1000;
    this.lastT = t;
    if (watts === this.level) return;
    this.times.push(t);
    this.deltas.push(watts - this.level);
    this.level = watts;
  }

  get energyKwh(): number {
    return this.joules / 3_600_000;
  }

  get currentW(): number {
    return this.level;
  }
}

/** Everything needed to evaluate the household's true power at any time, moving forward. */
export interface PowerTrace {
  start: number;
  /** Base load per second from `start`. */
  baseW: Float32Array;
  /** All appliances' level changes merged in time order. */
  changeTimes: Float64Array;
  changeWatts: Float64Array;
}

export function mergeTracks(start: number, baseW: Float32Array, tracks: readonly ApplianceTrack[]): PowerTrace {
  const n = tracks.reduce((s, tr) => s + tr.times.length, 0);
  const times = new Float64Array(n);
  const watts = new Float64Array(n);
  let k = 0;
  for (const tr of tracks) {
    for (let i = 0; i < tr.times.length; i += 1, k += 1) {
      times[k] = tr.times[i]!;
      watts[k] = tr.deltas[i]!;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]!);
  return { start, baseW, changeTimes: Float64Array.from(order, (i) => times[i]!), changeWatts: Float64Array.from(order, (i) => watts[i]!) };
}

/** Reads the true power at non-decreasing times in O(1) amortised. */
export class TraceCursor {
  private next = 0;
  private appliancesW = 0;

  constructor(private readonly trace: PowerTrace) {}

  powerAt(t: number): number {
    const { changeTimes, changeWatts, baseW, start } = this.trace;
    while (this.next < changeTimes.length && changeTimes[this.next]! <= t) {
      this.appliancesW += changeWatts[this.next]!;
      this.next += 1;
    }
    const second = Math.min(baseW.length - 1, Math.max(0, Math.floor((t - start) / 1000)));
    return baseW[second]! + this.appliancesW;
  }
}
