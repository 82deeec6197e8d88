/**
 * Property tests for every decoder of the tunnels, shims and non-Ethernet link layers (GRE,
 * ERSPAN II/III, VXLAN, Geneve, MPLS, PPPoE, PPP, Cisco MetaData, CAPWAP, LWAPP, 802.11,
 * radiotap, LLC), fast-check seed 42, 10,000 runs per property:
 * - each decoder, on arbitrary bytes, never throws, yields only its own anomaly codes, and never
 *   moves its reader past the end (a lying length cannot read beyond its container);
 * - decodeFrame on synthesised tunnel stacks (Ethernet → IPv4 → GRE with arbitrary flags and
 *   protocol types, or UDP to a tunnel port, nested up to 12 deep, with arbitrary tails) never
 *   throws, yields only FRAME_ANOMALIES codes, never walks more encapsulations than the limit,
 *   and returns a payload inside the input;
 * - the real tunnelled frames of ../shared/captures/encap (when present) under byte flips and
 *   random cuts keep the same invariants (frame.property.test.ts also cuts them exhaustively
 *   when they are there).
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE, type CapturedFrame } from '../../src/capture/captured-frame.js';
import { ByteReader } from '../../src/decode/bytes.js';
import { FRAME_ANOMALIES, FRAME_LIMITS, TUNNEL_LINKTYPE, decodeFrame, type FrameLimits } from '../../src/decode/frame.js';
import { ETHERNET_ANOMALIES, readLlc } from '../../src/decode/link/ethernet.js';
import { WLAN_ANOMALIES, readRadiotap, readWlan } from '../../src/decode/link/wlan.js';
import type { AnomalyCode } from '../../src/decode/result.js';
import { CAPWAP_ANOMALIES, readCapwapData, readLwappData } from '../../src/decode/tunnel/capwap.js';
import { CMD_ANOMALIES, readCiscoMetadata } from '../../src/decode/tunnel/cmd.js';
import { ERSPAN_ANOMALIES, readErspan } from '../../src/decode/tunnel/erspan.js';
import { GRE_ANOMALIES, readGre } from '../../src/decode/tunnel/gre.js';
import { MPLS_ANOMALIES, readMpls } from '../../src/decode/tunnel/mpls.js';
import { PPPOE_ANOMALIES, readPppProtocol, readPppoeSession } from '../../src/decode/tunnel/pppoe.js';
import { VXLAN_ANOMALIES, readGeneve, readVxlan } from '../../src/decode/tunnel/vxlan.js';
import { flipped, FLIPS_ARB } from '../helpers/mutation.js';
import { readCapturedFrames } from '../helpers/frames.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

const RUNS = { seed: 42, numRuns: 10_000 };
const BYTES = fc.uint8Array({ maxLength: 256 });

/** Each decoder run on one reader, with the codes it may yield. */
const DECODERS: [string, readonly AnomalyCode[], (r: ByteReader, a: AnomalyCode[], pick: number) => unknown][] = [
  ['gre', GRE_ANOMALIES, (r, a) => readGre(r, a)],
  ['erspan', ERSPAN_ANOMALIES, (r, a, pick) => readErspan(r, pick % 2 === 0 ? 2 : 3, a)],
  ['vxlan', VXLAN_ANOMALIES, (r, a) => readVxlan(r, a)],
  ['geneve', VXLAN_ANOMALIES, (r, a) => readGeneve(r, a)],
  ['mpls', MPLS_ANOMALIES, (r, a, pick) => readMpls(r, a, { maxLabels: 1 + (pick % 20), payload: (['auto', 'ethernet', 'ethernet_cw', 'ip'] as const)[pick % 4] ?? 'auto' })],
  ['pppoe', PPPOE_ANOMALIES, (r, a) => { const s = readPppoeSession(r, a); return s && readPppProtocol(s.body, a); }],
  ['ppp', PPPOE_ANOMALIES, (r, a) => readPppProtocol(r, a)],
  ['cmd', CMD_ANOMALIES, (r, a, pick) => readCiscoMetadata(r, a, pick % 2 === 0)],
  ['capwap', CAPWAP_ANOMALIES, (r, a) => readCapwapData(r, a)],
  ['lwapp', CAPWAP_ANOMALIES, (r, a) => readLwappData(r, a)],
  ['wlan', WLAN_ANOMALIES, (r, a, pick) => readWlan(r, a, pick % 2 === 0)],
  ['radiotap', WLAN_ANOMALIES, (r, a) => readRadiotap(r, a)],
  ['llc', ETHERNET_ANOMALIES, (r, a) => readLlc(r, a)],
];

describe('each tunnel, shim and link decoder on arbitrary bytes', () => {
  for (const [name, codes, decode] of DECODERS) {
    it(`${name}: never throws, only its own codes, never past the end`, () => {
      const known = new Set<string>(codes);
      fc.assert(
        fc.property(BYTES, fc.nat(), (bytes, pick) => {
          const r = new ByteReader(bytes);
          const anomalies: AnomalyCode[] = [];
          decode(r, anomalies, pick);
          for (const a of anomalies) expect(known.has(a), `${name} yielded ${a}`).toBe(true);
          expect(r.offset).toBeLessThanOrEqual(bytes.length);
        }),
        RUNS,
      );
    });
  }
});

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const KNOWN = new Set<string>(FRAME_ANOMALIES);

/** One tunnel layer: GRE (arbitrary flags, a protocol type worth trying) or UDP to a tunnel port, and the header that follows. */
const layerArb = fc.oneof(
  fc.tuple(fc.constant('gre' as const), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0x6558, 0x0800, 0x86dd, 0x88be, 0x22eb, 0x8909, 0x880b, 0x8847, 0x8200, 0x2000, 0x1234, 0), fc.uint8Array({ maxLength: 24 })),
  fc.tuple(fc.constant('udp' as const), fc.constantFrom(4789, 8472, 6081, 5247, 12222, 6635), fc.constant(0), fc.uint8Array({ maxLength: 24 })),
);

/** Ethernet + IPv4 around `inner`, carrying GRE or UDP per `layer`. */
function wrap(layer: ['gre' | 'udp', number, number, Uint8Array], inner: number[]): number[] {
  const [kind, a, b, header] = layer;
  const body = kind === 'gre' ? [...u16(a), ...u16(b), ...header, ...inner] : [...u16(40000), ...u16(a), ...u16(8 + header.length + inner.length), 0, 0, ...header, ...inner];
  const ip = [0x45, 0, ...u16(20 + body.length), 0, 1, 0, 0, 64, kind === 'gre' ? 47 : 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...body];
  return [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ip];
}

function checked(frame: CapturedFrame, limits: FrameLimits): void {
  const { value, anomalies } = decodeFrame(frame, limits);
  for (const a of anomalies) expect(KNOWN.has(a), a).toBe(true);
  expect((value.encap ?? []).length).toBeLessThanOrEqual(limits.maxEncapDepth);
  const p = value.payload;
  if (p.length > 0) {
    expect(p.buffer).toBe(frame.data.buffer);
    expect(p.byteOffset + p.length).toBeLessThanOrEqual(frame.data.byteOffset + frame.data.length);
  }
  if (value.payloadKind === 'none') expect(p.length).toBe(0);
}

const captured = (data: Uint8Array, linkType: number = LINKTYPE.ETHERNET): CapturedFrame => ({ frameNo: 1, tsMicros: 0, linkType, originalLength: data.length, data });
const limitsArb = fc.record({ maxEncapDepth: fc.integer({ min: 1, max: 10 }), mplsPayload: fc.constantFrom('auto', 'ethernet', 'ethernet_cw', 'ip' as const) }).map((l) => ({ ...FRAME_LIMITS, ...l }));

describe('decodeFrame on synthesised tunnel stacks', () => {
  it('nested GRE/UDP tunnels with arbitrary headers and tails never throw and respect the depth limit', () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 128 }), limitsArb, (layers, tail, limits) => {
        let bytes: number[] = [...tail];
        for (const layer of layers) bytes = wrap(layer, bytes);
        checked(captured(Uint8Array.from(bytes)), limits);
      }),
      RUNS,
    );
  });

  it('arbitrary bytes behind the new link types (802.11, radiotap, Cisco HDLC, PPP) never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(TUNNEL_LINKTYPE)), fc.uint8Array({ maxLength: 512 }), limitsArb, (linkType, bytes, limits) => {
        checked(captured(bytes, linkType), limits);
      }),
      RUNS,
    );
  });
});

const ENCAP = sharedPath('captures', 'encap');
const real: CapturedFrame[] = [];
beforeAll(async () => {
  if (!sharedAvailable('captures', 'encap')) return;
  const names = readdirSync(ENCAP, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(pcap|pcapng|cap)$/.test(n)).sort();
  for (const n of names) {
    const frames = await readCapturedFrames(`${ENCAP}/${n}`);
    real.push(...frames.slice(0, 40)); // the first 40 of each: every chain, a bounded corpus
  }
}, 60_000);

describe.skipIf(!sharedAvailable('captures', 'encap'))('the real tunnelled frames of ../shared/captures/encap', () => {
  it('byte flips and random cuts never throw and keep the invariants', () => {
    expect(real.length).toBeGreaterThan(500);
    fc.assert(
      fc.property(fc.nat(), FLIPS_ARB, fc.nat(), limitsArb, (i, flips, cut, limits) => {
        const f = real[i % real.length] as CapturedFrame;
        const bytes = flipped(f.data, flips);
        checked({ ...f, data: bytes.subarray(0, cut % (bytes.length + 1)) }, limits);
      }),
      RUNS,
    );
  });
});
