/**
 * \summary DIMSE command set decoder (PS3.7 §6.3, §9.3, §10.3; command sets are always Implicit
 * VR Little Endian, PS3.7 §6.3.1): walks the group 0000 elements of a complete command (the
 * concatenated command PDV fragments) and keeps only Command Field, Affected/Requested SOP Class
 * UID, Command Data Set Type, Status and the C-MOVE AE titles. Affected SOP Instance UID and
 * every other element are skipped by length, never read.
 *
 * Hand-written: a dozen fixed elements in one fixed encoding; a general DICOM parser would read
 * every value. Pure: no I/O, no logging, no clock; never throws.
 */
import { ByteReader, decodeText, printable } from '../../decode/bytes.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/** Knobs bounding what one command set may cost. */
export interface DicomCommandLimits {
  /** Most elements walked; past it: `dicom.too_many_elements`. */
  maxElements: number;
}

/** Defaults: a command set has about ten elements. */
export const DICOM_COMMAND_LIMITS: Readonly<DicomCommandLimits> = { maxElements: 64 };

/** Every anomaly code `decodeDicomCommand` can report. */
export const DICOM_COMMAND_ANOMALIES = [
  /** An element's length runs past the end of the command set. */
  'dicom.element_truncated',
  /** An element outside group 0000 in a command set. */
  'dicom.bad_command_element',
  /** More elements than `maxElements`. */
  'dicom.too_many_elements',
] as const satisfies readonly AnomalyCode[];

/** Command Field values (PS3.7 Annex E) → names. */
export const DIMSE_COMMANDS: Readonly<Record<number, string>> = {
  0x0001: 'C-STORE-RQ', 0x8001: 'C-STORE-RSP',
  0x0010: 'C-GET-RQ', 0x8010: 'C-GET-RSP',
  0x0020: 'C-FIND-RQ', 0x8020: 'C-FIND-RSP',
  0x0021: 'C-MOVE-RQ', 0x8021: 'C-MOVE-RSP',
  0x0030: 'C-ECHO-RQ', 0x8030: 'C-ECHO-RSP',
  0x0100: 'N-EVENT-REPORT-RQ', 0x8100: 'N-EVENT-REPORT-RSP',
  0x0110: 'N-GET-RQ', 0x8110: 'N-GET-RSP',
  0x0120: 'N-SET-RQ', 0x8120: 'N-SET-RSP',
  0x0130: 'N-ACTION-RQ', 0x8130: 'N-ACTION-RSP',
  0x0140: 'N-CREATE-RQ', 0x8140: 'N-CREATE-RSP',
  0x0150: 'N-DELETE-RQ', 0x8150: 'N-DELETE-RSP',
  0x0fff: 'C-CANCEL-RQ',
};

/** Command Data Set Type value meaning "no data set follows" (PS3.7 §E.1). */
export const DIMSE_NO_DATASET = 0x0101;

/** What a DIMSE command set said. */
export interface DicomCommandRecord {
  /** (0000,0100) Command Field. */
  commandField?: number;
  /** Its name (`C-STORE-RQ`, ...), absent for unknown values. */
  command?: string;
  /** (0000,0002) Affected SOP Class UID. */
  affectedSopClassUid?: string;
  /** (0000,0003) Requested SOP Class UID (N-services). */
  requestedSopClassUid?: string;
  /** (0000,0800) Command Data Set Type: whether a data set follows (anything but 0101H). */
  hasDataset?: boolean;
  /** (0000,0900) Status (responses). */
  status?: number;
  /** (0000,0600) Move Destination AE title (C-MOVE-RQ). */
  moveDestination?: string;
  /** (0000,1030) Move Originator AE title (C-STORE sub-operations of a C-MOVE). */
  moveOriginatorAeTitle?: string;
}

const UNDEFINED_LENGTH = 0xffffffff;

/** Decodes a complete DIMSE command set (Implicit VR Little Endian). */
export function decodeDicomCommand(command: Uint8Array, limits: DicomCommandLimits = DICOM_COMMAND_LIMITS): DecodeResult<DicomCommandRecord> {
  const r = new ByteReader(command);
  const rec: DicomCommandRecord = {};
  const anomalies = new Set<AnomalyCode>();
  let elements = 0;
  while (r.remaining >= 8) {
    if (elements === limits.maxElements) { anomalies.add('dicom.too_many_elements'); break; }
    elements++;
    const group = r.u16le();
    const element = r.u16le();
    const length = r.u32le();
    if (group !== 0x0000 || length === UNDEFINED_LENGTH) { anomalies.add('dicom.bad_command_element'); break; }
    if (length > r.remaining) { anomalies.add('dicom.element_truncated'); break; }
    const v = r.take(length);
    switch (element) {
      case 0x0002: rec.affectedSopClassUid = uid(v); break;
      case 0x0003: rec.requestedSopClassUid = uid(v); break;
      case 0x0100: {
        rec.commandField = v.u16le();
        const name = DIMSE_COMMANDS[rec.commandField];
        if (name !== undefined) rec.command = name;
        break;
      }
      case 0x0800: rec.hasDataset = v.u16le() !== DIMSE_NO_DATASET; break;
      case 0x0900: rec.status = v.u16le(); break;
      case 0x0600: rec.moveDestination = uid(v).trim(); break;
      case 0x1030: rec.moveOriginatorAeTitle = uid(v).trim(); break;
      default: break; // skipped by length, never read
    }
  }
  if (anomalies.size === 0 && r.remaining > 0) anomalies.add('dicom.element_truncated'); // 1..7 trailing bytes
  return { value: rec, anomalies: [...anomalies] };
}

/** A UI/AE value: NUL or space padding removed, at most 64 characters. */
function uid(v: ByteReader): string {
  return printable(decodeText(v.rest(), 'latin1'), 64).replace(/[\0 ]+$/, '');
}
