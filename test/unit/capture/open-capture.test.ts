import { chmodSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import type { CapturedFrame } from '../../../src/capture/captured-frame.js';
import { DEFAULT_BATCH_SIZE, READ_CHUNK_BYTES, openCapture, parseCaptureBuffer, parseCaptureChunks, sniffCaptureFormat } from '../../../src/capture/open-capture.js';
import { AuscultError } from '../../../src/errors.js';
import { buildPcap, buildPcapngSection, writeScratch } from '../../helpers/capture-files.js';
import { captureBytes, capturePath, itCaptures } from '../../helpers/capture-variants.js';
import { readCapturedFrames } from '../../helpers/frames.js';
import { titled } from '../../helpers/tools.js';

const ROOT_READS_ALL = 'runs as root, and root reads a file of mode 000';

const PCAP = capturePath('dhcp-option-33.pcap');

async function collect(path: string, batchSize?: number): Promise<{ batches: CapturedFrame[][]; warnings: unknown[] }> {
  const source = await openCapture(path, batchSize === undefined ? {} : { batchSize });
  const batches: CapturedFrame[][] = [];
  for await (const batch of source.batches()) batches.push(batch);
  return { batches, warnings: source.warnings };
}

describe('openCapture errors, before any frame', () => {
  it('a missing file is AUS_ERR_CAPTURE_UNREADABLE naming the file', async () => {
    const err = await openCapture('fixtures/capture/no-such-file.pcap').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuscultError);
    expect(err).toMatchObject({ code: 'AUS_ERR_CAPTURE_UNREADABLE', reason: 'no such file', where: { file: 'fixtures/capture/no-such-file.pcap' }, exitCode: 66 });
  });

  it('a directory is AUS_ERR_CAPTURE_UNREADABLE', async () => {
    await expect(openCapture('fixtures/capture')).rejects.toMatchObject({ code: 'AUS_ERR_CAPTURE_UNREADABLE', reason: expect.stringContaining('directory') as string });
  });

  // Root reads any file whatever its mode, so this one cannot fail as root: .ci/allowed-skips lists it.
  it.skipIf(process.getuid?.() === 0)(titled('a file without read permission is AUS_ERR_CAPTURE_UNREADABLE', process.getuid?.() === 0 ? ROOT_READS_ALL : null), async () => {
    const path = writeScratch('secret.pcap', captureBytes('dhcp-option-33.pcap'));
    chmodSync(path, 0o000);
    await expect(openCapture(path)).rejects.toMatchObject({ code: 'AUS_ERR_CAPTURE_UNREADABLE', reason: 'permission denied' });
  });

  it.each([
    ['garbage', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /unknown magic/],
    ['an empty file', Buffer.alloc(0), /empty file/],
    ['a pcap magic and nothing else', Buffer.from('d4c3b2a1', 'hex'), /needs 24 bytes/],
    ['a pcapng SHB cut at 12 bytes', buildPcapngSection({ littleEndian: true, blocks: [] }).subarray(0, 12), /needs 16 bytes/],
    ['gzip magic then junk', Buffer.concat([Buffer.from('1f8b', 'hex'), Buffer.alloc(40, 7)]), /gzip/],
    ['gzipped garbage', gzipSync(Buffer.from('this is plain text, not a capture at all')), /unknown magic.*after gzip/],
    ['gzipped gzip', gzipSync(gzipSync(captureBytes('dhcp-option-33.pcap'))), /gzip inside gzip/],
  ])('%s is AUS_ERR_CAPTURE_HEADER at offset 0', async (_what, bytes, reason) => {
    const path = writeScratch('bad-header.bin', bytes);
    const err = await openCapture(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUS_ERR_CAPTURE_HEADER', where: { file: path, offset: 0 }, exitCode: 65 });
    expect((err as AuscultError).reason).toMatch(reason);
  });

  it('parseCaptureBuffer refuses a bad header the same way', () => {
    expect(() => parseCaptureBuffer(Buffer.alloc(64, 0x41), { name: 'x.bin' })).toThrow(expect.objectContaining({ code: 'AUS_ERR_CAPTURE_HEADER', where: { file: 'x.bin', offset: 0 } }) as Error);
  });
});

describe('sniffCaptureFormat', () => {
  it.each([
    ['a1b2c3d4', 'pcap'], ['d4c3b2a1', 'pcap'], ['a1b23c4d', 'pcap'], ['4d3cb2a1', 'pcap'],
    ['0a0d0d0a', 'pcapng'], ['1f8b0800', 'gzip'], ['7f454c46', undefined], ['a1b2', undefined],
  ])('%s → %s', (hex, format) => {
    expect(sniffCaptureFormat(Buffer.from(hex, 'hex'))).toBe(format);
  });
});

describe('batches', () => {
  itCaptures('yields batches of batchSize, the last one shorter', async () => {
    const { batches, warnings } = await collect(PCAP, 2);
    expect(batches.map((b) => b.map((f) => f.frameNo))).toEqual([[1, 2], [3, 4], [5]]);
    expect(warnings).toEqual([]);
  });

  it('defaults to DEFAULT_BATCH_SIZE (256) frames a batch', async () => {
    expect(DEFAULT_BATCH_SIZE).toBe(256);
    const records = Array.from({ length: 600 }, (_, i) => ({ seconds: i, fraction: 0, data: Buffer.alloc(60, i & 0xff) }));
    const path = writeScratch('many.pcap', buildPcap({ littleEndian: true, nanos: false, linkType: 1, records }));
    const { batches } = await collect(path);
    expect(batches.map((b) => b.length)).toEqual([256, 256, 88]);
  });

  itCaptures('each call to batches() re-reads from the start, warnings not doubled', async () => {
    const bytes = readFileSync(PCAP);
    const path = writeScratch('cut-twice.pcap', bytes.subarray(0, bytes.length - 3));
    const source = await openCapture(path);
    for (let round = 0; round < 2; round++) {
      const frames: number[] = [];
      for await (const batch of source.batches()) frames.push(...batch.map((f) => f.frameNo));
      expect(frames).toEqual([1, 2, 3, 4]);
      expect(source.warnings.map((w) => w.code)).toEqual(['capture.truncated_record']);
    }
  });

  itCaptures('a consumer may stop early', async () => {
    const source = await openCapture(PCAP, { batchSize: 1 });
    let seen = 0;
    for await (const batch of source.batches()) { seen += batch.length; break; }
    expect(seen).toBe(1);
  });

  it('records straddling 1 MiB read chunks (and gzip output chunks) are read whole', async () => {
    // Records of odd sizes so that chunk boundaries fall everywhere, plus some of the maximum size.
    const records = Array.from({ length: 1000 }, (_, i) => {
      const size = i % 100 === 7 ? 262144 : 4 + ((i * 7919) % 1600);
      const data = Buffer.alloc(size);
      data.writeUInt32BE(i, 0);
      return { seconds: 1_700_000_000 + i, fraction: i, data };
    });
    const bytes = buildPcap({ littleEndian: true, nanos: false, linkType: 1, records });
    expect(bytes.length).toBeGreaterThan(3 * READ_CHUNK_BYTES);
    const expected = parseCaptureBuffer(bytes).frames.map((f) => [f.frameNo, f.tsMicros, f.data.length, Buffer.from(f.data).readUInt32BE(0)]);
    expect(expected).toHaveLength(1000);
    for (const [name, content] of [['big.pcap', bytes], ['big.pcap.gz', gzipSync(bytes)]] as const) {
      const frames = await readCapturedFrames(writeScratch(name, content));
      expect(frames.map((f) => [f.frameNo, f.tsMicros, f.data.length, Buffer.from(f.data).readUInt32BE(0)])).toEqual(expected);
    }
  });

  itCaptures('in-memory chunking: one-byte chunks give the same frames as one buffer', () => {
    const bytes = readFileSync(capturePath('two-sections.pcapng'));
    const whole = parseCaptureBuffer(bytes);
    const bytewise = parseCaptureChunks(Array.from(bytes, (b) => Uint8Array.of(b)));
    expect(bytewise.frames.map((f) => [f.frameNo, f.tsMicros, Buffer.from(f.data).toString('hex')]))
      .toEqual(whole.frames.map((f) => [f.frameNo, f.tsMicros, Buffer.from(f.data).toString('hex')]));
    expect(bytewise.warnings).toEqual([]);
  });

  itCaptures('readCapturedFrames copies data out of the read buffers', async () => {
    const frames = await readCapturedFrames(PCAP);
    const first = frames[0]?.data;
    expect(first?.byteOffset).toBe(0);
    expect(first?.buffer.byteLength).toBe(first?.length);
  });
});
