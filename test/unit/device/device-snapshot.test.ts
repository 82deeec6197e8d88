/**
 * The cold tier's snapshot (src/device/device-snapshot.ts) is the device as its rows hold it:
 * replaying real captures with a resident cap of a few devices (so devices are evicted and read
 * back all the time), every evicted device's snapshot gives the same DeviceState as its five
 * queries, and the device the model reads back is the one the snapshot holds.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { checkConfig, runtimeLimits, type RuntimeLimits } from '../../../src/config.js';
import { compareUtf8, deviceFromSnapshot, snapshotNames, snapshotOf, SNAPSHOT_VERSION } from '../../../src/device/device-snapshot.js';
import { newDeviceState, type DeviceState } from '../../../src/device/device-model.js';
import { InventoryStore } from '../../../src/inventory/store.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { ROOT } from '../../helpers/cli.js';
import { captureFiles, fixtureCaptures } from '../../helpers/fixture-captures.js';

const DEFAULTS = runtimeLimits(checkConfig(null, null, { env: {} }).config!);

function limits(resident: number): RuntimeLimits {
  return { ...DEFAULTS, model: { ...DEFAULTS.model, maxResidentDevices: resident }, timestamps: { earliestMicros: 0, maxForwardJumpMicros: 2 ** 52 } };
}

describe('device snapshot', () => {
  it('orders strings as SQLite BINARY orders their UTF-8', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
      expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }), { numRuns: 2000 });
    expect(compareUtf8('\uffff', '\u{10000}')).toBeLessThan(0); // UTF-16 would say the opposite
  });

  it('is not read when it is of another version or not a snapshot', () => {
    const d = newDeviceState({ id: 'mac-000000000001', mac: '00:00:00:00:00:01', ipKey: null, locallyAttached: true, isRouter: false, firstSeen: 1, lastSeen: 2, frames: 3 }, false);
    const text = snapshotOf(d);
    expect(deviceFromSnapshot(d.id, text)).toEqual(d);
    expect(deviceFromSnapshot(d.id, text.replace(`[[${SNAPSHOT_VERSION},`, `[[${SNAPSHOT_VERSION + 1},`))).toBeUndefined();
    expect(deviceFromSnapshot(d.id, '{')).toBeUndefined();
    expect(deviceFromSnapshot(d.id, '[1,2]')).toBeUndefined();
  });

  /** A device as the model may hold it: lists in any order, chosen values that are candidates or not, facts. */
  const someDevice = fc.record({
    t0: fc.integer({ min: 1, max: 2 ** 51 }),
    names: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 8 }),
    candidates: fc.array(fc.record({ f: fc.nat(7), s: fc.nat(7), value: fc.string({ maxLength: 8 }), rule: fc.option(fc.nat(7), { nil: null }), confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      first: fc.nat(10 ** 9), age: fc.nat(10 ** 9), frame: fc.nat(10 ** 7), count: fc.integer({ min: 1, max: 1000 }), touched: fc.boolean() }), { maxLength: 6 }),
    chosen: fc.array(fc.record({ of: fc.option(fc.nat(5), { nil: undefined }), f: fc.nat(7), value: fc.string({ maxLength: 8 }), confidence: fc.double({ min: 0, max: 1, noNaN: true }), since: fc.nat(10 ** 9) }), { maxLength: 4 }),
    addresses: fc.uniqueArray(fc.ipV4(), { maxLength: 3 }),
    facts: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 3 }),
  }).map(({ t0, names, candidates, chosen, addresses, facts }): DeviceState => {
    const name = (i: number): string => names[i % names.length] as string;
    const d = newDeviceState({ id: 'mac-000000000001', mac: '00:00:00:00:00:01', ipKey: null, locallyAttached: true, isRouter: false, firstSeen: t0, lastSeen: t0 + 5, frames: 3 }, false);
    d.candidates = candidates.map((c) => ({ field: name(c.f) as never, source: name(c.s), value: c.value, rule: c.rule === null ? null : name(c.rule), confidence: c.confidence,
      firstSeen: t0 + c.first, lastSeen: t0 + c.first + c.age, firstFrame: c.frame, lastFrame: c.frame + 1, captureId: 1, count: c.count, dirty: false, touched: c.touched }));
    const fields = new Set<string>();
    d.chosen = chosen.flatMap((v) => {
      const c = v.of === undefined ? undefined : d.candidates[v.of];
      const field = c?.field ?? name(v.f);
      if (fields.has(field)) return []; // one chosen value per field, as the table's key
      fields.add(field);
      return [{ field: field as never, value: c?.value ?? v.value, source: c?.source ?? name(v.f + 1), confidence: v.confidence, since: t0 + v.since, lastSeen: t0 + v.since, challenger: undefined, dirty: false }];
    });
    d.addresses = addresses.map((ip, i) => ({ ip, source: name(i), firstSeen: t0 + i, lastSeen: t0 + 2 * i, firstFrame: i, captureId: null, dirty: false, touched: i % 2 === 0 }));
    if (facts.length > 0) d.facts = facts.flatMap((f, i) => [f, `v${i}`]);
    return d;
  });

  /** What the rows would give: lists in row order. */
  function inRowOrder(d: DeviceState): DeviceState {
    const pairs: [string, string][] = [];
    for (let i = 0; i < (d.facts?.length ?? 0); i += 2) pairs.push([d.facts![i]!, d.facts![i + 1]!]);
    pairs.sort((a, b) => compareUtf8(a[0], b[0]));
    const out: DeviceState = {
      ...d,
      candidates: [...d.candidates].sort((a, b) => a.firstSeen - b.firstSeen || compareUtf8(a.field, b.field) || compareUtf8(a.source, b.source) || compareUtf8(a.value, b.value)),
      chosen: [...d.chosen].sort((a, b) => compareUtf8(a.field, b.field)),
      addresses: [...d.addresses].sort((a, b) => compareUtf8(a.ip, b.ip)),
    };
    if (pairs.length > 0) out.facts = pairs.flat();
    return out;
  }

  it('gives back the device it was made of, in row order, with or without its touched flags', () => {
    fc.assert(fc.property(someDevice, (d) => {
      const text = snapshotOf(d);
      expect(deviceFromSnapshot(d.id, text)).toEqual(inRowOrder(d));
      const untouched = deviceFromSnapshot(d.id, text, false)!;
      expect([untouched.touched, ...untouched.candidates.map((c) => c.touched), ...untouched.addresses.map((a) => a.touched)].every((t) => !t)).toBe(true);
    }), { numRuns: 500 });
  });

  it('numbers names up to its cap, then writes them as text; a number it never gave is not read', () => {
    const saved = snapshotNames.max;
    try {
      const d = newDeviceState({ id: 'mac-000000000001', mac: '00:00:00:00:00:01', ipKey: null, locallyAttached: true, isRouter: false, firstSeen: 1, lastSeen: 2, frames: 3 }, false);
      d.candidates = [{ field: 'model', source: `never-numbered-${Math.random()}`, value: 'X', rule: null, confidence: 1, firstSeen: 1, lastSeen: 2, firstFrame: 1, lastFrame: 2, captureId: null, count: 2, dirty: false, touched: false }];
      snapshotNames.max = 0;
      const before = snapshotNames.writtenAsText;
      const text = snapshotOf(d);
      expect(text).toContain(d.candidates[0]!.source);
      expect(snapshotNames.writtenAsText).toBe(before + 2); // its field and its source
      expect(deviceFromSnapshot(d.id, text)).toEqual(d);
      snapshotNames.max = saved;
      const numbered = snapshotOf(d);
      expect(numbered).not.toContain(d.candidates[0]!.source);
      expect(deviceFromSnapshot(d.id, numbered)).toEqual(d);
      // The candidate's field as a number no name was given.
      const foreign = numbered.replace(/\[\[\d+,(\d+),"X"/, '[[999999,$1,"X"');
      expect(foreign).not.toBe(numbered);
      expect(deviceFromSnapshot(d.id, foreign)).toBeUndefined();
    } finally {
      snapshotNames.max = saved;
    }
  });

  it('of every evicted device equals what its rows give, on real captures with 2 resident devices', async () => {
    const paths = fixtureCaptures();
    expect(paths.length).toBeGreaterThan(10);
    const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: limits(2) });
    for (const p of [...paths, ...paths]) await pipeline.replayFile(p); // twice: devices read back and seen again
    const store = new InventoryStore(pipeline.db);
    const rows = pipeline.db.prepare('SELECT id, state, touched FROM temp.device_snapshot ORDER BY id').all() as { id: string; state: string; touched: number }[];
    let compared = 0;
    for (const { id, state, touched } of rows) {
      if (pipeline.model.devices.has(id)) continue; // read back since: its snapshot is stale until it leaves again
      const fromRows = store.loadDeviceRows(id);
      if (fromRows === undefined) continue; // merged into another device since
      // The last full flush wrote every snapshot's touched rows and left their flags in the text.
      expect(touched, id).toBe(0);
      expect(deviceFromSnapshot(id, state, false), id).toEqual(fromRows);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    // A read-back comes from the snapshot, not the rows (one query, not five).
    const evicted = rows.find((r) => !pipeline.model.devices.has(r.id) && store.loadDeviceRows(r.id) !== undefined)!;
    pipeline.db.prepare('UPDATE device SET frames = -1 WHERE id = ?').run(evicted.id);
    expect(store.loadDeviceRows(evicted.id)?.frames).toBe(-1);
    expect(store.loadDevice(evicted.id)?.frames).toBe(deviceFromSnapshot(evicted.id, evicted.state, false)?.frames);
    expect(pipeline.counters.get('inventory.devices_reloaded')).toBeGreaterThan(100);
    pipeline.db.close();
  });

  it('an evicting flush fits the page caches to the devices known, before it evicts', async () => {
    const original = InventoryStore.prototype.fitPageCaches;
    let model: { knownDevices: number } | undefined;
    const told: [number, number][] = [];
    const fit = vi.spyOn(InventoryStore.prototype, 'fitPageCaches').mockImplementation(function (this: InventoryStore, devices: number) {
      told.push([devices, model?.knownDevices ?? -1]);
      original.call(this, devices);
    });
    const evict = vi.spyOn(InventoryStore.prototype, 'flushDevices');
    try {
      const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: limits(2) });
      model = pipeline.model;
      for (const p of captureFiles([join(ROOT, 'fixtures', 'dhcp')])) await pipeline.replayFile(p);
      expect(evict.mock.calls.length).toBeGreaterThan(0);
      expect(fit.mock.calls.length).toBe(evict.mock.calls.length);
      for (let i = 0; i < told.length; i++) {
        // Before each eviction, told the devices known then (in memory and in the database).
        expect(fit.mock.invocationCallOrder[i]).toBeLessThan(evict.mock.invocationCallOrder[i]!);
        expect(told[i]![0]).toBe(told[i]![1]);
        expect(told[i]![0]).toBeGreaterThan(2);
      }
      pipeline.db.close();
    } finally {
      fit.mockRestore();
      evict.mockRestore();
    }
  });

  it('a merged-away device leaves no snapshot behind', async () => {
    // Switch port MACs become aliases of the chassis (a merge deletes the port's device).
    const paths = captureFiles([join(ROOT, 'fixtures', 'lldp')]);
    const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: limits(1) });
    for (const p of paths) await pipeline.replayFile(p);
    const orphans = pipeline.db.prepare('SELECT count(*) FROM temp.device_snapshot s WHERE NOT EXISTS (SELECT 1 FROM main.device d WHERE d.id = s.id)').pluck().get();
    expect(orphans).toBe(0);
    pipeline.db.close();
  });
});
