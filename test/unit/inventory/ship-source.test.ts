/**
 * The local side of central shipping: the device change log (moved by the store with each device row it
 * writes, and by a trigger with a delete),
 * batches bounded by their limit, the cursor that moves only when told, the sensor id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, RECORD_DEVICE_CHANGE_SQL, type Db } from '../../../src/inventory/store.js';
import { allShipEvents, readShipBatch, readShipCursor, sensorId, shipBacklog, writeShipCursor } from '../../../src/inventory/ship-source.js';
import { enqueueLines, EXCEPTION_SCHEMA_VERSION } from '../../../src/output/ndjson.js';
import { auscult, ROOT } from '../../helpers/cli.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-ship-'));
  db = openDatabase(join(dir, 'a.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A device row written as the store writes one: the row, then its move in the change log. */
const device = (id: string, seen: number) => {
  db.prepare(`INSERT INTO device (id, mac, first_seen_us, last_seen_us) VALUES (?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET last_seen_us = excluded.last_seen_us`).run(id, `00:00:00:00:00:0${id.slice(-1)}`, seen, seen);
  db.prepare(RECORD_DEVICE_CHANGE_SQL).run(id);
};
const changes = () => db.prepare('SELECT device_id, seq, deleted FROM device_change ORDER BY seq').all();
const lines = (n: number, tag: string) => db.transaction(() => enqueueLines(db, Array.from({ length: n }, (_, i) => ({
  schema_version: EXCEPTION_SCHEMA_VERSION, event_type: 'exception' as const, event_id: `${tag}${i}`, ts: '2026-01-01T00:00:00.000Z', type: 'never_seen' as const,
  status: 'open' as const, severity: 'low' as const, asset_id: `A${i}`, device_id: null, mac: null, field: null, expected: null, observed: null, evidence: [], message: 'm',
}))))();

describe('device change log', () => {
  it('every write of a device row (the store writes a field change with its device row) and every delete moves the device to the newest seq', () => {
    device('mac-000000000001', 10);
    device('mac-000000000002', 11);
    expect(changes()).toEqual([{ device_id: 'mac-000000000001', seq: 1, deleted: 0 }, { device_id: 'mac-000000000002', seq: 2, deleted: 0 }]);
    device('mac-000000000001', 12); // a device written again moves to the newest seq
    // A field change is written with its device's row (InventoryStore.writeDevice): the row moves the device, once.
    db.transaction(() => {
      db.prepare(`INSERT INTO device_field (device_id, field, value, source, confidence, since_us) VALUES ('mac-000000000002', 'model', 'X', 's', 1, 1)`).run();
      device('mac-000000000002', 11);
    })();
    expect(changes()).toEqual([{ device_id: 'mac-000000000001', seq: 3, deleted: 0 }, { device_id: 'mac-000000000002', seq: 4, deleted: 0 }]);
    db.prepare('DELETE FROM device WHERE id = ?').run('mac-000000000001');
    expect(changes()).toEqual([{ device_id: 'mac-000000000002', seq: 4, deleted: 0 }, { device_id: 'mac-000000000001', seq: 5, deleted: 1 }]);
    const batch = readShipBatch(db, readShipCursor(db), 10);
    expect(batch.devices.map((d) => [d.id, d.seq, d.view === undefined])).toEqual([['mac-000000000002', 4, false], ['mac-000000000001', 5, true]]);
    expect(batch.devices[0]!.view!.model).toBe('X');
  });

  it('a replayed capture leaves one change per device', () => {
    db.close();
    const path = join(dir, 'demo.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', path]).code).toBe(0);
    db = openDatabase(path);
    const n = (db.prepare('SELECT count(*) AS n FROM device').get() as { n: number }).n;
    expect(n).toBeGreaterThan(0);
    expect(shipBacklog(db).devices).toBe(n);
    expect(shipBacklog(db).history).toBeGreaterThan(0);
  });
});

describe('batches and the cursor', () => {
  it('a batch holds at most `limit` rows of each stream, in order; the cursor moves only when written', () => {
    lines(5, 'e');
    device('mac-000000000001', 1);
    device('mac-000000000002', 2);
    device('mac-000000000003', 3);
    const first = readShipBatch(db, readShipCursor(db), 2);
    expect(first.events.map((e) => [e.stream, e.seq])).toEqual([['outbox', 1], ['outbox', 2]]);
    expect(first.devices.map((d) => d.id)).toEqual(['mac-000000000001', 'mac-000000000002']);
    expect(readShipCursor(db)).toEqual({ outbox: 0, history: 0, device: 0 }); // not shipped until written
    writeShipCursor(db, first.next);
    expect(readShipCursor(db)).toEqual({ outbox: 2, history: 0, device: 2 });
    expect(shipBacklog(db)).toEqual({ outbox: 3, history: 0, devices: 1 });
    const second = readShipBatch(db, readShipCursor(db), 2);
    expect(second.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(JSON.parse(second.events[0]!.body)).toMatchObject({ seq: 3, event_id: 'e2' });
    writeShipCursor(db, second.next);
    writeShipCursor(db, readShipBatch(db, readShipCursor(db), 2).next);
    expect(shipBacklog(db)).toEqual({ outbox: 0, history: 0, devices: 0 });
    expect(readShipBatch(db, readShipCursor(db), 2)).toMatchObject({ events: [], devices: [] });
    expect(allShipEvents(db).length).toBe(5);
  });

  it('the sensor id is made once and kept; a configured one replaces it', () => {
    const made = sensorId(db);
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(sensorId(db)).toBe(made);
    expect(sensorId(db, 'icu-span-1')).toBe('icu-span-1');
    expect(sensorId(db)).toBe('icu-span-1');
  });
});
