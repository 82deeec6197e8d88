/**
 * The rule loader's fast path (js-yaml, rule lines from their `- id:` lines; issue 14 start-up)
 * gives exactly what the positioned path gives, on every shipped rule file; a file with a problem
 * still gets its file:line:col from the positioned path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleFile, type LoadedRuleFile } from '../../../../src/identify/rules/loader.js';
import { ROOT } from '../../../helpers/cli.js';

const DIR = join(ROOT, 'fingerprints');

/** What a loaded file says, without the compiled closures. */
function shape(f: LoadedRuleFile | undefined): unknown {
  if (f === undefined) return undefined;
  return {
    file: f.file, preference: f.preference, spec: f.spec,
    rules: f.rules.map((r) => ({ ...r, main: { ...r.main, test: undefined }, also: r.also.map((c) => ({ ...c, test: undefined })) })),
  };
}

describe('rule loader fast path', () => {
  const files = readdirSync(DIR).filter((n) => /\.ya?ml$/.test(n)).sort();

  it('gives the same rules, lines included, as the positioned path on every shipped file', () => {
    expect(files.length).toBeGreaterThan(3);
    let rules = 0;
    for (const n of files) {
      const text = readFileSync(join(DIR, n), 'utf8');
      const fast = parseRuleFile(join(DIR, n), text);
      const slow = parseRuleFile(join(DIR, n), text, { fast: false });
      expect(fast.problems).toEqual([]);
      expect(shape(fast.loaded), n).toEqual(shape(slow.loaded));
      rules += fast.loaded?.rules.length ?? 0;
      // The rule lines are real: each names its rule's `id:` line.
      const lines = text.split('\n');
      for (const r of fast.loaded?.rules ?? []) expect(lines[r.line - 1], `${n} ${r.id}`).toMatch(new RegExp(`id:\\s*['"]?${r.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    expect(rules).toBeGreaterThan(20);
  });

  it('a rule whose id is not its first key, or a problem, takes the positioned path', () => {
    const rule = (first: string, second: string): string[] => [
      `  - ${first}`,
      `    ${second}`,
      "    prefix: 'Acme'",
      '    certainty: specific',
      '    set: { manufacturer: Acme }',
      "    examples: [{ input: 'Acme 1', expect: { manufacturer: Acme } }]",
      "    source: 'test'",
    ];
    const text = [
      'matches: dhcp.vendor_class',
      'preference: 0.5',
      'rules:',
      ...rule('id: first', 'description: first rule'),
      ...rule('description: second rule', 'id: second'),
      '',
    ].join('\n');
    const r = parseRuleFile('f.yaml', text);
    expect(r.problems).toEqual([]);
    expect(r.loaded?.rules.map((x) => [x.id, x.line])).toEqual([['first', 4], ['second', 11]]);
    // RE2 has no lookahead: a load-time problem, located by the positioned path.
    const at = text.lastIndexOf("prefix: 'Acme'");
    const bad = parseRuleFile('f.yaml', `${text.slice(0, at)}pattern: '(?=x)'${text.slice(at + "prefix: 'Acme'".length)}`);
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatchObject({ file: 'f.yaml', line: 13, col: 14, rule: 'second' });
  });
});
