/**
 * Hygiene in every path (issue 15), on fixtures/malformed/hygiene.pcap (synthesised hostile frames,
 * see its .md): no device keyed by a group MAC (source MAC, DHCP chaddr, tunnelled inner sender),
 * no address learnt from an IPv4 header with a bad checksum, no identity string of only zeros,
 * spaces or control characters; each drop counted. Plus the unit rules of hygieneProblem.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listDevices } from '../../../src/inventory/device-view.js';
import { silentLogger } from '../../../src/log.js';
import { HYGIENE_ANOMALIES, hygieneProblem, isJunkIdentity } from '../../../src/observe/hygiene.js';
import type { Observation } from '../../../src/observe/observation.js';
import { openPipeline } from '../../../src/pipeline.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/malformed/hygiene.pcap', import.meta.url));

async function replay() {
  const pipeline = openPipeline(':memory:', { logger: silentLogger() });
  await pipeline.replayFile(FIXTURE);
  const devices = listDevices(pipeline.db, { withHistory: false });
  const counters = Object.fromEntries(pipeline.counters.entries());
  pipeline.db.close();
  return { devices, counters };
}

const obs = (field: string, value: string, mac?: string): Observation => ({ ts: 0, frame: 1, protocol: 'x', field, value, mac, ip: undefined, vlan: undefined });

describe('hygiene on the malformed fixture', () => {
  it('keys no device by a group MAC and learns no address from a bad header checksum', async () => {
    const { devices, counters } = await replay();
    const macs = devices.map((d) => d.mac).sort();
    expect(macs).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04', '02:00:00:00:00:05', '02:00:00:00:00:06']);
    expect(devices.filter((d) => d.mac === null)).toEqual([]); // no IP-keyed device (170.170.170.170 ...)
    const byMac = new Map(devices.map((d) => [d.mac, d]));
    expect(byMac.get('02:00:00:00:00:03')?.ips).toEqual([]);
    expect(byMac.get('02:00:00:00:00:05')?.ips).toEqual(['10.0.0.5']); // the VTEP
    expect(byMac.get('02:00:00:00:00:06')?.ips).toEqual(['10.0.0.6']); // the control
    expect(counters['anomaly.ipv4.bad_checksum']).toBe(4);
    expect(counters['anomaly.observe.group_mac_key']).toBeGreaterThanOrEqual(3); // LLDP sender, chaddr, inner VXLAN sender
  });

  it('drops identity strings of only zeros, spaces or control characters, keeps the rest', async () => {
    const { devices, counters } = await replay();
    const byMac = new Map(devices.map((d) => [d.mac, d]));
    const lldp = byMac.get('02:00:00:00:00:01');
    expect(lldp?.hostname).toBeNull();
    const evidence = JSON.stringify(lldp?.evidence);
    expect(evidence).not.toContain('0000000000');
    expect(evidence).not.toContain('01:00:5e:00:00:01');
    expect(evidence).toContain('gi2');
    const cdp = byMac.get('02:00:00:00:00:04');
    expect(cdp?.hostname).toBeNull();
    expect(cdp?.model).toBe('WS-C2960-24TT-L');
    expect(counters['anomaly.observe.junk_identity_string']).toBeGreaterThanOrEqual(4); // name, port description, description, CDP id
    expect(counters['anomaly.observe.group_mac_identity']).toBe(1);
  });
});

describe('hygieneProblem', () => {
  it('names every code it can give', () => {
    expect(HYGIENE_ANOMALIES).toEqual(['observe.group_mac_key', 'observe.group_mac_identity', 'observe.junk_identity_string']);
  });

  it('junk: empty, spaces, control characters, two or more zeros; not a single 0 or real text', () => {
    for (const junk of ['', '   ', '\u0001\u0002', '00', '0000000000', '0 0 0', '\u0000\u0000']) expect(isJunkIdentity(junk), JSON.stringify(junk)).toBe(true);
    for (const fine of ['0', 'gi1/0/1', 'A', '00:1b:21:00:00:01', '1000', ' x ']) expect(isJunkIdentity(fine), JSON.stringify(fine)).toBe(false);
  });

  it('group MAC keys, group MAC chassis ids and junk identity strings; other fields untouched', () => {
    expect(hygieneProblem(obs('eth.seen', '1', '01:00:5e:00:00:01'))).toBe('observe.group_mac_key');
    expect(hygieneProblem(obs('eth.seen', '1', 'ff:ff:ff:ff:ff:ff'))).toBe('observe.group_mac_key');
    expect(hygieneProblem(obs('eth.seen', '1', '02:00:00:00:00:01'))).toBeUndefined();
    expect(hygieneProblem(obs('lldp.chassis_id', '33:33:00:00:00:01', '02:00:00:00:00:01'))).toBe('observe.group_mac_identity');
    expect(hygieneProblem(obs('lldp.chassis_id', '00:1b:21:00:00:01', '02:00:00:00:00:01'))).toBeUndefined();
    expect(hygieneProblem(obs('dhcp.hostname', '0000', '02:00:00:00:00:01'))).toBe('observe.junk_identity_string');
    expect(hygieneProblem(obs('lldp.ttl', '0', '02:00:00:00:00:01'))).toBeUndefined();
    expect(hygieneProblem(obs('eth.vlan', '0', '02:00:00:00:00:01'))).toBeUndefined();
  });
});
