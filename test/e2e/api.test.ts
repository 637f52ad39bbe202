import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { checkTokenWithHa, createHaTokenValidator } from "../../server/src/api/ha-auth.js";
import type { CarbonForecastView, ServerMessage, SyncRunResult } from "../../server/src/api/protocol.js";
import { startApiServer, type ApiHandlers } from "../../server/src/api/server.js";
import { connectWebSocket, HA_VERSIONS, startHomeAssistant, type HaSocket, type RunningHa } from "../../dev/harness/ha.js";

// The backend API's user check against a real Home Assistant: the harness's admin token, a
// non-admin user created for the test (its token from HA's own login flow), a garbage token, and a
// deactivated user.

const RESIDENT = { name: "Resident", username: "resident", password: "resident-password" } as const;

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Creates a non-admin user with a password login and returns its id and an access token from HA's login flow. */
async function createResident(ha: RunningHa, admin: HaSocket): Promise<{ userId: string; token: string }> {
  const created = (await admin.call({ type: "config/auth/create", name: RESIDENT.name, group_ids: ["system-users"] })) as { user: { id: string } };
  const userId = created.user.id;
  await admin.call({ type: "config/auth_provider/homeassistant/create", user_id: userId, username: RESIDENT.username, password: RESIDENT.password });

  const clientId = `${ha.url}/`;
  const flow = await postJson(`${ha.url}/auth/login_flow`, { client_id: clientId, handler: ["homeassistant", null], redirect_uri: clientId });
  const done = await postJson(`${ha.url}/auth/login_flow/${String(flow.flow_id)}`, { client_id: clientId, username: RESIDENT.username, password: RESIDENT.password });
  assert.equal(done.type, "create_entry", JSON.stringify(done));
  const res = await fetch(`${ha.url}/auth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code: String(done.result), client_id: clientId }),
  });
  assert.equal(res.status, 200);
  const tokens = (await res.json()) as { access_token: string };
  return { userId, token: tokens.access_token };
}

/** Connects to the backend API, authenticates and sends one command; resolves with its answer. */
function callApi(port: number, token: string, command: Record<string, unknown>): Promise<ServerMessage[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const seen: ServerMessage[] = [];
    const timer = setTimeout(() => reject(new Error(`no answer: ${JSON.stringify(seen)}`)), 15_000);
    ws.on("error", reject);
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      seen.push(m);
      if (m.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
      else if (m.type === "auth_ok") ws.send(JSON.stringify({ id: 1, ...command }));
      else {
        clearTimeout(timer);
        ws.close();
        resolve(seen);
      }
    });
  });
}

const SYNC: SyncRunResult = { started_at: "2026-04-10T00:00:00.000Z", finished_at: "2026-04-10T00:00:00.000Z", ok: true, errors: [], published: [] };

const FORECAST: CarbonForecastView = {
  provider: "electricity_maps",
  region: "NZ",
  statistic_id: "energy_insights:electricity_maps_nz_carbon_intensity",
  unit: "gCO2eq/kWh",
  fetched_at: "2026-04-10T00:00:00.000Z",
  hours: [{ start: "2026-04-10T01:00:00.000Z", intensity: 81.5 }],
};

for (const version of HA_VERSIONS) {
  test(`backend API against Home Assistant ${version}: real tokens checked, admins and non-admins told apart`, { timeout: 600_000 }, async () => {
    const ha = await startHomeAssistant(version);
    let admin: HaSocket | undefined;
    try {
      const validator = createHaTokenValidator({ url: ha.url });
      const owner = await validator.validate(ha.token);
      assert.ok(owner && /^[0-9a-f]{32}$/.test(owner.userId), JSON.stringify(owner));
      assert.deepEqual(owner, { userId: owner.userId, name: "Test", isAdmin: true });
      assert.equal(validator.haVersion(), version);

      const forged = `${ha.token.split(".").slice(0, 2).join(".")}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
      assert.deepEqual(await checkTokenWithHa(ha.url, forged), { user: null, haVersion: version }, "HA refuses a token with a forged signature");
      assert.equal(await validator.validate(forged), null);
      assert.equal(await validator.validate("garbage"), null);

      admin = await connectWebSocket(ha.wsUrl, ha.token);
      const resident = await createResident(ha, admin);
      assert.deepEqual(await validator.validate(resident.token), { userId: resident.userId, name: RESIDENT.name, isAdmin: false });

      // The whole path: the API server with the production validator.
      const syncs: string[] = [];
      const handlers: ApiHandlers = {
        status: () => {
          throw new Error("not used");
        },
        devices: () => [],
        carbonForecast: () => [FORECAST],
        correlations: () => [],
        runSync: async (user) => {
          syncs.push(user.name);
          return SYNC;
        },
      };
      const server = await startApiServer({ host: "127.0.0.1", port: 0, validateToken: validator.validate, handlers, backendVersion: "test", haVersion: validator.haVersion });
      try {
        const asResident = await callApi(server.port, resident.token, { type: "sync/run" });
        assert.deepEqual(asResident[1], { type: "auth_ok", backend_version: "test", ha_version: version, user: { id: resident.userId, name: RESIDENT.name, is_admin: false } });
        assert.equal(asResident[2]?.type === "result" && !asResident[2].success && asResident[2].error.code, "unauthorized");
        const asAdmin = await callApi(server.port, ha.token, { type: "sync/run" });
        assert.deepEqual(asAdmin[2], { id: 1, type: "result", success: true, result: SYNC });
        assert.deepEqual(syncs, ["Test"], "only the administrator's sync ran");
        const forecast = await callApi(server.port, resident.token, { type: "carbon/forecast" });
        assert.deepEqual(forecast[2], { id: 1, type: "result", success: true, result: [FORECAST] }, "any user reads the carbon forecast");
        const asForger = await callApi(server.port, forged, { type: "devices/list" });
        assert.equal(asForger[1]?.type === "auth_invalid" && asForger[1].code, "invalid_token");
      } finally {
        await server.close();
      }

      // A deactivated user's token is refused once the cached answer has expired.
      await admin.call({ type: "config/auth/update", user_id: resident.userId, is_active: false });
      validator.clear();
      assert.equal(await validator.validate(resident.token), null);
    } finally {
      admin?.close();
      await ha.stop();
    }
  });
}

/** An open, authenticated connection to the backend API that can send several commands. */
async function openApi(port: number, token: string): Promise<{ call(command: Record<string, unknown>): Promise<ServerMessage>; closed: Promise<number>; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const waiting = new Map<number, (m: ServerMessage) => void>();
  let nextId = 1;
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
      else if (m.type === "auth_ok") resolve();
      else if (m.type === "auth_invalid") reject(new Error(`auth_invalid: ${m.message}`));
      else if (m.type === "result" && m.id !== null) waiting.get(m.id)?.(m);
    });
  });
  return {
    call: (command) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, ...command }));
      }),
    closed,
    close: () => ws.close(),
  };
}

test("backend API against Home Assistant 2026.11.0: a demotion ends admin rights at the next command, a deleted token closes its connection", { timeout: 600_000 }, async () => {
  const ha = await startHomeAssistant("2026.11.0");
  let admin: HaSocket | undefined;
  try {
    admin = await connectWebSocket(ha.wsUrl, ha.token);
    const deputy = await createResident(ha, admin);
    await admin.call({ type: "config/auth/update", user_id: deputy.userId, group_ids: ["system-admin"] });
    const validator = createHaTokenValidator({ url: ha.url });
    const syncs: string[] = [];
    const handlers: ApiHandlers = {
      status: () => {
        throw new Error("not used");
      },
      devices: () => [],
      carbonForecast: () => [],
      correlations: () => [],
      runSync: async (user) => {
        syncs.push(user.name);
        return SYNC;
      },
    };
    // Re-checks every 2 s instead of 30 s, so the test waits seconds, not a minute.
    const server = await startApiServer({ host: "127.0.0.1", port: 0, validateToken: validator.validate, handlers, backendVersion: "test", limits: { revalidateMs: 2_000 } });
    try {
      const old = await openApi(server.port, deputy.token);
      const ran = await old.call({ type: "sync/run" });
      assert.ok(ran.type === "result" && ran.success, JSON.stringify(ran));

      // Demoted in HA: the next admin command on the old connection and on a new one is refused,
      // although the validator still holds the "admin" answer in its 60 s cache.
      await admin.call({ type: "config/auth/update", user_id: deputy.userId, group_ids: ["system-users"] });
      await new Promise((r) => setTimeout(r, 5_100));
      const onOld = await old.call({ type: "sync/run" });
      assert.equal(onOld.type === "result" && !onOld.success && onOld.error.code, "unauthorized", JSON.stringify(onOld));
      const fresh = await openApi(server.port, deputy.token);
      const onNew = await fresh.call({ type: "sync/run" });
      assert.equal(onNew.type === "result" && !onNew.success && onNew.error.code, "unauthorized", JSON.stringify(onNew));
      assert.deepEqual(syncs, [RESIDENT.name], "only the sync before the demotion ran");
      old.close();
      fresh.close();

      // A long-lived token deleted in HA: its open connection is closed at the next re-check, and a new one refused.
      const token = (await admin.call({ type: "auth/long_lived_access_token", client_name: "energy-insights-e2e-revoke", lifespan: 1 })) as string;
      const open = await openApi(server.port, token);
      const refreshTokens = (await admin.call({ type: "auth/refresh_tokens" })) as { id: string; client_name: string | null }[];
      const id = refreshTokens.find((t) => t.client_name === "energy-insights-e2e-revoke")!.id;
      await admin.call({ type: "auth/delete_refresh_token", refresh_token_id: id });
      assert.equal(await open.closed, 1008, "closed once HA refused the token");
      await assert.rejects(openApi(server.port, token), /auth_invalid/);
    } finally {
      await server.close();
    }
  } finally {
    admin?.close();
    await ha.stop();
  }
});
