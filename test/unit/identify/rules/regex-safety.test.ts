import { describe, expect, it } from 'vitest';
import { linearRegExp, regexProblem } from '../../../../src/identify/rules/regex-safety.js';
import { compileCondition } from '../../../../src/identify/rules/matcher.js';
import { parseColumnMapping } from '../../../../src/reconcile/column-mapping.js';

/**
 * Thirteen catastrophic-backtracking patterns (issue 22: the old static detector accepted 9 of
 * them and 7 ran 20 s or more on 255 characters under V8's backtracking engine), each with the
 * input that makes a backtracking engine explode: a long run of the repeated atom and a final
 * character that makes the match fail.
 */
const CATASTROPHIC: readonly [string, string][] = [
  ['^(?:[a-z0-9]{1,16}[-.]?){1,16}$', `${'a'.repeat(254)}!`],
  ['^(a+)+$', `${'a'.repeat(254)}!`],
  ['^(a|aa)+$', `${'a'.repeat(254)}!`],
  ['^(a|a?)+$', `${'a'.repeat(254)}!`],
  ['^(.*a){20}$', `${'a'.repeat(254)}!`],
  ['^(\\w+\\s?)*$', `${'word '.repeat(50)}!`],
  ['^([a-zA-Z0-9]+)*@', `${'a'.repeat(254)}!`],
  ['^(\\d+\\.)+\\d+$', `${'1.'.repeat(127)}x`],
  ['^(x+x+)+y$', 'x'.repeat(255)],
  ['^(.*?,){11}P', `${'1,'.repeat(127)}x`],
  ['^((ab)*)+$', `${'ab'.repeat(127)}a`],
  ['^(\\s*[a-z]+\\s*)+;$', `${'a '.repeat(127)}!`],
  ['^([^@\\s]+\\.?)+\\.example$', `${'a.'.repeat(127)}!`],
];

// No wall-clock bound (unit tests are not timed): RE2 is linear by construction and answers these
// in milliseconds, while V8's backtracking took 20 s and more on each and would hold the test
// (synchronously) far past vitest's timeout.

describe('user patterns run on RE2 (linear time)', () => {
  it.each(CATASTROPHIC)('%s compiles and fails to match in linear time', (pattern, input) => {
    expect(regexProblem(pattern)).toBeUndefined();
    const re = linearRegExp(pattern);
    expect(re).not.toBeInstanceOf(RegExp);
    expect(re.exec(input)).toBeNull();
    // As a rule condition, on the rule matcher's path (input truncated to the field's maximum).
    const condition = compileCondition('dhcp.hostname', { pattern });
    expect(condition.test(input)).toBeUndefined();
  });

  it('a CSV column-mapping pattern from the issue (40-character cell) runs in linear time', () => {
    const parsed = parseColumnMapping("columns:\n  Location:\n    pattern: '^(?<room>(?:[a-z0-9]{1,16}[-.]?){1,16})$'\n", 'm.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const rule = [...parsed.mapping.columns.values()][0];
    if (rule?.kind !== 'pattern') throw new Error('expected a pattern rule');
    expect(rule.pattern).not.toBeInstanceOf(RegExp);
    expect(rule.pattern.exec(`${'a'.repeat(39)}!`)).toBeNull();
    expect(rule.pattern.exec('ward-3.bed-12')?.groups).toEqual({ room: 'ward-3.bed-12' });
  });

  it.each([
    ['(a)\\1', /invalid escape sequence/],
    ['(?=a)b', /unsupported Perl syntax/],
    ['(?<=a)b', /invalid named capture|unsupported/],
    ['a{2000}', /invalid repeat count/],
    ['(abc', /missing closing \)/],
  ])('rejects %s at load time with RE2\'s reason', (pattern, reason) => {
    const problem = regexProblem(pattern);
    expect(problem?.reason).toMatch(/^not supported by the linear-time engine \(RE2\): /);
    expect(problem?.reason).toMatch(reason);
    expect(() => linearRegExp(pattern)).toThrow(SyntaxError);
  });

  it('matches like RegExp.exec: leftmost match, numbered and named groups, undefined for groups that took no part', () => {
    const re = linearRegExp('(?<vendor>[A-Z]+)-(\\d+)(x)?');
    const m = re.exec('id: ABC-12 DEF-3');
    expect(m && [...m]).toEqual(['ABC-12', 'ABC', '12', undefined]);
    expect(m?.index).toBe(4);
    expect(m?.groups).toEqual({ vendor: 'ABC' });
    expect(re.groupCount).toBe(3);
    expect(re.groupNames).toEqual(['vendor']);
    expect(linearRegExp('^philips', true).test('PHILIPS IntelliVue')).toBe(true);
    expect(linearRegExp('^philips').test('PHILIPS IntelliVue')).toBe(false);
  });
});
