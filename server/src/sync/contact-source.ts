/** Contact Energy as a Source: every login's contracts fetched at each check, then each contract's statistics published. */
import type { Logger } from "pino";
import type { ContactAccountConfig, EnergyInsightsConfig } from "../config/index.js";
import type { Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";
import { ContactClient, type ContactContract } from "../providers/contact/client.js";
import { DEFAULT_CONTACT_API_KEY } from "../providers/contact/constants.js";
import { contactStatisticRows } from "../statistics/contact.js";
import { PROVIDER, slug } from "../statistics/ids.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { contactPriceSource } from "./contact-price.js";
import { syncContactLogin, type ContactApi, type LoginSyncResult } from "./contact-job.js";
import type { PlannerSettings } from "./planner.js";
import type { Provider } from "./providers.js";
import { publishStatistics } from "./publish.js";
import type { CheckOptions, Fetched, FetchOutcome, Source, SourceHealth } from "./source.js";

const DAY_MS = 86_400_000;
/** Contact keeps about 18 months of day totals: an outage is filled back to this at most. */
const CONTACT_DAILY_HISTORY_DAYS = 540;

export function plannerSettings(config: EnergyInsightsConfig, backfillFrom?: string): PlannerSettings {
  return {
    zone: config.contact?.timeZone ?? "Pacific/Auckland",
    hourlyDays: config.sync.hourlyDays,
    dailyDays: config.sync.dailyDays,
    monthlyMonths: config.sync.monthlyMonths,
    probeIntervalMs: Math.max(DAY_MS, config.sync.checkInterval * 1000),
    checkIntervalMs: config.sync.checkInterval * 1000,
    maxDailyRangeDays: 90,
    maxDailyHistoryDays: CONTACT_DAILY_HISTORY_DAYS,
    ...(backfillFrom ? { backfillFrom } : {}),
  };
}

/** Contact Energy, when the config has a `contact` section: one source for all its logins. */
export const contactProvider: Provider = {
  id: PROVIDER.contact,
  create(ctx) {
    const { config, store, clock, log } = ctx;
    const contact = config.contact;
    if (!contact) return { sources: [] };
    const contactApi = (account: ContactAccountConfig): ContactApi =>
      new ContactClient({ baseUrl: contact.baseUrl, apiKey: contact.apiKey ?? DEFAULT_CONTACT_API_KEY, username: account.username, password: account.password, clock, http: ctx.http(PROVIDER.contact) });
    return {
      sources: [new ContactSource({ config, store, clock, log, contactApi, settings: (from) => plannerSettings(config, from) })],
      // Devices' cost is counted at Contact's own prices (contact-price.ts).
      devicePrice: (lookbackMs) => contactPriceSource(store, contact.timeZone, clock, lookbackMs),
    };
  },
};

export interface ContactSourceDeps {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  contactApi: (account: ContactAccountConfig) => ContactApi;
  settings: (backfillFrom?: string) => PlannerSettings;
}

/** Each Contact login's outcome at a check, from its summary's `fetched`. */
export function contactLogins(fetched: readonly Fetched[]): LoginSyncResult[] {
  return fetched.flatMap((f) => (f.provider === PROVIDER.contact ? (f.outcome.detail as LoginSyncResult[]) : []));
}

export class ContactSource implements Source {
  readonly name = "Contact Energy";
  readonly provider = PROVIDER.contact;
  readonly onCheckInterval = true;
  /** Each login's outcome at the last check (for the check's summary). */
  results: LoginSyncResult[] = [];
  private readonly apis = new Map<string, ContactApi>();

  constructor(private readonly deps: ContactSourceDeps) {}

  async fetch(opts: CheckOptions): Promise<FetchOutcome> {
    const { config, store, clock, log } = this.deps;
    const settings = this.deps.settings(opts.backfillFrom);
    const errors: string[] = [];
    this.results = [];
    for (const account of config.contact?.accounts ?? []) {
      const res = await syncContactLogin(this.api(account), {
        store,
        clock,
        log,
        settings,
        ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
        loginKey: slug(account.username),
        ...(account.contracts ? { contractFilter: account.contracts } : {}),
      });
      this.results.push(res);
      if (res.error) errors.push(`Contact Energy (${account.username}): ${res.error}`);
      for (const c of res.contracts) if (c.error) errors.push(`Contact Energy contract ${c.icp}: ${c.error}`);
    }
    return { errors, detail: this.results };
  }

  async publish(conn: Connection): Promise<PublishResult[]> {
    const { config, store, log } = this.deps;
    const contact = config.contact;
    if (!contact) return [];
    const published: PublishResult[] = [];
    for (const login of this.results) {
      for (const c of login.contracts) published.push(...(await publishStatistics(conn, store, contactStatisticRows(store, c.icp, { zone: contact.timeZone, currency: contact.currency }), { log })));
    }
    return published;
  }

  /** Healthy while no contract's series has failed since its last success; the last success of any. */
  health(): SourceHealth {
    const states = this.deps.store.allSyncStates().filter((s) => s.provider === PROVIDER.contact);
    const failing = states.find((s) => s.failures > 0);
    const successes = states.flatMap((s) => (s.lastSuccess === null ? [] : [s.lastSuccess]));
    return { name: this.name, provider: this.provider, healthy: !failing, lastSuccess: successes.length > 0 ? Math.max(...successes) : null, lastError: failing?.lastError ?? null };
  }

  /** Logs in and lists the contracts of one account (for `doctor`); not cached. */
  contracts(account: ContactAccountConfig): Promise<ContactContract[]> {
    return this.api(account).contracts();
  }

  private api(account: ContactAccountConfig): ContactApi {
    let api = this.apis.get(account.username);
    if (!api) {
      api = this.deps.contactApi(account);
      this.apis.set(account.username, api);
    }
    return api;
  }
}
