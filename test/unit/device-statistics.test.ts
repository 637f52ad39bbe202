import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../server/src/ha/connection.js";
import { deviceRows, deviceStatistic } from "../../server/src/statistics/devices.js";
import { addDevicesToEnergyPrefs } from "../../server/src/ha/energy.js";
import { deviceSeriesKey } from "../../server/src/statistics/ids.js";
import { EXTERNAL_STATISTIC_ID } from "../../server/src/statistics/ids.js";
import { planPublish } from "../../server/src/statistics/sums.js";

const H = 3600_000;
const T0 = Date.UTC(2026, 3, 10, 0, 0, 0);

test("device statistic ids: energy_insights:device_<slug(entity_id)>_energy, valid for HA, kWh with a sum", () => {
  assert.equal(deviceSeriesKey("switch.Kettle__2"), "device_switch_kettle_2_energy");
  const stat = deviceStatistic("light.living_room", "Living room");
  assert.equal(stat.statisticId, "energy_insights:device_light_living_room_energy");
  assert.match(stat.statisticId, EXTERNAL_STATISTIC_ID);
  assert.deepEqual({ unit: stat.unit, unitClass: stat.unitClass, hasSum: stat.hasSum, hasMean: stat.hasMean, name: stat.name }, { unit: "kWh", unitClass: "energy", hasSum: true, hasMean: false, name: "Living room (learned)" });
});

test("device rows: one row per hour and entity, states summed, quiet hours 0, up to the hour in progress", () => {
  const rows = deviceRows(
    [
      { entityId: "fan.attic", state: "low", hourStart: T0 + H, kwh: 0.01 },
      { entityId: "fan.attic", state: "high", hourStart: T0 + H, kwh: 0.02 },
      { entityId: "fan.attic", state: "high", hourStart: T0 + 3 * H, kwh: 0.05 },
      { entityId: "climate.hp", state: "heat", hourStart: T0, kwh: 1.2 },
    ],
    T0 + 3 * H + 10 * 60_000,
  );
  assert.deepEqual([...rows.keys()], ["climate.hp", "fan.attic"]);
  const s = T0 / 1000;
  assert.deepEqual(rows.get("fan.attic"), [
    { start: s + 3600, end: s + 7200, value: 0.03 },
    { start: s + 7200, end: s + 10800, value: 0 },
    { start: s + 10800, end: s + 14400, value: 0.05 },
  ]);
  assert.deepEqual(rows.get("climate.hp")!.map((r) => r.value), [1.2, 0, 0, 0]);
  // Continuous sums through the publisher's plan.
  assert.deepEqual(planPublish(rows.get("fan.attic")!, []).rows.map((r) => r.sum), [0.03, 0.03, 0.08]);
  assert.equal(deviceRows([], T0).size, 0);
});

function fakePrefs(user: { is_admin: boolean }, prefs: Record<string, unknown> | null) {
  const saved: Record<string, unknown>[] = [];
  const conn = {
    sendMessagePromise(msg: Record<string, unknown>): Promise<unknown> {
      if (msg.type === "auth/current_user") return Promise.resolve({ id: "u", name: "Someone", is_owner: false, ...user });
      if (msg.type === "energy/get_prefs") return prefs ? Promise.resolve(prefs) : Promise.reject({ code: "not_found", message: "No prefs" });
      if (msg.type === "energy/save_prefs") {
        saved.push(msg);
        return Promise.resolve(msg);
      }
      return Promise.reject(new Error(String(msg.type)));
    },
  } as unknown as Connection;
  return { conn, saved };
}

test("Energy prefs: devices added to device_consumption, the user's entries kept, nothing added twice, admins only", async () => {
  const mine = { stat_consumption: "sensor.fridge_energy", name: "Fridge" };
  const ours = "energy_insights:device_switch_heater_energy";
  const { conn, saved } = fakePrefs({ is_admin: true }, { energy_sources: [{ type: "grid" }], device_consumption: [mine, { stat_consumption: ours }] });
  assert.deepEqual(await addDevicesToEnergyPrefs(conn, [ours, "energy_insights:device_light_lamp_energy"]), ["energy_insights:device_light_lamp_energy"]);
  assert.deepEqual(saved, [{ type: "energy/save_prefs", device_consumption: [mine, { stat_consumption: ours }, { stat_consumption: "energy_insights:device_light_lamp_energy" }] }]);
  assert.ok(!("energy_sources" in saved[0]!), "other prefs are not rewritten");

  const none = fakePrefs({ is_admin: true }, null);
  assert.deepEqual(await addDevicesToEnergyPrefs(none.conn, [ours]), [ours]);
  assert.deepEqual(none.saved[0]!.device_consumption, [{ stat_consumption: ours }]);

  const user = fakePrefs({ is_admin: false }, null);
  await assert.rejects(addDevicesToEnergyPrefs(user.conn, [ours]), /not an administrator/);
  assert.equal(user.saved.length, 0);
});
