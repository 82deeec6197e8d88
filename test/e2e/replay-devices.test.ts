import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturePath, itCaptures } from '../helpers/capture-variants.js';
import { auscult, ROOT } from '../helpers/cli.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const fx = (p: string) => join(ROOT, 'fixtures', p);
const RELAY = fx('dhcp/lab-dhcp-relay-opt82.pcapng');
const CLIENTS = fx('dhcp/lab-dhcp-clients.pcapng');

describe('auscult replay → devices → device', () => {
  it('replays a capture into a database and lists every device heard', () => {
    const db = join(dir, 'a.db');
    const r = auscult(['replay', RELAY, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lab-dhcp-relay-opt82\.pcapng: \d+ frames/);
    const table = auscult(['devices', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^MAC\s+IP\s+HOSTNAME/m);
    expect(table.stdout).toContain('ANES-OR-04');
    const json = JSON.parse(auscult(['devices', '--db', db, '--json']).stdout) as Record<string, unknown>[];
    const monitor = json.find((d) => d['hostname'] === 'MON-OR-04');
    expect(monitor).toMatchObject({ mac: '44:4b:5d:30:51:17', manufacturer: 'GE Healthcare', ip: '10.20.30.104' });
    for (const key of ['id', 'mac', 'ip', 'ips', 'hostname', 'vlan', 'switch', 'port', 'location', 'manufacturer', 'model', 'firmware',
      'serial', 'os', 'device_type', 'fda_class', 'fda_product_code', 'category', 'asset_id', 'first_seen', 'last_seen', 'evidence']) {
      expect(monitor, key).toHaveProperty(key);
    }
    const ev = (monitor?.['evidence'] as Record<string, { source: string; frame: number }[]>)['hostname'];
    expect(ev?.[0]?.source).toBe('dhcp.hostname');
    expect(ev?.[0]?.frame).toBeGreaterThan(0);
  });

  it('`device` finds a device by MAC in any spelling and by IP, with evidence and history; unknown → exit 1', () => {
    const db = join(dir, 'b.db');
    auscult(['replay', RELAY, '--db', db]);
    for (const key of ['44:4b:5d:30:51:17', '44-4B-5D-30-51-17', '444b.5d30.5117', '10.20.30.104']) {
      const r = auscult(['device', key, '--db', db, '--json']);
      expect(r.code, key).toBe(0);
      const d = JSON.parse(r.stdout) as { mac: string; history: { field: string; new_value: string }[] };
      expect(d.mac).toBe('44:4b:5d:30:51:17');
      expect(d.history.some((h) => h.field === 'ip' && h.new_value === '10.20.30.104')).toBe(true);
    }
    const text = auscult(['device', '44:4b:5d:30:51:17', '--db', db]);
    expect(text.stdout).toMatch(/evidence:[\s\S]*dhcp\.hostname[\s\S]*lab-dhcp-relay-opt82\.pcapng#\d+/);
    const missing = auscult(['device', '00:00:00:00:00:01', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no device matches');
  });

  it('is deterministic: the same capture into two fresh databases gives byte-identical devices --json', () => {
    const outs = ['c1.db', 'c2.db'].map((name) => {
      const db = join(dir, name);
      expect(auscult(['replay', RELAY, CLIENTS, '--db', db]).code).toBe(0);
      return auscult(['devices', '--db', db, '--json']).stdout;
    });
    // The replays run at different wall-clock milliseconds: equality shows no wall-clock time leaks in.
    expect(outs[0]).toBe(outs[1]);
  });

  itCaptures('pcap and pcapng of the same traffic give the same devices', () => {
    const pcapng = capturePath('dhcp-option-33.pcapng');
    const pcap = capturePath('dhcp-option-33.pcap');
    const views = [pcapng, pcap].map((file, i) => {
      const db = join(dir, `d${i}.db`);
      expect(auscult(['replay', file, '--db', db]).code).toBe(0);
      const devices = JSON.parse(auscult(['devices', '--db', db, '--json']).stdout) as Record<string, unknown>[];
      // evidence names the capture file: compare everything else
      return JSON.stringify(devices, (k, v) => (k === 'capture' ? undefined : v));
    });
    expect(views[0]).toBe(views[1]);
  });

  it('a file that is not a capture exits 65 naming the file; a missing one exits 66', () => {
    const bogus = join(dir, 'notes.pcap');
    writeFileSync(bogus, 'this is not a capture file at all');
    const bad = auscult(['replay', bogus, '--db', join(dir, 'e.db')]);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toContain('notes.pcap');
    expect(bad.stderr).toContain('AUS_ERR_CAPTURE_HEADER');
    const missing = auscult(['replay', join(dir, 'nope.pcap'), '--db', join(dir, 'e.db')]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('AUS_ERR_CAPTURE_UNREADABLE');
  });

  it('a truncated capture yields the frames before the damage, a warning with the offset, and exit 0', () => {
    const cut = join(dir, 'cut.pcapng');
    const whole = readFileSync(CLIENTS);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = auscult(['replay', cut, '--db', join(dir, 'f.db'), '--json'], { env: { AUSCULT_LOG_LEVEL: 'warn' } });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { captures: { frames: number; warnings: number }[] };
    expect(summary.captures[0]?.frames).toBeGreaterThan(0);
    expect(summary.captures[0]?.warnings).toBe(1);
    expect(r.stderr).toMatch(/"offset":\d+/);
  });

  it('--json writes only JSON to stdout; --help teaches with examples', () => {
    const db = join(dir, 'g.db');
    const r = auscult(['replay', RELAY, '--db', db, '--json']);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    const help = auscult(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['replay', 'devices', 'device']) expect(help.stdout).toContain(cmd);
    expect(help.stdout).toContain('Exit codes');
    expect(auscult(['replay', '--help']).stdout).toContain('Example');
  });

  it('defaults to ./auscult.db in the working directory', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    copyFileSync(RELAY, join(cwd, 'x.pcapng'));
    expect(auscult(['replay', 'x.pcapng'], { cwd, env: { AUSCULT_DB: '' } }).code).toBe(0);
    expect(auscult(['devices', '--json'], { cwd }).stdout).toContain('ANES-OR-04');
  });
});
