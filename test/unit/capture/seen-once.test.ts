import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenOnce } from '../../../src/capture/seen-once.js';

/** What SeenOnce promises, kept the plain way: a key noted at insertion n is forgotten once
 * insertion n + capacity is made. */
class Reference {
  private readonly live = new Map<number, number>();
  private inserted = 0;
  forgotten = 0;
  constructor(private readonly capacity: number) {}
  seenBefore(key: number): boolean {
    if (this.capacity === 0) return false;
    if (this.live.delete(key)) return true;
    const expiring = this.inserted - this.capacity;
    for (const [k, at] of this.live) {
      if (at === expiring) {
        this.live.delete(k);
        this.forgotten++;
      }
    }
    this.live.set(key, this.inserted++);
    return false;
  }
  get size(): number {
    return this.live.size;
  }
}

describe('SeenOnce', () => {
  it('answers as a FIFO set of the last `capacity` keys noted, whatever the keys (collisions, removals, wrap-around)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 40 }),
      // Few distinct keys, so keys come back (seen twice, forgotten, noted again) and probe chains form.
      fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer()), { maxLength: 400 }),
      (capacity, keys) => {
        const s = new SeenOnce(capacity);
        const r = new Reference(capacity);
        for (const k of keys) {
          expect(s.seenBefore(k), `key ${k}`).toBe(r.seenBefore(k));
          expect(s.size).toBe(r.size);
        }
        expect(s.forgotten).toBe(r.forgotten);
      },
    ), { numRuns: 3000 });
  });

  it('keeps its arrays at 12 bytes a key, with no object per key', () => {
    const s = new SeenOnce(65_536);
    for (let k = 0; k < 200_000; k++) s.seenBefore(Math.imul(k, 0x01000193));
    expect(s.size).toBe(65_536);
    expect(s.forgotten).toBe(200_000 - 65_536);
    // The ring (4 bytes a key) and a table of twice as many 4-byte slots.
    const arrays = Object.values(s).filter((v): v is Int32Array => v instanceof Int32Array);
    expect(arrays.reduce((n, a) => n + a.byteLength, 0)).toBe(65_536 * 12);
  });

  it('clear forgets every key; capacity 0 notes nothing', () => {
    const s = new SeenOnce(4);
    s.seenBefore(7);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.seenBefore(7)).toBe(false);
    expect(s.seenBefore(7)).toBe(true);
    const none = new SeenOnce(0);
    expect(none.seenBefore(1)).toBe(false);
    expect(none.seenBefore(1)).toBe(false);
    expect(none.size).toBe(0);
  });
});
