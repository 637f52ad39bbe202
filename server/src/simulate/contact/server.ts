/**
 * A Contact Energy API on loopback, for tests, benchmarks and the demo: the routes, headers,
 * quirks and error answers of shared/reference/providers.md §1, over synthetic data (data.ts),
 * with faults that can be switched at runtime. Time comes from the given clock, so tokens expire
 * and data becomes available as a test moves the clock.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import { DateTime } from "luxon";
import { CONTACT_LIMITS, DEFAULT_CONTACT_API_KEY } from "../../providers/contact/constants.js";
import type { Clock } from "../../time/clock.js";
import {
  DEFAULT_SIM_ACCOUNTS,
  SIM_ZONE,
  type SimAccount,
  type SimBill,
  simBill,
  type SimContract,
  type SimHour,
  availableAtMs,
  dayHours,
  localDayHours,
  revisionKey,
  sumAmounts,
} from "./data.js";
import { type WirePeriod, toWireRecords } from "./wire.js";
import { listenOnLoopback, sendAnswer } from "../http.js";

export interface SimUser {
  username: string;
  password: string;
  /** The accounts this login sees (every account when left out). */
  accountIds?: readonly string[];
}

export const DEFAULT_SIM_USERS: readonly SimUser[] = [{ username: "demo@example.com", password: "demo-password" }];

export type SimRoute = "login" | "accounts" | "usage";

/** A fault that hits the next `count` matching requests (all of them until cleared when `count` is left out). */
export interface CountedFault {
  count?: number;
  /** Only requests to this route match (any route when left out). */
  on?: SimRoute;
}

export interface Faults {
  /** Authenticated requests get 401, as if the token had been revoked. */
  unauthorized?: CountedFault;
  /** Authenticated requests get 502, what Contact answers to a stale token. */
  staleToken502?: CountedFault;
  /** Expired tokens get 502 instead of 401. */
  staleTokenAs502?: boolean;
  rateLimit?: CountedFault & { retryAfterSec: number };
  serverError?: CountedFault & { status: number };
  /** The answer is held back this long (real time, to outlast the client's timeout). */
  timeout?: CountedFault & { delayMs: number };
  /** A 200 answer is cut off mid-JSON. */
  malformedBody?: CountedFault;
  /** A usage answer is `[]`. */
  emptyArray?: CountedFault;
  /** Every request is refused as if the x-api-key had been rotated. */
  wrongApiKey?: boolean;
}

type CountedFaultName = "unauthorized" | "staleToken502" | "rateLimit" | "serverError" | "timeout" | "malformedBody" | "emptyArray";

export interface ContactSimulatorOptions {
  /** 0 (any free port) by default. */
  port?: number;
  clock: Clock;
  apiKey?: string;
  users?: readonly SimUser[];
  accounts?: readonly SimAccount[];
  tokenLifetimeMs?: number;
  seed?: number;
  /** Every day published this many hours after it ends (a steady provider); default a random 24–72 h per day and contract. */
  delayHours?: number;
}

export interface SimRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The simulator clock's time when the request arrived. */
  at: number;
}

export interface ContactSimulator {
  url: string;
  requestLog: SimRequestLogEntry[];
  clearLog(): void;
  setFaults(faults: Partial<Faults>): void;
  clearFaults(): void;
  /** Changes one hour's value; the day's and month's totals follow. */
  revise(contractId: string, utcHourStartSec: number, newValueKwh: number): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const FORBIDDEN: Answer = { status: 403, body: { message: "Forbidden" } };
const BAD_GATEWAY: Answer = { status: 502, body: { message: "Internal server error" } };
const UNAUTHORIZED: Answer = { status: 401, body: { statusCode: 401, message: "Unauthorized" } };
const badRequest = (message: string): Answer => ({ status: 400, body: { statusCode: 400, message } });

export async function startContactSimulator(opts: ContactSimulatorOptions): Promise<ContactSimulator> {
  const clock = opts.clock;
  const apiKey = opts.apiKey ?? DEFAULT_CONTACT_API_KEY;
  const users = opts.users ?? DEFAULT_SIM_USERS;
  const accounts = opts.accounts ?? DEFAULT_SIM_ACCOUNTS;
  const tokenLifetimeMs = opts.tokenLifetimeMs ?? 3_600_000;
  const seed = opts.seed ?? 1;

  const tokens = new Map<string, { issuedAt: number; user: SimUser }>();
  let tokensIssued = 0;
  const revisions = new Map<string, number>();
  const dayCache = new Map<string, SimHour[]>();
  let faults: Faults = {};
  const requestLog: SimRequestLogEntry[] = [];
  const heldBack = new Set<() => void>();

  /** The named fault if it applies to this request, counting the request against it. */
  function take<K extends CountedFaultName>(name: K, route: SimRoute): Faults[K] {
    const fault: CountedFault | undefined = faults[name];
    if (!fault || (fault.on && fault.on !== route)) return undefined;
    if (fault.count !== undefined) {
      faults = { ...faults, [name]: fault.count <= 1 ? undefined : { ...fault, count: fault.count - 1 } };
    }
    return fault as Faults[K];
  }

  function hours(contract: SimContract, date: string): SimHour[] {
    const key = `${contract.id}|${date}`;
    let cached = dayCache.get(key);
    if (!cached) {
      cached = dayHours(contract, date, seed, revisions);
      dayCache.set(key, cached);
    }
    return cached;
  }

  const isAvailable = (contract: SimContract, date: string): boolean => clock.now() >= availableAtMs(contract.id, date, seed, opts.delayHours);

  function findContract(id: string): { account: SimAccount; contract: SimContract } | undefined {
    for (const account of accounts) {
      const contract = account.contracts.find((c) => c.id === id);
      if (contract) return { account, contract };
    }
    return undefined;
  }

  function login(body: string): Answer {
    let credentials: unknown;
    try {
      credentials = JSON.parse(body);
    } catch {
      return badRequest("Request body must be JSON");
    }
    const { username, password } = (credentials ?? {}) as Partial<SimUser>;
    if (typeof username !== "string" || typeof password !== "string") return badRequest("username and password are required");
    const user = users.find((u) => u.username === username && u.password === password);
    if (!user) {
      return { status: 401, body: { statusCode: 401, message: "Invalid username or password" } };
    }
    const token = createHash("sha256").update(`${seed}:${++tokensIssued}:${username}`).digest("base64");
    tokens.set(token, { issuedAt: clock.now(), user });
    return { status: 200, body: { statusCode: 200, token, segment: "RESI", bp: "1500000001" } };
  }

  function authenticate(headers: http.IncomingHttpHeaders, route: SimRoute): Answer | undefined {
    if (take("unauthorized", route)) return UNAUTHORIZED;
    if (take("staleToken502", route)) return BAD_GATEWAY;
    // The web app sends the token in both headers; either one is enough.
    const token = headerValue(headers.session) || headerValue(headers.authorization);
    const session = token ? tokens.get(token) : undefined;
    if (!session) return UNAUTHORIZED;
    if (clock.now() - session.issuedAt >= tokenLifetimeMs) return faults.staleTokenAs502 ? BAD_GATEWAY : UNAUTHORIZED;
    return undefined;
  }

  function sessionUser(headers: http.IncomingHttpHeaders): SimUser | undefined {
    const token = headerValue(headers.session) || headerValue(headers.authorization);
    return token ? tokens.get(token)?.user : undefined;
  }

  function accountsAnswer(ba: string | null, user: SimUser | undefined): Answer {
    const visible = accounts.filter((a) => !user?.accountIds || user.accountIds.includes(a.id));
    const selected = ba ? visible.find((a) => a.id === ba) : visible[0];
    if (ba && !selected) return { status: 404, body: { statusCode: 2204, message: "Account not found" } };
    return {
      status: 200,
      body: {
        statusCode: 200,
        xcsrfToken: "sim-xcsrf",
        accountsSummary: visible.map((a) => ({
          id: a.id,
          nickname: a.nickname,
          contracts: a.contracts.map((c) => ({ contractId: c.id, premiseId: c.premiseId, address: c.address })),
        })),
        ...(selected ? { accountDetail: accountDetail(selected, simBill(selected, clock.now(), seed, revisions)) } : {}),
      },
    };
  }

  function usageAnswer(contractId: string, query: URLSearchParams): Answer {
    const found = findContract(contractId);
    const ba = query.get("ba");
    if (!found || (ba && ba !== found.account.id)) return { status: 404, body: { statusCode: 404, message: "Contract not found" } };
    const { contract } = found;
    const interval = query.get("interval");
    const from = calendarDate(query.get("from"));
    const to = calendarDate(query.get("to"));
    if (!from || !to || from > to) return badRequest("from and to must be dates (YYYY-MM-DD), from not after to");
    const withCost = Boolean(ba);
    const write = (periods: WirePeriod[]): Answer => ({ status: 200, body: toWireRecords(periods, SIM_ZONE, withCost) });

    if (interval === "hourly") {
      // Hourly gives only the `from` day; a longer span is refused with 502.
      if (daysBetween(from, to) > CONTACT_LIMITS.hourlyDaysPerRequest) return BAD_GATEWAY;
      if (!isAvailable(contract, from)) return write([]);
      return write(hours(contract, from).map((h) => ({ date: from, hour: h.hour, offsetMin: h.offsetMin, amounts: h, freeHour: h.free })));
    }
    if (interval === "daily") {
      if (daysBetween(from, to) + 1 > CONTACT_LIMITS.dailyDaysPerRequest) return BAD_GATEWAY;
      return write(datesFrom(from, to).filter((d) => isAvailable(contract, d)).map((d) => dayPeriod(contract, d)));
    }
    if (interval === "monthly") {
      if (to.slice(0, 7) >= DateTime.fromMillis(clock.now(), { zone: SIM_ZONE }).toFormat("yyyy-MM")) {
        return { status: 404, body: { statusCode: 404, message: "No usage data for the requested period" } };
      }
      return write(monthsFrom(from, to).flatMap((m) => monthPeriod(contract, m)));
    }
    return badRequest("interval must be hourly, daily or monthly");
  }

  function dayPeriod(contract: SimContract, date: string): WirePeriod {
    const dayHoursList = hours(contract, date);
    return { date, hour: 0, offsetMin: dayHoursList[0]?.offsetMin ?? 0, amounts: sumAmounts(dayHoursList), freeHour: false };
  }

  function monthPeriod(contract: SimContract, month: string): WirePeriod[] {
    const first = `${month}-01`;
    const days = datesFrom(first, formatDate(DateTime.fromISO(first, { zone: "utc" }).endOf("month"))).filter((d) => isAvailable(contract, d));
    if (days.length === 0) return [];
    const offsetMin = localDayHours(first)[0]?.offsetMin ?? 0;
    return [{ date: first, hour: 0, offsetMin, amounts: sumAmounts(days.map((d) => sumAmounts(hours(contract, d)))), freeHour: false }];
  }

  async function answer(req: http.IncomingMessage, url: URL, body: string): Promise<Answer> {
    const method = req.method ?? "GET";
    const usageMatch = /^\/usage\/v2\/([^/]+)$/.exec(url.pathname);
    let route: SimRoute | undefined;
    if (method === "POST" && url.pathname === "/login/v2") route = "login";
    else if (method === "GET" && url.pathname === "/accounts/v2") route = "accounts";
    else if (method === "POST" && usageMatch) route = "usage";
    // Like API Gateway: an unknown route, or a known one with the wrong method (GET on usage), is 403.
    if (!route) return { status: 403, body: { message: "Missing Authentication Token" } };
    if (faults.wrongApiKey || headerValue(req.headers["x-api-key"]) !== apiKey) return FORBIDDEN;

    const limited = take("rateLimit", route);
    if (limited) return { status: 429, body: { message: "Too Many Requests" }, headers: { "retry-after": String(limited.retryAfterSec) } };
    const slow = take("timeout", route);
    if (slow) await holdBack(slow.delayMs);
    const failing = take("serverError", route);
    if (failing) return { status: failing.status, body: { message: "Internal server error" } };

    if (route !== "login") {
      const refused = authenticate(req.headers, route);
      if (refused) return refused;
    }
    const result =
      route === "login" ? login(body) : route === "accounts" ? accountsAnswer(url.searchParams.get("ba"), sessionUser(req.headers)) : usageAnswer(decodeURIComponent(usageMatch?.[1] ?? ""), url.searchParams);
    if (result.status !== 200) return result;
    if (take("malformedBody", route)) return { status: 200, body: '[{"currency":"NZD","year":20' };
    if (route === "usage" && take("emptyArray", route)) return { status: 200, body: [] };
    return result;
  }

  function holdBack(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        heldBack.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      heldBack.add(release);
    });
  }

  function logQuery(params: URLSearchParams): Record<string, string> {
    const passwords = new Set(users.map((u) => u.password));
    return Object.fromEntries([...params].map(([k, v]) => [k, passwords.has(v) ? "***" : v]));
  }

  const server = http.createServer((req, res) => {
    const at = clock.now();
    const url = new URL(req.url ?? "/", "http://simulator");
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answered = answer(req, url, Buffer.concat(chunks).toString("utf8")).catch((err: unknown): Answer => {
        console.error("contact simulator: failed to answer", req.method, url.pathname, err);
        return { status: 500, body: { message: "Internal server error" } };
      });
      void answered.then((a) => {
        requestLog.push({ method: req.method ?? "GET", path: url.pathname, query: logQuery(url.searchParams), status: a.status, at });
        if (res.destroyed) return;
        sendAnswer(res, a);
      });
    });
  });
  const port = await listenOnLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}`,
    requestLog,
    clearLog: () => void requestLog.splice(0),
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    clearFaults: () => void (faults = {}),
    revise(contractId, utcHourStartSec, newValueKwh) {
      if (!findContract(contractId)) throw new Error(`simulator: no contract ${contractId}`);
      if (utcHourStartSec % 3600 !== 0) throw new Error(`simulator: ${utcHourStartSec} is not the start of a UTC hour`);
      revisions.set(revisionKey(contractId, utcHourStartSec), Math.round(newValueKwh * 1000));
      const date = formatDate(DateTime.fromSeconds(utcHourStartSec, { zone: SIM_ZONE }));
      dayCache.delete(`${contractId}|${date}`);
    },
    async close() {
      for (const release of [...heldBack]) release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An account's detail in the shape of the captured sample (providers.md §1.3), its bill facts from `simBill`. */
function accountDetail(account: SimAccount, bill: SimBill): Record<string, unknown> {
  const dollars = (mills: number) => Math.round(mills / 10) / 100;
  const balance = bill.paid ? 0 : dollars(bill.amountDueMills);
  const written = (iso: string) => DateTime.fromISO(iso).setLocale("en-US").toFormat("dd LLL yyyy");
  return {
    id: account.id,
    nickname: account.nickname,
    billingFrequency: "Monthly",
    paymentMethod: "Direct Debit",
    isDirectDebit: true,
    isSmoothPay: false,
    isPrepay: false,
    accountBalance: { currentBalance: balance, formattedCurrentBalance: `$${balance.toFixed(2)}`, prepayDebtBalance: 0, refundEligible: false },
    invoice: {
      amountPaid: bill.paid ? dollars(bill.amountDueMills) : 0,
      amountDue: dollars(bill.amountDueMills),
      discountTotal: 0,
      paymentDueDate: written(bill.paymentDue),
      daysTilOverdue: bill.daysTilOverdue,
    },
    nextBill: { date: written(bill.nextBill), daysUntilBill: bill.daysUntilBill },
    contracts: account.contracts.map((c) => ({
      id: c.id,
      premiseId: c.premiseId,
      address: c.address,
      icp: c.icp,
      product: { name: c.plan.name },
      type: "Energy",
      status: "Active",
    })),
  };
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/** A real calendar date in YYYY-MM-DD, or undefined. */
function calendarDate(value: string | null): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  return DateTime.fromISO(value, { zone: "utc" }).isValid ? value : undefined;
}

function daysBetween(from: string, to: string): number {
  return DateTime.fromISO(to, { zone: "utc" }).diff(DateTime.fromISO(from, { zone: "utc" }), "days").days;
}

function datesFrom(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = DateTime.fromISO(from, { zone: "utc" }); formatDate(d) <= to; d = d.plus({ days: 1 })) dates.push(formatDate(d));
  return dates;
}

function formatDate(d: DateTime): string {
  return d.toFormat("yyyy-MM-dd");
}

function monthsFrom(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = DateTime.fromISO(from, { zone: "utc" }).startOf("month"); m.toFormat("yyyy-MM") <= to.slice(0, 7); m = m.plus({ months: 1 })) {
    months.push(m.toFormat("yyyy-MM"));
  }
  return months;
}
