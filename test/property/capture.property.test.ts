// Property tests for the capture readers (fast-check, fixed seed; 10,000 cases in all).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { CapturedFrame, CaptureWarning } from '../../src/capture/captured-frame.js';
import { CAPTURE_LIMITS, CAPTURE_WARNINGS, parseCaptureBuffer, parseCaptureChunks } from '../../src/capture/open-capture.js';
import { PCAP_WARNINGS } from '../../src/capture/pcap-file.js';
import { PCAPNG_WARNINGS, PcapngClock, pcapngTimestampToMicros } from '../../src/capture/pcapng-file.js';
import { AuscultError } from '../../src/errors.js';
import { reencodePcapng } from '../helpers/capture-files.js';
import { CAPTURE_SKIP, captureBytes, describeCaptures } from '../helpers/capture-variants.js';

const SEED = 42;
const KNOWN_CODES = new Set<string>([...PCAP_WARNINGS, ...PCAPNG_WARNINGS, ...CAPTURE_WARNINGS]);

// The originals are in the shared directory, the variants built at test time (capture-variants.ts).
const INPUTS = CAPTURE_SKIP !== null ? [] : [
  { name: 'pcap', bytes: captureBytes('dhcp-option-33.pcap'), headerLength: 24, minRecord: 16 },
  { name: 'nsec pcap', bytes: captureBytes('dhcp-option-33.nsec.pcap'), headerLength: 24, minRecord: 16 },
  { name: 'pcapng two sections', bytes: captureBytes('two-sections.pcapng'), headerLength: 16, minRecord: 12 },
  { name: 'pcapng two interfaces, big-endian', bytes: reencodePcapng(captureBytes('mixed-linktypes.pcapng'), false), headerLength: 16, minRecord: 12 },
];

const flipsArb = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 });

function flipped(bytes: Buffer, flips: { at: number; value: number }[]): { buf: Buffer; offsets: number[] } {
  const buf = Buffer.from(bytes);
  const offsets = flips.map((f) => f.at % buf.length);
  flips.forEach((f, i) => { buf[offsets[i] ?? 0] = f.value; });
  return { buf, offsets };
}

function summary(result: { frames: CapturedFrame[]; warnings: CaptureWarning[] }): unknown {
  return {
    frames: result.frames.map((f) => [f.frameNo, f.tsMicros, f.linkType, f.originalLength, Buffer.from(f.data).toString('hex')]),
    warnings: result.warnings,
  };
}

/** Parses, or returns the AuscultError when the header was refused (anything else is re-thrown). */
function parseOrHeaderError(buf: Buffer): { frames: CapturedFrame[]; warnings: CaptureWarning[] } | AuscultError {
  try {
    return parseCaptureBuffer(buf);
  } catch (err) {
    if (err instanceof AuscultError && err.code === 'AUS_ERR_CAPTURE_HEADER') return err;
    throw err;
  }
}

describeCaptures('random byte flips in real captures', () => {
  for (const input of INPUTS) {
    it(`${input.name}: never throw past the header, bounded output, known codes only`, () => {
      fc.assert(fc.property(flipsArb, (flips) => {
        const { buf, offsets } = flipped(input.bytes, flips);
        const result = parseOrHeaderError(buf);
        if (result instanceof AuscultError) {
          // Only a flip inside the fixed header can make the header unreadable.
          expect(offsets.some((o) => o < input.headerLength)).toBe(true);
          return;
        }
        const { frames, warnings } = result;
        expect(frames.length).toBeLessThanOrEqual(Math.floor((buf.length - input.headerLength) / input.minRecord) + 1);
        frames.forEach((f, i) => {
          expect(f.frameNo).toBe(i + 1);
          expect(Number.isSafeInteger(f.tsMicros) || Number.isFinite(f.tsMicros)).toBe(true);
          // Views into the input, inside it.
          expect(f.data.buffer).toBe(buf.buffer);
          expect(f.data.byteOffset + f.data.length).toBeLessThanOrEqual(buf.byteOffset + buf.length);
        });
        expect(warnings.length).toBeLessThanOrEqual(CAPTURE_LIMITS.maxWarnings + 1);
        for (const w of warnings) {
          expect(KNOWN_CODES.has(w.code)).toBe(true);
          expect(w.offset).toBeGreaterThanOrEqual(0);
          expect(w.offset).toBeLessThanOrEqual(buf.length);
        }
      }), { seed: SEED, numRuns: 1500 });
    });
  }
});

describeCaptures('chunking never changes the result', () => {
  it('any split of a (possibly damaged) capture into chunks gives the same frames and warnings', () => {
    const arb = fc.record({
      input: fc.integer({ min: 0, max: INPUTS.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
      cuts: fc.array(fc.nat(), { maxLength: 40 }),
      truncateTo: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(fc.property(arb, ({ input, flips, cuts, truncateTo }) => {
      const source = INPUTS[input] ?? INPUTS[0];
      if (source === undefined) return;
      let { buf } = flips.length > 0 ? flipped(source.bytes, flips.map((f) => ({ ...f, at: source.headerLength + (f.at % (source.bytes.length - source.headerLength)) }))) : { buf: Buffer.from(source.bytes) };
      if (truncateTo !== undefined) buf = buf.subarray(0, source.headerLength + (truncateTo % (buf.length - source.headerLength + 1)));
      const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const p of [...points, buf.length]) { chunks.push(buf.subarray(from, p)); from = p; }
      expect(summary(parseCaptureChunks(chunks))).toEqual(summary(parseCaptureBuffer(buf)));
    }), { seed: SEED, numRuns: 2000 });
  });
});

describe('pcapng timestamp fast path', () => {
  it('PcapngClock equals the exact BigInt conversion for any timestamp, resolution and offset', () => {
    const tsresol = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0x80, max: 0x80 + 64 }), fc.integer({ min: 0, max: 255 }));
    const arb = fc.record({
      high: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0x1fffff }), fc.integer({ min: 0x17000000, max: 0x19000000 })),
      low: fc.integer({ min: 0, max: 0xffffffff }),
      tsresol,
      offset: fc.oneof(fc.constant(0n), fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    });
    fc.assert(fc.property(arb, ({ high, low, tsresol: r, offset }) => {
      expect(new PcapngClock(r, offset).toMicros(high, low)).toBe(Number(pcapngTimestampToMicros(high, low, r, offset)));
    }), { seed: SEED, numRuns: 2000 });
  });
});
