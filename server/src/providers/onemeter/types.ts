/** A OneMeter device as `GET /devices/{id}` describes it, mapped onto our model (normalised OBIS keys). */
export interface OneMeterDevice {
  id: string;
  name: string | null;
  serial: string | null;
  mac: string | null;
  meterId: string | null;
  /** `config.multiplier` (current transformer ratio); 1 when absent. */
  multiplier: number;
  disabled: boolean;
  timeZone: string | null;
  firmware: string | null;
  hardware: string | null;
  lastReading: OneMeterReading | null;
  batteryVoltage: number | null;
  batteryPercent: number | null;
  batteryStatus: number | null;
  usageThisMonthKwh: number | null;
  usagePreviousMonthKwh: number | null;
}

/** One register snapshot: the reader's time and its values by normalised OBIS key (raw, no multiplier). */
export interface OneMeterReading {
  /** Epoch milliseconds. */
  at: number;
  values: Record<string, number | string>;
}
