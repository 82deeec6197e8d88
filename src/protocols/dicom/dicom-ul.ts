/**
 * \summary DICOM upper layer (PS3.8 §9.3): a PDU framer for one direction of a TCP stream
 * (`frameDicomPdu`, the contract of `stream/framer.ts`) and a PDU decoder (`decodeDicomPdu`) for
 * A-ASSOCIATE-RQ/AC (§9.3.2, §9.3.3: AE titles, application context, presentation contexts,
 * user information: max PDU length, implementation class UID and version name), A-ASSOCIATE-RJ
 * (§9.3.4), A-RELEASE-RQ/RP (§9.3.6, §9.3.7), A-ABORT (§9.3.8) and P-DATA-TF (§9.3.5: PDVs with
 * presentation context id, message control header and fragment bytes as views).
 *
 * Hand-written: the npm DICOM packages (dicom-parser, dcmjs, dicom-dimse) parse files or run a
 * network peer; none frames a passively observed stream with hard limits. Pure: no I/O, no
 * logging, no clock; never throws. Every item length is checked against its container through
 * `ByteReader.take`, so a lying length cannot read past its PDU. User Identity negotiation
 * (item 58H: user names, passcodes, tokens) is recorded by type only, never its value.
 */
import { ByteReader, decodeText, printable } from '../../decode/bytes.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';
import type { FramerResult } from '../../decode/stream/framer.js';

/** Knobs bounding what one DICOM association may cost. */
export interface DicomUlLimits {
  /** Largest PDU (header excluded) that is framed; past it: `dicom.pdu_too_large`. */
  maxPduBytes: number;
  /** Most presentation contexts kept from one A-ASSOCIATE; past it: `dicom.too_many_items`. */
  maxPresentationContexts: number;
  /** Most transfer syntaxes kept per presentation context; past it: `dicom.too_many_items`. */
  maxTransferSyntaxes: number;
  /** Most PDVs kept from one P-DATA-TF; past it: `dicom.too_many_items`. */
  maxPdvs: number;
  /** Longest UID or name kept, in characters (UIDs are at most 64). */
  maxText: number;
}

/**
 * Defaults: a PDU of up to 2 MiB (peers negotiate 16 KiB to 1 MiB; 0 means "no limit" and is
 * still capped here), 128 presentation contexts (PS3.8 allows 128 odd ids), 64 transfer syntaxes.
 */
export const DICOM_UL_LIMITS: Readonly<DicomUlLimits> = {
  maxPduBytes: 2 * 1024 * 1024,
  maxPresentationContexts: 128,
  maxTransferSyntaxes: 64,
  maxPdvs: 256,
  maxText: 128,
};

/** Every anomaly code `frameDicomPdu` and `decodeDicomPdu` can report. */
export const DICOM_UL_ANOMALIES = [
  /** A PDU length past `maxPduBytes` (0xFFFFFFFF included); the framer resynchronises. */
  'dicom.pdu_too_large',
  /** A PDU type other than 01H..07H; the framer resynchronises. */
  'dicom.unknown_pdu_type',
  /** A PDU, item or sub-item shorter than its fixed fields, or a length past its container. */
  'dicom.bad_length',
  /** A PDV whose length is below 2 (no context id and control header) or past its PDU. */
  'dicom.bad_pdv',
  /** More presentation contexts, transfer syntaxes or PDVs than the limits allow. */
  'dicom.too_many_items',
  /** An A-ASSOCIATE item type that PS3.8 does not define here (skipped by its length). */
  'dicom.unknown_item',
  /** An A-ASSOCIATE-RQ/AC whose fixed fields do not all validate (protocol version 0001H, reserved
   * bytes zero, items adding up to the PDU, the DICOM application context first, AE titles of the
   * AE VR that do not look like a person name): not an association (misframing after a gap or
   * data-set bytes); nothing of it is read. */
  'dicom.bad_associate',
  /** Bytes skipped after a gap (or at a mid-stream start) up to a PDU header that validates. */
  'dicom.resync',
] as const satisfies readonly AnomalyCode[];

/** PDU types (PS3.8 Table 9-11 and §9.3). */
export const DICOM_PDU_TYPE = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** PDU header: type (1), reserved (1), length (4, big-endian). */
export const DICOM_PDU_HEADER_BYTES = 6;

/** A framed PDU: its type and a view of its body (the `length` bytes after the header). */
export interface DicomPdu {
  /** PDU type (01H..07H). */
  type: number;
  /** PDU length from the header (body bytes). */
  length: number;
  /** The PDU body (a view into the framer's input). */
  body: Uint8Array;
}

/** A presentation context as proposed in an A-ASSOCIATE-RQ (item 20H). */
export interface DicomProposedContext {
  /** Presentation context id (odd, 1..255). */
  id: number;
  /** Abstract syntax: the SOP class UID proposed. */
  abstractSyntax?: string;
  /** Transfer syntax UIDs proposed, in order. */
  transferSyntaxes: string[];
}

/** A presentation context as answered in an A-ASSOCIATE-AC (item 21H). */
export interface DicomAcceptedContext {
  /** Presentation context id (matches an RQ context id). */
  id: number;
  /** Result/reason: 0 acceptance, 1 user-rejection, 2 no-reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
  result: number;
  /** The accepted transfer syntax UID (meaningful when `result` is 0). */
  transferSyntax?: string;
}

/** User information (item 50H) sub-items that identify the implementation. */
export interface DicomUserInformation {
  /** Maximum length of P-DATA-TF PDUs the sender accepts (51H); 0 = unlimited. */
  maxPduLength?: number;
  /** Implementation Class UID (52H): identifies the DICOM toolkit or product. */
  implementationClassUid?: string;
  /** Implementation Version Name (55H). */
  implementationVersionName?: string;
  /** Asynchronous operations window (53H): invoked, performed. */
  asyncOperations?: { invoked: number; performed: number };
  /** SCP/SCU role selections (54H): SOP class UID and the roles asked for / accepted. */
  roleSelections: Array<{ sopClassUid: string; scu: number; scp: number }>;
  /** User Identity type (58H: 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT); the identity itself is never read. */
  userIdentityType?: number;
  /** Sub-item types present, in order (for fingerprinting a toolkit). */
  subItemTypes: number[];
}

/** A-ASSOCIATE-RQ or A-ASSOCIATE-AC. */
export interface DicomAssociateRecord {
  /** Which PDU this was. */
  pdu: 'associate_rq' | 'associate_ac';
  /** Protocol version bit field (0001H). */
  protocolVersion: number;
  /** Called AE title, trimmed (in an AC: echoed from the RQ). */
  calledAeTitle: string;
  /** Calling AE title, trimmed (in an AC: echoed from the RQ). */
  callingAeTitle: string;
  /** Application context name (1.2.840.10008.3.1.1.1 for DICOM). */
  applicationContextName?: string;
  /** RQ only: presentation contexts proposed. */
  proposedContexts: DicomProposedContext[];
  /** AC only: presentation contexts answered. */
  acceptedContexts: DicomAcceptedContext[];
  /** User information. */
  userInformation?: DicomUserInformation;
}

/** A-ASSOCIATE-RJ (PS3.8 §9.3.4). */
export interface DicomAssociateRejectRecord {
  pdu: 'associate_rj';
  /** 1 rejected-permanent, 2 rejected-transient. */
  result: number;
  /** 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation). */
  source: number;
  /** Reason/diagnostic (meaning depends on `source`; e.g. 7 called AE title not recognised). */
  reason: number;
}

/** A-RELEASE-RQ / A-RELEASE-RP. */
export interface DicomReleaseRecord {
  pdu: 'release_rq' | 'release_rp';
}

/** A-ABORT (PS3.8 §9.3.8). */
export interface DicomAbortRecord {
  pdu: 'abort';
  /** 0 service-user, 2 service-provider. */
  source: number;
  /** Reason/diagnostic when the provider aborted. */
  reason: number;
}

/** One presentation data value (PS3.8 §9.3.5.1, Annex E.2). */
export interface DicomPdv {
  /** Presentation context id (odd). */
  presentationContextId: number;
  /** Message control header bit 0: the fragment belongs to a command (else a data set). */
  isCommand: boolean;
  /** Message control header bit 1: the last fragment of its command or data set. */
  isLast: boolean;
  /** Fragment bytes (a view into the PDU). Carries PHI in data sets: feed it to `DicomDatasetReader`, never store or log it. */
  fragment: Uint8Array;
}

/** P-DATA-TF. */
export interface DicomDataRecord {
  pdu: 'data';
  /** The PDVs, in order. */
  pdvs: DicomPdv[];
}

/** A PDU type this decoder does not know (only when called on an unframed PDU). */
export interface DicomUnknownRecord {
  pdu: 'unknown';
  /** The PDU type byte. */
  type: number;
}

/** What one PDU said. */
export type DicomUlRecord =
  | DicomAssociateRecord
  | DicomAssociateRejectRecord
  | DicomReleaseRecord
  | DicomAbortRecord
  | DicomDataRecord
  | DicomUnknownRecord;

const KNOWN_TYPES = new Set<number>(Object.values(DICOM_PDU_TYPE));

/** The DICOM application context name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/**
 * Why 16 AE-title bytes are not an AE value (PS3.5 §6.2 AE: default repertoire without control
 * characters or backslash, at most 16 bytes, not all spaces), or look like a person name value
 * (PN component separators `^` or `=`): undefined when they are a plausible AE title.
 */
export function aeTitleProblem(bytes: Uint8Array): string | undefined {
  let text = false;
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return b === 0 ? 'NUL padding' : 'control or non-ASCII character';
    if (b === 0x5c) return 'backslash';
    if (b === 0x5e || b === 0x3d) return 'person name separator';
    if (b !== 0x20) text = true;
  }
  return text ? undefined : 'all spaces';
}

/**
 * Whether an A-ASSOCIATE-RQ (or AC) body validates in every fixed field (PS3.8 §9.3.2, §9.3.3):
 * protocol version 0001H, the reserved fields zero, AE titles of the AE VR, and variable items
 * of the types the PDU may hold, each with a zero reserved byte, whose lengths add up exactly to
 * the body, the first being the application context item (10H) naming the DICOM application
 * context. Misframed bytes (the middle of a P-DATA PDU after a gap) fail it.
 */
export function associateValid(body: Uint8Array, isRq: boolean): boolean {
  if (body.length < 68) return false;
  if (body[0] !== 0x00 || body[1] !== 0x01 || body[2] !== 0 || body[3] !== 0) return false;
  if (aeTitleProblem(body.subarray(4, 20)) !== undefined || aeTitleProblem(body.subarray(20, 36)) !== undefined) return false;
  for (let i = 36; i < 68; i++) if (body[i] !== 0) return false;
  let pos = 68;
  let first = true;
  while (pos < body.length) {
    if (pos + 4 > body.length) return false;
    const type = body[pos] as number;
    const len = ((body[pos + 2] as number) << 8) | (body[pos + 3] as number);
    if (body[pos + 1] !== 0 || pos + 4 + len > body.length) return false;
    if (first) {
      if (type !== 0x10) return false;
      const name = decodeText(body.subarray(pos + 4, pos + 4 + len), 'latin1').replace(/[\0 ]+$/, '');
      if (name !== DICOM_APPLICATION_CONTEXT) return false;
      first = false;
    } else if (type !== 0x50 && type !== (isRq ? 0x20 : 0x21)) return false;
    pos += 4 + len;
  }
  return !first;
}

/**
 * Does the PDU header at `i` look like the start of a real PDU? Used only to resynchronise, so
 * it is stricter than framing: reserved byte 0, a length within the limit, and a plausible body
 * start for the types whose body has structure.
 */
function plausibleAt(buf: Uint8Array, i: number, maxPdu: number): boolean {
  const type = buf[i] as number;
  if (!KNOWN_TYPES.has(type) || buf[i + 1] !== 0) return false;
  if (i + 6 > buf.length) return true; // a header still arriving at the end of the buffer
  const len = ((buf[i + 2] as number) * 0x1000000) + (((buf[i + 3] as number) << 16) | ((buf[i + 4] as number) << 8) | (buf[i + 5] as number));
  if (len > maxPdu) return false;
  switch (type) {
    case DICOM_PDU_TYPE.associateRq:
    case DICOM_PDU_TYPE.associateAc:
      if (len < 68) return false;
      if (i + 6 + len <= buf.length) return associateValid(buf.subarray(i + 6, i + 6 + len), type === DICOM_PDU_TYPE.associateRq);
      return i + 8 > buf.length || (buf[i + 6] === 0 && buf[i + 7] === 1);
    case DICOM_PDU_TYPE.associateRj:
    case DICOM_PDU_TYPE.releaseRq:
    case DICOM_PDU_TYPE.releaseRp:
    case DICOM_PDU_TYPE.abort:
      return len === 4;
    default: {
      if (len < 6) return false;
      if (i + 12 > buf.length) return true;
      const pdvLen = ((buf[i + 6] as number) * 0x1000000) + (((buf[i + 7] as number) << 16) | ((buf[i + 8] as number) << 8) | (buf[i + 9] as number));
      return pdvLen >= 2 && pdvLen <= len - 4 && ((buf[i + 10] as number) & 1) === 1 && ((buf[i + 11] as number) & 0xfc) === 0;
    }
  }
}

/** Bytes to skip to reach the next plausible PDU header after offset 0 (always > 0). */
function resyncSkip(buf: Uint8Array, maxPdu: number): number {
  for (let i = 1; i < buf.length; i++) if (plausibleAt(buf, i, maxPdu)) return i;
  return buf.length;
}

/**
 * Frames the next PDU at the start of `buf` (one direction of a DICOM TCP stream, in order).
 * Never buffers more than `maxPduBytes` + 6: larger lengths (0xFFFFFFFF included) are reported
 * as `dicom.pdu_too_large` and the framer skips to the next plausible PDU header.
 * `resynchronising` (after a gap, or a flow picked up mid-stream): the header at offset 0 must be
 * plausible too (an association whose whole PDU validates, a P-DATA whose first PDV header fits),
 * else `dicom.resync` and a skip to the next one that is.
 */
export function frameDicomPdu(buf: Uint8Array, limits: DicomUlLimits = DICOM_UL_LIMITS, resynchronising = false): FramerResult<DicomPdu> {
  if (buf.length === 0) return { kind: 'incomplete', consumed: 0, needed: DICOM_PDU_HEADER_BYTES };
  const type = buf[0] as number;
  // After a gap (or when a flow is picked up mid-stream) only a header that validates is a PDU boundary.
  if (resynchronising && KNOWN_TYPES.has(type) && !plausibleAt(buf, 0, limits.maxPduBytes)) {
    return { kind: 'desync', skip: resyncSkip(buf, limits.maxPduBytes), anomaly: 'dicom.resync' };
  }
  if (!KNOWN_TYPES.has(type)) return { kind: 'desync', skip: resyncSkip(buf, limits.maxPduBytes), anomaly: 'dicom.unknown_pdu_type' };
  if (buf.length < DICOM_PDU_HEADER_BYTES) return { kind: 'incomplete', consumed: 0, needed: DICOM_PDU_HEADER_BYTES };
  const r = new ByteReader(buf);
  r.skip(2);
  const length = r.u32();
  if (length > limits.maxPduBytes) return { kind: 'desync', skip: resyncSkip(buf, limits.maxPduBytes), anomaly: 'dicom.pdu_too_large' };
  const total = DICOM_PDU_HEADER_BYTES + length;
  if (buf.length < total) return { kind: 'incomplete', consumed: 0, needed: total };
  return { kind: 'frame', frame: { type, length, body: buf.subarray(DICOM_PDU_HEADER_BYTES, total) }, consumed: total };
}

/** Decodes one framed PDU. */
export function decodeDicomPdu(pdu: DicomPdu, limits: DicomUlLimits = DICOM_UL_LIMITS): DecodeResult<DicomUlRecord> {
  const anomalies = new Set<AnomalyCode>();
  const r = new ByteReader(pdu.body);
  let value: DicomUlRecord;
  switch (pdu.type) {
    case DICOM_PDU_TYPE.associateRq:
    case DICOM_PDU_TYPE.associateAc:
      if (!associateValid(pdu.body, pdu.type === DICOM_PDU_TYPE.associateRq)) {
        // Not an association: nothing of it is read (its "AE titles" may be data-set bytes).
        anomalies.add('dicom.bad_associate');
        return { value: { pdu: 'unknown', type: pdu.type }, anomalies: [...anomalies] };
      }
      value = decodeAssociate(r, pdu.type === DICOM_PDU_TYPE.associateRq, limits, anomalies);
      break;
    case DICOM_PDU_TYPE.associateRj: {
      r.skip(1);
      value = { pdu: 'associate_rj', result: r.u8(), source: r.u8(), reason: r.u8() };
      break;
    }
    case DICOM_PDU_TYPE.releaseRq:
    case DICOM_PDU_TYPE.releaseRp:
      r.skip(4);
      value = { pdu: pdu.type === DICOM_PDU_TYPE.releaseRq ? 'release_rq' : 'release_rp' };
      break;
    case DICOM_PDU_TYPE.abort: {
      r.skip(2);
      value = { pdu: 'abort', source: r.u8(), reason: r.u8() };
      break;
    }
    case DICOM_PDU_TYPE.pData:
      value = decodePData(r, limits, anomalies);
      break;
    default:
      value = { pdu: 'unknown', type: pdu.type };
      anomalies.add('dicom.unknown_pdu_type');
      break;
  }
  if (r.failed) anomalies.add('dicom.bad_length');
  return { value, anomalies: [...anomalies] };
}

/** AE title: 16 bytes, space padded (leading and trailing spaces are not significant). */
function aeTitle(r: ByteReader): string {
  return printable(decodeText(r.bytes(16), 'latin1'), 16).trim();
}

/** A UID or name item value: trailing NUL/space padding removed, cut to `maxText`. */
function itemText(r: ByteReader, limits: DicomUlLimits): string {
  return printable(decodeText(r.rest(), 'latin1'), limits.maxText).replace(/[\0 ]+$/, '').trim();
}

function decodeAssociate(r: ByteReader, isRq: boolean, limits: DicomUlLimits, anomalies: Set<AnomalyCode>): DicomAssociateRecord {
  const protocolVersion = r.u16();
  r.skip(2);
  const calledAeTitle = aeTitle(r);
  const callingAeTitle = aeTitle(r);
  r.skip(32);
  const rec: DicomAssociateRecord = {
    pdu: isRq ? 'associate_rq' : 'associate_ac',
    protocolVersion,
    calledAeTitle,
    callingAeTitle,
    proposedContexts: [],
    acceptedContexts: [],
  };
  if (r.failed) return rec;
  // Variable items: each has a 4-byte header, so the walk ends after at most length/4 items.
  while (r.remaining > 0) {
    const itemType = r.u8();
    r.skip(1);
    const len = r.u16();
    const item = r.take(len);
    if (r.failed) break;
    switch (itemType) {
      case 0x10:
        rec.applicationContextName = itemText(item, limits);
        break;
      case 0x20:
        if (!isRq) { anomalies.add('dicom.unknown_item'); break; }
        if (rec.proposedContexts.length === limits.maxPresentationContexts) { anomalies.add('dicom.too_many_items'); break; }
        rec.proposedContexts.push(proposedContext(item, limits, anomalies));
        break;
      case 0x21:
        if (isRq) { anomalies.add('dicom.unknown_item'); break; }
        if (rec.acceptedContexts.length === limits.maxPresentationContexts) { anomalies.add('dicom.too_many_items'); break; }
        rec.acceptedContexts.push(acceptedContext(item, limits, anomalies));
        break;
      case 0x50:
        rec.userInformation = userInformation(item, limits, anomalies);
        break;
      default:
        anomalies.add('dicom.unknown_item');
        break;
    }
  }
  return rec;
}

function proposedContext(r: ByteReader, limits: DicomUlLimits, anomalies: Set<AnomalyCode>): DicomProposedContext {
  const id = r.u8();
  r.skip(3);
  const pc: DicomProposedContext = { id, transferSyntaxes: [] };
  while (r.remaining > 0 && !r.failed) {
    const type = r.u8();
    r.skip(1);
    const sub = r.take(r.u16());
    if (r.failed) break;
    if (type === 0x30) pc.abstractSyntax = itemText(sub, limits);
    else if (type === 0x40) {
      if (pc.transferSyntaxes.length === limits.maxTransferSyntaxes) anomalies.add('dicom.too_many_items');
      else pc.transferSyntaxes.push(itemText(sub, limits));
    } else anomalies.add('dicom.unknown_item');
  }
  if (r.failed) anomalies.add('dicom.bad_length');
  return pc;
}

function acceptedContext(r: ByteReader, limits: DicomUlLimits, anomalies: Set<AnomalyCode>): DicomAcceptedContext {
  const id = r.u8();
  r.skip(1);
  const result = r.u8();
  r.skip(1);
  const pc: DicomAcceptedContext = { id, result };
  while (r.remaining > 0 && !r.failed) {
    const type = r.u8();
    r.skip(1);
    const sub = r.take(r.u16());
    if (r.failed) break;
    if (type === 0x40) pc.transferSyntax = itemText(sub, limits);
    else anomalies.add('dicom.unknown_item');
  }
  if (r.failed) anomalies.add('dicom.bad_length');
  return pc;
}

function userInformation(r: ByteReader, limits: DicomUlLimits, anomalies: Set<AnomalyCode>): DicomUserInformation {
  const ui: DicomUserInformation = { roleSelections: [], subItemTypes: [] };
  while (r.remaining > 0 && !r.failed) {
    const type = r.u8();
    r.skip(1);
    const sub = r.take(r.u16());
    if (r.failed) break;
    if (ui.subItemTypes.length < 64) ui.subItemTypes.push(type);
    switch (type) {
      case 0x51:
        ui.maxPduLength = sub.u32();
        break;
      case 0x52:
        ui.implementationClassUid = itemText(sub, limits);
        break;
      case 0x53:
        ui.asyncOperations = { invoked: sub.u16(), performed: sub.u16() };
        break;
      case 0x54: {
        const uidLen = sub.u16();
        const uid = itemText(sub.take(uidLen), limits);
        const scu = sub.u8();
        const scp = sub.u8();
        if (!sub.failed && ui.roleSelections.length < limits.maxPresentationContexts) ui.roleSelections.push({ sopClassUid: uid, scu, scp });
        break;
      }
      case 0x55:
        ui.implementationVersionName = itemText(sub, limits);
        break;
      case 0x58:
        ui.userIdentityType = sub.u8(); // the identity (user name, passcode, token) is never read
        break;
      default:
        break; // 56H, 57H, 59H and private sub-items are skipped by length
    }
    if (sub.failed) anomalies.add('dicom.bad_length');
  }
  if (r.failed) anomalies.add('dicom.bad_length');
  return ui;
}

function decodePData(r: ByteReader, limits: DicomUlLimits, anomalies: Set<AnomalyCode>): DicomDataRecord {
  const rec: DicomDataRecord = { pdu: 'data', pdvs: [] };
  // Each PDV consumes at least its 4-byte length, so the walk ends.
  while (r.remaining > 0) {
    if (r.remaining < 4) { anomalies.add('dicom.bad_pdv'); break; }
    const len = r.u32();
    if (len < 2 || len > r.remaining) { anomalies.add('dicom.bad_pdv'); break; }
    const pdv = r.take(len);
    if (rec.pdvs.length === limits.maxPdvs) { anomalies.add('dicom.too_many_items'); continue; }
    const presentationContextId = pdv.u8();
    const header = pdv.u8();
    rec.pdvs.push({ presentationContextId, isCommand: (header & 1) === 1, isLast: (header & 2) === 2, fragment: pdv.rest() });
  }
  return rec;
}
