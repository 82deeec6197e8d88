/**
 * \summary A pure function's answers kept by argument, up to a cap: when the table is full it is
 * emptied and starts again, so a flood of distinct arguments costs speed, never memory.
 *
 * For functions a hot path asks the same few thousand arguments over and over (an address's rank
 * class and routing prefix, its peer scope, a manufacturer's comparison key). Hand-written: a
 * memo with one rule (empty when full) is shorter than any package's options; an LRU cache would
 * pay per hit to keep an order these tables do not need. `compute` never answers `undefined`.
 */
export function cachedByKey<K, V>(compute: (key: K) => V, cap: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key: K): V => {
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = compute(key);
      if (answers.size >= cap) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}
