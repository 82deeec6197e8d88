/**
 * \summary Named counters (anomalies, drops, evictions): every limit hit and every malformed
 * input costs a counter, never the process. Persisted with each store flush; exported as metrics.
 */
export class Counters {
  private readonly values = new Map<string, number>();

  /** While set, every increment is also appended here as name, amount (the known-frame path
   * records what one frame counted, to count it again for the frame's next copy). */
  tap: (string | number)[] | undefined;

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    if (this.tap !== undefined) this.tap.push(name, by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** Sorted snapshot, for output and persistence. */
  entries(): [string, number][] {
    return [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Snapshot and reset (for adding deltas to persisted totals). */
  drain(): [string, number][] {
    const e = this.entries();
    this.values.clear();
    return e;
  }
}
