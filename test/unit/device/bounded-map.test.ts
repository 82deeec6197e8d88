/**
 * makeRoom (src/device/bounded-map.ts) keeps one live iterator per map: under any mix of
 * insertions, deletions made elsewhere, re-insertions and clears, the entry it drops is the
 * map's oldest (what a fresh `map.keys().next()` gives), it tells `forget` that entry's value,
 * and it counts each drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/counters.js';
import { makeRoom } from '../../../src/device/bounded-map.js';

type Op = { kind: 'add' | 'delete'; key: number } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('makeRoom', () => {
  it('drops the oldest entry, as a fresh iterator finds it, whatever else happened to the map', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 300 }), (cap, ops) => {
      const map = new Map<number, string>();
      const counters = new Counters();
      const forgotten: string[] = [];
      let drops = 0;
      for (const o of ops) {
        if (o.kind === 'clear') {
          map.clear();
        } else if (o.kind === 'delete') {
          map.delete(o.key);
        } else if (!map.has(o.key)) {
          const oldest = map.size >= cap ? map.keys().next().value : undefined;
          makeRoom(map, cap, counters, 'test.dropped', (v) => forgotten.push(v));
          if (oldest !== undefined) {
            drops++;
            expect(map.has(oldest)).toBe(false);
            expect(forgotten.at(-1)).toBe(`v${oldest}`);
            expect(map.size).toBe(cap - 1);
          }
          map.set(o.key, `v${o.key}`);
        }
        expect(map.size).toBeLessThanOrEqual(cap);
      }
      expect(counters.get('test.dropped')).toBe(drops);
      expect(forgotten).toHaveLength(drops);
    }), { numRuns: 500 });
  });

  it('leaves a map under its cap alone', () => {
    const map = new Map([[1, 'a']]);
    const counters = new Counters();
    makeRoom(map, 2, counters, 'test.dropped');
    expect([...map.keys()]).toEqual([1]);
    expect(counters.get('test.dropped')).toBe(0);
  });
});
