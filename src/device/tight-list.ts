/**
 * \summary Appending to the small lists every device and every MAC keeps, without V8's growth
 * slack (issue 14, memory per device).
 *
 * `push` onto a full array grows its backing store by half plus 16 slots, so a device's
 * candidates (3.6 on average), chosen values, addresses, facts, memoised merges and a MAC's
 * addresses each held room for about 17 elements: 12.7 MiB of the dense replay's 60 MiB heap was
 * the backing stores of 77,000 such lists. `concat` allocates exactly the elements it returns.
 * These lists grow a few times in a device's life and are read at every frame, so copying them on
 * the rare append costs nothing measurable.
 *
 * An append returns a new list: the owner stores it (`d.candidates = appended(d.candidates, c)`),
 * and nothing else may keep a reference to the old one across an append.
 */

/** `list` followed by `item`, in a list of exactly that length. */
export function appended<T>(list: readonly T[], item: T): T[] {
  return list.concat([item]);
}

/** `list` followed by `items`, in a list of exactly that length. */
export function appendedAll<T>(list: readonly T[] | undefined, items: readonly T[]): T[] {
  return list === undefined ? items.slice() : list.concat(items);
}
