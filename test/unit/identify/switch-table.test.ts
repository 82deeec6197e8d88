import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/counters.js';
import { LOCATION_LIMITS, LocationResolver } from '../../../src/identify/location.js';
import { RelayResolver } from '../../../src/identify/relay-resolver.js';
import { SwitchTable } from '../../../src/identify/switch-table.js';
import type { Capability, SwitchAdvertisement } from '../../../src/observe/location-facts.js';

const CHASSIS = '00:1b:8f:5a:01:00';
const heard = (mac: string) => ({ ts: 1, frame: 1, mac, ip: undefined, vlan: undefined });
const lldp = (sender: string, port: string, extra: Partial<SwitchAdvertisement> = {}): SwitchAdvertisement => ({
  protocol: 'lldp', senderMac: sender, heard: heard(sender), chassisId: CHASSIS, chassisMac: CHASSIS, systemName: 'ICU-SW01',
  capabilities: new Set<Capability>(['bridge']), managementAddresses: ['10.0.0.2'], port: { id: port }, ...extra,
});
const cdp = (sender: string, capabilities: Capability[], extra: Partial<SwitchAdvertisement> = {}): SwitchAdvertisement => ({
  protocol: 'cdp', senderMac: sender, heard: heard(sender), deviceId: 'ICU-SW01', capabilities: new Set(capabilities), managementAddresses: [], ...extra,
});

describe('SwitchTable, fed by typed advertisements', () => {
  it('port MACs, the chassis and the DHCP relay management MAC become one alias set', () => {
    const table = new SwitchTable(LOCATION_LIMITS);
    table.learn(lldp('00:1b:8f:5a:01:01', 'gi1-0-1'));
    table.learn(lldp('00:1b:8f:5a:01:02', 'gi1-0-2'));
    // The relay sends from the switch's management address with a MAC never heard in LLDP.
    const relays = new RelayResolver(table, 10, () => undefined);
    relays.observe({ protocol: 'dhcp', clientMac: '00:09:fb:00:00:01', heard: heard('00:09:fb:00:00:01'), circuitId: 'gi1-0-2', sourceMac: '00:1b:8f:5a:0f:ff', sourceIp: '10.0.0.2' }, []);
    const aliases = table.drainAliases();
    expect(new Set(aliases.map((a) => a.into))).toEqual(new Set([CHASSIS]));
    expect(aliases.map((a) => [a.mac, a.source])).toEqual([
      ['00:1b:8f:5a:01:01', 'lldp.chassis_id'],
      ['00:1b:8f:5a:01:02', 'lldp.chassis_id'],
      ['00:1b:8f:5a:0f:ff', 'dhcp.relay.source_mac'],
    ]);
    for (const mac of ['00:1b:8f:5a:01:01', '00:1b:8f:5a:01:02', CHASSIS, '00:1b:8f:5a:0f:ff']) expect(table.byMac(mac)?.name).toBe('ICU-SW01');
    expect(table.byAddress('10.0.0.2')?.name).toBe('ICU-SW01');
  });

  it('says when it learnt something, and only then', () => {
    const table = new SwitchTable(LOCATION_LIMITS);
    expect(table.learn(lldp('00:1b:8f:5a:01:01', 'gi1-0-1'))?.ports.has('gi1-0-1')).toBe(true);
    expect(table.learn(lldp('00:1b:8f:5a:01:01', 'gi1-0-1'))).toBeUndefined();
    const sw = table.learn(lldp('00:1b:8f:5a:01:01', 'gi1-0-1', { port: { id: 'gi1-0-1', vlan: 20, civic: 'Room 12' } }));
    expect(sw?.ports.get('gi1-0-1')).toEqual({ id: 'gi1-0-1', vlan: 20, civic: 'Room 12' });
  });

  it('a sender that neither bridges, routes nor switches is no switch (CDP transparent bridge, host, phone)', () => {
    const table = new SwitchTable(LOCATION_LIMITS);
    expect(table.learn(cdp('00:00:0c:00:00:01', ['transparentBridge', 'igmp']))).toBeUndefined();
    expect(table.learn(cdp('00:00:0c:00:00:02', ['host', 'telephone']))).toBeUndefined();
    expect(table.byMac('00:00:0c:00:00:01')).toBeUndefined();
    expect(table.learn(cdp('00:00:0c:00:00:03', ['switch', 'igmp']))?.name).toBe('ICU-SW01');
  });

  it('one switch speaking LLDP and CDP is one switch, found by name', () => {
    const table = new SwitchTable(LOCATION_LIMITS);
    const a = table.learn(lldp('00:1b:8f:5a:01:01', 'gi1-0-1'));
    const b = table.learn(cdp('00:1b:8f:5a:01:07', ['router', 'switch'], { port: { id: 'GigabitEthernet1/0/7', vlan: 30 } }));
    expect(b).toBe(a);
    expect([...(a?.ports.keys() ?? [])]).toEqual(['gi1-0-1', 'GigabitEthernet1/0/7']);
  });

  it('caps switches, ports, MACs and addresses and counts what it drops (limits lowered)', () => {
    const counters = new Counters();
    const table = new SwitchTable({ ...LOCATION_LIMITS, maxSwitches: 1, maxPortsPerSwitch: 2 }, counters);
    for (let i = 1; i <= 3; i++) table.learn(lldp(`00:1b:8f:5a:01:0${i}`, `gi1-0-${i}`, { managementAddresses: [`10.0.0.${i}`] }));
    expect(counters.get('location.ports_dropped')).toBe(1);
    expect(counters.get('location.switch_macs_dropped')).toBe(2);
    expect(counters.get('location.switch_addresses_dropped')).toBe(1);
    table.learn(lldp('00:1b:8f:5b:00:01', 'gi1-0-1', { chassisId: '00:1b:8f:5b:00:00', chassisMac: '00:1b:8f:5b:00:00', systemName: 'OR-SW02' }));
    expect(counters.get('location.switches_dropped')).toBe(1);
  });
});

describe('infrastructure from typed capability flags', () => {
  const category = (r: LocationResolver, adv: SwitchAdvertisement) =>
    r.observeFrame([], adv).flatMap((d) => d.candidates).find((c) => c.field === 'category');

  it('a CDP router capability flag marks infrastructure, as a switch, a phone or an LLDP access point do', () => {
    const r = new LocationResolver();
    expect(category(r, cdp('00:00:0c:00:00:fe', ['router']))).toEqual({ field: 'category', value: 'infrastructure', source: 'cdp.capabilities', confidence: 0.8 });
    expect(category(r, cdp('00:00:0c:00:00:fd', ['telephone', 'host']))?.value).toBe('infrastructure');
    expect(category(r, lldp('02:00:00:00:00:01', 'p1', { capabilities: new Set<Capability>(['accessPoint']) }))?.source).toBe('lldp.enabled_capabilities');
  });

  it('hosts, stations and CDP transparent bridges are not infrastructure', () => {
    const r = new LocationResolver();
    expect(category(r, cdp('00:00:0c:00:00:01', ['host', 'igmp']))).toBeUndefined();
    expect(category(r, cdp('00:00:0c:00:00:02', ['transparentBridge']))).toBeUndefined();
    expect(category(r, lldp('02:00:00:00:00:02', 'p1', { capabilities: new Set<Capability>(['station']) }))).toBeUndefined();
  });

  it('the evidence is the sender at the frame it was heard in', () => {
    const r = new LocationResolver();
    const [d] = r.observeFrame([], cdp('00:00:0c:00:00:fe', ['router'], { heard: { ts: 7, frame: 42, mac: '00:00:0c:00:00:fe', ip: undefined, vlan: 5 } }));
    expect(d?.observation).toMatchObject({ ts: 7, frame: 42, mac: '00:00:0c:00:00:fe', vlan: 5, protocol: 'cdp', field: 'cdp.capabilities' });
  });

  it('a group-MAC sender is nothing (its observations never pass the hygiene gate)', () => {
    const r = new LocationResolver();
    expect(r.observeFrame([], cdp('01:00:0c:cc:cc:cc', ['router']))).toEqual([]);
    expect(r.switches.byMac('01:00:0c:cc:cc:cc')).toBeUndefined();
  });
});
