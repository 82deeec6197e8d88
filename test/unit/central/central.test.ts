/**
 * Central pieces that need no server: the merge of sightings (deterministic whatever their
 * order), site assignment of SoR records, URL checks and redaction, password precedence, config keys.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientConfig } from '../../../src/central/connect.js';
import { checkCentralUrl, redactUrl } from '../../../src/central/url.js';
import { groupSightings, mergeSightings, serialIdentity } from '../../../src/central/inventory.js';
import { assignSites } from '../../../src/central/reconcile.js';
import { deviceKey } from '../../../src/central/ship.js';
import { checkConfig } from '../../../src/config.js';
import type { DeviceView } from '../../../src/inventory/device-view.js';
import type { SorRecord } from '../../../src/reconcile/sor-record.js';

const view = (over: Partial<DeviceView>): DeviceView => ({
  id: 'mac-0009fb1d0707', mac: '00:09:fb:1d:07:07', ip: null, ips: [], hostname: null, vlan: null, vlans: [], aliases: [], switch: null, port: null, location: null,
  manufacturer: null, model: null, firmware: null, serial: null, os: null, device_type: null, fda_class: null, fda_product_code: null,
  category: 'unknown', asset_id: null, locally_attached: true, dhcp_fingerprint: { prl: null, vendor_class: null, client_id: null },
  first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:00.000Z', frames: 1, evidence: {}, ...over,
});
const ev = (value: string, ts: string) => ({ source: 'lldp.med.firmware_revision', value, capture: 'c', frame: 1, ts, last_seen: ts, count: 1, rule: null, confidence: 1 });

describe('mergeSightings', () => {
  const rows = [
    { sensor_id: 'n1', local_id: 'mac-0009fb1d0707', device_key: 'mac-0009fb1d0707', site: 'north',
      view: view({ ips: ['10.0.0.5'], vlan: 20, port: 'Gi1/0/1', firmware: 'A', model: 'MX800', last_seen: '2026-01-01T10:00:00.000Z', evidence: { firmware: [ev('A', '2026-01-01T00:00:00.000Z')] } }) },
    { sensor_id: 'n2', local_id: 'mac-0009fb1d0707', device_key: 'mac-0009fb1d0707', site: 'north',
      view: view({ ips: ['10.0.0.5'], firmware: 'A', last_seen: '2026-01-01T11:00:00.000Z', evidence: { firmware: [ev('A', '2026-01-01T00:00:01.000Z')] } }) },
    { sensor_id: 's1', local_id: 'mac-0009fb1d0707', device_key: 'mac-0009fb1d0707', site: 'south',
      view: view({ ips: ['10.0.0.9'], vlan: 30, firmware: 'B', first_seen: '2026-02-01T00:00:00.000Z', last_seen: '2026-02-01T10:00:00.000Z', evidence: { firmware: [ev('B', '2026-02-01T00:00:00.000Z')] } }) },
  ];

  it('the newest sighting decides the site and addresses, older ones fill gaps; sites in order, evidence of all', () => {
    const d = mergeSightings('mac-0009fb1d0707', rows);
    expect(d).toMatchObject({ site: 'south', ips: ['10.0.0.9'], ip: '10.0.0.9', vlan: 30, port: null, firmware: 'B', model: 'MX800', first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-02-01T10:00:00.000Z' });
    expect(d.sites.map((s) => [s.site, s.sensors, s.ips, s.vlan])).toEqual([['north', ['n1', 'n2'], ['10.0.0.5'], 20], ['south', ['s1'], ['10.0.0.9'], 30]]);
    expect(d.evidence['firmware']!.map((e) => `${e.site}/${e.sensor}/${e.value}`)).toEqual(['north/n1/A', 'north/n2/A', 'south/s1/B']);
  });

  it('is the same whatever order the sightings arrive in (property, fixed seed)', () => {
    const expected = JSON.stringify(mergeSightings('k', rows));
    fc.assert(fc.property(fc.shuffledSubarray(rows, { minLength: 3, maxLength: 3 }), (order) => JSON.stringify(mergeSightings('k', order)) === expected), { seed: 19, numRuns: 50 });
  });

  it('a device that changed NIC (same manufacturer and serial, new MAC) is one device with an alias; placeholder serials merge nothing', () => {
    const a = { sensor_id: 'n1', local_id: 'mac-0009fb000001', device_key: 'mac-0009fb000001', site: 'north', view: view({ mac: '00:09:fb:00:00:01', manufacturer: 'Philips', serial: 'DE73A71070', last_seen: '2026-01-01T00:00:00.000Z' }) };
    const b = { sensor_id: 's1', local_id: 'mac-0009fb000002', device_key: 'mac-0009fb000002', site: 'south', view: view({ mac: '00:09:fb:00:00:02', manufacturer: 'philips', serial: 'de73a71070', last_seen: '2026-03-01T00:00:00.000Z' }) };
    const c = { sensor_id: 's1', local_id: 'mac-0009fb000003', device_key: 'mac-0009fb000003', site: 'south', view: view({ mac: '00:09:fb:00:00:03', manufacturer: 'Philips', serial: 'N/A' }) };
    const d = { ...c, local_id: 'mac-0009fb000004', device_key: 'mac-0009fb000004', view: view({ mac: '00:09:fb:00:00:04', manufacturer: 'Philips', serial: 'N/A' }) };
    const devices = groupSightings([b, c, a, d]);
    expect(devices.map((x) => [x.id, x.aliases, x.mac, x.site])).toEqual([
      ['mac-0009fb000001', ['mac-0009fb000002'], '00:09:fb:00:00:02', 'south'], ['mac-0009fb000003', [], '00:09:fb:00:00:03', 'south'], ['mac-0009fb000004', [], '00:09:fb:00:00:04', 'south']]);
    expect(devices[0]!.sites.map((s) => s.site)).toEqual(['north', 'south']);
    expect(serialIdentity({ manufacturer: 'X', serial: '00000000' })).toBeUndefined();
    expect(serialIdentity({ manufacturer: null, serial: 'ABC12345' })).toBeUndefined();
  });

  it('keys: a MAC is global, an IP-keyed device is scoped by its site', () => {
    expect(deviceKey('north', 'mac-0009fb1d0707')).toBe('mac-0009fb1d0707');
    expect(deviceKey('north', 'ip-10.0.0.5')).toBe('north/ip-10.0.0.5');
    expect(deviceKey('south', 'ip-10.0.0.5')).not.toBe(deviceKey('north', 'ip-10.0.0.5'));
  });
});

describe('site of a SoR record', () => {
  const rec = (line: number, over: Partial<SorRecord>): SorRecord => ({ line, macs: [], ips: [], attributes: {}, ...over });
  it('site column, then location prefix, then the default; none gives file:line: reason', () => {
    const r = assignSites('x.csv', [rec(2, { attributes: { Site: 'north' } }), rec(3, { location: 'SOUTH Campus, ICU' }), rec(4, {}), rec(5, { location: 'Elsewhere' })],
      { locationPrefixes: [{ prefix: 'south campus', site: 'south' }] });
    expect(r.records.map((x) => [x.record.line, x.site])).toEqual([[2, 'north'], [3, 'south']]);
    expect(r.errors.map((e) => `${e.file}:${e.line}`)).toEqual(['x.csv:4', 'x.csv:5']);
    expect(assignSites('x.csv', [rec(4, {})], { defaultSite: 'east' }).records[0]!.site).toBe('east');
  });
});

describe('central URL, password and config keys', () => {
  it('checks the scheme and sslmode, and never shows a password', () => {
    expect(checkCentralUrl('postgres://a@h:5432/d?sslmode=verify-full')).toBeUndefined();
    expect(checkCentralUrl('mysql://a@h/d')).toContain('mysql:');
    expect(checkCentralUrl('postgres://a@h/d?sslmode=maybe')).toContain('sslmode=maybe');
    expect(redactUrl('postgres://a:s3cret@h:5432/d')).toBe('postgres://a:***@h:5432/d');
    expect(redactUrl('postgres://a:s3cret@h:5432/d')).not.toContain('s3cret');
  });

  it('password: AUSCULT_CENTRAL_PASSWORD, else the file\'s first line; sslmode reaches pg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auscult-pw-'));
    try {
      writeFileSync(join(dir, 'pw'), 'from-file\nignored\n');
      const url = 'postgres://a@h:5432/d?sslmode=require';
      expect(clientConfig({ url, passwordFile: join(dir, 'pw') }, {}).password).toBe('from-file');
      expect(clientConfig({ url, passwordFile: join(dir, 'pw') }, { AUSCULT_CENTRAL_PASSWORD: 'from-env' }).password).toBe('from-env');
      expect(clientConfig({ url }, {}).ssl).toBeTruthy();
      expect(clientConfig({ url: 'postgres://a@h/d?sslmode=disable' }, {}).ssl).toBeFalsy();
      expect(() => clientConfig({ url, passwordFile: join(dir, 'missing') }, {})).toThrow(/central.password_file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('central.url, site: keys with env overrides; a bad URL is a config error', () => {
    const ok = checkConfig('central:\n  url: postgres://a@h/d\nsite: north\n', 'c.yaml');
    expect(ok.issues).toEqual([]);
    expect(ok.config?.central.url).toBe('postgres://a@h/d');
    expect(ok.config?.site).toBe('north');
    const env = checkConfig(null, null, { env: { AUSCULT_CENTRAL_URL: 'postgres://x@y/z', AUSCULT_SITE: 'south', AUSCULT_SENSOR_ID: 's1' } });
    expect(env.config).toMatchObject({ central: { url: 'postgres://x@y/z', sensor_id: 's1' }, site: 'south' });
    const bad = checkConfig('central:\n  url: http://h/\n', 'c.yaml');
    expect(bad.issues[0]).toMatchObject({ key: 'central.url' });
  });
});
