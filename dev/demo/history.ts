/**
 * History for the demo's first screen: what a backend that had been running for weeks would hold.
 * - The household's whole-home readings and device state changes before the live part begins, in
 *   the store as the power collector records them, so devices are learned at once.
 * - Electricity Maps' hourly intensity: its free tier serves only the last 24 hours, which a
 *   running backend keeps hour after hour; the demo stores the simulator's past values, so every
 *   hour of Contact's (one to three days late) usage gets its emissions.
 * - The household's hourly kWh as the Contact simulator's usage of the home's contract, so the
 *   meter and the learned devices tell one story (the by-device view's "untracked" is the rest).
 */
import { carbonSeries } from "../../server/src/statistics/ids.js";
import type { Store } from "../../server/src/store/store.js";
import { recordRecordedUntil } from "../../server/src/store/state.js";

import { intensityAt } from "../../server/src/simulate/electricitymaps/server.js";
import type { ContactSimulator } from "../../server/src/simulate/contact/server.js";
import { HOME_POWER } from "./devices.js";
import type { LivingHousehold } from "./household.js";

const HOUR_S = 3600;

/** The household's past in the store; the collector then reads HA's own history from `splitAt` on. */
export function seedHousehold(store: Store, household: LivingHousehold): { samples: number; events: number } {
  const { samples, events } = household.history();
  store.transaction(() => {
    store.addPowerSamples(HOME_POWER.entityId, samples);
    store.addStateEvents(events);
    recordRecordedUntil(store, household.splitAt);
  });
  return { samples: samples.length, events: events.length };
}

/** Electricity Maps' hourly intensity for `days` before the hours its history endpoint serves. */
export function seedElectricityMaps(store: Store, zone: string, nowMs: number, days: number): number {
  const series = carbonSeries("electricity_maps", zone, "intensity");
  const lastHour = Math.floor(nowMs / 1000 / HOUR_S) * HOUR_S;
  const rows = [];
  for (let start = lastHour - days * 24 * HOUR_S; start < lastHour - 24 * HOUR_S; start += HOUR_S) {
    const value = intensityAt(zone, start);
    rows.push(
      { series: series.mean, resolution: "hour" as const, start, value },
      { series: series.min, resolution: "hour" as const, start, value },
      { series: series.max, resolution: "hour" as const, start, value },
    );
  }
  store.upsertReadings(rows);
  return rows.length / 3;
}

/** The Contact simulator serves the household's hourly kWh for the home's contract (each hour of the simulation). */
export function householdAsContactUsage(sim: ContactSimulator, contractId: string, household: LivingHousehold): number {
  const hours = household.hourlyKwh();
  for (const [start, kwh] of hours) sim.revise(contractId, start, kwh);
  return hours.size;
}
