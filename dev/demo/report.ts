/**
 * The demo's console while it runs: a line per device as the backend learns it, and a one-line
 * status every minute (providers, devices, whole-home power now).
 */
import type { App } from "../../server/src/app.js";
import type { DeviceProfile } from "../../server/src/correlate/types.js";
import type { LivingHousehold } from "./household.js";

const time = (ms: number) => new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
const watts = (w: number) => `${Math.round(w).toLocaleString("en-US")} W`;
const ago = (ms: number | null | undefined, now: number) => (ms === null || ms === undefined ? "never" : `${Math.max(0, Math.round((now - ms) / 60_000))} min ago`);

export class DemoConsole {
  private readonly learned = new Set<string>();

  constructor(
    private readonly app: App,
    private readonly household: LivingHousehold,
    private readonly out: (line: string) => void,
  ) {}

  /** The learned (entity, state) profiles not reported yet, one line each. */
  devicesLearned(): void {
    const profiles = this.app.collector?.engine.profiles() ?? [];
    for (const p of profiles) {
      const key = `${p.entityId}|${p.state}`;
      if (p.powerW === null || this.learned.has(key)) continue;
      this.learned.add(key);
      this.out(`Learned ${this.name(p.entityId)} (${p.entityId}, "${p.state}"): ${watts(p.powerW)}, ${Math.round(p.confidence * 100)} % confident, from ${p.events} switchings${this.truth(p)}`);
    }
  }

  /** One line: the time, each provider's last success, devices learned, whole-home power. */
  status(): void {
    const now = Date.now();
    const parts: string[] = [];
    const check = this.app.service.lastCheck();
    parts.push(`Contact: checked ${ago(check?.at, now)}${check && check.failures > 0 ? ` (failing: ${check.error})` : ""}`);
    const oneMeter = this.app.store.allSyncStates().filter((s) => s.provider === "onemeter");
    const lastPoll = Math.max(...oneMeter.map((s) => s.lastSuccess ?? 0));
    parts.push(`OneMeter: polled ${ago(lastPoll > 0 ? lastPoll : null, now)}`);
    for (const h of this.app.service.health().flatMap((s) => s.carbon ?? [])) parts.push(`${h.provider === "watttime" ? "WattTime" : "Electricity Maps"}: ${h.lastError ? `failing (${h.lastError})` : `read ${ago(h.lastSuccess, now)}`}`);
    const profiles = this.app.collector?.engine.profiles() ?? [];
    const learned = new Set(profiles.filter((p) => p.powerW !== null).map((p) => p.entityId));
    parts.push(`devices learned: ${learned.size} of ${this.household.devices.length}`);
    parts.push(`home power ${watts(this.household.currentPowerW())}`);
    this.out(`[${time(now)}] ${parts.join(" · ")}`);
  }

  private name(entityId: string): string {
    return this.household.devices.find((d) => d.entityId === entityId)?.name ?? entityId;
  }

  /** What the device really draws, for the simulated ones. */
  private truth(p: DeviceProfile): string {
    const t = this.household.house.truth.find((x) => x.entityId === p.entityId);
    return t ? ` (it really draws about ${watts(t.powerW)})` : "";
  }
}
