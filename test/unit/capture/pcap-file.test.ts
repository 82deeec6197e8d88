import { expect, it } from 'vitest';

import { parseCaptureBuffer } from '../../../src/capture/open-capture.js';
import { PCAP_LIMITS, readPcapFileHeader } from '../../../src/capture/pcap-file.js';
import { buildPcap, readPcapSpec, swapPcapByteOrder, type PcapSpec } from '../../helpers/capture-files.js';
import { captureBytes, describeCaptures } from '../../helpers/capture-variants.js';

const PCAP = captureBytes('dhcp-option-33.pcap');
const SPEC: PcapSpec = PCAP.length > 0 ? readPcapSpec(PCAP) : { littleEndian: true, nanos: false, linkType: 1, records: [] };

describeCaptures('pcap file header', () => {
  it('reads byte order, resolution, version, snaplen and link type', () => {
    expect(readPcapFileHeader(PCAP)).toEqual({ littleEndian: true, nanos: false, versionMajor: 2, versionMinor: 4, snaplen: SPEC.snaplen, linkType: 1 });
    expect(readPcapFileHeader(buildPcap({ littleEndian: false, nanos: true, linkType: 276, snaplen: 1234, records: [] })))
      .toEqual({ littleEndian: false, nanos: true, versionMajor: 2, versionMinor: 4, snaplen: 1234, linkType: 276 });
  });

  it('masks the FCS bits out of the link type field', () => {
    const bytes = buildPcap({ littleEndian: true, nanos: false, linkType: 0x10000000 | 1, records: [] });
    expect(readPcapFileHeader(bytes)).toMatchObject({ linkType: 1 });
  });

  it('refuses other magics, short headers and version 1', () => {
    expect(readPcapFileHeader(Buffer.alloc(24))).toBe('not a pcap file (unknown magic number)');
    expect(readPcapFileHeader(PCAP.subarray(0, 23))).toMatch(/needs 24 bytes/);
    const v1 = Buffer.from(PCAP.subarray(0, 24));
    v1.writeUInt16LE(1, 4);
    expect(readPcapFileHeader(v1)).toMatch(/unsupported pcap version 1\.4/);
  });
});

describeCaptures('pcap records', () => {
  it('a header-only file has no frames and no warnings', () => {
    expect(parseCaptureBuffer(PCAP.subarray(0, 24))).toEqual({ frames: [], warnings: [] });
  });

  it('frames view the captured bytes of each record', () => {
    const { frames } = parseCaptureBuffer(PCAP);
    expect(frames.map((f) => Buffer.from(f.data))).toEqual(SPEC.records.map((r) => Buffer.from(r.data)));
    expect(frames.map((f) => f.frameNo)).toEqual([1, 2, 3, 4, 5]);
  });

  it('both byte orders give the same frames', () => {
    const le = parseCaptureBuffer(PCAP).frames;
    const be = parseCaptureBuffer(swapPcapByteOrder(PCAP)).frames;
    expect(be.map((f) => [f.tsMicros, f.originalLength, Buffer.from(f.data)])).toEqual(le.map((f) => [f.tsMicros, f.originalLength, Buffer.from(f.data)]));
  });

  it('nanosecond timestamps floor to microseconds', () => {
    const bytes = buildPcap({ littleEndian: true, nanos: true, linkType: 1, records: [
      { seconds: 1700000000, fraction: 999_999_999, data: Buffer.alloc(1) },
      { seconds: 1700000000, fraction: 1999, data: Buffer.alloc(1) },
      { seconds: 0, fraction: 999, data: Buffer.alloc(1) },
    ] });
    expect(parseCaptureBuffer(bytes).frames.map((f) => f.tsMicros)).toEqual([1700000000999999, 1700000000000001, 0]);
  });

  it('a record longer than the limit stops with pcap.bad_record_length at its offset (knob lowered)', () => {
    // Records are 308, 316, 324, 303, 300 bytes: a 310-byte limit keeps only the first.
    const { frames, warnings } = parseCaptureBuffer(PCAP, { limits: { maxRecordLength: 310 } });
    expect(frames).toHaveLength(1);
    expect(warnings).toEqual([{ code: 'pcap.bad_record_length', offset: 24 + 16 + 308, message: expect.stringContaining('316') as string }]);
  });

  it('a forged huge incl_len stops at the default limit; the frames before it are delivered', () => {
    const records = SPEC.records.map((r, i) => (i === 2 ? { ...r, capturedLengthField: PCAP_LIMITS.maxRecordLength + 1 } : r));
    const bytes = buildPcap({ ...SPEC, records });
    const { frames, warnings } = parseCaptureBuffer(bytes);
    expect(frames).toHaveLength(2);
    expect(warnings.map((w) => [w.code, w.offset])).toEqual([['pcap.bad_record_length', 24 + 16 + 308 + 16 + 316]]);
  });

  it('warnings never quote payload bytes', () => {
    const marker = Buffer.from('PID|||12345||DOE^JANE');
    const bytes = buildPcap({ ...SPEC, records: [{ seconds: 1, fraction: 0, data: marker }, { seconds: 2, fraction: 0, data: marker, capturedLengthField: 0xffffffff }] });
    const truncated = buildPcap({ ...SPEC, records: [{ seconds: 1, fraction: 0, data: marker }] }).subarray(0, 24 + 16 + 10);
    const messages = [...parseCaptureBuffer(bytes).warnings, ...parseCaptureBuffer(truncated).warnings].map((w) => w.message);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message).not.toContain('DOE');
      expect(message.toLowerCase()).not.toContain(marker.subarray(0, 6).toString('hex'));
    }
  });
});
