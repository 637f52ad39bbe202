/**
 * The backend API's messages, shared with the card (`import type` only: this module has no values,
 * so nothing of the server reaches the browser bundle).
 *
 * The conversation follows Home Assistant's own websocket API:
 * 1. the server sends `auth_required`;
 * 2. the client's first message is `{type: "auth", access_token}` with the user's HA access token
 *    (in the card: `hass.auth.data.access_token`, refreshed by the frontend);
 * 3. the server answers `auth_ok` (with the user and versions) or `auth_invalid` and closes;
 * 4. then every command is `{id, type, ...fields}`, `id` a positive integer larger than every id
 *    the connection used before, answered by exactly one `result` with the same id;
 * 5. `subscribe_updates` is answered by a `result` and then by `event` messages carrying its id,
 *    until `unsubscribe` with `subscription: <that id>`.
 *
 * Field names are snake_case like HA's; times are ISO 8601 strings in UTC; power in W, energy in kWh.
 */

// ---- client → server ---------------------------------------------------------------------------

export interface AuthMessage {
  type: "auth";
  access_token: string;
}

/** Answered `"pong"` (a keep-alive the card may send). */
export interface PingCommand {
  id: number;
  type: "ping";
}

/** Sync health per provider and series, versions. Any HA user. */
export interface StatusCommand {
  id: number;
  type: "status";
}

/** Recent device events with their measured power step, oldest first. Any HA user. */
export interface CorrelationsListCommand {
  id: number;
  type: "correlations/list";
  /** Only this entity's events. */
  entity_id?: string;
  /** Only events at or after this time (ISO 8601). */
  since?: string;
  /** At most this many, the most recent (1..1000, default 200). */
  limit?: number;
}

/** Learned power, confidence, energy and cost per device state. Any HA user. */
export interface DevicesListCommand {
  id: number;
  type: "devices/list";
}

/** The stored carbon-intensity forecast of each provider that has one, by hour. Any HA user. */
export interface CarbonForecastCommand {
  id: number;
  type: "carbon/forecast";
}

/** Runs one sync of every provider and publishes to HA now; answers when it is done. HA admins only. */
export interface SyncRunCommand {
  id: number;
  type: "sync/run";
}

/** Live updates: `event` messages with this command's id. Any HA user. */
export interface SubscribeUpdatesCommand {
  id: number;
  type: "subscribe_updates";
}

export interface UnsubscribeCommand {
  id: number;
  type: "unsubscribe";
  /** The id of the `subscribe_updates` command. */
  subscription: number;
}

export type ApiCommand =
  | PingCommand
  | StatusCommand
  | CorrelationsListCommand
  | DevicesListCommand
  | CarbonForecastCommand
  | SyncRunCommand
  | SubscribeUpdatesCommand
  | UnsubscribeCommand;

export type ApiCommandType = ApiCommand["type"];

export type ClientMessage = AuthMessage | ApiCommand;

// ---- server → client ---------------------------------------------------------------------------

export interface AuthRequiredMessage {
  type: "auth_required";
  backend_version: string;
}

export interface ApiUserInfo {
  id: string;
  name: string;
  is_admin: boolean;
}

export interface AuthOkMessage {
  type: "auth_ok";
  backend_version: string;
  /** The HA version last seen by the backend, null before it has reached HA. */
  ha_version: string | null;
  user: ApiUserInfo;
}

/**
 * Sent, then the connection is closed. `code`: `invalid_token` (HA refused the token: log in again),
 * `ha_unavailable` (the backend could not ask HA: try again later), `timeout` (no auth message in time),
 * `invalid_format` (the first message was not an auth message).
 */
export interface AuthInvalidMessage {
  type: "auth_invalid";
  code: AuthInvalidCode;
  message: string;
}

export type AuthInvalidCode = "invalid_token" | "ha_unavailable" | "timeout" | "invalid_format";

/**
 * `invalid_format`: not JSON, not an object, a missing or wrong field (the message names it);
 * `id_reuse`: the id is not larger than an earlier one; `unknown_command`: no such `type`;
 * `unauthorized`: the command needs an HA administrator; `not_found`: no such subscription;
 * `too_many_subscriptions`; `message_too_large` (the connection is then closed);
 * `rate_limited`: too many messages, slow down (repeated flooding closes the connection);
 * `internal_error`: the backend failed; the message says what, the connection stays open.
 */
export type ApiErrorCode =
  | "invalid_format"
  | "id_reuse"
  | "unknown_command"
  | "unauthorized"
  | "not_found"
  | "too_many_subscriptions"
  | "message_too_large"
  | "rate_limited"
  | "internal_error";

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export interface SuccessResultMessage<T = unknown> {
  id: number;
  type: "result";
  success: true;
  result: T;
}

export interface ErrorResultMessage {
  /** null when the message's id could not be read (not JSON, no valid id). */
  id: number | null;
  type: "result";
  success: false;
  error: ApiError;
}

export type ResultMessage<T = unknown> = SuccessResultMessage<T> | ErrorResultMessage;

export interface EventMessage {
  /** The id of the `subscribe_updates` command. */
  id: number;
  type: "event";
  event: UpdateEvent;
}

export type ServerMessage = AuthRequiredMessage | AuthOkMessage | AuthInvalidMessage | ResultMessage | EventMessage;

/** What each command's successful `result` holds. */
export interface CommandResults {
  ping: "pong";
  status: StatusResult;
  "correlations/list": CorrelationView[];
  "devices/list": DeviceView[];
  "carbon/forecast": CarbonForecastView[];
  "sync/run": SyncRunResult;
  subscribe_updates: null;
  unsubscribe: null;
}

// ---- results -----------------------------------------------------------------------------------

export interface StatusResult {
  backend_version: string;
  /** The HA version last seen by the backend, null before it has reached HA. */
  ha_version: string | null;
  /** When the backend answered. */
  now: string;
  /** When the next scheduled check of the providers is due (5 minutes after a failed check, doubling up to the check interval). */
  next_check: string | null;
  /** How the last check ended (absent before the first): a failed one is retried at `next_check`. */
  last_check?: LastCheckStatus;
  /** True while a sync started by `sync/run` is running. */
  sync_running: boolean;
  providers: ProviderStatus[];
  correlation: CorrelationStatus;
  /** Each configured OneMeter device: its own diagnostics and monthly usage (absent when OneMeter is not configured). */
  onemeter?: OneMeterDeviceStatus[];
  /** Each Contact account's bill, as its accounts answer last said, with the current period's projection (absent when Contact is not configured; empty before the first read). */
  bills?: BillStatus[];
}

/**
 * One provider account's bill. Amounts are in `currency`, dates are local calendar days
 * (YYYY-MM-DD) in the provider's zone; null where the provider's answer did not say.
 */
export interface BillStatus {
  /** e.g. "contact". */
  provider: string;
  /** The provider's account number. */
  account: string;
  nickname: string | null;
  currency: string;
  /** The account's contracts this backend imports (the bill's projection covers these), each with its plan. */
  contracts: BillContractStatus[];
  /** What the account owes now (Contact's accountBalance.currentBalance). */
  balance: number | null;
  /** The last invoice: its amount, what was paid of it, and its payment due date. */
  amount_due: number | null;
  amount_paid: number | null;
  payment_due: string | null;
  /** The next bill date as the provider gave it. */
  next_bill: string | null;
  /** When the account was last read from the provider. */
  read_at: string;
  /** The period today falls in, null without a next bill date. */
  period: BillPeriodStatus | null;
}

export interface BillContractStatus {
  /** The ICP for Contact: the `<account>` part of the statistic ids. */
  icp: string;
  contract_id: string;
  /** The plan (Contact's product name, e.g. "Good Nights"). */
  plan: string | null;
}

/** The current bill period so far and projected (server/src/bill/projection.ts has the definitions). */
export interface BillPeriodStatus {
  /** First day of the period (the last bill date) and the next bill date (exclusive end). */
  start: string;
  end: string;
  /** True when `start` is one billing step before `end` rather than a bill date the backend saw go by. */
  start_derived: boolean;
  days: number;
  days_to_next_bill: number;
  /** The last day of the period with complete data from the provider (null when none yet): "so far" runs to it. */
  data_until: string | null;
  days_with_data: number;
  /** Usage cost of the days with data. */
  usage_so_far: number;
  /** Usage so far plus the daily fixed charge for every day up to `data_until`. */
  so_far: number;
  /** Usage cost per day over the most recent days with data; null without any. */
  daily_average: number | null;
  /** The whole period: usage so far, the average for each day without data, the daily charge for every day; null without an average. */
  projected: number | null;
  /** The configured daily fixed charge, all of the account's imported contracts together. */
  daily_fixed_charge: number;
}

export interface LastCheckStatus {
  finished_at: string;
  ok: boolean;
  /** Checks in a row that ended with an error. */
  failures_in_a_row: number;
  /** The first error of the last check, when it had one. */
  error: string | null;
}

/** A OneMeter reader as it reported itself at the last successful poll (nulls before the first one, or where the device does not say). */
export interface OneMeterDeviceStatus {
  device_id: string;
  name: string | null;
  /** The reader's serial number (SN). */
  serial: string | null;
  /** The meter's own serial (OBIS C.1.0). */
  meter_serial: string | null;
  firmware: string | null;
  hardware: string | null;
  /** "ok", "disabled" (in OneMeter's cloud), "meter_error" (the meter's error register is not 0), or "unknown" before the first poll. */
  status: "ok" | "disabled" | "meter_error" | "unknown";
  battery_voltage: number | null;
  battery_percent: number | null;
  /** The meter's error register (OBIS F.F.0) as reported, "0" when none. */
  meter_errors: string | null;
  /** Readouts the reader failed (S.1.1.7). */
  failed_readouts: number | null;
  /** Time of the newest reading in OneMeter's cloud. */
  last_reading: string | null;
  /** Instantaneous power in kW (16.7.0, else 1.7.0 − 2.7.0), with the multiplier applied. */
  power_kw: number | null;
  tariff: string | null;
  usage_this_month_kwh: number | null;
  usage_previous_month_kwh: number | null;
  /** When the device was last read successfully, and when it is read next. */
  last_poll: string | null;
  next_poll: string | null;
}

export interface ProviderStatus {
  /** e.g. "contact". */
  provider: string;
  /** True when no series of the provider has a failure since its last success. */
  healthy: boolean;
  series: SeriesStatus[];
  /** Carbon-intensity providers (watttime, electricity_maps) only. */
  health?: ProviderHealth;
}

/** How a carbon-intensity provider is doing since the backend started. */
export interface ProviderHealth {
  /** WattTime region or Electricity Maps zone, null until found. */
  region: string | null;
  /** "intensity" (gCO2eq/kWh) or "percentile" (WattTime's signal-index, when the plan has no values for the region). */
  signal: "intensity" | "percentile" | null;
  /** What the plan gives, in words. */
  plan_scope: string | null;
  forecast: boolean;
  last_success: string | null;
  consecutive_failures: number;
  /** Successful reads / reads since start (null before the first). */
  success_rate: number | null;
  /** Logins that replaced a token (WattTime). */
  token_refreshes: number;
  last_error: string | null;
  /** The provider could not start for a reason to fix in its settings; it waits for a restart. */
  stopped: boolean;
}

/** One (account or contract, resolution) of a provider. */
export interface SeriesStatus {
  /** The contract (ICP for Contact), or the login for `accounts`. */
  account: string;
  /** "hour", "day", "month", or "accounts" for the login itself. */
  resolution: string;
  /** First and last local day fetched (YYYY-MM-DD), null before the first success. */
  covered_from: string | null;
  covered_to: string | null;
  last_success: string | null;
  last_attempt: string | null;
  /** Failures since the last success. */
  consecutive_failures: number;
  /** The last failure's message while failing, else null. */
  last_error: string | null;
}

export interface CorrelationStatus {
  /** False when device learning is off in this backend (devices/list is then empty). */
  enabled: boolean;
  /** True while power and device events are being recorded from HA. */
  running: boolean;
  /** The HA whole-home power sensor learned from; null until one is found, or when the power comes from outside HA. */
  whole_home_sensor: string | null;
  /** The whole-home power learned from: HA's sensor, or an external source such as `onemeter:<device id>`; null when there is none. */
  whole_home_source: WholeHomeSourceView | null;
  /** Entities whose state changes are followed. */
  tracked_entities: number;
  /** Power and events are complete up to here, null before the first recording. */
  recorded_until: string | null;
  /** Device states with a learned (published) power. */
  devices: number;
  /** What stops or limits learning, in words (e.g. no whole-home power sensor found). */
  problems: string[];
}

export interface WholeHomeSourceView {
  kind: "home_assistant" | "external";
  /** The entity id, or the external source's id (`onemeter:<device id>`). */
  id: string;
  name: string;
}

/** One state change of a device with the power step measured around it. */
export interface CorrelationView {
  time: string;
  entity_id: string;
  from: string;
  to: string;
  /** "on", "off", "change" (between two power states) or "none". */
  kind: "on" | "off" | "change" | "none";
  /** The power state this event teaches about. */
  state: string;
  /** Power after minus power before, W (negative when switching off); null when not measurable. */
  step_w: number | null;
  before_w: number | null;
  after_w: number | null;
  lag_s: number;
  /** Whether the step counts towards the learned power. */
  accepted: boolean;
  /** Why not: ambiguous, noisy, short-window, no-data, no-power-state, pending. */
  reason: string | null;
  /** For `ambiguous`: the other entity that changed inside the windows. */
  conflict_with: string | null;
}

/** Learned power and energy of one device in one power state. */
export interface DeviceView {
  entity_id: string;
  state: string;
  /** learning: not enough evidence yet; estimated; confident. */
  status: "learning" | "estimated" | "confident";
  /** Learned power, W; null while learning. */
  power_w: number | null;
  standard_error_w: number | null;
  /** 0..1. */
  confidence: number;
  /** Events learned from. */
  events: number;
  /** Events seen, learned from or not. */
  seen_events: number;
  on_time_h: number;
  /** on-time × power, kWh; null while learning. */
  energy_kwh: number | null;
  /** energy × price; null while learning or without a price. */
  cost: number | null;
  /** Currency of `cost` (ISO 4217), null when unknown. */
  currency: string | null;
  /** Days of recording that `energy_kwh` and `cost` are totals over (so per day = total / period_days); null when unknown. */
  period_days: number | null;
  /** The attribute level of this row (`brightness 50 %`, `heating`), or null for the state as a whole. (Absent from older backends.) */
  level?: string | null;
  /** `steps`: the step at the switching edges × on-time; `while-on`: what the device used while on, `power_w` its mean; `switch-offs`: a device switched on at one level and off at any (a PC's idle and bursts), its mean from the levels it was switched off at weighed against its runs, or from its runs where the switch-offs could not say it. */
  energy_from?: "steps" | "while-on" | "switch-offs";
  /** The learned step at the switching edges, W. */
  step_w?: number | null;
  /** `while-on`: a run's mean power, 10th to 90th percentile; `steps`: ± two standard errors. W. */
  range_w?: { low: number; high: number } | null;
  /** Levels the device stands at for a good part of a run, highest first. */
  phases?: { power_w: number; minutes_per_run: number }[];
  /** Median energy of one run (a washing cycle), kWh. */
  kwh_per_run?: number | null;
  /** False when the energy cannot be attributed reliably: not published as statistics. */
  published?: boolean;
}

/** One provider's latest forecast (only intensity in gCO2eq/kWh: a percentile plan has no forecast). */
export interface CarbonForecastView {
  /** "watttime" or "electricity_maps". */
  provider: string;
  /** WattTime region or Electricity Maps zone. */
  region: string;
  /** The intensity statistic in HA these hours continue. */
  statistic_id: string;
  unit: "gCO2eq/kWh";
  /** When the backend fetched this forecast. */
  fetched_at: string;
  /** Hourly means of the forecast's points, oldest first. */
  hours: { start: string; intensity: number }[];
}

export interface SyncRunResult {
  started_at: string;
  finished_at: string;
  ok: boolean;
  errors: string[];
  /** Statistics brought in line with HA, and how many rows were sent for each. */
  published: { statistic_id: string; rows: number }[];
}

// ---- events ------------------------------------------------------------------------------------

/**
 * `sync_finished`: a sync started by `sync/run` ended (with its result and the new status);
 * `status_changed`: the sync status changed (a scheduled check ran, a series failed or recovered);
 * `correlations_updated`: learned profiles changed: fetch `devices/list` / `correlations/list` again.
 */
export type UpdateEvent =
  | { type: "sync_finished"; sync: SyncRunResult; status: StatusResult }
  | { type: "status_changed"; status: StatusResult }
  | { type: "correlations_updated"; at: string; devices: number };
