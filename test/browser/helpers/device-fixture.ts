/**
 * Learned device energy as the backend imports it (`energy_insights:device_<entity>_energy`, kWh,
 * hourly rows) for the Contact fixture's household: six devices, so the by-device view groups some
 * into "other devices"; one hour where the devices add up to more than the meter; and hours after
 * the meter's last row (device energy is current, the provider's data 1–3 days late).
 */
import { localParts, type FixtureRow, type FixtureStatistic } from "./fake-hass.js";
import { TZ } from "./fixture.js";

const HOUR = 3_600_000;

export const DEVICES = {
  heat_pump: { entity: "climate.heat_pump", name: "Heat pump" },
  kettle: { entity: "switch.kettle", name: "Kettle" },
  fridge: { entity: "switch.fridge", name: "Fridge" },
  dryer: { entity: "switch.dryer", name: "Dryer" },
  tv: { entity: "media_player.tv", name: "TV" },
  lamp: { entity: "light.lounge", name: "Lounge lamp" },
} as const;
export type DeviceKey = keyof typeof DEVICES;

export const deviceId = (key: DeviceKey) => `energy_insights:device_${DEVICES[key].entity.replace(/[^a-z0-9]+/g, "_")}_energy`;

/** The hour (UTC ms) in which the devices exceed the meter, by `EXCESS_KWH` over the dryer's usual load. */
export const EXCESS_HOUR = Date.parse("2026-04-04T02:00:00Z"); // 15:00 NZDT, Sat 4 Apr
export const DRYER_EXCESS_KWH = 4;

/** kWh of a device in the hour starting at `t` (local hour `hour`). */
function usage(key: DeviceKey, t: number, hour: number): number {
  switch (key) {
    case "heat_pump":
      return hour >= 17 && hour <= 20 ? 0.6 : 0;
    case "kettle":
      return hour === 7 ? 0.2 : 0;
    case "fridge":
      return 0.05;
    case "dryer":
      return t === EXCESS_HOUR ? DRYER_EXCESS_KWH : 0;
    case "tv":
      return hour >= 19 && hour <= 21 ? 0.04 : 0;
    case "lamp":
      return hour >= 18 && hour <= 22 ? 0.01 : 0;
  }
}

/** Hourly device rows from `from` up to (not including) `to`, both epoch ms of hour starts. */
export function deviceFixture(from: number, to: number, keys: readonly DeviceKey[] = Object.keys(DEVICES) as DeviceKey[]): FixtureStatistic[] {
  return keys.map((key) => {
    const rows: FixtureRow[] = [];
    for (let t = from; t < to; t += HOUR) rows.push({ start: t, change: usage(key, t, localParts(t, TZ).hour) });
    return { id: deviceId(key), name: `${DEVICES[key].name} (learned)`, unit: "kWh", unitClass: "energy", rows };
  });
}
