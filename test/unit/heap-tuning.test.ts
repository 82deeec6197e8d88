import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, tuneHeap } from '../../src/heap-tuning.js';

const GROWING = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
const NO_PRETENURING = '--no-allocation-site-pretenuring';

describe('tuneHeap', () => {
  it('sets each flag unless the user chose it on the command line or in NODE_OPTIONS', () => {
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    expect(tuneHeap(['--heap-growing-percent=50'], '')).toEqual([NO_PRETENURING]);
    expect(tuneHeap(['--heap_growing_percent=50'], '')).toEqual([NO_PRETENURING]);
    expect(tuneHeap(['--allocation-site-pretenuring'], '')).toEqual([GROWING]);
    expect(tuneHeap([], '--no-allocation_site_pretenuring --heap-growing-percent=30')).toEqual([]);
    expect(tuneHeap([], '')).toEqual([GROWING, NO_PRETENURING]);
    expect(tuneHeap([], '')).toEqual([GROWING, NO_PRETENURING]); // idempotent
    // A script passed with -e is not an option, even when its text names the flag.
    expect(tuneHeap(['-e', "v8.setFlagsFromString('--heap-growing-percent=5')"], '')).toEqual([GROWING, NO_PRETENURING]);
  });

  it('turns pretenuring off at run time (V8 traces no pretenuring decision after the call)', () => {
    // An allocation site whose objects all survive a scavenge: V8 decides to pretenure it, and
    // --trace-pretenuring prints that decision, unless the flag set at run time turned it off.
    // V8 decides "tenure" (not only "maybe tenure") only after a scavenge of a new space at its
    // largest size; a new space that starts and stays at 1 MB makes every scavenge one, so the
    // control's decision does not depend on how fast this machine's new space grows.
    const script = (tune: boolean): string => `
      ${tune ? "require('node:v8').setFlagsFromString('--no-allocation-site-pretenuring');" : ''}
      const keep = [];
      function mk(i) { return { a: i, b: [i, i + 1] }; }
      for (let r = 0; r < 40; r++) { const arr = []; for (let i = 0; i < 150000; i++) arr.push(mk(i)); keep.push(arr[r]); }
      console.log(keep.length);`;
    const run = (tune: boolean): string => {
      const r = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '--min-semi-space-size=1', '--max-semi-space-size=1', '-e', script(tune)], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    // The same runtime call tuneHeap makes; the flag name is the one tuneHeap sets.
    expect(tuneHeap([], '')).toContain(NO_PRETENURING);
    expect(run(false)).toMatch(/=> tenure/);
    expect(run(true)).not.toMatch(/=> tenure/);
  });
});
