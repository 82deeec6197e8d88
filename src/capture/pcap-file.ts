/**
 * \summary Classic libpcap file reader: 24-byte file header, then 16-byte record headers, each
 * followed by `incl_len` captured bytes.
 *
 * Format: draft-ietf-opsawg-pcap (the "pcap" file format) §4 (file header) and §5 (packet
 * record); both byte orders (magic a1b2c3d4 written natively, d4c3b2a1 when swapped) and both
 * timestamp resolutions (a1b23c4d: nanoseconds). LinkType is the low 26 bits of the header's
 * last field (the top bits carry FCS information, §4 "LinkType and additional information").
 *
 * Hand-written: it is one loop over fixed-size headers, and the streaming driver in
 * open-capture.ts needs a resumable parser (returns where it stopped and how many bytes it
 * needs) that hands out views into the chunk it was given, never copying a record. pcap-parser
 * (npm) emits events per packet, copies its carried buffer on every chunk, and knows neither the
 * nanosecond magic nor pcapng.
 *
 * Hot loop: reads through one DataView per chunk, allocates only the CapturedFrame and a
 * plain Uint8Array view per record (not a Buffer: every later view of a Buffer goes through
 * Node's slower Buffer#subarray). `data` views the chunk buffer: consumers must copy to keep it.
 */

import type { CapturedFrame } from './captured-frame.js';
import type { RecordParser, WarnFn } from './open-capture.js';

/** Magic numbers as read big-endian from the first four bytes. */
export const PCAP_MAGIC = {
  /** Microsecond timestamps, written big-endian (or read on a host of the writer's order). */
  MICROS_BE: 0xa1b2c3d4,
  /** Microsecond timestamps, little-endian writer. */
  MICROS_LE: 0xd4c3b2a1,
  /** Nanosecond timestamps, big-endian writer. */
  NANOS_BE: 0xa1b23c4d,
  /** Nanosecond timestamps, little-endian writer. */
  NANOS_LE: 0x4d3cb2a1,
} as const;

/** Size of the classic pcap file header. */
export const PCAP_FILE_HEADER_LENGTH = 24;
/** Size of a classic pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** Limits of the pcap reader. */
export interface PcapLimits {
  /** A record claiming more captured bytes than this is treated as damage (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD). */
  maxRecordLength: number;
}

export const PCAP_LIMITS: PcapLimits = { maxRecordLength: 262144 };

/** Warning codes this reader can raise (the driver adds `capture.truncated_record`). */
export const PCAP_WARNINGS = ['pcap.bad_file_header', 'pcap.bad_record_length', 'capture.truncated_record'] as const;

/** What the file header says. */
export interface PcapFileHeader {
  /** True when multi-byte fields are little-endian. */
  littleEndian: boolean;
  /** True for nanosecond timestamps (magic a1b23c4d). */
  nanos: boolean;
  /** Format version, normally 2.4. */
  versionMajor: number;
  versionMinor: number;
  /** Largest captured length the writer promised. */
  snaplen: number;
  /** LINKTYPE_* of every record in the file. */
  linkType: number;
}

/**
 * Reads the 24-byte file header. Returns a reason string when `head` is not a pcap header
 * (wrong magic, too short, major version not 2), else the header.
 */
export function readPcapFileHeader(head: Uint8Array): PcapFileHeader | string {
  if (head.length < PCAP_FILE_HEADER_LENGTH) return `pcap file header needs ${PCAP_FILE_HEADER_LENGTH} bytes, file has ${head.length}`;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0, false);
  let littleEndian: boolean;
  let nanos: boolean;
  switch (magic) {
    case PCAP_MAGIC.MICROS_BE: littleEndian = false; nanos = false; break;
    case PCAP_MAGIC.MICROS_LE: littleEndian = true; nanos = false; break;
    case PCAP_MAGIC.NANOS_BE: littleEndian = false; nanos = true; break;
    case PCAP_MAGIC.NANOS_LE: littleEndian = true; nanos = true; break;
    default: return 'not a pcap file (unknown magic number)';
  }
  const versionMajor = view.getUint16(4, littleEndian);
  const versionMinor = view.getUint16(6, littleEndian);
  // Major version 2 is the only one ever written (1 predates 1998 and had a different record layout).
  if (versionMajor !== 2) return `unsupported pcap version ${versionMajor}.${versionMinor}`;
  return {
    littleEndian,
    nanos,
    versionMajor,
    versionMinor,
    snaplen: view.getUint32(16, littleEndian),
    linkType: view.getUint32(20, littleEndian) & 0x03ffffff,
  };
}

/** Resumable parser for one classic pcap file; see RecordParser for the calling convention. */
export class PcapParser implements RecordParser {
  need = PCAP_FILE_HEADER_LENGTH;
  stopped = false;
  /** The file header, once read. */
  header: PcapFileHeader | undefined;
  private frameNo = 0;
  private littleEndian = true;
  private nanos = false;
  private linkType = 0;
  private viewOf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    private readonly warn: WarnFn,
    private readonly limits: PcapLimits = PCAP_LIMITS,
  ) {}

  parse(buf: Buffer, start: number, base: number, out: CapturedFrame[], limit: number): number {
    if (this.stopped) return start;
    let pos = start;
    const end = buf.length;
    if (this.header === undefined) {
      if (end - pos < PCAP_FILE_HEADER_LENGTH) { this.need = PCAP_FILE_HEADER_LENGTH; return pos; }
      const header = readPcapFileHeader(buf.subarray(pos, pos + PCAP_FILE_HEADER_LENGTH));
      if (typeof header === 'string') {
        // openCapture checks the header before any frame; reaching here means a caller skipped that.
        this.warn('pcap.bad_file_header', base + pos, header);
        this.stopped = true;
        return pos;
      }
      this.header = header;
      this.littleEndian = header.littleEndian;
      this.nanos = header.nanos;
      this.linkType = header.linkType;
      pos += PCAP_FILE_HEADER_LENGTH;
    }
    if (this.viewOf !== buf) {
      this.viewOf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.view;
    const le = this.littleEndian;
    const maxRecord = this.limits.maxRecordLength;
    const linkType = this.linkType;
    const nanos = this.nanos;
    // Bounded: every iteration consumes at least a 16-byte record header or exits.
    while (out.length < limit) {
      if (end - pos < PCAP_RECORD_HEADER_LENGTH) { this.need = PCAP_RECORD_HEADER_LENGTH; break; }
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > maxRecord) {
        this.warn('pcap.bad_record_length', base + pos,
          `record header claims ${capturedLength} captured bytes, more than the limit of ${maxRecord}`);
        this.stopped = true;
        break;
      }
      const recordLength = PCAP_RECORD_HEADER_LENGTH + capturedLength;
      if (end - pos < recordLength) { this.need = recordLength; break; }
      const seconds = view.getUint32(pos, le);
      const fraction = view.getUint32(pos + 4, le);
      out.push({
        frameNo: ++this.frameNo,
        tsMicros: seconds * 1e6 + (nanos ? (fraction - (fraction % 1000)) / 1000 : fraction),
        linkType,
        originalLength: view.getUint32(pos + 12, le),
        data: new Uint8Array(buf.buffer, buf.byteOffset + pos + PCAP_RECORD_HEADER_LENGTH, capturedLength),
      });
      pos += recordLength;
    }
    return pos;
  }
}
