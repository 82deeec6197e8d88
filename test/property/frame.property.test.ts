/**
 * Property tests for decodeFrame (link, network and transport layers), fast-check seed 42,
 * 10,000 runs per property:
 * - arbitrary bytes under every supported link type (and an unsupported one) never throw, yield
 *   only FRAME_ANOMALIES codes, keep the VLAN stack within the limit, and return a payload that
 *   is a view inside the input;
 * - prefixes of every real frame (every capture under fixtures/, recursively, and every capture of
 *   the shared material's MANIFEST.tsv and of ../shared/captures/encap when they are there, plus its raw IP
 *   frames behind synthesised BSD NULL/LOOP headers: every cut through the headers and 64 bytes
 *   into the payload, a sample past that, and 10,000 random cuts) decode without throwing, and any
 *   MAC, VLAN tag, IP address, ARP record or port a prefix yields equals the full frame's
 *   (truncation monotonicity);
 * - random byte flips of real frames never throw and keep the same invariants.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE, type CapturedFrame } from '../../src/capture/captured-frame.js';
import { toHex } from '../../src/decode/bytes.js';
import { FRAME_ANOMALIES, FRAME_LIMITS, TUNNEL_LINKTYPE, decodeFrame, type FrameLimits } from '../../src/decode/frame.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { allConformanceCaptures, CONFORMANCE_SKIP, conformancePath, itShared } from '../helpers/conformance.js';
import { readCapturedFrames } from '../helpers/frames.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN = new Set<string>(FRAME_ANOMALIES);
const LINK_TYPES = [...Object.values(LINKTYPE), ...Object.values(TUNNEL_LINKTYPE), 147 /* USER0: unsupported */];

/** Distinct real frames (by link type and bytes), each with its full decode. */
let corpus: { frame: CapturedFrame; full: FrameRecord }[] = [];

function capturesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((n) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(n))
    .sort()
    .map((n) => dir + n);
}

beforeAll(async () => {
  const seen = new Map<string, CapturedFrame>();
  const add = (f: CapturedFrame) => seen.set(`${f.linkType}:${toHex(f.data)}`, f);
  // The tunnelled captures other projects own, when ../shared is there (tunnels, 802.11, HDLC).
  const encap = sharedAvailable('captures', 'encap') ? capturesUnder(`${sharedPath('captures', 'encap')}/`) : [];
  const shared = CONFORMANCE_SKIP === null ? allConformanceCaptures().map(conformancePath) : [];
  for (const path of [...capturesUnder(FIXTURES), ...shared, ...encap]) {
    for (const f of await readCapturedFrames(path)) {
      add(f);
      if (f.linkType === LINKTYPE.RAW) {
        // The same IP packets behind BSD loopback headers: NULL little-endian, NULL big-endian, LOOP.
        const family = (f.data[0] ?? 0) >> 4 === 6 ? 30 : 2;
        add({ ...f, linkType: LINKTYPE.NULL, data: Uint8Array.from([family, 0, 0, 0, ...f.data]) });
        add({ ...f, linkType: LINKTYPE.NULL, data: Uint8Array.from([0, 0, 0, family, ...f.data]) });
        add({ ...f, linkType: LINKTYPE.LOOP, data: Uint8Array.from([0, 0, 0, family, ...f.data]) });
      }
    }
  }
  corpus = [...seen.values()].map((frame) => ({ frame, full: decodeFrame(frame).value }));
});

/**
 * What must hold for any input: only known codes, the tag limit, and a payload that is a view
 * inside the captured bytes (or empty), never a copy and never past the end. Returns the first
 * broken rule (plain checks, not `expect`, so that the exhaustive loop stays fast).
 */
function invariantProblem(frame: CapturedFrame, value: FrameRecord, anomalies: readonly string[], limits: FrameLimits): string | undefined {
  const unknown = anomalies.find((a) => !KNOWN.has(a));
  if (unknown !== undefined) return `unknown anomaly ${unknown}`;
  if (value.vlanTags.length > limits.maxVlanTags) return `${value.vlanTags.length} tags over the limit ${limits.maxVlanTags}`;
  const { payload, data } = { payload: value.payload, data: frame.data };
  if (payload.length > 0) {
    if (payload.buffer !== data.buffer) return 'payload is not a view of the input';
    if (payload.byteOffset < data.byteOffset || payload.byteOffset + payload.length > data.byteOffset + data.length) {
      return 'payload outside the input';
    }
  }
  if (value.payloadKind === 'none' && payload.length !== 0) return "payload with payloadKind 'none'";
  return undefined;
}

/** Decodes and checks the invariants; returns the record. */
function decodeChecked(frame: CapturedFrame, limits: FrameLimits = FRAME_LIMITS): FrameRecord {
  const { value, anomalies } = decodeFrame(frame, limits);
  const problem = invariantProblem(frame, value, anomalies, limits);
  if (problem !== undefined) expect.fail(`frame ${frame.frameNo} (link type ${frame.linkType}, ${frame.data.length} bytes): ${problem}`);
  return value;
}

function captured(data: Uint8Array, linkType: number): CapturedFrame {
  return { frameNo: 1, tsMicros: 0, linkType, originalLength: data.length, data };
}

const SHIM_ETHERTYPES = new Set([0x8847, 0x8848, 0x8864, 0x8909]);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Everything a prefix yields must agree with the full decode: the first disagreement, if any.
 * Tunnels: a prefix that stopped before the tunnel opened describes the full decode's carrier;
 * one that opened it has the same carrier, and its inner fields are compared once it walked the
 * same encapsulations.
 */
function monotoneProblem(part: FrameRecord, full: FrameRecord): string | undefined {
  const partEncap = (part.encap ?? []).join(':');
  const fullEncap = (full.encap ?? []).join(':');
  if (!`${fullEncap}:`.startsWith(partEncap === '' ? '' : `${partEncap}:`)) return 'encap';
  if (part.tunnel === undefined && full.tunnel !== undefined) {
    const carrier = full.tunnel;
    if (part.srcMac !== undefined && carrier.srcMac !== undefined && part.srcMac !== carrier.srcMac) return 'carrier srcMac';
    if (part.ip && carrier.ip && !same([part.ip.src, part.ip.dst], [carrier.ip.src, carrier.ip.dst])) return 'carrier ip';
    return undefined;
  }
  if (part.tunnel !== undefined) {
    const [a, b] = [part.tunnel, full.tunnel];
    if (!same([a.srcMac, a.dstMac, a.vlanTags, a.ip?.src], [b?.srcMac, b?.dstMac, b?.vlanTags, b?.ip?.src])) return 'tunnel carrier';
    if (partEncap !== fullEncap) return undefined;
  }
  if (part.srcMac !== undefined && part.srcMac !== full.srcMac) return 'srcMac';
  if (part.dstMac !== undefined && part.dstMac !== full.dstMac) return 'dstMac';
  if (!same(full.vlanTags.slice(0, part.vlanTags.length), part.vlanTags)) return 'vlanTags';
  // Stopped at a shim (MPLS, PPPoE, Cisco MetaData) the full decode went through: its ethertype and what follows differ.
  if (partEncap !== fullEncap) return undefined;
  // A shim cut short keeps its own ethertype (MPLS, PPPoE session, Cisco MetaData); the full decode went past it.
  if (part.ethertype !== undefined && part.ethertype !== full.ethertype && !SHIM_ETHERTYPES.has(part.ethertype)) return 'ethertype';
  // A cut SNAP header leaves DSAP/SSAP/control only: compare the fields the prefix has.
  if (part.llc && !Object.entries(part.llc).every(([k, v]) => (full.llc as Record<string, unknown> | undefined)?.[k] === v)) return 'llc';
  if (part.arp && !same(part.arp, full.arp)) return 'arp';
  if (part.ip && !same([part.ip.version, part.ip.src, part.ip.dst], [full.ip?.version, full.ip?.src, full.ip?.dst])) return 'ip';
  if (part.udp && !same([part.udp.srcPort, part.udp.dstPort], [full.udp?.srcPort, full.udp?.dstPort])) return 'udp';
  if (part.tcp && !same([part.tcp.srcPort, part.tcp.dstPort, part.tcp.seq], [full.tcp?.srcPort, full.tcp?.dstPort, full.tcp?.seq])) return 'tcp';
  // A prefix's payload is a prefix of the full payload when both reached the same layer (both are
  // views of the same buffer, so the same start and a length no longer means the same bytes).
  if (part.payloadKind === full.payloadKind && part.payload.length > 0) {
    if (part.payload.byteOffset !== full.payload.byteOffset) return 'payload start';
    if (part.payload.length > full.payload.length) return 'payload longer than the full one';
  }
  return undefined;
}

function expectMonotone(part: FrameRecord, full: FrameRecord, what: string): void {
  const problem = monotoneProblem(part, full);
  if (problem !== undefined) expect.fail(`${what}: the prefix's ${problem} differs from the full decode`);
}

const limitsArb: fc.Arbitrary<FrameLimits> = fc
  .record({ maxVlanTags: fc.integer({ min: 0, max: 10 }), maxEncapDepth: fc.integer({ min: 1, max: 10 }), mplsMaxLabels: fc.integer({ min: 1, max: 20 }), mplsPayload: fc.constantFrom('auto', 'ethernet', 'ethernet_cw', 'ip' as const) })
  .map((l) => ({ ...FRAME_LIMITS, ...l }));

/** Ethernet headers that lead somewhere (tags, IP, ARP, 802.3), followed by arbitrary bytes. */
const ethernetArb = fc
  .tuple(
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.array(fc.tuple(fc.constantFrom(0x8100, 0x88a8, 0x9100), fc.integer({ min: 0, max: 0xffff })), { maxLength: 10 }),
    fc.constantFrom(0x0800, 0x86dd, 0x0806, 0x88cc, 0, 3, 40, 1500, 1501, 1536),
    fc.uint8Array({ maxLength: 2048 }),
  )
  .map(([macs, tags, type, rest]) => {
    const head = [...macs, ...tags.flatMap(([tpid, tci]) => [tpid >> 8, tpid & 0xff, tci >> 8, tci & 0xff]), type >> 8, type & 0xff];
    return Uint8Array.from([...head, ...rest]);
  });

/** IPv4/IPv6 headers with plausible version, length and protocol fields, then arbitrary bytes. */
const ipArb = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 15 }), fc.constantFrom(6, 17, 0, 43, 44, 51, 60, 58, 1), fc.uint8Array({ minLength: 40, maxLength: 1500 }))
  .map(([v6, ihl, protocol, bytes]) => {
    const b = Uint8Array.from(bytes);
    if (v6) {
      b[0] = 0x60;
      b[6] = protocol;
    } else {
      b[0] = 0x40 | ihl;
      b[9] = protocol;
    }
    return b;
  });

describe('decodeFrame properties', () => {
  itShared('the corpus holds real frames of every supported link type', () => {
    const types = new Set(corpus.map((c) => c.frame.linkType));
    for (const t of Object.values(LINKTYPE)) if (t !== LINKTYPE.IPV4 && t !== LINKTYPE.IPV6) expect(types.has(t), `link type ${t}`).toBe(true);
    expect(corpus.length).toBeGreaterThan(1000);
    // The corpus reaches every layer the decoder knows.
    const kinds = new Set(corpus.map((c) => c.full.payloadKind));
    expect([...kinds].sort()).toEqual(['ethertype', 'llc', 'none', 'tcp', 'udp']);
  });

  it('arbitrary bytes under every link type never throw and give only known codes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 2048 }), limitsArb, (linkType, bytes, limits) => {
        decodeChecked(captured(bytes, linkType), limits);
      }),
      RUNS,
    );
  });

  it('Ethernet headers with tag stacks and arbitrary bodies never throw and respect the tag limit', () => {
    fc.assert(
      fc.property(ethernetArb, limitsArb, (bytes, limits) => {
        decodeChecked(captured(bytes, LINKTYPE.ETHERNET), limits);
      }),
      RUNS,
    );
  });

  it('IP headers with arbitrary fields never throw (raw IP, SLL, SLL2, NULL, LOOP)', () => {
    const linkHeaders: [number, (ip: Uint8Array) => number[]][] = [
      [LINKTYPE.RAW, () => []],
      [LINKTYPE.LINUX_SLL, (ip) => [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...((ip[0] ?? 0) >> 4 === 6 ? [0x86, 0xdd] : [8, 0])]],
      [LINKTYPE.LINUX_SLL2, (ip) => [...((ip[0] ?? 0) >> 4 === 6 ? [0x86, 0xdd] : [8, 0]), 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]],
      [LINKTYPE.NULL, (ip) => [(ip[0] ?? 0) >> 4 === 6 ? 24 : 2, 0, 0, 0]],
      [LINKTYPE.LOOP, (ip) => [0, 0, 0, (ip[0] ?? 0) >> 4 === 6 ? 28 : 2]],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...linkHeaders), ipArb, ([linkType, header], ip) => {
        const f = decodeChecked(captured(Uint8Array.from([...header(ip), ...ip]), linkType));
        expect(f.ip === undefined || f.ip.version === (ip[0] ?? 0) >> 4).toBe(true);
      }),
      RUNS,
    );
  });

  it('every prefix of every real frame through its headers is monotone (exhaustive), and a sample past them', () => {
    let decoded = 0;
    for (const { frame, full } of corpus) {
      // Past the headers a cut only shortens the payload: every prefix up to 64 bytes into the
      // payload, then every 61st, then the whole frame.
      const headerEnd = full.payload.length > 0 ? full.payload.byteOffset - frame.data.byteOffset : frame.data.length;
      for (let n = 0; n <= frame.data.length; n = n < headerEnd + 64 || n === frame.data.length ? n + 1 : Math.min(n + 61, frame.data.length)) {
        expectMonotone(decodeChecked({ ...frame, data: frame.data.subarray(0, n) }), full, `frame ${frame.frameNo} cut to ${n}`);
        decoded++;
      }
    }
    expect(decoded).toBeGreaterThan(50_000);
  });

  it('any prefix of any real frame never throws and is monotone', () => {
    const arb = fc.nat({ max: 1 << 30 }).chain((i) => {
      const { frame } = corpus[i % corpus.length] as (typeof corpus)[number];
      return fc.tuple(fc.constant(i % corpus.length), fc.integer({ min: 0, max: frame.data.length }));
    });
    fc.assert(
      fc.property(arb, ([i, n]) => {
        const { frame, full } = corpus[i] as (typeof corpus)[number];
        expectMonotone(decodeChecked({ ...frame, data: frame.data.subarray(0, n) }), full, `frame ${frame.frameNo} cut to ${n}`);
      }),
      RUNS,
    );
  });

  it('random byte flips of real frames never throw and keep the invariants', () => {
    const arb = fc.tuple(
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
      limitsArb,
    );
    fc.assert(
      fc.property(arb, ([i, flips, limits]) => {
        const { frame } = corpus[i % corpus.length] as (typeof corpus)[number];
        const data = Uint8Array.from(frame.data);
        // Bias flips towards the headers, where the length fields are.
        for (const [at, xor] of flips) {
          const pos = data.length === 0 ? 0 : at % Math.min(data.length, at % 2 === 0 ? 96 : data.length);
          data[pos] = (data[pos] ?? 0) ^ xor;
        }
        decodeChecked({ ...frame, data }, limits);
      }),
      RUNS,
    );
  });

  it('the payload is a view into the input even when the input is a view into a larger buffer', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 64 }), fc.nat({ max: 64 }), (i, before, after) => {
        const { frame, full } = corpus[i % corpus.length] as (typeof corpus)[number];
        const big = new Uint8Array(before + frame.data.length + after).fill(0xee);
        big.set(frame.data, before);
        const data = big.subarray(before, before + frame.data.length);
        const f = decodeChecked({ ...frame, data });
        expect(toHex(f.payload)).toBe(toHex(full.payload)); // the bytes around it never leak in
      }),
      RUNS,
    );
  });
});
