import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOutOfRangeVlan,
  isPlaceholderOrGroupMac,
  isPlaceholderValue,
  normaliseHostname,
  normaliseIp,
  normaliseMac,
  normaliseSerial,
  normaliseVlan,
} from '../../../src/reconcile/normalise.js';

describe('normaliseMac', () => {
  it.each([
    ['00:09:fb:3a:71:07'],
    ['00:09:FB:3A:71:07'],
    ['00-09-FB-3A-71-07'],
    ['0009.fb3a.7107'],
    ['0009.FB3A.7107'],
    ['0009-fb3a-7107'],
    ['0009fb-3a7107'],
    ['0009FB3A7107'],
    ['  00:09:fb:3a:71:07\t'],
    ['0:9:fb:3a:71:7'],
  ])('%j → 00:09:fb:3a:71:07', (text) => {
    expect(normaliseMac(text)).toBe('00:09:fb:3a:71:07');
  });

  it.each([
    [''],
    ['00:09:fb:3a:71'],
    ['00:09:fb:3a:71:07:01'],
    ['00:09-fb:3a:71:07'],
    ['00:09:fb:3a:71:0g'],
    ['0009fb3a710'],
    ['0009fb3a71077'],
    ['0009.fb3a.710'],
    ['000:09:fb:3a:71:07'],
    ['00 09 fb 3a 71 07'],
    ['not a mac'],
  ])('%j → undefined', (text) => {
    expect(normaliseMac(text)).toBeUndefined();
  });

  it('every spelling of the same six bytes normalises to one form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.boolean(), (bytes, upper) => {
        const pairs = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
        const hex = pairs.join('');
        const canonical = pairs.join(':');
        const cased = (s: string): string => (upper ? s.toUpperCase() : s);
        const spellings = [
          pairs.join(':'),
          pairs.join('-'),
          `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`,
          `${hex.slice(0, 6)}-${hex.slice(6)}`,
          hex,
        ];
        for (const s of spellings) expect(normaliseMac(cased(s))).toBe(canonical);
      }),
      { seed: 42, numRuns: 10000 },
    );
  });

  it('arbitrary text never throws and yields only canonical MACs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const mac = normaliseMac(text);
        if (mac !== undefined) expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      }),
      { seed: 42, numRuns: 10000 },
    );
  });
});

describe('isPlaceholderOrGroupMac', () => {
  it.each([
    ['00:00:00:00:00:00', true],
    ['ff:ff:ff:ff:ff:ff', true],
    ['01:00:5e:00:00:fb', true],
    ['00:09:fb:3a:71:07', false],
    ['02:00:00:00:00:01', false],
  ])('%s → %s', (mac, expected) => {
    expect(isPlaceholderOrGroupMac(mac)).toBe(expected);
  });
});

describe('normaliseIp', () => {
  it.each([
    ['10.10.20.21', '10.10.20.21'],
    [' 10.10.20.21 ', '10.10.20.21'],
    ['010.010.020.021', '10.10.20.21'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fe80:0000:0000:0000:0209:fbff:fe3a:7107', 'fe80::209:fbff:fe3a:7107'],
    ['::1', '::1'],
  ])('%j → %j', (text, expected) => {
    expect(normaliseIp(text)).toBe(expected);
  });

  it.each([[''], ['10.10.20.256'], ['10.10.20'], ['10.10.20.21/24'], ['fe80::1%eth0'], ['2001:db8::g'], ['1.2.3.4.5'], ['host.example']])(
    '%j → undefined',
    (text) => {
      expect(normaliseIp(text)).toBeUndefined();
    },
  );
});

describe('normaliseHostname', () => {
  it.each([
    ['MON-ICU-07', 'mon-icu-07'],
    ['MON-ICU-07.hospital.local', 'mon-icu-07'],
    ['mon-icu-07.hospital.local.', 'mon-icu-07'],
    [' ct01 ', 'ct01'],
    ['10.10.20.21', '10.10.20.21'],
  ])('%j → %j', (text, expected) => {
    expect(normaliseHostname(text)).toBe(expected);
  });

  it.each([[''], ['   '], ['.'], ['.hospital.local']])('%j → undefined', (text) => {
    expect(normaliseHostname(text)).toBeUndefined();
  });
});

describe('normaliseSerial', () => {
  it.each([
    ['de73a71070', 'DE73A71070'],
    [' DE-73A 71070 ', 'DE73A71070'],
    ['SP-1002-33', 'SP100233'],
  ])('%j → %j', (text, expected) => {
    expect(normaliseSerial(text)).toBe(expected);
  });

  it('empty → undefined', () => {
    expect(normaliseSerial(' - ')).toBeUndefined();
  });
});

describe('normaliseVlan', () => {
  it.each([
    ['20', 20],
    ['020', 20],
    ['VLAN 105', 105],
    ['vlan20', 20],
    ['Vlan-7', 7],
    ['1', 1],
    ['4094', 4094],
  ])('%j → %d', (text, expected) => {
    expect(normaliseVlan(text)).toBe(expected);
  });

  it.each([
    ['0', true],
    ['4095', true],
    ['99999', true],
    ['thirty', false],
    ['20.5', false],
    ['', false],
  ])('%j → undefined (out of range: %s)', (text, outOfRange) => {
    expect(normaliseVlan(text)).toBeUndefined();
    expect(isOutOfRangeVlan(text)).toBe(outOfRange);
  });
});

describe('isPlaceholderValue', () => {
  it.each([['N/A'], ['n/a'], [' none '], ['Unknown'], ['-'], ['TBD'], ['null']])('%j is a placeholder', (text) => {
    expect(isPlaceholderValue(text)).toBe(true);
  });

  it.each([['0'], ['NA-1234'], ['none yet'], ['']])('%j is not', (text) => {
    expect(isPlaceholderValue(text)).toBe(false);
  });
});
