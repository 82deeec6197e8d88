/**
 * \summary Schema migrations, applied in order by `PRAGMA user_version`.
 *
 * Append a new entry to change the schema; never edit a shipped one. Times are integer
 * microseconds since the Unix epoch (capture time, never wall-clock time).
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: devices, addresses, field candidates with provenance, history, counters */ `
  CREATE TABLE capture (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,               -- 'file' or 'live'
    frames INTEGER NOT NULL DEFAULT 0,
    first_ts_us INTEGER,
    last_ts_us INTEGER
  );
  CREATE TABLE device (
    id TEXT PRIMARY KEY,              -- 'mac-<12 hex>' or 'ip-<address>'
    mac TEXT UNIQUE,                  -- null for devices only seen through a router
    ip_key TEXT UNIQUE,               -- the key of an IP-keyed device
    locally_attached INTEGER NOT NULL DEFAULT 1,
    is_router INTEGER NOT NULL DEFAULT 0,
    first_seen_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    frames INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE device_address (
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    source TEXT NOT NULL,             -- protocol that bound it: dhcp, arp, mdns, lldp, cdp, ip
    first_seen_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    capture_id INTEGER REFERENCES capture(id),
    PRIMARY KEY (device_id, ip)
  ) WITHOUT ROWID;
  CREATE INDEX device_address_ip ON device_address(ip);
  CREATE TABLE field_evidence (       -- every candidate value ever seen for a field
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    source TEXT NOT NULL,
    value TEXT NOT NULL,
    rule TEXT,
    confidence REAL NOT NULL,
    first_seen_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    last_frame INTEGER NOT NULL,
    capture_id INTEGER REFERENCES capture(id),
    count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (device_id, field, source, value)
  ) WITHOUT ROWID;
  CREATE TABLE device_field (         -- the value chosen for each field
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    confidence REAL NOT NULL,
    since_us INTEGER NOT NULL,
    PRIMARY KEY (device_id, field)
  ) WITHOUT ROWID;
  CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    ts_us INTEGER NOT NULL,
    frame INTEGER,
    source TEXT,
    capture_id INTEGER REFERENCES capture(id)
  );
  CREATE INDEX history_device ON history(device_id, id);
  CREATE TABLE counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];
