import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Counters } from '../../../src/counters.js';
import { DeviceModel, MODEL_LIMITS } from '../../../src/device/device-model.js';
import { createIdentifier } from '../../../src/identify/rules-identifier.js';
import { listDevices } from '../../../src/inventory/device-view.js';
import { MIGRATIONS } from '../../../src/inventory/migrations.js';
import { InventoryStore, openDatabase, PAGE_CACHE_BYTES_PER_DEVICE, PAGE_CACHE_KIB, PAGE_CACHE_MAX_KIB } from '../../../src/inventory/store.js';
import type { Observation } from '../../../src/observe/observation.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-store-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const obs = (o: Partial<Observation>): Observation => ({ ts: 1_700_000_000_000_000, frame: 1, protocol: 'dhcp', field: 'dhcp.hostname', value: 'x', mac: '00:09:fb:00:00:01', ...o });

describe('openDatabase', () => {
  it('sets WAL, synchronous=NORMAL, foreign keys and migrates to the latest user_version', () => {
    const db = openDatabase(join(dir, 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('bounds the page cache to PAGE_CACHE_KIB, not better-sqlite3\'s 16 MB default', () => {
    const db = openDatabase(join(dir, 'a.db'));
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBeLessThan(16_000);
    db.close();
  });

  it('grows the page caches with the devices known once it evicts, a mebibyte at a time, up to their maximum, never shrinking', () => {
    const db = openDatabase(join(dir, 'caches.db'));
    const store = new InventoryStore(db);
    const sizes = (): [number, number] => [-(db.pragma('main.cache_size', { simple: true }) as number), -(db.pragma('temp.cache_size', { simple: true }) as number)];
    expect(sizes()).toEqual([PAGE_CACHE_KIB, PAGE_CACHE_KIB]);
    store.fitPageCaches(13_827); // the bench's devices capture: 864 KiB at 64 bytes a device
    expect(sizes()).toEqual([PAGE_CACHE_KIB, PAGE_CACHE_KIB]);
    store.fitPageCaches(100_000); // 6.1 MiB, 3.05 MiB: whole mebibytes
    expect(sizes()).toEqual([6144, 3072]);
    expect(store.cacheKib).toEqual({ main: 6144, temp: 3072 });
    store.fitPageCaches(250_000);
    expect(sizes()).toEqual([15 * 1024, 7 * 1024]);
    store.fitPageCaches(10_000_000);
    expect(sizes()).toEqual([PAGE_CACHE_MAX_KIB.main, PAGE_CACHE_MAX_KIB.temp]);
    store.fitPageCaches(1000);
    expect(sizes()).toEqual([PAGE_CACHE_MAX_KIB.main, PAGE_CACHE_MAX_KIB.temp]);
    expect(PAGE_CACHE_BYTES_PER_DEVICE.main).toBeGreaterThan(0);
    db.close();
  });

  it('reopening an existing database does not re-run migrations', () => {
    const path = join(dir, 'a.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database from a newer auscult with AUS_ERR_DB naming the file', () => {
    const path = join(dir, 'new.db');
    const db = openDatabase(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openDatabase(path)).toThrowError(/new\.db: database schema version/);
  });
});

describe('InventoryStore flush and load', () => {
  it('persists devices, evidence, chosen fields, addresses, history and counters, and reloads them', () => {
    const path = join(dir, 'b.db');
    const counters = new Counters();
    const db = openDatabase(path);
    const store = new InventoryStore(db);
    const model = new DeviceModel(counters);
    store.load(model);
    model.apply(obs({ field: 'ip.address', value: '10.0.0.5' }), []);
    model.apply(obs({ frame: 2 }), [{ field: 'hostname', value: 'MON-1', source: 'dhcp.hostname', confidence: 0.8 }]);
    model.apply(obs({ frame: 9, ts: 1_700_000_100_000_000 }), [{ field: 'hostname', value: 'MON-2', source: 'dhcp.hostname', confidence: 0.8 }]);
    counters.inc('anomaly.test.x', 3);
    store.flush(model, counters);
    db.close();

    const db2 = openDatabase(path);
    const [d] = listDevices(db2, { withHistory: true });
    expect(d?.hostname).toBe('MON-2');
    expect(d?.ips).toEqual(['10.0.0.5']);
    expect(d?.evidence['hostname']?.map((e) => e.value)).toEqual(['MON-1', 'MON-2']);
    expect(d?.history?.map((h) => [h.field, h.old_value, h.new_value])).toEqual([['ip', null, '10.0.0.5'], ['hostname', 'MON-1', 'MON-2']]);
    expect(db2.prepare("SELECT value FROM counter WHERE name = 'anomaly.test.x'").get()).toEqual({ value: 3 });

    // Continue merging on a reloaded model: counts accumulate, no duplicate history.
    const model2 = new DeviceModel(new Counters());
    const store2 = new InventoryStore(db2);
    store2.load(model2);
    model2.apply(obs({ frame: 10, ts: 1_700_000_200_000_000 }), [{ field: 'hostname', value: 'MON-2', source: 'dhcp.hostname', confidence: 0.8 }]);
    store2.flush(model2, new Counters());
    const [again] = listDevices(db2, { withHistory: true });
    expect(again?.history).toHaveLength(2);
    expect(again?.evidence['hostname']?.find((e) => e.value === 'MON-2')?.count).toBe(2);
    db2.close();
  });

  it('keeps the facts a rule\'s also: reads: after a restart the model name alone completes the identification', () => {
    // fingerprints/dicom.yaml: `^ExampleScan CT (\d+)$` on dicom.model, also dicom.manufacturer = ExampleMed Imaging.
    const identifier = createIdentifier();
    const identify = (o: Observation, device: Parameters<typeof identifier.candidates>[1]) => identifier.candidates(o, device);
    const remembers = (field: string) => identifier.remembers?.(field) ?? false;
    expect(remembers('dicom.manufacturer')).toBe(true);
    const dicom = (field: string, value: string, frame: number): Observation => obs({ protocol: 'dicom', field, value, frame, ts: 1_700_000_000_000_000 + frame });
    const path = join(dir, 'facts.db');
    const run = (observations: Observation[]) => {
      const db = openDatabase(path);
      const store = new InventoryStore(db);
      const model = new DeviceModel(new Counters());
      store.load(model);
      for (const o of observations) model.applyObservation(o, identify, remembers);
      store.flush(model, new Counters());
      const [d] = listDevices(db);
      const facts = db.prepare('SELECT field, value FROM device_fact').all();
      db.close();
      return { device: d, facts };
    };
    const first = run([dicom('dicom.manufacturer', 'ExampleMed Imaging', 1)]);
    expect(first.device?.model ?? null).toBeNull();
    expect(first.facts).toEqual([{ field: 'dicom.manufacturer', value: 'ExampleMed Imaging' }]);
    // A new process: the manufacturer was heard by the last one only.
    const second = run([dicom('dicom.model', 'ExampleScan CT 9000', 2)]);
    expect(second.device?.model).toBe('ExampleScan CT 9000');
    expect(second.device?.device_type).toBe('ct_scanner');
    expect(second.device?.evidence['device_type']?.map((e) => e.rule)).toContain('examplemed-examplescan-ct');
    // A changed fact replaces the stored one, and the rule reads the new value.
    const third = run([dicom('dicom.manufacturer', 'Other Vendor', 3)]);
    expect(third.facts).toContainEqual({ field: 'dicom.manufacturer', value: 'Other Vendor' });
    expect(third.facts).not.toContainEqual({ field: 'dicom.manufacturer', value: 'ExampleMed Imaging' });
  });

  it('a partial flush writes what changed and leaves last-seen-only moves to the next full flush', () => {
    const db = openDatabase(join(dir, 'p.db'));
    const store = new InventoryStore(db);
    const model = new DeviceModel(new Counters());
    const t0 = 1_700_000_000_000_000;
    model.apply(obs({ ts: t0, field: 'ip.address', value: '10.0.0.5' }), []);
    model.apply(obs({ ts: t0 }), [{ field: 'hostname', value: 'MON-1', source: 'dhcp.hostname', confidence: 0.8 }]);
    store.flush(model, new Counters(), false);
    const row = () => db.prepare('SELECT last_seen_us AS d, frames FROM device').get() as { d: number; frames: number };
    const addr = () => (db.prepare('SELECT last_seen_us AS a FROM device_address').get() as { a: number }).a;
    const ev = () => db.prepare('SELECT last_seen_us AS e, count FROM field_evidence').get() as { e: number; count: number };
    expect(row().d).toBe(t0);

    // Seen again, nothing new: a partial flush writes nothing of it...
    model.apply(obs({ ts: t0 + 5, field: 'ip.address', value: '10.0.0.5' }), []);
    model.apply(obs({ ts: t0 + 5 }), [{ field: 'hostname', value: 'MON-1', source: 'dhcp.hostname', confidence: 0.8 }]);
    store.flush(model, new Counters(), false);
    expect([row().d, addr(), ev().e, ev().count]).toEqual([t0, t0, t0, 1]);
    // ...a full flush writes all of it.
    store.flush(model, new Counters(), true);
    expect([row().d, addr(), ev().e, ev().count]).toEqual([t0 + 5, t0 + 5, t0 + 5, 2]);

    // A new address is a change: written by a partial flush, with the device's current last seen.
    model.apply(obs({ ts: t0 + 9, field: 'ip.address', value: '10.0.0.6' }), []);
    store.flush(model, new Counters(), false);
    expect(row().d).toBe(t0 + 9);
    expect((db.prepare('SELECT count(*) AS n FROM device_address').get() as { n: number }).n).toBe(2);
    db.close();
  });

  it('a partial flush of a changed device keeps its seen-again evidence for the next full flush', () => {
    const db = openDatabase(join(dir, 'p2.db'));
    const store = new InventoryStore(db);
    const model = new DeviceModel(new Counters());
    const t0 = 1_700_000_000_000_000;
    const hostname = { field: 'hostname', value: 'MON-1', source: 'dhcp.hostname', confidence: 0.8 } as const;
    model.apply(obs({ ts: t0 }), [hostname]);
    store.flush(model, new Counters(), true);
    // Seen again (count 2) and, in the same interval, a change (new address): the partial flush
    // writes the change; the evidence count waits for the full flush, which must not skip it.
    model.apply(obs({ ts: t0 + 5 }), [hostname]);
    model.apply(obs({ ts: t0 + 6, field: 'ip.address', value: '10.0.0.7' }), []);
    store.flush(model, new Counters(), false);
    const count = () => (db.prepare('SELECT count FROM field_evidence').get() as { count: number }).count;
    expect(count()).toBe(1);
    store.flush(model, new Counters(), true);
    expect(count()).toBe(2);
    db.close();
  });

  it('values loaded from the store count toward the per-field cap', () => {
    const path = join(dir, 'cap.db');
    const db = openDatabase(path);
    const model = new DeviceModel(new Counters(), { ...MODEL_LIMITS, maxValuesPerField: 2 });
    new InventoryStore(db).load(model);
    for (const v of ['A', 'B']) model.apply(obs({}), [{ field: 'hostname', value: v, source: 'dhcp.hostname', confidence: 0.8 }]);
    new InventoryStore(db).flush(model, new Counters());
    const counters = new Counters();
    const reloaded = new DeviceModel(counters, { ...MODEL_LIMITS, maxValuesPerField: 2 });
    new InventoryStore(db).load(reloaded);
    reloaded.apply(obs({ frame: 5 }), [{ field: 'hostname', value: 'C', source: 'dhcp.hostname', confidence: 0.8 }]);
    expect(counters.get('inventory.values_dropped')).toBe(1);
    expect([...reloaded.devices.get('mac-0009fb000001')!.candidates.values()].map((c) => c.value)).toEqual(['A', 'B']);
    db.close();
  });

  it('a flush is one transaction: a failure inside leaves the database as it was', () => {
    const path = join(dir, 'c.db');
    const db = openDatabase(path);
    const store = new InventoryStore(db);
    const model = new DeviceModel(new Counters());
    model.apply(obs({}), [{ field: 'hostname', value: 'A', source: 'dhcp.hostname', confidence: 0.8 }]);
    // Break the history row so the transaction fails after the device rows were written.
    model.pendingHistory.push({ deviceId: 'no-such-device', field: 'x', oldValue: null, newValue: 'y', ts: 1, frame: 1, source: 's', captureId: null });
    expect(() => store.flush(model, new Counters())).toThrow();
    expect(db.prepare('SELECT count(*) AS n FROM device').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('InventoryStore cold tier (evicted devices)', () => {
  const hostname = (ts: number, frame: number): Observation => obs({ ts, frame, field: 'dhcp.hostname', value: 'pump-7' });
  const candidate = [{ field: 'hostname' as const, value: 'pump-7', source: 'dhcp.hostname', confidence: 0.8 }];

  /** A device written, seen again (only last-seen and count move), then evicted. */
  function evictedAfterSeenAgain(file: string) {
    const db = openDatabase(join(dir, file));
    const store = new InventoryStore(db);
    const model = new DeviceModel(new Counters());
    store.load(model);
    model.apply(hostname(1_000, 1), candidate);
    store.flush(model, new Counters());
    model.apply(hostname(2_000, 2), candidate);
    const d = model.devices.get('mac-0009fb000001')!;
    store.flushDevices([d]);
    expect(model.evict([d])).toBe(1);
    return { db, store, model };
  }

  it('keeps an evicted device\'s last-seen times and counts in its snapshot until the next full flush writes them', () => {
    const { db, store, model } = evictedAfterSeenAgain('c.db');
    const row = () => db.prepare("SELECT last_seen_us, count FROM field_evidence WHERE device_id = 'mac-0009fb000001'").get() as { last_seen_us: number; count: number };
    expect(row()).toEqual({ last_seen_us: 1_000, count: 1 }); // not written at eviction
    expect(store.coldTouchedDevices()).toBe(1);
    const counters = new Counters();
    expect(store.writeColdTouched(counters, (id) => model.devices.has(id))).toBe(1);
    expect(counters.get('inventory.cold_devices_written')).toBe(1);
    expect(db.prepare("SELECT value FROM counter WHERE name = 'inventory.cold_devices_written'").pluck().get()).toBe(1);
    expect(row()).toEqual({ last_seen_us: 2_000, count: 2 });
    expect(db.prepare("SELECT last_seen_us FROM device WHERE id = 'mac-0009fb000001'").pluck().get()).toBe(2_000);
    expect(store.coldTouchedDevices()).toBe(0);
    expect(store.writeColdTouched(counters, (id) => model.devices.has(id))).toBe(0); // its snapshot is clean now
    // Read back, it is the device the rows hold.
    expect(store.loadDevice('mac-0009fb000001')).toEqual(store.loadDeviceRows('mac-0009fb000001'));
    db.close();
  });

  it('a device read back before that flush takes its seen-again rows back: the flush of the resident device writes them', () => {
    const { db, store, model } = evictedAfterSeenAgain('d.db');
    model.apply(hostname(3_000, 3), candidate); // read back from the snapshot, seen a third time
    const back = model.devices.get('mac-0009fb000001')!;
    expect(back.candidates.find((c) => c.field === 'hostname')).toMatchObject({ count: 3, lastSeen: 3_000, touched: true });
    const counters = new Counters();
    store.flush(model, counters, true);
    // The stale snapshot is not written over the rows the resident device just wrote.
    expect(store.coldTouchedDevices()).toBe(1);
    expect(store.writeColdTouched(counters, (id) => model.devices.has(id))).toBe(0);
    expect(store.coldTouchedDevices()).toBe(0);
    expect(db.prepare("SELECT last_seen_us, count FROM field_evidence WHERE device_id = 'mac-0009fb000001'").get()).toEqual({ last_seen_us: 3_000, count: 3 });
    db.close();
  });
});

describe('InventoryStore and the device change log', () => {
  it('a flush moves each written device once, and a later change of a chosen value moves it again', () => {
    const db = openDatabase(join(dir, 'e.db'));
    const store = new InventoryStore(db);
    const model = new DeviceModel(new Counters());
    store.load(model);
    const seq = () => db.prepare("SELECT seq FROM device_change WHERE device_id = 'mac-0009fb000001'").pluck().get() as number;
    model.apply(obs({ ts: 1_000, frame: 1 }), [
      { field: 'hostname', value: 'pump-7', source: 'dhcp.hostname', confidence: 0.8 },
      { field: 'manufacturer', value: 'B. Braun', source: 'oui', confidence: 0.5 },
      { field: 'os', value: 'Linux', source: 'dhcp.fingerprint', confidence: 0.4 },
    ]);
    model.apply(obs({ ts: 1_000, frame: 1, mac: '00:09:fb:00:00:02' }), []);
    store.flush(model, new Counters());
    expect(db.prepare('SELECT count(*) FROM device_field').pluck().get()).toBe(3);
    expect(db.prepare('SELECT device_id, seq FROM device_change ORDER BY seq').all()).toEqual([
      { device_id: 'mac-0009fb000001', seq: 1 }, { device_id: 'mac-0009fb000002', seq: 2 },
    ]);
    model.apply(obs({ ts: 2_000, frame: 2 }), [{ field: 'hostname', value: 'pump-8', source: 'dhcp.hostname', confidence: 0.8 }]);
    store.flush(model, new Counters(), false);
    expect(seq()).toBe(3);
    db.close();
  });
});
