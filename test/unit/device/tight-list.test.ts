/**
 * The small per-device lists grow without V8's growth slack (src/device/tight-list.ts): an append
 * returns a new list holding exactly its elements, leaves the old one as it was, and a device's
 * lists built that way take a fraction of the heap that `push` leaves them holding.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { appended, appendedAll } from '../../../src/device/tight-list.js';
import { withFact } from '../../../src/device/device-facts.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes per list of `n` small objects, the lists built by `grow`. */
function heapPerList(n: number, grow: (list: { i: number }[], item: { i: number }) => { i: number }[]): number {
  const lists = 20_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: { i: number }[][] = [];
  for (let l = 0; l < lists; l++) {
    let list: { i: number }[] = [];
    for (let k = 0; k < n; k++) list = grow(list, { i: k });
    kept.push(list);
  }
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / lists;
  expect(kept.length).toBe(lists);
  return bytes;
}

describe('tight lists', () => {
  it('appends without touching the list it was given', () => {
    const a = [1, 2];
    const b = appended(a, 3);
    expect(b).toEqual([1, 2, 3]);
    expect(a).toEqual([1, 2]);
    // An element that is itself a list stays one element (concat spreads only its argument list).
    const nested = appended<number[] | number>([1], [2, 3]);
    expect(nested).toEqual([1, [2, 3]]);
    expect(appendedAll(undefined, ['x', 'y'])).toEqual(['x', 'y']);
    const c = ['f', 'v'];
    expect(appendedAll(c, ['g', 'w'])).toEqual(['f', 'v', 'g', 'w']);
    expect(c).toEqual(['f', 'v']);
  });

  it('withFact replaces a field in place and appends a new one to a new list', () => {
    const facts = withFact(undefined, 'a', '1');
    expect(facts).toEqual(['a', '1']);
    expect(withFact(facts, 'a', '2')).toBe(facts);
    expect(facts).toEqual(['a', '2']);
    const more = withFact(facts, 'b', '3');
    expect(more).toEqual(['a', '2', 'b', '3']);
    expect(facts).toEqual(['a', '2']);
  });

  it('a list of three built by appends takes far less heap than one built by push', () => {
    const tight = heapPerList(3, appended);
    const pushed = heapPerList(3, (list, item) => { list.push(item); return list; });
    // Three objects and the list itself; push leaves room for about 17 elements (136 bytes more).
    expect(tight).toBeLessThan(pushed - 80);
  });
});
