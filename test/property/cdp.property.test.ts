import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CDP_ANOMALIES, CDP_LIMITS, decodeCdp, type CdpLimits, type CdpRecord } from '../../src/protocols/cdp/cdp.js';
import { toHex } from '../../src/decode/bytes.js';
import { CONFORMANCE_SKIP, conformancePath, itShared, LLDP_CDP_CAPTURES } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';
import { assertByteFlips } from '../helpers/mutation.js';

const REGRESS = fileURLToPath(new URL('../regress/cdp/', import.meta.url));
const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN = new Set<string>(CDP_ANOMALIES);

/** Distinct CDP payloads of every conformance capture reachable through the frame decoder. */
let corpus: Uint8Array[] = [];

beforeAll(async () => {
  const seen = new Map<string, Uint8Array>();
  for (const name of CONFORMANCE_SKIP === null ? LLDP_CDP_CAPTURES : []) {
    for (const f of await readFrames(conformancePath(name))) {
      if (f.payloadKind !== 'llc' || f.llc?.snapOui !== 0x00000c || f.llc.snapPid !== 0x2000) continue;
      seen.set(toHex(f.payload), Uint8Array.from(f.payload));
    }
  }
  corpus = [...seen.values()];
});

/** Decode and check the invariants that hold for any input. */
function decodeChecked(bytes: Uint8Array, limits: CdpLimits = CDP_LIMITS): CdpRecord {
  const { value, anomalies } = decodeCdp(bytes, limits);
  for (const a of anomalies) expect(KNOWN.has(a), a).toBe(true);
  expect(new Set(anomalies).size).toBe(anomalies.length); // each code at most once
  expect(value.tlvCount).toBeLessThanOrEqual(limits.maxTlvs);
  expect(value.unknownTlvs.length).toBeLessThanOrEqual(value.tlvCount);
  expect(value.ipPrefixes.length).toBeLessThanOrEqual(limits.maxAddresses);
  // Addresses: at most maxAddresses per TLV, and each TLV counted in tlvCount.
  expect(value.addresses.length + value.managementAddresses.length).toBeLessThanOrEqual(value.tlvCount * limits.maxAddresses);
  const texts = [value.deviceId, value.portId, value.platform, value.vtpDomain, value.systemName, value.location, value.softwareVersion?.join('')];
  for (const t of texts) expect(t?.length ?? 0).toBeLessThanOrEqual(limits.maxText);
  const raw = value.unknownTlvs.reduce((n, t) => n + t.bytes.length, 0);
  expect(raw).toBeLessThanOrEqual(bytes.length);
  return value;
}

const limitsArb: fc.Arbitrary<CdpLimits> = fc.record({
  maxTlvs: fc.integer({ min: 0, max: 300 }),
  maxAddresses: fc.integer({ min: 0, max: 40 }),
  maxText: fc.integer({ min: 0, max: 1200 }),
});

/** One TLV with a length field that may lie: below 4, zero, short, or past the end. */
const tlvArb = fc
  .record({
    type: fc.oneof(fc.integer({ min: 1, max: 0x1a }), fc.integer({ min: 0, max: 0xffff })),
    body: fc.uint8Array({ maxLength: 60 }),
    lie: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: -70, max: 300 })),
  })
  .map(({ type, body, lie }) => {
    const length = lie === 0 ? body.length + 4 : Math.max(0, body.length + 4 + lie);
    return [type >> 8, type & 0xff, (length >> 8) & 0xff, length & 0xff, ...body];
  });

/** An address TLV body with plausible and lying entries. */
const addressTlvArb = fc
  .tuple(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.array(
      fc.oneof(
        fc.constant([1, 1, 0xcc, 0, 4, 10, 0, 0, 1]),
        fc.constant([2, 8, 0xaa, 0xaa, 3, 0, 0, 0, 0x86, 0xdd, 0, 16, ...new Array<number>(16).fill(1)]),
        fc.uint8Array({ maxLength: 20 }).map((b) => [...b]),
      ),
      { maxLength: 6 },
    ),
    fc.constantFrom(2, 0x16),
  )
  .map(([count, entries, type]) => {
    const body = [count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff, ...entries.flat()];
    const length = body.length + 4;
    return [0, type, length >> 8, length & 0xff, ...body];
  });

describe('decodeCdp properties', () => {
  itShared('the corpus holds the real CDP packets', () => {
    expect(corpus.length).toBeGreaterThan(15);
  });

  it('arbitrary bytes never throw, give only known codes, stay within the limits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), limitsArb, (bytes, limits) => {
        decodeChecked(bytes, limits);
      }),
      RUNS,
    );
  });

  it('arbitrary TLV sequences (lengths below 4, zero, short, overlong; address lists) never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(tlvArb, addressTlvArb), { maxLength: 30 }), limitsArb, (tlvs, limits) => {
        decodeChecked(Uint8Array.from([2, 180, 0, 0, ...tlvs.flat()]), limits);
      }),
      RUNS,
    );
  });

  it('a TLV length below 4 stops the walk there: nothing after it is decoded', () => {
    const good = fc.array(
      fc.uint8Array({ maxLength: 20 }).map((b) => [0, 0x99, 0, b.length + 4, ...b]),
      { maxLength: 10 },
    );
    fc.assert(
      fc.property(good, fc.integer({ min: 0, max: 3 }), good, (before, badLength, after) => {
        const bytes = Uint8Array.from([2, 180, 0, 0, ...before.flat(), 0, 1, 0, badLength, ...after.flat()]);
        const { value, anomalies } = decodeCdp(bytes);
        expect(anomalies).toContain('cdp.bad_tlv_length');
        expect(value.tlvCount).toBe(before.length);
      }),
      RUNS,
    );
  });

  itShared('every prefix of a real CDP packet decodes, and every TLV it yields equals the full decode', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = corpus[i % corpus.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        const part = decodeChecked(prefix);
        const whole = decodeCdp(full).value;
        if (prefix.length >= 4) {
          for (const k of ['version', 'ttl', 'checksum'] as const) expect(part[k]).toBe(whole[k]);
        }
        const lists = ['addresses', 'managementAddresses', 'ipPrefixes', 'unknownTlvs'] as const;
        for (const k of lists) expect(part[k]).toEqual((whole[k] as unknown[]).slice(0, part[k].length));
        const skip = new Set<string>([...lists, 'version', 'ttl', 'checksum', 'checksumValid', 'tlvCount']);
        for (const [k, v] of Object.entries(part)) {
          if (!skip.has(k)) expect({ k, v }).toEqual({ k, v: (whole as unknown as Record<string, unknown>)[k] });
        }
      }),
      RUNS,
    );
  });

  itShared('random byte flips of real CDP packets never throw and stay within the limits', () => {
    assertByteFlips(corpus, limitsArb, (bytes, limits) => { decodeChecked(bytes, limits); }, RUNS);
  });

  it('10,000-TLV inputs stop at maxTlvs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (maxTlvs) => {
        const bytes = new Uint8Array(4 + 10_000 * 4);
        bytes.set([2, 180, 0, 0]);
        for (let i = 0; i < 10_000; i++) bytes.set([0, 0x99, 0, 4], 4 + i * 4);
        const { value, anomalies } = decodeCdp(bytes, { ...CDP_LIMITS, maxTlvs });
        expect(value.tlvCount).toBe(maxTlvs);
        expect(anomalies).toContain('cdp.too_many_tlvs');
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('every regression input decodes within the invariants, with the anomalies it is kept for', () => {
    const expected: Record<string, string[]> = {
      'address-count-4294967295.bin': ['cdp.bad_checksum', 'cdp.bad_address'],
      'header-only-3-bytes.bin': ['cdp.truncated'],
      'ip-prefix-flood.bin': ['cdp.bad_checksum', 'cdp.too_many_addresses'],
      'tlv-length-past-end.bin': ['cdp.bad_checksum', 'cdp.tlv_truncated'],
      'tlv-length-zero.bin': ['cdp.bad_checksum', 'cdp.bad_tlv_length'],
    };
    const files = readdirSync(REGRESS).filter((n) => n.endsWith('.bin')).sort();
    expect(files).toEqual(Object.keys(expected).sort());
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(REGRESS + name));
      decodeChecked(bytes);
      expect({ name, anomalies: decodeCdp(bytes).anomalies }).toEqual({ name, anomalies: expected[name] });
    }
  });
});
