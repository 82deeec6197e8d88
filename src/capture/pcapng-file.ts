/**
 * \summary pcapng file reader: Section Header, Interface Description, Enhanced/Simple/obsolete
 * Packet blocks; every other block type is skipped by its length.
 *
 * Format: draft-ietf-opsawg-pcapng §3.1 (general block structure: type, total length, body,
 * total length again), §4.1 SHB (byte-order magic 0x1A2B3C4D; a file may hold several sections,
 * each with its own byte order, each starting a new interface list), §4.2 IDB (LinkType,
 * SnapLen; options if_tsresol (9) and if_tsoffset (14)), §4.3 EPB, §4.4 SPB (interface 0, no
 * timestamp, captured length min(original length, SnapLen)), Appendix A obsolete Packet Block.
 *
 * Hand-written: no maintained npm package streams pcapng with per-interface link type and
 * if_tsresol (the ones published either read the whole file, assume one interface at 10^-6 s,
 * or stopped being maintained), and the streaming driver in open-capture.ts needs a resumable
 * parser that hands out views into the chunk instead of copying.
 *
 * Timestamps: exact BigInt arithmetic (`pcapngTimestampToMicros`) is the reference; the hot path
 * (`PcapngClock`) uses plain numbers for 10^-6..10^-12 resolutions while the result is provably
 * exact below 2^53 and falls back to BigInt otherwise (a property test checks they agree).
 *
 * `data` of each frame views the chunk buffer: consumers must copy to keep it.
 */

import type { CapturedFrame } from './captured-frame.js';
import type { RecordParser, WarnFn } from './open-capture.js';

/** Block type codes (draft-ietf-opsawg-pcapng §10.1). */
export const PCAPNG_BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
} as const;

/** The Section Header Block's byte-order magic, as written by the section's writer. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** IDB option codes used here (§4.2). */
export const PCAPNG_OPTION = { END_OF_OPTIONS: 0, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;

/** Default if_tsresol: 10^-6 s. */
export const PCAPNG_DEFAULT_TSRESOL = 6;

/** Limits of the pcapng reader. */
export interface PcapngLimits {
  /** A block claiming more bytes than this is treated as damage (Wireshark caps blocks near 16 MiB too). */
  maxBlockLength: number;
}

export const PCAPNG_LIMITS: PcapngLimits = { maxBlockLength: 16 * 1024 * 1024 };

/** Warning codes this reader can raise (the driver adds `capture.truncated_record`). */
export const PCAPNG_WARNINGS = [
  'pcapng.bad_section_header',
  'pcapng.unsupported_version',
  'pcapng.bad_block_length',
  'pcapng.bad_option',
  'pcapng.unknown_interface',
  'capture.truncated_record',
] as const;

/** Smallest legal total length of each block type: 12 bytes of framing plus the fixed body. */
const MIN_BLOCK_LENGTH: Record<number, number> = {
  [PCAPNG_BLOCK.SECTION_HEADER]: 28,
  [PCAPNG_BLOCK.INTERFACE_DESCRIPTION]: 20,
  [PCAPNG_BLOCK.OBSOLETE_PACKET]: 32,
  [PCAPNG_BLOCK.SIMPLE_PACKET]: 16,
  [PCAPNG_BLOCK.ENHANCED_PACKET]: 32,
};
const MIN_ANY_BLOCK = 12;

/** What the fixed part of the first Section Header Block says. */
export interface PcapngSectionHeader {
  /** True when the section's multi-byte fields are little-endian. */
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  /** The SHB's total length. */
  blockLength: number;
}

/**
 * Checks the first 16 bytes of a pcapng file (SHB type, length, byte-order magic, version).
 * Returns a reason string when they are not a usable Section Header Block.
 */
export function readPcapngSectionHeader(head: Uint8Array): PcapngSectionHeader | string {
  if (head.length < 16) return `pcapng section header needs 16 bytes, file has ${head.length}`;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, true) !== PCAPNG_BLOCK.SECTION_HEADER) return 'not a pcapng file (first block is not a Section Header Block)';
  const littleEndian = byteOrderOf(view.getUint32(8, true));
  if (littleEndian === undefined) return 'pcapng section header has no valid byte-order magic';
  const versionMajor = view.getUint16(12, littleEndian);
  const versionMinor = view.getUint16(14, littleEndian);
  if (versionMajor !== 1) return `unsupported pcapng version ${versionMajor}.${versionMinor}`;
  const blockLength = view.getUint32(4, littleEndian);
  if (blockLength < 28 || blockLength % 4 !== 0) return `pcapng section header has a bad block length (${blockLength})`;
  return { littleEndian, versionMajor, versionMinor, blockLength };
}

function byteOrderOf(magicReadLittleEndian: number): boolean | undefined {
  if (magicReadLittleEndian === PCAPNG_BYTE_ORDER_MAGIC) return true;
  if (magicReadLittleEndian === 0x4d3c2b1a) return false;
  return undefined;
}

/**
 * Reference conversion of a pcapng timestamp to whole microseconds since the epoch (floor),
 * with if_tsresol (`tsresol`: high bit clear → units of 10^-n s, set → 2^-n s) and
 * if_tsoffset (`tsoffsetSeconds`, added). Exact for every input.
 */
export function pcapngTimestampToMicros(high: number, low: number, tsresol: number, tsoffsetSeconds: bigint): bigint {
  const ticks = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  const exponent = BigInt(tsresol & 0x7f);
  let micros: bigint;
  if ((tsresol & 0x80) !== 0) micros = (ticks * 1_000_000n) >> exponent;
  else if (exponent >= 6n) micros = ticks / 10n ** (exponent - 6n);
  else micros = ticks * 10n ** (6n - exponent);
  return micros + tsoffsetSeconds * 1_000_000n;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_21 = 2097152;

/** Per-interface timestamp conversion; plain-number fast path, BigInt when it could be inexact. */
export class PcapngClock {
  /** 0: ticks are µs; 1: ticks are 10^-(6+k) s with divisor 10^k ≤ 10^6; 2: BigInt always. */
  private readonly mode: 0 | 1 | 2;
  private readonly divisor: number;
  /** floor(2^32 / divisor) and 2^32 mod divisor, to split high·2^32 without overflow. */
  private readonly quotient: number;
  private readonly remainder: number;
  private readonly offsetMicros: number;

  constructor(
    readonly tsresol: number = PCAPNG_DEFAULT_TSRESOL,
    readonly tsoffsetSeconds: bigint = 0n,
  ) {
    const offset = tsoffsetSeconds * 1_000_000n;
    const offsetSafe = offset <= BigInt(Number.MAX_SAFE_INTEGER) && offset >= -BigInt(Number.MAX_SAFE_INTEGER);
    this.offsetMicros = Number(offset);
    if (!offsetSafe || (tsresol & 0x80) !== 0 || tsresol < 6 || tsresol > 12) {
      this.mode = 2; this.divisor = 1;
    } else if (tsresol === 6) {
      this.mode = 0; this.divisor = 1;
    } else {
      this.mode = 1; this.divisor = 10 ** (tsresol - 6);
    }
    this.quotient = Math.floor(TWO_POW_32 / this.divisor);
    this.remainder = TWO_POW_32 % this.divisor;
  }

  /** Microseconds since the epoch (floor) for the 64-bit timestamp high·2^32 + low. */
  toMicros(high: number, low: number): number {
    if (this.mode === 0) {
      // high < 2^21 keeps high·2^32 + low below 2^53, so the sum is exact.
      if (high < TWO_POW_21) return high * TWO_POW_32 + low + this.offsetMicros;
    } else if (this.mode === 1) {
      const d = this.divisor;
      // high·remainder < 2^32·2^20, plus low: below 2^53, exact; the floor division is exact too.
      const inner = high * this.remainder + low;
      const micros = high * this.quotient + (inner - (inner % d)) / d;
      if (micros <= Number.MAX_SAFE_INTEGER) return micros + this.offsetMicros;
    }
    return Number(pcapngTimestampToMicros(high, low, this.tsresol, this.tsoffsetSeconds));
  }
}

/** One interface of the current section. */
interface PcapngInterface {
  linkType: number;
  snaplen: number;
  clock: PcapngClock;
}

/** Resumable parser for a pcapng file (any number of sections); see RecordParser. */
export class PcapngParser implements RecordParser {
  need = MIN_ANY_BLOCK;
  stopped = false;
  private frameNo = 0;
  private lastTsMicros = 0;
  private inSection = false;
  private littleEndian = true;
  private interfaces: PcapngInterface[] = [];
  private readonly defaultClock = new PcapngClock();
  private viewOf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    private readonly warn: WarnFn,
    private readonly limits: PcapngLimits = PCAPNG_LIMITS,
  ) {}

  parse(buf: Buffer, start: number, base: number, out: CapturedFrame[], limit: number): number {
    if (this.stopped) return start;
    if (this.viewOf !== buf) {
      this.viewOf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.view;
    const end = buf.length;
    const maxBlock = this.limits.maxBlockLength;
    let pos = start;
    // Bounded: every iteration consumes one whole block (at least 12 bytes) or exits.
    while (out.length < limit) {
      if (end - pos < MIN_ANY_BLOCK) { this.need = MIN_ANY_BLOCK; break; }
      const type = view.getUint32(pos, this.littleEndian);
      if (type === PCAPNG_BLOCK.SECTION_HEADER) {
        // The SHB type reads the same in both orders; its byte-order magic fixes this section's order.
        const order = byteOrderOf(view.getUint32(pos + 8, true));
        if (order === undefined) {
          this.fail('pcapng.bad_section_header', base + pos, 'section header block has no valid byte-order magic');
          break;
        }
        this.littleEndian = order;
      } else if (!this.inSection) {
        this.fail('pcapng.bad_section_header', base + pos, 'first block is not a section header block');
        break;
      }
      const le = this.littleEndian;
      const length = view.getUint32(pos + 4, le);
      const minLength = MIN_BLOCK_LENGTH[type] ?? MIN_ANY_BLOCK;
      if (length < minLength || length % 4 !== 0 || length > maxBlock) {
        this.fail('pcapng.bad_block_length', base + pos,
          `block of type 0x${type.toString(16)} claims total length ${length} (minimum ${minLength}, multiple of 4, at most ${maxBlock})`);
        break;
      }
      if (end - pos < length) { this.need = length; break; }
      if (view.getUint32(pos + length - 4, le) !== length) {
        this.fail('pcapng.bad_block_length', base + pos, `block's trailing total length differs from its leading one (${length})`);
        break;
      }
      switch (type) {
        case PCAPNG_BLOCK.SECTION_HEADER: {
          const major = view.getUint16(pos + 12, le);
          if (major !== 1) {
            this.fail('pcapng.unsupported_version', base + pos, `unsupported pcapng section version ${major}.${view.getUint16(pos + 14, le)}`);
            return pos;
          }
          this.inSection = true;
          this.interfaces = [];
          break;
        }
        case PCAPNG_BLOCK.INTERFACE_DESCRIPTION:
          this.interfaces.push(this.readInterface(view, pos, length, base));
          break;
        case PCAPNG_BLOCK.ENHANCED_PACKET:
        case PCAPNG_BLOCK.OBSOLETE_PACKET: {
          // EPB: 32-bit interface id; OPB: 16-bit interface id then 16-bit drop count. Rest alike.
          const interfaceId = type === PCAPNG_BLOCK.ENHANCED_PACKET ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
          const capturedLength = view.getUint32(pos + 20, le);
          if (capturedLength > length - 32) {
            this.fail('pcapng.bad_block_length', base + pos,
              `packet block claims ${capturedLength} captured bytes but its body holds ${length - 32}`);
            return pos;
          }
          const iface = this.interfaces[interfaceId];
          if (iface === undefined) {
            this.warn('pcapng.unknown_interface', base + pos,
              `packet block refers to interface ${interfaceId}, section has ${this.interfaces.length}; block skipped`);
            break;
          }
          const tsMicros = iface.clock.toMicros(view.getUint32(pos + 12, le), view.getUint32(pos + 16, le));
          this.lastTsMicros = tsMicros;
          out.push({
            frameNo: ++this.frameNo,
            tsMicros,
            linkType: iface.linkType,
            originalLength: view.getUint32(pos + 24, le),
            data: new Uint8Array(buf.buffer, buf.byteOffset + pos + 28, capturedLength),
          });
          break;
        }
        case PCAPNG_BLOCK.SIMPLE_PACKET: {
          const iface = this.interfaces[0];
          if (iface === undefined) {
            this.warn('pcapng.unknown_interface', base + pos, 'simple packet block but the section has no interface; block skipped');
            break;
          }
          const originalLength = view.getUint32(pos + 8, le);
          // §4.4: captured length is min(original length, SnapLen of interface 0); the block bounds it too.
          let capturedLength = Math.min(originalLength, length - 16);
          if (iface.snaplen !== 0 && iface.snaplen < capturedLength) capturedLength = iface.snaplen;
          out.push({
            frameNo: ++this.frameNo,
            tsMicros: this.lastTsMicros, // an SPB has no timestamp: reuse the previous frame's
            linkType: iface.linkType,
            originalLength,
            data: new Uint8Array(buf.buffer, buf.byteOffset + pos + 12, capturedLength),
          });
          break;
        }
        default:
          break; // NRB, ISB, DSB, custom and unknown blocks: skipped by length
      }
      pos += length;
    }
    return pos;
  }

  private fail(code: string, offset: number, message: string): void {
    this.warn(code, offset, message);
    this.stopped = true;
  }

  private readInterface(view: DataView, pos: number, length: number, base: number): PcapngInterface {
    const le = this.littleEndian;
    const linkType = view.getUint16(pos + 8, le);
    const snaplen = view.getUint32(pos + 12, le);
    let tsresol = PCAPNG_DEFAULT_TSRESOL;
    let tsoffset = 0n;
    const optionsEnd = pos + length - 4;
    let o = pos + 16;
    // Bounded: each option advances o by at least 4.
    while (optionsEnd - o >= 4) {
      const code = view.getUint16(o, le);
      const optionLength = view.getUint16(o + 2, le);
      if (code === PCAPNG_OPTION.END_OF_OPTIONS) break;
      if (optionLength > optionsEnd - o - 4) {
        this.warn('pcapng.bad_option', base + o, `interface option ${code} claims ${optionLength} bytes past the end of its block`);
        break;
      }
      if (code === PCAPNG_OPTION.IF_TSRESOL && optionLength >= 1) tsresol = view.getUint8(o + 4);
      else if (code === PCAPNG_OPTION.IF_TSOFFSET && optionLength >= 8) tsoffset = view.getBigInt64(o + 4, le);
      o += 4 + ((optionLength + 3) & ~3);
    }
    const clock = tsresol === PCAPNG_DEFAULT_TSRESOL && tsoffset === 0n ? this.defaultClock : new PcapngClock(tsresol, tsoffset);
    return { linkType, snaplen, clock };
  }
}
