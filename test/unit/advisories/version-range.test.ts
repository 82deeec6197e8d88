/**
 * The version-range parser: hand-checked verdicts on the vendor formats advisories write, and a
 * golden table of every version and range string in the real CISA ICSMA advisories
 * (../shared/advisories), with the share parsed pinned so a regression cannot hide.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeSpec, inRange, parseVersionSpec } from '../../../src/advisories/version-range.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

describe('parseVersionSpec + inRange', () => {
  // [range as written, firmware, expected: true inside, false outside, null cannot tell]
  const cases: [string, string, boolean | null][] = [
    ['<= N', 'N.00.01', null],           // "N and prior" (its line) or N itself: cannot tell
    ['<= N', 'N', true],
    ['<= N', 'M.00.03', true],
    ['<= N', 'P.01', false],
    ['<=N', '4.2', null],                // a number against a letter: cannot tell
    ['< 3.0', '3.0.1', false],
    ['< 3.0', '2.9.9', true],
    ['< 3.0', '3', false],
    ['<= 3.0', '3.0.1', null],
    ['>= 3.0', '3.0.1', true],
    ['> 3.0', '3.0.1', null],
    ['4', '4.0.1', null],
    ['4', '4.0.0', true],
    ['< 1.003', '1.01', null],           // 1.003 may be a decimal: widths differ
    ['< 1.003', '1.002', true],
    ['< 1.003', '1.0030', null],
    ['<= M.00.03', 'M.00.03', true],
    ['<= M.00.03', 'M.00.04', false],
    ['>= N.00.01', 'N.00.01', true],
    ['<= 12.2.x.x', '12.2.7.1', true],
    ['<= 12.2.x.x', '12.3', false],
    ['< 3.x', '2.99', true],
    ['< 3.x', '3.5', false],
    ['>= 1.0.0 | <= 1.3.1', '1.2.0', true],
    ['>= 1.0.0 | <= 1.3.1', '1.3.2', false],
    ['>= 1.0.0 | <= 1.3.1', '0.9', false],
    ['>= 1.3.4 | < 1.5.3', '1.5.3', false],
    ['1.1 | 1.2 | 1.4 | 1.5', '1.4', true],
    ['1.1 | 1.2 | 1.4 | 1.5', '1.3', false],
    ['1.1 | 1.2 | 1.4 | 1.5', '1.4.0', true],
    ['1.X', '1.7.2', true],
    ['1.X', '2.0', false],
    ['5.x.x', '5.1.2', true],
    ['Rev J-M', 'K', true],
    ['Rev J–M', 'N', false],
    ['Rev B-M', 'A', false],
    ['<= U61 |<= L81', 'L70', true],
    ['<= U61 |<= L81', 'L90', null],     // above L81, and of another series than U61: cannot tell
    ['<= U61 |<= L81', 'U60', true],
    ['>=BT02 | <= BT06', 'CT04', null],
    ['2.3.6 and  below', '2.3.6', true],
    ['2.3.6 and  below', '2.3.7', false],
    ['2131 and 2141', '2141', true],
    ['<= 2.4A', '2.4A', true],
    ['<= 2.4A', '2.4B', false],
    ['>=BT02 | <= BT06', 'BT04', true],
    ['>=BT02 | <= BT06', 'BT07', false],
    ['vers:all/*', 'anything', true],
    ['vers:generic/>=2.0.0|<2.5.0', '2.4.9', true],
    ['vers:generic/>=2.0.0|<2.5.0', '2.5.0', false],
    ['* (end-of-life 2011)', '1.0', true],
    ['<= 2.01 (end-of-life Nov 2017)', '2.01', true],
    ['<= 2.01 (end-of-life Nov 2017)', '2.02', false],
    ['Version A, Firmware A.03.09', 'A.03.09', null],   // a module's firmware, not the one the wire shows
    ['Version A, Firmware A.03.09', 'N.00.01', null],
    ['1.1.3 Build 10', '1.1.3.build10', true],
    ['<  july 1 2017', '1.0', null],      // a date is not a version
    ['<8/30/2024', '1.0', null],
    ['Rev J-M | (X3/MX100 for Rev M only)', 'K', null],
    ['6.x (Wireless Battery Modules (16 | 16D38 | >= 20D29 | <= v20D32)', '6.1', null],
    ['<=11.2 on Windows 8.1 with IIS 7.5', '11.0', null],
    ['A10 < A11', 'A10', null],
    ['Accu-Chek Inform II', 'II', null],
    ['<= 2.2.4', '2.2.4', true],
    ['>= 2.3.0', '2.3.0', true],
    ['>= 2.3.0', '2.2.4', false],
  ];
  it.each(cases)('%s contains %s: %s', (range, firmware, expected) => {
    expect(inRange(parseVersionSpec(range), firmware)).toBe(expected);
  });

  // Variants, conditions and dates in the version slot (second reading of what the plain grammar
  // refuses): [range as written, firmware, device model, expected].
  const qualified: [string, string, string | null, boolean | null][] = [
    ['6.x model 35700BAX', '6.2', 'Sigma Spectrum 35700BAX', true],
    ['6.x model 35700BAX', '6.2', 'Sigma Spectrum', null],             // the model does not say which variant
    ['6.x model 35700BAX', '8.0', 'Sigma Spectrum 35700BAX', false],   // outside the version range whatever the variant
    ['v9.x (with Wireless Battery Module >= v22D19 | <= v22D28)', '9.1', 'Spectrum IQ', null], // the battery module is not on the wire
    ['v9.x (with Wireless Battery Module >= v22D19 | <= v22D28)', '8.1', 'Spectrum IQ', false],
    ['<=11.2 on Windows 8.1 with IIS 7.5', '11.0', null, null],
    ['<=11.2 on Windows 8.1 with IIS 7.5', '11.3', null, false],
    ['<  july 1 2017', '1.0', 'Luna', null],                            // a ship date, any firmware
    ['distributed  < april 1, 2018', '1.0', null, null],
    ['882160 Gemini Dual', '3.0', 'Gemini Dual', true],
    ['882160 Gemini Dual', '3.0', 'Gemini GXL', null],
    ['882160 Gemini Dual', '3.0', 'Gemini', null],
    ['2nd Edition', '1.0', 'CME BodyGuard 323 2nd', null],
    ['MMT-512 / MMT-712 Paradigm x12', '1.0', 'Paradigm MMT-712', true],
    ['Accu-Chek Inform II Base Unit NEW with Software 04.00.00 or newer', '04.01.00', 'Accu-Chek Inform II Base Unit NEW', true],
    ['Accu-Chek Inform II Base Unit NEW with Software 04.00.00 or newer', '03.06.00', 'Accu-Chek Inform II Base Unit NEW', false],
    ['653 MCE 3.x', '3.1', 'VxWorks 653 MCE', true],
    ['< 1.8.4 Service Pack 01', '1.8.4', null, true],                   // 1.8.4 without the service pack
    ['< 1.8.4 Service Pack 01', '1.8.4.sp01', null, false],
    ['< 1.8.4 Service Pack 01', '1.8.3', null, true],
    ['<= 3.0 D15', '3.0 D12', null, true],
    ['<= 3.0 D15', '3.0 D16', null, false],
    ['HD 16 | HD23', 'HD23', null, true],
    ['HD 16 | HD23', 'HD24', null, false],
    ['A.01 <= C.0x | 4.0', 'B.02', null, true],
    ['A.01 <= C.0x | 4.0', 'D.01', null, null],                       // above C.0x, but a letter is not ordered against 4.0
    ['A.01 <= C.0x | 4.0', '4.0', null, true],
    ['<= S4 A.07.107', 'A.07.100', 'SureSigns S4', true],
    ['Version B, Firmware A.01.09, Part #: N/A (Replaced by Version C)', 'N.00.01', 'IntelliVue MX800', null],
    ['3002 S3 | 3005 S3', '1.0', 'S3 MedSurg Bed 3005 S3', true],
    ['A10 < A11', 'A10', null, null],                                   // "A10 and A11" or "from A10 below A11": cannot tell
  ];
  it.each(qualified)('%s contains %s on model %s: %s', (range, firmware, model, expected) => {
    expect(inRange(parseVersionSpec(range), firmware, model)).toBe(expected);
  });

  it('never throws and bounds what it reads (fixed seed)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 60 }), fc.option(fc.string({ maxLength: 60 })), (range, fw, model) => {
      const spec = parseVersionSpec(range);
      const r = inRange(spec, fw, model);
      expect([true, false, null]).toContain(r);
      // A variant or a condition only ever narrows: never inside where the bare version is outside.
      if (spec.kind !== 'unverifiable') {
        const bare = { ...spec };
        delete bare.variants;
        delete bare.condition;
        if (inRange(bare, fw) === false) expect(r).toBe(false);
      }
      expect(typeof describeSpec(spec)).toBe('string');
    }), { seed: 17, numRuns: 2000 });
    const word = fc.constantFrom('6.x', 'v9.x', '<=', '<', '>=', '|', '(', ')', 'with', 'model', 'on', 'Windows', 'Build', 'Service Pack', '01', 'D15', 'A.01', 'C.0x',
      '882160', 'Gemini', 'MMT-512', '/', 'and', 'july', '2017', 'Rev', 'J-M', 'Version A, Firmware A.03.09', 'Part #:', '*', 'option');
    fc.assert(fc.property(fc.array(word, { maxLength: 14 }), fc.string({ maxLength: 20 }), (words, model) => {
      const spec = parseVersionSpec(words.join(' '));
      expect([true, false, null]).toContain(inRange(spec, '6.1', model));
      expect(typeof describeSpec(spec)).toBe('string');
    }), { seed: 17, numRuns: 3000 });
    expect(parseVersionSpec('1'.repeat(201))).toEqual({ kind: 'unverifiable', reason: 'longer than 200 characters' });
    expect(parseVersionSpec(Array.from({ length: 40 }, (_, i) => String(i)).join(' | '))).toEqual({ kind: 'unverifiable', reason: 'too many alternatives' });
  });
});

interface Branch { category?: string; name?: string; branches?: Branch[] }

describe.skipIf(!sharedAvailable('advisories'))('every version string in the CISA ICSMA advisories', () => {
  it('golden table of the parser output', async () => {
    if (!sharedAvailable('advisories')) return; // ${SHARED_SKIP_REASON}
    const strings = new Map<string, string>();
    const walk = (bs: Branch[]): void => {
      for (const b of bs) {
        if ((b.category === 'product_version' || b.category === 'product_version_range') && b.name !== undefined) strings.set(`${b.category}\t${b.name}`, b.name);
        if (b.branches) walk(b.branches);
      }
    };
    const root = sharedPath('advisories');
    for (const dir of readdirSync(root).filter((d) => /^\d{4}$|^revisions$/.test(d)).sort()) {
      for (const f of readdirSync(`${root}/${dir}`).filter((x) => x.endsWith('.json')).sort()) {
        const doc = JSON.parse(readFileSync(`${root}/${dir}/${f}`, 'utf8')) as { product_tree?: { branches?: Branch[] } };
        walk(doc.product_tree?.branches ?? []);
      }
    }
    const keys = [...strings.keys()].sort();
    let parsed = 0;
    const lines = ['# category\tas written\tparsed (auscult src/advisories/version-range.ts)'];
    for (const k of keys) {
      const spec = parseVersionSpec(strings.get(k) as string);
      if (spec.kind !== 'unverifiable') parsed++;
      lines.push(`${k}\t${describeSpec(spec)}`);
    }
    lines.push(`# ${parsed} of ${keys.length} parsed (${((100 * parsed) / keys.length).toFixed(1)} %); the rest unverifiable with a reason`);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('../../golden/advisories/version-ranges.tsv');
    expect(keys.length).toBeGreaterThan(250);
    expect(parsed / keys.length).toBeGreaterThanOrEqual(0.95);
  });
});
void SHARED_SKIP_REASON;
