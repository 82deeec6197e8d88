import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HL7_ANOMALIES, HL7_LIMITS, decodeHl7, type Hl7Limits, type Hl7Record } from '../../src/protocols/hl7/hl7.js';
import type { FramerResult } from '../../src/decode/stream/framer.js';
import { MLLP_ANOMALIES, frameMllp, type MllpLimits } from '../../src/protocols/hl7/mllp-framer.js';
import { frameAll, stream, streamNames } from '../unit/decode/medical-streams.js';
import { assertByteFlips } from '../helpers/mutation.js';

const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN_HL7 = new Set<string>(HL7_ANOMALIES);
const KNOWN_MLLP = new Set<string>(MLLP_ANOMALIES);

/** The lab MLLP streams and the messages framed from them. */
const streams = streamNames('hl7-').map(stream);
const messages = streams.flatMap((s) => frameAll(s, (b) => frameMllp(b)).frames.map((f) => f.slice()));

/** The framer contract (framer.ts) for one call. */
function checkFramer(r: FramerResult<Uint8Array>, buf: Uint8Array, limits: MllpLimits): void {
  switch (r.kind) {
    case 'frame':
      expect(r.consumed).toBeGreaterThan(0);
      expect(r.consumed).toBeLessThanOrEqual(buf.length);
      expect(r.frame.length).toBeLessThanOrEqual(Math.max(0, limits.maxMessageBytes));
      expect(r.frame.length).toBeLessThan(r.consumed);
      if (r.anomaly) expect(KNOWN_MLLP.has(r.anomaly)).toBe(true);
      break;
    case 'incomplete':
      expect(r.consumed).toBeGreaterThanOrEqual(0);
      expect(r.needed).toBeGreaterThan(buf.length - r.consumed);
      expect(r.needed).toBeLessThanOrEqual(Math.max(0, limits.maxMessageBytes) + 3);
      break;
    case 'desync':
      expect(r.skip).toBeGreaterThan(0);
      expect(r.skip).toBeLessThanOrEqual(buf.length);
      if (r.anomaly) expect(KNOWN_MLLP.has(r.anomaly)).toBe(true);
      break;
  }
}

/** Decode and check the invariants that hold for any input. */
function decodeChecked(bytes: Uint8Array, limits: Hl7Limits = HL7_LIMITS): Hl7Record {
  const { value, anomalies } = decodeHl7(bytes, limits);
  for (const a of anomalies) expect(KNOWN_HL7.has(a), a).toBe(true);
  expect(new Set(anomalies).size).toBe(anomalies.length);
  expect(value.segmentCount).toBeLessThanOrEqual(limits.maxSegments);
  expect(value.observations.length).toBeLessThanOrEqual(limits.maxObservations);
  expect(value.deviceParticipations.length).toBeLessThanOrEqual(limits.maxParticipations);
  expect(value.messageProfiles.length).toBeLessThanOrEqual(limits.maxRepetitions);
  for (const o of value.observations) expect(o.equipment.length).toBeLessThanOrEqual(limits.maxRepetitions);
  for (const k of Object.keys(value.segmentCounts)) if (!/^[A-Z][A-Z0-9]{2}$/.test(k)) expect(k).toMatch(/^[A-Z][A-Z0-9]{2}$/);
  // every kept string is bounded (encodingCharacters is at most 5)
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length > Math.max(limits.maxValueChars, 5)) expect(v.length).toBeLessThanOrEqual(Math.max(limits.maxValueChars, 5));
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  return value;
}

const limitsArb: fc.Arbitrary<Hl7Limits> = fc.record({
  maxSegments: fc.integer({ min: 0, max: 50 }),
  maxFieldBytes: fc.integer({ min: 0, max: 300 }),
  maxValueChars: fc.integer({ min: 0, max: 64 }),
  maxRepetitions: fc.integer({ min: 0, max: 6 }),
  maxObservations: fc.integer({ min: 0, max: 10 }),
  maxParticipations: fc.integer({ min: 0, max: 4 }),
});

/** Bytes rich in HL7 structure: segment ids, delimiters, escapes, CR/LF, MLLP blocks. */
const hl7ish = fc.array(
  fc.oneof(
    fc.constantFrom('MSH|^~\\&|', 'PID|', 'OBX|', 'PRT|', 'MSA|', 'NTE|', '|', '^', '~', '&', '\\', '\\F\\', '\\X41\\', '\r', '\n', 'EUI-64', 'MDC', '\x0b', '\x1c\r', '\x1c'),
    fc.string({ maxLength: 6 }),
  ),
  { maxLength: 200 },
).map((parts) => new Uint8Array(Buffer.from(parts.join(''), 'latin1')));

describe('frameMllp properties', () => {
  it('the corpus holds the 6 lab messages', () => {
    expect(messages).toHaveLength(6);
  });

  it('arbitrary bytes: every call keeps the contract (progress, bounded buffering, known codes)', () => {
    const arb = fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 2048 }), hl7ish), fc.integer({ min: 0, max: 600 }));
    fc.assert(fc.property(arb, ([buf, max]) => { checkFramer(frameMllp(buf, { maxMessageBytes: max }), buf, { maxMessageBytes: max }); }), RUNS);
  });

  it('arbitrary bytes: framing a whole buffer ends within length + 1 calls and frames no more than it was given', () => {
    const arb = fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 2048 }), hl7ish), fc.integer({ min: 0, max: 600 }));
    fc.assert(
      fc.property(arb, ([buf, max]) => {
        const limits = { maxMessageBytes: max };
        let b = buf;
        let framed = 0;
        for (let step = 0; ; step++) {
          expect(step).toBeLessThanOrEqual(buf.length + 1);
          const r = frameMllp(b, limits);
          checkFramer(r, b, limits);
          if (r.kind === 'incomplete') break;
          if (r.kind === 'frame') framed += r.frame.length;
          b = b.subarray(r.kind === 'frame' ? r.consumed : r.skip);
        }
        expect(framed).toBeLessThanOrEqual(buf.length);
      }),
      RUNS,
    );
  });

  it('every prefix of a real stream frames a prefix of its messages', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = streams[i % streams.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        const all = frameAll(full, (b) => frameMllp(b)).frames.map((f) => Buffer.from(f).toString('latin1'));
        const some = frameAll(prefix, (b) => frameMllp(b)).frames.map((f) => Buffer.from(f).toString('latin1'));
        expect(some).toEqual(all.slice(0, some.length));
      }),
      RUNS,
    );
  });
});

describe('decodeHl7 properties', () => {
  it('arbitrary bytes never throw, give only known codes, stay within the limits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), limitsArb, (bytes, limits) => { decodeChecked(bytes, limits); }), RUNS);
  });

  it('HL7-shaped noise never throws and stays within the limits', () => {
    fc.assert(fc.property(hl7ish, limitsArb, (bytes, limits) => { decodeChecked(bytes, limits); }), RUNS);
  });

  it('every prefix of a real message decodes; once MSH is complete, its fields equal the full decode', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = messages[i % messages.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        const whole = decodeChecked(full);
        const part = decodeChecked(prefix);
        if (prefix.indexOf(0x0d) >= 0) {
          expect(part.sendingApplication).toEqual(whole.sendingApplication);
          expect(part.messageType).toEqual(whole.messageType);
          expect(part.versionId).toEqual(whole.versionId);
        }
        expect(part.segmentCount).toBeLessThanOrEqual(whole.segmentCount);
      }),
      RUNS,
    );
  });

  it('random byte flips of real messages never throw and stay within the limits', () => {
    assertByteFlips(messages, limitsArb, (m, limits) => {
      decodeChecked(m, limits);
      decodeChecked(m);
    }, RUNS);
  });
});
