import { describe, expect, it, vi } from 'vitest';
import { LOCATION_LIMITS, LocationResolver, normalisePortName } from '../../../src/identify/location.js';
import { findDevice, listDevices } from '../../../src/inventory/device-view.js';
import { silentLogger } from '../../../src/log.js';
import type { Observation } from '../../../src/observe/observation.js';
import type { Capability, HeardAt, LocationFact, RelayFact, SwitchAdvertisement } from '../../../src/observe/location-facts.js';
import { openPipeline } from '../../../src/pipeline.js';
import { ROOT } from '../../helpers/cli.js';
import { Counters } from '../../../src/counters.js';

const SWITCH_PORT_MAC = '00:1b:8f:5a:01:03';
const o = (field: string, value: string, extra: Partial<Observation> = {}): Observation => ({
  ts: 1, frame: 1, protocol: field.split('.')[0] as string, field, value, ...extra,
});
const heard = (mac: string): HeardAt => ({ ts: 1, frame: 1, mac, ip: undefined, vlan: undefined });
/** An LLDP advertisement, typed as src/protocols/lldp/lldp-location.ts builds it. */
const advertisement = (mac: string, extra: Partial<SwitchAdvertisement> = {}): SwitchAdvertisement => ({
  protocol: 'lldp', senderMac: mac, heard: heard(mac), capabilities: new Set<Capability>(), managementAddresses: [], ...extra,
});
const lldpFromSwitch = (portId: string, civic?: string, mac = SWITCH_PORT_MAC, address = '10.0.0.2'): SwitchAdvertisement =>
  advertisement(mac, {
    chassisId: '00:1b:8f:5a:01:00', chassisMac: '00:1b:8f:5a:01:00', systemName: 'ICU-SW01',
    capabilities: new Set<Capability>(['bridge', 'router']), managementAddresses: [address],
    port: { id: portId, vlan: 20, ...(civic !== undefined ? { civic } : {}) },
    ...(civic !== undefined ? { civic } : {}),
  });
/** A DHCP relay fact, typed as src/protocols/dhcp/dhcp-location.ts builds it. */
const relay = (client: string, extra: Partial<RelayFact> = {}): RelayFact => ({ protocol: 'dhcp', clientMac: client, heard: heard(client), ...extra });
const relayed = (client: string, circuit: string, extra: Partial<RelayFact> = {}): RelayFact =>
  relay(client, { agentIp: '10.20.3.1', circuitId: circuit, sourceIp: '10.0.0.2', ...extra });
/** One frame's location fact, with no observations beside it. */
const frameOf = (r: LocationResolver, fact: LocationFact) => r.observeFrame([], fact);
const fields = (derived: ReturnType<LocationResolver['observeFrame']>) =>
  Object.fromEntries(derived.flatMap((d) => d.candidates.map((c) => [c.field, c.value])));

describe('normalisePortName', () => {
  it('treats vendor spellings of one port alike', () => {
    const same = ['GigabitEthernet1/0/3', 'Gi1/0/3', 'gi1-0-3', 'gi 1/0/3', 'Gig1/0/3'];
    expect(new Set(same.map(normalisePortName))).toEqual(new Set(['gi103']));
    expect(normalisePortName('TenGigabitEthernet1/1/1')).toBe('te111');
    expect(normalisePortName('FastEthernet0/12')).toBe('fa012');
    expect(normalisePortName('Ethernet1/4')).toBe(normalisePortName('Eth1/4'));
    expect(normalisePortName('Gi1/0/3')).not.toBe(normalisePortName('Gi1/0/30'));
  });
});

describe('LocationResolver', () => {
  it('ties a relayed client to the switch port its circuit-id names, in the switch’s own naming', () => {
    const r = new LocationResolver();
    frameOf(r, lldpFromSwitch('GigabitEthernet1/0/3', 'US, MA, Room 12'));
    const got = fields(frameOf(r, relayed('02:00:00:00:00:01', 'Gi1/0/3')));
    expect(got).toEqual({ circuit_id: 'Gi1/0/3', switch: 'ICU-SW01', port: 'GigabitEthernet1/0/3', location: 'US, MA, Room 12', vlan: '20' });
  });

  it('keeps option 82 facts heard before the switch spoke and resolves them when it does', () => {
    const r = new LocationResolver();
    const early = fields(frameOf(r, relayed('02:00:00:00:00:01', 'gi1-0-3')));
    expect(early).toEqual({ circuit_id: 'gi1-0-3', port: 'gi1-0-3' }); // raw circuit-id until the switch is known
    const later = frameOf(r, lldpFromSwitch('gi1-0-3', 'Room 12'));
    const client = later.filter((d) => d.observation.mac === '02:00:00:00:00:01');
    expect(fields(client)).toEqual({ switch: 'ICU-SW01', port: 'gi1-0-3', location: 'Room 12', vlan: '20' });
    // Nothing new learnt → nothing derived again.
    expect(frameOf(r, lldpFromSwitch('gi1-0-3', 'Room 12')).filter((d) => d.observation.mac === '02:00:00:00:00:01')).toEqual([]);
  });

  it('a switch learning a port re-resolves only the clients it relays, not every pending client', () => {
    const r = new LocationResolver();
    const resolve = vi.spyOn(r.relays as unknown as { resolve: () => void }, 'resolve');
    // 1,000 clients relayed by another switch (192.0.2.1), and one by ICU-SW01 (10.0.0.2).
    for (let i = 0; i < 1000; i++) {
      const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      frameOf(r, relay(mac, { circuitId: `gi1-0-${i}`, sourceIp: '192.0.2.1' }));
    }
    frameOf(r, relayed('02:00:00:00:ff:01', 'gi1-0-9'));
    resolve.mockClear();
    // ICU-SW01 learns 48 ports: 48 changes, each re-resolving its one client.
    let located: Record<string, string> = {};
    for (let port = 1; port <= 48; port++) {
      const derived = frameOf(r, lldpFromSwitch(`gi1-0-${port}`, `Room ${port}`));
      const mine = derived.filter((d) => d.observation.mac === '02:00:00:00:ff:01');
      if (mine.length > 0) located = fields(mine);
    }
    expect(located).toMatchObject({ switch: 'ICU-SW01', port: 'gi1-0-9', location: 'Room 9' });
    expect(resolve.mock.calls.length).toBeLessThanOrEqual(48);
  });

  it('matches Cisco binary circuit-ids by module and port number', () => {
    const r = new LocationResolver();
    frameOf(r, lldpFromSwitch('Gi1/0/7'));
    const got = fields(frameOf(r, relay('02:00:00:00:00:02', { sourceIp: '10.0.0.2', ciscoPort: { vlan: 20, module: 1, port: 7 } })));
    expect(got['port']).toBe('Gi1/0/7');
  });

  it('a relay it cannot tie to a switch gives the raw circuit-id only', () => {
    const r = new LocationResolver();
    frameOf(r, lldpFromSwitch('gi1-0-3'));
    const got = fields(frameOf(r, relay('02:00:00:00:00:03', { circuitId: 'eth0:12', sourceIp: '192.0.2.99' })));
    expect(got).toEqual({ circuit_id: 'eth0:12', port: 'eth0:12' });
  });

  it('marks bridges, routers, access points and phones as infrastructure; stations are not', () => {
    const r = new LocationResolver();
    const phone = fields(frameOf(r, advertisement('02:00:00:00:00:04', { chassisId: 'x', capabilities: new Set<Capability>(['bridge', 'telephone']) })));
    expect(phone['category']).toBe('infrastructure');
    const station = fields(frameOf(r, advertisement('02:00:00:00:00:05', { chassisId: 'y', capabilities: new Set<Capability>(['station']) })));
    expect(station['category']).toBeUndefined();
  });

  it('caps pending clients (limit lowered to 3): the oldest are forgotten', () => {
    const r = new LocationResolver({ ...LOCATION_LIMITS, maxPendingClients: 3 });
    for (let i = 1; i <= 10; i++) frameOf(r, relayed(`02:00:00:00:00:${String(i).padStart(2, '0')}`, 'gi1-0-3'));
    const derived = frameOf(r, lldpFromSwitch('gi1-0-3'));
    expect(new Set(derived.filter((d) => d.candidates.some((c) => c.field === 'port')).map((d) => d.observation.mac)))
      .toEqual(new Set(['02:00:00:00:00:08', '02:00:00:00:00:09', '02:00:00:00:00:10']));
  });
});

describe('location on the real switch lab capture', () => {
  it('locates each endpoint on its switch port, and records the monitor moving from gi1-0-1 to gi1-0-4', async () => {
    const pipeline = openPipeline(':memory:', { logger: silentLogger() });
    await pipeline.replayFile(`${ROOT}fixtures/lldp/lab-switch-endpoints.pcapng`);
    const pump = findDevice(pipeline.db, '9c:c8:ae:80:15:07');
    expect(pump).toMatchObject({ switch: 'ICU-ACCESS-SW01', port: 'gi1-0-2' });
    expect(pump?.location).toMatch(/Room|ICU/i);
    const monitor = findDevice(pipeline.db, '00:09:fb:1d:07:07');
    expect(monitor).toMatchObject({ switch: 'ICU-ACCESS-SW01', port: 'gi1-0-4' });
    expect(monitor?.history?.filter((h) => h.field === 'port').map((h) => [h.old_value, h.new_value])).toEqual([['gi1-0-1', 'gi1-0-4']]);
    expect(findDevice(pipeline.db, '00:1b:d4:4e:01:10')?.category).toBe('infrastructure');
    // The switch speaks from one MAC per port: one device, found by any of its port MACs.
    const switches = listDevices(pipeline.db).filter((d) => d.hostname === 'ICU-ACCESS-SW01');
    expect(switches.map((d) => d.mac)).toEqual(['00:1b:8f:5a:01:00']);
    // A port MAC is an alias: it names the switch device (issue 13), and is listed as such.
    expect(findDevice(pipeline.db, '00:1b:8f:5a:01:03')?.id).toBe('mac-001b8f5a0100');
    expect(switches[0]?.aliases).toContain('00:1b:8f:5a:01:03');
    expect(pipeline.counters.get('inventory.devices_merged')).toBeGreaterThan(0);
    pipeline.db.close();
  });
});

describe("a switch's management MAC is the switch (issue 13)", () => {
  const MGMT = '00:1b:8f:5a:0f:ff';
  it('the MAC relaying DHCP from the switch management address merges into the chassis', () => {
    const r = new LocationResolver();
    frameOf(r, lldpFromSwitch('gi1-0-3'));
    r.drainAliases();
    frameOf(r, relayed('00:09:fb:00:00:31', 'gi1-0-3', { sourceMac: MGMT }));
    expect(r.drainAliases()).toEqual([{ mac: MGMT, into: '00:1b:8f:5a:01:00', source: 'dhcp.relay.source_mac' }]);
    // Once only.
    frameOf(r, relayed('00:09:fb:00:00:32', 'gi1-0-3', { sourceMac: MGMT }));
    expect(r.drainAliases()).toEqual([]);
  });

  it('the MAC answering ARP for the management address merges into the chassis, heard before or after the LLDP', () => {
    for (const arpFirst of [true, false]) {
      const r = new LocationResolver();
      const arp = [o('ip.address', '10.0.0.2', { mac: MGMT, protocol: 'arp' })];
      if (arpFirst) r.observeFrame(arp);
      frameOf(r, lldpFromSwitch('gi1-0-3'));
      if (!arpFirst) r.observeFrame(arp);
      expect(r.drainAliases()).toContainEqual({ mac: MGMT, into: '00:1b:8f:5a:01:00', source: 'arp.management_address' });
    }
  });

  it('plain IP traffic from the management address (perhaps routed) merges nothing', () => {
    const r = new LocationResolver();
    frameOf(r, lldpFromSwitch('gi1-0-3'));
    r.drainAliases();
    r.observeFrame([o('ip.address', '10.0.0.2', { mac: '00:00:0c:00:00:fe', protocol: 'ip' })]);
    expect(r.drainAliases()).toEqual([]);
  });

  it('switches, their ports, MACs and addresses, and learnt subnet VLANs are capped and counted (limits lowered)', () => {
    const counters = new Counters();
    const r = new LocationResolver({ ...LOCATION_LIMITS, maxSwitches: 1, maxPortsPerSwitch: 2, maxPendingClients: 1 }, [], counters);
    // One switch heard on three ports, from three port MACs, announcing three management addresses.
    for (let i = 1; i <= 3; i++) {
      frameOf(r, lldpFromSwitch(`gi1-0-${i}`, undefined, `00:1b:8f:5a:01:0${i}`, `10.0.0.${i}`));
    }
    expect(counters.get('location.ports_dropped')).toBe(1);
    // The chassis MAC and the first port MAC fill the switch's two MACs.
    expect(counters.get('location.switch_macs_dropped')).toBe(2);
    expect(counters.get('location.switch_addresses_dropped')).toBe(1);
    // A second switch is one too many.
    frameOf(r, advertisement('00:1b:8f:5b:00:01', { chassisId: '00:1b:8f:5b:00:00', chassisMac: '00:1b:8f:5b:00:00', systemName: 'OR-SW02', capabilities: new Set<Capability>(['bridge']) }));
    expect(counters.get('location.switches_dropped')).toBe(1);
    // Tagged addresses teach their subnet's VLAN: one subnet kept, the next counted.
    r.observeFrame([o('ip.address', '10.7.1.5', { mac: '02:00:00:00:00:07', protocol: 'ip', vlan: 7 }), o('eth.seen', '1')]);
    r.observeFrame([o('ip.address', '10.8.1.5', { mac: '02:00:00:00:00:08', protocol: 'ip', vlan: 8 }), o('eth.seen', '1')]);
    expect(counters.get('location.subnet_vlans_dropped')).toBe(1);
  });

  it('ARP owners waiting for their switch are capped and counted', () => {
    const counters = new Counters();
    const r = new LocationResolver({ ...LOCATION_LIMITS, maxPendingClients: 2 }, [], counters);
    for (let i = 1; i <= 5; i++) r.observeFrame([o('ip.address', `10.9.0.${i}`, { mac: `02:00:00:00:00:0${i}`, protocol: 'arp' })]);
    expect(counters.get('location.arp_owners_evicted')).toBe(3);
  });
});

describe('VLAN without tags: learnt subnets and the configured subnet map', () => {
  it('an untagged address in a configured subnet gets its VLAN (once per device and address)', () => {
    const r = new LocationResolver(LOCATION_LIMITS, [{ subnet: '10.20.0.0/16', vlan: 20 }, { subnet: '10.20.30.0/24', vlan: 30 }]);
    const addr = (ip: string, vlan?: number) => o('ip.address', ip, { mac: '02:00:00:00:00:09', protocol: 'arp', ...(vlan !== undefined ? { vlan } : {}) });
    expect(fields(r.observeFrame([addr('10.20.30.5')]))).toEqual({ vlan: '30' }); // most specific subnet
    expect(r.observeFrame([addr('10.20.30.5')])).toEqual([]);
    expect(fields(r.observeFrame([addr('10.20.99.5')]))).toEqual({ vlan: '20' });
    expect(r.observeFrame([addr('192.0.2.5')])).toEqual([]);
    expect(r.configuredVlan('10.21.0.1')).toBeUndefined();
  });

  it('a relayed client gets the VLAN of its giaddr subnet, learnt from tagged frames there', () => {
    const r = new LocationResolver();
    r.observeFrame([o('ip.address', '10.20.3.1', { mac: '02:00:00:00:00:aa', protocol: 'ip', vlan: 103 })]);
    const got = fields(frameOf(r, relayed('02:00:00:00:00:0b', 'unknown-port')));
    expect(got['vlan']).toBe('103');
  });
});
