import { describe, expect, it } from 'vitest';
import { parseSorCsvBuffer } from '../../../src/reconcile/import-csv.js';

/**
 * Issue 22: a 1M-row CSV was refused only after 17.9 s at 740 MB: every row was parsed and kept
 * before the row cap was checked. The parse now stops at the cap, so what it holds is bounded by
 * the cap, not by the file (here the cap is lowered to 1,000 to make the difference plain).
 */
describe('CSV import stops at the row cap', () => {
  it('a 1,000,000-row export is refused as soon as the cap is passed, not after parsing every row', () => {
    const rows = ['Asset Tag,Serial Number,MAC Address'];
    for (let i = 0; i < 1_000_000; i++) rows.push(`A${i},SN${i},02:00:00:00:00:01`);
    const bytes = Buffer.from(`${rows.join('\n')}\n`);
    rows.length = 0;
    let error: unknown;
    try {
      parseSorCsvBuffer(bytes, 'big.csv', { maxRows: 1000 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch('more than 1000 data rows; refusing a partial import');
    expect((error as { where?: { line?: number } }).where?.line).toBe(1002);
    // Memory, not time, is what this bounds; test/e2e/import-memory.test.ts measures the CLI's
    // peak RSS on such a file (a timed assertion would be a benchmark in a unit test).
  });
});
