import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { AddressBinder, BINDER_LIMITS, isHostAddress, prefixOf } from '../../../src/observe/address-binder.js';
import type { Observation } from '../../../src/observe/observation.js';

const frame = (srcMac: string, src: string, frameNo = 1): FrameRecord => ({
  frameNo, tsMicros: frameNo, srcMac, vlanTags: [], payloadKind: 'none', payload: new Uint8Array(0),
  ip: { version: 4, src, dst: '10.0.0.9', protocol: 6, ttl: 64, fragment: false },
});

function run(binder: AddressBinder, frames: FrameRecord[]): Observation[] {
  const out: Observation[] = [];
  for (const f of frames) binder.observe(f, out);
  return out;
}

describe('AddressBinder', () => {
  it('binds a host IP to its MAC', () => {
    const out = run(new AddressBinder(), [frame('00:09:fb:00:00:01', '10.1.1.5')]);
    expect(out).toMatchObject([{ field: 'ip.address', value: '10.1.1.5', mac: '00:09:fb:00:00:01', protocol: 'ip' }]);
  });

  it('a MAC sourcing IPs of many subnets is a router: bindings withdrawn, hosts keyed by IP', () => {
    const router = '00:00:0c:00:00:fe';
    const ips = ['10.1.1.5', '10.2.1.5', '10.3.1.5', '10.4.1.5', '10.5.1.5'];
    const out = run(new AddressBinder({ ...BINDER_LIMITS, routerPrefixThreshold: 3 }), ips.map((ip, i) => frame(router, ip, i + 1)));
    const byField = (f: string) => out.filter((o) => o.field === f);
    expect(byField('ip.address').map((o) => o.value)).toEqual(['10.1.1.5', '10.2.1.5', '10.3.1.5']);
    expect(byField('ip.router')).toMatchObject([{ mac: router, frame: 4 }]);
    expect(byField('ip.unbind').map((o) => o.value)).toEqual(['10.1.1.5', '10.2.1.5', '10.3.1.5']);
    const viaRouter = byField('ip.seen_via_router');
    expect(viaRouter.map((o) => o.ip)).toEqual(['10.1.1.5', '10.2.1.5', '10.3.1.5', '10.4.1.5', '10.5.1.5']);
    expect(viaRouter.every((o) => o.mac === undefined && o.value === router)).toBe(true);
  });

  it('several IPs of one subnet do not make a router', () => {
    const out = run(new AddressBinder(), ['10.1.1.5', '10.1.1.6', '10.1.1.7', '10.1.1.8', '10.1.1.9'].map((ip) => frame('00:09:fb:00:00:01', ip)));
    expect(out.every((o) => o.field === 'ip.address')).toBe(true);
  });

  it('ignores unspecified, broadcast, multicast and loopback sources', () => {
    expect(['0.0.0.0', '255.255.255.255', '224.0.0.251', '127.0.0.1', '::', 'ff02::fb'].map(isHostAddress)).toEqual([false, false, false, false, false, false]);
    expect(['10.0.0.1', 'fe80::1', '2001:db8::1'].map(isHostAddress)).toEqual([true, true, true]);
  });

  it('prefixes: /24 for IPv4, /64 for IPv6', () => {
    expect(prefixOf('10.1.2.3')).toBe('10.1.2');
    expect(prefixOf('2001:db8:1:2::5')).toBe('2001:db8:1:2');
  });

  it('tracked MACs are capped (oldest forgotten)', () => {
    const binder = new AddressBinder({ ...BINDER_LIMITS, maxTrackedMacs: 2 });
    const out = run(binder, [frame('02:00:00:00:00:01', '10.0.0.1'), frame('02:00:00:00:00:02', '10.0.0.2'), frame('02:00:00:00:00:03', '10.0.0.3')]);
    expect(out).toHaveLength(3);
    expect((binder as unknown as { macs: Map<string, unknown> }).macs.size).toBe(2);
  });
});
