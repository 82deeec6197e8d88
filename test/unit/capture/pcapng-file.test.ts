import { describe, expect, it } from 'vitest';

import { LINKTYPE } from '../../../src/capture/captured-frame.js';
import { parseCaptureBuffer } from '../../../src/capture/open-capture.js';
import { PCAPNG_WARNINGS, PcapngClock, pcapngTimestampToMicros, readPcapngSectionHeader } from '../../../src/capture/pcapng-file.js';
import { type PcapngBlockSpec, buildPcapngSection, recordLayout } from '../../helpers/capture-files.js';

const DATA = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const IDB: PcapngBlockSpec = { kind: 'idb', iface: { linkType: LINKTYPE.ETHERNET } };
const epb = (interfaceId: number, timestamp = 1_700_000_000_000_000n): PcapngBlockSpec => ({ kind: 'epb', interfaceId, timestamp, data: DATA });
const section = (blocks: PcapngBlockSpec[], littleEndian = true): Buffer => buildPcapngSection({ littleEndian, blocks });

/** Offset of the n-th block (0 = SHB) of a file. */
function blockOffset(bytes: Buffer, n: number): number {
  return n === 0 ? 0 : recordLayout(bytes).boundaries[n - 1] ?? -1;
}

describe('pcapng section header', () => {
  it('reads the fixed part of the first SHB in either byte order', () => {
    expect(readPcapngSectionHeader(section([]))).toEqual({ littleEndian: true, versionMajor: 1, versionMinor: 0, blockLength: 28 });
    expect(readPcapngSectionHeader(section([], false))).toEqual({ littleEndian: false, versionMajor: 1, versionMinor: 0, blockLength: 28 });
  });

  it('refuses a bad byte-order magic, version 2 and a bad length', () => {
    const bom = section([]);
    bom.writeUInt32LE(0x12345678, 8);
    expect(readPcapngSectionHeader(bom)).toMatch(/byte-order magic/);
    const v2 = section([]);
    v2.writeUInt16LE(2, 12);
    expect(readPcapngSectionHeader(v2)).toMatch(/version 2\.0/);
    const len = section([]);
    len.writeUInt32LE(30, 4);
    expect(readPcapngSectionHeader(len)).toMatch(/bad block length \(30\)/);
  });
});

describe('pcapng blocks', () => {
  it('numbers frames across interfaces and sections; a new section resets interfaces', () => {
    const bytes = Buffer.concat([
      section([IDB, { kind: 'idb', iface: { linkType: LINKTYPE.LINUX_SLL2 } }, epb(1), epb(0)]),
      section([IDB, epb(0), epb(1), epb(0)], false),
    ]);
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames.map((f) => [f.frameNo, f.linkType])).toEqual([[1, 276], [2, 1], [3, 1], [4, 1]]);
    // Interface 1 existed in section 1 only.
    expect(warnings).toEqual([{ code: 'pcapng.unknown_interface', offset: blockOffset(bytes, 8), message: expect.stringContaining('interface 1') as string }]);
  });

  it('a packet before any interface is skipped with a warning, later packets still read', () => {
    const bytes = section([epb(0), { kind: 'spb', data: DATA }, IDB, epb(0)]);
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames.map((f) => f.frameNo)).toEqual([1]);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.unknown_interface', 28], ['pcapng.unknown_interface', blockOffset(bytes, 2)]]);
  });

  it('obsolete packet blocks and unknown block types', () => {
    const bytes = section([IDB, { kind: 'raw', type: 0x0bad, body: Buffer.alloc(20) }, { kind: 'opb', interfaceId: 0, timestamp: 42n, data: DATA }, { kind: 'raw', type: 5, body: Buffer.alloc(0) }]);
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames.map((f) => [f.tsMicros, Buffer.from(f.data).toString('hex')])).toEqual([[42, DATA.toString('hex')]]);
    expect(warnings).toEqual([]);
  });

  it('an SPB before any timestamped frame gets time 0; original length above the block is bounded', () => {
    const bytes = section([IDB, { kind: 'spb', data: DATA, originalLength: 1500 }]);
    const { frames } = parseCaptureBuffer(bytes);
    expect(frames.map((f) => [f.tsMicros, f.originalLength, f.data.length])).toEqual([[0, 1500, 16]]);
  });

  it('a trailing length that differs stops with pcapng.bad_block_length; earlier frames delivered', () => {
    const bytes = section([IDB, epb(0), epb(0), epb(0)]);
    const third = blockOffset(bytes, 3);
    bytes.writeUInt32LE(999, third + bytes.readUInt32LE(third + 4) - 4);
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames).toHaveLength(1);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_block_length', third]]);
  });

  it.each([
    ['smaller than 12', 8],
    ['not a multiple of 4', 50],
    ['shorter than an EPB', 28],
  ])('a block length %s stops with pcapng.bad_block_length', (_what, length) => {
    const bytes = section([IDB, epb(0), epb(0)]);
    const second = blockOffset(bytes, 3);
    bytes.writeUInt32LE(length, second + 4);
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames).toHaveLength(1);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_block_length', second]]);
  });

  it('a block above maxBlockLength stops (knob lowered)', () => {
    const bytes = section([IDB, epb(0), { kind: 'raw', type: 0x99, body: Buffer.alloc(100) }, epb(0)]);
    const { frames, warnings } = parseCaptureBuffer(bytes, { limits: { maxBlockLength: 64 } });
    expect(frames).toHaveLength(1);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_block_length', blockOffset(bytes, 3)]]);
    expect(parseCaptureBuffer(bytes).frames).toHaveLength(2);
  });

  it('a captured length past the block body stops with pcapng.bad_block_length', () => {
    const bytes = section([IDB, epb(0)]);
    const at = blockOffset(bytes, 2);
    bytes.writeUInt32LE(17, at + 20); // body holds 16 bytes of packet data
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames).toEqual([]);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_block_length', at]]);
  });

  it('a later section with version 2 or no byte-order magic stops there', () => {
    const good = section([IDB, epb(0)]);
    const v2 = section([IDB, epb(0)]);
    v2.writeUInt16LE(2, 12);
    expect(parseCaptureBuffer(Buffer.concat([good, v2])).warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.unsupported_version', good.length]]);
    const bom = section([IDB, epb(0)]);
    bom.writeUInt32LE(0, 8);
    const result = parseCaptureBuffer(Buffer.concat([good, bom]));
    expect(result.frames).toHaveLength(1);
    expect(result.warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_section_header', good.length]]);
  });

  it('an IDB option running past its block is flagged; the interface keeps default resolution', () => {
    const bytes = section([{ kind: 'idb', iface: { linkType: 1, tsresol: 9 } }, epb(0, 1_700_000_000_000_000n)]);
    const idb = blockOffset(bytes, 1);
    bytes.writeUInt16LE(200, idb + 16 + 2); // if_tsresol claims 200 bytes
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames.map((f) => f.tsMicros)).toEqual([1_700_000_000_000_000]);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcapng.bad_option', idb + 16]]);
  });

  it('warnings are capped at maxWarnings plus one capture.too_many_warnings', () => {
    const bytes = section([IDB, ...Array.from({ length: 30 }, () => epb(7)), epb(0)]);
    const { frames, warnings } = parseCaptureBuffer(bytes, { limits: { maxWarnings: 10 } });
    expect(frames).toHaveLength(1);
    expect(warnings).toHaveLength(11);
    expect(warnings.at(-1)?.code).toBe('capture.too_many_warnings');
    expect(warnings.slice(0, 10).every((w) => (PCAPNG_WARNINGS as readonly string[]).includes(w.code))).toBe(true);
  });
});

describe('pcapng timestamps', () => {
  const cases: [string, number, bigint, bigint, number][] = [
    // [what, tsresol, ticks, offset seconds, expected µs]
    ['10^-6 (default)', 6, 1_742_291_025_393_317n, 0n, 1_742_291_025_393_317],
    ['10^-9 floors', 9, 1_742_291_025_393_317_999n, 0n, 1_742_291_025_393_317],
    ['10^-3 multiplies', 3, 1_742_291_025_123n, 0n, 1_742_291_025_123_000],
    ['10^-12', 12, 10_000_000_123_456_789n, 0n, 10_000_000_123],
    ['2^-20', 0x80 | 20, 1_742_291_025n * (1n << 20n) + 12345n, 0n, 1_742_291_025_011_773],
    ['if_tsoffset', 6, 393_317n, 1_742_291_025n, 1_742_291_025_393_317],
    ['negative if_tsoffset', 9, 5_000_000_000n, -2n, 3_000_000],
  ];
  it.each(cases)('%s', (_what, tsresol, ticks, offset, expected) => {
    const high = Number(ticks >> 32n);
    const low = Number(ticks & 0xffffffffn);
    expect(pcapngTimestampToMicros(high, low, tsresol, offset)).toBe(BigInt(expected));
    expect(new PcapngClock(tsresol, offset).toMicros(high, low)).toBe(expected);
  });

  it('the fast path gives way to BigInt above 2^53 µs', () => {
    const clock = new PcapngClock(6, 0n);
    expect(clock.toMicros(0xffffffff, 0xffffffff)).toBe(Number(0xffffffffffffffffn));
  });
});
