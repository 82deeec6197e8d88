import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LLDP_ANOMALIES, LLDP_LIMITS, decodeLldp, type LldpLimits, type LldpRecord } from '../../src/protocols/lldp/lldp.js';
import { toHex } from '../../src/decode/bytes.js';
import { CONFORMANCE_SKIP, conformancePath, itShared, LLDP_CDP_CAPTURES } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';
import { assertByteFlips } from '../helpers/mutation.js';

const REGRESS = fileURLToPath(new URL('../regress/lldp/', import.meta.url));
const RUNS = { seed: 42, numRuns: 10_000 };
const KNOWN = new Set<string>(LLDP_ANOMALIES);

/** Distinct LLDPDUs of every conformance capture. */
let corpus: Uint8Array[] = [];

beforeAll(async () => {
  const seen = new Map<string, Uint8Array>();
  for (const name of CONFORMANCE_SKIP === null ? LLDP_CDP_CAPTURES : []) {
    for (const f of await readFrames(conformancePath(name))) {
      if (f.payloadKind !== 'ethertype' || f.ethertype !== 0x88cc) continue;
      seen.set(toHex(f.payload), Uint8Array.from(f.payload));
    }
  }
  corpus = [...seen.values()];
});

/** Every text value in a record (ids, names, descriptions, MED strings, civic values). */
function texts(r: LldpRecord): string[] {
  const out: (string | undefined)[] = [r.portDescription, r.systemName, r.systemDescription];
  for (const v of r.dot1?.vlanNames ?? []) out.push(v.name);
  const med = r.med;
  if (med !== undefined) {
    out.push(med.hardwareRevision, med.firmwareRevision, med.softwareRevision, med.serialNumber, med.manufacturerName, med.modelName, med.assetId);
    for (const l of med.locations) {
      out.push(l.elin);
      for (const e of l.civic?.elements ?? []) out.push(e.value);
    }
  }
  return out.filter((s): s is string => s !== undefined);
}

/** Decode and check the invariants that hold for any input. */
function decodeChecked(bytes: Uint8Array, limits: LldpLimits = LLDP_LIMITS): LldpRecord {
  const { value, anomalies } = decodeLldp(bytes, limits);
  for (const a of anomalies) expect(KNOWN.has(a), a).toBe(true);
  expect(new Set(anomalies).size).toBe(anomalies.length); // each code at most once
  expect(value.tlvCount).toBeLessThanOrEqual(limits.maxTlvs);
  // Every list entry comes from its own TLV, so no list outgrows the TLV count.
  const entries =
    value.managementAddresses.length +
    value.orgTlvs.length +
    value.unknownTlvs.length +
    (value.dot1?.vlanNames.length ?? 0) +
    (value.dot1?.portProtocolVlans.length ?? 0) +
    (value.dot1?.protocolIdentities.length ?? 0) +
    (value.med?.networkPolicies.length ?? 0) +
    (value.med?.locations.length ?? 0);
  expect(entries).toBeLessThanOrEqual(value.tlvCount);
  // Text is capped (a UTF-8 byte never becomes more than one UTF-16 unit).
  for (const t of texts(value)) expect(t.length).toBeLessThanOrEqual(limits.maxText);
  // An id lives in one TLV (at most 511 bytes); its hex form is at most 3 characters a byte.
  for (const id of [value.chassisId, value.portId]) {
    expect(id?.value.length ?? 0).toBeLessThanOrEqual(3 * 511);
    expect(id?.hex.length ?? 0).toBeLessThanOrEqual(3 * 511);
  }
  // Nothing kept raw can be bigger than the input.
  const raw = [...value.orgTlvs, ...value.unknownTlvs].reduce((n, t) => n + t.bytes.length, 0);
  expect(raw).toBeLessThanOrEqual(bytes.length);
  return value;
}

const limitsArb: fc.Arbitrary<LldpLimits> = fc.record({
  maxTlvs: fc.integer({ min: 0, max: 600 }),
  maxText: fc.integer({ min: 0, max: 600 }),
});

const OUIS = [0x0080c2, 0x00120f, 0x0012bb, 0x00005e, 0x00000c];

/** One TLV: a plausible type, a body, and a length field that may lie (0, short, overlong). */
const tlvArb = fc
  .record({
    type: fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 8, 127, 127, 127), fc.integer({ min: 0, max: 127 })),
    oui: fc.constantFrom(...OUIS),
    subtype: fc.integer({ min: 0, max: 13 }),
    body: fc.uint8Array({ maxLength: 40 }),
    lie: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -40, max: 511 })),
  })
  .map(({ type, oui, subtype, body, lie }) => {
    const value = type === 127 ? [oui >> 16, (oui >> 8) & 0xff, oui & 0xff, subtype, ...body] : [...body];
    const length = lie === 0 ? value.length : Math.max(0, Math.min(511, value.length + lie));
    return [(type << 1) | (length >> 8), length & 0xff, ...value];
  });

/** The fields of `whole` a prefix decode may show, checked against the full decode. */
function expectPrefixConsistent(part: LldpRecord, whole: LldpRecord): void {
  const prefixOf = <T>(a: readonly T[], b: readonly T[]): void => expect(a).toEqual(b.slice(0, a.length));
  for (const k of ['chassisId', 'portId', 'ttl', 'portDescription', 'systemName', 'systemDescription', 'capabilities'] as const) {
    if (part[k] !== undefined) expect(part[k]).toEqual(whole[k]);
  }
  if (part.ttl !== undefined) expect(part.shutdown).toBe(whole.shutdown);
  prefixOf(part.managementAddresses, whole.managementAddresses);
  prefixOf(part.orgTlvs, whole.orgTlvs);
  prefixOf(part.unknownTlvs, whole.unknownTlvs);
  if (part.dot1 !== undefined) {
    const w = whole.dot1;
    expect(w).toBeDefined();
    if (part.dot1.portVlanId !== undefined) expect(part.dot1.portVlanId).toBe(w?.portVlanId);
    if (part.dot1.linkAggregation !== undefined) expect(part.dot1.linkAggregation).toEqual(w?.linkAggregation);
    prefixOf(part.dot1.portProtocolVlans, w?.portProtocolVlans ?? []);
    prefixOf(part.dot1.vlanNames, w?.vlanNames ?? []);
    prefixOf(part.dot1.protocolIdentities, w?.protocolIdentities ?? []);
  }
  if (part.dot3 !== undefined) {
    for (const [k, v] of Object.entries(part.dot3)) expect(v).toEqual((whole.dot3 as Record<string, unknown> | undefined)?.[k]);
  }
  if (part.med !== undefined) {
    const w = whole.med;
    expect(w).toBeDefined();
    for (const [k, v] of Object.entries(part.med)) {
      if (k === 'networkPolicies' || k === 'locations') continue;
      expect(v).toEqual((w as Record<string, unknown> | undefined)?.[k]);
    }
    prefixOf(part.med.networkPolicies, w?.networkPolicies ?? []);
    prefixOf(part.med.locations, w?.locations ?? []);
  }
}

describe('decodeLldp properties', () => {
  itShared('the corpus holds the real LLDPDUs', () => {
    expect(corpus.length).toBeGreaterThan(30);
  });

  it('arbitrary bytes never throw, give only known codes, stay within the limits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), limitsArb, (bytes, limits) => {
        decodeChecked(bytes, limits);
      }),
      RUNS,
    );
  });

  it('arbitrary TLV sequences (zero-length, short and overlong lengths, every OUI) never throw', () => {
    fc.assert(
      fc.property(fc.array(tlvArb, { maxLength: 40 }), limitsArb, (tlvs, limits) => {
        decodeChecked(Uint8Array.from(tlvs.flat()), limits);
      }),
      RUNS,
    );
  });

  itShared('every prefix of a real LLDPDU decodes, and every TLV it yields equals the full decode', () => {
    const arb = fc.tuple(fc.nat(), fc.nat()).map(([i, cut]) => {
      const full = corpus[i % corpus.length] as Uint8Array;
      return { full, prefix: full.subarray(0, cut % (full.length + 1)) };
    });
    fc.assert(
      fc.property(arb, ({ full, prefix }) => {
        expectPrefixConsistent(decodeChecked(prefix), decodeLldp(full).value);
      }),
      RUNS,
    );
  });

  itShared('random byte flips of real LLDPDUs never throw and stay within the limits', () => {
    assertByteFlips(corpus, limitsArb, (bytes, limits) => { decodeChecked(bytes, limits); }, RUNS);
  });

  it('10,000-TLV inputs stop at maxTlvs', () => {
    fc.assert(
      fc.property(fc.constantFrom(4, 9, 127), fc.integer({ min: 1, max: 600 }), (type, maxTlvs) => {
        const one = type === 127 ? [0xfe, 0x04, 0x00, 0x12, 0xbb, 0x63] : [type << 1, 0];
        const bytes = new Uint8Array(10_000 * one.length);
        for (let i = 0; i < 10_000; i++) bytes.set(one, i * one.length);
        const { value, anomalies } = decodeLldp(bytes, { ...LLDP_LIMITS, maxTlvs });
        expect(value.tlvCount).toBe(maxTlvs);
        expect(anomalies).toContain('lldp.too_many_tlvs');
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('every regression input decodes within the invariants, with the anomalies it is kept for', () => {
    const expected: Record<string, string[]> = {
      'civic-ca-length-past-lci.bin': ['lldp.bad_tlv_length'],
      'mgmt-addr-length-past-tlv.bin': ['lldp.bad_tlv_length'],
      'odd-trailing-byte.bin': ['lldp.no_end_tlv'],
      'tlv-length-511-past-end.bin': ['lldp.tlv_truncated', 'lldp.no_end_tlv'],
      'zero-length-org-tlv-storm.bin': ['lldp.bad_tlv_length', 'lldp.too_many_tlvs'],
    };
    const files = readdirSync(REGRESS).filter((n) => n.endsWith('.bin')).sort();
    expect(files).toEqual(Object.keys(expected).sort());
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(REGRESS + name));
      decodeChecked(bytes);
      expect({ name, anomalies: decodeLldp(bytes).anomalies }).toEqual({ name, anomalies: expected[name] });
    }
  });
});
