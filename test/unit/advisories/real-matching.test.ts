/**
 * Matching against the real CISA ICSMA advisories (../shared/advisories), so that a false match
 * cannot hide: the demo fleet (test/golden/demo, the devices of fixtures/demo/hospital-demo.pcapng)
 * against all 153 advisories is pinned in a golden table, and devices named after products of
 * real advisories get the verdicts their advisory text gives (hand-checked, one line each).
 * The files are validated by test/unit/advisories/advisories.test.ts; here they are flattened only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flattenValidated, type CsafAdvisory } from '../../../src/advisories/csaf.js';
import { exposureRows, type ExposureDevice } from '../../../src/advisories/exposure.js';
import { ROOT } from '../../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

function cisaAdvisories(): CsafAdvisory[] {
  const root = sharedPath('advisories');
  const out: CsafAdvisory[] = [];
  for (const dir of readdirSync(root).filter((d) => /^\d{4}$/.test(d)).sort()) {
    for (const f of readdirSync(`${root}/${dir}`).filter((x) => x.endsWith('.json')).sort()) {
      const r = flattenValidated(JSON.parse(readFileSync(`${root}/${dir}/${f}`, 'utf8')));
      if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.problems)}`);
      out.push(r.advisory);
    }
  }
  return out;
}

const device = (i: number, manufacturer: string, model: string, firmware: string | null): ExposureDevice =>
  ({ id: `d${i}`, mac: null, asset_id: `T-${i}`, manufacturer, model, firmware, evidence: {} });

describe.skipIf(!sharedAvailable('advisories'))(`real advisories, real devices (${SHARED_SKIP_REASON})`, () => {
  const advisories = sharedAvailable('advisories') ? cisaAdvisories() : [];

  it('the demo fleet against every CISA ICSMA advisory (golden)', async () => {
    const demo = (JSON.parse(readFileSync(`${ROOT}test/golden/demo/hospital-demo.devices.json`, 'utf8')) as { devices: ExposureDevice[] }).devices;
    const rows = exposureRows(advisories, demo, new Set());
    const lines = ['# asset_id\tmodel\tfirmware\tadvisory\tvulnerability\tverdict\tproducts\tfirst reason\tlast reason'];
    for (const r of rows) lines.push([r.asset_id, r.model, r.firmware, r.advisory_id, r.vulnerability, r.verdict, r.products.join(' | '), r.reasons[0], r.reasons.at(-1)].join('\t'));
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('../../golden/advisories/demo-exposure.tsv');
    expect(advisories.length).toBeGreaterThan(150);
    // Only the Philips monitors and the BD pump are named by a real advisory; the MX450 (M.00.03,
    // below "<=N") is affected by ICSMA-20-254-01, the pump's 12.1.2 is outside every listed range.
    const pairs = [...new Set(rows.map((r) => `${r.asset_id} ${r.advisory_id} ${r.verdict}`))].sort();
    expect(pairs).toEqual([
      'BME-004711 ICSMA-19-255-01 unverifiable', 'BME-004711 ICSMA-20-254-01 unverifiable',
      'BME-004712 ICSMA-18-156-01 unverifiable', 'BME-004712 ICSMA-20-254-01 affected',
      'BME-005233 ICSMA-17-017-02 not_affected', 'BME-005233 ICSMA-20-317-01 not_affected',
    ]);
  });

  // [manufacturer, model, firmware, advisory, expected verdict (worst over its vulnerabilities), or
  // undefined when the advisory must not name the device]: checked against each advisory's text.
  const cases: [string, string, string | null, string, string | undefined][] = [
    // "Sigma Spectrum ... v6.x model 35700BAX" known_affected.
    ['Baxter', 'Sigma Spectrum 35700BAX', '6.05', 'ICSMA-20-170-04', 'affected'],
    // Version 8 is listed for model 35700BAX2 only; 6.x for 35700BAX: an 8.x BAX is outside.
    ['Baxter', 'Sigma Spectrum 35700BAX', '8.00', 'ICSMA-20-170-04', 'not_affected'],
    // The battery module's version (the condition) is not on the wire.
    ['Baxter', 'Spectrum IQ LVP', '9.1', 'ICSMA-22-251-01', 'unverifiable'],
    // Roche lists the Accu-Chek Inform II under "Point of Care handheld medical devices".
    ['Roche Diagnostics', 'CoaguChek XS Plus', '1.0', 'ICSMA-18-310-01', 'affected'],
    // GE Aestiva 7900 MRI is listed; the product name is the family.
    ['GE Healthcare', 'Aestiva 7900 MRI', '1.0', 'ICSMA-19-190-01', 'affected'],
    // ICSMA-18-219-02 is about the MMT-500/503 remote controllers; the pumps listed in its version
    // slot are the pumps they drive, not affected products: a pump is not named.
    ['Medtronic', 'Paradigm MMT-712', '1.0', 'ICSMA-18-219-02', undefined],
    // The remote itself: affected only with those pumps, which the sensor cannot see.
    ['Medtronic', 'MMT-503', '1.0', 'ICSMA-18-219-02', 'unverifiable'],
    // Fresenius Kabi Agilia Link+ "<= 3.0 D15" (build D15 of 3.0).
    ['Fresenius Kabi', 'Agilia Link+', '3.0 D12', 'ICSMA-21-355-01', 'affected'],
    // Philips IntelliVue MX450 "<=N": M.00.03 is below N; N.00.01 may be N's line or above it.
    ['Philips', 'IntelliVue MX450', 'M.00.03', 'ICSMA-20-254-01', 'affected'],
    ['Philips', 'IntelliVue MX800', 'N.00.01', 'ICSMA-20-254-01', 'unverifiable'],
    ['Philips', 'IntelliVue MX800', null, 'ICSMA-20-254-01', 'unverifiable'],
    // Another vendor's monitor with the same model word is not named.
    ['GE Healthcare', 'IntelliVue MX450', 'M.00.03', 'ICSMA-20-254-01', undefined],
    // Through the product catalogue: "BD Pyxis CIISafe - Workstation" (vers:all/*) and a device
    // announcing "Pyxis CIISafe" are the catalogue's product "Pyxis CIISafe"; the Enterprise Server
    // is another product of the same catalogue family, and is not named.
    ['BD', 'Pyxis CIISafe', '1.0', 'ICSMA-18-114-01', 'affected'],
    ['BD', 'Pyxis Enterprise Server', '1.0', 'ICSMA-18-114-01', undefined],
    // The catalogue's class pattern "IntelliVue MX###" is not a product: MX800 is outside "MX400-550".
    ['Philips', 'IntelliVue MX800', 'M.00.03', 'ICSMA-18-156-01', undefined],
  ];
  it.each(cases)('%s %s %s against %s: %s', (manufacturer, model, firmware, advisoryId, expected) => {
    const a = advisories.filter((x) => x.tracking_id.toUpperCase() === advisoryId);
    expect(a).toHaveLength(1);
    const rows = exposureRows(a, [device(0, manufacturer, model, firmware)], new Set());
    const order = ['affected', 'unverifiable', 'fixed', 'not_affected'];
    const worst = rows.map((r) => r.verdict).sort((x, y) => order.indexOf(x) - order.indexOf(y))[0];
    expect(worst, JSON.stringify(rows.map((r) => r.reasons))).toBe(expected);
  });
});
