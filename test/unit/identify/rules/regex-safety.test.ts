import { describe, expect, it } from 'vitest';
import { regexProblem } from '../../../../src/identify/rules/regex-safety.js';

describe('regexProblem (static catastrophic-backtracking check)', () => {
  it.each([
    ['(a+)+', /nested quantifier/],
    ['(.*)*', /nested quantifier/],
    ['^(\\d+\\.)+$', /nested quantifier/],
    ['(x(a*)y)+', /nested quantifier/],
    ['(a|ab)*c', /alternation/],
    ['(\\w|\\d)+', /alternation/],
    ['(a)\\1', /back-references/],
    ['(abc', /unbalanced/],
  ])('rejects %s', (pattern, reason) => {
    expect(regexProblem(pattern)?.reason).toMatch(reason);
  });

  it.each([
    '^Philips (IntelliVue (?:MX|MP|X)\\d{1,3}[A-Z]?)$',
    '^dhcpcd-[\\d.]+:([A-Za-z]+)-([^:]+):',
    '^(?:BD|CareFusion) (Alaris (?:PC )?\\d{4})$',
    '(ab|cd)+',
    '^(SOMATOM\\b.*)$',
    '(?<model>[A-Z]+)-(?<rev>\\d+)',
    '(a+){2}',
  ])('accepts %s', (pattern) => {
    expect(regexProblem(pattern)).toBeUndefined();
  });
});
