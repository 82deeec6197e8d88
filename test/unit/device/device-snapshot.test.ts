/**
 * The cold tier's snapshot (src/device/device-snapshot.ts) is the device as its rows hold it:
 * replaying real captures with a resident cap of a few devices (so devices are evicted and read
 * back all the time), every evicted device's snapshot gives the same DeviceState as its five
 * queries, and the device the model reads back is the one the snapshot holds.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfig, runtimeLimits, type RuntimeLimits } from '../../../src/config.js';
import { compareUtf8, deviceFromSnapshot, snapshotOf, SNAPSHOT_VERSION } from '../../../src/device/device-snapshot.js';
import { newDeviceState } from '../../../src/device/device-model.js';
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

  it('of every evicted device equals what its rows give, on real captures with 2 resident devices', async () => {
    const paths = fixtureCaptures();
    expect(paths.length).toBeGreaterThan(10);
    const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: limits(2) });
    for (const p of [...paths, ...paths]) await pipeline.replayFile(p); // twice: devices read back and seen again
    const store = new InventoryStore(pipeline.db);
    const rows = pipeline.db.prepare('SELECT id, state FROM temp.device_snapshot ORDER BY id').all() as { id: string; state: string }[];
    let compared = 0;
    for (const { id, state } of rows) {
      if (pipeline.model.devices.has(id)) continue; // read back since: its snapshot is stale until it leaves again
      const fromRows = store.loadDeviceRows(id);
      if (fromRows === undefined) continue; // merged into another device since
      expect(deviceFromSnapshot(id, state), id).toEqual(fromRows);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    // A read-back comes from the snapshot, not the rows (one query, not five).
    const evicted = rows.find((r) => !pipeline.model.devices.has(r.id) && store.loadDeviceRows(r.id) !== undefined)!;
    pipeline.db.prepare('UPDATE device SET frames = -1 WHERE id = ?').run(evicted.id);
    expect(store.loadDeviceRows(evicted.id)?.frames).toBe(-1);
    expect(store.loadDevice(evicted.id)?.frames).toBe(deviceFromSnapshot(evicted.id, evicted.state)?.frames);
    expect(pipeline.counters.get('inventory.devices_reloaded')).toBeGreaterThan(100);
    pipeline.db.close();
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
