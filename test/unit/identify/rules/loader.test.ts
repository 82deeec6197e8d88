import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuscultError } from '../../../../src/errors.js';
import { formatProblem, loadRules, parseRuleFile } from '../../../../src/identify/rules/loader.js';

const GOOD = `matches: dhcp.vendor_class
preference: 0.5
rules:
  - id: acme-monitor
    description: Acme monitor
    pattern: '^Acme (M\\d+)$'
    certainty: specific
    set: { manufacturer: Philips, model: '{1}' }
    examples:
      - input: Acme M1
        expect: { model: M1 }
    source: test
`;

describe('rule file loading', () => {
  it('compiles a valid file', () => {
    const r = parseRuleFile('x.yaml', GOOD);
    expect(r.problems).toEqual([]);
    expect(r.loaded?.rules.map((x) => [x.id, x.field, x.confidence, x.line])).toEqual([['acme-monitor', 'dhcp.vendor_class', 0.9, 4]]);
  });

  it('reports schema errors at file:line:col with the key', () => {
    const bad = GOOD.replace("    certainty: specific\n", '    certainty: sure\n');
    const [p] = parseRuleFile('x.yaml', bad).problems;
    expect(p && formatProblem(p)).toMatch(/^x\.yaml:7:16: rules\.0\.certainty: /);
  });

  it('reports a YAML syntax error with its line', () => {
    const [p] = parseRuleFile('x.yaml', 'matches: a.b\nrules: [\n').problems;
    expect(p?.file).toBe('x.yaml');
    expect(p?.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects unsafe patterns, unknown fields, derived fields and missing examples', () => {
    const unsafe = parseRuleFile('x.yaml', GOOD.replace("'^Acme (M\\d+)$'", () => "'^Acme (M)\\1$'")).problems;
    expect(unsafe.map(formatProblem)).toEqual([expect.stringMatching(/^x\.yaml:6:\d+: rules\.0\.pattern: invalid regex: not supported by the linear-time engine \(RE2\): invalid escape sequence: `\\1`/)]);
    const derived = parseRuleFile('x.yaml', GOOD.replace("model: '{1}'", "model: '{1}', fda_class: II")).problems;
    expect(derived[0]?.reason).toMatch(/derived from device_type/);
    const unknown = parseRuleFile('x.yaml', GOOD.replace("model: '{1}'", "model: '{1}', colour: red")).problems;
    expect(unknown[0]?.reason).toMatch(/unknown device field 'colour'/);
    const noExamples = parseRuleFile('x.yaml', GOOD.replace(/    examples:\n.*\n.*\n/, '    examples: []\n')).problems;
    expect(noExamples[0]?.reason).toMatch(/at least one example/);
  });

  it('loadRules throws AUS_ERR_RULE naming file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aus-rules-'));
    writeFileSync(join(dir, 'bad.yaml'), GOOD.replace('preference: 0.5', 'preference: high'));
    try {
      loadRules(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AuscultError);
      expect((e as AuscultError).code).toBe('AUS_ERR_RULE');
      expect((e as AuscultError).message).toMatch(/bad\.yaml:2:\d+: preference: /);
    }
  });
});
