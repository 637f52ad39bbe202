/**
 * The whole carbon service end to end, against a real Home Assistant (both pinned versions): the
 * backend as it runs (config, HTTP policy, clients, carbon jobs, Contact sync, store, publisher) with
 * the WattTime, Electricity Maps and Contact simulators on one injected clock, over four simulated
 * days. Everything is read back from HA: intensity equal to the simulators' values, emissions equal
 * to HA's own hourly kWh × HA's intensity with continuous sums, and a WattTime outage that leaves
 * Electricity Maps and Contact publishing and is filled in afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { providerStatuses } from "../../server/src/api/views.js";
import { parseConfig } from "../../server/src/config/index.js";
import { connectToHa } from "../../server/src/ha/connection.js";
import { statisticsDuringPeriod, type StatisticValue } from "../../server/src/ha/recorder.js";
import { lbsPerMwhToGPerKwh } from "../../server/src/providers/watttime/constants.js";
import { startElectricityMapsSimulator, intensityAt, ELECTRICITY_MAPS_SIM_TOKEN } from "../../server/src/simulate/electricitymaps/server.js";
import { startWattTimeSimulator, moerLbsPerMwh, WATTTIME_SIM_USER } from "../../server/src/simulate/watttime/server.js";
import { ManualClock } from "../../server/src/time/clock.js";
import { SIM_USER, simulator, testBackend } from "../helpers/backend.js";
import { HA_VERSIONS, startHomeAssistant } from "../../dev/harness/ha.js";
import { CarbonSync } from "../../server/src/sync/carbon-service.js";

const HOUR_MS = 3600_000;
const START = Date.parse("2026-05-10T00:00:00Z");
const DAYS = 4;
/** WattTime answers 502 to every data request for these simulated hours after START. */
const OUTAGE = { from: 30, to: 36 };
const STEP_H = 2;
const ICP = "0000012345abc";
const IDS = {
  wattTime: "energy_insights:watttime_caiso_north_carbon_intensity",
  electricityMaps: "energy_insights:electricity_maps_nz_nzn_carbon_intensity",
  emissions: `energy_insights:contact_${ICP}_emissions`,
  paid: `energy_insights:contact_${ICP}_paid_energy`,
  free: `energy_insights:contact_${ICP}_free_energy`,
};

const near = (a: number, b: number, eps: number) => Math.abs(a - b) <= eps;

for (const version of HA_VERSIONS) {
  test(`the carbon service from simulators to Home Assistant ${version}: intensity, emissions, health, a provider outage`, { timeout: 600_000 }, async (t) => {
    const ha = await startHomeAssistant(version);
    t.after(() => ha.stop());
    const clock = new ManualClock(START);
    const contact = await simulator(clock);
    const wt = await startWattTimeSimulator({ clock });
    const em = await startElectricityMapsSimulator({ clock });
    t.after(async () => {
      await contact.close();
      await wt.close();
      await em.close();
    });
    const config = parseConfig(
      {
        home_assistant: { url: ha.url, token: ha.token },
        store: { path: join(mkdtempSync(join(tmpdir(), "ei-carbon-e2e-")), "cache.db") },
        contact: { base_url: contact.url, accounts: [{ username: SIM_USER.username, password: SIM_USER.password }] },
        watttime: { base_url: wt.url, username: WATTTIME_SIM_USER.username, password: WATTTIME_SIM_USER.password, region: "CAISO_NORTH", check_interval: "1h" },
        electricity_maps: { base_url: em.url, token: ELECTRICITY_MAPS_SIM_TOKEN, zone: "NZ-NZN", check_interval: "1h" },
      },
      {},
    );
    const { app, logs } = testBackend(config, clock, { connectHa: true });
    t.after(() => app.close());

    // The service's rhythm, in 2-hour steps (each step publishes to HA, which is what takes the
    // time): carbon every step, Contact every 6 hours. A step reads all the hours since the last.
    const outageErrors: string[] = [];
    for (let h = 0; h <= DAYS * 24; h += STEP_H) {
      clock.set(START + h * HOUR_MS);
      if (h === OUTAGE.from) wt.setFaults({ serverError: { count: 1_000_000, status: 502 } });
      if (h === OUTAGE.to) wt.clearFaults();
      // Contact's sync also reads the carbon providers (forced), so it reports WattTime's outage too.
      const errors = h % 6 === 0 ? (await app.service.syncOnce()).errors : (await app.service.sourcesOf(CarbonSync)[0]!.readDue()).errors;
      if (h >= OUTAGE.from && h < OUTAGE.to) {
        assert.equal(errors.length, 1, `+${h} h: only WattTime fails: ${errors.join("; ")}`);
        assert.match(errors[0]!, /^WattTime: .*HTTP 502/);
        outageErrors.push(errors[0]!);
      } else {
        assert.deepEqual(errors, [], `sync at +${h} h`);
      }
    }
    assert.equal(outageErrors.length, (OUTAGE.to - OUTAGE.from) / STEP_H, `${outageErrors.length} WattTime failures seen during the outage`);
    assert.match(logs.text, /HTTP 502/, "the outage is in the log");
    assert.doesNotMatch(logs.text, new RegExp(`${WATTTIME_SIM_USER.password}|${ELECTRICITY_MAPS_SIM_TOKEN}|${SIM_USER.password}`), "no secret in the log");

    const conn = await connectToHa({ url: ha.url, token: ha.token });
    t.after(() => conn.close());
    const end = clock.now();
    const read = async (id: string, from: number, types: ("mean" | "min" | "max" | "sum" | "change")[]): Promise<StatisticValue[]> =>
      (await statisticsDuringPeriod(conn, { startTime: new Date(from), endTime: new Date(end - 1), statisticIds: [id], period: "hour", types }))[id] ?? [];

    // Electricity Maps: a continuous hourly record from 24 h before the first read, each hour the simulator's value.
    const emRows = await read(IDS.electricityMaps, START - 24 * HOUR_MS, ["mean", "min", "max"]);
    assert.equal(emRows.length, (DAYS + 1) * 24, "every complete hour since the 24-hour history began");
    for (const r of emRows) {
      const expected = intensityAt("NZ-NZN", r.start / 1000);
      assert.ok(near(r.mean!, expected, 1e-6) && near(r.min!, expected, 1e-6) && near(r.max!, expected, 1e-6), `EM hour ${new Date(r.start).toISOString()}: ${JSON.stringify(r)} vs ${expected}`);
    }

    // WattTime: lbs/MWh converted to g/kWh, the hour's mean of its 5-minute values, the outage filled in.
    const wtRows = await read(IDS.wattTime, START, ["mean", "min", "max"]);
    assert.equal(wtRows.length, DAYS * 24, "continuous, including the outage's hours");
    for (const r of wtRows) {
      const points = Array.from({ length: 12 }, (_, i) => lbsPerMwhToGPerKwh(moerLbsPerMwh("CAISO_NORTH", r.start / 1000 + i * 300)));
      const mean = points.reduce((a, b) => a + b) / points.length;
      assert.ok(near(r.mean!, mean, 1e-6), `WattTime hour ${new Date(r.start).toISOString()}: ${r.mean} vs ${mean}`);
      assert.ok(near(r.min!, Math.min(...points), 1e-6) && near(r.max!, Math.max(...points), 1e-6), `WattTime min/max ${new Date(r.start).toISOString()}`);
    }

    // Emissions: HA's own hourly kWh (paid + free, as Contact published them) × HA's Electricity Maps intensity.
    const emissions = await read(IDS.emissions, START - 24 * HOUR_MS, ["change", "sum"]);
    assert.ok(emissions.length >= 24, `${emissions.length} emission hours (Contact publishes one to three days late)`);
    const kwh = new Map<number, number>();
    for (const id of [IDS.paid, IDS.free]) for (const r of await read(id, START - 24 * HOUR_MS, ["change"])) kwh.set(r.start, (kwh.get(r.start) ?? 0) + r.change!);
    const intensity = new Map(emRows.map((r) => [r.start, r.mean!]));
    let previousSum: number | null = null;
    let previousStart: number | null = null;
    for (const r of emissions) {
      const expected = ((kwh.get(r.start) ?? Number.NaN) * (intensity.get(r.start) ?? Number.NaN)) / 1000;
      assert.ok(near(r.change!, expected, 1e-5), `emissions ${new Date(r.start).toISOString()}: ${r.change} vs ${expected}`);
      if (previousSum !== null) {
        assert.equal(r.start - previousStart!, HOUR_MS, "no hour missing between emission hours");
        assert.ok(near(r.sum!, previousSum + r.change!, 1e-4), `continuous sum at ${new Date(r.start).toISOString()}`);
      }
      previousSum = r.sum!;
      previousStart = r.start;
    }

    // status: each provider's health as the card and `status` show it.
    const status = providerStatuses(app.store.allSyncStates(), app.service.health().flatMap((h) => h.carbon ?? []));
    const watttime = status.find((p) => p.provider === "watttime")?.health;
    const electricityMaps = status.find((p) => p.provider === "electricity_maps")?.health;
    assert.ok(watttime && electricityMaps, JSON.stringify(status));
    assert.equal(watttime.consecutive_failures, 0, "recovered after the outage");
    assert.equal(watttime.last_success, new Date(end).toISOString(), "WattTime's last success is its last read");
    assert.ok(watttime.token_refreshes >= 1, "tokens renewed over four days");
    assert.ok(watttime.success_rate !== null && watttime.success_rate < 1 && watttime.success_rate > 0.8, `WattTime success rate ${watttime.success_rate}`);
    assert.equal(electricityMaps.consecutive_failures, 0);
    assert.equal(electricityMaps.success_rate, 1);
    assert.equal(electricityMaps.region, "NZ-NZN");
    assert.ok(status.find((p) => p.provider === "contact")?.healthy, "Contact healthy throughout");
  });
}
