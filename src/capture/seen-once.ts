/**
 * \summary The known-frame table's doorkeeper (src/capture/known-frames.ts): the 32-bit keys of
 * frames seen once, at most `capacity` of them, the oldest forgotten first, in two typed arrays.
 *
 * A key is noted at its first sighting and taken out at its second (`seenBefore`). Keys sit in a
 * ring in the order they were noted; an open-addressing table (linear probing, backward-shift
 * deletion) maps each live key to its ring slot. Noting a key when the ring is full overwrites
 * the slot noted `capacity` keys ago, and forgets its key when that slot still holds it (a key
 * taken out earlier left a stale slot, reused at no cost): a key is forgotten once `capacity` keys
 * were noted after it.
 *
 * Hand-written for its memory: a JS `Set` of 65,536 small integers took 2.6 MB of heap (its hash
 * table's entries, chains and the slack of deletions), these arrays 768 KB with no object per
 * key, and the 10-million-frame bench capture keeps the set full (bench/README.md, issue 14,
 * eighteenth session). No npm package keeps a bounded FIFO set of integers in typed arrays.
 */
export class SeenOnce {
  /** Keys in the order they were noted (slot `next` is the oldest once the ring is full). */
  private readonly ring: Int32Array;
  /** Ring slot + 1 of each live key, by the key's hash (0: empty). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  private next = 0;
  /** Slots of the ring written at least once. */
  private used = 0;
  private live = 0;
  /** Keys forgotten because `capacity` keys were noted after them. */
  forgotten = 0;

  constructor(capacity: number) {
    const cap = Math.max(0, Math.floor(capacity));
    this.ring = new Int32Array(cap);
    let bits = 1;
    while (1 << bits < 2 * cap) bits++;
    this.slots = new Int32Array(cap === 0 ? 0 : 1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  /** Keys held now. */
  get size(): number {
    return this.live;
  }

  /** True when `key` was noted and not forgotten (it is taken out); else it is noted. A capacity of 0 notes nothing. */
  seenBefore(key: number): boolean {
    if (this.ring.length === 0) return false;
    const at = this.find(key);
    if (this.slots[at] !== 0) {
      this.remove(at);
      return true;
    }
    const slot = this.next;
    let place = at;
    if (this.used === this.ring.length) {
      const old = this.ring[slot] as number;
      const oldAt = this.find(old);
      if (this.slots[oldAt] === slot + 1) {
        this.remove(oldAt);
        this.forgotten++;
        // The removal may have moved entries: probe again for the empty place.
        place = this.find(key);
      }
    } else {
      this.used++;
    }
    this.ring[slot] = key;
    this.slots[place] = slot + 1;
    this.live++;
    this.next = slot + 1 === this.ring.length ? 0 : slot + 1;
    return false;
  }

  /** Forgets every key. */
  clear(): void {
    this.slots.fill(0);
    this.next = 0;
    this.used = 0;
    this.live = 0;
  }

  /** The key's first table position: the top bits of its Fibonacci hash (already below the table size). */
  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The table position holding `key`, or the empty position where it would go. */
  private find(key: number): number {
    const slots = this.slots;
    const ring = this.ring;
    let i = this.home(key);
    for (;;) {
      const s = slots[i] as number;
      if (s === 0 || ring[s - 1] === key) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Empties position `at`, shifting back the entries after it that probed past it. */
  private remove(at: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = at;
    let j = at;
    for (;;) {
      j = (j + 1) & mask;
      const s = slots[j] as number;
      if (s === 0) break;
      const home = this.home(this.ring[s - 1] as number);
      // The entry at j stays when its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      slots[hole] = s;
      hole = j;
    }
    slots[hole] = 0;
    this.live--;
  }
}
