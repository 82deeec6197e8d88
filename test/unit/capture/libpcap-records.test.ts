/**
 * The records auscult's libpcap addon writes (src/capture/libpcap.ts, walkCaptureRecords): every
 * whole record written is read back as written, in order; a header whose length passes the end
 * (a lie, or a record cut by the end given) stops the walk there, and nothing past the end is
 * ever read. Also the u32 counters of pcap_stats added up across their wrap, and the DLT map.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { linkTypeOfDlt, RECORD_HEADER_BYTES, walkCaptureRecords, WrappingTotal, type CaptureRecord } from '../../../src/capture/libpcap.js';

interface Written { bytes: Uint8Array; wireLength: number; tsMicros: number }

/** Writes records as capture.c's on_packet does, from `start`. */
function writeRecords(buffer: Buffer, start: number, records: Written[]): number {
  let at = start;
  for (const r of records) {
    buffer.writeUInt32LE(r.bytes.length, at);
    buffer.writeUInt32LE(r.wireLength, at + 4);
    buffer.writeDoubleLE(r.tsMicros, at + 8);
    buffer.set(r.bytes, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + r.bytes.length;
  }
  return at;
}

const recordArb = fc.record({
  bytes: fc.uint8Array({ maxLength: 200 }),
  wireLength: fc.nat({ max: 0xffff_ffff }),
  tsMicros: fc.integer({ min: 0, max: 2 ** 52 }),
});

function walk(buffer: Buffer, start: number, end: number): { records: CaptureRecord[]; stop: number } {
  const records: CaptureRecord[] = [];
  const stop = walkCaptureRecords(buffer, start, end, (r) => records.push(r));
  return { records, stop };
}

describe('walkCaptureRecords', () => {
  it('reads back every record written, in order, and stops at the end', () => {
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 30 }), fc.nat({ max: 64 }), (written, start) => {
      const buffer = Buffer.alloc(start + written.reduce((n, r) => n + RECORD_HEADER_BYTES + r.bytes.length, 0) + 32, 0xee);
      const end = writeRecords(buffer, start, written);
      const { records, stop } = walk(buffer, start, end);
      expect(stop).toBe(end);
      expect(records.map((r) => ({ bytes: Uint8Array.from(buffer.subarray(r.dataStart, r.dataStart + r.capturedLength)), wireLength: r.wireLength, tsMicros: r.tsMicros })))
        .toEqual(written.map((w) => ({ bytes: Uint8Array.from(w.bytes), wireLength: w.wireLength, tsMicros: w.tsMicros })));
    }));
  });

  it('an end that cuts a record, or a header that lies, stops the walk before it; nothing past the end is read', () => {
    fc.assert(fc.property(fc.array(recordArb, { minLength: 1, maxLength: 10 }), fc.nat(), fc.nat({ max: 0xffff_ffff }), (written, cutSeed, lie) => {
      const buffer = Buffer.alloc(written.reduce((n, r) => n + RECORD_HEADER_BYTES + r.bytes.length, 0) + 64);
      const full = writeRecords(buffer, 0, written);
      // A cut anywhere: the records wholly before it, and only those, come back.
      const cut = cutSeed % (full + 1);
      const { records, stop } = walk(buffer, 0, cut);
      expect(stop).toBeLessThanOrEqual(cut);
      for (const r of records) expect(r.dataStart + r.capturedLength).toBeLessThanOrEqual(cut);
      let whole = 0;
      for (let at = 0, i = 0; i < written.length; i++) {
        at += RECORD_HEADER_BYTES + written[i]!.bytes.length;
        if (at <= cut) whole++;
      }
      expect(records.length).toBe(whole);
      // The last record's length replaced by a lie: never read past `full`.
      const lastAt = full - RECORD_HEADER_BYTES - written[written.length - 1]!.bytes.length;
      buffer.writeUInt32LE(lie, lastAt);
      const lied = walk(buffer, 0, full);
      for (const r of lied.records) expect(r.dataStart + r.capturedLength).toBeLessThanOrEqual(full);
      expect(lied.records.length).toBe(lie <= full - lastAt - RECORD_HEADER_BYTES ? written.length : written.length - 1);
    }));
  });

  it('an end past the buffer is the buffer\'s end; a header alone is not a record', () => {
    const buffer = Buffer.alloc(RECORD_HEADER_BYTES + 3);
    writeRecords(buffer, 0, [{ bytes: Uint8Array.of(1, 2, 3), wireLength: 60, tsMicros: 5 }]);
    expect(walk(buffer, 0, 10_000).records).toHaveLength(1);
    expect(walk(buffer, 0, RECORD_HEADER_BYTES).records).toHaveLength(0);
    expect(walk(buffer, 0, RECORD_HEADER_BYTES - 1).stop).toBe(0);
  });
});

describe('WrappingTotal and the DLT map', () => {
  it('adds what a u32 counter moved, across its wrap', () => {
    const total = new WrappingTotal();
    expect(total.update(10)).toBe(10);
    expect(total.update(10)).toBe(10);
    expect(total.update(0xffff_fff0)).toBe(0xffff_fff0);
    expect(total.update(5)).toBe(0xffff_fff0 + 0x15); // 0x10 to the wrap, then 5
  });
  it('maps the DLTs auscult decodes and refuses the rest', () => {
    expect(linkTypeOfDlt(1)).toBe(1);
    expect(linkTypeOfDlt(12)).toBe(101); // DLT_RAW on Linux is LINKTYPE_RAW
    expect(linkTypeOfDlt(113)).toBe(113);
    expect(linkTypeOfDlt(147)).toBeUndefined(); // a user DLT
  });
});
