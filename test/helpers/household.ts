/**
 * One household of the harder bench (issue 12), read by one of the bench's five sensor kinds and learned: each tracked
 * device's learned energy beside its truth. For the learner's regression tests on the fresh-seed households where a
 * rule's bug showed.
 */
import { correlate } from "../../server/src/correlate/engine.js";
import type { DeviceProfile } from "../../server/src/correlate/types.js";
import { readSensor, type SensorModel } from "../../server/src/simulate/household/sensors.js";
import { simulateVaryingHousehold } from "../../server/src/simulate/household/varying.js";
import { VARYING_SENSORS } from "../bench/correlation-varying.js";

/** The bench's sensor model: periodic every `intervalS` seconds, or "on-change" (≥ 10 W), with its faults. */
export function harderSensor(kind: 1 | 10 | 30 | 60 | "on-change"): SensorModel {
  const found = VARYING_SENSORS.find(({ model }) => (kind === "on-change" ? model.kind === "on-change" : model.kind === "periodic" && model.intervalS === kind));
  if (!found) throw new Error(`no harder-bench sensor ${kind}`);
  return found.model;
}

export interface LearnedDevice {
  profile: DeviceProfile;
  trueKwh: number;
  /** Learned energy over true energy, less one. */
  error: number;
  /** The numbers, for an assertion's message. */
  detail: string;
}

/**
 * Learns household `seed` (14 days) as `model` reads it; `device(entityId)` gives one device's learned energy (over all its
 * profiles) beside its truth; `profiles` each learned profile with its state's true mean power.
 */
export function learnHousehold(seed: number, model: SensorModel): { device: (entityId: string) => LearnedDevice; profiles: { profile: DeviceProfile; truePowerW: number | null }[] } {
  const house = simulateVaryingHousehold({ seed, days: 14 });
  const { profiles } = correlate(readSensor(house, model, seed), house.events, { now: house.end });
  return {
    profiles: profiles.map((profile) => {
      const state = house.truth.find((t) => t.entityId === profile.entityId)?.states.find((s) => s.state === profile.state && s.level === profile.level);
      return { profile, truePowerW: state?.powerW ?? null };
    }),
    device: (entityId) => {
      const own = profiles.filter((p) => p.entityId === entityId);
      const profile = own[0];
      const truth = house.truth.find((t) => t.entityId === entityId);
      if (!profile || !truth) throw new Error(`household ${seed} has no ${entityId}`);
      const kwh = own.reduce((sum, p) => sum + (p.energyKwh ?? 0), 0);
      const error = kwh / truth.energyKwh - 1;
      const detail = `${entityId} in household ${seed}: ${kwh.toFixed(2)} kWh, true ${truth.energyKwh.toFixed(2)} kWh (${(error * 100).toFixed(0)} %, ${profile.energyFrom}, ${profile.powerW?.toFixed(0)} W, ${profile.status})`;
      return { profile, trueKwh: truth.energyKwh, error, detail };
    },
  };
}
