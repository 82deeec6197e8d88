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

function engine(): RuleEngine {
  const r = parseRuleFile('t.yaml', RULES);
  expect(r.problems).toEqual([]);
  return new RuleEngine(buildRuleSet('t', r.loaded ? [r.loaded] : []));
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
  it('combines two fields of one device whichever arrives first (read through the lookup), first match wins per group', () => {
    const e = engine();
    const device: Record<string, string> = {};
    const others = (f: string) => device[f];
    expect(e.match('dhcp.prl', '1,3,6', others).map((m) => m.rule.id)).toEqual(['any-prl']);
    device['dhcp.prl'] = '1,3,6';
    expect(e.match('oui.vendor', 'Philips Patient Monitoring', others).map((m) => m.rule.id)).toEqual(['philips-prl']);
    device['oui.vendor'] = 'Philips Patient Monitoring';
    expect(e.match('dhcp.prl', '1,3,6', others).map((m) => m.rule.id)).toEqual(['philips-prl']);
    expect(e.match('dhcp.prl', '1,3,6', () => undefined).map((m) => m.rule.id)).toEqual(['any-prl']);
    expect(e.match('dhcp.prl', '1,3,6', (f) => (f === 'oui.vendor' ? 'Philips' : undefined))[0]?.fields).toEqual({ manufacturer: 'Philips' });
  });

  it('keeps no per-device state: the same call gives the same answer; an unchanged also-field does not re-try the rules it is read by', () => {
    const e = engine();
    const others = (f: string) => (f === 'dhcp.prl' ? '1,3,6' : undefined);
    const once = e.match('oui.vendor', 'Philips', others);
    expect(e.match('oui.vendor', 'Philips', others)).toEqual(once);
    expect(once.map((m) => m.rule.id)).toEqual(['philips-prl']);
    // changed = false skips only rules that read dhcp.prl through also; its own group still runs.
    expect(e.match('dhcp.prl', '1,3,6', (f) => (f === 'oui.vendor' ? 'Philips' : undefined), false).map((m) => m.rule.id)).toEqual(['philips-prl']);
  });

  it('property: the shipped rules never throw and stay fast on arbitrary input (seed 42, 10,000 runs)', () => {
    const set = parseRuleDir(DEFAULT_FINGERPRINTS_DIR);
    expect(set.problems).toEqual([]);
    const e = new RuleEngine(set);
    const fields = [...set.byField.keys()];
    let slowest = 0;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string({ maxLength: 2000, unit: 'binary' }), fc.integer({ min: 0, max: 99 }), (field, value, dev) => {
        const t0 = performance.now();
        e.match(field, value, (f) => (f === fields[dev % fields.length] ? value : undefined));
        slowest = Math.max(slowest, performance.now() - t0);
      }),
      { seed: 42, numRuns: 10_000 },
    );
    // Also adversarial shapes for every pattern: long runs of one character.
    for (const f of fields) for (const ch of ['a', '1', ' ', '.', '-', 'A']) {
      const t0 = performance.now();
      e.match(f, ch.repeat(100_000));
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(slowest).toBeLessThan(250);
  });
});
