/**
 * The filter of stored device ids (src/inventory/stored-ids.ts): never "absent" for an id added,
 * rarely "maybe" for one not added at the default size, and the store behind it reads back every
 * device it holds, whether it wrote it or found it in the database, also with the filter shrunk
 * until it answers "maybe" for everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfig, runtimeLimits } from '../../../src/config.js';
import { InventoryStore } from '../../../src/inventory/store.js';
import { StoredIds } from '../../../src/inventory/stored-ids.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { fixtureCaptures } from '../../helpers/fixture-captures.js';

const DEFAULTS = runtimeLimits(checkConfig(null, null, { env: {} }).config!);
const macId = (i: number): string => `mac-0050c2${i.toString(16).padStart(6, '0')}`;

describe('stored device ids', () => {
  it('never says absent for an id added, at any size', () => {
    fc.assert(fc.property(fc.integer({ min: 5, max: 16 }), fc.array(fc.string({ unit: 'binary', maxLength: 24 }), { maxLength: 300 }), (bits, ids) => {
      const f = new StoredIds(bits);
      for (const id of ids) f.add(id);
      for (const id of ids) expect(f.mayHave(id)).toBe(true);
      expect(f.added).toBe(ids.length);
    }), { numRuns: 300 });
  });

  it('says maybe for few ids never added (250,000 added at the default size)', () => {
    const f = new StoredIds();
    for (let i = 0; i < 250_000; i++) f.add(macId(i));
    let falsePositives = 0;
    for (let i = 250_000; i < 350_000; i++) if (f.mayHave(macId(i))) falsePositives++;
    // About 0.06 % expected (three probes in 2^23 bits); a hash that mixed badly would give far more.
    expect(falsePositives).toBeLessThan(200);
    expect(new StoredIds().mayHave(macId(1))).toBe(false);
    expect(() => new StoredIds(4)).toThrow(RangeError);
  });

  it('a store reads back devices it found in the database and devices it wrote; a new one costs no query', async () => {
    const paths = fixtureCaptures().slice(0, 20);
    const db = ':memory:';
    const limits = { ...DEFAULTS, model: { ...DEFAULTS.model, maxResidentDevices: 2 }, timestamps: { earliestMicros: 0, maxForwardJumpMicros: 2 ** 52 } };
    const first = openPipeline(db, { logger: silentLogger(), limits });
    for (const p of paths) await first.replayFile(p);
    const ids = first.db.prepare('SELECT id FROM device ORDER BY id').pluck().all() as string[];
    expect(ids.length).toBeGreaterThan(10);
    const created = first.counters.get('inventory.devices_created');
    // Every device was new to an empty database: none was looked up in it before being created.
    expect(first.counters.get('inventory.store_lookups_skipped')).toBe(created);
    expect(first.counters.get('inventory.devices_reloaded')).toBeGreaterThan(10);
    // A second store on the same database is seeded from its device table.
    const second = new InventoryStore(first.db);
    for (const id of ids) {
      expect(second.mayHold(id), id).toBe(true);
      expect(second.loadDevice(id)?.id, id).toBe(id);
    }
    expect(second.mayHold(macId(0xabcdef))).toBe(false);
    // Shrunk until every id is "maybe", the store still reads every device and finds no other.
    const saturated = new StoredIds(5);
    for (let i = 0; i < 1000; i++) saturated.add(macId(i));
    const third = new InventoryStore(first.db, saturated);
    expect(third.mayHold(macId(0xabcdef))).toBe(true);
    expect(third.loadDevice(macId(0xabcdef))).toBeUndefined();
    for (const id of ids) expect(third.loadDevice(id)?.id, id).toBe(id);
    first.db.close();
  });

  it('a replay into a database that already holds devices finds them again', async () => {
    const paths = fixtureCaptures().slice(0, 20);
    const dir = mkdtempSync(join(tmpdir(), 'auscult-stored-ids-'));
    try {
      const file = join(dir, 'inventory.db');
      const first = openPipeline(file, { logger: silentLogger() });
      for (const p of paths) await first.replayFile(p);
      const devices = first.db.prepare('SELECT count(*) FROM device').pluck().get() as number;
      expect(devices).toBeGreaterThan(10);
      first.db.close();
      const again = openPipeline(file, { logger: silentLogger() });
      for (const p of paths) await again.replayFile(p);
      // Heard again, every device was read back from the database, none created anew.
      expect(again.counters.get('inventory.devices_created')).toBe(0);
      expect(again.counters.get('inventory.store_lookups_skipped')).toBe(0);
      expect(again.counters.get('inventory.devices_reloaded')).toBe(devices);
      again.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
