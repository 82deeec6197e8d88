/**
 * \summary The ids of the devices a store may hold: answers "certainly not stored" or "maybe
 * stored" (a Bloom filter of fixed size), so that a device heard for the first time is created
 * without asking SQLite for it (issue 14: 250,000 new devices cost two missed queries each, the
 * snapshot row and the device row, about 20 µs together on a database larger than its page
 * cache).
 *
 * Exact in the direction that matters: an id added is always "maybe", so a stored device is
 * always read back. An id never added may come out "maybe" (a false positive), which only costs
 * the query it would have cost anyway: with the default 2^23 bits (1 MiB) and three probes, about
 * 0.06 % of lookups at 250,000 ids, 2.5 % at 1,000,000. The size is the cap; it never grows, it
 * only answers "maybe" more often.
 *
 * The store seeds it with every id in the `device` table when it opens (0.2–0.5 s for 250,000
 * devices, once, against about 20 µs saved for each new device after), and adds each id it
 * writes: it holds while this store is the database's only writer of devices, which the
 * in-memory model already assumes (a device it holds is written over whatever another writer put
 * there).
 *
 * Hand-written: the npm Bloom filters (bloom-filters and its kind) bring hash libraries and
 * serialisation this does not need; this is one typed array and two string hashes.
 */

/** Bits of the default filter, as a power of two. */
export const STORED_IDS_BITS_LOG2 = 23;

/** Bits each id sets and tests. */
const PROBES = 3;

export class StoredIds {
  private readonly words: Uint32Array;
  private readonly mask: number;
  /** Ids added (with repeats): how full the filter is. */
  added = 0;

  constructor(bitsLog2 = STORED_IDS_BITS_LOG2) {
    if (!Number.isInteger(bitsLog2) || bitsLog2 < 5 || bitsLog2 > 30) throw new RangeError(`bitsLog2 must be 5..30, not ${bitsLog2}`);
    this.words = new Uint32Array(2 ** (bitsLog2 - 5));
    this.mask = 2 ** bitsLog2 - 1;
  }

  add(id: string): void {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  /** False: `id` was never added. True: it may have been. */
  mayHave(id: string): boolean {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const scratch: [number, number] = [0, 0];

/** Two 32-bit hashes of the UTF-16 code units (FNV-1a, and a multiply-xorshift), the second odd
 * so the probes `h1 + i·h2` differ. The returned pair is reused by the next call. */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x85ebca6b);
    b ^= b >>> 13;
  }
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  scratch[0] = a >>> 0;
  scratch[1] = (b | 1) >>> 0;
  return scratch;
}
