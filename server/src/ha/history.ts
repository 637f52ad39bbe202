import { sendCommand, type Connection } from "./connection.js";

/**
 * HA's recorded history over the websocket (`history/history_during_period`, compressed states):
 * one plain typed wrapper, and pure helpers that turn its rows into timed states.
 */

/** A compressed state: `s` state, `lu` last updated and `lc` last changed (epoch seconds; `lc` omitted when equal to `lu`). */
export interface CompressedState {
  s: string;
  lu: number;
  lc?: number;
  a?: Record<string, unknown>;
}

export type HistoryResult = Record<string, CompressedState[]>;

/**
 * Every recorded state of the entities in [start, end), the state at `start` first; without
 * attributes unless asked (then every row carries them, attribute-only changes included).
 */
export function historyDuringPeriod(conn: Connection, req: { startTime: Date; endTime: Date; entityIds: readonly string[]; attributes?: boolean }): Promise<HistoryResult> {
  if (req.entityIds.length === 0) return Promise.resolve({});
  return sendCommand<HistoryResult>(conn, {
    type: "history/history_during_period",
    start_time: req.startTime.toISOString(),
    end_time: req.endTime.toISOString(),
    entity_ids: [...req.entityIds],
    include_start_time_state: true,
    significant_changes_only: false,
    minimal_response: !req.attributes,
    no_attributes: !req.attributes,
  });
}

/** A state and the time (epoch ms) it took effect. */
export interface TimedState {
  t: number;
  state: string;
}

/** The rows as timed states in time order (last changed, else last updated). */
export function timedStates(rows: readonly CompressedState[] | undefined): TimedState[] {
  return (rows ?? [])
    .map((r) => ({ t: Math.round((r.lc ?? r.lu) * 1000), state: r.s }))
    .filter((r) => Number.isFinite(r.t))
    .sort((a, b) => a.t - b.t);
}

/** A state with its attributes and the time (epoch ms) it took effect. */
export interface TimedAttributes extends TimedState {
  attributes: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Rows read with attributes as timed states with their attributes, in time order: a change of
 * state at its last-changed time, a change of attributes alone at its last-updated time.
 */
export function timedAttributes(rows: readonly CompressedState[] | undefined): TimedAttributes[] {
  const sorted = [...(rows ?? [])].sort((a, b) => a.lu - b.lu);
  const out: TimedAttributes[] = [];
  let previous: string | null = null;
  for (const r of sorted) {
    const seconds = previous === r.s ? r.lu : (r.lc ?? r.lu);
    const t = Math.round(seconds * 1000);
    if (Number.isFinite(t)) out.push({ t, state: r.s, attributes: r.a });
    previous = r.s;
  }
  return out;
}

/** [from, to) cut into pieces of at most `pieceMs`, so that no answer gets large (a 1 s sensor writes 86 400 states a day). */
export function historyPieces(from: number, to: number, pieceMs = 6 * 3600_000): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let a = from; a < to; a += pieceMs) out.push({ from: a, to: Math.min(to, a + pieceMs) });
  return out;
}
