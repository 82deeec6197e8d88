import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { AddressBinder, BINDER_LIMITS, destinationClass, isHostAddress, isLinkLocalGroup, prefixOf } from '../../../src/observe/address-binder.js';
import type { Observation } from '../../../src/observe/observation.js';
import type { SwitchAdvertisement } from '../../../src/observe/location-facts.js';
import { Counters } from '../../../src/counters.js';

// TTL 64: sent by the host itself; 63: forwarded once (what a router's frames from hosts behind it carry).
const frame = (srcMac: string, src: string, frameNo = 1, ttl = 64, dst = '10.0.0.9'): FrameRecord => ({
  frameNo, tsMicros: frameNo, srcMac, vlanTags: [], payloadKind: 'none', payload: new Uint8Array(0),
  ip: { version: 4, src, dst, protocol: 6, ttl, fragment: false },
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
    // Initial TTLs (a capture point that hides the hop, or a NAT): only the prefix count tells; the last is forwarded.
    const out = run(new AddressBinder({ ...BINDER_LIMITS, routerPrefixThreshold: 3 }), ips.map((ip, i) => frame(router, ip, i + 1, i < 4 ? 64 : 63)));
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

  it('tracked MACs are capped (oldest forgotten, counted)', () => {
    const counters = new Counters();
    const binder = new AddressBinder({ ...BINDER_LIMITS, maxTrackedMacs: 2 }, counters);
    const out = run(binder, [frame('02:00:00:00:00:01', '10.0.0.1'), frame('02:00:00:00:00:02', '10.0.0.2'), frame('02:00:00:00:00:03', '10.0.0.3')]);
    expect(out).toHaveLength(3);
    expect((binder as unknown as { macs: Map<string, unknown> }).macs.size).toBe(2);
    expect(counters.get('binder.macs_evicted')).toBe(1);
  });

  it('address classes read by character agree with the string definitions they replace', () => {
    // The definitions before they were read by character (issue 14: no copy per frame).
    const hostByString = (ip: string): boolean => {
      if (ip === '0.0.0.0' || ip === '255.255.255.255' || ip === '::') return false;
      if (ip.includes(':')) return !ip.toLowerCase().startsWith('ff');
      const first = Number(ip.slice(0, ip.indexOf('.')));
      return first < 224 && first !== 127;
    };
    const groupByString = (ip: string): boolean => ip.startsWith('224.0.0.') || ip.toLowerCase().startsWith('ff02:');
    const classByString = (ip: string): number => groupByString(ip) ? 2 : hostByString(ip) && !ip.endsWith('.255') ? 1 : 0;
    const octet = fc.integer({ min: 0, max: 255 });
    const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const v6 = fc.ipV6();
    const cased = fc.tuple(v6, fc.boolean()).map(([a, up]) => up ? a.toUpperCase() : a);
    const odd = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('FF02::1', 'Ff02:', 'fF', 'ff02', '0x10.1.1.1', ' 10.0.0.1', '.1.2.3', '1e3.0.0.1', '', '224.0.0.', '127.0.0.1', '223.255.255.255'));
    fc.assert(fc.property(fc.oneof(v4, v6, cased, odd), (ip) => {
      expect(isHostAddress(ip)).toBe(hostByString(ip));
      expect(isLinkLocalGroup(ip)).toBe(groupByString(ip));
      expect(destinationClass(ip)).toBe(classByString(ip));
    }), { numRuns: 5000 });
  });

  it('compressed IPv6 spellings of one /64 are one prefix (a dual-stack host is not a router)', () => {
    const host = '00:09:fb:00:00:07';
    const ips = ['2001:db8::1', '2001:db8:0:0::2', '2001:0db8:0000:0000::3', '2001:db8::4', '10.1.1.5'];
    const out = run(new AddressBinder({ ...BINDER_LIMITS, routerPrefixThreshold: 2 }), ips.map((ip, i) => frame(host, ip, i + 1)));
    expect(out.filter((o) => o.field === 'ip.router')).toEqual([]);
  });

  it('an LLDP/CDP router capability makes a router at once; it keeps its own addresses', () => {
    const router = '00:00:0c:00:00:fe';
    const binder = new AddressBinder();
    const out: Observation[] = [];
    binder.observe(frame(router, '10.9.9.9', 1), out); // a host behind it, before it is known
    binder.ownAddress(router, '10.0.0.1'); // it answered ARP for its gateway address
    const lldp = frame(router, '0.0.0.0', 2);
    const advertisement: SwitchAdvertisement = {
      protocol: 'lldp', senderMac: router, heard: { ts: 2, frame: 2, mac: router, ip: undefined, vlan: undefined },
      capabilities: new Set(['bridge', 'router']), managementAddresses: ['10.0.0.254'],
    };
    binder.observeAdvertisement(advertisement, lldp, out);
    expect(out.filter((o) => o.field === 'ip.router')).toMatchObject([{ mac: router, frame: 2 }]);
    expect(out.filter((o) => o.field === 'ip.unbind').map((o) => o.value)).toEqual(['10.9.9.9']);
    out.length = 0;
    binder.observe(frame(router, '10.0.0.1', 3), out); // its own (ARP)
    binder.observe(frame(router, '10.0.0.254', 4), out); // its own (LLDP management address)
    binder.observe(frame(router, '10.7.7.7', 5, 64, '224.0.0.5'), out); // an OSPF hello: never forwarded
    binder.observe(frame(router, '10.6.6.6', 6, 255), out); // an initial TTL: originated by it
    binder.observe(frame(router, '10.9.9.9', 7, 63), out); // forwarded: a host behind it
    expect(out.map((o) => [o.field, o.ip ?? o.value])).toEqual([
      ['ip.address', '10.0.0.1'], ['ip.address', '10.0.0.254'], ['ip.address', '10.7.7.7'], ['ip.address', '10.6.6.6'], ['ip.seen_via_router', '10.9.9.9'],
    ]);
    expect(out[2]?.protocol).toBe('ip-local');
  });

  it('a MAC not yet a router (one subnet, no LLDP/CDP): sources it forwarded (TTL 63) are hosts behind it, never bound to it', () => {
    const counters = new Counters();
    const binder = new AddressBinder(BINDER_LIMITS, counters);
    const rtr = '00:1e:7a:50:00:01';
    const out: Observation[] = [];
    binder.ownAddress(rtr, '10.20.50.1'); // it answered ARP for its LAN address
    binder.observe(frame(rtr, '10.20.60.10', 1, 63, '10.20.50.20'), out);
    binder.observe(frame(rtr, '10.20.50.1', 2, 64, '10.20.50.20'), out);
    binder.observe(frame(rtr, '10.20.60.11', 3, 2, '239.255.255.250'), out); // SSDP: multicast TTLs say nothing
    binder.observe(frame(rtr, '10.20.60.12', 4, 59, '10.20.50.20'), out);
    expect(out.map((o) => [o.field, o.mac ?? null, o.ip ?? o.value])).toEqual([
      ['ip.seen_via_router', null, '10.20.60.10'], ['ip.address', rtr, '10.20.50.1'], ['ip.address', rtr, '10.20.60.11'], ['ip.seen_via_router', null, '10.20.60.12'],
    ]);
    expect(out.filter((o) => o.field === 'ip.router')).toEqual([]);
    // A source it later sends with an initial TTL is its own after all (a NAT-ing host, say).
    out.length = 0;
    binder.observe(frame(rtr, '10.20.60.12', 5, 64, '10.20.50.20'), out);
    expect(out).toMatchObject([{ field: 'ip.address', mac: rtr, value: '10.20.60.12' }]);
  });

  it("application facts a MAC carried for a host it forwards for are the host's: keyed by IP, or by the host's own MAC when heard on the link too", () => {
    const counters = new Counters();
    const binder = new AddressBinder(BINDER_LIMITS, counters);
    const rtr = '00:1e:7a:50:00:01';
    const local = '00:10:5d:4a:30:21';
    binder.ownAddress(rtr, '10.20.50.1');
    binder.observe(frame(local, '10.20.30.121', 1, 64), []); // a host heard on the link
    binder.observe(frame(rtr, '10.20.60.10', 2, 63), []); // a host behind the router
    binder.observe(frame(rtr, '10.20.30.121', 3, 63), []); // a routed copy of the local host's traffic
    const fact = (ip: string, field = 'hl7.sending_application', protocol = 'hl7'): Observation => ({ ts: 4, frame: 4, protocol, field, value: 'LABSYS', mac: rtr, ip, vlan: undefined });
    const out = [fact('10.20.60.10'), fact('10.20.30.121'), fact('10.20.50.1'), fact('10.20.60.10', 'ip.address', 'ip')];
    binder.attributeForwarded(out);
    expect(out.map((o) => [o.field, o.mac ?? null, o.ip])).toEqual([
      ['hl7.sending_application', null, '10.20.60.10'],
      ['hl7.sending_application', local, '10.20.30.121'],
      ['hl7.sending_application', rtr, '10.20.50.1'], // the router's own address: its own fact
      ['ip.address', rtr, '10.20.60.10'], // the binder's own facts are left alone
    ]);
    expect(counters.get('binder.facts_behind_router')).toBe(2);
  });

  it('the address owners table is capped like the MACs (oldest forgotten, counted)', () => {
    const counters = new Counters();
    const binder = new AddressBinder({ ...BINDER_LIMITS, maxTrackedMacs: 2 }, counters);
    run(binder, [frame('02:00:00:00:00:01', '10.0.0.1'), frame('02:00:00:00:00:01', '10.0.0.2'), frame('02:00:00:00:00:01', '10.0.0.3')]);
    expect(counters.get('binder.owners_evicted')).toBe(1);
  });
});
