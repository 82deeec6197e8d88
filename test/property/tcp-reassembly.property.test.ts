import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_LIMITS, TcpReassembler, type StreamConsumer, type TcpSegment } from '../../src/decode/stream/tcp-reassembly.js';

const ends = { srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.9', dstPort: 2575 };

describe('TcpReassembler properties', () => {
  it('any segmentation, order, duplication and ISN of a stream delivers exactly the stream (no caps hit)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (stream, cuts, isn, swaps, dups) => {
          const segments: TcpSegment[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const len = Math.min(cuts[i % cuts.length] as number, stream.length - at);
            segments.push({ ...ends, seq: (isn + at) >>> 0, flags: 0x18, payload: stream.subarray(at, at + len), tsMicros: 1, frameNo: i });
            at += len;
          }
          const first = segments[0] as TcpSegment;
          const rest = segments.slice(1);
          for (const s of rest.length > 1 ? swaps : []) {
            const i = s % Math.max(1, rest.length);
            const j = (s >> 3) % Math.max(1, rest.length);
            [rest[i], rest[j]] = [rest[j] as TcpSegment, rest[i] as TcpSegment];
          }
          for (const d of dups) if (segments.length) rest.push(segments[d % segments.length] as TcpSegment);
          const got: number[] = [];
          const consumer: StreamConsumer = { data: (_d, b) => got.push(...b), gap: () => got.push(-1), close: () => undefined };
          const r = new TcpReassembler(() => undefined, { ...REASSEMBLY_LIMITS, maxSegmentsPerDirection: 10_000 });
          r.open(first, consumer);
          for (const s of [first, ...rest]) r.segment(s);
          expect(Uint8Array.from(got)).toEqual(stream);
          expect(r.bufferedBytes).toBe(0);
        },
      ),
      { seed: 42, numRuns: 10_000 },
    );
  });

  it('arbitrary segments never throw and held memory stays under the caps', () => {
    const limits = { ...REASSEMBLY_LIMITS, maxFlows: 4, maxBufferedBytesPerDirection: 256, maxBufferedBytesTotal: 512, maxSegmentsPerDirection: 8 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ port: fc.integer({ min: 1, max: 6 }), back: fc.boolean(), seq: fc.integer({ min: 0, max: 0xffff_ffff }), flags: fc.integer({ min: 0, max: 0x3f }), len: fc.integer({ min: 0, max: 200 }) }), { maxLength: 200 }),
        (segs) => {
          const r = new TcpReassembler(() => undefined, limits);
          const consumer: StreamConsumer = { data: () => undefined, gap: () => undefined, close: () => undefined };
          for (const g of segs) {
            const e = { ...ends, srcPort: 40000 + g.port };
            const s: TcpSegment = g.back
              ? { srcIp: e.dstIp, srcPort: e.dstPort, dstIp: e.srcIp, dstPort: e.srcPort, seq: g.seq, flags: g.flags, payload: new Uint8Array(g.len), tsMicros: 1, frameNo: 1 }
              : { ...e, seq: g.seq, flags: g.flags, payload: new Uint8Array(g.len), tsMicros: 1, frameNo: 1 };
            if (!r.segment(s)) r.open(s, consumer);
            expect(r.bufferedBytes).toBeLessThanOrEqual(limits.maxBufferedBytesTotal);
            expect(r.flowCount).toBeLessThanOrEqual(limits.maxFlows);
          }
        },
      ),
      { seed: 42, numRuns: 10_000 },
    );
  });
});
