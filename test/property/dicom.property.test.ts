import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DICOM_COMMAND_ANOMALIES, DICOM_COMMAND_LIMITS, decodeDicomCommand } from '../../src/protocols/dicom/dicom-command.js';
import {
  DICOM_DATASET_ANOMALIES,
  DICOM_DATASET_LIMITS,
  DicomDatasetReader,
  type DicomDatasetLimits,
  type DicomDeviceAttributes,
} from '../../src/protocols/dicom/dicom-dataset.js';
import {
  DICOM_UL_ANOMALIES,
  DICOM_UL_LIMITS,
  decodeDicomPdu,
  frameDicomPdu,
  type DicomPdu,
  type DicomUlLimits,
} from '../../src/protocols/dicom/dicom-ul.js';
import type { DecodeResult } from '../../src/decode/result.js';
import type { FramerResult } from '../../src/decode/stream/framer.js';
import { decodePdus, frameAll, stream, streamNames, walkAssociation, walkStreams } from '../unit/decode/medical-streams.js';

const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN = new Set<string>([...DICOM_UL_ANOMALIES, ...DICOM_COMMAND_ANOMALIES, ...DICOM_DATASET_ANOMALIES]);
const SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'];

const fail = (what: string): never => { throw new Error(what); };
const known = (codes: readonly string[]) => { for (const c of codes) if (!KNOWN.has(c)) fail(`unknown code ${c}`); };

/** Lab streams by association name: both directions. */
const names = [...new Set(streamNames('dicom-').map((n) => n.replace(/^dicom-|\.(client|server)\.bin$/g, '')))];
const pairs = names.map((n) => ({ name: n, client: stream(`dicom-${n}.client.bin`), server: stream(`dicom-${n}.server.bin`) }));
const allStreams = pairs.flatMap((p) => [p.client, p.server]);

/** Each real data set (bytes concatenated from its PDVs) with its transfer syntax and whole-input result. */
const datasets = ['store-implicit', 'store-explicit-all-sop', 'store-big-endian', 'store-deflated'].flatMap((name) => {
  const w = walkAssociation(name);
  const syntaxes = new Map<number, string>();
  for (const p of w.server) if (p.record.pdu === 'associate_ac') for (const c of p.record.acceptedContexts) if (c.transferSyntax) syntaxes.set(c.id, c.transferSyntax);
  const out: Array<{ ts: string; bytes: Uint8Array }> = [];
  let cur: number[] = [];
  for (const p of w.client) {
    if (p.record.pdu !== 'data') continue;
    for (const v of p.record.pdvs) {
      if (v.isCommand) continue;
      cur.push(...v.fragment);
      if (v.isLast) { out.push({ ts: syntaxes.get(v.presentationContextId) ?? '', bytes: Uint8Array.from(cur) }); cur = []; }
    }
  }
  return out;
});

function checkFramer(r: FramerResult<DicomPdu>, buf: Uint8Array, limits: DicomUlLimits): void {
  if (r.kind === 'frame') {
    if (r.consumed <= 0 || r.consumed > buf.length) fail('frame consumed out of range');
    if (r.frame.length > limits.maxPduBytes || r.frame.body.length !== r.frame.length || r.consumed !== r.frame.length + 6) fail('frame size');
  } else if (r.kind === 'incomplete') {
    if (r.consumed < 0 || r.needed <= buf.length - r.consumed) fail('incomplete without need');
    if (r.needed > limits.maxPduBytes + 6) fail('asks to buffer past the limit');
  } else {
    if (r.skip <= 0 || r.skip > buf.length) fail('desync skip out of range');
    if (r.anomaly) known([r.anomaly]);
  }
}

function checkDataset(r: DecodeResult<DicomDeviceAttributes>, limits: DicomDatasetLimits): void {
  known(r.anomalies);
  if (r.value.elementCount > limits.maxElements) fail('too many elements');
  for (const v of Object.values(r.value)) {
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string' && s.length > Math.max(limits.maxValueBytes, 32)) fail('value too long');
  }
}

function readDataset(ts: string, bytes: Uint8Array, cuts: number[], limits: DicomDatasetLimits = DICOM_DATASET_LIMITS) {
  const reader = new DicomDatasetReader(ts, limits);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    reader.push(bytes.subarray(prev, p), p === bytes.length);
    prev = p;
  }
  return reader.result();
}

const ulLimitsArb: fc.Arbitrary<DicomUlLimits> = fc.record({
  maxPduBytes: fc.integer({ min: 0, max: 70_000 }),
  maxPresentationContexts: fc.integer({ min: 0, max: 130 }),
  maxTransferSyntaxes: fc.integer({ min: 0, max: 8 }),
  maxPdvs: fc.integer({ min: 0, max: 8 }),
  maxText: fc.integer({ min: 0, max: 80 }),
});
const dsLimitsArb: fc.Arbitrary<DicomDatasetLimits> = fc.record({
  maxElements: fc.integer({ min: 0, max: 100 }),
  maxDepth: fc.integer({ min: 0, max: 6 }),
  maxValueBytes: fc.integer({ min: 0, max: 128 }),
  maxDeflatedInputBytes: fc.integer({ min: 0, max: 4096 }),
  maxInflatedBytes: fc.integer({ min: 1, max: 1 << 16 }),
});

describe('frameDicomPdu / decodeDicomPdu properties', () => {
  it('the corpus holds 8 associations and 5 data sets', () => {
    expect(pairs).toHaveLength(8);
    expect(datasets.map((d) => d.ts)).toEqual(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
  });

  it('arbitrary bytes: every framer call keeps the contract; decoding any frame gives known codes within the limits', () => {
    const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.tuple(fc.integer({ min: 1, max: 7 }), fc.uint8Array({ maxLength: 600 }))
      .map(([t, b]) => Uint8Array.from([t, 0, 0, 0, (b.length >> 8) & 0xff, b.length & 0xff, ...b])));
    fc.assert(
      fc.property(bytesArb, ulLimitsArb, (buf, limits) => {
        let b = buf;
        for (let step = 0; step <= buf.length + 1; step++) {
          const r = frameDicomPdu(b, limits);
          checkFramer(r, b, limits);
          if (r.kind === 'incomplete') return;
          if (r.kind === 'frame') {
            const d = decodeDicomPdu(r.frame, limits);
            known(d.anomalies);
            const v = d.value;
            if (v.pdu === 'associate_rq' || v.pdu === 'associate_ac') {
              if (v.proposedContexts.length + v.acceptedContexts.length > limits.maxPresentationContexts * 2) fail('contexts');
              for (const c of v.proposedContexts) if (c.transferSyntaxes.length > limits.maxTransferSyntaxes) fail('syntaxes');
            }
            if (v.pdu === 'data' && v.pdvs.length > limits.maxPdvs) fail('pdvs');
          }
          b = b.subarray(r.kind === 'frame' ? r.consumed : r.skip);
        }
        fail('framer made no progress');
      }),
      RUNS,
    );
  });

  it('arbitrary PDU bodies of every type decode with known codes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 1024 }), ulLimitsArb, (type, body, limits) => {
        known(decodeDicomPdu({ type, length: body.length, body }, limits).anomalies);
      }),
      RUNS,
    );
  });

  it('arbitrary command sets decode with known codes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.integer({ min: 0, max: 80 }), (b, maxElements) => {
      known(decodeDicomCommand(b, { maxElements }).anomalies);
      known(decodeDicomCommand(b, DICOM_COMMAND_LIMITS).anomalies);
    }), RUNS);
  });

  it('every prefix of a real stream frames a prefix of its PDUs, without anomalies', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = allStreams[i % allStreams.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        const all = frameAll<DicomPdu>(full, (b) => frameDicomPdu(b)).frames.map((f) => `${f.type}:${f.length}`);
        const some = decodePdus(prefix);
        if (some.framing.length > 0) fail('framing anomaly on a clean prefix');
        expect(some.pdus.map((p) => `${p.type}:${(p.record.pdu)}`).length).toBeLessThanOrEqual(all.length);
        const got = frameAll<DicomPdu>(prefix, (b) => frameDicomPdu(b)).frames.map((f) => `${f.type}:${f.length}`);
        expect(got).toEqual(all.slice(0, got.length));
      }),
      RUNS,
    );
  });

  it('random byte flips of real associations never throw and give only known codes, end to end', () => {
    const arb = fc.tuple(fc.nat(), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(arb, ([i, serverSide, flips]) => {
        const pair = pairs[i % pairs.length] as (typeof pairs)[number];
        const client = Uint8Array.from(pair.client);
        const server = Uint8Array.from(pair.server);
        const target = serverSide ? server : client;
        // flips land in the first 2 KiB (headers, association, data set header) most of the time
        for (const [at, v] of flips) target[at % Math.min(target.length, at % 3 === 0 ? target.length : 2048)] = v;
        const w = walkStreams(client, server);
        for (const p of [...w.client, ...w.server]) known(p.anomalies);
        for (const c of [...w.commands, ...w.responses]) known(c.anomalies);
        for (const d of w.datasets) checkDataset(d.result, DICOM_DATASET_LIMITS);
      }),
      RUNS,
    );
  });
});

describe('DicomDatasetReader properties', () => {
  it('arbitrary bytes in every transfer syntax, cut anywhere, never throw and stay within the limits', () => {
    const arb = fc.tuple(fc.constantFrom(...SYNTAXES), fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 6 }), dsLimitsArb);
    fc.assert(fc.property(arb, ([ts, bytes, cuts, limits]) => { checkDataset(readDataset(ts, bytes, cuts, limits), limits); }), RUNS);
  });

  it('element-shaped noise (tags, VRs, delimiters, undefined lengths) never throws', () => {
    const token = fc.oneof(
      fc.constantFrom([0xfe, 0xff, 0x00, 0xe0], [0xfe, 0xff, 0x0d, 0xe0], [0xfe, 0xff, 0xdd, 0xe0], [0xff, 0xff, 0xff, 0xff], [0x08, 0x00, 0x70, 0x00],
        [0x53, 0x51, 0, 0], [0x55, 0x4e, 0, 0], [0x4c, 0x4f], [0xe0, 0x7f, 0x10, 0x00], [0, 0, 0, 0]),
      fc.uint8Array({ maxLength: 8 }).map((b) => [...b]),
    );
    const arb = fc.tuple(fc.constantFrom(...SYNTAXES.slice(0, 3)), fc.array(token, { maxLength: 120 }), fc.array(fc.nat(), { maxLength: 4 }), dsLimitsArb);
    fc.assert(fc.property(arb, ([ts, tokens, cuts, limits]) => { checkDataset(readDataset(ts, Uint8Array.from(tokens.flat()), cuts, limits), limits); }), RUNS);
  });

  it('a real data set gives the same result however its fragments are cut', () => {
    const arb = fc.tuple(fc.nat(), fc.array(fc.nat(), { maxLength: 12 }));
    const whole = datasets.map((d) => readDataset(d.ts, d.bytes, []));
    fc.assert(
      fc.property(arb, ([i, cuts]) => {
        const k = i % datasets.length;
        const d = datasets[k] as (typeof datasets)[number];
        expect(readDataset(d.ts, d.bytes, cuts)).toEqual(whole[k]);
      }),
      RUNS,
    );
  });

  it('every prefix of a real data set yields a subset of the full result', () => {
    const arb = fc.tuple(fc.nat(), fc.nat());
    const whole = datasets.map((d) => readDataset(d.ts, d.bytes, []).value);
    fc.assert(
      fc.property(arb, ([i, cut]) => {
        const k = i % datasets.length;
        const d = datasets[k] as (typeof datasets)[number];
        const part = readDataset(d.ts, d.bytes.subarray(0, cut % (d.bytes.length + 1)), []);
        known(part.anomalies);
        const full = whole[k] as DicomDeviceAttributes;
        for (const [key, v] of Object.entries(part.value)) {
          if (key === 'elementCount' || key === 'stoppedAt') continue;
          expect(v, key).toEqual(full[key as keyof DicomDeviceAttributes]);
        }
      }),
      { ...RUNS, numRuns: 10_000 },
    );
  });
});

describe('limits used by the properties', () => {
  it('defaults are the documented ones', () => {
    expect(DICOM_UL_LIMITS.maxPduBytes).toBe(2 * 1024 * 1024);
    expect(DICOM_DATASET_LIMITS.maxValueBytes).toBe(1024);
  });
});
