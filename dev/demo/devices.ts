/**
 * The demo's living household: the tracked devices that exist as entities in the demo's Home
 * Assistant (switches, lights with a dimmable one, a heat pump, a TV) with how they draw power and
 * when they run, and the configuration.yaml that creates them. Each device is a real HA entity
 * (template switch and light, generic_thermostat, universal media player) backed by an
 * input_boolean, so the driver switches it with HA's own services, as an automation would, and a
 * user can switch it too. Whole-home power is a template sensor over an input_number the driver sets.
 */
import { constant, heatPump, levelPerRun, noisyLevel, withInrush, type PowerShape } from "../../server/src/simulate/household/appliances.js";
import type { StateNames, TrackedDevice } from "../../server/src/simulate/household/devices.js";
import type { Schedule } from "../../server/src/simulate/household/schedule.js";

export type DeviceKind = "switch" | "light" | "dimmable" | "climate" | "media";

export interface DemoDevice extends TrackedDevice {
  name: string;
  kind: DeviceKind;
  /** The input_boolean behind the entity. */
  helper: string;
}

/** The whole-home power sensor (found by the backend by its name) and the helper the driver sets. */
export const HOME_POWER = { entityId: "sensor.home_power", name: "Home power", helper: "input_number.demo_home_power" } as const;

/** Brightness (1..255) of each run of a dimmable light, by the time its load came on. */
export interface BrightnessLog {
  runs: { on: number; brightness: number }[];
  /** The brightness of the run whose switch-on was at `t` (its load comes on a relay delay later). */
  at(t: number): number | undefined;
}

export function brightnessLog(): BrightnessLog {
  const runs: { on: number; brightness: number }[] = [];
  return {
    runs,
    at: (t) => runs.find((r) => r.on >= t && r.on <= t + 2_000)?.brightness,
  };
}

/** A dimmable light: each run at a brightness from 30 % to 100 %, drawing its share of `maxW`. */
function dimmable(maxW: number, log: BrightnessLog): PowerShape {
  return (track, on, off, rng) => {
    const brightness = Math.round(rng.uniform(0.3, 1) * 255);
    log.runs.push({ on, brightness });
    track.set(on, (maxW * brightness) / 255);
    track.set(off, 0);
  };
}

const ON_OFF: StateNames = { kind: "binary", on: "on", off: "off" };
const logNormal = (runsPerDay: number, meanMin: number): Schedule => ({ kind: "log-normal", runsPerDay, meanS: meanMin * 60 });

function device(entityId: string, name: string, kind: DeviceKind, nominalW: number, shape: PowerShape, schedule: Schedule, states: StateNames = ON_OFF): DemoDevice {
  return { entityId, name, kind, nominalW, shape, schedule, states, helper: `input_boolean.demo_${entityId.replace(".", "_")}` };
}

/** The devices, with a fresh brightness log for the dimmable light. */
export function demoDevices(brightness: BrightnessLog): DemoDevice[] {
  return [
    device("switch.heater", "Heater", "switch", 1500, constant(1500), logNormal(1.5, 45)),
    device("switch.dehumidifier", "Dehumidifier", "switch", 300, withInrush(300, 3, 2), logNormal(1.5, 120)),
    device("switch.computer", "Computer", "switch", 150, noisyLevel(150, 40, 10), logNormal(2, 180)),
    device("light.kitchen", "Kitchen", "light", 25, constant(25), logNormal(4, 30)),
    device("light.porch", "Porch", "light", 60, constant(60), logNormal(2, 20)),
    device("light.living_room", "Living room", "dimmable", 60, dimmable(60, brightness), logNormal(3, 90)),
    device("climate.heat_pump", "Heat pump", "climate", 1200, heatPump(1200, 30, 120, 100), logNormal(2, 120), { kind: "binary", on: "heat", off: "off" }),
    device("media_player.tv", "TV", "media", 90, levelPerRun(90, 15), logNormal(2, 120), { kind: "binary", on: "playing", off: "off" }),
  ];
}

const objectId = (entityId: string) => entityId.split(".")[1]!;

/** configuration.yaml entries that create the household's entities (appended to the harness's). */
export function householdConfiguration(devices: readonly DemoDevice[]): string {
  const q = (s: string) => JSON.stringify(s);
  const lines: string[] = ["# The demo's living household (dev/demo/devices.ts)", "input_boolean:"];
  for (const d of devices) lines.push(`  ${objectId(d.helper)}:`, `    name: ${q(`${d.name} (demo helper)`)}`);
  const dimmables = devices.filter((d) => d.kind === "dimmable");
  const helpers = (d: DemoDevice) => objectId(d.helper);
  lines.push(
    "input_number:",
    `  ${objectId(HOME_POWER.helper)}:`,
    `    name: "Home power (demo helper)"`,
    "    min: 0",
    "    max: 100000",
    "    step: 0.1",
    "    mode: box",
    "    unit_of_measurement: W",
  );
  for (const d of dimmables) lines.push(`  ${helpers(d)}_brightness:`, `    name: ${q(`${d.name} brightness (demo helper)`)}`, "    min: 1", "    max: 255", "    step: 1", "    initial: 255");
  const action = (service: string, entity: string, extra = "") => `{ action: ${service}, target: { entity_id: ${entity} }${extra} }`;
  lines.push("template:", "  - sensor:");
  lines.push(
    `      - name: ${q(HOME_POWER.name)}`,
    `        unique_id: demo_home_power`,
    `        state: "{{ states('${HOME_POWER.helper}') | float(0) }}"`,
    "        unit_of_measurement: W",
    "        device_class: power",
    "        state_class: measurement",
    `      - name: "Indoor temperature"`,
    "        unique_id: demo_indoor_temperature",
    `        state: "{{ 16.5 }}"`,
    "        unit_of_measurement: °C",
    "        device_class: temperature",
  );
  const switches = devices.filter((d) => d.kind === "switch");
  if (switches.length > 0) lines.push("    switch:");
  for (const d of switches) {
    lines.push(
      `      - name: ${q(d.name)}`,
      `        unique_id: demo_${objectId(d.entityId)}`,
      `        state: "{{ is_state('${d.helper}', 'on') }}"`,
      `        turn_on: ${action("input_boolean.turn_on", d.helper)}`,
      `        turn_off: ${action("input_boolean.turn_off", d.helper)}`,
    );
  }
  const lights = devices.filter((d) => d.kind === "light" || d.kind === "dimmable");
  if (lights.length > 0) lines.push("    light:");
  for (const d of lights) {
    lines.push(
      `      - name: ${q(d.name)}`,
      `        unique_id: demo_${objectId(d.entityId)}`,
      `        state: "{{ is_state('${d.helper}', 'on') }}"`,
      `        turn_on: ${action("input_boolean.turn_on", d.helper)}`,
      `        turn_off: ${action("input_boolean.turn_off", d.helper)}`,
    );
    if (d.kind === "dimmable") {
      const level = `input_number.${helpers(d)}_brightness`;
      lines.push(
        `        level: "{{ states('${level}') | int(255) }}"`,
        `        set_level:`,
        `          - ${action("input_number.set_value", level, ", data: { value: \"{{ brightness }}\" }")}`,
        `          - ${action("input_boolean.turn_on", d.helper)}`,
      );
    }
  }
  const climates = devices.filter((d) => d.kind === "climate");
  const media = devices.filter((d) => d.kind === "media");
  if (climates.length > 0) lines.push("climate:");
  for (const d of climates) {
    // generic_thermostat: "heat" calls for heat from its heater (the helper), always, at 16.5 °C indoors.
    lines.push(
      "  - platform: generic_thermostat",
      `    name: ${q(d.name)}`,
      `    unique_id: demo_${objectId(d.entityId)}`,
      `    heater: ${d.helper}`,
      "    target_sensor: sensor.indoor_temperature",
      "    target_temp: 21",
      "    initial_hvac_mode: \"off\"",
    );
  }
  if (media.length > 0) lines.push("media_player:");
  for (const d of media) {
    lines.push(
      "  - platform: universal",
      `    name: ${q(d.name)}`,
      `    unique_id: demo_${objectId(d.entityId)}`,
      `    state_template: "{{ 'playing' if is_state('${d.helper}', 'on') else 'off' }}"`,
      "    commands:",
      `      turn_on: ${action("input_boolean.turn_on", d.helper)}`,
      `      turn_off: ${action("input_boolean.turn_off", d.helper)}`,
    );
  }
  return lines.join("\n");
}

/** The HA service call that puts a device into `state` (at `brightness` for a dimmable light turned on). */
export function serviceCall(d: DemoDevice, state: string, brightness?: number): { domain: string; service: string; data: Record<string, unknown> } {
  const on = d.states.kind === "binary" ? state === d.states.on : state !== "off";
  const target = { entity_id: d.entityId };
  switch (d.kind) {
    case "climate":
      return { domain: "climate", service: "set_hvac_mode", data: { ...target, hvac_mode: on ? "heat" : "off" } };
    case "media":
      return { domain: "media_player", service: on ? "turn_on" : "turn_off", data: target };
    case "dimmable":
      return { domain: "light", service: on ? "turn_on" : "turn_off", data: on && brightness !== undefined ? { ...target, brightness } : target };
    default:
      return { domain: d.entityId.split(".")[0]!, service: on ? "turn_on" : "turn_off", data: target };
  }
}
