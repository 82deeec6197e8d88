/**
 * \summary The local side of shipping to a central PostgreSQL (src/central/ship.ts): this
 * sensor's durable id, the per-stream cursors of what the central database has committed, and
 * bounded batches of what comes after them.
 *
 * Streams: `outbox` (exception stream lines, by `outbox.seq`), `history` (device field changes,
 * by `history.id`) and `device` (device state snapshots, by `device_change.seq`, which the store
 * moves with every device row it writes, and a trigger with every delete: migrations 3 and 14). The local
 * database keeps every row; a cursor only moves after the central commit, so a crash on either
 * side re-sends (the central side ignores what it already has) and never skips.
 */
import { randomUUID } from 'node:crypto';
import { listDeviceChangesAfter, isoTime, type DeviceView } from './device-view.js';
import type { Db } from './store.js';

export type ShipStream = 'outbox' | 'history';

export interface ShipCursor {
  outbox: number;
  history: number;
  device: number;
}

/** One event with its position in this sensor's stream; `body` is the JSON text shipped. */
export interface ShipEvent {
  stream: ShipStream;
  seq: number;
  /** Capture time (history rows; an outbox line's is inside its body). */
  ts: string | null;
  body: string;
}

export interface ShipBatch {
  events: ShipEvent[];
  /** Changed devices with their change seq; `view` undefined: deleted (merged into another) locally. */
  devices: { seq: number; id: string; view: DeviceView | undefined }[];
  /** The cursor after this batch once committed centrally. */
  next: ShipCursor;
}

/** This database's sensor id: `preferred` when given (config `central.sensor_id`), else a UUID made once and kept. */
export function sensorId(db: Db, preferred?: string | null): string {
  const row = db.prepare('SELECT sensor_id FROM sensor_identity WHERE id = 1').get() as { sensor_id: string } | undefined;
  if (preferred !== undefined && preferred !== null && preferred !== '') {
    if (row?.sensor_id !== preferred) db.prepare('INSERT INTO sensor_identity (id, sensor_id) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET sensor_id = excluded.sensor_id').run(preferred);
    return preferred;
  }
  if (row !== undefined) return row.sensor_id;
  const id = randomUUID();
  db.prepare('INSERT INTO sensor_identity (id, sensor_id) VALUES (1, ?)').run(id);
  return id;
}

export function readShipCursor(db: Db): ShipCursor {
  const rows = db.prepare('SELECT stream, last_seq FROM ship_cursor').all() as { stream: string; last_seq: number }[];
  const c: ShipCursor = { outbox: 0, history: 0, device: 0 };
  for (const r of rows) {
    if (r.stream === 'outbox' || r.stream === 'history' || r.stream === 'device') c[r.stream] = r.last_seq;
  }
  return c;
}

/** Records what the central database has committed (after its commit, never before). */
export function writeShipCursor(db: Db, c: ShipCursor): void {
  const up = db.prepare(`INSERT INTO ship_cursor (stream, last_seq) VALUES (?, ?)
    ON CONFLICT(stream) DO UPDATE SET last_seq = excluded.last_seq`);
  db.transaction(() => {
    up.run('outbox', c.outbox);
    up.run('history', c.history);
    up.run('device', c.device);
  })();
}

/** The next batch after `cursor`: at most `limit` outbox lines, `limit` history rows and `limit` devices. */
export function readShipBatch(db: Db, cursor: ShipCursor, limit: number): ShipBatch {
  const events: ShipEvent[] = [];
  const next: ShipCursor = { ...cursor };
  for (const r of db.prepare('SELECT seq, line FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(cursor.outbox, limit) as { seq: number; line: string }[]) {
    events.push({ stream: 'outbox', seq: r.seq, ts: null, body: r.line });
    next.outbox = r.seq;
  }
  const hist = db.prepare(`SELECT h.id, h.device_id, h.field, h.old_value, h.new_value, h.ts_us, h.frame, h.source, c.path
    FROM history h LEFT JOIN capture c ON c.id = h.capture_id WHERE h.id > ? ORDER BY h.id LIMIT ?`).all(cursor.history, limit) as {
    id: number; device_id: string; field: string; old_value: string | null; new_value: string | null; ts_us: number; frame: number | null; source: string | null; path: string | null;
  }[];
  for (const h of hist) {
    const ts = isoTime(h.ts_us);
    const body = {
      event_type: 'device_change', seq: h.id, ts, device_id: h.device_id, field: h.field, old_value: h.old_value, new_value: h.new_value,
      frame: h.frame, capture: h.path === null ? null : (h.path.split('/').pop() ?? h.path), source: h.source,
    };
    events.push({ stream: 'history', seq: h.id, ts, body: JSON.stringify(body) });
    next.history = h.id;
  }
  const devices = listDeviceChangesAfter(db, cursor.device, limit);
  const last = devices[devices.length - 1];
  if (last !== undefined) next.device = last.seq;
  return { events, devices, next };
}

/** Rows not yet shipped, per stream (for status and the health problem). */
export function shipBacklog(db: Db, cursor: ShipCursor = readShipCursor(db)): { outbox: number; history: number; devices: number } {
  const n = (sql: string, ...p: (number | string)[]) => (db.prepare(sql).get(...p) as { n: number }).n;
  return {
    outbox: n('SELECT count(*) AS n FROM outbox WHERE seq > ?', cursor.outbox),
    history: n('SELECT count(*) AS n FROM history WHERE id > ?', cursor.history),
    devices: n('SELECT count(*) AS n FROM device_change WHERE seq > ?', cursor.device),
  };
}

/** Every outbox line and history row of this database, as shipped events (tests compare the central set to this). */
export function allShipEvents(db: Db): ShipEvent[] {
  const out: ShipEvent[] = [];
  let cursor: ShipCursor = { outbox: 0, history: 0, device: Number.MAX_SAFE_INTEGER };
  for (;;) {
    const b = readShipBatch(db, cursor, 10_000);
    if (b.events.length === 0) return out;
    out.push(...b.events);
    cursor = b.next;
  }
}
