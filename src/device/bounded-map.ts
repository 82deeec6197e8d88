/**
 * \summary The one eviction rule of the device core's bounded tables: a Map kept in insertion
 * order that, when full, forgets its oldest entry and counts it (hostile input is normal: every
 * table has a cap and a counter).
 */
import type { Counters } from '../counters.js';

/**
 * Makes room for one more key in `map` when it is at `cap`: deletes the oldest entry and counts
 * `counter`. Call it only for a key the map does not hold yet.
 */
export function makeRoom<K, V>(map: Map<K, V>, cap: number, counters: Counters | undefined, counter: string): void {
  if (map.size < cap) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
  counters?.inc(counter);
}
