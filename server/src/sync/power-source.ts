/**
 * Whole-home power from outside Home Assistant's states (a meter reader's cloud, polled by the
 * backend), and the choice between it and HA's whole-home sensor. The collector knows sources only
 * by this interface; who feeds them (the OneMeter poller) is wired in `app.ts`.
 */
import type { PowerSensor } from "../ha/discovery.js";
import type { PowerSample } from "../correlate/types.js";

export interface WholeHomePowerSource {
  /** Stable id, e.g. `onemeter:<device id>`: what `power.whole_home` names, and the store series of its readings. */
  readonly id: string;
  /** For status and logs. */
  readonly name: string;
  /** Calls `listener` with new readings (W, at the time each was taken) as they arrive; returns the unsubscribe. */
  subscribe(listener: (samples: readonly PowerSample[]) => void): () => void;
}

/** A source that is told its readings (by a poller) and passes them on to its subscribers. */
export class PushedPowerSource implements WholeHomePowerSource {
  private readonly listeners = new Set<(samples: readonly PowerSample[]) => void>();

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  subscribe(listener: (samples: readonly PowerSample[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  push(samples: readonly PowerSample[]): void {
    if (samples.length === 0) return;
    for (const l of this.listeners) l(samples);
  }
}

/** `power.whole_home`: `auto` (HA's sensor, else the first external source), `home_assistant`, or a source id. */
export type WholeHomeChoice = string;

export type WholeHomeSelection =
  | { kind: "home_assistant"; id: string; name: string; sensor: PowerSensor }
  | { kind: "external"; id: string; name: string; source: WholeHomePowerSource }
  | { kind: "none"; problem: string | null };

/** Which whole-home power the engine learns from. Pure. */
export function chooseWholeHome(choice: WholeHomeChoice, haSensor: PowerSensor | null, sources: readonly WholeHomePowerSource[]): WholeHomeSelection {
  const ha = (sensor: PowerSensor): WholeHomeSelection => ({ kind: "home_assistant", id: sensor.entityId, name: sensor.name, sensor });
  const external = (source: WholeHomePowerSource): WholeHomeSelection => ({ kind: "external", id: source.id, name: source.name, source });
  if (choice === "auto") {
    if (haSensor) return ha(haSensor);
    const first = sources[0];
    return first ? external(first) : { kind: "none", problem: null };
  }
  if (choice === "home_assistant") return haSensor ? ha(haSensor) : { kind: "none", problem: null };
  const named = sources.find((s) => s.id === choice);
  if (named) return external(named);
  const known = sources.map((s) => s.id);
  return {
    kind: "none",
    problem: `power.whole_home ${choice} is not a configured source${known.length > 0 ? ` (configured: ${known.join(", ")})` : " (is the device listed in onemeter.devices?)"}`,
  };
}
