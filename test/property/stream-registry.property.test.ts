/**
 * The property harness over STREAM_PROTOCOLS (the TCP twin of registry.property.test.ts): it walks
 * the table, so every stream protocol, present and future, is covered without a line here.
 * fast-check seed 42; per protocol 10,000 runs: arbitrary chunk sequences in both directions, and
 * real reassembled streams of the lab fixtures (the bytes of each flow direction on the
 * protocol's ports, in frame order) with bytes flipped, cut into arbitrary chunks, with gaps.
 *
 * Properties: a flow handler never throws, reports only codes from its entry's `anomalyCodes`,
 * and gives back every byte it charged to the stream memory meter once closed.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ByteMeter, STREAM_LIMITS, STREAM_PROTOCOLS, type StreamProtocol } from '../../src/decode/stream/stream-decoder.js';
import type { Direction, TcpSegment } from '../../src/decode/stream/tcp-reassembly.js';
import { ROOT } from '../helpers/cli.js';
import { readFrames } from '../helpers/frames.js';

const SEED = 42;
const RUNS = { arbitrary: 5_000, real: 5_000 } as const;
const FIXTURES = ['dicom/lab-dicom-associations.pcapng', 'hl7/lab-hl7-oru-mllp.pcapng'];

/** Per protocol name: each flow direction's payload bytes, concatenated in frame order. */
const streams = new Map<string, Uint8Array[]>();

beforeAll(async () => {
  for (const p of STREAM_PROTOCOLS) {
    const ports = new Set(p.ports(STREAM_LIMITS));
    const byDirection = new Map<string, number[]>();
    for (const file of FIXTURES) {
      for (const f of await readFrames(`${ROOT}fixtures/${file}`)) {
        if (f.payloadKind !== 'tcp' || !f.tcp || !f.ip || f.payload.length === 0) continue;
        if (!ports.has(f.tcp.srcPort) && !ports.has(f.tcp.dstPort)) continue;
        const key = `${file} ${f.ip.src}:${f.tcp.srcPort}>${f.ip.dst}:${f.tcp.dstPort}`;
        const bytes = byDirection.get(key) ?? [];
        bytes.push(...f.payload);
        byDirection.set(key, bytes);
      }
    }
    streams.set(p.name, [...byDirection.values()].map((b) => Uint8Array.from(b)));
  }
}, 60_000);

const SEGMENT: TcpSegment = { srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 104, seq: 0, flags: 0x18, payload: new Uint8Array(0), tsMicros: 1, frameNo: 1 };

type Step = { direction: Direction; bytes: Uint8Array } | { direction: Direction; gap: true };

/** Anomaly codes seen per protocol (the harness must reach the decoders' error paths). */
const seenCodes = new Map<string, Set<string>>();

/** Runs one flow over the steps; fails on a throw, an undeclared code or bytes left charged. */
function runFlow(p: StreamProtocol, steps: readonly Step[]): void {
  const meter = new ByteMeter();
  const codes: string[] = [];
  const flow = p.flow({ anomaly: (c) => codes.push(c), counter: () => undefined, record: () => undefined }, STREAM_LIMITS, meter, { looked: 0 });
  for (const s of steps) {
    if ('gap' in s) flow.gap(s.direction);
    else flow.data(s.direction, s.bytes, SEGMENT);
    expect(meter.used).toBeGreaterThanOrEqual(0);
  }
  flow.close('fin');
  for (const c of codes) if (!p.anomalyCodes.includes(c)) expect.fail(`${p.name} reported ${c}, not in its anomalyCodes`);
  const seen = seenCodes.get(p.name) ?? new Set<string>();
  for (const c of codes) seen.add(c);
  seenCodes.set(p.name, seen);
  expect(meter.used, `${p.name} keeps bytes charged after close`).toBe(0);
}

const direction = fc.constantFrom<Direction>(0, 1);

describe('stream registry harness: every STREAM_PROTOCOLS entry', () => {
  it('has real streams in the lab fixtures', () => {
    for (const p of STREAM_PROTOCOLS) expect(streams.get(p.name)?.length ?? 0, p.name).toBeGreaterThan(0);
  });

  for (const p of STREAM_PROTOCOLS) {
    it(`${p.name}: arbitrary chunks in both directions, with gaps (${RUNS.arbitrary} runs, seed ${SEED})`, () => {
      const step: fc.Arbitrary<Step> = fc.oneof(
        { weight: 9, arbitrary: fc.record({ direction, bytes: fc.uint8Array({ maxLength: 600 }) }) },
        { weight: 1, arbitrary: fc.record({ direction, gap: fc.constant(true as const) }) },
      );
      fc.assert(fc.property(fc.array(step, { maxLength: 12 }), (steps) => runFlow(p, steps)), { seed: SEED, numRuns: RUNS.arbitrary });
    });

    it(`${p.name}: real streams with flipped bytes, cut anywhere (${RUNS.real} runs, seed ${SEED})`, () => {
      const corpus = streams.get(p.name) ?? [];
      const arb = fc.record({
        index: fc.nat({ max: Math.max(0, corpus.length - 1) }),
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 8 }),
        cuts: fc.array(fc.nat(), { maxLength: 10 }),
        gapAt: fc.option(fc.nat(), { nil: undefined }),
        direction,
      });
      fc.assert(fc.property(arb, ({ index, flips, cuts, gapAt, direction: d }) => {
        const source = corpus[index];
        if (source === undefined || source.length === 0) return;
        const bytes = Uint8Array.from(source);
        for (const [at, x] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ x;
        const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
        const steps: Step[] = [];
        let from = 0;
        for (const [i, to] of [...points, bytes.length].entries()) {
          if (to > from) steps.push({ direction: d, bytes: bytes.subarray(from, to) });
          if (gapAt !== undefined && gapAt % (points.length + 1) === i) steps.push({ direction: d, gap: true });
          from = to;
        }
        runFlow(p, steps);
      }), { seed: SEED, numRuns: RUNS.real });
      // The mutated real streams reach several of the decoders' anomaly paths.
      expect(seenCodes.get(p.name)?.size ?? 0, [...(seenCodes.get(p.name) ?? [])].join(' ')).toBeGreaterThan(2);
    });
  }
});
