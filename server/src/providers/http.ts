/**
 * The one HTTP policy every provider goes through (DESIGN.md "HTTP policy"): a timeout per attempt,
 * retries with exponential backoff and full jitter on network errors, timeouts and 5xx, `Retry-After`
 * on 429, one re-authentication on 401 (or a provider's own "stale token" answer), and no retry on
 * other 4xx. Every failure ends as a ProviderError whose message never carries a secret.
 */
import type { ZodType } from "zod";
import { type Clock, systemClock } from "../time/clock.js";
import { ProviderError, type ProviderErrorKind, bodyExcerpt } from "./errors.js";

/** How a provider authenticates a request, and how it recovers when the server refuses the session. */
export interface HttpAuth {
  /** Sets the auth headers (logging in first when there is no usable session). */
  apply(headers: Headers): void | Promise<void>;
  /** Gets a new session; called at most once per request. */
  refresh(): Promise<void>;
  /** True for answers other than 401 that mean "your session is no longer valid". */
  isStale?(status: number, bodyText: string): boolean;
  /** Current secrets of the session (tokens), removed from every error message. */
  secrets?(): readonly string[];
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  auth?: HttpAuth;
  /** Strings that must never appear in an error message (passwords, API keys). */
  secrets?: readonly string[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON; a body that is not JSON (or does not match `schema`) is a `bad_response`. */
  json(): unknown;
  json<T>(schema: ZodType<T>): T;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** One HTTP exchange, reported after it ends: use it to log or to count requests. */
export interface HttpAttempt {
  provider: string;
  method: string;
  path: string;
  /** 1 for the first exchange of a request, counting retries and the one after a re-authentication. */
  attempt: number;
  status?: number;
  failure?: "network" | "timeout" | "aborted";
}

export interface HttpClientOptions {
  /** Provider id, used in error messages. */
  provider: string;
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Reads "now" for a `Retry-After` date when the response has no `Date` header. */
  clock?: Clock;
  onAttempt?: (info: HttpAttempt) => void;
  /** Aborts every request in flight and every wait between retries (the service is stopping). */
  signal?: AbortSignal;
}

export const HTTP_DEFAULTS = { timeoutMs: 10_000, retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 } as const;

/** Full jitter: uniform in [0, min(max, base·2^retryIndex)). */
export function backoffDelayMs(retryIndex: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

type Transport = { response: Response; text: string } | { failure: "timeout" } | { failure: "aborted" } | { failure: "network"; detail: string };

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const provider = opts.provider;
  const timeoutMs = opts.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const retries = opts.retries ?? HTTP_DEFAULTS.retries;
  const baseDelayMs = opts.baseDelayMs ?? HTTP_DEFAULTS.baseDelayMs;
  const maxDelayMs = opts.maxDelayMs ?? HTTP_DEFAULTS.maxDelayMs;
  const clock = opts.clock ?? systemClock;
  const stopping = opts.signal;
  const sleep = opts.sleep ?? ((ms: number) => systemClock.sleep(ms, stopping));
  const random = opts.random ?? Math.random;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const auth = req.auth;
    const secrets = (): readonly string[] => [...(req.secrets ?? []), ...(auth?.secrets?.() ?? [])];
    const fail = (kind: ProviderErrorKind, message: string, status?: number): ProviderError =>
      new ProviderError({ provider, kind, message: `${provider}: ${message}`, status, secrets: secrets() });
    const url = URL.canParse(req.url) ? new URL(req.url) : undefined;
    if (!url) throw fail("client", `cannot send ${req.method} to an invalid URL. Check the base_url configured for ${provider}.`);
    const path = url.pathname;
    const where = `${req.method} ${path}`;

    let retriesUsed = 0;
    let refreshed = false;
    const stopped = () => fail("aborted", `${where} was cut short: the service is stopping. It is asked again at the next start.`);
    for (let attempt = 1; ; attempt++) {
      if (stopping?.aborted) throw stopped();
      const headers = new Headers(req.headers);
      if (auth) await runAuthHook(() => auth.apply(headers));
      const sent = await send(req, headers);
      opts.onAttempt?.({
        provider,
        method: req.method,
        path,
        attempt,
        ...("failure" in sent ? { failure: sent.failure } : { status: sent.response.status }),
      });

      if ("failure" in sent) {
        if (sent.failure === "aborted" || stopping?.aborted) throw stopped();
        if (retriesUsed < retries) {
          await sleep(backoffDelayMs(retriesUsed++, baseDelayMs, maxDelayMs, random));
          continue;
        }
        if (sent.failure === "timeout") {
          throw fail("timeout", `no answer to ${where} within ${timeoutMs} ms (${attempt} attempts). The provider may be slow or unreachable; the next sync will try again.`);
        }
        throw fail("network", `could not reach ${url.host} for ${where} (${sent.detail}; ${attempt} attempts). Check the network connection and the provider's base_url; the next sync will try again.`);
      }

      const { response, text } = sent;
      const status = response.status;
      if (response.ok) return toHttpResponse(response, text, (message) => fail("bad_response", message, status), secrets, where);

      const stale = status !== 401 && (auth?.isStale?.(status, text) ?? false);
      if (auth && !refreshed && (status === 401 || stale)) {
        refreshed = true;
        await runAuthHook(() => auth.refresh());
        continue;
      }

      if ((status === 429 || status >= 500) && retriesUsed < retries) {
        const backoff = backoffDelayMs(retriesUsed++, baseDelayMs, maxDelayMs, random);
        const asked = status === 429 ? retryAfterMs(response.headers.get("retry-after"), serverNow(response)) : undefined;
        await sleep(Math.min(asked ?? backoff, maxDelayMs));
        continue;
      }
      throw statusError(status, { where, quoted: quote(text, secrets()), attempt, refreshed, stale }, fail);
    }

    async function runAuthHook(hook: () => void | Promise<void>): Promise<void> {
      try {
        await hook();
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        throw fail("auth", `logging in failed for ${where} (${err instanceof Error ? err.message : String(err)}). Check the credentials configured for ${provider}.`);
      }
    }
  }

  async function send(req: HttpRequest, headers: Headers): Promise<Transport> {
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = stopping ? AbortSignal.any([timeout, stopping]) : timeout;
      const response = await fetch(req.url, { method: req.method, headers, body: req.body, signal });
      // Reading the body is part of the attempt: a server that stalls mid-body times out too.
      return { response, text: await response.text() };
    } catch (err) {
      if (stopping?.aborted) return { failure: "aborted" };
      if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return { failure: "timeout" };
      return { failure: "network", detail: networkDetail(err) };
    }
  }

  function serverNow(response: Response): number {
    const date = Date.parse(response.headers.get("date") ?? "");
    return Number.isNaN(date) ? clock.now() : date;
  }

  return { request };
}

interface StatusContext {
  where: string;
  quoted: string;
  attempt: number;
  refreshed: boolean;
  stale: boolean;
}

function statusError(
  status: number,
  ctx: StatusContext,
  fail: (kind: ProviderErrorKind, message: string, status?: number) => ProviderError,
): ProviderError {
  const at = `HTTP ${status} on ${ctx.where}`;
  if (status === 401) {
    return ctx.refreshed
      ? fail("auth", `still unauthorised (${at}) right after logging in again${ctx.quoted}. Check that the account works on the provider's website and the credentials configured for this provider.`, status)
      : fail("auth", `the provider rejected the credentials (${at})${ctx.quoted}. Check the username and password (or token) configured for this provider.`, status);
  }
  if (ctx.stale && ctx.refreshed) {
    return fail("stale_token", `the provider kept answering ${at} even after logging in again (${ctx.attempt} attempts)${ctx.quoted}; it gives that answer for an expired session and for its own failures. Nothing to change on your side; the next sync will try again.`, status);
  }
  if (status === 403) {
    return fail("forbidden", `the provider refused access (${at})${ctx.quoted}. Check the API key and base_url configured for this provider; a public API key may have been rotated.`, status);
  }
  if (status === 404) {
    return fail("not_found", `not found (${at})${ctx.quoted}. Check the account and contract configured for this provider; they may have changed.`, status);
  }
  if (status === 429) {
    return fail("rate_limited", `the provider is limiting requests (${at}, ${ctx.attempt} attempts). The next sync will try again; if this keeps happening, sync less often.`, status);
  }
  if (status >= 500) {
    return fail("server", `the provider's server failed (${at}, ${ctx.attempt} attempts)${ctx.quoted}. This is on the provider's side; the next sync will try again.`, status);
  }
  if (status >= 400) {
    return fail("client", `the provider rejected the request as invalid (${at})${ctx.quoted}. This is probably a bug in Energy Insights; please report it with this message.`, status);
  }
  return fail("bad_response", `unexpected ${at}${ctx.quoted}. If this persists, the provider's API may have changed; please report it.`, status);
}

function toHttpResponse(
  response: Response,
  text: string,
  badResponse: (message: string) => ProviderError,
  secrets: () => readonly string[],
  where: string,
): HttpResponse {
  function json(): unknown;
  function json<T>(schema: ZodType<T>): T;
  function json<T>(schema?: ZodType<T>): unknown {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badResponse(`the answer to ${where} is not JSON${quote(text, secrets())}. If this persists, the provider's API may have changed; please report it.`);
    }
    if (!schema) return value;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw badResponse(`the answer to ${where} has an unexpected shape (${field}${issue?.message ?? "invalid"})${quote(text, secrets())}. If this persists, the provider's API may have changed; please report it.`);
  }
  return { status: response.status, headers: response.headers, text, json };
}

function quote(text: string, secrets: readonly string[]): string {
  const excerpt = bodyExcerpt(text, secrets);
  return excerpt ? `: "${excerpt}"` : "";
}

function networkDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return err.message;
}
