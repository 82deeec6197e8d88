import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, tuneHeap } from '../../src/heap-tuning.js';

describe('tuneHeap', () => {
  it('sets the growing percent unless the user chose one on the command line', () => {
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    expect(tuneHeap(['--heap-growing-percent=50'], '')).toBe(false);
    expect(tuneHeap(['--heap_growing_percent=50'], '')).toBe(false);
    expect(tuneHeap([], '')).toBe(true);
    expect(tuneHeap([], '')).toBe(true); // idempotent
    // A script passed with -e is not an option, even when its text names the flag.
    expect(tuneHeap(['-e', "v8.setFlagsFromString('--heap-growing-percent=5')"], '')).toBe(true);
  });
});
