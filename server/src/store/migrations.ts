/** Forward-only schema migrations; `PRAGMA user_version` is the index of the last one applied. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );

  -- Every value of every series at every resolution (0 hour, 1 day, 2 month), keyed so that
  -- re-fetching is an upsert. Integer keys keep upserts well above 500k rows/s.
  CREATE TABLE readings (
    series_id INTEGER NOT NULL REFERENCES series (id),
    resolution INTEGER NOT NULL CHECK (resolution IN (0, 1, 2)),
    start INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series_id, resolution, start)
  ) WITHOUT ROWID;

  -- What was fetched per local period (day or month), for the planner.
  CREATE TABLE periods (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    resolution TEXT NOT NULL,
    period TEXT NOT NULL,
    rows INTEGER NOT NULL,
    total_kwh REAL NOT NULL,
    cost REAL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (provider, account, resolution, period)
  ) WITHOUT ROWID;

  -- Last attempt of each planned request.
  CREATE TABLE attempts (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    PRIMARY KEY (provider, account, key)
  ) WITHOUT ROWID;

  -- Health per (provider, account or contract, resolution).
  CREATE TABLE sync_state (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    resolution TEXT NOT NULL,
    covered_from TEXT,
    covered_to TEXT,
    last_success INTEGER,
    last_attempt INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (provider, account, resolution)
  ) WITHOUT ROWID;

  -- The rows HA has of each statistic, as last confirmed: value and running sum per hour.
  CREATE TABLE published (
    series TEXT NOT NULL,
    start INTEGER NOT NULL,
    value REAL NOT NULL,
    sum REAL NOT NULL,
    PRIMARY KEY (series, start)
  ) WITHOUT ROWID;

  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Power readings (ms, W) of the sensors the collector follows, and state changes of the entities
  -- it tracks: what the correlation engine learns from, so a restart resumes without HA's history.
  -- Kept for a bounded time (the collector deletes older rows).
  CREATE TABLE power_sensors (
    id INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL UNIQUE
  );

  CREATE TABLE power_samples (
    sensor_id INTEGER NOT NULL REFERENCES power_sensors (id),
    t_ms INTEGER NOT NULL,
    w REAL NOT NULL,
    PRIMARY KEY (sensor_id, t_ms)
  ) WITHOUT ROWID;

  CREATE TABLE state_events (
    entity_id TEXT NOT NULL,
    t_ms INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    PRIMARY KEY (entity_id, t_ms)
  ) WITHOUT ROWID;

  CREATE INDEX state_events_by_time ON state_events (t_ms);
  `,
  `
  -- The rows HA has of each mean statistic (carbon intensity), as last confirmed: the mean statistic's
  -- counterpart of "published" (it has no running sum). Replaces a JSON blob per series in kv.
  CREATE TABLE published_mean (
    series TEXT NOT NULL,
    start INTEGER NOT NULL,
    mean REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    PRIMARY KEY (series, start)
  ) WITHOUT ROWID;
  `,
  `
  -- The power-relevant attribute level of a tracked entity before and after each change (a light's
  -- brightness, a fan's speed, a climate's hvac_action); NULL when it has none. A change of level
  -- alone is an event too.
  ALTER TABLE state_events ADD COLUMN from_level TEXT;
  ALTER TABLE state_events ADD COLUMN to_level TEXT;
  `,
  `
  -- One bookkeeping of what HA has confirmed, for sum and mean statistics alike: a sum statistic's
  -- hour keeps its value and running sum; a mean statistic's (carbon intensity) its mean in value,
  -- its min and max, and no sum. Replaces the separate published_mean table.
  CREATE TABLE published_rows (
    series TEXT NOT NULL,
    start INTEGER NOT NULL,
    value REAL NOT NULL,
    sum REAL,
    min REAL,
    max REAL,
    PRIMARY KEY (series, start)
  ) WITHOUT ROWID;
  INSERT INTO published_rows (series, start, value, sum) SELECT series, start, value, sum FROM published;
  INSERT OR IGNORE INTO published_rows (series, start, value, min, max) SELECT series, start, mean, min, max FROM published_mean;
  DROP TABLE published;
  DROP TABLE published_mean;
  ALTER TABLE published_rows RENAME TO published;
  `,
];
