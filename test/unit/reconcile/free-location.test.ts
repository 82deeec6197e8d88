/**
 * A free-text location column is read against what the network knows: "ICU-ACCESS-SW01 Gi1/0/7
 * (Bed 7)" for a device the network sees on gi1-0-8 raises wrong_location (port), without any
 * mapping; the same port in another spelling raises nothing. Demo capture, real CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFreeLocation, roomsKnown } from '../../../src/reconcile/diff.js';
import { auscult, ROOT } from '../../helpers/cli.js';

describe('parseFreeLocation', () => {
  it.each([
    ['SW07 Gi1/0/7 (Bed 7)', { switch: 'SW07', port: 'Gi1/0/7' }],
    ['ICU, sw07, GigabitEthernet1/0/12; bed 3', { switch: 'sw07', port: 'GigabitEthernet1/0/12' }],
    ['Ward 5 ge-0/0/7', { port: 'ge-0/0/7' }],
    ['Room 12 (near window)', { room: '12' }],
    ['SW07 Gi1/0/7 (Room ICU-07)', { switch: 'SW07', port: 'Gi1/0/7', room: 'ICU-07' }],
    ['sw07 gi1-0-3, rm. OR-2', { switch: 'sw07', port: 'gi1-0-3', room: 'OR-2' }],
    ['Theatre OR-02, near the door', { room: 'OR-02' }], // a room the network's LLDP-MED locations name
    ['Bed 7', {}],
    ['3rd floor, building B', {}],
  ])('%s', (text, want) => {
    expect(parseFreeLocation(text, ['SW07', 'OR-SW02'], ['OR-02', 'ICU-08'])).toEqual(want);
  });
  it('takes rooms from LLDP-MED locations: parts with a letter and a digit, not street numbers, floors or building letters', () => {
    const device = (location: string) => ({ location }) as unknown as Parameters<typeof roomsKnown>[0][number];
    expect(roomsKnown([device('US, MA, Springfield, Example Avenue, 100, Lab General Hospital, B, 3, ICU-08'), device('US, OR-02')]).sort()).toEqual(['ICU-08', 'OR-02']);
  });
});

describe('reconcile reads a free-text location column', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-free-location-'));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('raises wrong_location for the wrong port and nothing for the same port spelt differently', () => {
    const db = join(dir, 'demo.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', db]).code).toBe(0);
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, 'Asset Tag,MAC Address,Manufacturer,Model,Firmware,Location\n' +
      'BME-004711,00:09:fb:1d:07:07,Philips,IntelliVue MX800,N.00.01,"ICU-ACCESS-SW01 Gi1/0/7 (Bed 7)"\n' +
      'BME-005233,9c:c8:ae:80:15:07,BD,Alaris PC Unit 8015,12.1.2,"ICU-ACCESS-SW01 GigabitEthernet1/0/2, Bed 2"\n');
    expect(auscult(['import', csv, '--db', db]).code).toBe(0);
    const r = auscult(['reconcile', '--json', '--db', db, '--stream', join(dir, 'x.ndjson')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const wrong = lines.filter((l) => l['type'] === 'wrong_location');
    expect(wrong.map((l) => [l['asset_id'], l['field'], l['expected'], l['observed']])).toEqual([['BME-004711', 'port', 'Gi1/0/7', 'gi1-0-8']]);
    expect(String(wrong[0]?.['message'])).toContain('(in its location "ICU-ACCESS-SW01 Gi1/0/7 (Bed 7)")');
  });

  it('compares the room a free-text location names with the LLDP-MED location the device reports', () => {
    const db = join(dir, 'demo.db');
    const csv = join(dir, 'rooms.csv');
    // The MX800 reports ICU-08 over LLDP-MED; the pump reports no location (nothing to compare).
    writeFileSync(csv, 'Asset Tag,MAC Address,Manufacturer,Model,Firmware,Location\n' +
      'BME-004711,00:09:fb:1d:07:07,Philips,IntelliVue MX800,N.00.01,"ICU-ACCESS-SW01 gi1/0/8 (Room ICU-07)"\n' +
      'BME-005233,9c:c8:ae:80:15:07,BD,Alaris PC Unit 8015,12.1.2,"ICU-ACCESS-SW01 Gi1/0/2, Room ICU-07"\n');
    expect(auscult(['import', csv, '--db', db]).code).toBe(0);
    const r = auscult(['reconcile', '--json', '--db', db, '--stream', join(dir, 'x.ndjson')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const wrong = lines.filter((l) => l['type'] === 'wrong_location');
    expect(wrong.map((l) => [l['asset_id'], l['field'], l['expected']])).toEqual([['BME-004711', 'room', 'ICU-07']]);
    expect(String(wrong[0]?.['observed'])).toMatch(/ICU-08$/);
    expect(String(wrong[0]?.['message'])).toContain('(in its location "ICU-ACCESS-SW01 gi1/0/8 (Room ICU-07)")');

    // The right room, in the network's own spelling, raises nothing.
    writeFileSync(csv, 'Asset Tag,MAC Address,Manufacturer,Model,Firmware,Location\n' +
      'BME-004711,00:09:fb:1d:07:07,Philips,IntelliVue MX800,N.00.01,"ICU-ACCESS-SW01 gi1/0/8 ICU-08"\n');
    expect(auscult(['import', csv, '--db', db]).code).toBe(0);
    const again = auscult(['reconcile', '--json', '--db', db, '--stream', join(dir, 'x.ndjson')]);
    expect(again.code, again.stderr).toBe(0);
    const open = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((l) => l['status'] === 'open')).toBe(true);
    expect(open.filter((l) => l['type'] === 'wrong_location')).toEqual([]);
  });
});
