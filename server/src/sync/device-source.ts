/**
 * The device learner as a Source: the power collector records while the service runs (started
 * again every minute while HA cannot be reached), and its device statistics are published at
 * every check.
 */
import type { Logger } from "pino";
import type { PublishResult } from "../ha/publisher.js";
import type { Clock } from "../time/clock.js";
import type { Source, SourceHealth } from "./source.js";

/** What the source needs of the power collector. */
export interface DeviceRecorder {
  start(): Promise<void>;
  stop(): void;
  publishDevices(): Promise<PublishResult[]>;
  status(): { running: boolean; recordedUntil: number | null };
}

export class DeviceStatisticsSource implements Source {
  readonly name = "device statistics";
  readonly provider = "devices";
  readonly onCheckInterval = false;
  private startError: string | null = null;

  constructor(
    private readonly devices: DeviceRecorder,
    private readonly deps: { clock: Clock; log: Logger },
  ) {}

  async publish(): Promise<PublishResult[]> {
    return this.devices.status().running ? this.devices.publishDevices() : [];
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.deps;
    while (!signal.aborted) {
      try {
        await this.devices.start();
        this.startError = null;
        break;
      } catch (err) {
        this.startError = err instanceof Error ? err.message : String(err);
        log.warn({ err: this.startError }, "the power collector could not start; retrying in a minute");
        await clock.sleep(60_000, signal);
      }
    }
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    this.devices.stop();
  }

  /** Healthy while recording, or before the first start was tried; its last success is where the recording has reached. */
  health(): SourceHealth {
    const status = this.devices.status();
    return { name: this.name, provider: this.provider, healthy: this.startError === null, lastSuccess: status.recordedUntil, lastError: this.startError };
  }
}
