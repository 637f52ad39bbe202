/**
 * The living household on the real clock: one seeded household simulation (server/src/simulate/
 * household) from some days ago to some days ahead. Its past is history (whole-home readings and
 * device state changes the backend's store is seeded with, and the hourly kWh the Contact
 * simulator's first contract serves); from the moment the demo starts, a driver plays it in Home
 * Assistant in real time: it switches the devices with HA's services and sets whole-home power
 * every 5 seconds, so the backend learns devices live as it would in a real home. A device switched
 * by hand in Home Assistant draws its power (or stops drawing it) in whole-home power until the
 * simulation next switches it itself.
 */
import { systemClock } from "../../server/src/time/clock.js";
import type { StateChangedEvent } from "home-assistant-js-websocket";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";
import { connectToHa } from "../../server/src/ha/connection.js";
import { simulateHousehold, type Household } from "../../server/src/simulate/household/household.js";
import { readSensor } from "../../server/src/simulate/household/sensors.js";
import { brightnessLog, demoDevices, HOME_POWER, serviceCall, type BrightnessLog, type DemoDevice } from "./devices.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The whole-home sensor reports every 5 s (a typical energy monitor); the bench learns from it as well as from 1 s. */
export const POWER_EVERY_S = 5;

export interface LivingHouseholdOptions {
  seed: number;
  /** The moment history ends and the live household begins (epoch ms). */
  splitAt: number;
  /** Days of history before `splitAt` (the simulation starts at a UTC midnight). */
  historyDays: number;
  /** Days the driver can play after `splitAt`. */
  aheadDays: number;
}

export interface HaTarget {
  url: string;
  token: string;
}

export interface DeviceState {
  state: string;
  brightness?: number;
}

type Step = { t: number; kind: "event"; event: StateEvent } | { t: number; kind: "power"; w: number };

export class LivingHousehold {
  readonly devices: DemoDevice[];
  readonly house: Household;
  /** Whole-home readings over the whole simulation. */
  readonly samples: PowerSample[];
  readonly splitAt: number;
  private readonly brightness: BrightnessLog;
  /** The state the driver last put each device in. */
  private readonly expected = new Map<string, string>();
  /** Watts each device switched by hand adds to whole-home power (negative: switched off by hand). */
  private readonly byHand = new Map<string, number>();
  private lastPowerW = 0;

  constructor(opts: LivingHouseholdOptions) {
    this.brightness = brightnessLog();
    this.devices = demoDevices(this.brightness);
    this.splitAt = opts.splitAt;
    const start = Math.floor(opts.splitAt / DAY_MS) * DAY_MS - opts.historyDays * DAY_MS;
    const days = Math.ceil((opts.splitAt + opts.aheadDays * DAY_MS - start) / DAY_MS);
    this.house = simulateHousehold({ seed: opts.seed, days, start, devices: this.devices, ghostShare: 0 });
    this.samples = readSensor(this.house, { kind: "periodic", intervalS: POWER_EVERY_S, dropShare: 0 }, opts.seed);
  }

  get end(): number {
    return this.house.end;
  }

  /** Readings and state changes before the split: what a backend running all along would have recorded. */
  history(): { samples: PowerSample[]; events: StateEvent[] } {
    return { samples: this.samples.filter((s) => s.t < this.splitAt), events: this.house.events.filter((e) => e.t < this.splitAt) };
  }

  /** Each device's state at `t` (its last change before it), with the brightness of a dimmable light that is on. */
  statesAt(t: number): Map<string, DeviceState> {
    const out = new Map<string, DeviceState>();
    for (const d of this.devices) {
      const last = this.house.events.filter((e) => e.entityId === d.entityId && e.t < t).at(-1);
      const state = last?.to ?? (d.states.kind === "binary" ? d.states.off : "closed");
      const brightness = last && d.kind === "dimmable" ? this.brightness.at(last.t) : undefined;
      out.set(d.entityId, brightness === undefined ? { state } : { state, brightness });
    }
    return out;
  }

  /** The last whole-home reading before `t` (W). */
  powerAt(t: number): number {
    let w = this.samples[0]?.w ?? 0;
    for (const s of this.samples) {
      if (s.t >= t) break;
      w = s.w;
    }
    return w;
  }

  /** kWh of each whole UTC hour of the simulation (sample and hold over the readings), by hour start (epoch s). */
  hourlyKwh(): Map<number, number> {
    const out = new Map<number, number>();
    const s = this.samples;
    for (let i = 0; i < s.length; i += 1) {
      const from = s[i]!.t;
      const to = i + 1 < s.length ? s[i + 1]!.t : this.house.end;
      // A reading holds until the next; split its span at hour boundaries.
      for (let a = from; a < to; ) {
        const hour = Math.floor(a / HOUR_MS) * HOUR_MS;
        const b = Math.min(to, hour + HOUR_MS);
        out.set(hour / 1000, (out.get(hour / 1000) ?? 0) + (s[i]!.w * (b - a)) / 3_600_000_000);
        a = b;
      }
    }
    const first = Math.ceil(this.house.start / HOUR_MS) * HOUR_MS;
    for (const hour of [...out.keys()]) if (hour * 1000 < first || hour * 1000 + HOUR_MS > this.house.end) out.delete(hour);
    return out;
  }

  /** Whole-home power as last set in Home Assistant (W). */
  currentPowerW(): number {
    return this.lastPowerW;
  }

  /** Puts every device and whole-home power into their state at the split (before the backend starts). */
  async initialise(ha: HaTarget): Promise<void> {
    for (const [entityId, s] of this.statesAt(this.splitAt)) {
      const d = this.devices.find((x) => x.entityId === entityId)!;
      const call = serviceCall(d, s.state, s.brightness);
      this.expected.set(entityId, s.state);
      await callService(ha, call.domain, call.service, call.data);
    }
    await this.setPower(ha, this.powerAt(this.splitAt));
  }

  /** A device's state changed in HA: by the driver (as expected), or by hand. */
  private changed(entityId: string, state: string, brightness: unknown): void {
    const d = this.devices.find((x) => x.entityId === entityId);
    if (!d || d.states.kind !== "binary") return;
    if (state === this.expected.get(entityId)) {
      this.byHand.delete(entityId);
      return;
    }
    // Its usual draw: the dimmable light's share of its maximum, else what it drew on average in the simulation.
    const usual = d.kind === "dimmable" ? (d.nominalW * (typeof brightness === "number" ? brightness : 255)) / 255 : (this.house.truth.find((t) => t.entityId === entityId)?.powerW ?? d.nominalW);
    if (state === d.states.on) this.byHand.set(entityId, usual);
    else if (state === d.states.off) this.byHand.set(entityId, -usual);
  }

  private setPower(ha: HaTarget, simulatedW: number, signal?: AbortSignal): Promise<void> {
    let w = simulatedW;
    for (const extra of this.byHand.values()) w += extra;
    this.lastPowerW = Math.max(0, Math.round(w * 10) / 10);
    return callService(ha, "input_number", "set_value", { entity_id: HOME_POWER.helper, value: this.lastPowerW }, signal);
  }

  /**
   * Plays the household in Home Assistant from the split (or now, if later) until `signal` aborts or
   * the simulation ends: each state change and each reading at its time. A failed call is reported
   * and the play goes on.
   */
  async drive(ha: HaTarget, signal: AbortSignal, onError: (what: string, err: unknown) => void = () => {}): Promise<void> {
    const steps: Step[] = [
      ...this.house.events.filter((e) => e.t >= this.splitAt).map((event): Step => ({ t: event.t, kind: "event", event })),
      ...this.samples.filter((s) => s.t >= this.splitAt).map((s): Step => ({ t: s.t, kind: "power", w: s.w })),
    ].sort((a, b) => a.t - b.t || (a.kind === "event" ? -1 : 1));
    const first = steps.findIndex((s) => s.t >= Date.now() - 1000);
    if (first < 0) return;
    const conn = await connectToHa(ha);
    const unsubscribe = await conn.subscribeEvents<StateChangedEvent>((ev) => {
      const next = ev.data.new_state;
      if (next && next.state !== ev.data.old_state?.state) this.changed(ev.data.entity_id, next.state, next.attributes.brightness);
    }, "state_changed");
    try {
      await this.play(steps, first, ha, signal, onError);
    } finally {
      await unsubscribe().catch(() => undefined);
      conn.close();
    }
  }

  private async play(steps: Step[], from: number, ha: HaTarget, signal: AbortSignal, onError: (what: string, err: unknown) => void): Promise<void> {
    let i = from;
    while (i < steps.length && !signal.aborted) {
      const step = steps[i]!;
      const wait = step.t - Date.now();
      if (wait > 0) await systemClock.sleep(wait, signal);
      if (signal.aborted) break;
      try {
        if (step.kind === "power") await this.setPower(ha, step.w, signal);
        else {
          // The simulation switches the device itself: whatever was done by hand ends.
          const d = this.devices.find((x) => x.entityId === step.event.entityId)!;
          const call = serviceCall(d, step.event.to, this.brightness.at(step.t));
          this.expected.set(d.entityId, step.event.to);
          this.byHand.delete(d.entityId);
          await callService(ha, call.domain, call.service, call.data, signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        onError(step.kind === "power" ? "setting whole-home power" : `switching ${step.event.entityId}`, err);
      }
      i += 1;
    }
  }
}

async function callService(ha: HaTarget, domain: string, service: string, data: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(15_000);
  const res = await fetch(`${ha.url}/api/services/${domain}/${service}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ha.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(data),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${domain}.${service}: HTTP ${res.status}`);
}
