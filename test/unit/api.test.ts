import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import WebSocket, { WebSocketServer } from "ws";
import { checkTokenWithHa, createHaTokenValidator, jwtExpiry, TokenCheckError, type TokenCheck } from "../../server/src/api/ha-auth.js";
import { parseCommand } from "../../server/src/api/messages.js";
import type { ApiUser, ApiHandlers, ApiLimits, ApiServer, ApiServerOptions } from "../../server/src/api/server.js";
import { startApiServer } from "../../server/src/api/server.js";
import type { ServerMessage, StatusResult, SyncRunResult, UpdateEvent } from "../../server/src/api/protocol.js";
import { TokenBucket } from "../../server/src/api/rate-limit.js";
import { createRemotePolicy, normalizeRemoteAddress, SUPERVISOR_INGRESS_ADDRESS } from "../../server/src/api/remote-policy.js";

// ---- a fake HA user directory and handlers -------------------------------------------------------

const ADMIN: ApiUser = { userId: "u-admin", name: "Admin", isAdmin: true };
const RESIDENT: ApiUser = { userId: "u-res", name: "Resident", isAdmin: false };

/** "admin" and "resident" are good tokens; "expired" and anything else is refused; "ha-down" cannot be checked. */
async function fakeValidate(token: string): Promise<ApiUser | null> {
  await new Promise((r) => setImmediate(r));
  if (token === "admin") return ADMIN;
  if (token === "resident") return RESIDENT;
  if (token === "ha-down") throw new Error("cannot reach Home Assistant at ws://ha.invalid/api/websocket");
  return null;
}

const STATUS: StatusResult = {
  backend_version: "0.1.0",
  ha_version: "2026.11.0",
  now: "2026-04-10T00:00:00.000Z",
  next_check: "2026-04-10T06:00:00.000Z",
  sync_running: false,
  providers: [
    {
      provider: "contact",
      healthy: true,
      series: [{ account: "1350000001", resolution: "hour", covered_from: "2026-04-01", covered_to: "2026-04-08", last_success: "2026-04-10T00:00:00.000Z", last_attempt: "2026-04-10T00:00:00.000Z", consecutive_failures: 0, last_error: null }],
    },
  ],
  correlation: { enabled: false, running: false, whole_home_sensor: null, whole_home_source: null, tracked_entities: 0, recorded_until: null, devices: 0, problems: [] },
};

const SYNC_RESULT: SyncRunResult = { started_at: "2026-04-10T00:00:00.000Z", finished_at: "2026-04-10T00:00:01.000Z", ok: true, errors: [], published: [{ statistic_id: "energy_insights:contact_1350000001_paid_energy", rows: 24 }] };

function fakeHandlers(calls: { sync: ApiUser[] } = { sync: [] }): ApiHandlers {
  return {
    status: () => STATUS,
    devices: () => [],
    carbonForecast: () => [],
    correlations: () => [],
    runSync: async (user) => {
      calls.sync.push(user);
      return SYNC_RESULT;
    },
  };
}

async function withServer(
  run: (server: ApiServer, calls: { sync: ApiUser[] }) => Promise<void>,
  opts: { limits?: Partial<ApiLimits>; handlers?: ApiHandlers; validateToken?: ApiServerOptions["validateToken"]; allowedOrigins?: string[]; allowedRemoteAddresses?: string[]; log?: ApiServerOptions["log"] } = {},
): Promise<void> {
  const calls = { sync: [] as ApiUser[] };
  const server = await startApiServer({
    host: "127.0.0.1",
    port: 0,
    validateToken: opts.validateToken ?? fakeValidate,
    handlers: opts.handlers ?? fakeHandlers(calls),
    backendVersion: "0.1.0",
    haVersion: () => "2026.11.0",
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.allowedOrigins ? { allowedOrigins: opts.allowedOrigins } : {}),
    ...(opts.allowedRemoteAddresses ? { allowedRemoteAddresses: opts.allowedRemoteAddresses } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  try {
    await run(server, calls);
  } finally {
    await server.close();
  }
}

// ---- a test client -------------------------------------------------------------------------------

type Json = Record<string, unknown>;

class Client {
  readonly messages: ServerMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
    this.closed.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number, headers: Record<string, string> = {}, localAddress?: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/websocket`, { headers, ...(localAddress ? { localAddress } : {}) });
      const client = new Client(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Opens, reads auth_required, authenticates and returns auth_ok. */
  static async authed(port: number, token: string): Promise<Client> {
    const c = await Client.open(port);
    assert.equal((await c.next()).type, "auth_required");
    c.send({ type: "auth", access_token: token });
    const ok = await c.next();
    assert.equal(ok.type, "auth_ok", JSON.stringify(ok));
    return c;
  }

  send(message: Json | string): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Waits until `predicate` holds for a received message and takes it (and everything before it) off the queue. */
  async take(predicate: (m: ServerMessage) => boolean, timeoutMs = 30_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(predicate);
      if (i >= 0) return this.messages.splice(0, i + 1).at(-1)!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  next(): Promise<ServerMessage> {
    return this.take(() => true);
  }

  /** Sends a command with a fresh id and resolves with its result message. */
  async call(message: Json): Promise<ServerMessage & { type: "result" }> {
    const id = this.nextId++;
    this.send({ id, ...message });
    return (await this.take((m) => m.type === "result" && m.id === id)) as ServerMessage & { type: "result" };
  }

  close(): void {
    this.ws.close();
  }
}

function errorCode(m: ServerMessage): string | undefined {
  return m.type === "result" && !m.success ? m.error.code : undefined;
}

// ---- authentication ------------------------------------------------------------------------------

test("api: auth_required first, then auth_ok with the user and versions", async () => {
  await withServer(async ({ port }) => {
    const c = await Client.open(port);
    assert.deepEqual(await c.next(), { type: "auth_required", backend_version: "0.1.0" });
    c.send({ type: "auth", access_token: "resident" });
    assert.deepEqual(await c.next(), { type: "auth_ok", backend_version: "0.1.0", ha_version: "2026.11.0", user: { id: "u-res", name: "Resident", is_admin: false } });
    c.close();
  });
});

for (const [what, auth, code] of [
  ["a missing token", { type: "auth" }, "invalid_format"],
  ["an empty token", { type: "auth", access_token: "" }, "invalid_format"],
  ["a token that is not text", { type: "auth", access_token: 42 }, "invalid_format"],
  ["an invalid token", { type: "auth", access_token: "not-a-token" }, "invalid_token"],
  ["an expired token", { type: "auth", access_token: "expired" }, "invalid_token"],
  ["a command before auth", { id: 1, type: "status" }, "invalid_format"],
  ["not JSON before auth", "{nope", "invalid_format"],
  ["a token HA cannot check", { type: "auth", access_token: "ha-down" }, "ha_unavailable"],
] as const) {
  test(`api: ${what} is answered auth_invalid (${code}) and the connection closed`, async () => {
    await withServer(async ({ port }) => {
      const c = await Client.open(port);
      await c.next();
      c.send(auth as Json | string);
      const m = await c.next();
      assert.equal(m.type, "auth_invalid");
      assert.equal(m.type === "auth_invalid" && m.code, code);
      assert.equal((await c.closed).code, 1008);
    });
  });
}

test("api: a client that does not authenticate in time is told so and closed", async () => {
  await withServer(
    async ({ port }) => {
      const c = await Client.open(port);
      await c.next();
      const m = await c.next();
      assert.deepEqual(m, { type: "auth_invalid", code: "timeout", message: "no auth message within 0 s" });
      assert.equal((await c.closed).code, 1008);
    },
    { limits: { authTimeoutMs: 150 } },
  );
});

test("api: commands pipelined right after auth are answered once the token is validated", async () => {
  const slow = async (token: string) => {
    await new Promise((r) => setTimeout(r, 100));
    return fakeValidate(token);
  };
  await withServer(
    async ({ port }) => {
      const c = await Client.open(port);
      await c.next();
      c.send({ type: "auth", access_token: "resident" });
      c.send({ id: 1, type: "ping" });
      c.send({ id: 2, type: "status" });
      assert.equal((await c.next()).type, "auth_ok");
      assert.deepEqual(await c.next(), { id: 1, type: "result", success: true, result: "pong" });
      assert.deepEqual(await c.next(), { id: 2, type: "result", success: true, result: STATUS });
      c.close();
    },
    { validateToken: slow },
  );
});

// ---- authorisation -------------------------------------------------------------------------------

test("api: any HA user reads; only an administrator may run sync/run", async () => {
  await withServer(async ({ port }, calls) => {
    const resident = await Client.authed(port, "resident");
    assert.deepEqual(await resident.call({ type: "status" }), { id: 1, type: "result", success: true, result: STATUS });
    assert.deepEqual(await resident.call({ type: "devices/list" }), { id: 2, type: "result", success: true, result: [] });
    assert.deepEqual(await resident.call({ type: "correlations/list", limit: 5 }), { id: 3, type: "result", success: true, result: [] });
    const refused = await resident.call({ type: "sync/run" });
    assert.equal(errorCode(refused), "unauthorized");
    assert.equal(calls.sync.length, 0, "the sync never started");

    const admin = await Client.authed(port, "admin");
    assert.deepEqual(await admin.call({ type: "sync/run" }), { id: 1, type: "result", success: true, result: SYNC_RESULT });
    assert.deepEqual(calls.sync, [ADMIN]);
    resident.close();
    admin.close();
  });
});

// ---- malformed input -----------------------------------------------------------------------------

test("api: malformed messages are answered with clear errors and the connection stays usable", async () => {
  await withServer(async ({ port }) => {
    const c = await Client.authed(port, "resident");
    const cases: [Json | string, number | null, string, RegExp][] = [
      ["{not json", null, "invalid_format", /not valid JSON/],
      ["[1,2]", null, "invalid_format", /JSON object/],
      ["42", null, "invalid_format", /JSON object/],
      [{ type: "status" }, null, "invalid_format", /id: required/],
      [{ id: "7", type: "status" }, null, "invalid_format", /id: expected a positive integer/],
      [{ id: 1.5, type: "status" }, null, "invalid_format", /id/],
      [{ id: -3, type: "status" }, null, "invalid_format", /id/],
      [{ id: 10 }, 10, "invalid_format", /type: required/],
      [{ id: 11, type: "explode" }, 11, "unknown_command", /unknown command "explode"/],
      [{ id: 12, type: "correlations/list", limit: "many" }, 12, "invalid_format", /^limit: /],
      [{ id: 13, type: "correlations/list", limit: 5000 }, 13, "invalid_format", /^limit: expected an integer from 1 to 1000/],
      [{ id: 14, type: "correlations/list", since: "yesterday" }, 14, "invalid_format", /^since: expected an ISO 8601/],
      [{ id: 15, type: "status", extra: true }, 15, "invalid_format", /Unrecognized key: "extra"/],
      [{ id: 16, type: "unsubscribe" }, 16, "invalid_format", /^subscription: /],
      [{ id: 16, type: "status" }, 16, "id_reuse", /larger than every earlier id/],
      [{ id: 17, type: "auth", access_token: "admin" }, 17, "invalid_format", /already authenticated/],
    ];
    for (const [message, id, code, text] of cases) {
      c.send(message);
      const m = await c.next();
      assert.ok(m.type === "result" && !m.success, JSON.stringify(m));
      assert.equal(m.id, id, JSON.stringify(message));
      assert.equal(m.error.code, code, JSON.stringify(message));
      assert.match(m.error.message, text, JSON.stringify(message));
    }
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal(errorCode(await c.next()), "invalid_format");
    c.send({ id: 100, type: "status" });
    assert.deepEqual(await c.next(), { id: 100, type: "result", success: true, result: STATUS });
    c.close();
  });
});

test("api: an oversized message is answered message_too_large and the connection closed (1009); a huge one is cut off; the server goes on", async () => {
  await withServer(async ({ port }) => {
    const c = await Client.authed(port, "resident");
    c.send({ id: 1, type: "status", padding: "x".repeat(64 * 1024) });
    const m = await c.next();
    assert.equal(errorCode(m), "message_too_large");
    assert.equal((await c.closed).code, 1009);

    const huge = await Client.open(port);
    await huge.next();
    huge.send("y".repeat(2 * 1024 * 1024));
    assert.equal((await huge.closed).code, 1009);

    const after = await Client.authed(port, "resident");
    assert.equal((await after.call({ type: "status" })).success, true);
    after.close();
  });
});

test("api: a handler that throws is answered internal_error; the connection stays", async () => {
  const handlers = { ...fakeHandlers(), devices: () => { throw new Error("the engine is not ready"); } };
  await withServer(
    async ({ port }) => {
      const c = await Client.authed(port, "resident");
      const m = await c.call({ type: "devices/list" });
      assert.ok(m.type === "result" && !m.success);
      assert.deepEqual(m.error, { code: "internal_error", message: "devices/list failed: the engine is not ready" });
      assert.equal((await c.call({ type: "ping" })).success, true);
      c.close();
    },
    { handlers },
  );
});

// ---- limits --------------------------------------------------------------------------------------

test("api: rate limiting refuses messages over the budget, and closes a connection that keeps flooding", async () => {
  await withServer(
    async ({ port }) => {
      const c = await Client.authed(port, "resident");
      for (let id = 1; id <= 8; id++) c.send({ id, type: "ping" });
      const answers: ServerMessage[] = [];
      for (let i = 0; i < 8; i++) answers.push(await c.next());
      const limited = answers.filter((m) => errorCode(m) === "rate_limited");
      // auth took one token of 5: four pings pass, the other four are refused, each with its own id.
      assert.equal(answers.length - limited.length, 4);
      assert.deepEqual(limited.map((m) => m.type === "result" && m.id), [5, 6, 7, 8]);

      for (let id = 9; id <= 30; id++) c.send({ id, type: "ping" });
      assert.equal((await c.closed).code, 1008, "flooding closes the connection");
    },
    { limits: { burst: 5, ratePerSecond: 0.5, maxRateViolations: 10 } },
  );
});

test("api: at most maxConnections at once; a slot frees when a client leaves", async () => {
  await withServer(
    async ({ port }) => {
      const a = await Client.open(port);
      const b = await Client.open(port);
      await assert.rejects(Client.open(port), /HTTP 503/);
      a.close();
      await a.closed;
      // The server frees the slot when it sees the close, which may be a moment after the client does.
      let c: Client | undefined;
      for (const deadline = Date.now() + 30_000; !c; ) {
        c = await Client.open(port).catch((err: unknown) => {
          if (Date.now() > deadline) throw err;
          return new Promise<undefined>((r) => setTimeout(() => r(undefined), 20));
        });
      }
      b.close();
      c.close();
    },
    { limits: { maxConnections: 2 } },
  );
});

test("api: with allowedOrigins, other browser origins are refused (403); clients without an Origin are let in to authenticate", async () => {
  await withServer(
    async ({ port }) => {
      await assert.rejects(Client.open(port, { Origin: "https://evil.example" }), /HTTP 403/);
      const ok = await Client.open(port, { Origin: "https://HA.example.org/" });
      const script = await Client.open(port);
      ok.close();
      script.close();
    },
    { allowedOrigins: ["https://ha.example.org"] },
  );
});

/** Records what the server logs, to check what it says and that no secret is in it. */
function recordingLog(): { lines: { level: string; obj: object; msg: string }[]; log: NonNullable<ApiServerOptions["log"]> } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

// Linux routes all of 127.0.0.0/8 to loopback, so a client can pick its source address there.
test("api: with allowedRemoteAddresses, other client addresses are refused (403) and logged once each; allowed ones authenticate", async () => {
  const { lines, log } = recordingLog();
  await withServer(
    async ({ port }) => {
      await assert.rejects(Client.open(port, {}, "127.0.0.1"), /HTTP 403/);
      await assert.rejects(Client.open(port, {}, "127.0.0.1"), /HTTP 403/);
      await assert.rejects(Client.open(port, {}, "127.0.0.3"), /HTTP 403/);
      const plain = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(plain.status, 403, "plain HTTP from a refused address gets nothing either");
      const c = await Client.open(port, {}, "127.0.0.2");
      assert.equal((await c.next()).type, "auth_required");
      c.send({ type: "auth", access_token: "admin" });
      assert.equal((await c.next()).type, "auth_ok");
      assert.equal(((await c.call({ type: "ping" })) as { result?: unknown }).result, "pong");
      c.close();
    },
    { allowedRemoteAddresses: ["127.0.0.2"], log },
  );
  const refusals = lines.filter((l) => l.level === "warn" && /not allowed refused/.test(l.msg));
  assert.deepEqual(
    refusals.map((l) => (l.obj as { remote: string }).remote),
    ["127.0.0.1", "127.0.0.3"],
    "each refused address is logged once, by address",
  );
  assert.match(refusals[0]!.msg, /ingress proxy/);
});

test("api: without allowedRemoteAddresses any client address connects", async () => {
  await withServer(async ({ port }) => {
    for (const local of ["127.0.0.1", "127.0.0.2"]) {
      const c = await Client.open(port, {}, local);
      assert.equal((await c.next()).type, "auth_required", local);
      c.close();
    }
  });
});

test("api remote policy: IPv4-mapped IPv6 peers match their IPv4 address; a non-address in the list is refused at start", () => {
  const policy = createRemotePolicy([SUPERVISOR_INGRESS_ADDRESS]);
  assert.equal(policy.allows("::ffff:172.30.32.2"), true);
  assert.equal(policy.allows("172.30.32.2"), true);
  assert.equal(policy.allows("172.30.32.1"), false);
  assert.equal(policy.allows(undefined), false, "a socket without an address (already gone) is not let in");
  assert.equal(createRemotePolicy(undefined).allows("203.0.113.9"), true);
  assert.equal(normalizeRemoteAddress("FE80::1"), "fe80::1");
  assert.throws(() => createRemotePolicy(["supervisor"]), /must be IP addresses; not: supervisor/);
  assert.equal(policy.firstRefusal("10.0.0.1"), true);
  assert.equal(policy.firstRefusal("::ffff:10.0.0.1"), false, "the same address in another spelling is not logged again");
});

test("api: plain HTTP is answered 426 without CORS headers", async () => {
  await withServer(async ({ port }) => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Origin: "https://evil.example" } });
    assert.equal(res.status, 426);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});

// ---- subscriptions -------------------------------------------------------------------------------

test("api: subscriptions receive events until unsubscribed", async () => {
  await withServer(
    async (server) => {
      const c = await Client.authed(server.port, "resident");
      const other = await Client.authed(server.port, "admin");
      assert.deepEqual(await c.call({ type: "subscribe_updates" }), { id: 1, type: "result", success: true, result: null });
      const event: UpdateEvent = { type: "correlations_updated", at: "2026-04-10T00:00:00.000Z", devices: 3 };
      server.publish(event);
      assert.deepEqual(await c.next(), { id: 1, type: "event", event });

      assert.deepEqual(await c.call({ type: "unsubscribe", subscription: 1 }), { id: 2, type: "result", success: true, result: null });
      server.publish({ type: "status_changed", status: STATUS });
      assert.deepEqual(await c.call({ type: "ping" }), { id: 3, type: "result", success: true, result: "pong" }, "no event after unsubscribing");
      assert.equal(errorCode(await c.call({ type: "unsubscribe", subscription: 1 })), "not_found");
      assert.equal(errorCode(await c.call({ type: "subscribe_updates" })), undefined);
      assert.equal(errorCode(await c.call({ type: "subscribe_updates" })), "too_many_subscriptions");
      assert.equal(other.messages.length, 0, "a connection without a subscription gets no events");
      c.close();
      other.close();
    },
    { limits: { maxSubscriptions: 1 } },
  );
});

// ---- fuzz ----------------------------------------------------------------------------------------

const COMMAND_NAMES = ["ping", "status", "correlations/list", "devices/list", "sync/run", "subscribe_updates", "unsubscribe", "auth", "", "Status", "sync/run/", "x".repeat(300)];
const anyJson = fc.jsonValue({ maxDepth: 3 });
const fuzzMessage: fc.Arbitrary<string> = fc.oneof(
  anyJson.map((v) => JSON.stringify(v) ?? "null"),
  fc.string({ maxLength: 120, unit: "binary" }),
  fc
    .record(
      {
        id: fc.oneof(fc.integer(), fc.nat({ max: 1_000_000 }), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null), anyJson),
        type: fc.oneof(fc.constantFrom(...COMMAND_NAMES), anyJson),
        entity_id: fc.oneof(fc.string({ maxLength: 30 }), anyJson),
        since: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 30 }), anyJson),
        limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), anyJson),
        subscription: fc.oneof(fc.nat({ max: 1_000_000 }), anyJson),
        access_token: fc.oneof(fc.constantFrom("admin", "resident", "expired"), fc.string({ maxLength: 30 })),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

test("api fuzz: thousands of random messages are each answered exactly once, and the server still answers status", { timeout: 120_000 }, async () => {
  await withServer(
    async ({ port }) => {
      // Authenticated connections: every message gets exactly one `result` (subscriptions get no events here).
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzMessage, { minLength: 100, maxLength: 200 }), fc.boolean(), async (messages, admin) => {
          const c = await Client.authed(port, admin ? "admin" : "resident");
          try {
            for (const m of messages) c.send(m);
            for (let i = 0; i < messages.length; i++) {
              const answer = await c.next();
              assert.equal(answer.type, "result", JSON.stringify(answer));
            }
            await new Promise((r) => setTimeout(r, 5));
            assert.deepEqual(c.messages, [], "no extra answers");
          } finally {
            c.close();
          }
        }),
        { numRuns: 25 },
      );
      // First messages: anything but a good auth is refused with auth_invalid, never a crash.
      await fc.assert(
        fc.asyncProperty(fuzzMessage, async (first) => {
          const c = await Client.open(port);
          await c.next();
          c.send(first);
          const answer = await c.next();
          assert.ok(answer.type === "auth_invalid" || answer.type === "auth_ok", JSON.stringify(answer));
          c.close();
          await c.closed;
        }),
        { numRuns: 300 },
      );
      const after = await Client.authed(port, "resident");
      assert.deepEqual(await after.call({ type: "status" }), { id: 1, type: "result", success: true, result: STATUS });
      after.close();
    },
    { limits: { burst: 1_000_000, ratePerSecond: 1_000_000, maxConnections: 1000 } },
  );
});

// ---- pieces --------------------------------------------------------------------------------------

test("api messages: parseCommand checks the envelope before the fields", () => {
  assert.deepEqual(parseCommand({ id: 3, type: "correlations/list", entity_id: "switch.kettle", limit: 10 }, 2), {
    ok: true,
    command: { id: 3, type: "correlations/list", entity_id: "switch.kettle", limit: 10 },
  });
  assert.deepEqual(parseCommand({ id: 2, type: "nope" }, 2), { ok: false, id: 2, error: { code: "id_reuse", message: "id: must be larger than every earlier id of this connection (last was 2)" } });
});

test("api rate limit: a token bucket allows the burst, then the rate", () => {
  const bucket = new TokenBucket(2, 3, 0);
  assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
  assert.equal(bucket.take(400), false, "0.8 of a token after 400 ms");
  assert.equal(bucket.take(500), true, "one token after 500 ms");
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), false, "never more than the burst");
});

function jwt(payload: Json): string {
  const part = (v: Json) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(payload)}.c2lnbmF0dXJl`;
}

test("api ha-auth: answers are cached by token hash, refusals briefly, never past the token's expiry", async () => {
  let now = 1_000_000;
  const checked: string[] = [];
  const good = jwt({ iss: "a", exp: (now + 3600_000) / 1000 });
  const bad = jwt({ iss: "c", exp: (now + 3600_000) / 1000 });
  const check = async (token: string): Promise<TokenCheck> => {
    checked.push(token);
    return { user: token === bad ? null : ADMIN, haVersion: "2024.3.3" };
  };
  const v = createHaTokenValidator({ url: "http://ha.invalid:8123", ttlMs: 60_000, invalidTtlMs: 10_000, now: () => now, check });
  assert.equal(v.haVersion(), null);

  assert.equal(await v.validate("garbage"), null, "not a JWT: refused without asking HA");
  assert.equal(await v.validate(jwt({ exp: (now - 1000) / 1000 })), null, "expired: refused without asking HA");
  assert.equal(checked.length, 0);

  assert.deepEqual(await Promise.all([v.validate(good), v.validate(good)]), [ADMIN, ADMIN]);
  assert.equal(checked.length, 1, "concurrent checks of one token share one request");
  assert.equal(v.haVersion(), "2024.3.3");
  now += 59_000;
  assert.deepEqual(await v.validate(good), ADMIN);
  assert.equal(checked.length, 1, "cached within the TTL");
  now += 2_000;
  await v.validate(good);
  assert.equal(checked.length, 2, "asked again after the TTL");

  assert.equal(await v.validate(bad), null);
  assert.equal(await v.validate(bad), null);
  assert.equal(checked.length, 3, "a refusal is cached too");
  now += 11_000;
  await v.validate(bad);
  assert.equal(checked.length, 4, "…briefly");

  const shortLived = jwt({ iss: "b", exp: (now + 20_000) / 1000 });
  assert.deepEqual(await v.validate(shortLived), ADMIN);
  now += 20_000;
  assert.equal(await v.validate(shortLived), null, "refused at its own expiry, inside the cache TTL");
  assert.equal(checked.length, 5);
});

test("api ha-auth: a failed check is not cached and a flood of unknown tokens spends the check budget", async () => {
  let fail = true;
  let calls = 0;
  const check = async (): Promise<TokenCheck> => {
    calls += 1;
    if (fail) throw new TokenCheckError("HA is restarting");
    return { user: RESIDENT, haVersion: null };
  };
  const v = createHaTokenValidator({ url: "http://ha.invalid:8123", check, checksPerSecond: 1, checksBurst: 3, now: () => 0 });
  const token = jwt({ iss: "x" });
  await assert.rejects(v.validate(token), /HA is restarting/);
  fail = false;
  assert.deepEqual(await v.validate(token), RESIDENT, "asked again: the failure was not cached");
  await v.validate(jwt({ iss: "y" }));
  await assert.rejects(v.validate(jwt({ iss: "z" })), /too many token checks/);
  assert.equal(calls, 3);
  assert.deepEqual(await v.validate(token), RESIDENT, "cached tokens still pass while the budget is spent");
});

test("api ha-auth: jwtExpiry reads exp, tells JWTs without one, and rejects non-JWTs", () => {
  assert.equal(jwtExpiry(jwt({ exp: 1700000000 })), 1_700_000_000_000);
  assert.equal(jwtExpiry(jwt({ iss: "x" })), null);
  assert.equal(jwtExpiry("abc"), undefined);
  assert.equal(jwtExpiry("a.b.c"), undefined, "payload is not JSON");
});

/** A minimal stand-in for HA's websocket auth (the e2e test runs the real one). */
async function withFakeHa(run: (url: string) => Promise<void>): Promise<void> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => wss.once("listening", r));
  wss.on("connection", (ws) => {
    ws.send(JSON.stringify({ type: "auth_required", ha_version: "2024.3.3" }));
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Json;
      if (m.type === "auth") {
        if (m.access_token === "good") ws.send(JSON.stringify({ type: "auth_ok", ha_version: "2024.3.3" }));
        else {
          ws.send(JSON.stringify({ type: "auth_invalid", message: "Invalid access token or password" }));
          ws.close();
        }
      } else if (m.type === "auth/current_user") {
        ws.send(JSON.stringify({ id: m.id, type: "result", success: true, result: { id: "abc", name: "Test", is_owner: true, is_admin: true, credentials: [], mfa_modules: [] } }));
      }
    });
  });
  try {
    await run(`http://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
}

test("api ha-auth: checkTokenWithHa speaks HA's auth and auth/current_user; an unreachable HA throws", async () => {
  await withFakeHa(async (url) => {
    assert.deepEqual(await checkTokenWithHa(url, "good"), { user: { userId: "abc", name: "Test", isAdmin: true }, haVersion: "2024.3.3" });
    assert.deepEqual(await checkTokenWithHa(url, "bad"), { user: null, haVersion: "2024.3.3" });
  });
  await assert.rejects(checkTokenWithHa("http://127.0.0.1:1", "good", 2000), (err: unknown) => err instanceof TokenCheckError && /cannot reach Home Assistant/.test(err.message));
});

// ---- rights as current as HA's (issue 18) ------------------------------------------------------

test("api ha-auth: an admin command's answer is at most 5 s old; reads keep the 60 s cache", async () => {
  let now = 1_000_000;
  let admin = true;
  const checked: number[] = [];
  const token = jwt({ iss: "a", exp: (now + 3600_000) / 1000 });
  const v = createHaTokenValidator({ url: "http://ha.invalid:8123", now: () => now, check: async () => (checked.push(now), { user: { ...ADMIN, isAdmin: admin }, haVersion: null }) });
  assert.equal((await v.validate(token))!.isAdmin, true);
  admin = false; // demoted in HA
  now += 4_000;
  assert.equal((await v.validate(token, { maxAgeMs: 5_000 }))!.isAdmin, true, "an answer 4 s old is fresh enough");
  now += 2_000;
  assert.equal((await v.validate(token))!.isAdmin, true, "a read may use the 60 s cache");
  assert.equal((await v.validate(token, { maxAgeMs: 5_000 }))!.isAdmin, false, "an admin command asks HA again after 5 s");
  assert.equal(checked.length, 2);
});

/** A validator whose answers can change, as HA's do when a user is demoted or a token deleted. */
function changingValidator(): { validate: ApiServerOptions["validateToken"]; demote(): void; revoke(): void; asked: { maxAgeMs: number | undefined }[] } {
  let user: ApiUser | null = ADMIN;
  const asked: { maxAgeMs: number | undefined }[] = [];
  return {
    validate: async (_token, opts) => {
      asked.push({ maxAgeMs: opts?.maxAgeMs });
      await new Promise((r) => setImmediate(r));
      return user;
    },
    demote: () => (user = { ...ADMIN, isAdmin: false }),
    revoke: () => (user = null),
    asked,
  };
}

test("api: an admin demoted in HA can no longer run sync/run on a connection opened while admin", async () => {
  const ha = changingValidator();
  await withServer(
    async ({ port }, calls) => {
      const c = await Client.authed(port, "admin");
      assert.equal((await c.call({ type: "sync/run" })).success, true);
      ha.demote();
      const refused = await c.call({ type: "sync/run" });
      assert.equal(errorCode(refused), "unauthorized");
      assert.equal(calls.sync.length, 1, "the demoted user's command never ran");
      assert.ok(ha.asked.some((a) => a.maxAgeMs === 5_000), "admin commands ask for an answer at most 5 s old");
      assert.equal((await c.call({ type: "status" })).success, true, "reads stay allowed");
      c.close();
    },
    { validateToken: ha.validate },
  );
});

test("api: a token revoked in HA closes its open connection at the next re-check", async () => {
  const ha = changingValidator();
  await withServer(
    async ({ port }) => {
      const reader = await Client.authed(port, "admin");
      ha.revoke();
      const closed = await reader.closed;
      assert.equal(closed.code, 1008, "closed by the periodic re-check");
      assert.ok(reader.messages.some((m) => m.type === "auth_invalid"), "told why");
      await assert.rejects(Client.authed(port, "admin"), "a new connection with the token is refused");
    },
    { validateToken: ha.validate, limits: { revalidateMs: 50 } },
  );
});

test("api: a revoked token's sync/run is refused at once, and its connection closed", async () => {
  const ha = changingValidator();
  await withServer(
    async ({ port }, calls) => {
      const writer = await Client.authed(port, "admin");
      ha.revoke();
      const refused = await writer.call({ type: "sync/run" });
      assert.equal(errorCode(refused), "unauthorized");
      assert.equal((await writer.closed).code, 1008);
      assert.equal(calls.sync.length, 0);
    },
    { validateToken: ha.validate },
  );
});
