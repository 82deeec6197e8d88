/**
 * \summary HL7 v2.x message decoder, allowlist only (HL7 v2.5.1+ chapter 2 §2.5 message
 * construction rules, §2.7 escape sequences; chapter 7 OBX; v2.8.2 chapter 7 PRT; chapter 2 MSH,
 * MSA). Segments are split on CR only (§2.5.3 "Segments end with the carriage return"; the LF of
 * a CRLF is skipped): a bare LF inside a segment is data, never a segment start, so a line that
 * looks like `PRT|...` inside OBX-5 text is never parsed, and MSH fields are read only up to a
 * bare LF (a message framed with LF alone is one segment whose MSH fields stop at the first LF,
 * so PID fields can never be taken for MSH fields). The field separator is MSH-1 (the 4th
 * byte) and the component, repetition, escape and subcomponent characters are MSH-2.
 *
 * Only these fields are ever split or turned into text:
 * - MSH-3/4/5/6 (sending/receiving application and facility, HD), MSH-9 (message type),
 *   MSH-12 (version), MSH-18 (character set, to decode the rest), MSH-21 (message profiles);
 * - MSA-1 (acknowledgment code: an ACK identifies the receiver);
 * - OBX-3 (observation identifier), OBX-4 (sub-id), OBX-18 (equipment instance identifier) of
 *   device observations — NEVER OBX-5 (the value);
 * - PRT-4 (participation), PRT-10 (participation device), PRT-16 (UDI device identifier),
 *   PRT-17/18 (manufacture/expiry date), PRT-19 (lot), PRT-20 (serial), PRT-22 (device type).
 * Every other segment (PID, PD1, NK1, PV1, PV2, GT1, IN1, ORC, OBR, NTE, Z-segments, ...) is
 * counted by its 3-character id and never split into fields, decoded or copied.
 *
 * Hand-written on purpose: a general HL7 parser (python-hl7, node-hl7-client, HAPI) tokenises
 * every segment into strings, PID and NK1 included, so patient data would sit in our heap and
 * in anything that logs a parse tree. This walker finds field boundaries by byte offsets and
 * decodes only allowlisted fields. Pure: no I/O, no logging, no clock; never throws.
 */
import { decodeText, printable } from '../../decode/bytes.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/** Knobs bounding what one HL7 message may cost. */
export interface Hl7Limits {
  /** Most segments walked in one message; past it: `hl7.too_many_segments` and the rest is not read. */
  maxSegments: number;
  /** Longest allowlisted field read, in bytes; longer fields are cut (`hl7.value_truncated`). */
  maxFieldBytes: number;
  /** Longest text kept from one component, in characters; longer values are cut (`hl7.value_truncated`). */
  maxValueChars: number;
  /** Most repetitions read from one repeating field (MSH-21, OBX-18, PRT-10); past it: `hl7.too_many_repetitions`. */
  maxRepetitions: number;
  /** Most device observations kept; past it: `hl7.too_many_observations`. */
  maxObservations: number;
  /** Most device participations (PRT) kept; past it: `hl7.too_many_participations`. */
  maxParticipations: number;
}

/** Defaults: far beyond any real device message, small enough to bound a hostile one. */
export const HL7_LIMITS: Readonly<Hl7Limits> = {
  maxSegments: 2000,
  maxFieldBytes: 1024,
  maxValueChars: 199,
  maxRepetitions: 8,
  maxObservations: 256,
  maxParticipations: 32,
};

/** Every anomaly code `decodeHl7` can report (each at most once per message). */
export const HL7_ANOMALIES = [
  /** The message does not start with an MSH segment; delimiters default to `|^~\&`. */
  'hl7.no_msh',
  /** MSH-1/MSH-2 declare unusable delimiters (alphanumeric, CR/LF, repeated or missing). */
  'hl7.bad_encoding_characters',
  /** A second MSH inside one message (batch without BHS/FHS framing); only the first is read. */
  'hl7.multiple_msh',
  /** A line feed not right after a CR: kept as data inside its segment (HL7 segments end with CR). */
  'hl7.bare_lf',
  /** More segments than `maxSegments`. */
  'hl7.too_many_segments',
  /** A segment does not start with a 3-character id followed by the field separator. */
  'hl7.bad_segment_id',
  /** An allowlisted field or component was longer than its limit and was cut. */
  'hl7.value_truncated',
  /** More repetitions than `maxRepetitions` in an allowlisted field. */
  'hl7.too_many_repetitions',
  /** More device observations than `maxObservations`. */
  'hl7.too_many_observations',
  /** More PRT device participations than `maxParticipations`. */
  'hl7.too_many_participations',
  /** An escape sequence other than \F\ \S\ \T\ \R\ \E\ in an allowlisted value (dropped). */
  'hl7.unsupported_escape',
] as const satisfies readonly AnomalyCode[];

type Hl7Anomaly = (typeof HL7_ANOMALIES)[number];

/** HD: hierarchic designator (an application or facility). */
export interface Hl7HierarchicDesignator {
  /** HD-1 namespace id (e.g. `MONITOR`). */
  namespaceId?: string;
  /** HD-2 universal id (e.g. an EUI-64 `00090FFFFEA1B2C3`, an OID). */
  universalId?: string;
  /** HD-3 universal id type (`EUI-64`, `ISO`, `DNS`, ...). */
  universalIdType?: string;
}

/** EI: entity identifier (a device, an equipment instance, a message profile). */
export interface Hl7EntityIdentifier {
  /** EI-1 entity identifier. */
  entityIdentifier?: string;
  /** EI-2 namespace id. */
  namespaceId?: string;
  /** EI-3 universal id. */
  universalId?: string;
  /** EI-4 universal id type. */
  universalIdType?: string;
}

/** CWE/CNE: the first three components of a coded element. */
export interface Hl7CodedElement {
  /** Component 1: the code. */
  identifier?: string;
  /** Component 2: its text. */
  text?: string;
  /** Component 3: the coding system (`MDC`, `LN`, `SCT`, `HL70912`, ...). */
  codingSystem?: string;
}

/** MSH-9 message type. */
export interface Hl7MessageType {
  /** MSG-1 message code (`ORU`, `ADT`, `ACK`, ...). */
  code?: string;
  /** MSG-2 trigger event (`R01`, ...). */
  triggerEvent?: string;
  /** MSG-3 message structure (`ORU_R01`, ...). */
  structure?: string;
}

/** The device-identifying fields of one OBX (never its value). */
export interface Hl7DeviceObservation {
  /** OBX-3 observation identifier. */
  identifier?: Hl7CodedElement;
  /** OBX-4 observation sub-id (IEEE 11073 containment path in IHE PCD messages). */
  subId?: string;
  /** OBX-18 equipment instance identifiers (EUI-64 in IHE PCD). */
  equipment: Hl7EntityIdentifier[];
}

/** The device fields of one PRT segment (HL7 v2.8.2 §7.4.4). */
export interface Hl7DeviceParticipation {
  /** PRT-4 participation (e.g. `EQUIP`). */
  participation?: Hl7CodedElement;
  /** PRT-10 participation device identifiers. */
  devices: Hl7EntityIdentifier[];
  /** PRT-16 UDI device identifier. */
  udiDeviceIdentifier?: Hl7EntityIdentifier;
  /** PRT-17 device manufacture date (DTM text as sent). */
  manufactureDate?: string;
  /** PRT-18 device expiry date (DTM text as sent). */
  expiryDate?: string;
  /** PRT-19 device lot number. */
  lotNumber?: string;
  /** PRT-20 device serial number. */
  serialNumber?: string;
  /** PRT-22 device type. */
  deviceType?: Hl7CodedElement;
}

/** What one HL7 v2 message said about the devices that sent and received it. Nothing else. */
export interface Hl7Record {
  /** MSH-1, the field separator (usually `|`). */
  fieldSeparator?: string;
  /** MSH-2, the encoding characters (usually `^~\&`). */
  encodingCharacters?: string;
  /** MSH-3 sending application. */
  sendingApplication?: Hl7HierarchicDesignator;
  /** MSH-4 sending facility. */
  sendingFacility?: Hl7HierarchicDesignator;
  /** MSH-5 receiving application. */
  receivingApplication?: Hl7HierarchicDesignator;
  /** MSH-6 receiving facility. */
  receivingFacility?: Hl7HierarchicDesignator;
  /** MSH-9 message type. */
  messageType?: Hl7MessageType;
  /** MSH-12 version id (`2.6`, ...). */
  versionId?: string;
  /** MSH-18 character set (first repetition), used to decode the allowlisted values. */
  characterSet?: string;
  /** MSH-21 message profile identifiers (e.g. IHE PCD-01). */
  messageProfiles: Hl7EntityIdentifier[];
  /** MSA-1 acknowledgment code (`AA`, `AE`, `AR`, `CA`, ...), for ACK messages. */
  acknowledgmentCode?: string;
  /** OBX segments that identify equipment (OBX-18 present, or an IEEE 11073 `MDC` OBX-3). */
  observations: Hl7DeviceObservation[];
  /** PRT segments that name a device. */
  deviceParticipations: Hl7DeviceParticipation[];
  /** Segments in the message. */
  segmentCount: number;
  /** Segments per id (`PID: 1`, `OBX: 12`, ...): the only thing read from non-allowlisted segments. */
  segmentCounts: Record<string, number>;
}

const CR = 0x0d;
const LF = 0x0a;
const DEFAULT_FS = 0x7c; // '|'
const UNDEFINED = -1;

/** Delimiters declared by MSH-1/MSH-2 (−1: not declared). */
interface Delimiters {
  field: number;
  component: number;
  repetition: number;
  escape: number;
  subcomponent: number;
}

const DEFAULT_DELIMITERS: Delimiters = { field: DEFAULT_FS, component: 0x5e, repetition: 0x7e, escape: 0x5c, subcomponent: 0x26 };

/** Per-message decoding context. */
interface Ctx {
  msg: Uint8Array;
  d: Delimiters;
  latin1: boolean;
  limits: Hl7Limits;
  anomalies: Set<Hl7Anomaly>;
}

const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isAlnum = (b: number) => isUpper(b) || isDigit(b) || (b >= 0x61 && b <= 0x7a);

/**
 * Decodes one HL7 v2 message (the bytes an MLLP frame carried). Only allowlisted fields are
 * read; see the file header.
 */
export function decodeHl7(message: Uint8Array, limits: Hl7Limits = HL7_LIMITS): DecodeResult<Hl7Record> {
  const record: Hl7Record = { messageProfiles: [], observations: [], deviceParticipations: [], segmentCount: 0, segmentCounts: {} };
  const ctx: Ctx = { msg: message, d: { ...DEFAULT_DELIMITERS }, latin1: false, limits, anomalies: new Set() };
  let pos = 0;
  let sawMsh = false;
  while (pos < message.length) {
    if (message[pos] === LF && pos > 0 && message[pos - 1] === CR) { pos++; continue; } // the LF of a CRLF
    let end = message.indexOf(CR, pos);
    if (end < 0) end = message.length;
    const start = pos;
    pos = end + 1;
    if (end === start) continue; // empty segment (CR CR, trailing CR)
    const lf = message.subarray(start, end).indexOf(LF);
    if (lf >= 0) ctx.anomalies.add('hl7.bare_lf');
    if (record.segmentCount === limits.maxSegments) { ctx.anomalies.add('hl7.too_many_segments'); break; }
    record.segmentCount++;
    const first = record.segmentCount === 1;
    // MSH fields never hold a line feed: they are read only up to one.
    const mshEnd = lf >= 0 ? start + lf : end;
    if (first) {
      if (isMsh(message, start, mshEnd)) {
        readDelimiters(ctx, start, mshEnd);
      } else {
        ctx.anomalies.add('hl7.no_msh');
      }
    }
    const id = segmentId(ctx, start, end);
    if (id === undefined) { ctx.anomalies.add('hl7.bad_segment_id'); continue; }
    record.segmentCounts[id] = (record.segmentCounts[id] ?? 0) + 1;
    switch (id) {
      case 'MSH':
        if (sawMsh) { ctx.anomalies.add('hl7.multiple_msh'); break; }
        sawMsh = true;
        if (first) readMsh(ctx, record, start, mshEnd);
        break;
      case 'MSA':
        if (record.acknowledgmentCode === undefined) {
          const f = fieldSpans(ctx, start, end, 1);
          const v = f[1] ? text(ctx, f[1][0], f[1][1]) : undefined;
          if (v) record.acknowledgmentCode = v;
        }
        break;
      case 'OBX':
        readObx(ctx, record, start, end);
        break;
      case 'PRT':
        readPrt(ctx, record, start, end);
        break;
      default:
        break; // counted only: never split into fields
    }
  }
  return { value: record, anomalies: [...ctx.anomalies] };
}

function isMsh(m: Uint8Array, start: number, end: number): boolean {
  return end - start >= 4 && m[start] === 0x4d && m[start + 1] === 0x53 && m[start + 2] === 0x48;
}

/** MSH-1 and MSH-2 → delimiters; unusable ones → `hl7.bad_encoding_characters`, defaults kept. */
function readDelimiters(ctx: Ctx, start: number, end: number): void {
  const m = ctx.msg;
  const fs = m[start + 3] as number;
  if (isAlnum(fs) || fs === 0x20) { ctx.anomalies.add('hl7.bad_encoding_characters'); return; }
  const enc: number[] = [];
  for (let i = start + 4; i < end && m[i] !== fs && enc.length < 5; i++) enc.push(m[i] as number);
  const seen = new Set<number>([fs]);
  let bad = enc.length < 4;
  for (const c of enc) {
    if (isAlnum(c) || seen.has(c)) bad = true;
    seen.add(c);
  }
  if (bad) ctx.anomalies.add('hl7.bad_encoding_characters');
  const pick = (i: number) => {
    const c = enc[i];
    return c === undefined || isAlnum(c) || c === fs || enc.indexOf(c) !== i ? UNDEFINED : c;
  };
  ctx.d = { field: fs, component: pick(0), repetition: pick(1), escape: pick(2), subcomponent: pick(3) };
}

/** The 3-character segment id, or undefined when the segment does not start with one. */
function segmentId(ctx: Ctx, start: number, end: number): string | undefined {
  const m = ctx.msg;
  if (end - start < 3) return undefined;
  const a = m[start] as number, b = m[start + 1] as number, c = m[start + 2] as number;
  if (!isUpper(a) || !(isUpper(b) || isDigit(b)) || !(isUpper(c) || isDigit(c))) return undefined;
  if (end - start > 3 && m[start + 3] !== ctx.d.field) return undefined;
  return String.fromCharCode(a, b, c);
}

/**
 * Byte spans [start, end) of fields 0..maxIndex of a segment (0 = the segment id). Scans for the
 * field separator only up to `maxIndex`: later fields are never looked at.
 */
function fieldSpans(ctx: Ctx, start: number, end: number, maxIndex: number): Array<[number, number] | undefined> {
  const spans: Array<[number, number] | undefined> = [];
  const m = ctx.msg;
  let fStart = start;
  for (let i = start; i <= end && spans.length <= maxIndex; i++) {
    if (i === end || m[i] === ctx.d.field) {
      spans.push([fStart, i]);
      fStart = i + 1;
    }
  }
  return spans;
}

/**
 * MSH fields. MSH-1 is the separator itself, so the n-th separated part is MSH-(n+1):
 * parts[2] = MSH-3, parts[20] = MSH-21.
 */
function readMsh(ctx: Ctx, record: Hl7Record, start: number, end: number): void {
  const m = ctx.msg;
  record.fieldSeparator = String.fromCharCode(m[start + 3] as number);
  const parts = fieldSpans(ctx, start, end, 20);
  const enc = parts[1];
  if (enc) record.encodingCharacters = decodeText(m.subarray(enc[0], Math.min(enc[1], enc[0] + 5)), 'latin1');
  const charset = parts[17];
  if (charset) {
    const cs = firstRepetition(ctx, charset);
    const v = cs ? text(ctx, cs[0], cs[1]) : undefined;
    if (v) {
      record.characterSet = v;
      ctx.latin1 = /^8859/.test(v);
    }
  }
  const hd = (i: number) => {
    const span = parts[i];
    return span ? hierarchicDesignator(ctx, firstRepetition(ctx, span)) : undefined;
  };
  assign(record, 'sendingApplication', hd(2));
  assign(record, 'sendingFacility', hd(3));
  assign(record, 'receivingApplication', hd(4));
  assign(record, 'receivingFacility', hd(5));
  const type = parts[8];
  if (type) {
    const c = components(ctx, firstRepetition(ctx, type), 3);
    const mt: Hl7MessageType = {};
    assign(mt, 'code', c[0]);
    assign(mt, 'triggerEvent', c[1]);
    assign(mt, 'structure', c[2]);
    if (Object.keys(mt).length > 0) record.messageType = mt;
  }
  const version = parts[11];
  if (version) assign(record, 'versionId', components(ctx, firstRepetition(ctx, version), 1)[0]);
  const profiles = parts[20];
  if (profiles) {
    for (const rep of repetitions(ctx, profiles)) {
      const ei = entityIdentifier(ctx, rep);
      if (ei) record.messageProfiles.push(ei);
    }
  }
}

/** OBX-3, OBX-4 and OBX-18 of a device observation (OBX-18 present or an MDC code). */
function readObx(ctx: Ctx, record: Hl7Record, start: number, end: number): void {
  const f = fieldSpans(ctx, start, end, 18);
  const equipment: Hl7EntityIdentifier[] = [];
  const f18 = f[18];
  if (f18) {
    for (const rep of repetitions(ctx, f18)) {
      const ei = entityIdentifier(ctx, rep);
      if (ei) equipment.push(ei);
    }
  }
  const f3 = f[3];
  const identifier = f3 ? codedElement(ctx, firstRepetition(ctx, f3)) : undefined;
  if (equipment.length === 0 && identifier?.codingSystem !== 'MDC') return;
  if (record.observations.length === ctx.limits.maxObservations) { ctx.anomalies.add('hl7.too_many_observations'); return; }
  const obs: Hl7DeviceObservation = { equipment };
  assign(obs, 'identifier', identifier);
  const f4 = f[4];
  if (f4) assign(obs, 'subId', components(ctx, firstRepetition(ctx, f4), 1)[0]);
  record.observations.push(obs);
}

/** PRT-4, -10, -16..-20, -22: the device fields of a participation; person fields are never read. */
function readPrt(ctx: Ctx, record: Hl7Record, start: number, end: number): void {
  const f = fieldSpans(ctx, start, end, 22);
  const p: Hl7DeviceParticipation = { devices: [] };
  const f10 = f[10];
  if (f10) {
    for (const rep of repetitions(ctx, f10)) {
      const ei = entityIdentifier(ctx, rep);
      if (ei) p.devices.push(ei);
    }
  }
  const single = (i: number) => {
    const span = f[i];
    return span ? firstRepetition(ctx, span) : undefined;
  };
  assign(p, 'udiDeviceIdentifier', entityIdentifier(ctx, single(16)));
  const plain = (i: number) => {
    const span = single(i);
    return span ? components(ctx, span, 1)[0] : undefined;
  };
  assign(p, 'manufactureDate', plain(17));
  assign(p, 'expiryDate', plain(18));
  assign(p, 'lotNumber', plain(19));
  assign(p, 'serialNumber', plain(20));
  assign(p, 'deviceType', codedElement(ctx, single(22)));
  if (p.devices.length === 0 && Object.keys(p).length === 1) return; // a person's or an organisation's PRT
  const participation = codedElement(ctx, single(4));
  if (participation) p.participation = participation;
  if (record.deviceParticipations.length === ctx.limits.maxParticipations) {
    ctx.anomalies.add('hl7.too_many_participations');
    return;
  }
  record.deviceParticipations.push(p);
}

/** Sets `obj[key]` only when the value is defined (exactOptionalPropertyTypes). */
function assign<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}

/** Field span cut to `maxFieldBytes`. */
function capField(ctx: Ctx, span: [number, number]): [number, number] {
  if (span[1] - span[0] > ctx.limits.maxFieldBytes) {
    ctx.anomalies.add('hl7.value_truncated');
    return [span[0], span[0] + ctx.limits.maxFieldBytes];
  }
  return span;
}

/** Spans of the repetitions of a field (capped). */
function repetitions(ctx: Ctx, field: [number, number]): Array<[number, number]> {
  const [s, e] = capField(ctx, field);
  const out: Array<[number, number]> = [];
  let rs = s;
  for (let i = s; i <= e; i++) {
    if (i === e || ctx.msg[i] === ctx.d.repetition) {
      if (out.length === ctx.limits.maxRepetitions) { ctx.anomalies.add('hl7.too_many_repetitions'); break; }
      out.push([rs, i]);
      rs = i + 1;
    }
  }
  return out;
}

function firstRepetition(ctx: Ctx, field: [number, number]): [number, number] {
  const [s, e] = capField(ctx, field);
  for (let i = s; i < e; i++) if (ctx.msg[i] === ctx.d.repetition) return [s, i];
  return [s, e];
}

/** Text of the first `count` components of a span (first subcomponent of each). */
function components(ctx: Ctx, span: [number, number] | undefined, count: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  if (!span) return out;
  const [s, e] = span;
  let cs = s;
  for (let i = s; i <= e && out.length < count; i++) {
    if (i === e || ctx.msg[i] === ctx.d.component) {
      let ce = i;
      for (let j = cs; j < i; j++) if (ctx.msg[j] === ctx.d.subcomponent) { ce = j; break; }
      out.push(text(ctx, cs, ce));
      cs = i + 1;
    }
  }
  return out;
}

function hierarchicDesignator(ctx: Ctx, span: [number, number] | undefined): Hl7HierarchicDesignator | undefined {
  const c = components(ctx, span, 3);
  const hd: Hl7HierarchicDesignator = {};
  assign(hd, 'namespaceId', c[0]);
  assign(hd, 'universalId', c[1]);
  assign(hd, 'universalIdType', c[2]);
  return Object.keys(hd).length > 0 ? hd : undefined;
}

function entityIdentifier(ctx: Ctx, span: [number, number] | undefined): Hl7EntityIdentifier | undefined {
  const c = components(ctx, span, 4);
  const ei: Hl7EntityIdentifier = {};
  assign(ei, 'entityIdentifier', c[0]);
  assign(ei, 'namespaceId', c[1]);
  assign(ei, 'universalId', c[2]);
  assign(ei, 'universalIdType', c[3]);
  return Object.keys(ei).length > 0 ? ei : undefined;
}

function codedElement(ctx: Ctx, span: [number, number] | undefined): Hl7CodedElement | undefined {
  const c = components(ctx, span, 3);
  const ce: Hl7CodedElement = {};
  assign(ce, 'identifier', c[0]);
  assign(ce, 'text', c[1]);
  assign(ce, 'codingSystem', c[2]);
  return Object.keys(ce).length > 0 ? ce : undefined;
}

/** Bytes [s, e) → unescaped, trimmed, printable text; undefined when empty. */
function text(ctx: Ctx, s: number, e: number): string | undefined {
  if (e <= s) return undefined;
  const raw = decodeText(ctx.msg.subarray(s, e), ctx.latin1 ? 'latin1' : 'utf8');
  let v = printable(unescape(ctx, raw), Number.MAX_SAFE_INTEGER).trim();
  if (v.length > ctx.limits.maxValueChars) {
    ctx.anomalies.add('hl7.value_truncated');
    v = v.slice(0, ctx.limits.maxValueChars);
  }
  return v.length > 0 ? v : undefined;
}

/** HL7 §2.7: \F\ \S\ \T\ \R\ \E\ become their delimiters; any other escape sequence is dropped. */
function unescape(ctx: Ctx, s: string): string {
  const { d } = ctx;
  if (d.escape === UNDEFINED) return s;
  const esc = String.fromCharCode(d.escape);
  if (!s.includes(esc)) return s;
  const ch = (c: number) => (c === UNDEFINED ? '' : String.fromCharCode(c));
  let out = '';
  let i = 0;
  while (i < s.length) {
    const at = s.indexOf(esc, i);
    if (at < 0) { out += s.slice(i); break; }
    const close = s.indexOf(esc, at + 1);
    if (close < 0) { out += s.slice(i); break; } // an unpaired escape character stays literal
    out += s.slice(i, at);
    switch (s.slice(at + 1, close)) {
      case 'F': out += ch(d.field); break;
      case 'S': out += ch(d.component); break;
      case 'T': out += ch(d.subcomponent); break;
      case 'R': out += ch(d.repetition); break;
      case 'E': out += esc; break;
      default: ctx.anomalies.add('hl7.unsupported_escape'); break;
    }
    i = close + 1;
  }
  return out;
}
