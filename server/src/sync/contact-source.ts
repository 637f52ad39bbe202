/** Contact Energy as a Source: every login's contracts fetched at each check, then each contract's statistics published. */
import type { Logger } from "pino";
import type { ContactAccountConfig, EnergyInsightsConfig } from "../config/index.js";
import type { Connection } from "../ha/connection.js";
import type { PublishResult } from "../ha/publisher.js";
import type { ContactContract } from "../providers/contact/client.js";
import { contactStatisticRows } from "../statistics/contact.js";
import { slug } from "../statistics/ids.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../time/clock.js";
import { syncContactLogin, type ContactApi, type LoginSyncResult } from "./contact-job.js";
import type { PlannerSettings } from "./planner.js";
import { publishStatistics } from "./publish.js";
import type { CheckOptions, FetchOutcome, Source } from "./source.js";

export interface ContactSourceDeps {
  config: EnergyInsightsConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  contactApi: (account: ContactAccountConfig) => ContactApi;
  settings: (backfillFrom?: string) => PlannerSettings;
}

export class ContactSource implements Source {
  readonly name = "Contact Energy";
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
    return { errors };
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
