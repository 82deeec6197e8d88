/**
 * cachedByKey (src/cached-by-key.ts): a pure function's answers by argument, emptied when full.
 * With a cap of 3, a repeated argument is not computed again until the table has been emptied,
 * the table never holds more than its cap, and every answer is the function's.
 */
import { describe, expect, it } from 'vitest';
import { cachedByKey } from '../../src/cached-by-key.js';

describe('cachedByKey', () => {
  it('computes an argument once until the table is full, then empties it and starts again', () => {
    const computed: string[] = [];
    const upper = cachedByKey((s: string) => { computed.push(s); return s.toUpperCase(); }, 3);
    expect(['a', 'b', 'a', 'c', 'b'].map(upper)).toEqual(['A', 'B', 'A', 'C', 'B']);
    expect(computed).toEqual(['a', 'b', 'c']);
    // Full at 3: a fourth argument empties the table, so a, b, c are computed again.
    expect(upper('d')).toBe('D');
    expect(['d', 'a', 'b'].map(upper)).toEqual(['D', 'A', 'B']);
    expect(computed).toEqual(['a', 'b', 'c', 'd', 'a', 'b']);
  });
});
