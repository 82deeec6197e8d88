/**
 * \summary Test-only helpers for capture files: build pcap/pcapng files byte by byte (either
 * byte order, nanosecond pcap, pcapng if_tsresol/if_tsoffset, SPB/OPB, several sections), walk
 * their record boundaries, and ask tshark what it reads in a file (the oracle).
 *
 * Written independently of src/capture (no imports from it), so that a mistake in the readers
 * is not repeated here.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What tshark prints for one frame: frame.number, frame.time_epoch (as µs, floor), frame.len, frame.cap_len. */
export interface OracleFrame {
  frameNo: number;
  /** null when tshark shows no time (pcapng Simple Packet Blocks carry none). */
  tsMicros: number | null;
  originalLength: number;
  capturedLength: number;
}

let tsharkChecked: boolean | undefined;
/** True when a working tshark is on the PATH. */
export function hasTshark(): boolean {
  tsharkChecked ??= spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
  return tsharkChecked;
}

/** The raw `tshark -T fields` text for a file (the committed `.tshark.tsv` format). */
export function tsharkFieldsText(path: string): string {
  const run = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  return run.stdout;
}

/** Parses `frame.time_epoch` ("1742291025.393317000") into whole µs, flooring as the readers do. */
export function epochTextToMicros(text: string): number {
  const negative = text.startsWith('-');
  const [secText = '0', fracText = ''] = (negative ? text.slice(1) : text).split('.');
  const micros = BigInt(secText) * 1_000_000n + BigInt((fracText + '000000').slice(0, 6));
  return Number(negative ? -micros : micros);
}

export function parseTsharkFields(text: string): OracleFrame[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [n = '', ts = '', len = '', capLen = ''] = line.split('\t');
    return { frameNo: Number(n), tsMicros: ts === '' ? null : epochTextToMicros(ts), originalLength: Number(len), capturedLength: Number(capLen) };
  });
}

/** Frames as tshark reads them from `path`. */
export function tsharkFrames(path: string): OracleFrame[] {
  return parseTsharkFields(tsharkFieldsText(path));
}

let scratch: string | undefined;
/** Writes bytes to a fresh file in a per-process scratch directory and returns its path. */
export function writeScratch(name: string, bytes: Uint8Array): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'auscult-capture-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}

// ---------------------------------------------------------------------------------------------
// Writing

class ByteWriter {
  private parts: Buffer[] = [];
  constructor(private readonly littleEndian: boolean) {}
  u8(v: number): this { this.parts.push(Buffer.from([v & 0xff])); return this; }
  u16(v: number): this { const b = Buffer.alloc(2); if (this.littleEndian) b.writeUInt16LE(v); else b.writeUInt16BE(v); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); if (this.littleEndian) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); this.parts.push(b); return this; }
  i64(v: bigint): this { const b = Buffer.alloc(8); if (this.littleEndian) b.writeBigInt64LE(v); else b.writeBigInt64BE(v); this.parts.push(b); return this; }
  bytes(v: Uint8Array): this { this.parts.push(Buffer.from(v)); return this; }
  pad4(): this { const n = this.length % 4; if (n !== 0) this.parts.push(Buffer.alloc(4 - n)); return this; }
  get length(): number { return this.parts.reduce((a, b) => a + b.length, 0); }
  done(): Buffer { return Buffer.concat(this.parts); }
}

export interface PcapRecordSpec {
  seconds: number;
  /** µs, or ns when the file is nanosecond. */
  fraction: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  originalLength?: number;
  /** Overrides the incl_len field (to forge damage). */
  capturedLengthField?: number;
}

export interface PcapSpec {
  littleEndian: boolean;
  nanos: boolean;
  linkType: number;
  snaplen?: number;
  records: PcapRecordSpec[];
}

/** A classic pcap file written in the given byte order and resolution. */
export function buildPcap(spec: PcapSpec): Buffer {
  const w = new ByteWriter(spec.littleEndian);
  w.u32(spec.nanos ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(spec.snaplen ?? 262144).u32(spec.linkType);
  for (const r of spec.records) {
    w.u32(r.seconds).u32(r.fraction).u32(r.capturedLengthField ?? r.data.length).u32(r.originalLength ?? r.data.length).bytes(r.data);
  }
  return w.done();
}

/** Reads a classic pcap file (either order) into a PcapSpec. */
export function readPcapSpec(buf: Buffer): PcapSpec {
  const magicLe = buf.readUInt32LE(0);
  const littleEndian = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const magic = littleEndian ? magicLe : buf.readUInt32BE(0);
  const u32 = (o: number): number => (littleEndian ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const records: PcapRecordSpec[] = [];
  let pos = 24;
  while (pos + 16 <= buf.length) {
    const len = u32(pos + 8);
    if (pos + 16 + len > buf.length) break;
    records.push({ seconds: u32(pos), fraction: u32(pos + 4), originalLength: u32(pos + 12), data: buf.subarray(pos + 16, pos + 16 + len) });
    pos += 16 + len;
  }
  return { littleEndian, nanos: magic === 0xa1b23c4d, linkType: u32(20), snaplen: u32(16), records };
}

/** The same pcap file with every header field in the other byte order. */
export function swapPcapByteOrder(buf: Buffer): Buffer {
  const spec = readPcapSpec(buf);
  return buildPcap({ ...spec, littleEndian: !spec.littleEndian });
}

export interface PcapngInterfaceSpec {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte (omitted: option absent, 10^-6). */
  tsresol?: number;
  /** if_tsoffset seconds (omitted: option absent). */
  tsoffset?: bigint;
}

export type PcapngBlockSpec =
  | { kind: 'epb'; interfaceId: number; timestamp: bigint; data: Uint8Array; originalLength?: number }
  | { kind: 'opb'; interfaceId: number; timestamp: bigint; data: Uint8Array; originalLength?: number }
  | { kind: 'spb'; data: Uint8Array; originalLength?: number }
  | { kind: 'idb'; iface: PcapngInterfaceSpec }
  | { kind: 'raw'; type: number; body: Uint8Array };

export interface PcapngSectionSpec {
  littleEndian: boolean;
  blocks: PcapngBlockSpec[];
}

function block(littleEndian: boolean, type: number, body: Buffer): Buffer {
  const padded = body.length % 4 === 0 ? body : Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))]);
  return new ByteWriter(littleEndian).u32(type).u32(padded.length + 12).bytes(padded).u32(padded.length + 12).done();
}

/** One pcapng section (SHB and its blocks). Concatenate sections for a multi-section file. */
export function buildPcapngSection(section: PcapngSectionSpec): Buffer {
  const le = section.littleEndian;
  const out: Buffer[] = [block(le, 0x0a0d0d0a, new ByteWriter(le).u32(0x1a2b3c4d).u16(1).u16(0).i64(-1n).done())];
  for (const b of section.blocks) {
    const w = new ByteWriter(le);
    switch (b.kind) {
      case 'idb': {
        w.u16(b.iface.linkType).u16(0).u32(b.iface.snaplen ?? 0);
        if (b.iface.tsresol !== undefined) w.u16(9).u16(1).u8(b.iface.tsresol).pad4();
        if (b.iface.tsoffset !== undefined) w.u16(14).u16(8).i64(b.iface.tsoffset);
        if (b.iface.tsresol !== undefined || b.iface.tsoffset !== undefined) w.u16(0).u16(0);
        out.push(block(le, 1, w.done()));
        break;
      }
      case 'epb':
      case 'opb': {
        const high = Number(b.timestamp >> 32n) >>> 0;
        const low = Number(b.timestamp & 0xffffffffn) >>> 0;
        if (b.kind === 'epb') w.u32(b.interfaceId); else w.u16(b.interfaceId).u16(0);
        w.u32(high).u32(low).u32(b.data.length).u32(b.originalLength ?? b.data.length).bytes(b.data);
        out.push(block(le, b.kind === 'epb' ? 6 : 2, w.done()));
        break;
      }
      case 'spb':
        out.push(block(le, 3, w.u32(b.originalLength ?? b.data.length).bytes(b.data).done()));
        break;
      case 'raw':
        out.push(block(le, b.type, Buffer.from(b.body)));
        break;
    }
  }
  return Buffer.concat(out);
}

/**
 * Reads a pcapng file into sections of IDBs and EPB/OPB/SPB blocks (other blocks and options
 * other than if_tsresol/if_tsoffset dropped), so it can be written again in another byte order.
 */
export function readPcapngSections(buf: Buffer): PcapngSectionSpec[] {
  const sections: PcapngSectionSpec[] = [];
  let le = true;
  let current: PcapngSectionSpec | undefined;
  let pos = 0;
  while (pos + 12 <= buf.length) {
    const type = buf.readUInt32LE(pos);
    if (type === 0x0a0d0d0a) le = buf.readUInt32LE(pos + 8) === 0x1a2b3c4d;
    const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const realType = u32(pos);
    const len = u32(pos + 4);
    if (len < 12 || pos + len > buf.length) break;
    if (realType === 0x0a0d0d0a) {
      current = { littleEndian: le, blocks: [] };
      sections.push(current);
    } else if (current !== undefined) {
      if (realType === 1) {
        const iface: PcapngInterfaceSpec = { linkType: u16(pos + 8), snaplen: u32(pos + 12) };
        for (let o = pos + 16; o + 4 <= pos + len - 4;) {
          const code = u16(o);
          const olen = u16(o + 2);
          if (code === 0) break;
          if (code === 9) iface.tsresol = buf.readUInt8(o + 4);
          if (code === 14) iface.tsoffset = le ? buf.readBigInt64LE(o + 4) : buf.readBigInt64BE(o + 4);
          o += 4 + Math.ceil(olen / 4) * 4;
        }
        current.blocks.push({ kind: 'idb', iface });
      } else if (realType === 6 || realType === 2) {
        const interfaceId = realType === 6 ? u32(pos + 8) : u16(pos + 8);
        const timestamp = (BigInt(u32(pos + 12)) << 32n) | BigInt(u32(pos + 16));
        const cap = u32(pos + 20);
        current.blocks.push({ kind: realType === 6 ? 'epb' : 'opb', interfaceId, timestamp, originalLength: u32(pos + 24), data: buf.subarray(pos + 28, pos + 28 + cap) });
      } else if (realType === 3) {
        const orig = u32(pos + 8);
        current.blocks.push({ kind: 'spb', originalLength: orig, data: buf.subarray(pos + 12, pos + 12 + Math.min(orig, len - 16)) });
      }
    }
    pos += len;
  }
  return sections;
}

/** The same pcapng content written with every section in the given byte order. */
export function reencodePcapng(buf: Buffer, littleEndian: boolean): Buffer {
  return Buffer.concat(readPcapngSections(buf).map((s) => buildPcapngSection({ ...s, littleEndian })));
}

// ---------------------------------------------------------------------------------------------
// Boundaries, for truncation tests

export interface RecordLayout {
  /** Bytes before which a cut is a header error (pcap: 24; pcapng: 16, the SHB's fixed part). */
  headerLength: number;
  /** File offsets where a record or block ends (a cut there leaves no partial record). */
  boundaries: number[];
  /** For each packet, in order, the offset where its record ends. */
  packetEnds: number[];
}

/** Record boundaries of an intact pcap or pcapng file. */
export function recordLayout(buf: Buffer): RecordLayout {
  const magic = buf.readUInt32BE(0);
  if (magic === 0x0a0d0d0a) {
    const boundaries: number[] = [];
    const packetEnds: number[] = [];
    let le = true;
    let pos = 0;
    while (pos + 12 <= buf.length) {
      if (buf.readUInt32LE(pos) === 0x0a0d0d0a) le = buf.readUInt32LE(pos + 8) === 0x1a2b3c4d;
      const type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
      const len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
      pos += len;
      boundaries.push(pos);
      if (type === 6 || type === 2 || type === 3) packetEnds.push(pos);
    }
    return { headerLength: 16, boundaries, packetEnds };
  }
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d;
  const boundaries: number[] = [24];
  let pos = 24;
  while (pos + 16 <= buf.length) {
    pos += 16 + (le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8));
    boundaries.push(pos);
  }
  return { headerLength: 24, boundaries, packetEnds: boundaries.slice(1) };
}
