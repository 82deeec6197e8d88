/**
 * The device core on real captures (issue 13): ranked `ip`, VLAN sets, location changes that
 * become history only when they persist, and one identity per physical device across restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addressRank, NEVER_PRIMARY, primaryAddress, routingPrefix } from '../../../src/device/address-rank.js';
import { checkConfig, runtimeLimits } from '../../../src/config.js';
import { DeviceModel, MODEL_LIMITS } from '../../../src/device/device-model.js';
import { RulesIdentifier } from '../../../src/identify/rules-identifier.js';
import { Counters } from '../../../src/counters.js';
import type { Observation } from '../../../src/observe/observation.js';
import { findDevice, listDevices } from '../../../src/inventory/device-view.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { ROOT } from '../../helpers/cli.js';

const fixture = (rel: string) => join(ROOT, 'fixtures', rel);

async function replayed(rel: string, persistCount?: number) {
  const model = { ...MODEL_LIMITS, ...(persistCount !== undefined ? { classificationPersistCount: persistCount } : {}) };
  const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: { ...runtimeLimits(checkConfig(null, null, { env: {} }).config!), model } });
  await pipeline.replayFile(fixture(rel));
  return pipeline;
}

describe('ranked address choice', () => {
  it('a DHCP-leased device that later sends IPv6 keeps its IPv4 lease as ip; the link-local address is in ips', async () => {
    const p = await replayed('core/lab-ipv6-after-dhcp.pcapng');
    const d = findDevice(p.db, '00:09:fb:1d:46:06');
    expect(d?.ip).toBe('10.20.40.106');
    expect(d?.ips).toEqual(['10.20.40.106', 'fe80::209:fbff:fe1d:4606']);
    // The link-local address never became the device's ip: no history row names it.
    expect(d?.history?.filter((h) => h.field === 'ip').map((h) => h.new_value)).toEqual(['10.20.40.106']);
    p.db.close();
  });

  it('orders addresses by evidence, never chooses link-local, and parses IPv6 prefixes', () => {
    const a = (ip: string, source: string, firstSeen = 0) => ({ ip, source, firstSeen });
    expect(primaryAddress([a('fe80::1', 'ip', 9), a('2001:db8::5', 'ip', 8), a('fd00::5', 'ip', 10)])?.ip).toBe('2001:db8::5');
    expect(primaryAddress([a('10.0.0.9', 'ip', 9), a('10.0.0.5', 'dhcp', 1)])?.ip).toBe('10.0.0.5');
    expect(primaryAddress([a('10.0.0.5', 'dhcp', 1), a('10.0.0.6', 'dhcp', 2)])?.ip).toBe('10.0.0.6'); // a new lease
    expect(primaryAddress([a('10.0.0.5', 'arp', 5), a('10.0.0.2', 'cdp', 1)])?.ip).toBe('10.0.0.2');
    expect(primaryAddress([a('fe80::1', 'dhcp')])).toBeUndefined();
    expect(addressRank('fe80::1%eth0', 'ip')).toBe(NEVER_PRIMARY);
    expect(routingPrefix('2001:db8::1')).toBe(routingPrefix('2001:0db8:0:0:0::2'));
    expect(routingPrefix('2001:db8::1')).not.toBe(routingPrefix('2001:db8:0:1::1'));
    expect(routingPrefix('10.20.30.4')).toBe('10.20.30');
    // The rank cache is keyed by address alone: one IPv4 address ranks by the source that bound it, each time.
    for (let i = 0; i < 2; i++) {
      expect(['lldp', 'cdp', 'dhcp', 'arp', 'mdns', 'ip'].map((s) => addressRank('10.0.0.7', s))).toEqual([1, 1, 2, 3, 3, 4]);
      expect(addressRank('::ffff:10.0.0.7', 'cdp')).toBe(1);
      expect([addressRank('2001:db8::7', 'dhcp'), addressRank('fd00::7', 'lldp'), addressRank('ff02::1', 'ip'), addressRank('not an address', 'dhcp')]).toEqual([5, 6, NEVER_PRIMARY, NEVER_PRIMARY]);
      expect(routingPrefix('10.20.30.4')).toBe('10.20.30');
    }
  });
});

describe('VLAN sets and location persistence', () => {
  it('a router on a trunk has a VLAN set and zero VLAN history rows', async () => {
    const p = await replayed('demo/hospital-demo.pcapng');
    const router = findDevice(p.db, '00:1b:8f:5a:01:00');
    expect(router?.vlans).toEqual([10, 101, 102, 103, 110, 120]);
    expect(router?.history?.filter((h) => h.field === 'vlan')).toEqual([]);
    expect(p.counters.get('inventory.several_vlans')).toBe(1);
    // A device on one VLAN has a set of one.
    expect(findDevice(p.db, '9c:c8:ae:80:15:07')?.vlans).toEqual([102]);
    p.db.close();
  });

  it('a device that really moves gets exactly one history row per changed field', async () => {
    const p = await replayed('demo/hospital-demo.pcapng');
    const monitor = findDevice(p.db, '00:09:fb:1d:07:07');
    const changes = (monitor?.history ?? []).filter((h) => h.old_value !== null).map((h) => [h.field, h.old_value?.slice(-7).trim(), h.new_value?.slice(-7).trim()]);
    expect(changes).toEqual([
      ['circuit_id', 'gi1-0-1', 'gi1-0-8'],
      ['ip', '101.187', '108.187'],
      ['port', 'gi1-0-1', 'gi1-0-8'],
      ['location', 'ICU-07', 'ICU-08'],
    ]);
    expect(monitor).toMatchObject({ port: 'gi1-0-8', ip: '10.20.108.187' });
    p.db.close();
  });

  it('the persistence knob holds a move that is not heard long enough (raised past the capture)', async () => {
    const p = await replayed('demo/hospital-demo.pcapng', 1000);
    const monitor = findDevice(p.db, '00:09:fb:1d:07:07');
    expect(monitor?.port).toBe('gi1-0-1');
    expect(monitor?.history?.filter((h) => h.field === 'port')).toEqual([]);
    expect(p.counters.get('inventory.location_held')).toBeGreaterThan(0);
    p.db.close();
  });
});

describe('routers and the hosts behind them', () => {
  it('a server behind a router that is not yet recognised never gives its HL7/DICOM identity to the router', async () => {
    // fixtures/core/lab-routed-server.pcapng: one routed subnet, no LLDP/CDP, so prefix counting
    // never calls the router one; the server's frames reach the SPAN port under the router's MAC (TTL 63).
    const p = await replayed('core/lab-routed-server.pcapng');
    const router = findDevice(p.db, '00:1e:7a:50:00:01');
    expect(router).toMatchObject({ ip: '10.20.50.1', ips: ['10.20.50.1'], locally_attached: true });
    const identity = ['hl7_sending_application', 'hl7_sending_facility', 'dicom_ae_title', 'dicom_implementation'];
    for (const field of identity) expect(router?.evidence?.[field], field).toBeUndefined();
    const server = findDevice(p.db, '10.20.60.10');
    expect(server).toMatchObject({ id: 'ip-10.20.60.10', mac: null, ip: '10.20.60.10', locally_attached: false });
    expect(server?.evidence?.['hl7_sending_application']?.map((e) => e.value)).toEqual(['LABSYS']);
    expect(server?.evidence?.['dicom_ae_title']?.map((e) => e.value)).toEqual(['LIS_ARCHIVE']);
    expect(server?.evidence?.['dicom_implementation']?.map((e) => e.value).sort()).toEqual(['1.2.276.0.7230010.3.0.3.6.7', 'OFFIS_DCMTK_367']);
    expect(p.counters.get('binder.facts_behind_router')).toBeGreaterThan(0);
    expect(p.counters.get('inventory.facts_behind_router')).toBe(0); // never recognised as a router
    p.db.close();
  });
});

describe('one identity per physical device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auscult-core-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a switch's chassis and port MACs are one device, also after a restart", async () => {
    const db = join(dir, 'restart.db');
    const first = openPipeline(db, { logger: silentLogger() });
    await first.replayFile(fixture('lldp/lab-switch-endpoints.pcapng'));
    first.db.close();
    // A restart: a new process state over the same database, hearing the switch again.
    const second = openPipeline(db, { logger: silentLogger() });
    await second.replayFile(fixture('lldp/lab-switch-endpoints.pcapng'));
    const switches = listDevices(second.db).filter((d) => d.hostname === 'ICU-ACCESS-SW01');
    expect(switches.map((d) => d.id)).toEqual(['mac-001b8f5a0100']);
    expect(switches[0]?.aliases).toEqual(['00:1b:8f:5a:01:01', '00:1b:8f:5a:01:02', '00:1b:8f:5a:01:03', '00:1b:8f:5a:01:04']);
    // No port MAC came back as a device of its own, and each names the switch.
    expect(second.counters.get('inventory.devices_merged')).toBe(0);
    for (const mac of switches[0]?.aliases ?? []) expect(findDevice(second.db, mac.replace(/:/g, '-'))?.id).toBe('mac-001b8f5a0100');
    second.db.close();
  });

  it("a switch's management MAC (it answers ARP for the LLDP management address and relays DHCP from it) is the chassis device, also after a restart", async () => {
    // fixtures/core/lab-switch-mgmt.pcapng: chassis 00:1b:8f:5a:02:00 announces 10.20.0.2, which a
    // management interface with its own MAC (00:1b:8f:5a:02:fe) owns and relays DHCP from.
    const db = join(dir, 'mgmt.db');
    for (let run = 0; run < 2; run++) {
      const p = openPipeline(db, { logger: silentLogger() });
      await p.replayFile(fixture('core/lab-switch-mgmt.pcapng'));
      const all = listDevices(p.db);
      expect(all.map((d) => d.id).sort()).toEqual(['mac-0009fb1d0211', 'mac-001b8f5a0200', 'mac-02a500200001']);
      const sw = findDevice(p.db, '00:1b:8f:5a:02:fe');
      expect(sw).toMatchObject({ id: 'mac-001b8f5a0200', hostname: 'OR-ACCESS-SW02', ip: '10.20.0.2', aliases: ['00:1b:8f:5a:02:fe'], category: 'infrastructure' });
      // The relayed client is located on the switch.
      expect(findDevice(p.db, '00:09:fb:1d:02:11')).toMatchObject({ switch: 'OR-ACCESS-SW02', port: 'p1', ip: '10.20.211.111' });
      // The second run (a restart) merges nothing anew: the alias came back from the database.
      if (run === 1) expect(p.counters.get('inventory.devices_merged')).toBe(0);
      p.db.close();
    }
  });
});

describe('identification as a pure stage', () => {
  const id = new RulesIdentifier();
  const identify = (o: Observation, device: Parameters<typeof id.candidates>[1]) => id.candidates(o, device);
  const remembers = (f: string) => id.remembers(f);
  const obs = (mac: string, field: string, value: string, ts = 1): Observation => ({ ts, frame: ts, protocol: field.split('.')[0] as string, field, value, mac, ip: undefined, vlan: undefined });

  it("an also rule combines two observations through the device core's facts, not a memory of the identifier", () => {
    const m = new DeviceModel(new Counters());
    const ct = '00:00:5e:00:53:21';
    m.applyObservation(obs(ct, 'dicom.model', 'ExampleScan CT 9000', 1), identify, remembers);
    expect(m.devices.get('mac-00005e005321')?.chosen.find((c) => c.field === 'device_type')).toBeUndefined();
    m.applyObservation(obs(ct, 'dicom.manufacturer', 'ExampleMed Imaging', 2), identify, remembers);
    expect(m.devices.get('mac-00005e005321')?.chosen.find((c) => c.field === 'device_type')?.value).toBe('ct_scanner');
    // Another device's facts are its own: its manufacturer alone completes nothing.
    m.applyObservation(obs('00:00:5e:00:53:22', 'dicom.manufacturer', 'ExampleMed Imaging', 3), identify, remembers);
    expect(m.devices.get('mac-00005e005322')?.chosen.find((c) => c.field === 'device_type')).toBeUndefined();
    // The identifier alone (no device view) is a pure function: the same question, the same answer.
    const alone = id.candidates(obs(ct, 'dicom.manufacturer', 'ExampleMed Imaging'));
    expect(alone.some((c) => c.field === 'device_type')).toBe(false);
    expect(id.candidates(obs(ct, 'dicom.manufacturer', 'ExampleMed Imaging'))).toEqual(alone);
  });

  it('facts move with a merge: a port MAC merged into its chassis brings what it was heard saying', () => {
    const m = new DeviceModel(new Counters());
    const chassis = '00:00:5e:00:53:30';
    const port = '00:00:5e:00:53:31';
    m.applyObservation(obs(chassis, 'eth.seen', '1', 1), identify, remembers);
    m.applyObservation(obs(port, 'dicom.model', 'ExampleScan CT 9000', 2), identify, remembers);
    m.alias(port, chassis, obs(port, 'lldp.chassis_id', chassis, 3));
    m.applyObservation(obs(chassis, 'dicom.manufacturer', 'ExampleMed Imaging', 4), identify, remembers);
    expect(m.devices.get('mac-00005e005330')?.chosen.find((c) => c.field === 'model')?.value).toBe('ExampleScan CT 9000');
    expect(m.devices.get('mac-00005e005330')?.chosen.find((c) => c.field === 'device_type')?.value).toBe('ct_scanner');
  });
});
