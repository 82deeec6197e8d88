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
  /* 2: system-of-record snapshots, reconciliation exceptions, the exception stream's outbox and cursor */ `
  CREATE TABLE sor_import (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,               -- the path as given to auscult import
    sha256 TEXT NOT NULL,             -- of the file's bytes
    imported_at TEXT NOT NULL,        -- wall-clock ISO time: an audit fact about the import, not a replay result
    rows INTEGER NOT NULL,            -- records imported
    skipped_rows INTEGER NOT NULL DEFAULT 0,
    encoding TEXT NOT NULL
  );
  CREATE TABLE sor_record (           -- every import's records, kept for history
    import_id INTEGER NOT NULL REFERENCES sor_import(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    asset_id TEXT, manufacturer TEXT, model TEXT, serial TEXT,
    macs TEXT NOT NULL DEFAULT '[]',  -- JSON array of normalised MACs
    ips TEXT NOT NULL DEFAULT '[]',   -- JSON array of normalised IPs
    hostname TEXT, vlan INTEGER, location TEXT, department TEXT, room TEXT, switch TEXT, port TEXT,
    firmware TEXT, os TEXT, fda_class TEXT, owner TEXT, device_type TEXT,
    attributes TEXT NOT NULL DEFAULT '{}', -- JSON object of unmapped columns
    PRIMARY KEY (import_id, line)
  ) WITHOUT ROWID;
  CREATE TABLE sor_current (          -- the snapshot reconciliation uses (at most one row)
    id INTEGER PRIMARY KEY CHECK (id = 1),
    import_id INTEGER NOT NULL REFERENCES sor_import(id)
  );
  CREATE TABLE exception (            -- the current state of every exception ever raised
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    severity TEXT NOT NULL,
    asset_id TEXT, device_id TEXT, mac TEXT, field TEXT, expected TEXT, observed TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    message TEXT NOT NULL,
    opened_ts TEXT NOT NULL,          -- capture time, ISO
    resolved_ts TEXT
  ) WITHOUT ROWID;
  CREATE TABLE outbox (               -- stream lines, appended in the transaction that changes exception
    seq INTEGER PRIMARY KEY,
    line TEXT NOT NULL
  );
  CREATE TABLE stream_cursor (        -- per stream file: the last outbox seq written and fsynced
    path TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* the database's identity (random, made once), so a stream file can name the database it belongs to */ `
  CREATE TABLE database_identity (    -- exactly one row
    id INTEGER PRIMARY KEY CHECK (id = 1),
    database_id TEXT NOT NULL         -- 32 hex characters, random
  );
  INSERT INTO database_identity (id, database_id) VALUES (1, lower(hex(randomblob(16))));
  `,
  /* shipping to a central PostgreSQL (src/central/): this sensor's id, per stream the last row the
     central database committed, and a change log of devices (kept by triggers, so the writers need
     not know about shipping; a deleted device, merged into another, leaves a tombstone) */ `
  CREATE TABLE ship_cursor (          -- 'outbox', 'history', 'device': the last seq shipped and committed centrally
    stream TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE sensor_identity (      -- the sensor id events carry centrally, made once per database (at most one row)
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sensor_id TEXT NOT NULL
  );
  CREATE TABLE device_change (        -- the latest change of each device, in change order
    device_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX device_change_seq ON device_change(seq);
  -- UPDATE then INSERT, not INSERT OR REPLACE: an outer statement's conflict clause (the store's
  -- upserts) overrides one in a trigger body.
  CREATE TRIGGER device_change_ins AFTER INSERT ON device BEGIN
    UPDATE device_change SET seq = (SELECT max(seq) + 1 FROM device_change), deleted = 0 WHERE device_id = NEW.id;
    INSERT INTO device_change (device_id, seq, deleted) SELECT NEW.id, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 0
      WHERE NOT EXISTS (SELECT 1 FROM device_change WHERE device_id = NEW.id);
  END;
  CREATE TRIGGER device_change_upd AFTER UPDATE ON device BEGIN
    UPDATE device_change SET seq = (SELECT max(seq) + 1 FROM device_change), deleted = 0 WHERE device_id = NEW.id;
    INSERT INTO device_change (device_id, seq, deleted) SELECT NEW.id, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 0
      WHERE NOT EXISTS (SELECT 1 FROM device_change WHERE device_id = NEW.id);
  END;
  CREATE TRIGGER device_change_del AFTER DELETE ON device BEGIN
    UPDATE device_change SET seq = (SELECT max(seq) + 1 FROM device_change), deleted = 1 WHERE device_id = OLD.id;
    INSERT INTO device_change (device_id, seq, deleted) SELECT OLD.id, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 1
      WHERE NOT EXISTS (SELECT 1 FROM device_change WHERE device_id = OLD.id);
  END;
  CREATE TRIGGER device_change_field_ins AFTER INSERT ON device_field BEGIN
    UPDATE device_change SET seq = (SELECT max(seq) + 1 FROM device_change), deleted = 0 WHERE device_id = NEW.device_id;
    INSERT INTO device_change (device_id, seq, deleted) SELECT NEW.device_id, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 0
      WHERE NOT EXISTS (SELECT 1 FROM device_change WHERE device_id = NEW.device_id);
  END;
  CREATE TRIGGER device_change_field_upd AFTER UPDATE ON device_field BEGIN
    UPDATE device_change SET seq = (SELECT max(seq) + 1 FROM device_change), deleted = 0 WHERE device_id = NEW.device_id;
    INSERT INTO device_change (device_id, seq, deleted) SELECT NEW.device_id, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 0
      WHERE NOT EXISTS (SELECT 1 FROM device_change WHERE device_id = NEW.device_id);
  END;
  INSERT INTO device_change (device_id, seq, deleted) SELECT id, row_number() OVER (ORDER BY last_seen_us, id), 0 FROM device;
  `,
  /* MACs merged into another device (a switch's port and management MACs), kept across restarts */ `
  CREATE TABLE device_alias (
    mac TEXT PRIMARY KEY,             -- normalised MAC that is not a device of its own
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    source TEXT NOT NULL,             -- why: lldp.chassis_id, dhcp.relay.source_mac, arp.management_address
    since_us INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX device_alias_device ON device_alias(device_id);
  `,
  /* advisories (every CSAF revision kept), CISA KEV, patch deferrals, patch events already streamed */ `
  CREATE TABLE advisory_revision (
    tracking_id TEXT NOT NULL,        -- document.tracking.id, the same across revisions
    version TEXT NOT NULL,            -- document.tracking.version
    current_release_date TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    file TEXT NOT NULL,               -- the path as given to auscult advisories import
    sha256 TEXT NOT NULL,             -- of the file's bytes
    imported_at TEXT NOT NULL,        -- wall-clock ISO time: an audit fact about the import
    flat TEXT NOT NULL,               -- the validated document's products and vulnerabilities (JSON, src/advisories/csaf.ts)
    document TEXT NOT NULL,           -- the CSAF JSON as imported
    PRIMARY KEY (tracking_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE kev (                  -- CISA Known Exploited Vulnerabilities
    cve TEXT PRIMARY KEY,
    date_added TEXT,
    vendor TEXT,
    product TEXT,
    known_ransomware TEXT,
    file TEXT NOT NULL,
    imported_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE deferral (             -- the current approved patch deferrals (each import replaces them)
    id INTEGER PRIMARY KEY,
    asset_id TEXT,
    mac TEXT,                         -- normalised, lower-case colon form
    advisory_id TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    until TEXT NOT NULL,              -- ISO date (YYYY-MM-DD): the deferral expires after this day
    required_vlan INTEGER,
    required_segment TEXT,            -- IPv4 CIDR the device must stay in
    note TEXT,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    imported_at TEXT NOT NULL
  );
  CREATE TABLE patch_event (          -- patch_verified events already put in the outbox (each once)
    event_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    ts TEXT NOT NULL,                 -- capture time of the firmware change
    line TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  /* device lifecycle events (src/reconcile/lifecycle.ts): per device, what the outbox has announced */ `
  CREATE TABLE lifecycle (            -- one row per device announced with device_new
    device_id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('active', 'quiet')),
    history_id INTEGER NOT NULL,      -- the last history row announced (device_new or device_changed)
    quiet_seen_us INTEGER             -- last_seen_us when it was announced quiet
  ) WITHOUT ROWID;
  `,
  /* remote-access sessions (issue 20, src/observe/remote-sessions.ts): one row per session that ended */ `
  CREATE TABLE remote_session (
    id INTEGER PRIMARY KEY,
    tool TEXT NOT NULL,               -- ssh, rdp, vnc, teamviewer, or a remote-access-services.ts id
    how TEXT NOT NULL,                -- what named it: an SNI or DNS name, an ALPN, a JA4, a banner version
    transport TEXT NOT NULL CHECK (transport IN ('tcp', 'udp')),
    device_ip TEXT NOT NULL,
    device_mac TEXT,                  -- link-layer address on the device side (a router's when routed)
    device_port INTEGER NOT NULL,
    peer_ip TEXT NOT NULL,
    peer_port INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    bytes_to_device INTEGER NOT NULL,   -- TCP/UDP payload bytes
    bytes_from_device INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    evidence_frame INTEGER NOT NULL,
    last_frame INTEGER NOT NULL,
    end_reason TEXT NOT NULL,           -- fin, rst, idle, capture_end, evicted
    capture_id INTEGER
  );
  CREATE INDEX remote_session_device_ip ON remote_session (device_ip);
  `,
  /* per-device communication profile (issue 20, src/observe/comm-profile.ts): peers, names, MUD URLs */ `
  CREATE TABLE profile_device (       -- one row per internal address profiled
    device_ip TEXT PRIMARY KEY,
    device_mac TEXT,                  -- link-layer address on the device side (a router's when routed)
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    frames INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE profile_peer (         -- at most limits.profile.max_peers_per_device rows per device
    device_ip TEXT NOT NULL,
    peer_ip TEXT NOT NULL,
    transport TEXT NOT NULL,          -- tcp, udp, icmp, ip<n>
    port INTEGER NOT NULL,            -- the service port (0 without ports)
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    scope TEXT NOT NULL CHECK (scope IN ('internal', 'external')),
    protocol TEXT,                    -- what a decoder recognised (tls, dns, ssh, dicom, ...)
    name TEXT,                        -- the SNI the device sent, else a DNS name that resolved to peer_ip
    name_source TEXT,                 -- sni, dns
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    capture_id INTEGER,
    frames INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,       -- TCP/UDP payload bytes the device sent
    bytes_in INTEGER NOT NULL,
    PRIMARY KEY (device_ip, peer_ip, transport, port, direction)
  ) WITHOUT ROWID;
  CREATE TABLE profile_name (         -- names the device resolved (its DNS questions) and TLS server names it called
    device_ip TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dns', 'sni')),
    name TEXT NOT NULL,
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    capture_id INTEGER,
    count INTEGER NOT NULL,
    PRIMARY KEY (device_ip, kind, name)
  ) WITHOUT ROWID;
  CREATE TABLE mud_url (              -- RFC 8520 MUD URL a device announced (DHCP option 161, LLDP MUD TLV)
    mac TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,             -- dhcp.option161, lldp.mud
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    capture_id INTEGER
  ) WITHOUT ROWID;
  `,
  /* issue 20 (src/reconcile/remote-access-policy.ts): the record's remote-access policy; the session lines announced to the outbox */ `
  ALTER TABLE sor_record ADD COLUMN remote_access TEXT;   -- approved tools as written; '' = column mapped, none approved
  ALTER TABLE sor_record ADD COLUMN service_window TEXT;  -- validated service window as written
  ALTER TABLE remote_session ADD COLUMN outbox_seq INTEGER; -- the outbox line announcing the session (NULL: not yet)
  CREATE INDEX remote_session_unannounced ON remote_session (outbox_seq) WHERE outbox_seq IS NULL;
  `,
  /* issue 13 (src/device/device-facts.ts): the latest value of each observation field a rule's `also` reads, so a restart or a reload keeps what identification may depend on */ `
  CREATE TABLE device_fact (
    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    field TEXT NOT NULL,              -- an observation field some rule's also: reads (RuleSet.rememberedFields)
    value TEXT NOT NULL,
    PRIMARY KEY (device_id, field)
  ) WITHOUT ROWID;
  `,
  /* issue 14 (250,000 devices): a device's change is recorded once per write, by its device row. The store writes a
     device's row whenever it writes one of its chosen values (InventoryStore.writeDevice), so the device_field
     triggers only moved the same device again in the same transaction: four to five bumps of the change log's
     index per new device instead of one. */ `
  DROP TRIGGER device_change_field_ins;
  DROP TRIGGER device_change_field_upd;
  `,
  /* issue 14 (250,000 devices): the store records a written device's change itself, with one upsert beside its row
     (InventoryStore.writeDevice, `recordChange`), instead of by these triggers: their two statements with subqueries
     cost 15-20 µs a device row, against 2-3 µs for the upsert (bench/README.md, eleventh session). The store is the
     only writer of device rows. A delete keeps its trigger (merges only, rare). */ `
  DROP TRIGGER device_change_ins;
  DROP TRIGGER device_change_upd;
  `,
];
