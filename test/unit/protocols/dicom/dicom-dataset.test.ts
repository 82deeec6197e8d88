import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DICOM_DATASET_ANOMALIES,
  DICOM_DATASET_LIMITS,
  DicomDatasetReader,
  datasetEncoding,
  type DicomDatasetLimits,
} from '../../../../src/protocols/dicom/dicom-dataset.js';
import { planted, walkAssociation } from '../../decode/medical-streams.js';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const KNOWN = new Set<string>(DICOM_DATASET_ANOMALIES);

const CT = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  modality: 'CT',
  manufacturer: 'ExampleMed Imaging',
  stationName: 'CTSCAN01',
  manufacturerModelName: 'ExampleScan CT 9000',
  deviceSerialNumber: 'SN-CT-0042',
  softwareVersions: ['VA40A', 'SP2'],
};
const SC = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  modality: 'OT',
  manufacturer: 'ExampleMed Imaging',
  stationName: 'CTSCAN01',
  secondaryCaptureDeviceManufacturer: 'ExampleCapture Inc',
  hardcopyDeviceManufacturer: 'ExampleCopy Ltd',
  secondaryCaptureDeviceModelName: 'GrabIt 2',
  secondaryCaptureDeviceSoftwareVersions: ['2.4.1'],
};

// ---------------------------------------------------------------- data set builders
type Syntax = 'implicit' | 'explicit' | 'big';
const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OD', 'OF', 'OL', 'OV', 'SV', 'UV']);
const bytes = (s: string) => { const b = [...Buffer.from(s, 'latin1')]; return b.length % 2 ? [...b, 0x20] : b; };
const u16 = (v: number, le: boolean) => (le ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);
const u32 = (v: number, le: boolean) => {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
};
const UNDEF = 0xffffffff;

/** One element header + value; `length` overrides the real length (lying lengths, undefined). */
function el(syntax: Syntax, tag: number, vr: string, value: number[], length = value.length): number[] {
  const le = syntax !== 'big';
  const head = [...u16(tag >>> 16, le), ...u16(tag & 0xffff, le)];
  if (syntax === 'implicit') return [...head, ...u32(length, true), ...value];
  if (LONG.has(vr)) return [...head, ...bytes(vr), 0, 0, ...u32(length, le), ...value];
  return [...head, ...bytes(vr), ...u16(length, le), ...value];
}
const delim = (syntax: Syntax, element: number, length = 0) => {
  const le = syntax !== 'big';
  return [...u16(0xfffe, le), ...u16(element, le), ...u32(length, le)];
};
const item = (s: Syntax, content: number[]) => [...delim(s, 0xe000, UNDEF), ...content, ...delim(s, 0xe00d)];
const seq = (s: Syntax, tag: number, items: number[][]) => [...el(s, tag, 'SQ', [], UNDEF), ...items.flat(), ...delim(s, 0xe0dd)];
const text = (s: Syntax, tag: number, vr: string, v: string) => el(s, tag, vr, bytes(v));

/** A data set with PHI before, between and (nested) around the equipment tags. */
function phiDataset(s: Syntax): Uint8Array {
  return Uint8Array.from([
    ...text(s, 0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4\0'),
    ...text(s, 0x00080050, 'SH', 'ACC-PLANTED-77'),
    ...text(s, 0x00080060, 'CS', 'MR'),
    ...text(s, 0x00080070, 'LO', 'ExampleMed MR'),
    ...text(s, 0x00080090, 'PN', 'PLANTED^REFERRER'),
    // nested sequences (depth 3) with undefined lengths, PHI and a decoy Manufacturer inside
    ...seq(s, 0x00081110, [item(s, [
      ...text(s, 0x00080070, 'LO', 'NESTED DECOY'),
      ...seq(s, 0x00081115, [item(s, [...seq(s, 0x00081140, [item(s, text(s, 0x00100010, 'PN', 'PHI^PLANTED^NAME'))])]), item(s, [])]),
    ])]),
    ...text(s, 0x00081090, 'LO', 'MagnaView 3T'),
    ...text(s, 0x00100010, 'PN', 'PHI^PLANTED^NAME'),
    ...text(s, 0x00100020, 'LO', 'MRN-PLANTED-0001'),
    ...text(s, 0x00181000, 'LO', 'SN-MR-7'),
    ...text(s, 0x00181020, 'LO', 'syngo MR E11\\2.0'),
    ...text(s, 0x00200010, 'SH', 'STUDY-PLANTED-ID'),
    ...el(s, 0x7fe00010, 'OW', [1, 2, 3, 4]),
  ]);
}
const MR = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.4', modality: 'MR', manufacturer: 'ExampleMed MR',
  manufacturerModelName: 'MagnaView 3T', deviceSerialNumber: 'SN-MR-7', softwareVersions: ['syngo MR E11', '2.0'],
};

function read(ts: string, data: Uint8Array, chunk = data.length || 1, limits: DicomDatasetLimits = DICOM_DATASET_LIMITS) {
  const reader = new DicomDatasetReader(ts, limits);
  for (let off = 0; off < data.length || off === 0; off += chunk) {
    const end = Math.min(data.length, off + chunk);
    reader.push(data.subarray(off, end), end >= data.length);
    if (data.length === 0) break;
  }
  const r = reader.result();
  for (const a of r.anomalies) expect(KNOWN.has(a), a).toBe(true);
  return r;
}

describe('DicomDatasetReader on the lab C-STOREs', () => {
  const cases = [
    ['store-implicit', IMPLICIT, 'implicit_le', [CT]],
    ['store-explicit-all-sop', EXPLICIT, 'explicit_le', [CT, SC]],
    ['store-big-endian', BIG, 'explicit_be', [CT]],
    ['store-deflated', DEFLATED, 'deflated_explicit_le', [CT]],
    ['store-abort', EXPLICIT, 'explicit_le', [SC]],
  ] as const;
  for (const [name, ts, encoding, expected] of cases) {
    it(`${name}: exactly the equipment attributes, in ${encoding}, and no planted PHI`, () => {
      const w = walkAssociation(name);
      expect(w.datasets.map((d) => d.transferSyntax)).toEqual(expected.map(() => ts));
      for (const [i, d] of w.datasets.entries()) {
        expect(d.result.value).toEqual({ ...expected[i], encoding, stoppedAt: 'past_allowlist', elementCount: 24 });
        expect(d.result.anomalies).toEqual([]);
        expect(planted(d.result)).toEqual([]);
      }
    });
  }

  it('gives the same result when the data set arrives one byte at a time', () => {
    const w = walkAssociation('store-implicit');
    const pdvs = w.client.flatMap((p) => (p.record.pdu === 'data' ? p.record.pdvs : [])).filter((v) => !v.isCommand);
    const whole = Uint8Array.from(pdvs.flatMap((v) => [...v.fragment]));
    expect(read(IMPLICIT, whole, 1)).toEqual(w.datasets[0]?.result);
  });
});

describe('DicomDatasetReader on synthesised data sets', () => {
  for (const s of ['implicit', 'explicit', 'big'] as const) {
    const ts = s === 'implicit' ? IMPLICIT : s === 'explicit' ? EXPLICIT : BIG;
    it(`${s}: walks nested undefined-length sequences without reading them; ignores a nested Manufacturer`, () => {
      for (const chunk of [1, 5, 1000]) {
        const r = read(ts, phiDataset(s), chunk);
        expect(r.value).toEqual({ ...MR, stoppedAt: 'past_allowlist', encoding: r.value.encoding, elementCount: 27 }); // 16 nested headers walked
        expect(r.anomalies).toEqual([]);
        expect(planted(r)).toEqual([]);
        expect(JSON.stringify(r)).not.toContain('NESTED DECOY');
      }
    });
  }

  it('skips a huge non-allowlisted element across fragments without buffering it, then reads on', () => {
    const huge = 50 * 1024 * 1024;
    const reader = new DicomDatasetReader(EXPLICIT);
    reader.push(Uint8Array.from([...text('explicit', 0x00080060, 'CS', 'US'), ...el('explicit', 0x00080070 - 1, 'OB', [], huge)]));
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 50; i++) reader.push(chunk);
    reader.push(Uint8Array.from(text('explicit', 0x00080070, 'LO', 'SonoCo')), true);
    expect(reader.result().value).toMatchObject({ modality: 'US', manufacturer: 'SonoCo', stoppedAt: 'end' });
    expect(reader.result().anomalies).toEqual([]);
  });

  it('stops at Pixel Data and ignores every later fragment', () => {
    const reader = new DicomDatasetReader(EXPLICIT);
    reader.push(Uint8Array.from([...text('explicit', 0x00080070, 'LO', 'X'), ...el('explicit', 0x7fe00010, 'OW', [], 0x7ffffffe)]));
    expect(reader.done).toBe(true);
    reader.push(new Uint8Array(1 << 20).fill(0x41), true);
    expect(reader.result()).toEqual({ value: { encoding: 'explicit_le', elementCount: 2, manufacturer: 'X', stoppedAt: 'pixel_data' }, anomalies: [] });
  });

  it('reads a UN sequence of undefined length as implicit VR content (PS3.5 §6.2.2)', () => {
    const inner = [...el('implicit', 0x00100010, '', bytes('PHI^PLANTED^NAME'))];
    const data = Uint8Array.from([
      ...el('explicit', 0x00080070, 'LO', bytes('Vendor')),
      ...el('explicit', 0x00081111, 'UN', [], UNDEF), ...item('implicit', inner), ...delim('implicit', 0xe0dd),
      ...el('explicit', 0x00081090, 'LO', bytes('Model')),
    ]);
    const r = read(EXPLICIT, data, 3);
    expect(r.value).toMatchObject({ manufacturer: 'Vendor', manufacturerModelName: 'Model', stoppedAt: 'end' });
    expect(r.anomalies).toEqual([]);
    expect(planted(r)).toEqual([]);
  });

  it('decodes values with the declared Specific Character Set', () => {
    const name = [...Buffer.from('Müller Medizintechnik', 'utf8')];
    const utf8 = Uint8Array.from([...text('explicit', 0x00080005, 'CS', 'ISO_IR 192'), ...el('explicit', 0x00080070, 'LO', name.length % 2 ? [...name, 0x20] : name)]);
    expect(read(EXPLICIT, utf8).value).toMatchObject({ specificCharacterSet: 'ISO_IR 192', manufacturer: 'Müller Medizintechnik' });
    const latin = Uint8Array.from([...text('explicit', 0x00080005, 'CS', 'ISO_IR 100'), ...text('explicit', 0x00080070, 'LO', 'Müller')]);
    expect(read(EXPLICIT, latin).value).toMatchObject({ manufacturer: 'Müller' });
  });

  it('reads Implementation Class UID and Version Name when a sender puts file meta in the data set', () => {
    const data = Uint8Array.from([...text('explicit', 0x00020012, 'UI', '1.2.276.0.7230010.3.0.3.6.7\0'), ...text('explicit', 0x00020013, 'SH', 'OFFIS_DCMTK_367')]);
    expect(read(EXPLICIT, data).value).toMatchObject({ implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7', implementationVersionName: 'OFFIS_DCMTK_367' });
  });

  it('maps transfer syntaxes to encodings (encapsulated syntaxes have explicit VR LE data sets)', () => {
    expect([IMPLICIT, EXPLICIT, BIG, DEFLATED, '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.2\0'].map(datasetEncoding))
      .toEqual(['implicit_le', 'explicit_le', 'explicit_be', 'deflated_explicit_le', 'explicit_le', 'explicit_be']);
  });
});

describe('DicomDatasetReader anomalies (one test each)', () => {
  it('dicom.element_truncated: an allowlisted value whose length points past the end', () => {
    const r = read(EXPLICIT, Uint8Array.from(el('explicit', 0x00080070, 'LO', bytes('Short'), 100)));
    expect(r).toEqual({ value: { encoding: 'explicit_le', elementCount: 1, stoppedAt: 'end' }, anomalies: ['dicom.element_truncated'] });
  });

  it('dicom.element_truncated: a skipped element whose length points past the end', () => {
    const r = read(IMPLICIT, Uint8Array.from([...text('implicit', 0x00080060, '', 'CT'), ...el('implicit', 0x00080050, '', bytes('ACC-PLANTED-77'), 0x10000)]));
    expect(r.value.modality).toBe('CT');
    expect(r.anomalies).toEqual(['dicom.element_truncated']);
    expect(planted(r)).toEqual([]);
  });

  it('dicom.bad_vr', () => {
    const r = read(EXPLICIT, Uint8Array.from([8, 0, 0x70, 0, 0x6c, 0x6f, 2, 0, 65, 66]));
    expect(r.anomalies).toEqual(['dicom.bad_vr']);
    expect(r.value.stoppedAt).toBe('error');
  });

  it('dicom.bad_length: an undefined length on a short-VR or allowlisted element', () => {
    expect(read(IMPLICIT, Uint8Array.from(el('implicit', 0x00080070, '', [], UNDEF))).anomalies).toEqual(['dicom.bad_length']);
    expect(read(EXPLICIT, Uint8Array.from(el('explicit', 0x00081111, 'UT', [], UNDEF))).anomalies).toEqual(['dicom.bad_length']);
  });

  it('dicom.value_too_long: lowered maxValueBytes', () => {
    const r = read(EXPLICIT, Uint8Array.from([...text('explicit', 0x00080070, 'LO', 'ExampleMed'), ...text('explicit', 0x00081090, 'LO', 'M1')]), 3, { ...DICOM_DATASET_LIMITS, maxValueBytes: 4 });
    expect(r.value).toMatchObject({ manufacturerModelName: 'M1' });
    expect(r.value.manufacturer).toBeUndefined();
    expect(r.anomalies).toEqual(['dicom.value_too_long']);
  });

  it('dicom.too_deep: lowered maxDepth', () => {
    const r = read(EXPLICIT, phiDataset('explicit'), 64, { ...DICOM_DATASET_LIMITS, maxDepth: 3 });
    expect(r.anomalies).toEqual(['dicom.too_deep']);
    expect(r.value).toMatchObject({ manufacturer: 'ExampleMed MR', stoppedAt: 'error' });
  });

  it('dicom.too_many_elements: lowered maxElements', () => {
    const r = read(EXPLICIT, phiDataset('explicit'), 64, { ...DICOM_DATASET_LIMITS, maxElements: 3 });
    expect(r.anomalies).toEqual(['dicom.too_many_elements']);
    expect(r.value.elementCount).toBe(3);
  });

  it('dicom.unexpected_delimiter: an item delimiter at the top level', () => {
    const r = read(EXPLICIT, Uint8Array.from([...delim('explicit', 0xe00d), ...text('explicit', 0x00080070, 'LO', 'V')]));
    expect(r.anomalies).toEqual(['dicom.unexpected_delimiter']);
    expect(r.value.manufacturer).toBe('V');
  });

  it('dicom.unterminated_sequence: the data set ends inside an undefined-length sequence', () => {
    const r = read(EXPLICIT, Uint8Array.from([...el('explicit', 0x00081110, 'SQ', [], UNDEF), ...delim('explicit', 0xe000, UNDEF)]));
    expect(r.anomalies).toEqual(['dicom.unterminated_sequence']);
  });

  it('dicom.inflate_limit: a deflate bomb never inflates past maxInflatedBytes', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const r = read(DEFLATED, new Uint8Array(bomb), 8192, { ...DICOM_DATASET_LIMITS, maxInflatedBytes: 1024 * 1024 });
    expect(r.anomalies).toContain('dicom.inflate_limit');
    for (const a of r.anomalies) expect(['dicom.inflate_limit', 'dicom.bad_vr']).toContain(a);
  });

  it('dicom.inflate_limit: equipment tags before a bomb-sized pixel data are still read from a smaller prefix', () => {
    const header = [...text('explicit', 0x00080060, 'CS', 'CT'), ...text('explicit', 0x00080070, 'LO', 'ExampleMed Imaging')];
    const data = Buffer.concat([Buffer.from(header), Buffer.from(el('explicit', 0x7fe00010, 'OW', [], 32 * 1024 * 1024)), Buffer.alloc(32 * 1024 * 1024)]);
    const r = read(DEFLATED, new Uint8Array(deflateRawSync(data)), 4096, { ...DICOM_DATASET_LIMITS, maxInflatedBytes: 2 * 1024 * 1024 });
    expect(r.value).toMatchObject({ modality: 'CT', manufacturer: 'ExampleMed Imaging', stoppedAt: 'pixel_data' });
    expect(r.anomalies).toEqual(['dicom.inflate_limit']);
  });

  it('dicom.inflate_error: bytes that are not raw deflate', () => {
    const r = read(DEFLATED, Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(r).toEqual({ value: { encoding: 'deflated_explicit_le', elementCount: 0, stoppedAt: 'error' }, anomalies: ['dicom.inflate_error'] });
  });
});
