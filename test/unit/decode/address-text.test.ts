/**
 * formatMac / formatIpv4 hand out interned texts: the same string for the same address, the
 * right text for every address, and a bounded table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatMac } from '../../../src/decode/bytes.js';

const SEED = 42;

describe('interned address texts', () => {
  it('formatMac equals the plain hex rendering for any 6 bytes at any offset', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 20 }), fc.nat(14), (bytes, at) => {
      const offset = Math.min(at, bytes.length - 6);
      const want = Array.from(bytes.subarray(offset, offset + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
      expect(formatMac(bytes, offset)).toBe(want);
      expect(formatMac(bytes, offset)).toBe(want); // the cached answer too
    }), { seed: SEED, numRuns: 10_000 });
  });

  it('formatIpv4 equals the dotted-quad rendering for any 4 bytes, including the high-bit ones', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
      const want = Array.from(b).join('.');
      expect(formatIpv4(b)).toBe(want);
      expect(formatIpv4(b)).toBe(want);
    }), { seed: SEED, numRuns: 10_000 });
    expect(formatIpv4(Uint8Array.of(255, 255, 255, 255))).toBe('255.255.255.255');
    expect(formatIpv4(Uint8Array.of(128, 0, 0, 1))).toBe('128.0.0.1');
  });

  it('MACs that differ only in the high or the low 16 bits get different texts', () => {
    expect(formatMac(Uint8Array.of(0, 1, 0, 0, 0, 0))).toBe('00:01:00:00:00:00');
    expect(formatMac(Uint8Array.of(0, 0, 0, 0, 0, 1))).toBe('00:00:00:00:00:01');
    expect(formatMac(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe('ff:ff:ff:ff:ff:ff');
    expect(formatMac(Uint8Array.of(0x80, 0, 0x80, 0, 0, 0))).toBe('80:00:80:00:00:00');
  });

  it('MACs sharing their low 32 bits (the table\'s key) keep their own texts, whichever came first', () => {
    const a = Uint8Array.of(0x00, 0x09, 0xfb, 1, 2, 3);
    const b = Uint8Array.of(0x00, 0x1a, 0xfb, 1, 2, 3);
    const c = Uint8Array.of(0xac, 0x09, 0xfb, 1, 2, 3);
    for (let i = 0; i < 3; i++) {
      expect(formatMac(a)).toBe('00:09:fb:01:02:03');
      expect(formatMac(b)).toBe('00:1a:fb:01:02:03');
      expect(formatMac(c)).toBe('ac:09:fb:01:02:03');
    }
    // Random first two octets over few low-32 values: collisions on every other call.
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(3)), { minLength: 1, maxLength: 50 }), (macs) => {
      for (const [h0, h1, low] of macs) {
        const bytes = Uint8Array.of(h0, h1, 0xfb, 0, 0, low);
        expect(formatMac(bytes)).toBe(Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(':'));
      }
    }), { seed: SEED, numRuns: 2_000 });
  });

  it('stays correct after the table fills and is cleared (more distinct addresses than it holds)', () => {
    const b = new Uint8Array(6);
    for (let i = 0; i < 70_000; i++) {
      b[3] = i >> 16; b[4] = (i >> 8) & 0xff; b[5] = i & 0xff;
      formatMac(b);
    }
    b[3] = 0; b[4] = 0x12; b[5] = 0x34;
    expect(formatMac(b)).toBe('00:00:00:00:12:34');
    expect(formatIpv4(Uint8Array.of(10, 0, 0x12, 0x34))).toBe('10.0.18.52');
  });
});
