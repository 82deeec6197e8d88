/**
 * isUnicastMac reads the group bit from the second hex digit; it must answer exactly as the
 * parseInt form it replaced, for canonical MACs and for any other string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnicastMac } from '../../../src/observe/frame.js';

/** The original definition. */
function reference(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x01) === 0 && mac !== '00:00:00:00:00:00';
}

describe('isUnicastMac', () => {
  it('every first octet, both cases', () => {
    for (let b = 0; b < 256; b++) {
      const hex = b.toString(16).padStart(2, '0');
      for (const first of [hex, hex.toUpperCase()]) {
        const mac = `${first}:00:5e:00:00:01`;
        expect(isUnicastMac(mac), mac).toBe((b & 1) === 0);
        expect(isUnicastMac(mac)).toBe(reference(mac));
      }
    }
    expect(isUnicastMac('00:00:00:00:00:00')).toBe(false);
    expect(isUnicastMac('ff:ff:ff:ff:ff:ff')).toBe(false);
  });

  it('agrees with the parseInt form on arbitrary strings', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFxXgz :+- \t'.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, maxLength: 20 }), (s) => isUnicastMac(s) === reference(s)), { seed: 42, numRuns: 10_000 });
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => isUnicastMac(s) === reference(s)), { seed: 42, numRuns: 10_000 });
  });
});
