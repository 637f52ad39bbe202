/**
 * Issue 3's acceptance for the providers, without HA: the real backend (config, HTTP policy, clients,
 * carbon jobs, store) against the WattTime and Electricity Maps simulators, on an injected clock.
 */
import { carbonSeries } from "../../server/src/statistics/ids.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../server/src/config/index.js";
import { providerStatuses } from "../../server/src/api/views.js";
import { lbsPerMwhToGPerKwh } from "../../server/src/providers/watttime/constants.js";
import { startWattTimeSimulator, moerLbsPerMwh, WATTTIME_SIM_USER, type WattTimeSimulator } from "../../server/src/simulate/watttime/server.js";
import { startElectricityMapsSimulator, intensityAt, ELECTRICITY_MAPS_SIM_TOKEN, type ElectricityMapsSimulator } from "../../server/src/simulate/electricitymaps/server.js";

import { ManualClock } from "../../server/src/time/clock.js";
import { testBackend } from "../helpers/backend.js";
import { CarbonSync } from "../../server/src/sync/carbon-service.js";
import { runHealth } from "../../server/src/cli/health.js";

const START = Date.parse("2026-04-10T00:00:00Z");

function config(wt: WattTimeSimulator | undefined, em: ElectricityMapsSimulator | undefined, extra: { region?: string; zone?: string; wtInterval?: string; emToken?: string } = {}) {
  return parseConfig(
    {
      home_assistant: { url: "http://127.0.0.1:1", token: "test-token-not-used" },
      store: { path: join(mkdtempSync(join(tmpdir(), "ei-carbon-")), "cache.db") },
      ...(wt ? { watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: WATTTIME_SIM_USER.password, region: extra.region ?? "CAISO_NORTH", check_interval: extra.wtInterval ?? "10m" } } : {}),
      ...(em ? { electricity_maps: { base_url: em.url, token: extra.emToken ?? ELECTRICITY_MAPS_SIM_TOKEN, zone: extra.zone ?? "NZ-NZN", check_interval: "1h" } } : {}),
    },
    {},
  );
}

async function sims(clock: ManualClock) {
  return { wt: await startWattTimeSimulator({ clock }), em: await startElectricityMapsSimulator({ clock }) };
}

test("24 simulated hours with 30-minute tokens: no fetch fails on expiry, at most one login per 25 minutes, a continuous hourly record from both", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const { app } = testBackend(config(wt, em), clock);
  try {
    for (let t = 0; t <= 24 * 60; t += 5) {
      clock.set(START + t * 60_000);
      const res = await app.service.sourcesOf(CarbonSync)[0]!.readDue();
      assert.deepEqual(res.errors, [], `at +${t} min`);
    }
    const logins = wt.requestLog.filter((r) => r.path === "/login");
    const data = wt.requestLog.filter((r) => r.path !== "/login");
    assert.ok(data.length >= 140, `${data.length} WattTime data calls`);
    assert.deepEqual(data.filter((r) => r.status !== 200).map((r) => `${r.path} ${r.status}`), [], "no data call refused");
    assert.equal(data.filter((r) => r.expiredToken).length, 0, "no request carried an expired token");
    for (let i = 1; i < logins.length; i += 1) assert.ok(logins[i]!.at - logins[i - 1]!.at >= 25 * 60_000, `logins ${i - 1} and ${i} ${(logins[i]!.at - logins[i - 1]!.at) / 60_000} min apart`);
    assert.ok(logins.length <= Math.ceil((24 * 60) / 25) + 1, `${logins.length} logins`);
    const health = app.service.health().flatMap((h) => h.carbon ?? []);
    const w = health.find((h) => h.provider === "watttime")!;
    assert.equal(w.tokenRefreshes, logins.length - 1);
    assert.equal(w.consecutiveFailures, 0);
    assert.equal(w.planScope, "co2_moer historical and forecast in CAISO_NORTH");

    // Continuous: every hour of the day is stored, with the simulator's values converted to g/kWh.
    const wtHours = app.store.readings(carbonSeries("watttime", "CAISO_NORTH", "intensity").mean, "hour", START / 1000, START / 1000 + 86400);
    assert.equal(wtHours.length, 24);
    const h0 = START / 1000 + 5 * 3600;
    const expected = Array.from({ length: 12 }, (_, i) => lbsPerMwhToGPerKwh(moerLbsPerMwh("CAISO_NORTH", h0 + i * 300)));
    const got = wtHours.find((r) => r.start === h0)!.value;
    assert.ok(Math.abs(got - expected.reduce((a, b) => a + b) / 12) < 1e-6, `${got}`);
    const emHours = app.store.readings(carbonSeries("electricity_maps", "NZ-NZN", "intensity").mean, "hour", START / 1000, START / 1000 + 86400);
    assert.equal(emHours.length, 24, "hourly reads keep the 24-hour history continuous");
    for (const r of emHours) assert.equal(r.value, intensityAt("NZ-NZN", r.start));
    // Electricity Maps runs hourly, independent of WattTime's 10 minutes and Contact's 6 hours.
    const emCalls = em.requestLog.filter((r) => r.path.endsWith("/history"));
    assert.ok(emCalls.length >= 24 && emCalls.length <= 26, `${emCalls.length} history calls`);
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
});

test("an expired token answered with nginx's HTML 403 (or 401) is renewed once and the fetch succeeds", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const { app } = testBackend(config(wt, undefined), clock);
  try {
    assert.deepEqual((await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors, []);
    for (const as401 of [false, true]) {
      wt.setFaults({ expiredToken: { count: 1 }, expiredAs401: as401 });
      clock.advance(10 * 60_000);
      assert.deepEqual((await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors, []);
    }
    assert.equal(app.service.health().flatMap((h) => h.carbon ?? [])[0]!.tokenRefreshes, 2, JSON.stringify(wt.requestLog.map((r) => [r.path, r.status, (r.at - START) / 60000])));
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
});

test("each fault gives its own message in the log and status, and never stops the other provider", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const { app, logs } = testBackend(config(wt, em), clock);
  const cases: [string, () => void, RegExp][] = [
    ["429", () => wt.setFaults({ rateLimit: { count: 10, on: "historical", retryAfterSec: 1 } }), /limiting requests \(HTTP 429 on GET \/v3\/historical/],
    ["5xx", () => wt.setFaults({ serverError: { count: 10, on: "historical", status: 502 } }), /server failed \(HTTP 502 on GET \/v3\/historical, 4 attempts\)/],
    ["malformed", () => wt.setFaults({ malformedBody: { count: 1, on: "historical" } }), /answer to GET \/v3\/historical is not JSON/],
    ["stale forever", () => wt.setFaults({ expiredToken: { count: 10, on: "historical" } }), /kept answering HTTP 403 on GET \/v3\/historical even after logging in again/],
  ];
  try {
    assert.deepEqual((await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors, []);
    for (const [name, inject, message] of cases) {
      wt.clearFaults();
      inject();
      clock.advance(61 * 60_000);
      const res = await app.service.sourcesOf(CarbonSync)[0]!.readDue();
      assert.equal(res.errors.length, 1, `${name}: ${res.errors.join("; ")}`);
      assert.match(res.errors[0]!, message, name);
      assert.match(logs.text, message, `${name} in the log`);
      const status = providerStatuses(app.store.allSyncStates(), app.service.health().flatMap((h) => h.carbon ?? []));
      const w = status.find((p) => p.provider === "watttime")!;
      assert.equal(w.healthy, false);
      assert.match(w.health!.last_error!, message);
      const e = status.find((p) => p.provider === "electricity_maps")!;
      assert.equal(e.healthy, true, `${name}: Electricity Maps goes on`);
      assert.equal(e.health!.consecutive_failures, 0);
    }
    wt.clearFaults();
    em.setFaults({ serverError: { count: 10, status: 503 } });
    clock.advance(61 * 60_000);
    const res = await app.service.sourcesOf(CarbonSync)[0]!.readDue();
    assert.equal(res.errors.length, 1);
    assert.match(res.errors[0]!, /Electricity Maps: electricity_maps: the provider's server failed \(HTTP 503/);
    const w = app.service.health().flatMap((h) => h.carbon ?? []).find((h) => h.provider === "watttime")!;
    assert.equal(w.consecutiveFailures, 0, "WattTime recovered and goes on");
    assert.ok(w.successes / w.attempts < 1 && w.successes >= 2);
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
});

test("start checks: a region outside the plan falls back to the labelled percentile and says what the plan allows", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const { app, logs } = testBackend(config(wt, undefined, { region: "PSCO" }), clock);
  try {
    assert.deepEqual((await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors, []);
    const h = app.service.health().flatMap((h) => h.carbon ?? [])[0]!;
    assert.equal(h.signal, "percentile");
    assert.match(h.planScope!, /signal-index \(percentile\) only in PSCO.*Your plan allows: .*co2_moer in CAISO_NORTH \(v3\/historical, v3\/forecast, v3\/signal-index\).*Set watttime\.region to one of CAISO_NORTH/);
    assert.match(logs.text, /percentile statistic \(signal_index\), not as gCO2eq\/kWh/);
    assert.equal(app.store.readings(carbonSeries("watttime", "PSCO", "percentile").mean, "hour").length, 1);
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
});

test("start checks: an unknown region or zone, a location without coverage, or a bad key fails at start, says what to do, and stops only that provider", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const checks: [ReturnType<typeof config>, string, RegExp][] = [
    [config(wt, em, { region: "ATLANTIS" }), "watttime", /WattTime does not know region "ATLANTIS".*Set watttime\.region to a WattTime region such as CAISO_NORTH/],
    [config(wt, em, { zone: "XX-NOPE" }), "electricity_maps", /Electricity Maps has no data for zone XX-NOPE \(HTTP 404 on carbon-intensity\/latest\) \("Zone 'XX-NOPE' does not exist\."\)\. Set electricity_maps\.zone to a zone key/],
    [config(wt, em, { emToken: "wrong" }), "electricity_maps", /refused the API key \(HTTP 401.*"Invalid auth-token".*Check electricity_maps\.token/],
  ];
  try {
    for (const [cfg, provider, message] of checks) {
      const { app, logs } = testBackend(cfg, clock);
      const res = await app.service.sourcesOf(CarbonSync)[0]!.readDue();
      assert.equal(res.errors.length, 1, res.errors.join("; "));
      assert.match(res.errors[0]!, message);
      assert.match(logs.text, /cannot start: fix its settings and restart the backend/);
      const health = app.service.health().flatMap((h) => h.carbon ?? []);
      const bad = health.find((h) => h.provider === provider)!;
      assert.equal(bad.stopped, true);
      assert.match(bad.lastError!, message);
      const other = health.find((h) => h.provider !== provider)!;
      assert.equal(other.stopped, false);
      assert.equal(other.successes, 1, "the other provider went on");
      // Stopped: no further calls at later checks.
      const before = wt.requestLog.length + em.requestLog.length;
      clock.advance(2 * 3600_000);
      await app.service.sourcesOf(CarbonSync)[0]!.readDue();
      const calls = provider === "watttime" ? wt.requestLog.slice(before - em.requestLog.length) : [];
      assert.ok(calls.every((c) => c.path.startsWith("/v3/historical") || c.path === "/login" || c.path.startsWith("/v3/forecast")));
      app.close();
    }
    // region-from-loc 404: no coverage at the configured location.
    const noCoverage = parseConfig(
      {
        home_assistant: { url: "http://127.0.0.1:1", token: "t" },
        store: { path: join(mkdtempSync(join(tmpdir(), "ei-carbon-")), "cache.db") },
        watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: WATTTIME_SIM_USER.password, latitude: 0, longitude: 0 },
      },
      {},
    );
    const { app } = testBackend(noCoverage, clock);
    const res = await app.service.sourcesOf(CarbonSync)[0]!.readDue();
    assert.match(res.errors[0]!, /WattTime has no co2_moer coverage at latitude 0, longitude 0 \(HTTP 404 on region-from-loc\).*set watttime\.region/);
    app.close();
    // Wrong password: nginx 403 on /login.
    const badLogin = parseConfig(
      {
        home_assistant: { url: "http://127.0.0.1:1", token: "t" },
        store: { path: join(mkdtempSync(join(tmpdir(), "ei-carbon-")), "cache.db") },
        watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: "nope", region: "CAISO_NORTH" },
      },
      {},
    );
    const second = testBackend(badLogin, clock);
    const res2 = await second.app.service.sourcesOf(CarbonSync)[0]!.readDue();
    assert.match(res2.errors[0]!, /WattTime refused the username and password \(HTTP 403 on GET \/login\)\. Check watttime\.username and watttime\.password/);
    assert.ok(!second.logs.text.includes("nope"), "the password never reaches the log");
    second.app.close();
  } finally {
    await wt.close();
    await em.close();
  }
});

test("Electricity Maps with a paid key: forecast kept; a restart inside the interval makes no call", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const cfg = config(undefined, em, { emToken: "em-paid-key" });
  const first = testBackend(cfg, clock);
  try {
    assert.deepEqual((await first.app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors, []);
    const h = first.app.service.health().flatMap((h) => h.carbon ?? [])[0]!;
    assert.equal(h.forecast, true);
    assert.match(h.planScope!, /forecast in NZ-NZN/);
    assert.ok(first.app.store.get("carbon:forecast:electricity_maps_nz_nzn_carbon_intensity"));
    first.app.close();
    em.clearLog();
    clock.advance(20 * 60_000);
    const again = testBackend(cfg, clock);
    await again.app.service.sourcesOf(CarbonSync)[0]!.readDue();
    assert.equal(em.requestLog.length, 0);
    again.app.close();
  } finally {
    await wt.close();
    await em.close();
  }
});

test("health (the container's check): a carbon provider whose login is refused makes it unhealthy once it has failed for two check intervals", async () => {
  const clock = new ManualClock(START);
  const { wt, em } = await sims(clock);
  const cfg = parseConfig(
    {
      home_assistant: { url: "http://127.0.0.1:1", token: "t" },
      store: { path: join(mkdtempSync(join(tmpdir(), "ei-carbon-")), "cache.db") },
      sync: { check_interval: "1h" },
      watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: "nope", region: "CAISO_NORTH" },
      electricity_maps: { base_url: em.url, token: ELECTRICITY_MAPS_SIM_TOKEN, zone: "NZ-NZN", check_interval: "1h" },
    },
    {},
  );
  const { app } = testBackend(cfg, clock);
  const health = () => {
    const lines: string[] = [];
    return { code: runHealth(cfg, { clock, out: (l) => lines.push(l) }), text: lines.join("\n") };
  };
  try {
    await app.service.syncOnce();
    // No sync state says so (the login failed before WattTime named a region), but its source does.
    assert.deepEqual(app.store.allSyncStates().filter((s) => s.provider === "watttime"), []);
    assert.equal(health().code, 0, "one failed check is forgiven");
    for (let h = 1; h <= 3; h += 1) {
      clock.set(START + h * 3600_000);
      await app.service.syncOnce();
    }
    clock.advance(60_000);
    const res = health();
    assert.equal(res.code, 1, res.text);
    assert.match(res.text, /unhealthy: carbon intensity has failed for 181 minutes: watttime: WattTime refused the username and password/);
    assert.doesNotMatch(res.text, /nope/, "no password");
  } finally {
    app.close();
    await wt.close();
    await em.close();
  }
});
