/**
 * The communication profile (issue 20): peers, names and SNI on real captures (the lab's
 * remote-access capture, nDPI's AnyDesk capture), each cap lowered through the config and
 * counted, deltas added across a restart, MUD URLs from DHCP option 161 and the LLDP MUD TLV.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counters } from '../../../src/counters.js';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import type { AppRecord } from '../../../src/decode/registry.js';
import { addressScope, CommProfileTracker, mudUrlOf, PROFILE_LIMITS } from '../../../src/observe/comm-profile.js';
import { checkConfig, runtimeLimits, type RuntimeLimits } from '../../../src/config.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { loadProfile } from '../../../src/inventory/profile-store.js';
import { ROOT } from '../../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const LAB = join(ROOT, 'fixtures/remote/lab-remote-access.pcapng');
const ANYDESK = sharedPath('captures', 'remote-access', 'anydesk.pcapng');

async function replay(files: string[], limits?: RuntimeLimits, dir = mkdtempSync(join(tmpdir(), 'aus-profile-'))) {
  const pipeline = openPipeline(join(dir, 'p.db'), limits ? { logger: silentLogger(), limits } : { logger: silentLogger() });
  for (const f of files) await pipeline.replayFile(f);
  return { pipeline, db: pipeline.db, dir };
}

function limitsFrom(yaml: string): RuntimeLimits {
  const result = checkConfig(yaml, 'test.yaml');
  expect(result.issues).toEqual([]);
  return runtimeLimits(result.config!);
}

describe('address scope', () => {
  it('private, CGNAT, link-local, ULA are internal; public unicast external; multicast, broadcast and documentation ranges are no peer', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.9.9', 'fe80::1', 'fd12::1', '127.0.0.1']) expect(addressScope(a)).toBe('internal');
    for (const a of ['202.114.4.119', '8.8.8.8', '2a00:1450:4001::1', '::ffff:8.8.4.4']) expect(addressScope(a)).toBe('external');
    for (const a of ['224.0.0.251', '255.255.255.255', '0.0.0.0', '203.0.113.7', '2001:db8::1', 'ff02::fb', 'not-an-ip']) expect(addressScope(a)).toBe('other');
  });
});

describe('communication profile on the lab capture (OpenSSH, TigerVNC, xrdp, dnsmasq, OpenSSL)', () => {
  it('the technician laptop: its peers with service port, direction, protocol, bytes; the name it resolved and the SNI it called', async () => {
    const { db, dir } = await replay([LAB]);
    try {
      const p = loadProfile(db, ['10.40.0.50'], null);
      const byPort = Object.fromEntries(p.peers.map((x) => [`${x.peer_ip}:${x.port}/${x.transport}/${x.direction}`, x]));
      expect(Object.keys(byPort).sort()).toEqual(['10.40.0.10:22/tcp/out', '10.40.0.10:3389/tcp/out', '10.40.0.10:5901/tcp/out', '10.40.0.2:53/udp/out', '10.40.0.99:443/tcp/out']);
      expect(byPort['10.40.0.10:22/tcp/out']).toMatchObject({ protocol: 'ssh', scope: 'internal' });
      expect(byPort['10.40.0.10:3389/tcp/out']).toMatchObject({ protocol: 'rdp' });
      expect(byPort['10.40.0.99:443/tcp/out']).toMatchObject({ protocol: 'tls', name: 'relay-7.net.anydesk.com', name_source: 'sni' });
      expect(byPort['10.40.0.99:443/tcp/out']!.bytes_in).toBeGreaterThan(byPort['10.40.0.99:443/tcp/out']!.bytes_out);
      expect(p.names.map((n) => `${n.kind} ${n.name} ${n.count}`)).toEqual(['dns relay-7.net.anydesk.com 1', 'sni relay-7.net.anydesk.com 1']);
      // The pump's side: the same conversations, inbound on its own service ports.
      const pump = loadProfile(db, ['10.40.0.10'], null);
      expect(pump.peers.map((x) => `${x.peer_ip}:${x.port}/${x.direction}`).sort()).toEqual(['10.40.0.50:22/in', '10.40.0.50:3389/in', '10.40.0.50:5901/in']);
      expect(pump.names).toEqual([]);
      // The technician's frames and bytes each way agree with the pump's view of the same SSH flow.
      const ssh = pump.peers.find((x) => x.port === 22)!;
      expect([ssh.bytes_in, ssh.bytes_out]).toEqual([byPort['10.40.0.10:22/tcp/out']!.bytes_out, byPort['10.40.0.10:22/tcp/out']!.bytes_in]);
      // The RDP cookie's user name is nowhere in the profile tables.
      const dump = JSON.stringify(db.prepare('SELECT * FROM profile_peer').all()) + JSON.stringify(db.prepare('SELECT * FROM profile_name').all());
      expect(dump).not.toContain('CANARY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('survives a restart: a second sensor on the same database adds its counts to the rows, which stay the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aus-profile-'));
    try {
      const first = await replay([LAB], undefined, dir);
      const before = loadProfile(first.db, ['10.40.0.50'], null);
      first.db.close();
      const second = await replay([LAB], undefined, dir);
      const after = loadProfile(second.db, ['10.40.0.50'], null);
      expect(after.peers.map((p) => p.peer_ip + p.port)).toEqual(before.peers.map((p) => p.peer_ip + p.port));
      expect(after.peers.map((p) => p.frames)).toEqual(before.peers.map((p) => p.frames * 2));
      expect(after.names.map((n) => n.count)).toEqual(before.names.map((n) => n.count * 2));
      expect(after.peers.map((p) => p.first_frame)).toEqual(before.peers.map((p) => p.first_frame));
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('limits.profile lowered through the config: peers, names and devices are capped and each eviction counted', async () => {
    const limits = limitsFrom('limits:\n  profile:\n    max_peers_per_device: 2\n    max_names_per_device: 1\n    max_devices: 2\n');
    expect(limits.profile).toEqual({ ...PROFILE_LIMITS, maxPeersPerDevice: 2, maxNamesPerDevice: 1, maxDevices: 2 });
    const { pipeline, db, dir } = await replay([LAB], limits);
    try {
      const devices = db.prepare('SELECT device_ip FROM profile_device ORDER BY device_ip').all() as { device_ip: string }[];
      expect(devices).toHaveLength(2);
      for (const d of devices) {
        expect((db.prepare('SELECT count(*) AS n FROM profile_peer WHERE device_ip = ?').get(d.device_ip) as { n: number }).n).toBeLessThanOrEqual(2);
        expect((db.prepare('SELECT count(*) AS n FROM profile_name WHERE device_ip = ?').get(d.device_ip) as { n: number }).n).toBeLessThanOrEqual(1);
      }
      expect(pipeline.counters.get('profile.devices_dropped')).toBeGreaterThan(0);
      expect(pipeline.counters.get('profile.peers_evicted')).toBeGreaterThan(0);
      expect(pipeline.counters.get('profile.names_evicted')).toBe(1);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('profile.internal_networks', () => {
  it('a hospital\'s own public range is internal: its hosts are peers inside, other public addresses stay external; a bad CIDR is refused', async () => {
    const limits = limitsFrom('profile:\n  internal_networks: [93.184.0.0/24]\n');
    expect(limits.profile?.internalNetworks).toEqual(['93.184.0.0/24']);
    const { db, dir } = await replay([join(ROOT, 'fixtures/profile/lab-profile.pcapng')], limits);
    try {
      const scopes = db.prepare("SELECT device_ip, peer_ip, scope FROM profile_peer WHERE peer_ip IN ('93.184.0.10', '93.184.0.20', '202.114.4.119') ORDER BY device_ip, peer_ip").all();
      expect(scopes).toEqual([
        { device_ip: '10.41.0.101', peer_ip: '93.184.0.20', scope: 'internal' },
        { device_ip: '10.41.0.130', peer_ip: '202.114.4.119', scope: 'external' },
        { device_ip: '10.41.0.133', peer_ip: '93.184.0.10', scope: 'internal' },
        { device_ip: '10.41.0.133', peer_ip: '93.184.0.20', scope: 'internal' },
      ]);
      // The hosts of that range are profiled as devices too.
      expect(loadProfile(db, ['93.184.0.20'], null).peers.map((p) => `${p.peer_ip} ${p.direction} ${p.port}`).sort()).toEqual(['10.41.0.101 in 443', '10.41.0.133 in 443']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = checkConfig('profile:\n  internal_networks: [93.184.0.0/33]\n', 'test.yaml');
    expect(bad.issues.map((i) => `${i.key}: ${i.reason}`)).toEqual([expect.stringMatching(/^profile\.internal_networks\.0: not an IPv4 or IPv6 CIDR/)]);
  });
});

describe.skipIf(!sharedAvailable('captures', 'remote-access', 'anydesk.pcapng'))(`communication profile on nDPI's AnyDesk capture${sharedAvailable() ? '' : ` (${SHARED_SKIP_REASON})`}`, () => {
  it('external peers are external; the client that resolved the relays has their names; a lowered peer cap keeps the external ones', async () => {
    const { db, dir } = await replay([ANYDESK]);
    try {
      const ext = db.prepare("SELECT device_ip, peer_ip, port FROM profile_peer WHERE scope = 'external' ORDER BY device_ip, peer_ip").all();
      expect(ext).toEqual([
        { device_ip: '192.168.1.128', peer_ip: '195.181.174.176', port: 443 },
        { device_ip: '192.168.149.129', peer_ip: '51.83.238.219', port: 80 },
        { device_ip: '192.168.149.129', peer_ip: '51.83.239.144', port: 80 },
      ]);
      const names = loadProfile(db, ['192.168.1.187'], null).names.map((n) => n.name);
      expect(names).toEqual(['relay-3185a847.net.anydesk.com', 'relay-9b6827f2.net.anydesk.com']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const low = await replay([ANYDESK], limitsFrom('limits:\n  profile:\n    max_peers_per_device: 1\n'));
    try {
      const kept = low.db.prepare("SELECT device_ip, scope FROM profile_peer WHERE device_ip = '192.168.149.129'").all();
      expect(kept).toEqual([{ device_ip: '192.168.149.129', scope: 'external' }]);
      expect(low.pipeline.counters.get('profile.peers_evicted')).toBeGreaterThan(0);
    } finally {
      low.db.close();
      rmSync(low.dir, { recursive: true, force: true });
    }
  }, 30_000);
});

let frameNo = 0;
function frame(src: string, dst: string, extra: Partial<FrameRecord> = {}): FrameRecord {
  return {
    frameNo: ++frameNo, tsMicros: 1_000_000 + frameNo, vlanTags: [], srcMac: '00:09:fb:00:00:01', dstMac: '02:00:00:00:00:02',
    ip: { version: 4, src, dst, protocol: 17, ttl: 64, fragment: false }, udp: { srcPort: 68, dstPort: 67, length: 0 },
    payloadKind: 'udp', payload: new Uint8Array(0), ...extra,
  };
}
const ascii = (s: string) => new TextEncoder().encode(s);
const dhcpWith = (data: Uint8Array): AppRecord => ({ protocol: 'dhcp', record: { op: 1, chaddrIsMac: true, chaddr: '00:09:fb:00:00:01', options: [{ code: 161, data, area: 'options' }] } } as unknown as AppRecord);
const lldpWith = (bytes: Uint8Array): AppRecord => ({ protocol: 'lldp', record: { orgTlvs: [{ oui: 0x00005e, subtype: 1, bytes }] } } as unknown as AppRecord);

describe('MUD URLs (RFC 8520 §10, §11)', () => {
  it('DHCP option 161 and the LLDP MUD TLV give the device\'s MUD URL; anything but a printable https URL of at most 255 octets is counted, not kept', () => {
    const counters = new Counters();
    const t = new CommProfileTracker(counters);
    t.onFrame(frame('0.0.0.0', '255.255.255.255'), dhcpWith(ascii('https://mud.example.com/pump.json')));
    t.onFrame(frame('10.0.0.9', '01:80:c2:00:00:0e', { srcMac: '00:09:fb:00:00:02', ip: undefined, udp: undefined, payloadKind: 'ethertype' }), lldpWith(ascii('https://mud.example.com/monitor.json')));
    for (const bad of ['http://mud.example.com/x.json', 'https://mud.example.com/\u0000x', `https://${'a'.repeat(300)}`, 'https://']) {
      t.onFrame(frame('0.0.0.0', '255.255.255.255'), dhcpWith(ascii(bad)));
    }
    expect(counters.get('profile.mud_invalid')).toBe(4);
    expect(t.drain().mud.map((m) => [m.mac, m.url, m.source])).toEqual([
      ['00:09:fb:00:00:01', 'https://mud.example.com/pump.json', 'dhcp.option161'],
      ['00:09:fb:00:00:02', 'https://mud.example.com/monitor.json', 'lldp.mud'],
    ]);
    expect(mudUrlOf(new Uint8Array(0))).toBeUndefined();
  });

  it('real lldpd\'s MUD URL TLV (fixtures/lab/lldp-mud.sh, OUI 00-00-5E subtype 1) and ISC dhclient\'s option 161 (fixtures/lab/profile.sh) are stored with their frame', async () => {
    const { db, dir } = await replay([join(ROOT, 'fixtures/profile/lab-lldp-mud.pcapng'), join(ROOT, 'fixtures/profile/lab-profile.pcapng')]);
    try {
      expect(db.prepare('SELECT mac, url, source, first_frame FROM mud_url ORDER BY mac').all()).toEqual([
        { mac: '00:09:fb:41:00:10', url: 'https://mud.example.com/philips/intellivue-mx800.json', source: 'dhcp.option161', first_frame: 3 },
        { mac: '9c:c8:ae:42:00:09', url: 'https://mud.example.com/bd/alaris-8015.json', source: 'lldp.mud', first_frame: 1 },
      ]);
      expect(loadProfile(db, [], '9c:c8:ae:42:00:09').mud?.url).toBe('https://mud.example.com/bd/alaris-8015.json');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MUD URLs of more devices than max_devices are counted and dropped', () => {
    const counters = new Counters();
    const t = new CommProfileTracker(counters, { ...PROFILE_LIMITS, maxDevices: 1 });
    t.onFrame(frame('0.0.0.0', '255.255.255.255'), dhcpWith(ascii('https://mud.example.com/a.json')));
    t.onFrame(frame('0.0.0.0', '255.255.255.255', { srcMac: '00:09:fb:00:00:03' }), { protocol: 'dhcp', record: { op: 1, chaddrIsMac: true, chaddr: '00:09:fb:00:00:03', options: [{ code: 161, data: ascii('https://mud.example.com/b.json'), area: 'options' }] } } as unknown as AppRecord);
    expect(counters.get('profile.mud_dropped')).toBe(1);
    expect(t.drain().mud).toHaveLength(1);
  });
});
