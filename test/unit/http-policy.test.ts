import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { z } from "zod";
import {
  type HttpAttempt,
  type HttpAuth,
  type HttpClientOptions,
  backoffDelayMs,
  createHttpClient,
  retryAfterMs,
} from "../../server/src/providers/http.js";
import { ProviderError, type ProviderErrorKind, REDACTED, redactSecrets } from "../../server/src/providers/errors.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, call: number, body: string) => void;

/** A real loopback server whose answer to the n-th call (1-based) is decided by `handler`. */
async function withServer(handler: Handler, run: (url: string, calls: () => number) => Promise<void>): Promise<void> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => handler(req, res, ++calls, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}/api/thing`, () => calls);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function reply(res: http.ServerResponse, status: number, body = "{}", headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

/** A client whose sleeps are recorded and skipped, with jitter fixed at the middle of its range. */
function testClient(extra: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const attempts: HttpAttempt[] = [];
  const client = createHttpClient({
    provider: "testprov",
    timeoutMs: 30_000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    onAttempt: (a) => attempts.push(a),
    ...extra,
  });
  return { client, sleeps, attempts };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the request to fail");
}

function tokenAuth(tokens: string[]): HttpAuth & { refreshes: number; current: string } {
  return {
    refreshes: 0,
    current: tokens[0]!,
    apply(headers) {
      headers.set("authorization", this.current);
    },
    async refresh() {
      this.refreshes += 1;
      this.current = tokens[Math.min(this.refreshes, tokens.length - 1)]!;
    },
    secrets() {
      return [this.current];
    },
  };
}

test("5xx answers are retried with exponential backoff and full jitter, then succeed", async () => {
  await withServer(
    (_req, res, call) => (call < 3 ? reply(res, 503, "busy") : reply(res, 200, '{"ok":true}')),
    async (url, calls) => {
      const { client, sleeps, attempts } = testClient();
      const res = await client.request({ method: "GET", url });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ok: true });
      assert.equal(calls(), 3);
      assert.deepEqual(sleeps, [250, 500]);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.status]),
        [[1, 503], [2, 503], [3, 200]],
      );
      assert.equal(attempts[0]!.path, "/api/thing");
    },
  );
});

test("after 3 retries a 5xx becomes a retryable server error", async () => {
  await withServer(
    (_req, res) => reply(res, 502, "<html>Bad Gateway</html>"),
    async (url, calls) => {
      const { client, sleeps } = testClient();
      const err = await rejection(client.request({ method: "POST", url }));
      assert.equal(err.kind, "server");
      assert.equal(err.status, 502);
      assert.equal(err.retryable, true);
      assert.equal(err.provider, "testprov");
      assert.equal(calls(), 4);
      assert.deepEqual(sleeps, [250, 500, 1000]);
      assert.match(err.message, /^testprov: .*HTTP 502 on POST \/api\/thing.*4 attempts.*Bad Gateway.*next sync will try again/);
    },
  );
});

test("connections dropped by the server are network errors, retried", async () => {
  await withServer(
    (req, res, call) => (call < 2 ? req.socket.destroy() : reply(res, 200)),
    async (url, calls) => {
      const { client, sleeps, attempts } = testClient();
      assert.equal((await client.request({ method: "GET", url })).status, 200);
      assert.equal(calls(), 2);
      assert.equal(sleeps.length, 1);
      assert.equal(attempts[0]!.failure, "network");
    },
  );
});

test("an unreachable host ends as a network error that names the host and what to check", async () => {
  let deadUrl = "";
  await withServer(
    (_req, res) => reply(res, 200),
    async (url) => void (deadUrl = url),
  );
  const { client, sleeps } = testClient();
  const err = await rejection(client.request({ method: "GET", url: deadUrl }));
  assert.equal(err.kind, "network");
  assert.equal(err.retryable, true);
  assert.equal(sleeps.length, 3);
  assert.match(err.message, /could not reach 127\.0\.0\.1:\d+ .*ECONNREFUSED.*base_url/);
});

test("each attempt has its own timeout, and timeouts are retried", async () => {
  await withServer(
    // The first two calls are never answered (the server drops them at the end), so no delay can make one arrive in time.
    (_req, res, call) => (call < 3 ? undefined : reply(res, 200, "[]")),
    async (url, calls) => {
      // Long enough that the third call's answer arrives on a busy machine; the first two never do.
      const { client, sleeps, attempts } = testClient({ timeoutMs: 2000 });
      const res = await client.request({ method: "GET", url });
      assert.equal(res.text, "[]");
      assert.equal(calls(), 3);
      assert.equal(sleeps.length, 2);
      assert.deepEqual(
        attempts.map((a) => a.failure ?? a.status),
        ["timeout", "timeout", 200],
      );
    },
  );
});

test("a body that stalls past the timeout times out too, and ends as a timeout error", async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("["); // and never the rest
    },
    async (url, calls) => {
      const { client } = testClient({ timeoutMs: 200, retries: 1 });
      const err = await rejection(client.request({ method: "GET", url }));
      assert.equal(err.kind, "timeout");
      assert.equal(calls(), 2);
      assert.match(err.message, /no answer to GET \/api\/thing within 200 ms \(2 attempts\)/);
    },
  );
});

test("429 honours Retry-After in seconds and counts as a retry", async () => {
  await withServer(
    (_req, res, call) => (call === 1 ? reply(res, 429, "{}", { "retry-after": "7" }) : reply(res, 200)),
    async (url) => {
      const { client, sleeps } = testClient();
      assert.equal((await client.request({ method: "GET", url })).status, 200);
      assert.deepEqual(sleeps, [7000]);
    },
  );
});

test("429 honours Retry-After as an HTTP date against the response's Date, capped at maxDelayMs", async () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  await withServer(
    (_req, res, call) => {
      const after = call === 1 ? 12 : 3600;
      const headers = { date: new Date(now).toUTCString(), "retry-after": new Date(now + after * 1000).toUTCString() };
      if (call <= 2) reply(res, 429, "{}", headers);
      else reply(res, 200);
    },
    async (url) => {
      const { client, sleeps } = testClient({ maxDelayMs: 60_000 });
      await client.request({ method: "GET", url });
      assert.deepEqual(sleeps, [12_000, 60_000]);
    },
  );
});

test("429 without Retry-After backs off, and persistent 429 ends as rate_limited", async () => {
  await withServer(
    (_req, res) => reply(res, 429),
    async (url, calls) => {
      const { client, sleeps } = testClient();
      const err = await rejection(client.request({ method: "GET", url }));
      assert.equal(err.kind, "rate_limited");
      assert.equal(err.retryable, true);
      assert.equal(calls(), 4);
      assert.deepEqual(sleeps, [250, 500, 1000]);
    },
  );
});

test("401 refreshes the session once, then the retry succeeds", async () => {
  await withServer(
    (req, res) => (req.headers.authorization === "fresh" ? reply(res, 200, "[1]") : reply(res, 401)),
    async (url, calls) => {
      const { client, sleeps } = testClient();
      const auth = tokenAuth(["old", "fresh"]);
      const res = await client.request({ method: "GET", url, auth });
      assert.deepEqual(res.json(), [1]);
      assert.equal(auth.refreshes, 1);
      assert.equal(calls(), 2);
      assert.deepEqual(sleeps, [], "a re-authentication is not a backoff retry");
    },
  );
});

test("a second 401 after refreshing is an auth error; the session is refreshed only once", async () => {
  await withServer(
    (_req, res) => reply(res, 401, '{"message":"Unauthorized"}'),
    async (url, calls) => {
      const { client } = testClient();
      const auth = tokenAuth(["old", "new"]);
      const err = await rejection(client.request({ method: "GET", url, auth }));
      assert.equal(err.kind, "auth");
      assert.equal(err.status, 401);
      assert.equal(err.retryable, false);
      assert.equal(auth.refreshes, 1);
      assert.equal(calls(), 2);
      assert.match(err.message, /still unauthorised \(HTTP 401 on GET \/api\/thing\) right after logging in again/);
    },
  );
});

test("401 without an auth hook (a login) fails at once and says to check the credentials", async () => {
  await withServer(
    (_req, res) => reply(res, 401),
    async (url, calls) => {
      const err = await rejection(testClient().client.request({ method: "POST", url }));
      assert.equal(err.kind, "auth");
      assert.equal(calls(), 1);
      assert.match(err.message, /rejected the credentials.*Check the username and password/);
    },
  );
});

test("a provider's stale-token answer (502) refreshes the session, then succeeds", async () => {
  await withServer(
    (req, res) => (req.headers.authorization === "fresh" ? reply(res, 200) : reply(res, 502, '{"message":null}')),
    async (url, calls) => {
      const { client, sleeps } = testClient();
      const auth = { ...tokenAuth(["stale", "fresh"]), isStale: (status: number) => status === 502 };
      assert.equal((await client.request({ method: "POST", url, auth })).status, 200);
      assert.equal(auth.refreshes, 1);
      assert.equal(calls(), 2);
      assert.deepEqual(sleeps, []);
    },
  );
});

test("a stale-token answer that persists after refreshing is retried as a 5xx, then reported as stale_token", async () => {
  await withServer(
    (_req, res) => reply(res, 502),
    async (url, calls) => {
      const { client, sleeps } = testClient();
      const auth = { ...tokenAuth(["a", "b"]), isStale: (status: number) => status === 502 };
      const err = await rejection(client.request({ method: "POST", url, auth }));
      assert.equal(err.kind, "stale_token");
      assert.equal(err.retryable, true);
      assert.equal(auth.refreshes, 1);
      assert.equal(calls(), 5);
      assert.equal(sleeps.length, 3);
    },
  );
});

for (const [status, kind] of [
  [400, "client"],
  [403, "forbidden"],
  [404, "not_found"],
  [409, "client"],
] as [number, ProviderErrorKind][]) {
  test(`${status} is not retried and becomes a ${kind} error`, async () => {
    await withServer(
      (_req, res) => reply(res, status, '{"message":"nope"}'),
      async (url, calls) => {
        const { client, sleeps } = testClient();
        const auth = tokenAuth(["t"]);
        const err = await rejection(client.request({ method: "GET", url, auth }));
        assert.equal(err.kind, kind);
        assert.equal(err.status, status);
        assert.equal(err.retryable, false);
        assert.equal(calls(), 1);
        assert.deepEqual(sleeps, []);
        assert.equal(auth.refreshes, 0);
        assert.match(err.message, /"\{"message":"nope"\}"/, "quotes the body");
      },
    );
  });
}

test("secrets never appear in error messages, even when the server echoes them back encoded", async () => {
  const password = 'hunter2 "quoted" & co';
  const apiKey = "KEY-1234567890";
  await withServer(
    (req, res, _call, body) => {
      const echo = JSON.stringify({ headers: req.headers, body, url: req.url, form: new URLSearchParams({ password }).toString() });
      reply(res, req.url?.includes("server") ? 500 : 400, echo);
    },
    async (url) => {
      const { client } = testClient({ retries: 0 });
      const auth = tokenAuth(["TOKEN-abcdef"]);
      for (const target of [url, `${url}?server=1`]) {
        const err = await rejection(
          client.request({
            method: "POST",
            url: target,
            headers: { "x-api-key": apiKey },
            body: JSON.stringify({ username: "me@example.com", password }),
            auth,
            secrets: [password, apiKey],
          }),
        );
        for (const secret of [password, apiKey, "TOKEN-abcdef", "hunter2"]) {
          assert.ok(!err.message.includes(secret), `message leaks ${secret}: ${err.message}`);
        }
        assert.ok(err.message.includes(REDACTED));
      }
    },
  );
});

test("json() turns a garbled body or a wrong shape into a bad_response with a short redacted excerpt", async () => {
  await withServer(
    (req, res) => reply(res, 200, req.url?.includes("shape") ? '{"items":"SECRET-T"}' : `<html>${"x".repeat(500)} SECRET-T</html>`),
    async (url) => {
      const { client } = testClient();
      const garbled = await client.request({ method: "GET", url, secrets: ["SECRET-T"] });
      const err = await rejection(Promise.resolve().then(() => garbled.json()));
      assert.equal(err.kind, "bad_response");
      assert.equal(err.status, 200);
      assert.match(err.message, /is not JSON: "<html>x+…"/);
      assert.ok(err.message.length < 400);

      const shaped = await client.request({ method: "GET", url: `${url}?shape=1`, secrets: ["SECRET-T"] });
      const shapeErr = await rejection(Promise.resolve().then(() => shaped.json(z.object({ items: z.array(z.number()) }))));
      assert.match(shapeErr.message, /unexpected shape \(items: .*\)/);
      assert.ok(!shapeErr.message.includes("SECRET-T"));
      assert.deepEqual(shaped.json(z.object({ items: z.string() })), { items: "SECRET-T" });
    },
  );
});

test("an auth hook that throws something other than a ProviderError becomes an auth ProviderError", async () => {
  await withServer(
    (_req, res) => reply(res, 401),
    async (url) => {
      const auth: HttpAuth = {
        apply: () => undefined,
        refresh: async () => {
          throw new Error("disk full");
        },
      };
      const err = await rejection(testClient().client.request({ method: "GET", url, auth }));
      assert.equal(err.kind, "auth");
      assert.match(err.message, /disk full/);
    },
  );
});

test("an invalid URL is a client error without any attempt", async () => {
  const { client, attempts } = testClient();
  const err = await rejection(client.request({ method: "GET", url: "not a url" }));
  assert.equal(err.kind, "client");
  assert.equal(attempts.length, 0);
});

test("backoff stays within [0, min(max, base·2^n))", () => {
  fc.assert(
    fc.property(fc.nat(20), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (n, base, max, r) => {
      const delay = backoffDelayMs(n, base, max, () => r);
      return Number.isInteger(delay) && delay >= 0 && delay < Math.min(max, base * 2 ** n);
    }),
  );
});

test("Retry-After parses seconds and HTTP dates, and ignores what it cannot read", () => {
  const now = Date.UTC(2026, 5, 1);
  assert.equal(retryAfterMs("120", now), 120_000);
  assert.equal(retryAfterMs(" 1.5 ", now), 1500);
  assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
  assert.equal(retryAfterMs(new Date(now - 30_000).toUTCString(), now), 0);
  assert.equal(retryAfterMs("soon", now), undefined);
  assert.equal(retryAfterMs(null, now), undefined);
});

test("redactSecrets removes every occurrence of every secret", () => {
  const secretChars = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes("*"));
  fc.assert(
    fc.property(fc.array(fc.string()), secretChars, (parts, secret) => {
      return !redactSecrets(parts.join(secret), [secret]).includes(secret);
    }),
  );
});
