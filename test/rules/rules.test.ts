/**
 * The shipped fingerprints/ pass every `rules test` check, fixtures included (CI also runs
 * `node bin/auscult.js rules test`).
 */
import { describe, expect, it } from 'vitest';
import { replayFixture } from '../../src/cli/rules-test.js';
import { checkRuleDir, formatReport } from '../../src/identify/rules/check.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../../src/identify/rules-identifier.js';
import { ROOT } from '../helpers/cli.js';

describe('fingerprints/', () => {
  it('every rule passes schema, examples, shadowing, captures, vocabulary, safety and fixture checks', async () => {
    const report = await checkRuleDir(DEFAULT_FINGERPRINTS_DIR, { replay: replayFixture, root: ROOT });
    expect(formatReport(report)).toMatch(/^PASS /);
    expect(report.failures).toEqual([]);
    expect(report.rules).toBeGreaterThanOrEqual(40);
    expect(report.fixtures).toBeGreaterThan(10);
  });
});
