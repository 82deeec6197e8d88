/**
 * Issue 20: remote sessions as outbox lines. Each stored session is announced once, in the
 * transaction of the run: a run rolled back (a crash before commit) leaves it unannounced and the
 * next run announces it, once; a run that committed never announces it again; the same session
 * stored twice has one line; the line names the device that holds the address (never a router's
 * MAC) and is schema-valid; its id is stable across databases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/inventory/store.js';
import { RemoteSessionStore } from '../../../src/inventory/remote-session-store.js';
import type { RemoteSession } from '../../../src/observe/remote-sessions.js';
import { announceLifecycle } from '../../../src/reconcile/lifecycle.js';
import { announceSessions } from '../../../src/reconcile/session-lines.js';
import { expectValidLines } from './schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-session-lines-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const T0 = Date.parse('2026-12-05T08:28:51.142Z') * 1000;
const rdp: RemoteSession = {
  tool: 'rdp', how: 'rdp x224 request ssl+hybrid', transport: 'tcp', deviceIp: '10.40.0.10', deviceMac: '02:00:00:00:00:fe', devicePort: 3389,
  peerIp: '10.40.0.50', peerPort: 35380, direction: 'inbound', start: T0, end: T0 + 58_000, bytesToDevice: 54, bytesFromDevice: 26, frames: 10,
  firstFrame: 36, evidenceFrame: 39, lastFrame: 45, endReason: 'rst',
};

function fresh(name: string): Db {
  const db = openDatabase(join(dir, name));
  db.prepare("INSERT INTO capture (id, path, kind, last_ts_us) VALUES (1, '/captures/lab-remote-access.pcapng', 'file', ?)").run(T0 + 60_000);
  db.prepare("INSERT INTO device (id, mac, first_seen_us, last_seen_us) VALUES ('mac-02a500400001', '02:a5:00:40:00:01', ?, ?)").run(T0, T0);
  db.prepare("INSERT INTO device_address (device_id, ip, source, first_seen_us, last_seen_us, first_frame, capture_id) VALUES ('mac-02a500400001', '10.40.0.10', 'arp', ?, ?, 1, 1)").run(T0, T0);
  return db;
}
const outbox = (db: Db) => (db.prepare('SELECT line FROM outbox ORDER BY seq').pluck().all() as string[]).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('remote session lines', () => {
  it('a rolled-back run leaves the session unannounced; the next announces it once; later runs never again', () => {
    const db = fresh('once.db');
    new RemoteSessionStore(db).insert([rdp], 1);
    expect(() => db.transaction(() => {
      expect(announceSessions(db)).toHaveLength(1);
      throw new Error('crash before commit');
    })()).toThrow('crash before commit');
    expect(outbox(db)).toEqual([]);
    expect(db.prepare('SELECT outbox_seq FROM remote_session').pluck().get()).toBeNull();

    announceLifecycle(db); // device_new, then the session, in one transaction
    announceLifecycle(db);
    db.transaction(() => announceSessions(db))();
    const lines = outbox(db);
    expect(lines.map((l) => [l['event_type'], l['type']])).toEqual([['lifecycle', 'device_new'], ['remote_session', 'remote_session']]);
    expectValidLines(lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(lines[1]).toMatchObject({
      seq: 2, device_id: 'mac-02a500400001', mac: '02:a5:00:40:00:01', tool: 'rdp', direction: 'inbound', device_port: 3389, end_reason: 'rst',
      evidence: [{ source: 'remote_session.rdp', frame: 39, ts: '2026-12-05T08:28:51.142Z', capture: 'lab-remote-access.pcapng' }],
      message: 'Remote Desktop (RDP) session from 10.40.0.50:35380 to device mac-02a500400001 port 3389',
    });
    expect(db.prepare('SELECT outbox_seq FROM remote_session').pluck().get()).toBe(2);

    // The same session stored again (the capture replayed again) gets no second line.
    new RemoteSessionStore(db).insert([rdp], 1);
    expect(db.transaction(() => announceSessions(db))()).toEqual([]);
    expect(outbox(db)).toHaveLength(2);
    expect(db.prepare('SELECT count(*) FROM remote_session WHERE outbox_seq = 2').pluck().get()).toBe(2);

    // Another database, the same session: the same event_id; no inventory device for the address: device_id and mac null.
    const other = openDatabase(join(dir, 'other.db'));
    new RemoteSessionStore(other).insert([{ ...rdp, deviceIp: '10.99.0.1' }, rdp], null);
    const [unknown, same] = other.transaction(() => announceSessions(other))();
    expect(same?.event_id).toBe(lines[1]?.['event_id']);
    expect(unknown).toMatchObject({ device_id: null, mac: null, evidence: [{ capture: null }] });
    expect(unknown?.event_id).not.toBe(same?.event_id);
    other.close();
    db.close();
  });
});
