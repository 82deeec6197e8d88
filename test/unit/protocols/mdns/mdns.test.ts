import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMdns,
  MDNS_ANOMALIES,
  MDNS_LIMITS,
  type MdnsRecord,
  type MdnsRecordData,
  type MdnsResourceRecord,
} from '../../../../src/protocols/mdns/mdns.js';
import type { AnomalyCode } from '../../../../src/decode/result.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';

const AVAHI = 'fixtures/mdns/avahi-hinfo-txt.pcapng';
const ZEEK_MDNS = conformancePath('dns__mdns.pcap');
const REGRESS_DIR = 'test/regress/mdns';

/** Codes some test in this file saw; every code in MDNS_ANOMALIES must be among them. */
const exercised = new Set<AnomalyCode>();
function decode(payload: Uint8Array, limits = MDNS_LIMITS): ReturnType<typeof decodeMdns> {
  const result = decodeMdns(payload, limits);
  for (const code of result.anomalies) exercised.add(code);
  return result;
}

const isMdns = (f: FrameRecord): boolean => f.udp !== undefined && (f.udp.srcPort === 5353 || f.udp.dstPort === 5353);

function frameNo(frames: FrameRecord[], n: number): FrameRecord {
  const f = frames.find((x) => x.frameNo === n);
  if (f === undefined) throw new Error(`frame ${n} missing`);
  return f;
}

function dataOf(rr: MdnsResourceRecord | undefined): MdnsRecordData | undefined {
  return rr?.data;
}

function recordsOf(value: MdnsRecord, type: string): MdnsResourceRecord[] {
  return value.records.filter((r) => r.type === type);
}

// ---------- byte builders for synthetic messages (RFC 1035 §4.1 wire format) ----------

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [...u16((n >>> 16) & 0xffff), ...u16(n & 0xffff)];
}
function nameBytes(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) {
    const b = Buffer.from(label, 'utf8');
    out.push(b.length, ...b);
  }
  out.push(0);
  return out;
}
function header(flags: number, qd: number, an: number, ns: number, ar: number): number[] {
  return [...u16(0), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar)];
}
function rr(owner: number[], type: number, rdata: number[], klass = 0x8001, ttl = 120): number[] {
  return [...owner, ...u16(type), ...u16(klass), ...u32(ttl), ...u16(rdata.length), ...rdata];
}
const RESPONSE = 0x8400;

/** A response whose only answer's owner name is a pointer to itself (offset 12). */
export function selfPointer(): Uint8Array {
  return Uint8Array.from([...header(RESPONSE, 0, 1, 0, 0), ...rr([0xc0, 12], 1, [192, 0, 2, 1])]);
}
/** Two answers whose owner names point at each other (12 → 28, 28 → 12): a 2-cycle. */
export function pointerTwoCycle(): Uint8Array {
  // First record at 12: 2-byte pointer + 10 fixed bytes + 4 bytes RDATA, so the second starts at 28.
  const first = rr([0xc0, 28], 1, [192, 0, 2, 1]);
  const second = rr([0xc0, 12], 1, [192, 0, 2, 2]);
  return Uint8Array.from([...header(RESPONSE, 0, 2, 0, 0), ...first, ...second]);
}
/** One TXT record of 255 strings of 255 bytes (65,280 bytes of RDATA). */
export function txt255x255(): Uint8Array {
  const rdata: number[] = [];
  for (let i = 0; i < 255; i++) rdata.push(255, ...new Array<number>(255).fill(0x61 + (i % 26)));
  return Uint8Array.from([...header(RESPONSE, 0, 1, 0, 0), ...rr(nameBytes('x._http._tcp.local'), 16, rdata)]);
}
/** The same sizes with an allowlisted key in every string (`model=aaa...`), so the caps, not the key allowlist, decide. */
function txtModel255x255(): Uint8Array {
  const rdata: number[] = [];
  for (let i = 0; i < 255; i++) rdata.push(255, ...Buffer.from('model='), ...new Array<number>(249).fill(0x61 + (i % 26)));
  return Uint8Array.from([...header(RESPONSE, 0, 1, 0, 0), ...rr(nameBytes('x._http._tcp.local'), 16, rdata)]);
}
/** Anomalies other than the TXT key allowlist's (the lab announcement holds `path=/` and `secure`). */
const besidesTxtKeys = (a: readonly AnomalyCode[]) => a.filter((c) => c !== 'mdns.txt_key_not_allowed');
/** Header announcing 65,535 answers in a 40-byte packet. */
export function countsPastEnd(): Uint8Array {
  return Uint8Array.from([...header(RESPONSE, 0, 0xffff, 0, 0), ...new Array<number>(28).fill(0)]);
}

describe('decodeMdns on a real avahi-daemon capture', () => {
  let frames: FrameRecord[] = [];
  beforeAll(async () => {
    frames = (await readFrames(AVAHI)).filter(isMdns);
  });

  it('decodes all 15 mDNS frames without anomalies but the TXT keys the allowlist drops', () => {
    expect(frames).toHaveLength(15);
    for (const f of frames) expect(decode(f.payload).anomalies.filter((a) => a !== 'mdns.txt_key_not_allowed'), `frame ${f.frameNo}`).toEqual([]);
  });

  it('frame 1 is a host-name probe: ANY questions, proposed records in the authority section', () => {
    const { value } = decode(frameNo(frames, 1).payload);
    expect(value.isResponse).toBe(false);
    expect(value.questions).toEqual([
      { name: '1.2.0.192.in-addr.arpa', type: 'ANY', unicastResponse: false },
      { name: 'vv300-icu-07.local', type: 'ANY', unicastResponse: false },
    ]);
    expect(value.records.map((r) => [r.section, r.name, r.type])).toEqual([
      ['authority', 'vv300-icu-07.local', 'HINFO'],
      ['authority', 'vv300-icu-07.local', 'A'],
      ['authority', '1.2.0.192.in-addr.arpa', 'PTR'],
    ]);
    expect(dataOf(value.records[0])).toEqual({ type: 'HINFO', cpu: 'X86_64', os: 'LINUX' });
    expect(dataOf(value.records[1])).toEqual({ type: 'A', address: '192.0.2.1' });
    expect(dataOf(value.records[2])).toEqual({ type: 'PTR', target: 'vv300-icu-07.local' });
    // Probes carry no cache-flush bit (RFC 6762 §10.2 applies to responses).
    expect(value.records.every((r) => !r.cacheFlush && r.class === 1)).toBe(true);
  });

  it('frame 8 is a service announcement with SRV, PTR and TXT typed', () => {
    const { value } = decode(frameNo(frames, 8).payload);
    expect(value.isResponse).toBe(true);
    expect(value.authoritative).toBe(true);
    expect(value.counts).toEqual({ questions: 0, answers: 9, authorities: 0, additionals: 0 });
    const srv = recordsOf(value, 'SRV').map((r) => [r.name, r.data]);
    expect(srv).toEqual([
      [
        'ExampleMed VitalView VV300 (ICU-07)._http._tcp.local',
        { type: 'SRV', priority: 0, weight: 0, port: 8080, target: 'vv300-icu-07.local' },
      ],
      [
        'ExampleMed VV300 Report Printer._ipp._tcp.local',
        { type: 'SRV', priority: 0, weight: 0, port: 631, target: 'vv300-icu-07.local' },
      ],
    ]);
    expect(recordsOf(value, 'SRV').every((r) => r.cacheFlush && r.ttl === 120)).toBe(true);
    const ptrs = recordsOf(value, 'PTR').map((r) => [r.name, dataOf(r)?.type === 'PTR' ? dataOf(r) : null]);
    expect(ptrs).toContainEqual(['_services._dns-sd._udp.local', { type: 'PTR', target: '_ipp._tcp.local' }]);
    expect(ptrs).toContainEqual([
      '_http._tcp.local',
      { type: 'PTR', target: 'ExampleMed VitalView VV300 (ICU-07)._http._tcp.local' },
    ]);
  });

  it('TXT: strings in wire order, keys lower-cased, first occurrence wins, keys not describing a device dropped', () => {
    const { value } = decode(frameNo(frames, 8).payload);
    const http = recordsOf(value, 'TXT').find((r) => r.name.includes('_http._tcp'));
    expect(http?.data).toEqual({
      type: 'TXT',
      strings: [
        'txtvers=1',
        'Manufacturer=ExampleMed',
        'model=VV300',
        'fw=4.2.1',
        'SN=EM300-0007',
        'model=ignored-duplicate',
      ],
      entries: [
        { key: 'txtvers', value: '1' },
        { key: 'manufacturer', value: 'ExampleMed' },
        { key: 'model', value: 'VV300' },
        { key: 'fw', value: '4.2.1' },
        { key: 'sn', value: 'EM300-0007' },
      ],
    });
    const ipp = recordsOf(value, 'TXT').find((r) => r.name.includes('_ipp._tcp'));
    expect(ipp?.data?.type === 'TXT' ? ipp.data.entries : []).toContainEqual({ key: 'usb_mdl', value: 'VV300-SP' });
  });

  it('frame 13 is the other host asking for _ipp._tcp PTRs; frame 15 is the goodbye (TTL 0)', () => {
    const q = decode(frameNo(frames, 13).payload).value;
    expect(q.isResponse).toBe(false);
    expect(q.questions).toEqual([{ name: '_ipp._tcp.local', type: 'PTR', unicastResponse: false }]);
    expect(q.records).toEqual([]);
    const bye = decode(frameNo(frames, 15).payload).value;
    expect(bye.isResponse).toBe(true);
    expect(bye.records.length).toBeGreaterThan(5);
    expect(bye.records.every((r) => r.ttl === 0)).toBe(true);
  });
});

describeShared('decodeMdns on zeek dns/mdns.pcap (IPv6 and IPv4 host announcements)', () => {
  it('AAAA and A records come out as text, reverse PTRs keep their target', async () => {
    const frames = (await readFrames(ZEEK_MDNS)).filter(isMdns);
    const { value, anomalies } = decode(frameNo(frames, 4).payload);
    expect(anomalies).toEqual([]);
    expect(value.records.map((r) => r.data)).toEqual([
      { type: 'AAAA', address: 'fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4' },
      { type: 'PTR', target: 'johanna-QEMU-Virtual-Machine.local' },
      { type: 'AAAA', address: 'fd52:429e:c03c:8235:5968:5bc6:1563:f82f' },
      { type: 'PTR', target: 'johanna-QEMU-Virtual-Machine.local' },
      { type: 'A', address: '10.0.2.7' },
      { type: 'PTR', target: 'johanna-QEMU-Virtual-Machine.local' },
    ]);
    expect(value.records[4]?.name).toBe('johanna-QEMU-Virtual-Machine.local');
  });
});

describe('decodeMdns anomalies (one test per code)', () => {
  let announcement: Uint8Array = new Uint8Array(0);
  beforeAll(async () => {
    const frames = (await readFrames(AVAHI)).filter(isMdns);
    announcement = frameNo(frames, 8).payload;
  });

  it('mdns.truncated: shorter than the header', () => {
    const r = decode(Uint8Array.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0]));
    expect(r.anomalies).toEqual(['mdns.truncated']);
    expect(r.value.records).toEqual([]);
  });

  it('mdns.truncated: a record cut short keeps the records before it', () => {
    const full = decode(announcement).value;
    const cut = decode(announcement.subarray(0, announcement.length - 3));
    expect(besidesTxtKeys(cut.anomalies)).toEqual(['mdns.truncated']);
    expect(cut.value.records).toEqual(full.records.slice(0, full.records.length - 1));
  });

  it('mdns.bad_counts: counts larger than the packet can hold are not decoded', () => {
    const r = decode(countsPastEnd());
    expect(r.anomalies).toEqual(['mdns.bad_counts']);
    expect(r.value.counts.answers).toBe(0xffff);
    expect(r.value.records).toEqual([]);
  });

  it('mdns.too_many_records: lowering maxRecords to 3 decodes exactly 3', () => {
    const r = decode(announcement, { ...MDNS_LIMITS, maxRecords: 3 });
    expect(r.anomalies).toEqual(['mdns.too_many_records']);
    expect(r.value.records).toHaveLength(3);
    expect(r.value.records).toEqual(decode(announcement).value.records.slice(0, 3));
  });

  it('mdns.malformed: a self-pointing compression pointer', () => {
    const r = decode(selfPointer());
    expect(r.anomalies).toEqual(['mdns.malformed']);
    expect(r.value.records).toEqual([]);
    expect(r.value.isResponse).toBe(true);
  });

  it('mdns.malformed: a 2-cycle of compression pointers ends, both records dropped', () => {
    const r = decode(pointerTwoCycle());
    expect(r.anomalies).toEqual(['mdns.malformed', 'mdns.malformed']);
    expect(r.value.records).toEqual([]);
  });

  it('mdns.malformed: a bad record is dropped and the good one after it is kept', () => {
    const bytes = Uint8Array.from([
      ...header(RESPONSE, 0, 2, 0, 0),
      ...rr([0xc0, 40], 1, [192, 0, 2, 1]), // forward pointer
      ...rr(nameBytes('ok.local'), 1, [192, 0, 2, 9]),
    ]);
    const r = decode(bytes);
    expect(r.anomalies).toEqual(['mdns.malformed']);
    expect(r.value.records).toEqual([
      { section: 'answer', name: 'ok.local', type: 'A', class: 1, cacheFlush: true, ttl: 120, data: { type: 'A', address: '192.0.2.9' } },
    ]);
  });

  it('mdns.malformed: an 0x40 label type stops the walk', () => {
    const bytes = Uint8Array.from([...header(RESPONSE, 0, 1, 0, 0), 0x41, 0x61, 0, ...u16(1), ...u16(1), ...u32(0), ...u16(0)]);
    expect(decode(bytes).anomalies).toEqual(['mdns.malformed']);
  });

  it('mdns.bad_rdata_length: an A record with 5 bytes of RDATA loses its data but not its neighbour', () => {
    const bytes = Uint8Array.from([
      ...header(RESPONSE, 0, 2, 0, 0),
      ...rr(nameBytes('a.local'), 1, [192, 0, 2, 1, 7]),
      ...rr(nameBytes('b.local'), 1, [192, 0, 2, 2]),
    ]);
    const r = decode(bytes);
    expect(r.anomalies).toEqual(['mdns.bad_rdata_length']);
    expect(r.value.records.map((x) => [x.name, x.type, x.data])).toEqual([
      ['a.local', 'A', undefined],
      ['b.local', 'A', { type: 'A', address: '192.0.2.2' }],
    ]);
  });

  it('mdns.txt_too_large and mdns.too_many_txt_strings: 255 strings of 255 bytes', () => {
    // Keys that describe no device are dropped after the caps are counted: nothing of them is kept.
    const unkeyed = decode(txt255x255());
    expect(unkeyed.anomalies).toEqual(['mdns.txt_too_large', 'mdns.txt_key_not_allowed']);
    expect(unkeyed.value.records[0]?.data?.type === 'TXT' ? unkeyed.value.records[0].data.strings : null).toEqual([]);
    const r = decode(txtModel255x255());
    expect(r.anomalies).toEqual(['mdns.txt_too_large']);
    const data = r.value.records[0]?.data;
    expect(data?.type).toBe('TXT');
    if (data?.type !== 'TXT') return;
    // 34 × 255 = 8670 ≤ 8900 < 35 × 255
    expect(data.strings).toHaveLength(34);
    const few = decode(txtModel255x255(), { ...MDNS_LIMITS, maxTxtStrings: 10, maxTxtBytes: 1 << 20 });
    expect(few.anomalies).toEqual(['mdns.too_many_txt_strings']);
    expect(few.value.records[0]?.data?.type === 'TXT' ? few.value.records[0].data.strings : []).toHaveLength(10);
  });

  it('mdns.txt_key_not_allowed: TXT keys that describe no device (patient=, user=, note=) are dropped unread', () => {
    const strings = ['model=VV300', 'patient=CANARY^PATIENT', 'user=CANARY-USER', 'note=Bed 4 CANARY', 'fw=4.2.1'];
    const rdata = strings.flatMap((t) => [t.length, ...Buffer.from(t)]);
    const r = decode(Uint8Array.from([...header(RESPONSE, 0, 1, 0, 0), ...rr(nameBytes('x._http._tcp.local'), 16, rdata)]));
    expect(r.anomalies).toEqual(['mdns.txt_key_not_allowed']);
    expect(r.value.records[0]?.data).toEqual({ type: 'TXT', strings: ['model=VV300', 'fw=4.2.1'], entries: [{ key: 'model', value: 'VV300' }, { key: 'fw', value: '4.2.1' }] });
    expect(JSON.stringify(r)).not.toContain('CANARY');
  });

  it('mdns.name_too_long: lowering maxNameLength cuts names', () => {
    const r = decode(announcement, { ...MDNS_LIMITS, maxNameLength: 20 });
    expect(r.anomalies.length).toBeGreaterThan(0);
    expect(new Set(besidesTxtKeys(r.anomalies))).toEqual(new Set(['mdns.name_too_long']));
    for (const rec of r.value.records) expect(rec.name.length).toBeLessThanOrEqual(20);
  });

  it('mdns.trailing_bytes: bytes after the last announced record', () => {
    const padded = Uint8Array.from([...announcement, 0, 0, 0]);
    const r = decode(padded);
    expect(besidesTxtKeys(r.anomalies)).toEqual(['mdns.trailing_bytes']);
    expect(r.value.records).toEqual(decode(announcement).value.records);
  });

  it('the QU bit of a question is read (RFC 6762 §5.4)', () => {
    const bytes = Uint8Array.from([...header(0, 1, 0, 0, 0), ...nameBytes('_ipp._tcp.local'), ...u16(12), ...u16(0x8001)]);
    const r = decode(bytes);
    expect(r.anomalies).toEqual([]);
    expect(r.value.questions).toEqual([{ name: '_ipp._tcp.local', type: 'PTR', unicastResponse: true }]);
  });
});

describe('regression inputs (test/regress/mdns/*.bin)', () => {
  const expected: Record<string, AnomalyCode[]> = {
    'self-pointer.bin': ['mdns.malformed'],
    'pointer-2-cycle.bin': ['mdns.malformed', 'mdns.malformed'],
    'txt-255x255.bin': ['mdns.txt_too_large', 'mdns.txt_key_not_allowed'],
    'counts-past-end.bin': ['mdns.bad_counts'],
  };
  it('each stored input decodes to its expected anomalies and matches its builder', () => {
    const files = readdirSync(REGRESS_DIR).filter((f) => f.endsWith('.bin')).sort();
    expect(files).toEqual(Object.keys(expected).sort());
    const builders: Record<string, () => Uint8Array> = {
      'self-pointer.bin': selfPointer,
      'pointer-2-cycle.bin': pointerTwoCycle,
      'txt-255x255.bin': txt255x255,
      'counts-past-end.bin': countsPastEnd,
    };
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(join(REGRESS_DIR, file)));
      expect(Buffer.from(bytes).equals(Buffer.from(builders[file]?.() ?? [])), file).toBe(true);
      expect(decode(bytes).anomalies, file).toEqual(expected[file]);
    }
  });
});

afterAll(() => {
  // Runs after every test above: each documented anomaly code must have been produced by one.
  expect([...exercised].sort()).toEqual([...MDNS_ANOMALIES].sort());
});
