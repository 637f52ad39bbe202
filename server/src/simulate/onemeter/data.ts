/**
 * Synthetic meter registers for the OneMeter simulator: deterministic 15-minute increments in
 * hundredths (the counters' resolution), so every register value and every difference is exact and
 * a test can compute what the backend must publish from the same functions.
 */
import { DateTime } from "luxon";

export const QUARTER_MS = 15 * 60_000;
export const SIM_ONEMETER_ZONE = "Europe/Warsaw";

/** The registers a simulated meter has (normalised keys); blink-mode meters have only 15_8_0. */
export const FULL_REGISTERS = ["1_8_0", "1_8_1", "1_8_2", "2_8_0", "5_8_0", "8_8_0", "15_8_0"] as const;

export interface SimMeter {
  id: string;
  name: string;
  serial: string;
  /** Epoch ms of the first reading (a multiple of 15 minutes). */
  installedAt: number;
  registers: readonly string[];
  multiplier: number;
  firmware: string;
  batteryVoltage: number;
  batteryPercent: number;
  /** The F_F_0 register (meter error flags). */
  meterErrors: string;
  seed: number;
}

function hash(seed: number, q: number, salt: number): number {
  let h = (seed * 0x9e3779b1) ^ (q * 0x85ebca6b) ^ (salt * 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Increments in hundredths for quarter `q` (epoch quarter index). */
function increments(m: SimMeter, q: number): Record<string, number> {
  const local = DateTime.fromMillis(q * QUARTER_MS, { zone: SIM_ONEMETER_ZONE });
  const sunny = local.hour >= 9 && local.hour < 16;
  const imp = sunny ? hash(m.seed, q, 1) % 8 : 2 + (hash(m.seed, q, 1) % 30);
  const exp = sunny ? hash(m.seed, q, 2) % 25 : 0;
  const day = local.hour >= 6 && local.hour < 21;
  return {
    "1_8_0": imp,
    "1_8_1": day ? imp : 0,
    "1_8_2": day ? 0 : imp,
    "2_8_0": exp,
    "5_8_0": hash(m.seed, q, 3) % 10,
    "8_8_0": hash(m.seed, q, 4) % 4,
    "15_8_0": imp + exp,
  };
}

const BASE: Record<string, number> = { "1_8_0": 1234567, "1_8_1": 800010, "1_8_2": 434557, "2_8_0": 5000, "5_8_0": 230599, "8_8_0": 306136, "15_8_0": 1239567 };

/** Cumulative registers, in hundredths, with a per-meter cache of prefix sums. */
export class MeterRegisters {
  private readonly cache: Record<string, number>[] = [];
  private readonly firstQ: number;

  constructor(readonly meter: SimMeter) {
    this.firstQ = Math.floor(meter.installedAt / QUARTER_MS);
  }

  /** Raw register values (before the multiplier) at the reading taken at `atMs` (a quarter), or undefined before installation. */
  at(atMs: number): Record<string, number> | undefined {
    const q = Math.floor(atMs / QUARTER_MS);
    const i = q - this.firstQ;
    if (i < 0) return undefined;
    while (this.cache.length <= i) {
      const n = this.cache.length;
      const prev = n === 0 ? BASE : this.cache[n - 1]!;
      const inc = n === 0 ? {} : increments(this.meter, this.firstQ + n);
      const next: Record<string, number> = {};
      for (const key of Object.keys(BASE)) next[key] = prev[key]! + (inc[key] ?? 0);
      this.cache.push(next);
    }
    const all = this.cache[i]!;
    const out: Record<string, number> = {};
    for (const key of this.meter.registers) if (all[key] !== undefined) out[key] = all[key] / 100;
    return out;
  }
}

export const DEFAULT_SIM_METERS: readonly SimMeter[] = [
  {
    id: "03b38411-d37b-4957-8d5b-641db7bde29a",
    name: "Home",
    serial: "OM-4711",
    installedAt: Date.UTC(2026, 2, 1),
    registers: FULL_REGISTERS,
    multiplier: 1,
    firmware: "3.1.0",
    batteryVoltage: 3.09,
    batteryPercent: 87,
    meterErrors: "0",
    seed: 11,
  },
];
