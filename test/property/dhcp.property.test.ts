import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DHCP_ANOMALIES, DHCP_LIMITS, decodeDhcp, type DhcpLimits, type DhcpRecord } from '../../src/protocols/dhcp/dhcp.js';
import { toHex } from '../../src/decode/bytes.js';
import { CONFORMANCE_SKIP, conformancePath, itShared, DHCP_CAPTURES } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';
import { assertByteFlips } from '../helpers/mutation.js';

const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN = new Set<string>(DHCP_ANOMALIES);
const COOKIE = [99, 130, 83, 99];

/** Distinct UDP 67/68 payloads of every conformance capture. */
let corpus: Uint8Array[] = [];

beforeAll(async () => {
  const seen = new Map<string, Uint8Array>();
  for (const name of CONFORMANCE_SKIP === null ? DHCP_CAPTURES : []) {
    for (const f of await readFrames(conformancePath(name))) {
      const ports = [f.udp?.srcPort, f.udp?.dstPort];
      if (f.payloadKind !== 'udp' || !(ports.includes(67) || ports.includes(68))) continue;
      seen.set(toHex(f.payload), Uint8Array.from(f.payload));
    }
  }
  corpus = [...seen.values()];
});

/** Decode and check the invariants that hold for any input. */
function decodeChecked(bytes: Uint8Array, limits: DhcpLimits = DHCP_LIMITS): DhcpRecord {
  const { value, anomalies } = decodeDhcp(bytes, limits);
  for (const a of anomalies) expect(KNOWN.has(a), a).toBe(true);
  expect(value.options.length).toBeLessThanOrEqual(limits.maxOptions);
  expect(value.relayAgentInfo?.subOptions.length ?? 0).toBeLessThanOrEqual(limits.maxSubOptions);
  expect(value.vendorSpecific?.tlvs?.length ?? 0).toBeLessThanOrEqual(limits.maxSubOptions);
  // Nothing decoded can be bigger than the input it came from.
  const optionBytes = value.options.reduce((n, o) => n + 2 + o.data.length, 0);
  expect(optionBytes).toBeLessThanOrEqual(bytes.length);
  expect(value.chaddr.length).toBeLessThanOrEqual(32);
  return value;
}

const limitsArb: fc.Arbitrary<DhcpLimits> = fc.record({
  maxOptions: fc.integer({ min: 0, max: 300 }),
  maxSubOptions: fc.integer({ min: 0, max: 80 }),
});

describe('decodeDhcp properties', () => {
  itShared('the corpus holds real DHCP payloads without repeated option codes', () => {
    expect(corpus.length).toBeGreaterThan(20);
    for (const p of corpus) {
      const codes = decodeDhcp(p).value.options.map((o) => o.code);
      expect(new Set(codes).size).toBe(codes.length); // the typed-field check below relies on it
    }
  });

  it('arbitrary bytes never throw, give only known codes, stay within the limits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), limitsArb, (bytes, limits) => {
        decodeChecked(bytes, limits);
      }),
      RUNS,
    );
  });

  it('arbitrary options after a valid header and cookie never throw and stay within the limits', () => {
    const arb = fc.tuple(fc.uint8Array({ minLength: 236, maxLength: 236 }), fc.uint8Array({ maxLength: 1500 }), limitsArb);
    fc.assert(
      fc.property(arb, ([header, options, limits]) => {
        decodeChecked(Uint8Array.from([...header, ...COOKIE, ...options]), limits);
      }),
      RUNS,
    );
  });

  itShared('every prefix of a real payload decodes, and what it yields equals the full decode', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = corpus[i % corpus.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        const whole = decodeDhcp(full).value;
        const part = decodeChecked(prefix);
        for (const area of ['options', 'file', 'sname'] as const) {
          const got = part.options.filter((o) => o.area === area);
          const want = whole.options.filter((o) => o.area === area).slice(0, got.length);
          expect(got.map((o) => [o.code, toHex(o.data)])).toEqual(want.map((o) => [o.code, toHex(o.data)]));
        }
        if (part.headerComplete) {
          for (const k of ['op', 'htype', 'hlen', 'hops', 'xid', 'secs', 'flags', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr', 'chaddr'] as const) {
            expect(part[k]).toEqual(whole[k]);
          }
        }
        // Before the 4 cookie bytes are all there, "no cookie" means "not seen yet".
        if (prefix.length >= 240) expect(part.magicCookie).toBe(whole.magicCookie);
        const typed = ['messageTypeName', 'hostname', 'requestedIp', 'leaseTime', 'serverId', 'parameterRequestList', 'maxMessageSize', 'vendorClass', 'message'] as const;
        for (const k of typed) if (part[k] !== undefined) expect(part[k]).toEqual(whole[k]);
        if (part.clientId !== undefined) expect(part.clientId.hex).toBe(whole.clientId?.hex);
        if (part.relayAgentInfo !== undefined) {
          const sub = (r: DhcpRecord): string[][] => (r.relayAgentInfo?.subOptions ?? []).map((s) => [String(s.code), toHex(s.data)]);
          expect(sub(part)).toEqual(sub(whole).slice(0, sub(part).length));
        }
      }),
      RUNS,
    );
  });

  itShared('random byte flips of real payloads never throw and stay within the limits', () => {
    assertByteFlips(corpus, limitsArb, (bytes, limits) => { decodeChecked(bytes, limits); }, RUNS);
  });
});
