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

/**
 * One register snapshot, typed: the reader's time, the cumulative energy registers, the
 * instantaneous power and the meter's own diagnostics. Values are the meter's (no multiplier: that
 * is the device's configuration, applied by whoever stores them).
 */
export interface OneMeterReading {
  /** Epoch milliseconds. */
  at: number;
  /** Cumulative energy registers (kWh, or kvarh for reactive ones) by normalised OBIS key: 1.8.x, 2.8.x, 5.8.x, 8.8.x, 15.8.x. */
  energy: Record<string, number>;
  /** Instantaneous active power in kW: total 16.7.0 where the meter gives it, else import 1.7.0 less export 2.7.0 (negative while exporting); null with neither. */
  powerKw: number | null;
  /** The meter's serial (C.1.0), its error register (F.F.0), its tariff name (0.2.2): as written. */
  meterSerial: string | null;
  meterErrors: string | null;
  tariff: string | null;
  /** The reader's failed readouts counter (S.1.1.7). */
  failedReadouts: number | null;
  /** Battery voltage as the reading's own register (S.1.1.2), when it has one. */
  batteryVoltage: number | null;
}
