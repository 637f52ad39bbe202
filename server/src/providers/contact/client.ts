/**
 * Contact Energy's customer API, as its web app uses it (shared/reference/providers.md §1).
 * Calls go through the shared HTTP policy; this class only knows the routes, the session and the
 * API's quirks: a token sent raw in two headers, 502 for a stale token, 404 for a month not closed.
 */
import { DateTime } from "luxon";
import type { HttpAuth, HttpClient } from "../http.js";
import { type Clock, systemClock } from "../../time/clock.js";
import { ProviderError } from "../errors.js";
import { CONTACT_LIMITS } from "./constants.js";
import { type ContactAccountsPage, contractsOfAccount, parseAccountsResponse, parseLoginResponse, parseUsageResponse } from "./parse.js";
import type { ContactAccountFacts, ContactContract, ContactInterval, ContactUsage } from "./types.js";

export type { ContactAccountFacts, ContactContract, ContactInterval, ContactUsage } from "./types.js";

/** What the accounts endpoint tells about a login: its energy contracts, and each account's bill facts. */
export interface ContactAccounts {
  contracts: ContactContract[];
  accounts: ContactAccountFacts[];
}

/** Contact does not document how long a token lasts; log in again before the hour we assume. */
export const DEFAULT_CONTACT_TOKEN_LIFETIME_MS = 50 * 60_000;

export interface ContactClientOptions {
  baseUrl: string;
  apiKey: string;
  username: string;
  password: string;
  http: HttpClient;
  clock?: Clock;
  tokenLifetimeMs?: number;
}

export class ContactClient {
  private readonly opts: ContactClientOptions;
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly tokenLifetimeMs: number;
  private token: string | undefined;
  private tokenIssuedAt = 0;
  private pendingLogin: Promise<void> | undefined;

  private readonly auth: HttpAuth = {
    apply: async (headers) => {
      const token = await this.session();
      headers.set("x-api-key", this.opts.apiKey);
      // The web app sends the raw token (no "Bearer") in both headers; some deployments read only one.
      headers.set("session", token);
      headers.set("authorization", token);
    },
    refresh: () => this.login(),
    // A stale token is answered with 502, indistinguishable by body from the API's other 502s; one
    // extra login is cheap, and after it the policy treats a repeated 502 as a server failure.
    isStale: (status) => status === 502,
    secrets: () => (this.token ? [this.token] : []),
  };

  constructor(opts: ContactClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.clock = opts.clock ?? systemClock;
    this.tokenLifetimeMs = opts.tokenLifetimeMs ?? DEFAULT_CONTACT_TOKEN_LIFETIME_MS;
  }

  /** Gets a fresh session. Concurrent callers share one login. */
  login(): Promise<void> {
    this.pendingLogin ??= this.doLogin().finally(() => (this.pendingLogin = undefined));
    return this.pendingLogin;
  }

  /** Every energy contract of every account: one summary call, plus one detail call per further account. */
  async contracts(): Promise<ContactContract[]> {
    return (await this.accountsOverview()).contracts;
  }

  /**
   * The contracts and, from the same answers, each account's bill facts (balance, invoice, next
   * bill): no request beyond those `contracts()` makes.
   */
  async accountsOverview(): Promise<ContactAccounts> {
    const first = await this.accounts("");
    const contracts: ContactContract[] = [];
    const facts: ContactAccountFacts[] = [];
    for (const account of first.accounts) {
      const detail = first.detail?.id === account.id ? first.detail : (await this.accounts(account.id)).detail;
      if (detail?.id !== account.id) throw noDetail(account.id);
      contracts.push(...contractsOfAccount(account, detail));
      facts.push(detail.facts);
    }
    return { contracts, accounts: facts };
  }

  /** One account's bill facts, from its detail: one request. */
  async accountFacts(accountId: string): Promise<ContactAccountFacts> {
    const page = await this.accounts(accountId);
    if (page.detail?.id !== accountId) throw noDetail(accountId);
    return page.detail.facts;
  }

  /**
   * Usage between two local dates, inclusive. Hourly covers one day per call and daily at most
   * 90 days (the API answers 502 beyond). `[]` means no data yet, including a monthly range that
   * reaches the current month, which the API answers with 404.
   */
  async usage(c: ContactContract, interval: ContactInterval, fromDate: string, toDate: string): Promise<ContactUsage[]> {
    checkRange(interval, fromDate, toDate);
    // Log in before the try below, so that a login failure is never mistaken for "no monthly data".
    await this.session();
    const query = new URLSearchParams({ ba: c.accountId, interval, from: fromDate, to: toDate });
    try {
      const res = await this.opts.http.request({
        method: "POST",
        url: `${this.baseUrl}/usage/v2/${encodeURIComponent(c.contractId)}?${query}`,
        auth: this.auth,
        secrets: this.secrets(),
      });
      return parseUsageResponse(res.json(), this.secrets());
    } catch (err) {
      // A wrong contract is also 404; contracts() and the hourly/daily calls surface that.
      if (interval === "monthly" && err instanceof ProviderError && err.kind === "not_found") return [];
      throw err;
    }
  }

  /** The current token, logging in first when there is none or it is older than the assumed lifetime. */
  private async session(): Promise<string> {
    if (!this.token || this.clock.now() - this.tokenIssuedAt >= this.tokenLifetimeMs) await this.login();
    return this.token ?? "";
  }

  private async doLogin(): Promise<void> {
    const res = await this.opts.http.request({
      method: "POST",
      url: `${this.baseUrl}/login/v2`,
      headers: { "x-api-key": this.opts.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ username: this.opts.username, password: this.opts.password }),
      secrets: this.secrets(),
    });
    this.token = parseLoginResponse(res.json());
    this.tokenIssuedAt = this.clock.now();
  }

  private async accounts(ba: string): Promise<ContactAccountsPage> {
    const res = await this.opts.http.request({
      method: "GET",
      url: `${this.baseUrl}/accounts/v2?ba=${encodeURIComponent(ba)}`,
      auth: this.auth,
      secrets: this.secrets(),
    });
    return parseAccountsResponse(res.json(), this.secrets());
  }

  private secrets(): string[] {
    return [this.opts.password, this.opts.apiKey, ...(this.token ? [this.token] : [])];
  }
}

function noDetail(accountId: string): ProviderError {
  return new ProviderError({
    provider: "contact",
    kind: "bad_response",
    message: `contact: the account list names account ${accountId}, but asking for it returned no details for it. If this persists, Contact's API may have changed; please report it.`,
  });
}

function checkRange(interval: ContactInterval, from: string, to: string): void {
  const day = (date: string): number => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? DateTime.fromISO(date, { zone: "utc" }).toMillis() : NaN);
  const fromMs = day(from);
  const toMs = day(to);
  const refuse = (why: string): ProviderError =>
    new ProviderError({ provider: "contact", kind: "client", message: `contact: cannot ask for ${interval} usage from ${from} to ${to}: ${why}. This is a bug in Energy Insights; please report it.` });
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw refuse("dates must be valid YYYY-MM-DD");
  if (toMs < fromMs) throw refuse("the range ends before it starts");
  const days = (toMs - fromMs) / 86_400_000 + 1;
  if (interval === "hourly" && days > CONTACT_LIMITS.hourlyDaysPerRequest) throw refuse("hourly usage comes one day per request");
  if (interval === "daily" && days > CONTACT_LIMITS.dailyDaysPerRequest) throw refuse(`daily usage comes at most ${CONTACT_LIMITS.dailyDaysPerRequest} days per request`);
}
