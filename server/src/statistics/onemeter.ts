/**
 * OneMeter's statistics: per device `energy_insights:onemeter_<device>_<kind>`, one per energy
 * register it has delivered (import, export and reactive energy, in all and per tariff), built from
 * the register's cumulative snapshots in the store. Pure: publishing is the OneMeter source's.
 *
 * Each hour gets the register's increase over it. Consecutive snapshots inside one hour (the
 * reader's 15-minute readouts) give exact register differences; an increase across a gap of missing
 * readings is spread over the gap's hours in proportion to time, so the total is kept and no hour
 * spikes; when the missing readings arrive later, those hours are recomputed and the publisher
 * re-sends every later sum.
 */
import type { Store } from "../store/store.js";
import { roundTo, type ComposedRow, type Reading, type StatisticRows } from "./compose.js";
import { oneMeterRegisterSeries, oneMeterSeries, statisticId, STATISTICS_SOURCE, type SeriesStatistic } from "./ids.js";

const HOUR = 3600;

export interface OneMeterStatistic extends SeriesStatistic {
  /** The register the statistic is built from (normalised OBIS key). */
  register: string;
}

/** Statistic kind per register: `import_energy` (1.8.0), `import_energy_t1` (1.8.1), `export_energy` (2.8.0), `reactive_energy_q1` (5.8.0), … */
export function registerKind(register: string): string | undefined {
  const m = /^(1|2|5|8)_8_([0-4])$/.exec(register);
  if (!m) return undefined;
  const base = { "1": "import_energy", "2": "export_energy", "5": "reactive_energy_q1", "8": "reactive_energy_q4" }[m[1] as "1" | "2" | "5" | "8"];
  return m[2] === "0" ? base : `${base}_t${m[2]}`;
}

const NAMES: Record<string, string> = {
  import_energy: "energy import",
  export_energy: "energy export",
  reactive_energy_q1: "reactive energy Q1 (inductive)",
  reactive_energy_q4: "reactive energy Q4 (capacitive)",
};

/**
 * The statistics of one device, from the registers it has delivered: every 1.8.x, 2.8.x, 5.8.x
 * and 8.8.x; a meter without 1.8.0 (LED blink counting) publishes its |A| register 15.8.0 as import.
 */
export function oneMeterStatistics(deviceId: string, registers: readonly string[], label?: string): OneMeterStatistic[] {
  const out: OneMeterStatistic[] = [];
  const name = label ?? deviceId;
  const add = (register: string, kind: string): void => {
    const series = oneMeterSeries(deviceId, kind);
    const base = kind.replace(/_t\d$/, "");
    const tariff = /_t(\d)$/.exec(kind)?.[1];
    // Reactive energy (5.8.x, 8.8.x) is counted in kvarh, active energy in kWh.
    const unit = base.startsWith("reactive_") ? "kvarh" : "kWh";
    out.push({
      register,
      series,
      stat: {
        statisticId: statisticId(series),
        source: STATISTICS_SOURCE,
        name: `OneMeter ${name} ${NAMES[base] ?? base}${tariff ? ` tariff ${tariff}` : ""}`,
        unit,
        // kvarh: HA ≥ 2025.11 has a reactive_energy converter, but null is accepted by every version and keeps the unit as is.
        unitClass: unit === "kWh" ? "energy" : null,
        hasSum: true,
        hasMean: false,
      },
    });
  };
  for (const register of [...registers].sort()) {
    const kind = registerKind(register);
    if (kind) add(register, kind);
  }
  if (!registers.includes("1_8_0") && registers.includes("15_8_0")) add("15_8_0", "import_energy");
  return out;
}

/** A device's statistics with their hourly rows, from the stored snapshots of the registers it has delivered. */
export function oneMeterStatisticRows(store: Store, deviceId: string, registers: readonly string[]): (OneMeterStatistic & StatisticRows)[] {
  return oneMeterStatistics(deviceId, registers).map((s) => ({ ...s, rows: hourlyFromRegister(store.readings(oneMeterRegisterSeries(deviceId, s.register), "hour")) }));
}

/**
 * Hourly increases of a cumulative register from its snapshots (sorted by time, seconds). A
 * decrease (meter replaced) counts as 0. The hour of the first snapshot is left out unless it starts
 * on it: only part of that hour is known, and HA may hold the whole of it (a rebuilt cache reads
 * from before HA's last hour, which then must not shrink).
 */
export function hourlyFromRegister(snapshots: readonly Reading[]): ComposedRow[] {
  const byHour = new Map<number, number>();
  const firstWhole = snapshots.length > 0 ? Math.ceil(snapshots[0]!.start / HOUR) * HOUR : 0;
  for (let i = 1; i < snapshots.length; i += 1) {
    const a = snapshots[i - 1]!;
    const b = snapshots[i]!;
    if (b.start <= a.start) continue;
    const delta = Math.max(0, b.value - a.value);
    const span = b.start - a.start;
    for (let h = Math.floor(a.start / HOUR) * HOUR; h < b.start; h += HOUR) {
      const overlap = Math.min(b.start, h + HOUR) - Math.max(a.start, h);
      if (overlap <= 0 || h < firstWhole) continue;
      byHour.set(h, (byHour.get(h) ?? 0) + (delta * overlap) / span);
    }
  }
  return [...byHour.entries()].sort((x, y) => x[0] - y[0]).map(([start, value]) => ({ start, end: start + HOUR, value: roundTo(value) }));
}
