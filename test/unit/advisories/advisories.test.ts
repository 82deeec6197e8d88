/**
 * CSAF parsing against every real CISA ICSMA advisory, the product-name matcher, and the patch
 * state rules the e2e test does not reach (downgrade, KEV severity, revisions and event ids).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRevisions, flattenValidated, type CsafAdvisory } from '../../../src/advisories/csaf.js';
import { nameMatcher, vendorMatches } from '../../../src/advisories/product-match.js';
import { patchState, inCidr, type PatchDevice } from '../../../src/advisories/patch-state.js';
import { auscult, ROOT } from '../../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const lab = async (name: string): Promise<CsafAdvisory> => {
  // Validated by the e2e test (auscult advisories import); here only flattened, so this file does
  // not load the validator (slow under vitest's module runner).
  const r = flattenValidated(JSON.parse(readFileSync(`${ROOT}fixtures/advisories/${name}`, 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.advisory;
};

describe.skipIf(!sharedAvailable('advisories'))(`the CISA ICSMA advisories (${SHARED_SKIP_REASON})`, () => {
  it('every file is valid CSAF 2.0 (imported by the CLI) and flattens to products with vendor, product and version', () => {
    // Validation through the built CLI: in plain node the validator costs ~3 s for all files;
    // under vitest's module runner the same calls take ten times that.
    const dir = mkdtempSync(join(tmpdir(), 'auscult-csaf-all-'));
    try {
      const r = auscult(['advisories', 'import', sharedPath('advisories'), '--db', join(dir, 'all.db')], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      // Every year's file and the two revisions of ICSMA-20-254-01 (one of which is also the 2020 file).
      expect(r.stderr).toMatch(/^155 file\(s\): 154 new revision\(s\) of 153 advisory\(ies\) imported, 1 already imported/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const root = sharedPath('advisories');
    let files = 0;
    for (const d of readdirSync(root).filter((x) => /^\d{4}$/.test(x))) {
      for (const f of readdirSync(`${root}/${d}`).filter((x) => x.endsWith('.json'))) {
        const r = flattenValidated(JSON.parse(readFileSync(`${root}/${d}/${f}`, 'utf8')));
        expect(r.ok, f).toBe(true);
        if (r.ok) {
          expect(r.advisory.tracking_id, f).toMatch(/^ICSMA-\d{2}-\d{3}-\d{2}/i);
          expect(r.advisory.products.length, f).toBeGreaterThan(0);
        }
        files++;
      }
    }
    expect(files).toBeGreaterThan(150);
  }, 300_000);

  it('two revisions of one advisory: same tracking id, ordered by release', async () => {
    const rev = async (n: number): Promise<CsafAdvisory> => {
      // Both revisions are validated by the CLI import of the whole directory above.
      const r = flattenValidated(JSON.parse(readFileSync(sharedPath('advisories', 'revisions', `icsma-20-254-01.rev${n}.json`), 'utf8')));
      if (!r.ok) throw new Error('invalid');
      return r.advisory;
    };
    const [r3, r4] = [await rev(3), await rev(4)];
    expect(r3.tracking_id).toBe(r4.tracking_id);
    expect([r3.version, r4.version]).toEqual(['3', '4']);
    expect(compareRevisions(r4, r3)).toBeGreaterThan(0);
    const mx = r4.products.find((p) => p.product === 'IntelliVue patient monitor MX400-MX850');
    expect(mx).toMatchObject({ vendor: 'Philips', version: '<=N', version_category: 'product_version_range' });
    expect(nameMatcher.matchProduct('Philips', 'IntelliVue patient monitor MX400-MX850', 'IntelliVue MX800')?.how).toBe('model_range');
  });
});

describe('product names', () => {
  it.each([
    ['HAMILTON-C6', 'HAMILTON-C6', 'exact'],
    ['IntelliVue patient monitor MX800', 'IntelliVue MX800', 'tokens'],
    ['Alaris PC Unit 8015', 'Alaris PC Unit 8015', 'exact'],
    ['IntelliVue patient monitor MX400-MX850', 'IntelliVue MX450', 'model_range'],
    ['IntelliVue patient monitor MP2-MP90', 'IntelliVue MP50', 'model_range'],
  ])('%s names %s (%s)', (product, model, how) => {
    expect(nameMatcher.matchProduct('Philips', product, model)?.how).toBe(how);
  });
  it.each([
    ['IntelliVue X2', 'IntelliVue X3'],
    ['IntelliVue patient monitor MX400-MX850', 'IntelliVue MX100'],
    ['IntelliVue patient monitor MX400-MX850', 'IntelliVue MP50'],
    ['Patient Information Center iX (PICiX)', 'IntelliVue MX800'],
    ['IntelliVue', 'IntelliVue MX800'],          // no shared word with a digit: too vague
  ])('%s does not name %s', (product, model) => {
    expect(nameMatcher.matchProduct('Philips', product, model)).toBeUndefined();
  });
  it('vendors through the manufacturer table, with a parenthesised short name', () => {
    expect(vendorMatches('Becton, Dickinson and Company (BD)', 'BD')).toBeDefined();
    expect(vendorMatches('Philips', 'Philips Medical Systems')).toBeDefined();
    expect(vendorMatches('GE Healthcare', 'Philips')).toBeUndefined();
  });
});

const vent = (firmware: string, history: PatchDevice['history'] = []): PatchDevice => ({
  id: 'mac-001e9ac60901', mac: '00:1e:9a:c6:09:01', asset_id: 'BME-006102', manufacturer: 'Hamilton Medical', model: 'HAMILTON-C6', firmware,
  evidence: { firmware: [{ source: 'lldp.med.firmware_revision', value: firmware, frame: 9, capture: 'x.pcapng', ts: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:00.000Z' }] },
  vlan: 103, ips: ['10.20.103.142'], history,
});

describe('patch state', () => {
  it('a revision that changes no verdict keeps the same exception id; KEV makes it high', async () => {
    const [r1, r2] = [await lab('auscult-lab-2026-001.json'), await lab('auscult-lab-2026-001.rev2.json')];
    const a = patchState([r1], [vent('2.2.4')], new Set(), [], '2026-06-01T00:00:00.000Z');
    const b = patchState([r2], [vent('2.2.4')], new Set(), [], '2026-06-01T00:00:00.000Z');
    expect(a.exceptions.map((e) => [e.type, e.severity, e.event_id])).toEqual(b.exceptions.map((e) => [e.type, e.severity, e.event_id]));
    expect(a.exceptions[0]?.severity).toBe('medium');
    // KEV lists CVEs; give the lab vulnerability a CVE to see the rule.
    const withCve: CsafAdvisory = { ...r1, vulnerabilities: r1.vulnerabilities.map((v, i) => (i === 0 ? { ...v, cve: 'CVE-2099-0001' } : v)) };
    expect(patchState([withCve], [vent('2.2.4')], new Set(['CVE-2099-0001']), [], '2026-06-01T00:00:00.000Z').exceptions[0]?.severity).toBe('high');
  });

  it('a downgrade into an affected version is a firmware_downgrade; an upgrade a patch_verified event', async () => {
    const r1 = await lab('auscult-lab-2026-001.json');
    const h = (from: string, to: string, ts: string) => ({ field: 'firmware', old_value: from, new_value: to, ts, frame: 5, capture: 'x.pcapng', source: 'lldp.med.firmware_revision' });
    const down = patchState([r1], [vent('2.2.4', [h('2.2.4', '2.3.0', '2026-01-02T00:00:00.000Z'), h('2.3.0', '2.2.4', '2026-01-03T00:00:00.000Z')])], new Set(), [], '2026-06-01T00:00:00.000Z');
    expect(down.exceptions.map((e) => e.type).sort()).toEqual(['firmware_downgrade', 'vulnerable_firmware']);
    expect(down.events).toHaveLength(1);
    expect(down.events[0]).toMatchObject({ old_version: '2.2.4', new_version: '2.3.0', new_verdict: 'fixed' });
    const up = patchState([r1], [vent('2.3.0', [h('2.2.4', '2.3.0', '2026-01-02T00:00:00.000Z')])], new Set(), [], '2026-06-01T00:00:00.000Z');
    expect(up.exceptions).toEqual([]);
  });

  it('IPv4 segments', () => {
    expect(inCidr('10.20.103.142', '10.20.103.0/24')).toBe(true);
    expect(inCidr('10.20.104.1', '10.20.103.0/24')).toBe(false);
    expect(inCidr('fe80::1', '10.20.103.0/24')).toBe(false);
    expect(inCidr('10.0.0.1', 'not a cidr')).toBe(false);
  });
});
