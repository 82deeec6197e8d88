/**
 * \summary V8 heap settings for a long-running sensor, applied once at start-up (the CLI and the
 * benchmark's replay child call `tuneHeap` before any work).
 *
 * After each full GC, V8 lets the old generation grow to a multiple of what survived before it
 * collects again: up to 4× when the program allocates fast, which a packet pipeline always does.
 * Nearly everything auscult allocates per frame dies young, so that headroom is mostly garbage
 * waiting to be collected, and it is what pushed peak RSS past the 150 MB target (issue 3).
 * `--heap-growing-percent=15` caps the growth at 1.15× of the live heap (25 % measured about 5 MB
 * more peak RSS; the default measured about 100 MB more). The flag is read each
 * time V8 computes the next limit, so setting it at run time takes effect (the benchmark's RSS
 * figures show it).
 *
 * `--no-allocation-site-pretenuring` (issue 14): V8 watches allocation sites and, when most of a
 * site's objects survive a scavenge, allocates that site's objects straight in the old generation.
 * A packet pipeline's per-frame objects survive one scavenge often enough (a batch is alive while
 * it is processed) to be pretenured, and then die in the old generation, which only mark-compacts
 * reclaim: measured on a 411,600-frame SPAN-like replay, pretenuring off used 0.66× the CPU time
 * (paired runs, median; min 0.58, max 0.73) and 5 % less peak RSS. The flag is read by the GC when
 * it processes pretenuring feedback, so setting it at run time takes effect (the test checks with
 * `--trace-pretenuring`). Node refuses both flags in NODE_OPTIONS, hence `setFlagsFromString`.
 *
 * A user who passes either flag (or its negation) on the node command line keeps theirs (the check
 * looks in NODE_OPTIONS too).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 15;

/** The flags tuneHeap sets: the name it checks for (either spelling, any `--no-` form) and the flag. */
const TUNED_FLAGS: readonly { readonly names: readonly string[]; readonly flag: string }[] = [
  { names: ['heap-growing-percent', 'heap_growing_percent'], flag: `--heap-growing-percent=${HEAP_GROWING_PERCENT}` },
  { names: ['allocation-site-pretenuring', 'allocation_site_pretenuring'], flag: '--no-allocation-site-pretenuring' },
];

/** Applies the settings the user did not choose; returns the flags it set. Idempotent. */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  // Only options count: `node -e '<script>'` puts the script text in execArgv too.
  const isOption = (a: string): boolean => a.startsWith('--');
  const given = [...execArgv.filter(isOption), ...nodeOptions.split(/\s+/).filter(isOption)];
  const applied: string[] = [];
  for (const { names, flag } of TUNED_FLAGS) {
    if (given.some((a) => names.some((n) => a.includes(n)))) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
