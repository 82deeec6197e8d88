import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../../../src/identify/rules/engine.js';
import { buildRuleSet, parseRuleDir, parseRuleFile } from '../../../../src/identify/rules/loader.js';
import { compileCondition, interpolate, maxInputFor } from '../../../../src/identify/rules/matcher.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../../../../src/identify/rules-identifier.js';

const RULES = `matches: dhcp.prl
preference: 0.5
rules:
  - id: philips-prl
    description: Philips by OUI and PRL
    exact: '1,3,6'
    also:
      oui.vendor: { prefix: Philips }
    certainty: 0.8
    set: { manufacturer: Philips }
    examples:
      - input: { dhcp.prl: '1,3,6', oui.vendor: Philips Patient Monitoring }
        expect: { manufacturer: Philips }
    source: test
  - id: any-prl
    description: anything with this PRL
    list: ['1,3,6', '1,3']
    certainty: generic
    set: { os: Linux }
    examples:
      - input: '1,3'
        expect: { os: Linux }
    source: test
`;

function engine(maxTrackedDevices = 100): RuleEngine {
  const r = parseRuleFile('t.yaml', RULES);
  expect(r.problems).toEqual([]);
  return new RuleEngine(buildRuleSet('t', r.loaded ? [r.loaded] : []), { maxTrackedDevices });
}

describe('matchers', () => {
  it('exact, prefix, list and pattern (with ignore_case)', () => {
    expect(compileCondition('f.x', { exact: 'A' }).test(' A ')).toBeDefined();
    expect(compileCondition('f.x', { prefix: 'Phil' }).test('Philips')).toBeDefined();
    expect(compileCondition('f.x', { prefix: 'phil', ignore_case: true }).test('Philips')).toBeDefined();
    expect(compileCondition('f.x', { list: ['a', 'b'] }).test('c')).toBeUndefined();
    const caps = compileCondition('f.x', { pattern: '^(?<maker>\\w+) (\\d+)$' }).test('Acme 42');
    expect(caps && interpolate('{maker}-{2}', caps)).toBe('Acme-42');
  });

  it('interpolation omits a field whose group did not take part', () => {
    const caps = compileCondition('f.x', { pattern: '^A(\\d)?$' }).test('A');
    expect(caps && interpolate('v{1}', caps)).toBeUndefined();
  });

  it('truncates input to the protocol maximum before matching', () => {
    const c = compileCondition('dhcp.vendor_class', { pattern: 'END$' });
    expect(c.test(`${'x'.repeat(maxInputFor('dhcp.vendor_class'))}END`)).toBeUndefined();
    expect(c.test('xEND')).toBeDefined();
  });
});

describe('RuleEngine', () => {
  it('combines two observations of one device whichever arrives first, first match wins per group', () => {
    const e = engine();
    expect(e.match('d1', 'dhcp.prl', '1,3,6').map((m) => m.rule.id)).toEqual(['any-prl']);
    expect(e.match('d1', 'oui.vendor', 'Philips Patient Monitoring').map((m) => m.rule.id)).toEqual(['philips-prl']);
    expect(e.match('d1', 'dhcp.prl', '1,3,6').map((m) => m.rule.id)).toEqual(['philips-prl']);
    const e2 = engine();
    e2.match('d2', 'oui.vendor', 'Philips Patient Monitoring');
    expect(e2.match('d2', 'dhcp.prl', '1,3,6')[0]?.fields).toEqual({ manufacturer: 'Philips' });
  });

  it('caps the devices it remembers and counts evictions (limit lowered to 5, 10 devices)', () => {
    const e = engine(5);
    for (let i = 0; i < 10; i++) e.match(`d${i}`, 'oui.vendor', 'Philips');
    expect(e.trackedDevices).toBe(5);
    expect(e.evictions).toBe(5);
    // d0 was forgotten: its PRL alone no longer completes the two-field rule.
    expect(e.match('d0', 'dhcp.prl', '1,3,6').map((m) => m.rule.id)).toEqual(['any-prl']);
    expect(e.match('d9', 'dhcp.prl', '1,3,6').map((m) => m.rule.id)).toEqual(['philips-prl']);
  });

  it('property: the shipped rules never throw and stay fast on arbitrary input (seed 42, 10,000 runs)', () => {
    const set = parseRuleDir(DEFAULT_FINGERPRINTS_DIR);
    expect(set.problems).toEqual([]);
    const e = new RuleEngine(set, { maxTrackedDevices: 64 });
    const fields = [...set.byField.keys()];
    let slowest = 0;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string({ maxLength: 2000, unit: 'binary' }), fc.integer({ min: 0, max: 99 }), (field, value, dev) => {
        const t0 = performance.now();
        e.match(`d${dev}`, field, value);
        slowest = Math.max(slowest, performance.now() - t0);
      }),
      { seed: 42, numRuns: 10_000 },
    );
    // Also adversarial shapes for every pattern: long runs of one character.
    for (const f of fields) for (const ch of ['a', '1', ' ', '.', '-', 'A']) {
      const t0 = performance.now();
      e.match('adv', f, ch.repeat(100_000));
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(slowest).toBeLessThan(250);
  });
});
