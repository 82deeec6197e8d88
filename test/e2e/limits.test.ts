/**
 * Every limit has a config key, a counter and a test that lowers it (style.md §8): the config's
 * limits reach the replay pipeline, and lowering them on real captures moves their counters.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, runtimeLimits } from '../../src/config.js';
import { auscult, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function counters(db: string): Record<string, number> {
  const d = new Database(db, { readonly: true });
  const rows = d.prepare('SELECT name, value FROM counter').all() as { name: string; value: number }[];
  d.close();
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

function replayWith(name: string, config: string, captures: string[]): Record<string, number> {
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(cfg, config);
  const db = join(dir, `${name}.db`);
  const r = auscult(['replay', ...captures.map((c) => join(ROOT, 'fixtures', c)), '--db', db, '--config', cfg]);
  expect(r.code, r.stderr).toBe(0);
  return counters(db);
}

describe('limits from the config reach the replay pipeline', () => {
  it('defaults: nothing evicted or dropped on the lab captures', () => {
    const c = replayWith('defaults', 'log:\n  level: warn\n', ['dicom/lab-dicom-associations.pcapng', 'lldp/lab-switch-endpoints.pcapng']);
    expect(c['reassembly.flows_evicted'] ?? 0).toBe(0);
    expect(c['inventory.values_dropped'] ?? 0).toBe(0);
  });

  it('reassembly keys map onto the stream decoder limits (their counters are tested in test/unit/decode/stream)', () => {
    const cfg = join(dir, 'flows.yaml');
    writeFileSync(cfg, 'limits:\n  reassembly:\n    max_flows: 1\n    idle_timeout_s: 2\n');
    const limits = runtimeLimits(loadConfig(cfg));
    expect(limits.streams.reassembly).toMatchObject({ maxFlows: 1, idleTimeoutMicros: 2_000_000 });
    // Sequential associations fit one flow slot: nothing is evicted, every one is decoded.
    const c = replayWith('flows', 'limits:\n  reassembly:\n    max_flows: 1\n', ['dicom/lab-dicom-associations.pcapng']);
    expect(c['reassembly.flows_opened']).toBe(8);
    expect(c['reassembly.flows_evicted'] ?? 0).toBe(0);
  });

  it('model.max_values_per_field: 1 drops the second value of a field and counts it', () => {
    const c = replayWith('values', 'limits:\n  model:\n    max_values_per_field: 1\n', ['lldp/lab-switch-endpoints.pcapng']);
    expect(c['inventory.values_dropped']).toBeGreaterThan(0);
  });

  it('model.max_devices: 2 keeps two devices, counts the rest as dropped, and the replay still exits 0', () => {
    const c = replayWith('devices', 'limits:\n  model:\n    max_devices: 2\n', ['lldp/lab-switch-endpoints.pcapng']);
    expect(c['inventory.devices_dropped']).toBeGreaterThan(0);
    const n = (auscult(['devices', '--json', '--db', join(dir, 'devices.db')]));
    expect(n.code, n.stderr).toBe(0);
    expect((JSON.parse(n.stdout) as unknown[]).length).toBe(2);
  });

  it('model.max_resident_devices: 2 evicts and reloads devices all through the replay, and the inventory is the same as with the default', () => {
    const captures = [
      'demo/hospital-demo.pcapng', 'dhcp/lab-dhcp-relay-opt82.pcapng', 'dhcp/lab-dhcp-clients.pcapng',
      'lldp/lab-switch-endpoints.pcapng', 'mdns/avahi-hinfo-txt.pcapng', 'dicom/lab-dicom-associations.pcapng',
    ];
    const base = replayWith('resident-default', 'log:\n  level: warn\n', captures);
    expect(base['inventory.devices_evicted'] ?? 0).toBe(0);
    const c = replayWith('resident-2', 'limits:\n  model:\n    max_resident_devices: 2\n', captures);
    expect(c['inventory.devices_evicted']).toBeGreaterThan(10);
    expect(c['inventory.devices_reloaded']).toBeGreaterThan(3);
    const devices = (name: string) => {
      const r = auscult(['devices', '--json', '--db', join(dir, `${name}.db`)]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const expected = devices('resident-default');
    expect((JSON.parse(expected) as unknown[]).length).toBeGreaterThan(20);
    expect(devices('resident-2')).toBe(expected);
  });

  it('lldp.max_tlvs: 4 cuts every LLDPDU short and counts lldp.too_many_tlvs', () => {
    const c = replayWith('tlvs', 'limits:\n  lldp:\n    max_tlvs: 4\n', ['lldp/lab-switch-endpoints.pcapng']);
    expect(c['anomaly.lldp.too_many_tlvs']).toBeGreaterThan(0);
  });

  it('streams.dicom_ports: [] still finds DICOM by its A-ASSOCIATE-RQ', () => {
    const c = replayWith('ports', 'limits:\n  streams:\n    dicom_ports: []\n', ['dicom/lab-dicom-associations.pcapng']);
    expect(c['decoded.dicom']).toBeGreaterThan(0);
  });

  it('streams.hl7_max_message_bytes: 128 drops the HL7 messages over it and counts hl7.message_too_large', () => {
    const c = replayWith('hl7cap', 'limits:\n  streams:\n    hl7_max_message_bytes: 128\n', ['hl7/lab-hl7-oru-mllp.pcapng']);
    expect(c['anomaly.hl7.message_too_large']).toBeGreaterThan(0);
    const plain = replayWith('hl7plain', 'log:\n  level: warn\n', ['hl7/lab-hl7-oru-mllp.pcapng']);
    expect(plain['anomaly.hl7.message_too_large'] ?? 0).toBe(0);
    expect(c['decoded.hl7'] ?? 0).toBeLessThan(plain['decoded.hl7'] ?? 0);
  });

  it('streams.dicom_max_pdu_bytes: 1024 counts dicom.pdu_too_large on the C-STOREs of 32 KiB images', () => {
    const c = replayWith('pducap', 'limits:\n  streams:\n    dicom_max_pdu_bytes: 1024\n', ['dicom/lab-dicom-associations.pcapng']);
    expect(c['anomaly.dicom.pdu_too_large']).toBeGreaterThan(0);
  });

  it('a bad limit is a config error naming file:line:col, exit 78', () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'limits:\n  reassembly:\n    max_flows: -3\n');
    const r = auscult(['replay', join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng'), '--db', join(dir, 'bad.db'), '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+: limits\.reassembly\.max_flows/);
  });
});

describe('config resource limits', () => {
  it('a YAML alias bomb is refused as a config error, exit 78 (not 70), quickly', () => {
    const cfg = join(dir, 'bomb.yaml');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${new Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(cfg, `${levels.join('\n')}\n`);
    const t0 = Date.now();
    const r = auscult(['config', 'check', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/bomb\.yaml:1:1: refused: .*alias/i);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a config file over 1 MiB is refused unread, exit 78', () => {
    const cfg = join(dir, 'huge.yaml');
    writeFileSync(cfg, `# ${'x'.repeat((1 << 20) + 10)}\n`);
    const r = auscult(['config', 'check', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/huge\.yaml: refused: \d+ bytes, larger than 1048576 bytes/);
  });
});

describe('network.subnet_vlans', () => {
  it('gives VLANs to devices of a SPAN that strips tags', () => {
    const cfg = join(dir, 'subnets.yaml');
    writeFileSync(cfg, 'network:\n  subnet_vlans:\n    - { subnet: 10.20.102.0/24, vlan: 102 }\n    - { subnet: 10.20.103.0/24, vlan: 103 }\n');
    const db = join(dir, 'subnets.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo-untagged.pcapng'), '--db', db, '--config', cfg]).code).toBe(0);
    const devices = JSON.parse(auscult(['devices', '--db', db, '--json']).stdout) as { hostname: string | null; vlan: number | null; evidence: Record<string, { source: string }[]> }[];
    const pump = devices.find((d) => d.hostname === 'PUMP-ICU-07');
    expect(pump?.vlan).toBe(102);
    expect(pump?.evidence['vlan']?.map((e) => e.source)).toContain('config.subnet_vlans');
    expect(devices.find((d) => d.hostname === 'VENT-ICU-09')?.vlan).toBe(103);
  });

  it('a bad subnet is a config error with its location', () => {
    const cfg = join(dir, 'bad-subnet.yaml');
    writeFileSync(cfg, 'network:\n  subnet_vlans:\n    - { subnet: 10.20.300.0/24, vlan: 5 }\n');
    const r = auscult(['replay', join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng'), '--db', join(dir, 'bs.db'), '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/bad-subnet\.yaml:3:\d+: network\.subnet_vlans\.0\.subnet: not an IPv4 CIDR/);
  });
});
