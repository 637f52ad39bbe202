/**
 * When a OneMeter device is polled: on the clock's 1-, 5- or 15-minute marks, never less than 60 s
 * after the previous poll, and after a failure at growing intervals (the HTTP client does not
 * retry OneMeter requests itself: with no published rate limit, the next poll is the retry). A
 * rejected key or unknown device (401/404) and a rate limit (429) each log one error and then wait,
 * instead of asking again every interval; a repeated failure is logged at debug level only.
 */
import type { Logger } from "pino";
import type { ProviderErrorKind } from "../providers/errors.js";
import { ONEMETER_MIN_POLL_MS } from "../providers/onemeter/constants.js";
import type { Clock } from "../time/clock.js";
import type { OneMeterPollResult } from "./onemeter-job.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long to wait after `failures` consecutive failures of a kind before polling again. */
export function oneMeterBackoffMs(failures: number, kind: ProviderErrorKind | undefined, intervalMs: number): number {
  if (failures <= 0) return 0;
  const grow = (base: number, cap: number): number => Math.min(cap, base * 2 ** (failures - 1));
  if (kind === "auth" || kind === "not_found" || kind === "forbidden" || kind === "client") return grow(HOUR, 24 * HOUR);
  if (kind === "rate_limited") return grow(Math.max(15 * MINUTE, intervalMs), 6 * HOUR);
  return grow(intervalMs, HOUR);
}

/**
 * The next poll: the first multiple of `intervalMs` (counted from the epoch, so on the clock's
 * minute marks) strictly after now, at least 60 s after the last poll and after any backoff.
 */
export function nextOneMeterPollAt(nowMs: number, intervalMs: number, lastPollMs: number | undefined, backoffMs = 0): number {
  const interval = Math.max(ONEMETER_MIN_POLL_MS, intervalMs);
  let earliest = Math.max(nowMs + 1, nowMs + backoffMs);
  if (lastPollMs !== undefined) earliest = Math.max(earliest, lastPollMs + ONEMETER_MIN_POLL_MS);
  return Math.ceil(earliest / interval) * interval;
}

/** What `sync --once` and `backfill` add to a poll. */
export interface OneMeterPollExtra {
  onRequest?: (done: number, planned: number, what: string) => void;
  backfillFromMs?: number;
}

export interface OneMeterPollerDeps {
  deviceId: string;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  /** One poll (fetch and store). */
  poll: (extra: OneMeterPollExtra) => Promise<OneMeterPollResult>;
  /** After a poll that stored readings (publish them). */
  afterPoll?: (result: OneMeterPollResult) => Promise<void>;
  /** Told before each wait (tests drive a ManualClock with it). */
  onSleep?: (untilMs: number) => void;
}

export class OneMeterPoller {
  private chain: Promise<unknown> = Promise.resolve();
  private lastPollAt: number | undefined;
  private failures = 0;
  private lastKind: ProviderErrorKind | undefined;
  private lastLogged: string | undefined;
  private nextAt: number | undefined;
  /** Readings stored that HA has not confirmed yet (a publish failed or has not run). */
  private unpublished = false;

  constructor(private readonly deps: OneMeterPollerDeps) {}

  /** When the loop polls next (undefined when it is not running). */
  nextPollAt(): number | undefined {
    return this.nextAt;
  }

  /** One poll now; polls never overlap (the loop and `sync --once`/`sync/run`). Without `publish`, the caller publishes. */
  pollOnce(publish = true, extra: OneMeterPollExtra = {}): Promise<OneMeterPollResult> {
    const next = this.chain.then(() => this.doPoll(publish, extra));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** True while `run` is polling on its schedule. */
  running = false;

  /** Polls at once, then on the clock's marks, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.deps;
    this.running = true;
    while (!signal.aborted) {
      const backoff = oneMeterBackoffMs(this.failures, this.lastKind, this.deps.intervalMs);
      this.nextAt = this.lastPollAt === undefined ? clock.now() : nextOneMeterPollAt(clock.now(), this.deps.intervalMs, this.lastPollAt, backoff);
      const wait = this.nextAt - clock.now();
      if (wait > 0) {
        this.deps.onSleep?.(this.nextAt);
        await clock.sleep(wait, signal);
        if (signal.aborted) break;
      }
      try {
        await this.pollOnce();
      } catch (err) {
        // A poll reports provider failures in its result; anything else (the store closing under it) must not end the loop unseen.
        this.deps.log.error({ provider: "onemeter", device: this.deps.deviceId, err: err instanceof Error ? err.message : String(err) }, "OneMeter poll crashed");
        this.failures += 1;
      }
    }
    this.nextAt = undefined;
    this.running = false;
  }

  private async doPoll(publish: boolean, extra: OneMeterPollExtra): Promise<OneMeterPollResult> {
    const { clock, log, deviceId } = this.deps;
    this.lastPollAt = clock.now();
    const result = await this.deps.poll(extra);
    if (result.ok) {
      if (this.failures > 0) log.info({ provider: "onemeter", device: deviceId }, "OneMeter polls work again");
      this.failures = 0;
      this.lastKind = undefined;
      this.lastLogged = undefined;
    } else {
      this.failures += 1;
      this.lastKind = result.errorKind;
      const backoff = oneMeterBackoffMs(this.failures, result.errorKind, this.deps.intervalMs);
      const fields = { provider: "onemeter", device: deviceId, err: result.error, failures: this.failures, retryInS: Math.round(backoff / 1000) };
      if (result.error !== this.lastLogged) log.error(fields, "OneMeter poll failed; polling again later");
      else log.debug(fields, "OneMeter poll failed again");
      this.lastLogged = result.error;
    }
    if (result.changedFrom !== undefined) this.unpublished = true;
    if (publish && this.unpublished && this.deps.afterPoll) {
      try {
        await this.deps.afterPoll(result);
        this.unpublished = false;
      } catch (err) {
        log.error({ provider: "onemeter", device: deviceId, err: err instanceof Error ? err.message : String(err) }, "publishing OneMeter statistics failed; retried after the next poll");
      }
    }
    return result;
  }
}
