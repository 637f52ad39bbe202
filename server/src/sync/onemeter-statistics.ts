/**
 * OneMeter's cumulative registers as hourly statistics: each hour gets the register's increase
 * over it. Consecutive snapshots inside one hour (the reader's 15-minute readouts) give exact
 * register differences; an increase across a gap of missing readings is spread over the gap's
 * hours in proportion to time, so the total is kept and no hour spikes; when the missing readings
 * arrive later, those hours are recomputed and the publisher re-sends every later sum.
 */
import type { Logger } from "pino";
import type { Connection } from "../ha/connection.js";
import type { GridImport } from "../ha/energy.js";
import type { SeriesStatistic } from "../statistics/ids.js";
import { publishStatistic, type PublishOptions, type PublishResult } from "../ha/publisher.js";
import { oneMeterRegisterSeries, oneMeterSeries, statisticId, STATISTICS_SOURCE } from "../statistics/ids.js";
import { registerUnit } from "../providers/onemeter/obis.js";
import { roundTo, type ComposedRow, type Reading } from "../statistics/compose.js";
import type { Store } from "../store/store.js";
import { storedRegisters } from "./onemeter-job.js";

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
    const unit = registerUnit(register);
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

/**
 * The device as a grid source for the Energy prefs: its import as consumption and its export (when
 * the meter has one) as return to grid; undefined until it has delivered an import register.
 */
export function oneMeterGridImport(deviceId: string, registers: readonly string[]): GridImport | undefined {
  const stats = oneMeterStatistics(deviceId, registers);
  const of = (kind: string) => stats.find((s) => s.series === oneMeterSeries(deviceId, kind))?.stat.statisticId;
  const energy = of("import_energy");
  return energy ? { energyStatisticId: energy, costStatisticId: null, returnStatisticId: of("export_energy") ?? null } : undefined;
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

/** Composes every statistic of a device from the store and brings HA in line. */
export async function publishOneMeterDevice(conn: Connection, store: Store, deviceId: string, opts: { log?: Logger; publish?: PublishOptions } = {}): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const { register, series, stat } of oneMeterStatistics(deviceId, storedRegisters(store, deviceId))) {
    const composed = hourlyFromRegister(store.readings(oneMeterRegisterSeries(deviceId, register), "hour"));
    const res = await publishStatistic(conn, store, series, stat, composed, { ...opts.publish, ...(opts.log ? { log: opts.log } : {}) });
    if (res.rowsSent > 0) opts.log?.info({ statistic: stat.statisticId, rows: res.rowsSent }, "published statistics");
    results.push(res);
  }
  return results;
}
