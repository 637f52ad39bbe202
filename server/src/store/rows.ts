/**
 * The rows the store keeps, owned here: the sync, the statistics and the device learner read and
 * write these shapes, and the store depends on none of them.
 */

/** One stored value of a series at one resolution; `start` is UTC epoch seconds of the local period start. */
export interface Reading {
  start: number;
  value: number;
}

/** What the store knows of one local period (a day, or a month "YYYY-MM") at one resolution. */
export interface PeriodCoverage {
  /** Number of records stored for the period (hours for hourly days, 1 otherwise; 0 = the provider has none). */
  rows: number;
  /** Total kWh of the period's records. */
  totalKwh: number;
  /** Total cost, when the provider gave one. */
  cost: number | null;
  /** When this period was last fetched (epoch ms). */
  fetchedAt: number;
}

/** A row as HA has it (or as we last wrote it): the hour's value (`state`) and the running `sum`. */
export interface PublishedRow {
  start: number;
  value: number;
  sum: number;
}

/** A whole-home power reading: time (epoch ms) and watts. */
export interface PowerSample {
  t: number;
  w: number;
}

/** A state change of a tracked entity, stamped when Home Assistant saw it. */
export interface StateEvent {
  t: number;
  entityId: string;
  from: string;
  to: string;
  /**
   * The power-relevant attribute before and after the change, as `attributeLevel` formats it
   * (a light's brightness, a fan's speed, a climate's hvac_action); absent or null when the entity
   * has none. A change of level alone is an event too.
   */
  fromLevel?: string | null;
  toLevel?: string | null;
}
