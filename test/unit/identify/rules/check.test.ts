/**
 * `auscult rules test` must fail (exit 1, a readable line naming file, line and rule) on a
 * planted wrong example, on a shadowed rule and on unused capture groups; and pass on good rules.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuleDir } from '../../../../src/identify/rules/check.js';
import { auscult } from '../../../helpers/cli.js';

const rule = (id: string, pattern: string, model: string, input: string, expectModel: string) => `
  - id: ${id}
    description: ${id} description
    pattern: '${pattern}'
    certainty: specific
    set: { manufacturer: Philips, model: '${model}', device_type: patient_monitor }
    examples:
      - input: '${input}'
        expect: { model: '${expectModel}' }
    source: test`;

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'aus-rules-test-'));
  for (const [n, text] of Object.entries(files)) writeFileSync(join(d, n), text);
  return d;
}

const head = (pref = 0.5) => `matches: dhcp.vendor_class\npreference: ${pref}\nrules:`;

describe('auscult rules test', () => {
  it('passes good rules (exit 0)', () => {
    const d = dir({ 'a.yaml': head() + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3') });
    const r = auscult(['rules', 'test', d]);
    expect(r.stdout).toMatch(/^PASS 1 rules in 1 files, 1 examples/m);
    expect(r.code).toBe(0);
  });

  it('fails on a misspelt matches key (exit 1, file:line, the declared field suggested)', () => {
    const d = dir({ 'a.yaml': 'matches: dhcp.vendor_clas\npreference: 0.5\nrules:' + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3') });
    const r = auscult(['rules', 'test', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*a\.yaml:1.*unknown observation field "dhcp\.vendor_clas" \(did you mean "dhcp\.vendor_class"\?\)/);
  });

  it('fails on a misspelt also key, and accepts declared families (mdns.txt.*)', () => {
    const bad = dir({ 'a.yaml': head() + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3').replace('    certainty:', "    also: { lldp.sytem_name: { exact: x } }\n    certainty:") });
    expect(auscult(['rules', 'test', bad]).stdout).toMatch(/unknown observation field "lldp\.sytem_name" \(did you mean "lldp\.system_name"\?\)/);
    const good = dir({ 'a.yaml': 'matches: mdns.txt.mdl\npreference: 0.5\nrules:' + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3') });
    expect(auscult(['rules', 'test', good]).code).toBe(0);
  });

  it('fails on a planted wrong example (exit 1, file:line and rule named)', () => {
    const d = dir({ 'a.yaml': head() + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M4') });
    const r = auscult(['rules', 'test', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*a\.yaml:4: acme-mon: example 1: model is "M3", expected "M4"/);
    expect(r.stdout).toMatch(/^FAIL 1 problem\(s\)/m);
  });

  it('fails on a rule shadowed by an earlier rule in the same file', () => {
    const d = dir({ 'a.yaml': head() + rule('acme-any', '^Acme ', 'generic', 'Acme X', 'generic') + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3') });
    const r = auscult(['rules', 'test', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/acme-mon: example 1 is shadowed by earlier rule acme-any \(.*a\.yaml:4\)/);
  });

  it('fails on a rule shadowed by a rule in a higher-preference file', () => {
    const d = dir({
      'a-low.yaml': head(0.3) + rule('acme-mon', '^Acme (M\\d+)$', '{1}', 'Acme M3', 'M3'),
      'z-high.yaml': head(0.8) + rule('acme-any', '^Acme ', 'generic', 'Acme X', 'generic'),
    });
    const r = auscult(['rules', 'test', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/a-low\.yaml:4: acme-mon: example 1 is shadowed by earlier rule acme-any \(.*z-high\.yaml:4\)/);
  });

  it('reports unused capture groups, unknown vocabulary, duplicate ids and schema errors with lines', async () => {
    const d = dir({
      'a.yaml': `${head()}${rule('acme-mon', '^Acme (M\\d+) (\\d+)$', '{1}', 'Acme M3 7', 'M3')}${rule('acme-mon', '^Other (X)$', '{1}', 'Other X', 'X').replace('device_type: patient_monitor', 'device_type: toaster')}`,
      'b.yaml': 'matches: dhcp.vendor_class\npreference: 0.5\nrules:\n  - id: Bad_Id\n',
    });
    const report = await checkRuleDir(d);
    const text = report.failures.map((f) => `${f.file.replace(`${d}/`, '')}:${f.line}: ${f.rule ?? ''}: ${f.message}`);
    expect(text).toEqual(expect.arrayContaining([
      expect.stringMatching(/^a\.yaml:4: acme-mon: capture group 2 is not used in set/),
      expect.stringMatching(/^a\.yaml:13: acme-mon: duplicate id \(also at .*a\.yaml:4\)/),
      expect.stringMatching(/^a\.yaml:13: acme-mon: device_type "toaster" is not in vocabulary/),
      expect.stringMatching(/^b\.yaml:4: Bad_Id: rules\.0\.id: must be kebab-case/),
    ]));
  });
});
