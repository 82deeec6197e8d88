/**
 * \summary Versions of the state the stages after decoding keep (the address binder's MACs and
 * address owners, the location resolver, the device model's devices and aliases), for the
 * known-frame path (issue 14).
 *
 * Each piece of state a frame's processing can read is `Versioned`: a device, a MAC's binder
 * state, and one version each for the alias table, the binder's address owners and MAC table, and
 * the location tables. A stage bumps the version of what it changes (`bump`), and while a frame is
 * recorded it notes what it reads with the version it had (`read`). Moving last-seen times and
 * counts changes no version.
 *
 * The pipeline records what a known frame's processing moved when it changed nothing else
 * (`value` did not move while it ran; src/device/touch-log.ts). The frame's next copy replays the
 * record while every state it read still has the version it had: the state it is processed in is
 * then the same, except for times and counts, and so is what processing it would do. Invalidation
 * is per device and per MAC: a change elsewhere on the network leaves the record valid.
 */
export interface Versioned {
  version: number;
}

export class StateVersion {
  /** Every change anywhere (a frame whose processing moved it is not recorded). */
  value = 0;
  /** While a frame is recorded: what it read, as state, version pairs. */
  reads: (Versioned | number)[] | undefined;

  /** Something changed: `changed`, when given, is the state that did. */
  bump(changed?: Versioned): void {
    this.value++;
    if (changed !== undefined) changed.version++;
  }

  /** The frame being recorded read `state` (a no-op when none is). */
  read(state: Versioned): void {
    const reads = this.reads;
    if (reads === undefined) return;
    // Consecutive reads of one state are kept once (a frame's observations are mostly about its sender).
    if (reads.length > 0 && reads[reads.length - 2] === state) return;
    reads.push(state, state.version);
  }
}

/** True when every state in `reads` still has the version it was read with. */
export function readsHold(reads: readonly (Versioned | number)[]): boolean {
  for (let i = 0; i < reads.length; i += 2) if ((reads[i] as Versioned).version !== reads[i + 1]) return false;
  return true;
}
