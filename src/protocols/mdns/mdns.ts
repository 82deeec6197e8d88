/**
 * \summary mDNS / DNS-SD message decoder (RFC 6762 §18, RFC 1035 §4.1, RFC 6763 §6): questions
 * and resource records flattened to one list, with A/AAAA/PTR/SRV/TXT/HINFO data typed.
 *
 * A thin wrapper over `dns-packet` (names with compression, RDATA of each type), which throws on
 * bad input. This file does the message framing itself with a bounded `ByteReader` walk: header
 * counts checked against the payload size before anything is decoded, every question and record
 * located (owner name skipped in place, RDLENGTH checked against the payload), the record count
 * capped. Each record is then handed to dns-packet at its own offset, inside the one try/catch
 * (a throw → `mdns.malformed`, the record is dropped, the others are kept), and what dns-packet
 * consumed is compared with RDLENGTH (a mismatch → `mdns.bad_rdata_length`, data dropped), so a
 * lying record can neither take its neighbours with it nor shift them.
 *
 * Compression loops: dns-packet 5.6 accepts only pointers to earlier offsets than the name it is
 * decoding (RFC 1035 §4.1.4: "a pointer to a prior occurance of the same name"), so a
 * self-pointer or a cycle throws `Cannot decode name (bad pointer)` at once (tested): pointer
 * chains strictly decrease and end. Pure: no I/O, no logging, no clock. Never throws.
 */
import { createRequire } from 'node:module';
import type * as DnsPacket from 'dns-packet';

// Required, not imported: an ESM import of a CommonJS package costs a parse of its source for its
// export names at start-up (issue 14, lean start).
const dnsPacket = createRequire(import.meta.url)('dns-packet') as typeof DnsPacket;
import { ByteReader, decodeText } from '../../decode/bytes.js';
import { declareLimits, intLimit, type LimitValues } from '../../decode/limits.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/** Every anomaly code this decoder can report. */
export const MDNS_ANOMALIES = [
  /** Shorter than the 12-byte header, or a question/record runs past the end of the payload. */
  'mdns.truncated',
  /** Header counts need more bytes than the payload has (each record ≥ 5 or 11 bytes): not decoded. */
  'mdns.bad_counts',
  /** More questions + records than `maxRecords`: only the first `maxRecords` are decoded. */
  'mdns.too_many_records',
  /** dns-packet rejected a question or record (bad or looping compression pointer, bad label, ...). */
  'mdns.malformed',
  /** RDLENGTH disagrees with what the record type's data needs; the data is dropped. */
  'mdns.bad_rdata_length',
  /** A TXT record holds more than `maxTxtBytes`; the strings past the cap are dropped. */
  'mdns.txt_too_large',
  /** A TXT record holds more than `maxTxtStrings` strings; the rest are dropped. */
  'mdns.too_many_txt_strings',
  /** A TXT record held keys not in `MDNS_TXT_KEYS` (keys that describe devices): those strings are dropped unread (counted once per record). */
  'mdns.txt_key_not_allowed',
  /** A name is longer than `maxNameLength` characters; it is cut there. */
  'mdns.name_too_long',
  /** Bytes left over after the last record the header announced. */
  'mdns.trailing_bytes',
] as const satisfies readonly AnomalyCode[];

export type MdnsAnomaly = (typeof MDNS_ANOMALIES)[number];

/**
 * Knobs bounding one message (config `limits.mdns.*`, declared once here). maxRecords: questions
 * + resource records decoded per packet; maxTxtBytes: bytes of TXT strings kept per record (RFC
 * 6763 §6.2 advises ≤ 1300, allows up to 8900); maxTxtStrings: TXT strings kept per record;
 * maxNameLength: characters kept of any name (owner, PTR/SRV target; DNS names are ≤ 255 octets).
 */
export const MDNS_LIMIT_DECL = declareLimits('mdns', 'mDNS/DNS-SD decoder (src/protocols/mdns/mdns.ts MDNS_LIMITS).', {
  maxRecords: intLimit('max_records', 1, 65535, 256, 'Resource records decoded per message.'),
  maxTxtBytes: intLimit('max_txt_bytes', 1, 65535, 8900, 'Bytes of TXT strings kept per record.'),
  maxTxtStrings: intLimit('max_txt_strings', 1, 65535, 128, 'TXT strings kept per record.'),
  maxNameLength: intLimit('max_name_length', 1, 65535, 255, 'Characters kept of any name.'),
});

export type MdnsLimits = LimitValues<typeof MDNS_LIMIT_DECL.fields>;

export const MDNS_LIMITS: Readonly<MdnsLimits> = MDNS_LIMIT_DECL.defaults;

/** One question (RFC 6762 §5.4: the top bit of QCLASS asks for a unicast response). */
export interface MdnsQuestion {
  /** Queried name, labels joined with '.', e.g. `_ipp._tcp.local`. */
  name: string;
  /** Record type name (`A`, `PTR`, `SRV`, ..., `ANY`) or `TYPE<n>` (RFC 3597) when unknown. */
  type: string;
  /** The QU bit: the querier asks for a unicast reply. */
  unicastResponse: boolean;
}

/** One `key[=value]` of a DNS-SD TXT record (RFC 6763 §6.3–6.4). */
export interface MdnsTxtEntry {
  /** Key, lower-cased (keys are case-insensitive, §6.4). */
  key: string;
  /** Value text; absent for a boolean attribute (a string with no '='). */
  value?: string;
}

/** Typed RDATA of the record types DNS-SD identification uses. */
export type MdnsRecordData =
  | {
      type: 'A' | 'AAAA';
      /** Address as text (IPv6 in RFC 5952 form). */
      address: string;
    }
  | {
      type: 'PTR';
      /** Name pointed to: a service instance, a service type, or a host (reverse mapping). */
      target: string;
    }
  | {
      type: 'SRV';
      priority: number;
      weight: number;
      /** Port the service listens on. */
      port: number;
      /** Host name that offers the service. */
      target: string;
    }
  | {
      type: 'TXT';
      /** Each character-string as UTF-8 text (invalid bytes → U+FFFD), in wire order, capped. */
      strings: string[];
      /** Parsed `key=value` pairs; first occurrence of a key wins (RFC 6763 §6.4). */
      entries: MdnsTxtEntry[];
    }
  | {
      type: 'HINFO';
      /** CPU / hardware description. */
      cpu: string;
      /** Operating system description. */
      os: string;
    };

/** Which section of the message a resource record came from. */
export type MdnsSection = 'answer' | 'authority' | 'additional';

/** One resource record, whatever its section. */
export interface MdnsResourceRecord {
  /** Section: answers of a response, a probe's proposed records (authority), or additional. */
  section: MdnsSection;
  /** Owner name, labels joined with '.'. */
  name: string;
  /** Record type name (`A`, `AAAA`, `PTR`, `SRV`, `TXT`, `HINFO`, `NSEC`, ...) or `TYPE<n>`. */
  type: string;
  /** Class without the cache-flush bit: 1 is IN. */
  class: number;
  /** The cache-flush bit (RFC 6762 §10.2): this is the whole, unique record set. */
  cacheFlush: boolean;
  /** Time to live in seconds (0 = goodbye, RFC 6762 §10.1). */
  ttl: number;
  /** Typed data for A, AAAA, PTR, SRV, TXT, HINFO; absent for other types or bad data. */
  data?: MdnsRecordData;
}

export interface MdnsRecord {
  /** Transaction id (0 in multicast mDNS, RFC 6762 §18.1). */
  id: number;
  /** The QR bit: a response (announcement or answer) rather than a query or probe. */
  isResponse: boolean;
  /** OPCODE (0 in mDNS). */
  opcode: number;
  /** AA bit. */
  authoritative: boolean;
  /** TC bit: more known answers follow in another packet (RFC 6762 §18.5). */
  truncatedFlag: boolean;
  /** RCODE (0 in mDNS). */
  rcode: number;
  /** The four header counts as sent (QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT). */
  counts: { questions: number; answers: number; authorities: number; additionals: number };
  /** Questions decoded, in wire order. */
  questions: MdnsQuestion[];
  /** Answer, authority and additional records decoded, in wire order. */
  records: MdnsResourceRecord[];
}

/** Smallest question: root name (1 byte) + QTYPE + QCLASS. */
const MIN_QUESTION_LENGTH = 5;
/** Smallest resource record: root name + TYPE + CLASS + TTL + RDLENGTH. */
const MIN_RR_LENGTH = 11;
const FLAG_QR = 0x8000;
/** Top bit of CLASS: cache-flush in records (RFC 6762 §10.2), QU in questions (§5.4). */
const CLASS_TOP_BIT = 0x8000;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [5, 'CNAME'], [6, 'SOA'], [10, 'NULL'], [12, 'PTR'], [13, 'HINFO'],
  [15, 'MX'], [16, 'TXT'], [28, 'AAAA'], [33, 'SRV'], [41, 'OPT'], [47, 'NSEC'], [255, 'ANY'],
]);
const TYPE_A = 1;
const TYPE_PTR = 12;
const TYPE_HINFO = 13;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;

function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

/** What dns-packet exports at run time but its typings leave out: per-item codecs. */
type Codec = { decode: ((buf: Buffer, offset: number) => unknown) & { bytes: number } };
const codecs = dnsPacket as unknown as { question: Codec; answer: Codec };

/** Where the framing walk found one question or record. */
interface Located {
  section: 'question' | MdnsSection;
  start: number;
  end: number;
  typeCode: number;
  classRaw: number;
  ttl: number;
}

type NameSkip = 'ok' | 'truncated' | 'bad_label';

/**
 * Skip a name in place (labels up to a zero byte or a pointer) without following pointers.
 * Terminates: each turn consumes at least one byte of a bounded window.
 */
function skipName(r: ByteReader): NameSkip {
  while (r.remaining > 0) {
    const len = r.u8();
    if (len === 0) return 'ok';
    if ((len & 0xc0) === 0xc0) {
      r.u8();
      return r.failed ? 'truncated' : 'ok';
    }
    if ((len & 0xc0) !== 0) return 'bad_label'; // 0x40/0x80 label types: obsolete or undefined
    r.skip(len);
    if (r.failed) return 'truncated';
  }
  return 'truncated';
}

/** Decode an mDNS/DNS-SD message (the UDP payload of port 5353). */
export function decodeMdns(payload: Uint8Array, limits: MdnsLimits = MDNS_LIMITS): DecodeResult<MdnsRecord> {
  const anomalies: AnomalyCode[] = [];
  const r = new ByteReader(payload);
  const id = r.u16();
  const flags = r.u16();
  const counts = { questions: r.u16(), answers: r.u16(), authorities: r.u16(), additionals: r.u16() };
  const record: MdnsRecord = {
    id,
    isResponse: (flags & FLAG_QR) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncatedFlag: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    counts,
    questions: [],
    records: [],
  };
  if (r.failed) {
    anomalies.push('mdns.truncated');
    return { value: record, anomalies };
  }
  const rrCount = counts.answers + counts.authorities + counts.additionals;
  // Counts check before any decoding: a packet cannot hold more records than its bytes allow.
  if (counts.questions * MIN_QUESTION_LENGTH + rrCount * MIN_RR_LENGTH > r.remaining) {
    anomalies.push('mdns.bad_counts');
    return { value: record, anomalies };
  }

  const located = locate(r, counts, limits, anomalies);
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  for (const item of located) {
    if (item.section === 'question') {
      const decoded = decodeItem(codecs.question, buf, item, anomalies);
      if (decoded === undefined) continue;
      record.questions.push({
        name: capName(decoded.name, limits, anomalies),
        type: typeName(item.typeCode),
        unicastResponse: (item.classRaw & CLASS_TOP_BIT) !== 0,
      });
    } else {
      const decoded = decodeItem(codecs.answer, buf, item, anomalies);
      if (decoded === undefined) continue;
      const rr: MdnsResourceRecord = {
        section: item.section,
        name: capName(decoded.name, limits, anomalies),
        type: typeName(item.typeCode),
        class: item.classRaw & ~CLASS_TOP_BIT,
        cacheFlush: (item.classRaw & CLASS_TOP_BIT) !== 0,
        ttl: item.ttl,
      };
      if (decoded.fullyConsumed) {
        const data = typedData(item.typeCode, decoded.data, limits, anomalies);
        if (data !== undefined) rr.data = data;
      } else if (item.typeCode !== 41) {
        // OPT (41) is EDNS0 plumbing: dns-packet decodes it differently and it carries nothing.
        anomalies.push('mdns.bad_rdata_length');
      }
      record.records.push(rr);
    }
  }
  return { value: record, anomalies };
}

/**
 * Walk the message after the header and locate each question and record, up to `maxRecords`.
 * Stops at the first one that runs past the end (`mdns.truncated`) or has a bad label.
 */
function locate(
  r: ByteReader,
  counts: MdnsRecord['counts'],
  limits: MdnsLimits,
  anomalies: AnomalyCode[],
): Located[] {
  const plan: Array<[Located['section'], number]> = [
    ['question', counts.questions],
    ['answer', counts.answers],
    ['authority', counts.authorities],
    ['additional', counts.additionals],
  ];
  const out: Located[] = [];
  for (const [section, count] of plan) {
    for (let i = 0; i < count; i++) {
      if (out.length >= limits.maxRecords) {
        anomalies.push('mdns.too_many_records');
        return out;
      }
      const start = r.offset;
      const skip = skipName(r);
      if (skip === 'bad_label') {
        anomalies.push('mdns.malformed');
        return out;
      }
      const typeCode = r.u16();
      const classRaw = r.u16();
      let ttl = 0;
      if (section !== 'question') {
        ttl = r.u32();
        r.skip(r.u16()); // RDLENGTH, checked against the payload by the reader
      }
      if (skip === 'truncated' || r.failed) {
        anomalies.push('mdns.truncated');
        return out;
      }
      out.push({ section, start, end: r.offset, typeCode, classRaw, ttl });
    }
  }
  if (r.remaining > 0) anomalies.push('mdns.trailing_bytes');
  return out;
}

interface Decoded {
  /** Owner name (question or record). */
  name: string;
  /** dns-packet's RDATA (records only). */
  data: unknown;
  /** dns-packet consumed exactly the bytes the framing walk located (RDLENGTH agrees). */
  fullyConsumed: boolean;
}

/** Run dns-packet on one located question or record: the one place its throws are caught. */
function decodeItem(codec: Codec, buf: Buffer, item: Located, anomalies: AnomalyCode[]): Decoded | undefined {
  let out: unknown;
  let consumed: number;
  try {
    out = codec.decode(buf, item.start);
    consumed = codec.decode.bytes;
  } catch {
    anomalies.push('mdns.malformed');
    return undefined;
  }
  const name: unknown = isRecordObject(out) ? out['name'] : undefined;
  if (!isRecordObject(out) || typeof name !== 'string') {
    anomalies.push('mdns.malformed');
    return undefined;
  }
  return { name, data: out['data'], fullyConsumed: consumed === item.end - item.start };
}

function capName(name: string, limits: MdnsLimits, anomalies: AnomalyCode[]): string {
  if (name.length <= limits.maxNameLength) return name;
  anomalies.push('mdns.name_too_long');
  return name.slice(0, limits.maxNameLength);
}

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** dns-packet's RDATA for the types we type; anything unexpected is treated as bad data. */
function typedData(
  typeCode: number,
  data: unknown,
  limits: MdnsLimits,
  anomalies: AnomalyCode[],
): MdnsRecordData | undefined {
  switch (typeCode) {
    case TYPE_A:
    case TYPE_AAAA:
      return typeof data === 'string' ? { type: typeCode === TYPE_A ? 'A' : 'AAAA', address: data } : undefined;
    case TYPE_PTR:
      return typeof data === 'string' ? { type: 'PTR', target: capName(data, limits, anomalies) } : undefined;
    case TYPE_SRV: {
      if (!isRecordObject(data)) return undefined;
      const { priority, weight, port, target } = data;
      if (typeof priority !== 'number' || typeof weight !== 'number' || typeof port !== 'number') return undefined;
      if (typeof target !== 'string') return undefined;
      return { type: 'SRV', priority, weight, port, target: capName(target, limits, anomalies) };
    }
    case TYPE_HINFO: {
      if (!isRecordObject(data)) return undefined;
      const { cpu, os } = data;
      if (typeof cpu !== 'string' || typeof os !== 'string') return undefined;
      return { type: 'HINFO', cpu, os };
    }
    case TYPE_TXT:
      return Array.isArray(data) ? txtData(data, limits, anomalies) : undefined;
    default:
      return undefined;
  }
}

/**
 * TXT keys kept: the ones that describe a device (model, vendor, firmware, serial, type) in the
 * DNS-SD profiles medical and office devices announce (IPP/PWG 5100.14 `ty`, `product`,
 * `usb_MFG`, `usb_MDL`; AirPlay/RAOP `model`, `fv`, `srcvers`; HomeKit `md`, `ci`; device-info
 * `model`, `osxvers`; vendor keys such as `serial`, `fw`). Every other key (free text a service
 * may put there, e.g. a `note`, a user name, a `patient=`) is dropped unread and counted
 * (`mdns.txt_key_not_allowed`): TXT values are kept by allowlist, like every other decoder's fields.
 */
export const MDNS_TXT_KEYS: ReadonlySet<string> = new Set([
  'model', 'md', 'mdl', 'usb_mdl', 'product', 'productname', 'ty', 'type', 'ci', 'category',
  'vendor', 'manufacturer', 'mfg', 'mf', 'usb_mfg', 'brand',
  'serial', 'serialnumber', 'serial_number', 'sn',
  'firmware', 'firmware_version', 'fw', 'fv', 'fwver', 'fwversion', 'fw_version',
  'version', 'vers', 'ver', 'srcvers', 'osvers', 'osxvers', 'os', 'txtvers', 'protovers',
  'hw', 'hwver', 'hwversion', 'hardware', 'sw', 'swver', 'swversion', 'software',
  'deviceid', 'device_id', 'pdl', 'rp',
]);

/** TXT character-strings → text and key/value entries (RFC 6763 §6.3–6.5), capped; only keys in
 * `MDNS_TXT_KEYS` are kept (in `strings` and `entries` alike). */
function txtData(parts: unknown[], limits: MdnsLimits, anomalies: AnomalyCode[]): MdnsRecordData {
  const strings: string[] = [];
  const entries: MdnsTxtEntry[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let dropped = false;
  for (const part of parts) {
    if (!(part instanceof Uint8Array)) continue;
    if (strings.length >= limits.maxTxtStrings) {
      anomalies.push('mdns.too_many_txt_strings');
      break;
    }
    if (bytes + part.length > limits.maxTxtBytes) {
      anomalies.push('mdns.txt_too_large');
      break;
    }
    bytes += part.length;
    // §6.4: key is everything up to the first '='; an empty key is ignored; no '=' = boolean.
    // The key is read before any value is turned into text: a value is decoded only for an allowed key.
    const eqAt = part.indexOf(0x3d);
    const key = decodeText(eqAt < 0 ? part : part.subarray(0, eqAt), 'utf8').toLowerCase();
    if (key === '') continue;
    if (!MDNS_TXT_KEYS.has(key)) {
      dropped = true;
      continue;
    }
    const text = decodeText(part, 'utf8');
    strings.push(text);
    const eq = text.indexOf('=');
    if (seen.has(key)) continue; // §6.4: only the first occurrence counts
    seen.add(key);
    entries.push(eq < 0 ? { key } : { key, value: text.slice(eq + 1) });
  }
  if (dropped) anomalies.push('mdns.txt_key_not_allowed'); // once per record
  return { type: 'TXT', strings, entries };
}
