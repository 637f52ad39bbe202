/**
 * What the service runs: one Source per provider (and the device learner). A check asks each source
 * to fetch what is missing into the store, then to bring Home Assistant's statistics in line; a
 * source with a schedule of its own (OneMeter's polls, carbon's hourly reads, the power collector)
 * also runs that while the service runs.
 */
import type { Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";
import type { CarbonHealth } from "./carbon-job.js";
import type { OneMeterDiagnostics } from "./onemeter-job.js";

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
  /** What the source did, in its own terms (Contact's logins and requests, a OneMeter poll): read back with the source's own reader. */
  detail?: unknown;
}

/** One source's fetch at a check: plain data (a summary is printed as JSON), never the source itself. */
export interface Fetched {
  /** The source's `name` and `provider`. */
  name: string;
  provider: string;
  outcome: FetchOutcome;
}

/** How a source is doing, for `status`: what every source says, then what only some can. */
export interface SourceHealth {
  /** The source's `name`. */
  name: string;
  /** Its provider's id, as in statistic ids and the API's `providers`: "contact", "onemeter", "watttime", "devices", … */
  provider: string;
  /** False while its last attempt failed, or while it waits for something the user must fix. */
  healthy: boolean;
  /** Epoch ms of its last success; null before the first. */
  lastSuccess: number | null;
  /** Why its last attempt failed; null after a success. */
  lastError: string | null;
  /** Carbon providers: region or zone, plan and success rate of each. */
  carbon?: CarbonHealth[];
  /** A OneMeter device: its diagnostics as of its last successful poll, and its next poll. */
  oneMeter?: { deviceId: string; diagnostics: OneMeterDiagnostics | undefined; nextPollAt: number | undefined };
}

export interface Source {
  /** For messages and logs: "Contact Energy", "OneMeter device 4a1…". */
  readonly name: string;
  /** Its provider's id, as in statistic ids: "contact", "onemeter", "carbon" (WattTime and Electricity Maps), "devices". */
  readonly provider: string;
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
  /**
   * Runs the source's own schedule until `signal` aborts. Work that must not overlap a check (a
   * fetch and publish) goes through `exclusive`, which queues it behind the check in progress.
   */
  run?(signal: AbortSignal, exclusive: <T>(work: () => Promise<T>) => Promise<T>): Promise<void>;
  /** How it is doing, for `status`. */
  health(): SourceHealth;
}
