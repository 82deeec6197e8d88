/**
 * \summary The one eviction rule of the device core's bounded tables: a Map kept in insertion
 * order that, when full, forgets its oldest entry and counts it (hostile input is normal: every
 * table has a cap and a counter).
 *
 * The oldest entry is found with one live iterator per map, kept between calls, not with a new
 * `map.keys().next()` each time: a Map that loses its oldest entry at every insertion keeps the
 * deleted entries' slots at the front of its table until it is rehashed, and a new iterator walks
 * over all of them (6.4 µs per eviction at 16,384 entries, against 0.5 µs; past 16,384 devices
 * the binder evicts from its MAC table and its address-owner table as new ones arrive, so
 * 250,000 devices paid it about twice each). A Map iterator is live: it skips what was deleted
 * after it was made and reaches what was added, in insertion order, so
 * the next key it gives is the oldest one left as long as every key it gave has been deleted,
 * which is what this function does with it. While it waits between two evictions, the iterator
 * keeps the tables the map was rehashed from since its last step (V8 chains them for live
 * iterators); its next step lets them go, so that is bounded by the map's own size.
 */
import type { Counters } from '../counters.js';

/** Each bounded map's iterator, positioned after the keys it has already given (all deleted). */
const oldestFirst = new WeakMap<Map<unknown, unknown>, IterableIterator<[unknown, unknown]>>();

/**
 * Makes room for one more key in `map` when it is at `cap`: deletes the oldest entry and counts
 * `counter`; `forget` is told the value deleted. Call it only for a key the map does not hold yet.
 */
export function makeRoom<K, V>(map: Map<K, V>, cap: number, counters: Counters | undefined, counter: string, forget?: (value: V) => void): void {
  if (map.size < cap) return;
  let next = (oldestFirst.get(map) as IterableIterator<[K, V]> | undefined)?.next();
  if (next === undefined || next.done === true) {
    const it = map.entries();
    oldestFirst.set(map, it as IterableIterator<[unknown, unknown]>);
    next = it.next();
  }
  if (next.done !== true) {
    map.delete(next.value[0]);
    forget?.(next.value[1]);
  }
  counters?.inc(counter);
}
