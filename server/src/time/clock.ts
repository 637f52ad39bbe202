/**
 * The one clock of the backend. The scheduler, token lifetimes, the sync planner and the
 * simulators all read it, so a test can run days in seconds (`--now` on the CLI).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time (or at once when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** A clock that only moves when told to; sleeps resolve as soon as the clock passes their deadline. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
    this.wake();
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      // Woken or aborted, the sleeper leaves both the list and the signal (a long run sleeps thousands of times on one signal).
      const sleeper = {
        until: this.current + ms,
        resolve: () => {
          signal?.removeEventListener("abort", abort);
          resolve();
        },
      };
      const abort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        sleeper.resolve();
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  private wake(): void {
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.resolve();
  }
}

/** A clock fixed at a start instant that then runs at real speed (what `--now` gives the CLI). */
export function offsetClock(startMs: number, base: Clock = systemClock): Clock {
  const offset = startMs - base.now();
  return { now: () => base.now() + offset, sleep: (ms, signal) => base.sleep(ms, signal) };
}
