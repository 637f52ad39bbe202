/** The tracked entities' events in time order, overall and per entity, with what each event's windows need to know. */
import type { EventMeasurement } from "./measure.js";
import type { StateEvent, TransitionKind } from "./types.js";

export interface EventRecord {
  event: StateEvent;
  kind: TransitionKind;
  /** The power state the event teaches about. */
  state: string;
  /** Null until the data covers the event's windows. */
  measurement: EventMeasurement | null;
}

export class EventLog {
  /** All records, by time; same-time records by entity, then arrival. */
  readonly all: EventRecord[] = [];
  private readonly byEntity = new Map<string, EventRecord[]>();

  add(record: EventRecord): void {
    insertSorted(this.all, record);
    let own = this.byEntity.get(record.event.entityId);
    if (!own) this.byEntity.set(record.event.entityId, (own = []));
    insertSorted(own, record);
  }

  entities(): string[] {
    return [...this.byEntity.keys()].sort((a, b) => a.localeCompare(b));
  }

  /** One entity's records, by time. */
  of(entityId: string): readonly EventRecord[] {
    return this.byEntity.get(entityId) ?? [];
  }

  /** The same entity's records just before and after `r`. */
  neighbours(r: EventRecord): { previous: EventRecord | undefined; next: EventRecord | undefined } {
    const own = this.of(r.event.entityId);
    let i = lowerBound(own, r.event.t);
    while (own[i] !== r) i += 1;
    return { previous: own[i - 1], next: own[i + 1] };
  }

  /** Index of the first record at or after `t`. */
  firstAtOrAfter(t: number): number {
    return lowerBound(this.all, t);
  }

  /** Whether an entity other than `entityId` has an event in [from, to]. */
  otherIn(entityId: string, from: number, to: number): boolean {
    for (let i = lowerBound(this.all, from); i < this.all.length; i += 1) {
      const other = this.all[i]!.event;
      if (other.t > to) return false;
      if (other.entityId !== entityId) return true;
    }
    return false;
  }

  /** The times of events of entities other than `r`'s in [from, to], in order. */
  othersIn(r: EventRecord, from: number, to: number): number[] {
    const times: number[] = [];
    for (let i = lowerBound(this.all, from); i < this.all.length; i += 1) {
      const other = this.all[i]!.event;
      if (other.t > to) break;
      if (other.entityId !== r.event.entityId) times.push(other.t);
    }
    return times;
  }

  /** The other entity whose event in [from, to] is nearest in time to `r`, or null. */
  conflictIn(r: EventRecord, from: number, to: number): string | null {
    let best: string | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = lowerBound(this.all, from); i < this.all.length; i += 1) {
      const other = this.all[i]!.event;
      if (other.t > to) break;
      if (other.entityId === r.event.entityId) continue;
      const distance = Math.abs(other.t - r.event.t);
      if (distance < bestDistance) {
        best = other.entityId;
        bestDistance = distance;
      }
    }
    return best;
  }
}

function lowerBound(records: readonly EventRecord[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.event.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Same-time events are ordered by entity, then by arrival, so that the order never depends on batching. */
function comesAfter(a: StateEvent, b: StateEvent): boolean {
  return a.t > b.t || (a.t === b.t && a.entityId >= b.entityId);
}

function insertSorted(records: EventRecord[], record: EventRecord): void {
  const e = record.event;
  if (records.length === 0 || comesAfter(e, records[records.length - 1]!.event)) {
    records.push(record);
    return;
  }
  let i = lowerBound(records, e.t);
  while (i < records.length && comesAfter(e, records[i]!.event)) i += 1;
  records.splice(i, 0, record);
}
