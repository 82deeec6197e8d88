/**
 * The communication profile tracker under arbitrary frames (issue 20): it never throws, every cap
 * holds whatever the mix (devices, peers per device, names per device, resolved names), and every
 * frame with an internal end is counted once per internal end unless a cap refused it (counted).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/counters.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import type { AppRecord } from '../../src/decode/registry.js';
import { addressScope, CommProfileTracker, peersOf } from '../../src/observe/comm-profile.js';

const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.9', '172.16.4.4', 'fd00::5', 'fe80::1', '8.8.8.8', '202.114.4.119', '2a00:1450::1',
  '224.0.0.251', '255.255.255.255', '0.0.0.0', '203.0.113.1', '::ffff:1.1.1.1', 'garbage'];

const frameArb = fc.record({
  src: fc.constantFrom(...ADDRESSES),
  dst: fc.constantFrom(...ADDRESSES),
  kind: fc.constantFrom('tcp', 'udp', 'icmp', 'other'),
  sport: fc.integer({ min: 0, max: 65535 }),
  dport: fc.constantFrom(22, 53, 443, 80, 104, 2575, 5938, 40000, 65535, 0),
  flags: fc.integer({ min: 0, max: 0x3f }),
  len: fc.integer({ min: 0, max: 1500 }),
  ts: fc.integer({ min: 0, max: 2 ** 40 }),
  app: fc.option(fc.oneof(
    fc.record({ protocol: fc.constant('dns'), response: fc.boolean(), q: fc.string({ maxLength: 300 }), a: fc.constantFrom(...ADDRESSES) }),
    fc.record({ protocol: fc.constant('tls'), sni: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }) }),
    fc.record({ protocol: fc.constant('dhcp'), url: fc.uint8Array({ maxLength: 300 }) }),
  ), { nil: undefined }),
});

type ArbFrame = typeof frameArb extends fc.Arbitrary<infer T> ? T : never;

function build(f: ArbFrame, n: number): [FrameRecord, AppRecord | undefined] {
  const ip = { version: 4 as const, src: f.src, dst: f.dst, protocol: f.kind === 'tcp' ? 6 : f.kind === 'udp' ? 17 : f.kind === 'icmp' ? 1 : 47, ttl: 64, fragment: false };
  const frame: FrameRecord = {
    frameNo: n, tsMicros: f.ts, vlanTags: [], srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', ip,
    tcp: f.kind === 'tcp' ? { srcPort: f.sport, dstPort: f.dport, seq: 0, ack: 0, flags: f.flags, window: 0 } : undefined,
    udp: f.kind === 'udp' ? { srcPort: f.sport, dstPort: f.dport, length: f.len } : undefined,
    payloadKind: f.kind === 'tcp' ? 'tcp' : f.kind === 'udp' ? 'udp' : 'none', payload: new Uint8Array(f.kind === 'tcp' || f.kind === 'udp' ? f.len : 0),
  };
  const a = f.app;
  let app: AppRecord | undefined;
  if (a?.protocol === 'dns') app = { protocol: 'dns', record: { id: 1, isResponse: a.response, rcode: 0, questions: [{ name: a.q, type: 'A' }], answers: [{ name: a.q, type: 'A', data: a.a, ttl: 1 }] } } as AppRecord;
  if (a?.protocol === 'tls') app = { protocol: 'tls', record: { serverName: a.sni, alpn: [] } } as unknown as AppRecord;
  if (a?.protocol === 'dhcp') app = { protocol: 'dhcp', record: { op: 1, chaddrIsMac: true, chaddr: `02:00:00:00:00:${(n % 200).toString(16).padStart(2, '0')}`, options: [{ code: 161, data: a.url, area: 'options' }] } } as unknown as AppRecord;
  return [frame, app];
}

describe('CommProfileTracker on arbitrary frames', () => {
  it('never throws; devices, peers, names and MUD URLs stay within their caps; frames are counted per internal end', () => {
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 300 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (frames, maxPeers, maxDevices) => {
      const counters = new Counters();
      const limits = { maxDevices, maxPeersPerDevice: maxPeers, maxNamesPerDevice: 3, maxResolved: 2 };
      const t = new CommProfileTracker(counters, limits);
      let ends = 0;
      frames.forEach((f, i) => {
        const [frame, app] = build(f, i + 1);
        t.onFrame(frame, app);
        const s = addressScope(f.src);
        const d = addressScope(f.dst);
        if ((s === 'internal' || d === 'internal') && s !== 'other' && d !== 'other') ends += (s === 'internal' ? 1 : 0) + (d === 'internal' ? 1 : 0);
      });
      const { devices, mud } = t.drain();
      expect(devices.length).toBeLessThanOrEqual(maxDevices);
      expect(mud.length).toBeLessThanOrEqual(maxDevices);
      let counted = 0;
      for (const d of devices) {
        const peers = [...peersOf(d)];
        expect(peers.length).toBe(d.peerCount);
        expect(peers.length).toBeLessThanOrEqual(maxPeers);
        expect(d.names.size).toBeLessThanOrEqual(3);
        for (const p of peers) expect(addressScope(p.peerIp)).toBe(p.scope);
        counted += d.frames;
      }
      // A frame end is uncounted only when a cap refused it, and each refusal is counted.
      const refused = (counters.get('profile.devices_dropped') ?? 0) + (counters.get('profile.peers_evicted') ?? 0);
      expect(counted).toBeLessThanOrEqual(ends);
      if (refused === 0) expect(counted).toBe(ends);
      expect(t.size).toBe(0);
    }), { seed: 20, numRuns: 300 });
  });
});
