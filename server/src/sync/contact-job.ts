import type { Logger } from "pino";
import type { ContactAccountFacts, ContactAccounts, ContactContract, ContactInterval, ContactUsage } from "../providers/contact/client.js";
import { ProviderError } from "../providers/errors.js";
import { PROVIDER, seriesKey } from "../statistics/ids.js";
import type { Resolution, SeriesReading, Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import * as z from "zod";
import { stateCell } from "../store/state.js";
import { billsToRefresh, recordBills, storedBills } from "./contact-bills.js";
import { holesInAnswer, planContract, updateLag, type ContractCoverage, type PeriodCoverage, type PlannerSettings, type UsageRequest } from "./planner.js";

/** The part of the Contact client a sync needs (the real client, or a test double). */
export interface ContactApi {
  contracts(): Promise<ContactContract[]>;
  /** The contracts and each account's bill facts, from the same requests as `contracts()`. */
  accountsOverview(): Promise<ContactAccounts>;
  /** One account's bill facts: one request. */
  accountFacts(accountId: string): Promise<ContactAccountFacts>;
  usage(c: ContactContract, interval: ContactInterval, fromDate: string, toDate: string): Promise<ContactUsage[]>;
}

export const CONTACT = PROVIDER.contact;
const CONTRACTS_MAX_AGE_MS = 30 * 86400_000;
const RESOLUTION: Record<ContactInterval, Resolution> = { hourly: "hour", daily: "day", monthly: "month" };

export interface SyncDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  settings: PlannerSettings;
  /** Called before each request: how many are done, how many are planned so far, and what is next. */
  onRequest?: (done: number, planned: number, what: string) => void;
}

export interface ContractSyncResult {
  icp: string;
  contractId: string;
  requests: { interval: ContactInterval; from: string; to: string; reason: string; records: number; error?: string }[];
  error?: string;
}

export interface LoginSyncResult {
  login: string;
  contracts: ContractSyncResult[];
  error?: string;
}

/**
 * Fetches what the planner asks for, for every contract of one Contact login, into the store.
 * A failure is recorded (attempt, health) and stops that contract's run; other contracts and
 * other providers go on.
 */
export async function syncContactLogin(
  api: ContactApi,
  deps: SyncDeps & { loginKey: string; contractFilter?: string[] },
): Promise<LoginSyncResult> {
  const { store, clock, log } = deps;
  const result: LoginSyncResult = { login: deps.loginKey, contracts: [] };
  let contracts: ContactContract[];
  try {
    contracts = await cachedContracts(api, store, clock, log, deps.loginKey, deps.settings.zone);
  } catch (err) {
    result.error = describe(err);
    store.recordSync(CONTACT, deps.loginKey, "accounts", { at: clock.now(), ok: false, error: result.error });
    log.error({ provider: CONTACT, login: deps.loginKey, err: result.error }, "Contact Energy: could not read the accounts");
    return result;
  }
  const wanted = deps.contractFilter?.length ? contracts.filter((c) => deps.contractFilter!.includes(c.contractId) || deps.contractFilter!.includes(c.icp)) : contracts;
  for (const contract of wanted) result.contracts.push(await syncContract(api, contract, deps));
  return result;
}

const contractsCell = (loginKey: string) =>
  stateCell(
    `contact:contracts:${loginKey}`,
    z.object({
      at: z.number(),
      contracts: z.array(
        z.object({
          accountId: z.string(),
          contractId: z.string(),
          icp: z.string(),
          premiseId: z.string().optional(),
          address: z.string().optional(),
          product: z.string().optional(),
          type: z.string().optional(),
        }),
      ),
    }),
  );

/** Stores a login's contracts as read at `at` (the sync does; tests and tools may too). */
export function recordContracts(store: Store, loginKey: string, at: number, contracts: ContactContract[]): void {
  contractsCell(loginKey).set(store, { at, contracts });
}

/** The contracts of one login as last read from the accounts endpoint (any age), for callers that must not log in. */
export function storedContracts(store: Store, loginKey: string): ContactContract[] {
  return contractsCell(loginKey).get(store)?.contracts ?? [];
}

/**
 * The login's contracts, read again every 30 days, with each account's bill facts from the same
 * answers. In between, only an account whose bill facts are out of date (its bill date reached, its
 * payment due date passed: see contact-bills.ts) is read again, one request for that account.
 */
async function cachedContracts(api: ContactApi, store: Store, clock: Clock, log: Logger, loginKey: string, zone: string): Promise<ContactContract[]> {
  const cached = contractsCell(loginKey).get(store);
  const bills = storedBills(store, loginKey);
  if (cached && clock.now() - cached.at < CONTRACTS_MAX_AGE_MS && cached.contracts.length > 0 && bills) {
    await refreshBills(api, store, clock, log, loginKey, zone, billsToRefresh(bills, clock.now(), zone));
    return cached.contracts;
  }
  const { contracts, accounts } = await api.accountsOverview();
  store.transaction(() => {
    recordContracts(store, loginKey, clock.now(), contracts);
    recordBills(store, loginKey, clock.now(), accounts, zone, true);
    store.recordSync(CONTACT, loginKey, "accounts", { at: clock.now(), ok: true, from: "", to: "" });
  });
  return contracts;
}

/** Reads the named accounts' bill facts again; a failure is logged and tried again at the next check, the sync goes on. */
async function refreshBills(api: ContactApi, store: Store, clock: Clock, log: Logger, loginKey: string, zone: string, accountIds: readonly string[]): Promise<void> {
  for (const accountId of accountIds) {
    try {
      const facts = await api.accountFacts(accountId);
      recordBills(store, loginKey, clock.now(), [facts], zone, false);
    } catch (err) {
      log.warn({ provider: CONTACT, login: loginKey, account: accountId, err: describe(err) }, "Contact Energy: could not read the account's bill; trying again at the next check");
    }
  }
}

/**
 * When each day not in yet was last asked for and absent, and the lag bounds that gives once the
 * day arrives (planner `updateLag`, `lagFloor`).
 */
const lagCell = (icp: string) =>
  stateCell(
    `contact:lag:${icp}`,
    z.object({
      absent: z.record(z.string(), z.number()),
      bounds: z.array(z.object({ at: z.number(), ms: z.number() })),
    }),
  );

/** The attempt key under which a completed revision checksum is recorded. */
const CHECKSUM_KEY = "checksum";

export function contractCoverage(store: Store, icp: string): ContractCoverage {
  const attempts = store.attempts(CONTACT, icp);
  const checksum = attempts.get(CHECKSUM_KEY);
  const monthlyAskedAt = new Map<string, number>();
  for (const [key, a] of attempts) if (a.ok && key.startsWith("monthly:")) monthlyAskedAt.set(key, a.at);
  return {
    hourly: store.periods(CONTACT, icp, "hour"),
    daily: store.periods(CONTACT, icp, "day"),
    monthly: store.periods(CONTACT, icp, "month"),
    lastChecksumAt: checksum?.ok ? checksum.at : undefined,
    monthlyAskedAt,
    lagBounds: lagCell(icp).get(store)?.bounds ?? [],
  };
}

async function syncContract(api: ContactApi, contract: ContactContract, deps: SyncDeps): Promise<ContractSyncResult> {
  const { store, clock, log, settings } = deps;
  const out: ContractSyncResult = { icp: contract.icp, contractId: contract.contractId, requests: [] };
  const asked = new Set<string>();
  let planned = 0;
  for (let round = 0; round < 20; round += 1) {
    const requests = planContract(contractCoverage(store, contract.icp), clock.now(), settings, { asked });
    if (requests.length === 0) return out;
    planned += requests.length;
    for (const req of requests) {
      deps.onRequest?.(out.requests.length, planned, `${contract.icp} ${req.interval} ${req.from}${req.to !== req.from ? `..${req.to}` : ""}`);
      asked.add(req.key);
      const at = clock.now();
      try {
        const records = await api.usage(contract, req.interval, req.from, req.to);
        // The answer, its coverage and the request's bookkeeping land together or not at all: a
        // kill at any moment leaves the store claiming nothing it does not hold.
        store.transaction(() => {
          storeUsage(store, contract.icp, req, records, at);
          store.recordAttempt(CONTACT, contract.icp, req.key, { at, ok: true });
          if (req.completesChecksum) store.recordAttempt(CONTACT, contract.icp, CHECKSUM_KEY, { at, ok: true });
          if (req.probe) {
            const cell = lagCell(contract.icp);
            const cov = { daily: store.periods(CONTACT, contract.icp, "day"), hourly: store.periods(CONTACT, contract.icp, "hour") };
            cell.set(store, updateLag(cell.get(store) ?? { absent: {}, bounds: [] }, req, cov, at, settings));
          }
          store.recordSync(CONTACT, contract.icp, RESOLUTION[req.interval], { at, ok: true, from: req.from, to: req.to });
        });
        out.requests.push({ interval: req.interval, from: req.from, to: req.to, reason: req.reason, records: records.length });
        log.info({ provider: CONTACT, icp: contract.icp, interval: req.interval, from: req.from, to: req.to, reason: req.reason, records: records.length }, "fetched usage");
      } catch (err) {
        const message = describe(err);
        store.transaction(() => {
          store.recordAttempt(CONTACT, contract.icp, req.key, { at, ok: false });
          store.recordSync(CONTACT, contract.icp, RESOLUTION[req.interval], { at, ok: false, error: message });
        });
        out.requests.push({ interval: req.interval, from: req.from, to: req.to, reason: req.reason, records: 0, error: message });
        out.error = message;
        log.error({ provider: CONTACT, icp: contract.icp, interval: req.interval, from: req.from, to: req.to, err: message }, "Contact Energy request failed; it is asked again at the next check");
        return out;
      }
    }
  }
  return out;
}

function storeUsage(store: Store, icp: string, req: UsageRequest, records: ContactUsage[], at: number): void {
  const resolution = RESOLUTION[req.interval];
  const readings: SeriesReading[] = [];
  const periods = new Map<string, PeriodCoverage>();
  for (const r of records) {
    readings.push(
      { series: seriesKey(CONTACT, icp, "paid_energy"), resolution, start: r.start, value: r.paidKwh },
      { series: seriesKey(CONTACT, icp, "free_energy"), resolution, start: r.start, value: r.freeKwh },
      { series: seriesKey(CONTACT, icp, "offpeak_energy"), resolution, start: r.start, value: r.offpeakKwh },
    );
    if (r.cost !== null) readings.push({ series: seriesKey(CONTACT, icp, "paid_cost"), resolution, start: r.start, value: r.cost });
    const period = req.interval === "monthly" ? r.localDate.slice(0, 7) : r.localDate;
    const p = periods.get(period) ?? { rows: 0, totalKwh: 0, cost: 0, fetchedAt: at };
    p.rows += 1;
    p.totalKwh = round(p.totalKwh + r.totalKwh);
    p.cost = p.cost === null || r.cost === null ? null : round(p.cost + r.cost);
    periods.set(period, p);
  }
  if (req.interval === "daily") {
    // A day missing between days the provider has is a hole: recorded as empty, so it is not asked at every check.
    const known = store.periods(CONTACT, icp, "day");
    for (const day of holesInAnswer(req.from, req.to, new Set(periods.keys()))) {
      if (!((known.get(day)?.rows ?? 0) > 0)) periods.set(day, { rows: 0, totalKwh: 0, cost: null, fetchedAt: at });
    }
  }
  store.upsertReadings(readings);
  for (const [period, cov] of periods) store.recordPeriod(CONTACT, icp, resolution, period, cov);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function describe(err: unknown): string {
  if (err instanceof ProviderError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
