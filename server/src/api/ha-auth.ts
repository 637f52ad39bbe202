/**
 * The production `validateToken`: asks Home Assistant who a token belongs to, the way any HA client
 * would (open HA's websocket API with the token, `auth/current_user`), and remembers the answer
 * briefly so that a card reconnecting does not cost HA a login each time.
 *
 * - Answers are cached for `ttlMs` (60 s), refusals for `invalidTtlMs` (10 s), keyed by a SHA-256 of
 *   the token (the token itself is never logged), and never past the token's own expiry. A caller
 *   that needs a fresher answer (an admin command: 5 s) says so with `maxAgeMs`.
 * - HA tokens are JWTs: a token that is not one, or whose `exp` has passed, is refused without
 *   asking HA. Together with a budget of checks per second this keeps a flood of bad tokens from
 *   reaching HA, where failed logins count towards its IP ban (`http: login_attempts_threshold`)
 *   and would ban this backend.
 * - When HA cannot be asked (down, timeout, check budget spent) the validator throws, so the client
 *   is told to try again rather than that its token is bad; nothing is cached.
 */
import { createHash } from "node:crypto";
import WebSocket from "ws";
import { websocketUrl } from "../ha/connection.js";
import { TokenBucket } from "./rate-limit.js";
import type { ApiUser, ValidateToken } from "./server.js";

export interface TokenCheck {
  /** null: HA refused the token. */
  user: ApiUser | null;
  /** ha_version from HA's auth messages. */
  haVersion: string | null;
}

/** Thrown when HA could not be asked; the token may well be good. */
export class TokenCheckError extends Error {}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The token's `exp` (epoch ms) when it is a JWT with one; null when it is a JWT without; undefined when it is no JWT. */
export function jwtExpiry(token: string): number | null | undefined {
  if (!JWT.test(token)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as unknown;
    if (typeof payload !== "object" || payload === null) return undefined;
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return undefined;
  }
}

/** One check against HA: connect with the token, ask `auth/current_user`, disconnect. */
export function checkTokenWithHa(haUrl: string, token: string, timeoutMs = 10_000): Promise<TokenCheck> {
  const url = websocketUrl(haUrl);
  return new Promise((resolve, reject) => {
    let haVersion: string | null = null;
    let settled = false;
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: 1024 * 1024, perMessageDeflate: false });
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      if (ws.readyState === ws.OPEN) ws.close();
      else ws.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new TokenCheckError(`Home Assistant at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
    ws.on("error", (err) => finish(() => reject(new TokenCheckError(`cannot reach Home Assistant at ${url}: ${err.message}`))));
    ws.on("close", () => finish(() => reject(new TokenCheckError(`Home Assistant at ${url} closed the connection`))));
    ws.on("message", (data: WebSocket.RawData) => {
      let message: { type?: unknown; id?: unknown; ha_version?: unknown; success?: unknown; result?: unknown; error?: { message?: unknown } };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        finish(() => reject(new TokenCheckError(`Home Assistant at ${url} sent something that is not JSON`)));
        return;
      }
      if (typeof message.ha_version === "string") haVersion = message.ha_version;
      if (message.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
      else if (message.type === "auth_invalid") finish(() => resolve({ user: null, haVersion }));
      else if (message.type === "auth_ok") ws.send(JSON.stringify({ id: 1, type: "auth/current_user" }));
      else if (message.type === "result" && message.id === 1) {
        const user = message.result as { id?: unknown; name?: unknown; is_admin?: unknown } | null;
        if (message.success === true && user && typeof user.id === "string" && typeof user.is_admin === "boolean") {
          const name = typeof user.name === "string" ? user.name : user.id;
          finish(() => resolve({ user: { userId: user.id as string, name, isAdmin: user.is_admin as boolean }, haVersion }));
        } else {
          finish(() => reject(new TokenCheckError(`Home Assistant did not answer auth/current_user: ${String(message.error?.message ?? "unexpected result")}`)));
        }
      }
    });
  });
}

export interface HaTokenValidatorOptions {
  /** HA's base URL or websocket URL. */
  url: string;
  /** How long an accepted token is trusted without asking HA again. */
  ttlMs?: number;
  /** How long a refused token is refused without asking HA again. */
  invalidTtlMs?: number;
  /** Per check. */
  timeoutMs?: number;
  /** Checks of tokens not in the cache per second, and at once. */
  checksPerSecond?: number;
  checksBurst?: number;
  maxEntries?: number;
  now?: () => number;
  /** Replaces the check against HA (tests). */
  check?: (token: string) => Promise<TokenCheck>;
}

export interface HaTokenValidator {
  validate: ValidateToken;
  /** The HA version seen by the latest check, null before the first. */
  haVersion(): string | null;
  /** Forgets every cached answer. */
  clear(): void;
}

interface CacheEntry {
  user: ApiUser | null;
  until: number;
  /** When HA gave this answer. */
  at: number;
}

export function createHaTokenValidator(opts: HaTokenValidatorOptions): HaTokenValidator {
  const ttlMs = opts.ttlMs ?? 60_000;
  const invalidTtlMs = opts.invalidTtlMs ?? 10_000;
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  const check = opts.check ?? ((token: string) => checkTokenWithHa(opts.url, token, opts.timeoutMs));
  const budget = new TokenBucket(opts.checksPerSecond ?? 5, opts.checksBurst ?? 20, now());
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<ApiUser | null>>();
  let haVersion: string | null = null;

  const remember = (key: string, entry: CacheEntry): void => {
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };

  const validate: ValidateToken = async (token, validateOpts) => {
    const t = now();
    const expiry = jwtExpiry(token);
    if (expiry === undefined || (expiry !== null && expiry <= t)) return null;
    const key = createHash("sha256").update(token).digest("hex");
    const cached = cache.get(key);
    const maxAge = validateOpts?.maxAgeMs;
    if (cached && cached.until > t && (maxAge === undefined || t - cached.at <= maxAge)) return cached.user;
    if (cached) cache.delete(key);
    const running = inFlight.get(key);
    if (running) return running;
    if (!budget.take(t)) throw new TokenCheckError("too many token checks at once; try again in a few seconds");
    const pending = check(token)
      .then((res) => {
        if (res.haVersion) haVersion = res.haVersion;
        const life = res.user ? ttlMs : invalidTtlMs;
        remember(key, { user: res.user, at: now(), until: Math.min(now() + life, expiry ?? Number.POSITIVE_INFINITY) });
        return res.user;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
    return pending;
  };

  return {
    validate,
    haVersion: () => haVersion,
    clear: () => cache.clear(),
  };
}
