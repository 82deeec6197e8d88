/**
 * Vendor knowledge shipped as data: counts, sources, OUI coverage kept in sync with oui-data,
 * vocabulary files equal to the tables, name normalisation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES, deviceType } from '../../../src/identify/data/device-types.js';
import { DICOM_UID_ROOTS, lookupDicomUidRoot } from '../../../src/identify/data/dicom-uid-roots.js';
import { MANUFACTURER_OUI_PREFIXES } from '../../../src/identify/data/manufacturer-ouis.js';
import { MANUFACTURERS } from '../../../src/identify/data/manufacturers.js';
import { canonicalManufacturer, lookupManufacturer, sameManufacturer } from '../../../src/identify/vendors.js';
import { ROOT } from '../../helpers/cli.js';

const oui = createRequire(import.meta.url)('oui-data') as Record<string, string>;

describe('manufacturers', () => {
  it('at least 60 real medical manufacturers, each with a source', () => {
    const medical = MANUFACTURERS.filter((m) => m.medical && !m.fictional);
    expect(medical.length).toBeGreaterThanOrEqual(60);
    for (const m of MANUFACTURERS) expect(m.source.length, m.canonical).toBeGreaterThan(5);
  });

  it('every MAC block of every listed IEEE organisation is recorded (regenerate manufacturer-ouis.ts when oui-data changes)', () => {
    const byOrg = new Map<string, string[]>();
    for (const [k, v] of Object.entries(oui)) {
      const org = v.split('\n')[0]?.trim() ?? '';
      byOrg.set(org, [...(byOrg.get(org) ?? []), k]);
    }
    for (const m of MANUFACTURERS) {
      const want = m.ouiOrganisations.flatMap((o) => byOrg.get(o) ?? []).sort();
      expect([...(MANUFACTURER_OUI_PREFIXES[m.canonical] ?? [])].sort(), m.canonical).toEqual(want);
      for (const org of m.ouiOrganisations) expect(byOrg.has(org), `${m.canonical}: ${org} not in oui-data`).toBe(true);
    }
    const total = Object.values(MANUFACTURER_OUI_PREFIXES).reduce((n, p) => n + p.length, 0);
    expect(total).toBeGreaterThanOrEqual(150);
  });

  it('no spelling names two manufacturers', () => {
    const seen = new Map<string, string>();
    for (const m of MANUFACTURERS) for (const n of [m.canonical, ...m.aliases, ...m.ouiOrganisations]) {
      const owner = lookupManufacturer(n)?.canonical;
      expect(owner, `${n} (listed under ${m.canonical})`).toBe(m.canonical);
      seen.set(n, m.canonical);
    }
  });

  it.each([
    [['GE MEDICAL SYSTEMS', 'GE Healthcare', 'GE Medical Systems Information Technologies', 'GE Medical System(China) Co., Ltd.', 'Datex-Ohmeda'], 'GE Healthcare'],
    [['Philips', 'Philips Medical Systems', 'Philips Patient Monitoring', 'Philips Medical Systems Nederland B.V.', 'PHILIPS'], 'Philips'],
    [['SIEMENS', 'Siemens Healthineers', 'Siemens Healthcare GmbH', 'Siemens AG, Healthcare Sector'], 'Siemens Healthineers'],
    [['Becton, Dickinson and Company', 'BD', 'CareFusion', 'Carefusion'], 'BD'],
    [['Draeger Medical', 'Drägerwerk AG & Co. KG aA', 'Dräger'], 'Dräger'],
    [['HAMILTON Bonaduz AG', 'Hamilton Medical AG'], 'Hamilton Medical'],
    [['Cisco Systems, Inc', 'Cisco Systems, Inc.'], 'Cisco'],
  ])('%j are one manufacturer', (names, canonical) => {
    for (const n of names) expect(canonicalManufacturer(n), n).toBe(canonical);
    expect(sameManufacturer(names[0] as string, names[names.length - 1] as string)).toBe(true);
  });

  it('unknown names pass through trimmed; lookalikes stay apart', () => {
    expect(canonicalManufacturer('  Acme Widgets ')).toBe('Acme Widgets');
    expect(sameManufacturer('Philips Lighting BV', 'Philips')).toBe(false);
    expect(sameManufacturer('Siemens Energy Global GmbH & Co.KG - GT PRM', 'SIEMENS')).toBe(false);
  });
});

describe('device types and FDA classification', () => {
  it('at least 40 types; medical ones have product code, class and 21 CFR regulation; others none', () => {
    expect(DEVICE_TYPES.length).toBeGreaterThanOrEqual(40);
    expect(DEVICE_TYPES.filter((t) => t.category === 'medical').length).toBeGreaterThanOrEqual(40);
    for (const t of DEVICE_TYPES) {
      expect(t.id).toMatch(/^[a-z0-9_]+$/);
      expect(t.source.length).toBeGreaterThan(5);
      if (t.category === 'medical') {
        expect(t.fda?.productCode, t.id).toMatch(/^[A-Z]{3}$/);
        expect(t.fda?.deviceClass, t.id).toMatch(/^(I|II|III)$/);
        expect(t.fda?.regulation, t.id).toMatch(/^8\d\d\.\d{4}$/);
      } else {
        expect(t.fda, t.id).toBeUndefined();
      }
    }
    expect(deviceType('patient_monitor')?.fda).toEqual({ productCode: 'MHX', deviceClass: 'II', regulation: '870.1025' });
    expect(deviceType('printer')?.category).toBe('other');
  });
});

describe('DICOM UID roots', () => {
  it('at least 30, each with a source; longest root wins', () => {
    expect(DICOM_UID_ROOTS.length).toBeGreaterThanOrEqual(30);
    for (const r of DICOM_UID_ROOTS) expect(r.root).toMatch(/^[0-9]+(\.[0-9]+)*$/);
    expect(lookupDicomUidRoot('1.2.276.0.7230010.3.0.3.6.7')?.name).toBe('DCMTK (OFFIS)');
    expect(lookupDicomUidRoot('1.2.826.0.1.3680043.8.498.1')?.name).toBe('pydicom');
    expect(lookupDicomUidRoot('1.2.826.0.1.3680043.99.1')?.kind).toBe('registry');
    expect(lookupDicomUidRoot('1.2.840.113619.6.5')?.manufacturer).toBe('GE Healthcare');
    expect(lookupDicomUidRoot('1.2.840.1136190')).toBeUndefined();
  });
});

describe('fingerprints/vocabulary', () => {
  const lines = (n: string) => readFileSync(join(ROOT, 'fingerprints/vocabulary', n), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  it('manufacturers.txt and device-types.txt equal the data tables', () => {
    expect(lines('manufacturers.txt')).toEqual(MANUFACTURERS.map((m) => m.canonical));
    expect(lines('device-types.txt')).toEqual(DEVICE_TYPES.map((t) => t.id));
  });
});
