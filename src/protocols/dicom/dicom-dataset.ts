/**
 * \summary Incremental, allowlist-only DICOM data set walker (PS3.5 §7.1 data elements, §7.5
 * nesting, Annex A transfer syntaxes): fed the data set PDV fragments of one DIMSE message (one
 * presentation context), it extracts only the equipment attributes below and nothing else.
 *
 * Allowlist (top level only, never inside a sequence): (0002,0012) Implementation Class UID,
 * (0002,0013) Implementation Version Name, (0008,0005) Specific Character Set (to decode the
 * rest), (0008,0016) SOP Class UID, (0008,0060) Modality, (0008,0070) Manufacturer, (0008,1010)
 * Station Name, (0008,1090) Manufacturer's Model Name, (0018,1000) Device Serial Number,
 * (0018,1016) Secondary Capture Device Manufacturer, (0018,1017) Hardcopy Device Manufacturer,
 * (0018,1018) Secondary Capture Device Manufacturer's Model Name, (0018,1019) Secondary Capture
 * Device Software Versions, (0018,1020) Software Versions.
 *
 * Every other element — group 0010 (patient), (0008,0050) accession number, (0008,0090)
 * referring physician, descriptions, UIDs, and anything inside a sequence — is skipped by its
 * length without being buffered or decoded: a `skipRemaining` counter carries a skip across
 * fragments, so pixel data and large values never sit in memory. Undefined-length sequences and
 * items are walked by their delimiters (PS3.5 §7.5.2) without keeping their content. Data sets
 * are sorted by tag (PS3.5 §7.1), so the walk stops for good at the first top-level tag past
 * (0018,1020) or at (7FE0,0010) Pixel Data; later fragments are ignored.
 *
 * Transfer syntaxes: Implicit VR Little Endian, Explicit VR Little Endian (and every
 * encapsulated syntax, whose data set is explicit little endian), Explicit VR Big Endian, and
 * Deflated Explicit VR Little Endian, inflated with `zlib.inflateRawSync` under a
 * `maxOutputLength` cap (a pure function of bytes, so allowed in a decoder); a bomb past the cap
 * gives `dicom.inflate_limit` and a smaller prefix of the input is inflated instead.
 *
 * Hand-written: dicom-parser and dcmjs parse whole files into memory and read every value,
 * patient data included; this walker never turns a non-allowlisted value into a string.
 * No I/O, no logging, no clock; never throws.
 */
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { decodeText, printable } from '../../decode/bytes.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/** Knobs bounding what one data set may cost. */
export interface DicomDatasetLimits {
  /** Most element headers walked (nested ones included); past it: `dicom.too_many_elements`. */
  maxElements: number;
  /** Deepest nesting of undefined-length sequences and items; past it: `dicom.too_deep`. */
  maxDepth: number;
  /** Longest allowlisted value read, in bytes; longer ones are skipped (`dicom.value_too_long`). */
  maxValueBytes: number;
  /** Deflated syntax: most compressed bytes kept before inflating (the equipment tags come first). */
  maxDeflatedInputBytes: number;
  /** Deflated syntax: most bytes one inflate may produce; past it: `dicom.inflate_limit`. */
  maxInflatedBytes: number;
}

/** Defaults: generous for real headers (a CT header has a few hundred elements). */
export const DICOM_DATASET_LIMITS: Readonly<DicomDatasetLimits> = {
  maxElements: 20_000,
  maxDepth: 16,
  maxValueBytes: 1024,
  maxDeflatedInputBytes: 256 * 1024,
  maxInflatedBytes: 4 * 1024 * 1024,
};

/** Every anomaly code `DicomDatasetReader` can report. */
export const DICOM_DATASET_ANOMALIES = [
  /** The data set ended inside an element (a length pointing past the end). */
  'dicom.element_truncated',
  /** An explicit VR that is not two upper-case letters; the walk stops. */
  'dicom.bad_vr',
  /** An undefined length on an element that cannot have one; the walk stops. */
  'dicom.bad_length',
  /** An allowlisted value longer than `maxValueBytes` (skipped, not read). */
  'dicom.value_too_long',
  /** Nesting deeper than `maxDepth`; the walk stops. */
  'dicom.too_deep',
  /** More element headers than `maxElements`; the walk stops. */
  'dicom.too_many_elements',
  /** An item or delimiter where none may be (top level). */
  'dicom.unexpected_delimiter',
  /** The data set ended inside an undefined-length sequence or item. */
  'dicom.unterminated_sequence',
  /** Inflating the deflated data set hit `maxInflatedBytes` (a deflate bomb, or a huge data set). */
  'dicom.inflate_limit',
  /** The deflated data set is not valid raw deflate. */
  'dicom.inflate_error',
] as const satisfies readonly AnomalyCode[];

type DatasetAnomaly = (typeof DICOM_DATASET_ANOMALIES)[number];

/** Transfer syntax UIDs (PS3.5 Annex A). */
export const DICOM_TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/** How the data set is encoded. */
export type DicomDatasetEncoding = 'implicit_le' | 'explicit_le' | 'explicit_be' | 'deflated_explicit_le';

/** Why the walk ended. */
export type DicomDatasetStop = 'pixel_data' | 'past_allowlist' | 'end' | 'error';

/** The equipment attributes of one data set. Nothing else is ever read. */
export interface DicomDeviceAttributes {
  /** Encoding used to walk the data set (from the accepted transfer syntax). */
  encoding: DicomDatasetEncoding;
  /** Top-level and nested element headers walked. */
  elementCount: number;
  /** Why the walk ended (absent while it is still running). */
  stoppedAt?: DicomDatasetStop;
  /** (0002,0012) Implementation Class UID (only when a sender puts file meta in the data set). */
  implementationClassUid?: string;
  /** (0002,0013) Implementation Version Name. */
  implementationVersionName?: string;
  /** (0008,0005) Specific Character Set (values, backslash-separated as sent). */
  specificCharacterSet?: string;
  /** (0008,0016) SOP Class UID. */
  sopClassUid?: string;
  /** (0008,0060) Modality (`CT`, `MR`, `US`, ...). */
  modality?: string;
  /** (0008,0070) Manufacturer. */
  manufacturer?: string;
  /** (0008,1010) Station Name. */
  stationName?: string;
  /** (0008,1090) Manufacturer's Model Name. */
  manufacturerModelName?: string;
  /** (0018,1000) Device Serial Number. */
  deviceSerialNumber?: string;
  /** (0018,1016) Secondary Capture Device Manufacturer. */
  secondaryCaptureDeviceManufacturer?: string;
  /** (0018,1017) Hardcopy Device Manufacturer. */
  hardcopyDeviceManufacturer?: string;
  /** (0018,1018) Secondary Capture Device Manufacturer's Model Name. */
  secondaryCaptureDeviceModelName?: string;
  /** (0018,1019) Secondary Capture Device Software Versions (one entry per value). */
  secondaryCaptureDeviceSoftwareVersions?: string[];
  /** (0018,1020) Software Versions (one entry per value). */
  softwareVersions?: string[];
}

type StringKey =
  | 'implementationClassUid' | 'implementationVersionName' | 'specificCharacterSet' | 'sopClassUid'
  | 'modality' | 'manufacturer' | 'stationName' | 'manufacturerModelName' | 'deviceSerialNumber'
  | 'secondaryCaptureDeviceManufacturer' | 'hardcopyDeviceManufacturer' | 'secondaryCaptureDeviceModelName';
type ListKey = 'secondaryCaptureDeviceSoftwareVersions' | 'softwareVersions';

/** Allowlisted tags (group << 16 | element) → record field. */
export const DICOM_DEVICE_TAGS: ReadonlyMap<number, StringKey | ListKey> = new Map<number, StringKey | ListKey>([
  [0x00020012, 'implementationClassUid'],
  [0x00020013, 'implementationVersionName'],
  [0x00080005, 'specificCharacterSet'],
  [0x00080016, 'sopClassUid'],
  [0x00080060, 'modality'],
  [0x00080070, 'manufacturer'],
  [0x00081010, 'stationName'],
  [0x00081090, 'manufacturerModelName'],
  [0x00181000, 'deviceSerialNumber'],
  [0x00181016, 'secondaryCaptureDeviceManufacturer'],
  [0x00181017, 'hardcopyDeviceManufacturer'],
  [0x00181018, 'secondaryCaptureDeviceModelName'],
  [0x00181019, 'secondaryCaptureDeviceSoftwareVersions'],
  [0x00181020, 'softwareVersions'],
]);

const LIST_KEYS = new Set<string>(['secondaryCaptureDeviceSoftwareVersions', 'softwareVersions']);
/** The last allowlisted tag: a sorted data set holds nothing more for us after it. */
const LAST_ALLOWLISTED = 0x00181020;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xe000;
const ITEM_DELIMITATION = 0xe00d;
const SEQUENCE_DELIMITATION = 0xe0dd;
/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** Explicit VRs that may carry an undefined length (sequences, encapsulated pixel data, UN). */
const UNDEFINED_LENGTH_VRS = new Set(['SQ', 'UN', 'OB', 'OW']);

/** Maps a transfer syntax UID to how its data set is encoded (unknown ones: explicit VR LE). */
export function datasetEncoding(transferSyntaxUid: string): DicomDatasetEncoding {
  switch (transferSyntaxUid.replace(/[\0 ]+$/, '')) {
    case DICOM_TRANSFER_SYNTAX.implicitLittle: return 'implicit_le';
    case DICOM_TRANSFER_SYNTAX.explicitBig: return 'explicit_be';
    case DICOM_TRANSFER_SYNTAX.deflatedExplicitLittle: return 'deflated_explicit_le';
    default: return 'explicit_le';
  }
}

/**
 * Walks one data set, fragment by fragment. Feed every data set PDV fragment of one DIMSE
 * message with `push(fragment, isLast)`; read `result()` at any time. Holds at most a 12-byte
 * header, one allowlisted value (`maxValueBytes`) and, for the deflated syntax only, up to
 * `maxDeflatedInputBytes` of compressed input.
 */
export class DicomDatasetReader {
  private readonly limits: DicomDatasetLimits;
  private readonly attributes: DicomDeviceAttributes;
  private readonly anomalies = new Set<DatasetAnomaly>();
  /** Explicit VR at the top level (false: implicit). */
  private explicit: boolean;
  private littleEndian: boolean;
  /** One entry per open undefined-length sequence or item: true when its content is implicit VR LE (a UN sequence). */
  private readonly nesting: boolean[] = [];
  private readonly header = new Uint8Array(12);
  private headerLength = 0;
  /** Bytes of the current element still to skip (may span many fragments). */
  private skipRemaining = 0;
  /** The allowlisted value being read, its tag and how much of it has arrived. */
  private value: Uint8Array | undefined;
  private valueTag = 0;
  private valueFill = 0;
  /** Deflated syntax: compressed fragments waiting to be inflated. */
  private deflated: Uint8Array[] | undefined;
  private deflatedBytes = 0;
  private finished = false;
  private useUtf8 = false;

  constructor(transferSyntaxUid: string, limits: DicomDatasetLimits = DICOM_DATASET_LIMITS) {
    this.limits = limits;
    const encoding = datasetEncoding(transferSyntaxUid);
    this.attributes = { encoding, elementCount: 0 };
    this.explicit = encoding !== 'implicit_le';
    this.littleEndian = encoding !== 'explicit_be';
    if (encoding === 'deflated_explicit_le') this.deflated = [];
  }

  /** True once the walk has ended; later fragments are ignored without being buffered. */
  get done(): boolean {
    return this.finished;
  }

  /** The attributes found so far and the anomalies met. */
  result(): DecodeResult<DicomDeviceAttributes> {
    const value = { ...this.attributes };
    for (const k of LIST_KEYS) {
      const list = value[k as ListKey];
      if (list) value[k as ListKey] = [...list];
    }
    return { value, anomalies: [...this.anomalies] };
  }

  /** Feeds the next data set fragment; `isLast` is the PDV's last-fragment bit. */
  /** Bytes this reader holds now: the value being read and the deflated input collected. */
  get heldBytes(): number {
    return (this.value?.length ?? 0) + this.deflatedBytes;
  }

  push(fragment: Uint8Array, isLast = false): void {
    if (this.finished) return;
    if (this.deflated) {
      this.collectDeflated(fragment, isLast);
      return;
    }
    this.walk(fragment);
    if (isLast) this.end(true);
  }

  private finish(stop: DicomDatasetStop): void {
    this.finished = true;
    this.attributes.stoppedAt = stop;
    this.skipRemaining = 0;
    this.value = undefined;
  }

  /** The data set is over: anything still open is reported when the input was complete. */
  private end(complete: boolean): void {
    if (this.finished) return;
    if (complete) {
      if (this.headerLength > 0 || this.skipRemaining > 0 || this.value) this.anomalies.add('dicom.element_truncated');
      else if (this.nesting.length > 0) this.anomalies.add('dicom.unterminated_sequence');
    }
    this.finish('end');
  }

  private collectDeflated(fragment: Uint8Array, isLast: boolean): void {
    const chunks = this.deflated as Uint8Array[];
    const room = this.limits.maxDeflatedInputBytes - this.deflatedBytes;
    const take = fragment.subarray(0, Math.max(0, room));
    if (take.length > 0) {
      chunks.push(Uint8Array.from(take)); // copied: the caller's buffer is reused
      this.deflatedBytes += take.length;
    }
    const full = this.deflatedBytes >= this.limits.maxDeflatedInputBytes;
    if (!isLast && !full) return;
    const input = new Uint8Array(this.deflatedBytes);
    let off = 0;
    for (const c of chunks) { input.set(c, off); off += c.length; }
    this.deflated = undefined;
    this.deflatedBytes = 0;
    const inflated = this.inflate(input);
    if (inflated === undefined) { this.finish('error'); return; }
    this.walk(inflated.bytes);
    this.end(isLast && inflated.whole);
  }

  /**
   * Raw inflate under the output cap. Z_SYNC_FLUSH accepts a truncated stream (a cut input, or a
   * prefix retried after a bomb) and returns what it inflated so far.
   */
  private inflate(input: Uint8Array): { bytes: Uint8Array; whole: boolean } | undefined {
    for (const size of [input.length, input.length >>> 4, input.length >>> 8]) {
      if (size === 0) continue;
      try {
        const out = inflateRawSync(input.subarray(0, size), {
          finishFlush: zlibConstants.Z_SYNC_FLUSH,
          maxOutputLength: this.limits.maxInflatedBytes,
        });
        return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.length), whole: size === input.length };
      } catch (e: unknown) {
        if ((e as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
          this.anomalies.add('dicom.inflate_limit');
          continue;
        }
        this.anomalies.add('dicom.inflate_error');
        return undefined;
      }
    }
    return undefined;
  }

  /** Current nesting uses implicit VR LE (top level implicit, or inside a UN sequence). */
  private get implicitHere(): boolean {
    return !this.explicit || this.nesting[this.nesting.length - 1] === true;
  }

  private get littleHere(): boolean {
    return this.littleEndian || this.nesting[this.nesting.length - 1] === true;
  }

  private u16(at: number): number {
    const h = this.header;
    return this.littleHere ? (h[at] as number) | ((h[at + 1] as number) << 8) : ((h[at] as number) << 8) | (h[at + 1] as number);
  }

  private u32(at: number): number {
    const h = this.header;
    return this.littleHere
      ? ((h[at] as number) | ((h[at + 1] as number) << 8) | ((h[at + 2] as number) << 16)) + (h[at + 3] as number) * 0x1000000
      : (h[at] as number) * 0x1000000 + (((h[at + 1] as number) << 16) | ((h[at + 2] as number) << 8) | (h[at + 3] as number));
  }

  /** Header bytes needed to decode the element header being assembled. */
  private headerNeed(): number {
    if (this.headerLength < 4) return 4;
    if (this.u16(0) === 0xfffe || this.implicitHere) return 8;
    if (this.headerLength < 6) return 6;
    return LONG_VRS.has(String.fromCharCode(this.header[4] as number, this.header[5] as number)) ? 12 : 8;
  }

  private walk(buf: Uint8Array): void {
    let pos = 0;
    while (pos < buf.length && !this.finished) {
      if (this.skipRemaining > 0) {
        const n = Math.min(this.skipRemaining, buf.length - pos);
        this.skipRemaining -= n;
        pos += n;
        continue;
      }
      if (this.value) {
        const n = Math.min(this.value.length - this.valueFill, buf.length - pos);
        this.value.set(buf.subarray(pos, pos + n), this.valueFill);
        this.valueFill += n;
        pos += n;
        if (this.valueFill === this.value.length) this.storeValue();
        continue;
      }
      const need = this.headerNeed();
      const n = Math.min(need - this.headerLength, buf.length - pos);
      this.header.set(buf.subarray(pos, pos + n), this.headerLength);
      this.headerLength += n;
      pos += n;
      if (this.headerLength < need || this.headerNeed() > this.headerLength) continue;
      this.onHeader();
      this.headerLength = 0;
    }
  }

  private onHeader(): void {
    const group = this.u16(0);
    const element = this.u16(2);
    if (this.attributes.elementCount === this.limits.maxElements) {
      this.anomalies.add('dicom.too_many_elements');
      this.finish('error');
      return;
    }
    this.attributes.elementCount++;
    if (group === 0xfffe) {
      const length = this.u32(4);
      if (element === ITEM) {
        if (this.nesting.length === 0) this.anomalies.add('dicom.unexpected_delimiter');
        if (length === UNDEFINED_LENGTH) this.open(this.nesting[this.nesting.length - 1] === true);
        else this.skipRemaining = length;
      } else if (element === ITEM_DELIMITATION || element === SEQUENCE_DELIMITATION) {
        if (this.nesting.length === 0) this.anomalies.add('dicom.unexpected_delimiter');
        else this.nesting.pop();
      } else if (length !== UNDEFINED_LENGTH) {
        this.skipRemaining = length;
      }
      return;
    }
    let length: number;
    let vr = '';
    if (this.implicitHere) {
      length = this.u32(4);
    } else {
      const a = this.header[4] as number, b = this.header[5] as number;
      if (a < 0x41 || a > 0x5a || b < 0x41 || b > 0x5a) {
        this.anomalies.add('dicom.bad_vr');
        this.finish('error');
        return;
      }
      vr = String.fromCharCode(a, b);
      length = LONG_VRS.has(vr) ? this.u32(8) : this.u16(6);
    }
    const tag = ((group << 16) | element) >>> 0;
    if (this.nesting.length === 0) {
      if (tag === PIXEL_DATA) { this.finish('pixel_data'); return; }
      if (tag > LAST_ALLOWLISTED) { this.finish('past_allowlist'); return; }
      if (DICOM_DEVICE_TAGS.has(tag)) {
        if (length === UNDEFINED_LENGTH) { this.anomalies.add('dicom.bad_length'); this.finish('error'); return; }
        if (length > this.limits.maxValueBytes) { this.anomalies.add('dicom.value_too_long'); this.skipRemaining = length; return; }
        if (length > 0) {
          this.value = new Uint8Array(length);
          this.valueTag = tag;
          this.valueFill = 0;
        }
        return;
      }
    }
    if (length === UNDEFINED_LENGTH) {
      if (vr !== '' && !UNDEFINED_LENGTH_VRS.has(vr)) { this.anomalies.add('dicom.bad_length'); this.finish('error'); return; }
      // A UN sequence's content is implicit VR little endian (PS3.5 §6.2.2 note).
      this.open(this.nesting[this.nesting.length - 1] === true || vr === 'UN');
      return;
    }
    this.skipRemaining = length;
  }

  private open(implicitContent: boolean): void {
    if (this.nesting.length === this.limits.maxDepth) {
      this.anomalies.add('dicom.too_deep');
      this.finish('error');
      return;
    }
    this.nesting.push(implicitContent);
  }

  private storeValue(): void {
    const bytes = this.value as Uint8Array;
    this.value = undefined;
    const key = DICOM_DEVICE_TAGS.get(this.valueTag);
    if (key === undefined) return;
    const raw = decodeText(bytes, this.useUtf8 ? 'utf8' : 'latin1');
    const values = raw.split('\\').map((v) => printable(v.replace(/[\0 ]+$/, '').trim(), this.limits.maxValueBytes)).filter((v) => v !== '');
    if (values.length === 0) return;
    if (key === 'softwareVersions' || key === 'secondaryCaptureDeviceSoftwareVersions') {
      this.attributes[key] = values;
      return;
    }
    if (key === 'specificCharacterSet') this.useUtf8 = values.includes('ISO_IR 192');
    this.attributes[key] = values.join('\\');
  }
}
