/**
 * Device lifecycle events from the store's own tables: device_new, device_changed (fields, old and
 * new, evidence frame), device_quiet after a lowered quiet_after on the capture clock, and
 * device_back; stable event ids; appended to the outbox by reconciliation in its transaction, every
 * line schema-valid; and a real replay (the demo capture) announces every device once, with or
 * without a system of record (`announceLifecycle`, what a sensor with no CMDB export runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { openDatabase, type Db } from '../../../src/inventory/store.js';
import { openPipeline } from '../../../src/pipeline.js';
import { announceLifecycle, lifecycleEventId, lifecycleLines } from '../../../src/reconcile/lifecycle.js';
import { parseSorCsv } from '../../../src/reconcile/import-csv.js';
import { reconcile } from '../../../src/reconcile/reconcile.js';
import { storeSorSnapshot } from '../../../src/reconcile/sor-store.js';
import { expectValidLines } from './schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-lifecycle-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const S = 1_000_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z') * 1000;
const iso = (us: number): string => new Date(us / 1000).toISOString();

function fresh(name: string): Db {
  const db = openDatabase(join(dir, name));
  db.prepare("INSERT INTO capture (id, path, kind) VALUES (1, '/captures/ward.pcapng', 'file')").run();
  return db;
}
function addDevice(db: Db, id: string, mac: string, firstUs: number, lastUs: number): void {
  db.prepare('INSERT INTO device (id, mac, first_seen_us, last_seen_us) VALUES (?, ?, ?, ?)').run(id, mac, firstUs, lastUs);
  db.prepare("INSERT INTO device_address (device_id, ip, source, first_seen_us, last_seen_us, first_frame, capture_id) VALUES (?, '10.0.0.5', 'dhcp', ?, ?, 7, 1)").run(id, firstUs, lastUs);
}
function change(db: Db, id: string, field: string, oldV: string | null, newV: string, tsUs: number, frame: number): void {
  db.prepare("INSERT INTO history (device_id, field, old_value, new_value, ts_us, frame, source, capture_id) VALUES (?, ?, ?, ?, ?, ?, 'lldp', 1)").run(id, field, oldV, newV, tsUs, frame);
}
const hear = (db: Db, id: string, lastUs: number): void => { db.prepare('UPDATE device SET last_seen_us = ? WHERE id = ?').run(lastUs, id); };
const run = (db: Db, nowUs: number, quietAfterS = 3600) => db.transaction(() => lifecycleLines(db, nowUs, { quietAfterS }))();

describe('lifecycle events', () => {
  it('device_new once per device, with its first address as evidence; its first field values are not changes', () => {
    const db = fresh('new.db');
    addDevice(db, 'mac-0009fb000001', '00:09:fb:00:00:01', T0, T0 + 10 * S);
    change(db, 'mac-0009fb000001', 'firmware', null, '1.0', T0, 3);
    const first = run(db, T0 + 10 * S);
    expect(first.map((l) => l.type)).toEqual(['device_new']);
    const l = first[0];
    expect(l?.ts).toBe(iso(T0));
    expect(l?.event_id).toBe(lifecycleEventId('device_new', 'mac-0009fb000001', ''));
    expect(l?.evidence).toEqual([{ source: 'dhcp', frame: 7, ts: iso(T0), capture: 'ward.pcapng' }]);
    expect(l?.message).toBe('new device 00:09:fb:00:00:01 at 10.0.0.5');
    expect(run(db, T0 + 11 * S)).toEqual([]);
    db.close();
  });

  it('device_changed: one event per run, per field the first old and last new value with its frame; a flap back is no change', () => {
    const db = fresh('changed.db');
    addDevice(db, 'mac-0009fb000002', '00:09:fb:00:00:02', T0, T0 + 10 * S);
    change(db, 'mac-0009fb000002', 'firmware', null, '1.0', T0, 3);
    run(db, T0 + 10 * S);
    change(db, 'mac-0009fb000002', 'firmware', '1.0', '1.1', T0 + 20 * S, 40);
    change(db, 'mac-0009fb000002', 'firmware', '1.1', '2.0', T0 + 30 * S, 55);
    change(db, 'mac-0009fb000002', 'hostname', 'A', 'B', T0 + 21 * S, 41);
    change(db, 'mac-0009fb000002', 'hostname', 'B', 'A', T0 + 22 * S, 42);
    const lines = run(db, T0 + 30 * S);
    expect(lines).toHaveLength(1);
    const l = lines[0];
    expect(l?.type).toBe('device_changed');
    expect(l?.ts).toBe(iso(T0 + 30 * S));
    expect(l?.changes).toEqual([{ field: 'firmware', old: '1.0', new: '2.0', source: 'lldp', frame: 55, ts: iso(T0 + 30 * S), capture: 'ward.pcapng' }]);
    expect(l?.evidence).toEqual([{ source: 'lldp', frame: 55, ts: iso(T0 + 30 * S), capture: 'ward.pcapng' }]);
    expect(l?.message).toBe('device 00:09:fb:00:00:02 changed firmware 1.0 -> 2.0');
    expect(run(db, T0 + 31 * S)).toEqual([]);
    db.close();
  });

  it('device_quiet after quiet_after of capture time (not before), once; device_back when heard again; ids stable across databases', () => {
    const ids: string[][] = [];
    for (const name of ['quiet-a.db', 'quiet-b.db']) {
      const db = fresh(name);
      addDevice(db, 'mac-0009fb000003', '00:09:fb:00:00:03', T0, T0 + 10 * S);
      expect(run(db, T0 + 10 * S).map((l) => l.type)).toEqual(['device_new']);
      expect(run(db, T0 + 10 * S + 3599 * S)).toEqual([]);
      const quiet = run(db, T0 + 10 * S + 3600 * S);
      expect(quiet.map((l) => [l.type, l.severity, l.ts])).toEqual([['device_quiet', 'medium', iso(T0 + 3610 * S)]]);
      expect(quiet[0]?.message).toContain('decommission candidate');
      expect(run(db, T0 + 9000 * S)).toEqual([]);
      hear(db, 'mac-0009fb000003', T0 + 9001 * S);
      const back = run(db, T0 + 9001 * S);
      expect(back.map((l) => [l.type, l.ts])).toEqual([['device_back', iso(T0 + 9001 * S)]]);
      expect(run(db, T0 + 9002 * S)).toEqual([]);
      // The default (7 days) keeps a device heard an hour ago active.
      expect(db.transaction(() => lifecycleLines(db, T0 + 9001 * S + 3600 * S))()).toEqual([]);
      ids.push([...quiet, ...back].map((l) => l.event_id));
      db.close();
    }
    expect(ids[0]).toEqual(ids[1]);
  });

  it('a device merged away (row deleted) leaves the table silently', () => {
    const db = fresh('merged.db');
    addDevice(db, 'mac-0009fb000004', '00:09:fb:00:00:04', T0, T0 + S);
    run(db, T0 + S);
    db.prepare('DELETE FROM device WHERE id = ?').run('mac-0009fb000004');
    expect(run(db, T0 + 2 * S)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM lifecycle').pluck().get()).toBe(0);
    db.close();
  });

  it('reconciliation appends them to the outbox before the exceptions, one seq sequence, every line schema-valid; the demo announces every device once', async () => {
    const path = join(dir, 'demo.db');
    const p = openPipeline(path, { logger: silentLogger() });
    await p.replayFile('fixtures/demo/hospital-demo.pcapng');
    p.db.close();
    const db = openDatabase(path);
    const parsed = await parseSorCsv('fixtures/demo/sor-export.csv');
    storeSorSnapshot(db, { file: 'sor', sha256: 'x'.repeat(64), importedAt: '2026-01-01T00:00:00.000Z', encoding: parsed.encoding, skippedRows: 0, records: parsed.records });
    const r = reconcile(db);
    const devices = db.prepare('SELECT count(*) FROM device').pluck().get() as number;
    expect(r.lifecycle?.map((l) => l.type)).toEqual(Array(devices).fill('device_new'));
    const lines = expectValidLines((db.prepare('SELECT line FROM outbox ORDER BY seq').all() as { line: string }[]).map((x) => x.line).join('\n'));
    expect(lines.map((l) => l['seq'])).toEqual(lines.map((_, i) => i + 1));
    expect(lines.slice(0, devices).every((l) => l['event_type'] === 'lifecycle')).toBe(true);
    expect(lines.slice(devices).every((l) => l['event_type'] === 'exception')).toBe(true);
    expect(lines.length).toBeGreaterThan(devices);
    // Again: nothing new (the demo spans a minute, far under seven days).
    expect(reconcile(db).lifecycle).toEqual([]);
    // A lowered quiet_after, on the capture clock: the newest packet is "now", so only devices heard before it go quiet.
    const quiet = reconcile(db, { quietAfterS: 1 }).lifecycle ?? [];
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((l) => l.type === 'device_quiet' && Date.parse(l.ts) - Date.parse(l.last_seen) >= 1000)).toBe(true);
    expectValidLines((db.prepare('SELECT line FROM outbox ORDER BY seq').all() as { line: string }[]).map((x) => x.line).join('\n'));
    db.close();
  });

  it('without a system of record or advisories: the demo announces every device once into the outbox, then quiet on the capture clock; nothing heard, nothing announced', async () => {
    const empty = openDatabase(join(dir, 'empty.db'));
    expect(announceLifecycle(empty)).toEqual([]);
    expect(empty.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    empty.close();
    const path = join(dir, 'no-sor.db');
    const p = openPipeline(path, { logger: silentLogger() });
    await p.replayFile('fixtures/demo/hospital-demo.pcapng');
    p.db.close();
    const db = openDatabase(path);
    const devices = db.prepare('SELECT id FROM device ORDER BY id').pluck().all() as string[];
    expect(devices.length).toBeGreaterThan(5);
    const first = announceLifecycle(db);
    expect(first.map((l) => l.device_id).sort()).toEqual(devices);
    expect(first.every((l) => l.type === 'device_new')).toBe(true);
    const lines = expectValidLines((db.prepare('SELECT line FROM outbox ORDER BY seq').all() as { line: string }[]).map((x) => x.line).join('\n'));
    expect(lines.map((l) => [l['seq'], l['event_id']])).toEqual(first.map((l, i) => [i + 1, l.event_id]));
    expect(announceLifecycle(db)).toEqual([]);
    const quiet = announceLifecycle(db, { quietAfterS: 1 });
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((l) => l.type === 'device_quiet')).toBe(true);
    expect(quiet.map((l) => l.seq)).toEqual(quiet.map((_, i) => first.length + i + 1));
    db.close();
  });
});
