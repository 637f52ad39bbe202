/**
 * OBIS register keys as OneMeter writes them: `C_D_E` with underscores, where a group is sometimes
 * written in hex (`F_8_0` in the vendor's own example for what others write `15_8_0`). Everything
 * we read goes through `normaliseObis`, so both spellings are one register.
 */

/** `15_8_0` for `F_8_0`, `15_8_0` and `f_8_0`; keys that are not three hex/decimal groups (`S_1_1_2`, `date`) are returned as they are. */
export function normaliseObis(key: string): string {
  const parts = key.trim().split("_");
  if (parts.length !== 3 || !parts.every((p) => /^[0-9A-Fa-f]{1,2}$/.test(p))) return key;
  // A group with a letter can only be hex; a group of digits is decimal ("15", not 0x15).
  return parts.map((p) => String(/^\d+$/.test(p) ? Number(p) : Number.parseInt(p, 16))).join("_");
}

/** The registers the statistics are built from (cumulative counters, kWh or kvarh). */
export const OBIS = {
  importTotal: "1_8_0",
  exportTotal: "2_8_0",
  reactiveQ1: "5_8_0",
  reactiveQ4: "8_8_0",
  absoluteTotal: "15_8_0",
  power: "16_7_0",
  importPower: "1_7_0",
  exportPower: "2_7_0",
  tariffName: "0_2_2",
  /** C_1_0: the meter's serial. */
  meterSerial: "12_1_0",
  /** F_F_0: the meter's error register. */
  meterErrors: "15_15_0",
  batteryVoltage: "S_1_1_2",
  readoutAt: "S_1_1_4",
  readoutsOk: "S_1_1_6",
  readoutsFailed: "S_1_1_7",
  readoutsFailedSinceRestart: "S_1_1_19",
} as const;

/** Cumulative energy registers: A+ (1.8.x), A− (2.8.x), reactive Q1 (5.8.x) and Q4 (8.8.x), |A| (15.8.x). */
export function isEnergyRegister(key: string): boolean {
  return /^(1|2|5|8|15)_8_[0-4]$/.test(key);
}

/** Writes a normalised key the way hex-speaking firmware does (`15_8_0` → `F_8_0`). */
export function hexObis(key: string): string {
  const parts = key.split("_");
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return key;
  return parts.map((p) => Number(p).toString(16).toUpperCase()).join("_");
}
