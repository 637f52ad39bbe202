import * as z from "zod";
import type { Store } from "./store.js";

/**
 * The service's own bookkeeping, typed: each value has one key, one schema and one pair of
 * accessors here, so no caller builds a kv key or casts a JSON.parse. A value that does not parse
 * (an older or damaged store) reads as absent, which every caller treats as "not done yet".
 */
export function stateCell<T>(key: string, schema: z.ZodType<T>): { get(store: Store): T | undefined; set(store: Store, value: T): void } {
  return {
    get(store: Store): T | undefined {
      const text = store.get(key);
      if (text === undefined) return undefined;
      try {
        const parsed = schema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    set(store: Store, value: T): void {
      store.set(key, JSON.stringify(schema.parse(value)));
    },
  };
}

const checkSchema = z.object({
  /** When the last check finished (epoch ms). */
  at: z.number(),
  /** Checks in a row that ended with an error (0 after a clean one). */
  failures: z.number().int().min(0),
  /** The last check's first error, if it had one. */
  error: z.string().nullable(),
});
export type CheckState = z.infer<typeof checkSchema>;

const LAST_CHECK = stateCell("service:check", checkSchema);
/** Before typed state, only the time of the last check was kept, as a bare number. */
const LEGACY_LAST_CHECK_KEY = "service:last_check_at";

export function lastCheck(store: Store): CheckState | undefined {
  const check = LAST_CHECK.get(store);
  if (check) return check;
  const legacy = Number(store.get(LEGACY_LAST_CHECK_KEY) ?? Number.NaN);
  return Number.isFinite(legacy) ? { at: legacy, failures: 0, error: null } : undefined;
}

export function recordCheck(store: Store, check: CheckState): void {
  LAST_CHECK.set(store, check);
}

const sourceHealthSchema = z.array(
  z.object({
    name: z.string(),
    provider: z.string(),
    /** Since when it has been unhealthy without a break (epoch ms); null while healthy. */
    unhealthySince: z.number().nullable(),
    lastError: z.string().nullable(),
  }),
);
export type SourceHealthRecord = z.infer<typeof sourceHealthSchema>;

/**
 * Each source's health as of the last check, kept for `health` (the container's health check runs
 * in its own process, without the service's memory: a carbon provider that cannot start keeps no
 * sync state, only this).
 */
const SOURCE_HEALTH = stateCell("service:source_health", sourceHealthSchema);

export function sourceHealthRecord(store: Store): SourceHealthRecord {
  return SOURCE_HEALTH.get(store) ?? [];
}

/** Records each source's health now: an unhealthy one keeps the time it became so. */
export function recordSourceHealth(store: Store, now: number, sources: readonly { name: string; provider: string; healthy: boolean; lastError: string | null }[]): void {
  const before = new Map(sourceHealthRecord(store).map((s) => [`${s.provider} ${s.name}`, s.unhealthySince]));
  SOURCE_HEALTH.set(
    store,
    sources.map((s) => ({
      name: s.name,
      provider: s.provider,
      unhealthySince: s.healthy ? null : (before.get(`${s.provider} ${s.name}`) ?? now),
      lastError: s.healthy ? null : s.lastError,
    })),
  );
}

/**
 * Statistics whose HA rows `verify --repair` found damaged from their first row on: the publisher
 * must not take HA's rows as its starting point (it would copy the damage); it imports them anew.
 */
const REIMPORT = stateCell("publisher:reimport", z.array(z.string()));

export function markForReimport(store: Store, series: readonly string[]): void {
  REIMPORT.set(store, [...new Set([...(REIMPORT.get(store) ?? []), ...series])]);
}

export function isMarkedForReimport(store: Store, series: string): boolean {
  return (REIMPORT.get(store) ?? []).includes(series);
}

export function reimported(store: Store, series: string): void {
  const left = (REIMPORT.get(store) ?? []).filter((s) => s !== series);
  REIMPORT.set(store, left);
}

/** Power and state changes are recorded completely up to this time (ms): the collector resumes after it. */
const RECORDED_UNTIL = stateCell("power:recorded_until", z.number());

export function recordedUntil(store: Store): number | undefined {
  return RECORDED_UNTIL.get(store);
}

export function recordRecordedUntil(store: Store, ms: number): void {
  RECORDED_UNTIL.set(store, ms);
}
