/**
 * What the service runs: one Source per provider (and the device learner). A check asks each source
 * to fetch what is missing into the store, then to bring Home Assistant's statistics in line; a
 * source with a schedule of its own (OneMeter's polls, carbon's hourly reads, the power collector)
 * also runs that while the service runs.
 */
import type { Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";

export interface CheckOptions {
  /** Fetch history back to this local day (`backfill --from`). */
  backfillFrom?: string;
  /** Called before each provider request: how many are done, how many are planned, and what is next. */
  onRequest?: (done: number, planned: number, what: string) => void;
}

/** What a source's fetch did at a check: its failures, as messages for the user, and what it published itself, if anything. */
export interface FetchOutcome {
  errors: string[];
  published?: PublishResult[];
}

export interface Source {
  /** For messages and logs: "Contact Energy", "OneMeter device 4a1…". */
  readonly name: string;
  /**
   * Whether the check interval is this source's schedule: its failures bring the next check
   * forward (on a backoff) and its work is done before the check is recorded. A source with a
   * schedule of its own leaves the check alone.
   */
  readonly onCheckInterval: boolean;
  /** Fetches what is missing into the store. Never throws: a failure is an error message. */
  fetch?(opts: CheckOptions): Promise<FetchOutcome>;
  /** Publishes the store's readings as HA statistics; may throw (the service reports it and tries again at the next check). */
  publish?(conn: Connection): Promise<PublishResult[]>;
  /** Runs the source's own schedule until `signal` aborts. */
  run?(signal: AbortSignal): Promise<void>;
}
