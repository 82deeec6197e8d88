import { describe, expect, it } from 'vitest';
import { lookupManufacturer } from '../../../src/identify/vendors.js';
import { createIdentifier, RulesIdentifier, splitVendorString } from '../../../src/identify/rules-identifier.js';
import type { FieldCandidate } from '../../../src/identify/field-candidate.js';
import type { Observation } from '../../../src/observe/observation.js';

const obs = (field: string, value: string, mac = '00:09:fb:1d:42:03'): Observation => ({ ts: 1, frame: 1, protocol: field.split('.')[0] ?? 'x', field, value, mac });
const pick = (cs: FieldCandidate[], field: string) => cs.filter((c) => c.field === field).map((c) => [c.value, c.source, c.rule ?? null, c.confidence]);

describe('splitVendorString', () => {
  const known = (...names: string[]) => new Set(names.map((n) => lookupManufacturer(n)!));
  it.each([
    ['Philips IntelliVue MX800', ['Philips'], { model: 'IntelliVue MX800' }],
    ['GE Healthcare MAC 5500 HD resting ECG system', ['GE Healthcare'], { model: 'MAC 5500 HD' }],
    ['Cisco Systems, Inc. IP Phone CP-8845', ['Cisco Systems, Inc'], { model: 'IP Phone CP-8845' }],
    ['B. Braun SpaceStation', ['B.Braun Melsungen AG'], { model: 'SpaceStation' }],
    ['Acme Monitor X2 v4.2.1', ['Philips'], undefined],
    ['Philips IntelliVue MX450 M.00.03', ['Philips'], { model: 'IntelliVue MX450', version: 'M.00.03' }],
  ])('%s', (text, names, want) => {
    const r = splitVendorString(text, known(...names));
    expect(r === undefined ? undefined : { model: r.model, ...(r.version !== undefined ? { version: r.version } : {}) }).toEqual(want);
  });
});

describe('RulesIdentifier', () => {
  it('OUI manufacturer is canonicalised; the splitter uses it at lower certainty than a rule', () => {
    const id = createIdentifier();
    expect(pick(id.candidates(obs('eth.seen', '')), 'manufacturer')).toEqual([['Philips', 'oui', null, 0.3]]);
    const cs = id.candidates(obs('dhcp.vendor_class', 'Philips IntelliVue MX450'));
    expect(pick(cs, 'model')).toEqual([
      ['IntelliVue MX450', 'dhcp.vendor_class', null, 0.55],
      ['IntelliVue MX450', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9],
    ]);
    expect(pick(cs, 'device_type')).toEqual([['patient_monitor', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9]]);
    // device_type brings category and the FDA classification with the same provenance.
    expect(pick(cs, 'category')).toEqual([['medical', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9]]);
    expect(pick(cs, 'fda_class')).toEqual([['II', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9]]);
    expect(pick(cs, 'fda_product_code')).toEqual([['MHX', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9]]);
    expect(pick(cs, 'fda_regulation')).toEqual([['21 CFR 870.1025', 'dhcp.vendor_class', 'philips-intellivue-monitor', 0.9]]);
  });

  it('no split without a known manufacturer; non-medical types get a category but no FDA fields', () => {
    const id = createIdentifier();
    const cs = id.candidates(obs('dhcp.vendor_class', 'MSFT 5.0', '02:00:00:00:00:01'));
    expect(pick(cs, 'model')).toEqual([]);
    expect(pick(cs, 'category')).toEqual([['other', 'dhcp.vendor_class', 'windows-dhcp-client', 0.6]]);
    expect(pick(cs, 'fda_class')).toEqual([]);
  });

  it('generic extractors: DICOM equipment tags, modality, UID root, DNS-SD TXT keys, CDP version', () => {
    const id = createIdentifier();
    const m = '02:00:00:00:00:02';
    expect(pick(id.candidates(obs('dicom.manufacturer', 'GE MEDICAL SYSTEMS', m)), 'manufacturer')).toEqual([['GE Healthcare', 'dicom.manufacturer', null, 0.8]]);
    expect(pick(id.candidates(obs('dicom.modality', 'CT', m)), 'fda_product_code')).toEqual([['JAK', 'dicom.modality', null, 0.5]]);
    expect(pick(id.candidates(obs('dicom.implementation_class_uid', '1.2.840.113619.6.5', m)), 'manufacturer')).toEqual([['GE Healthcare', 'dicom.implementation_class_uid', null, 0.35]]);
    expect(pick(id.candidates(obs('dicom.implementation_class_uid', '1.2.276.0.7230010.3.0.3.6.7', m)), 'manufacturer')).toEqual([]);
    expect(pick(id.candidates(obs('mdns.txt.product', '(VV300 Strip Printer)', m)), 'model')).toEqual([['VV300 Strip Printer', 'mdns.txt.product', null, 0.6]]);
    expect(pick(id.candidates(obs('mdns.txt.sn', 'EM300-0007', m)), 'serial')).toEqual([['EM300-0007', 'mdns.txt.sn', null, 0.7]]);
    expect(pick(id.candidates(obs('cdp.software_version', 'Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(44)SE, RELEASE', m)), 'firmware')).toEqual([['12.2(44)SE', 'cdp.software_version', null, 0.6]]);
  });

  it('a two-field rule fires when the second observation arrives (OUI then vendor class)', () => {
    const id = new RulesIdentifier();
    const dell = '00:0b:db:3e:71:01';
    id.candidates(obs('eth.seen', '', dell));
    const cs = id.candidates(obs('dhcp.vendor_class', 'MSFT 5.0', dell));
    expect(cs.filter((c) => c.rule === 'dell-windows-workstation').map((c) => c.field).sort()).toEqual(['category', 'device_type', 'manufacturer', 'os']);
  });
});

describe('RulesIdentifier.warm', () => {
  it('loads the catalogue before the first observation (a live sensor calls it before it opens the capture), changing no result', async () => {
    const { cpSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ROOT } = await import('../../helpers/cli.js');
    const o = obs('dhcp.vendor_class', 'Philips IntelliVue MX450');
    const families = new RulesIdentifier().catalogue.families.length;
    expect(families).toBeGreaterThan(100);
    const loaded = (warm: boolean): { families: number; candidates: FieldCandidate[] } | string => {
      const dir = mkdtempSync(join(tmpdir(), 'auscult-warm-'));
      cpSync(join(ROOT, 'fingerprints'), dir, { recursive: true });
      const id = new RulesIdentifier({ fingerprintsDir: dir });
      if (warm) id.warm();
      // What was not loaded by now cannot be loaded any more.
      rmSync(dir, { recursive: true, force: true });
      try {
        return { families: id.catalogue.families.length, candidates: id.candidates(o) };
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(loaded(true)).toEqual({ families, candidates: createIdentifier().candidates(o) });
    // The control: left to its first use, the catalogue is read when its directory is gone.
    expect(loaded(false)).not.toEqual(loaded(true));
  });
});
