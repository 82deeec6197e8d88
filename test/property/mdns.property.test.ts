/**
 * Properties of decodeMdns (fast-check, seed 42, ≥ 10,000 runs each): arbitrary bytes, prefixes
 * and byte flips of real payloads never throw, end, report only MDNS_ANOMALIES codes and stay
 * within the limits; a prefix of a real payload yields a prefix of its records (truncation
 * monotonicity). observeMdns is run on every decode too: it must not throw either.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMdns,
  MDNS_ANOMALIES,
  MDNS_LIMITS,
  type MdnsLimits,
  type MdnsRecord,
} from '../../src/protocols/mdns/mdns.js';
import type { DecodeResult } from '../../src/decode/result.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { observeMdns } from '../../src/protocols/mdns/mdns-observe.js';
import { CONFORMANCE_SKIP, conformancePath, itShared, MDNS_CAPTURES } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';

const SEED = 42;
const RUNS = 10_000;
const TIMEOUT_MS = 120_000;
const KNOWN = new Set<string>(MDNS_ANOMALIES);

const CAPTURES = [
  'fixtures/mdns/avahi-hinfo-txt.pcapng',
  // The shared material's mDNS captures, when it is there (test/helpers/conformance.ts).
  ...(CONFORMANCE_SKIP === null ? MDNS_CAPTURES.map(conformancePath) : []),
];

const isMdns = (f: FrameRecord): boolean => f.udp !== undefined && (f.udp.srcPort === 5353 || f.udp.dstPort === 5353);

/** The output invariants every decode must meet, whatever the input. */
function checkBounded(result: DecodeResult<MdnsRecord>, limits: MdnsLimits): void {
  const { value, anomalies } = result;
  for (const code of anomalies) expect(KNOWN.has(code), code).toBe(true);
  const items = value.questions.length + value.records.length;
  expect(items).toBeLessThanOrEqual(limits.maxRecords);
  // At most 3 codes per located item (owner name cut, target name cut, one data code) + 2 per walk.
  expect(anomalies.length).toBeLessThanOrEqual(3 * limits.maxRecords + 2);
  for (const q of value.questions) expect(q.name.length).toBeLessThanOrEqual(limits.maxNameLength);
  for (const rr of value.records) {
    expect(rr.name.length).toBeLessThanOrEqual(limits.maxNameLength);
    const d = rr.data;
    if (d === undefined) continue;
    expect(d.type).toBe(rr.type);
    if (d.type === 'PTR' || d.type === 'SRV') expect(d.target.length).toBeLessThanOrEqual(limits.maxNameLength);
    if (d.type === 'TXT') {
      expect(d.strings.length).toBeLessThanOrEqual(limits.maxTxtStrings);
      // n bytes decode to at most n UTF-16 code units, so text length bounds the bytes kept.
      expect(d.strings.reduce((n, s) => n + s.length, 0)).toBeLessThanOrEqual(limits.maxTxtBytes);
      expect(d.entries.length).toBeLessThanOrEqual(d.strings.length);
    }
  }
}

function checkObserver(value: MdnsRecord, frame: FrameRecord): void {
  for (const o of observeMdns(value, frame)) {
    expect(o.value.length).toBeGreaterThan(0);
    expect(o.value.length).toBeLessThanOrEqual(255);
    expect(o.frame).toBe(frame.frameNo);
  }
}

const limitsArb: fc.Arbitrary<MdnsLimits> = fc.record({
  maxRecords: fc.integer({ min: 0, max: 12 }),
  maxTxtBytes: fc.integer({ min: 0, max: 400 }),
  maxTxtStrings: fc.integer({ min: 0, max: 8 }),
  maxNameLength: fc.integer({ min: 0, max: 40 }),
});

describe('decodeMdns properties', () => {
  let frames: FrameRecord[] = [];
  beforeAll(async () => {
    for (const path of CAPTURES) frames.push(...(await readFrames(path)).filter(isMdns));
    frames = frames.filter((f) => f.payload.length >= 12);
  });

  itShared('has real payloads to work from', () => {
    expect(frames.length).toBeGreaterThanOrEqual(60);
  });

  it('arbitrary bytes never throw and yield only known codes', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        checkBounded(decodeMdns(bytes), MDNS_LIMITS);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a plausible header over arbitrary bytes never throws (reaches the record walk)', { timeout: TIMEOUT_MS }, () => {
    const arb = fc.tuple(
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }),
      fc.uint8Array({ maxLength: 600 }),
    );
    fc.assert(
      fc.property(arb, ([flags, counts, body]) => {
        const head = [0, 0, flags >> 8, flags & 0xff, ...counts.flatMap((c) => [0, c])];
        checkBounded(decodeMdns(Uint8Array.from([...head, ...body])), MDNS_LIMITS);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('every prefix of every real payload decodes to a prefix of the full decode', { timeout: TIMEOUT_MS }, () => {
    let prefixes = 0;
    let expected = 0;
    for (const frame of frames) {
      expected += frame.payload.length + 1;
      const full = decodeMdns(frame.payload).value;
      for (let n = 0; n <= frame.payload.length; n++) {
        const cut = decodeMdns(frame.payload.subarray(0, n));
        checkBounded(cut, MDNS_LIMITS);
        expect(full.questions.slice(0, cut.value.questions.length)).toEqual(cut.value.questions);
        expect(full.records.slice(0, cut.value.records.length)).toEqual(cut.value.records);
        prefixes++;
      }
    }
    expect(prefixes).toBe(expected); // exhaustive; the random cuts below add RUNS more, under random limits
  });

  it('random cuts of real payloads under random limits stay within the limits and monotone', { timeout: TIMEOUT_MS }, () => {
    const arb = fc.tuple(fc.nat(), fc.nat(), limitsArb);
    fc.assert(
      fc.property(arb, ([which, at, limits]) => {
        const frame = frames[which % frames.length] as FrameRecord;
        const cut = frame.payload.subarray(0, at % (frame.payload.length + 1));
        const result = decodeMdns(cut, limits);
        checkBounded(result, limits);
        checkObserver(result.value, frame);
        const full = decodeMdns(frame.payload, limits).value;
        expect(full.records.slice(0, result.value.records.length)).toEqual(result.value.records);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('byte flips of real payloads never throw, stay bounded, and observe cleanly', { timeout: TIMEOUT_MS }, () => {
    const flip = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }));
    const arb = fc.tuple(fc.nat(), fc.array(flip, { minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(arb, ([which, flips]) => {
        const frame = frames[which % frames.length] as FrameRecord;
        const bytes = new Uint8Array(frame.payload);
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        const result = decodeMdns(bytes);
        checkBounded(result, MDNS_LIMITS);
        checkObserver(result.value, frame);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
