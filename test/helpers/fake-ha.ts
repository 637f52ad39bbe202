/**
 * A fake Home Assistant connection for the power collector: timelines per entity, answering
 * get_states and history/history_during_period like HA, live changes by `emit`.
 */
import type { StateChangedEvent } from "home-assistant-js-websocket";
import type { Connection } from "../../server/src/ha/connection.js";
import type { HaEntityState } from "../../server/src/ha/discovery.js";
import type { CompressedState } from "../../server/src/ha/history.js";

export function entity(entityId: string, state: string, attributes: Record<string, unknown> = {}, t = 0): HaEntityState {
  const iso = new Date(t).toISOString();
  return { entity_id: entityId, state, attributes, last_changed: iso, last_updated: iso };
}

/** Timelines per entity, answering get_states and history/history_during_period like HA; live changes by `emit`. */
export class FakeHa {
  connected = true;
  haVersion = "2026.11.0";
  readonly timelines = new Map<string, { t: number; state: string; attributes?: Record<string, unknown> }[]>();
  readonly attributes = new Map<string, Record<string, unknown>>();
  readonly historyRequests: { start: number; end: number; ids: string[]; attributes: boolean }[] = [];
  private handler: ((ev: StateChangedEvent) => void) | null = null;
  private readonly listeners = new Set<() => void>();

  /** A state from `t`; `attributes`, when given, hold from then on (HA's history returns them with the row). */
  set(entityId: string, t: number, state: string, attributes?: Record<string, unknown>): void {
    if (attributes) this.attributes.set(entityId, attributes);
    const line = this.timelines.get(entityId) ?? [];
    line.push({ t, state, attributes: this.attributes.get(entityId) });
    this.timelines.set(entityId, line);
  }

  /** A live state change, as HA sends it to subscribers. */
  emit(entityId: string, t: number, state: string, attributes?: Record<string, unknown>): void {
    const old = this.current(entityId);
    this.set(entityId, t, state, attributes);
    const ev = {
      event_type: "state_changed",
      data: { entity_id: entityId, old_state: old ? this.asHass(entityId, old) : null, new_state: this.asHass(entityId, { t, state }) },
    } as unknown as StateChangedEvent;
    this.handler?.(ev);
  }

  reconnect(): void {
    for (const l of this.listeners) l();
  }

  private current(entityId: string): { t: number; state: string; attributes?: Record<string, unknown> } | undefined {
    return this.timelines.get(entityId)?.at(-1);
  }

  private asHass(entityId: string, s: { t: number; state: string; attributes?: Record<string, unknown> }): HaEntityState {
    return entity(entityId, s.state, s.attributes ?? this.attributes.get(entityId) ?? {}, s.t);
  }

  // The parts of Connection the collector uses.
  subscribeEvents(cb: (ev: StateChangedEvent) => void): Promise<() => Promise<void>> {
    this.handler = cb;
    return Promise.resolve(async () => {
      this.handler = null;
    });
  }
  addEventListener(_: string, cb: () => void): void {
    this.listeners.add(cb);
  }
  removeEventListener(_: string, cb: () => void): void {
    this.listeners.delete(cb);
  }
  sendMessagePromise(msg: Record<string, unknown>): Promise<unknown> {
    if (msg.type === "get_states") return Promise.resolve([...this.timelines.keys()].map((id) => this.asHass(id, this.current(id)!)));
    if (msg.type === "history/history_during_period") {
      const start = Date.parse(msg.start_time as string);
      const end = Date.parse(msg.end_time as string);
      const ids = msg.entity_ids as string[];
      const withAttributes = msg.no_attributes === false;
      this.historyRequests.push({ start, end, ids, attributes: withAttributes });
      const out: Record<string, CompressedState[]> = {};
      for (const id of ids) {
        const line = this.timelines.get(id) ?? [];
        const before = line.filter((r) => r.t < start).at(-1);
        // With attributes HA sends full rows: last_changed is when the state (not the attributes) last changed.
        const lastChanged = (r: (typeof line)[number]): number => {
          let from = r.t;
          for (let i = line.indexOf(r) - 1; i >= 0 && line[i]!.state === r.state; i -= 1) from = line[i]!.t;
          return from;
        };
        const row = (r: (typeof line)[number], lu: number): CompressedState =>
          withAttributes ? { s: r.state, lu, lc: Math.max(start, lastChanged(r)) / 1000, a: r.attributes ?? {} } : { s: r.state, lu };
        const rows = [...(before ? [row(before, start / 1000)] : []), ...line.filter((r) => r.t >= start && r.t < end).map((r) => row(r, r.t / 1000))];
        if (rows.length > 0) out[id] = rows;
      }
      return Promise.resolve(out);
    }
    return Promise.reject(new Error(`unexpected ${String(msg.type)}`));
  }
}

/** The fake as the collector's connection. */
export function asConnection(ha: FakeHa): () => Promise<Connection> {
  return () => Promise.resolve(ha as unknown as Connection);
}
