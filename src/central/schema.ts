/**
 * \summary The central PostgreSQL schema, created and migrated by `auscult central init`:
 * versioned migrations in `central_schema_version` (append a new entry to change the schema;
 * never edit a shipped one), applied in one transaction each under an advisory lock so that two
 * `init`s at once do not race.
 *
 * Identity: a device is keyed by durable identity, never by IP across sites: `mac-<12 hex>`
 * (the same key every sensor gives a MAC), else the sensor's IP key scoped by site
 * (`<site>/ip-<addr>`), since sites reuse the same private address plans. What one sensor knows
 * of a device is one `device_sighting` row (its latest state, replaced only by a newer change);
 * addresses, VLAN and switch port are per sighting, so per site. `device_site` groups them per
 * site: a device heard at two sites has two rows there (its location history), and two sensors
 * at one site give one device whose evidence is the union of both.
 */
import type pg from 'pg';
import { AuscultError } from '../errors.js';

export const CENTRAL_MIGRATIONS: readonly string[] = [
  /* 1: sensors, the event log (exactly once on (sensor, stream, seq)), device sightings, SoR, exceptions */ `
  CREATE TABLE sensor (
    sensor_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    first_shipped_at TIMESTAMPTZ NOT NULL DEFAULT now(),   -- wall clock: an audit fact, not a capture result
    last_shipped_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE event (                 -- every outbox line ('outbox') and device change ('history') of every sensor
    sensor_id TEXT NOT NULL,
    stream TEXT NOT NULL CHECK (stream IN ('outbox', 'history')),
    seq BIGINT NOT NULL,               -- the sensor's own sequence in that stream
    site TEXT NOT NULL,
    ts TIMESTAMPTZ,                    -- capture time of the event
    body JSONB NOT NULL,
    PRIMARY KEY (sensor_id, stream, seq)
  );
  CREATE INDEX event_site_ts ON event (site, ts);
  CREATE TABLE device_sighting (       -- one sensor's latest state of one device
    sensor_id TEXT NOT NULL,
    local_id TEXT NOT NULL,            -- the sensor's device id
    change_seq BIGINT NOT NULL,        -- the sensor's device_change seq: an older one never replaces a newer
    device_key TEXT NOT NULL,          -- central identity (see header)
    site TEXT NOT NULL,
    mac TEXT,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    ips TEXT[] NOT NULL DEFAULT '{}',
    vlan INTEGER, switch TEXT, port TEXT, location TEXT,
    view JSONB NOT NULL,               -- the sensor's devices --json object for it
    PRIMARY KEY (sensor_id, local_id)
  );
  CREATE INDEX device_sighting_key ON device_sighting (device_key);
  CREATE INDEX device_sighting_site ON device_sighting (site, device_key);
  CREATE INDEX device_sighting_mac ON device_sighting (mac);
  CREATE VIEW device_site AS           -- per device and site: where, when, which addresses (the location history)
    SELECT device_key, site, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
      array_agg(DISTINCT sensor_id ORDER BY sensor_id) AS sensors,
      (SELECT array_agg(DISTINCT ip ORDER BY ip) FROM device_sighting s2, unnest(s2.ips) AS ip
        WHERE s2.device_key = s.device_key AND s2.site = s.site) AS ips
    FROM device_sighting s GROUP BY device_key, site;
  CREATE TABLE sor_import (
    id BIGSERIAL PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    rows INTEGER NOT NULL,
    skipped_rows INTEGER NOT NULL DEFAULT 0,
    encoding TEXT NOT NULL
  );
  CREATE TABLE sor_record (
    import_id BIGINT NOT NULL REFERENCES sor_import(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    site TEXT NOT NULL,
    record JSONB NOT NULL,             -- the SorRecord (src/reconcile/sor-record.ts)
    PRIMARY KEY (import_id, line)
  );
  CREATE TABLE sor_current (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    import_id BIGINT NOT NULL REFERENCES sor_import(id)
  );
  CREATE TABLE exception (             -- the current state of every central exception, per site
    site TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    opened_ts TEXT NOT NULL,
    resolved_ts TEXT,
    line JSONB NOT NULL,               -- the exception line as opened (same shape as the local stream)
    PRIMARY KEY (site, event_id)
  );
  CREATE TABLE exception_outbox (      -- central stream lines, in order
    seq BIGSERIAL PRIMARY KEY,
    line JSONB NOT NULL
  );
  `,
];

/** Serialises concurrent `central init`s. */
const MIGRATE_LOCK = 0x61757363; // 'ausc'

/** Applies missing migrations; returns [from, to] versions. */
export async function migrateCentral(client: pg.Client): Promise<{ from: number; to: number }> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS central_schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const from = await centralSchemaVersion(client);
    if (from > CENTRAL_MIGRATIONS.length) throw new Error(`central schema version ${from} is newer than this auscult (${CENTRAL_MIGRATIONS.length})`);
    for (let v = from; v < CENTRAL_MIGRATIONS.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(CENTRAL_MIGRATIONS[v] as string);
        await client.query('INSERT INTO central_schema_version (version) VALUES ($1)', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return { from, to: CENTRAL_MIGRATIONS.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
  }
}

/** The applied version (0: none; -1 when the version table does not exist). */
export async function centralSchemaVersion(client: pg.Client): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('central_schema_version')::text AS t");
  if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) return 0;
  const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM central_schema_version');
  return r.rows[0]?.v ?? 0;
}

/** Throws a clear error when the central schema is missing or older than this auscult. */
export async function requireCentralSchema(client: pg.Client): Promise<void> {
  const v = await centralSchemaVersion(client);
  if (v < CENTRAL_MIGRATIONS.length) {
    throw new AuscultError('AUS_ERR_CENTRAL', `central schema is at version ${v}, this auscult needs ${CENTRAL_MIGRATIONS.length}: run auscult central init --central URL`);
  }
}
