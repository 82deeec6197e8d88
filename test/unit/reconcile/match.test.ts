import { describe, expect, it } from 'vitest';
import { matchRecords } from '../../../src/reconcile/match.js';
import { device, ev, record } from './fixtures.js';

const A = device({ mac: '00:09:fb:00:00:0a', serial: 'SER-A', hostname: 'mon-a', ips: ['10.0.0.10'] });
const B = device({ mac: '00:09:fb:00:00:0b', serial: 'SER-B', hostname: 'mon-b', ips: ['10.0.0.11'] });
const C = device({ mac: '00:09:fb:00:00:0c', hostname: 'pump-c', ips: ['10.0.0.12'], evidence: { asset_tag: [ev('lldp.med.asset_id', 'bme-0012')] } });

describe('matchRecords precedence: serial, MAC, asset tag, hostname, IP', () => {
  it('matches by each key, in any spelling, and reports which key matched', () => {
    const r = matchRecords([
      record(2, { serial: 'ser a' }),
      record(3, { macs: ['00:09:fb:00:00:0b'] }),
      record(4, { assetId: 'BME-0012' }),
    ], [A, B, C]);
    expect(r.records.map((m) => [m.record.line, m.key, m.devices.map((d) => d.id)])).toEqual([
      [2, 'serial', [A.id]],
      [3, 'mac', [B.id]],
      [4, 'asset_id', [C.id]],
    ]);
    expect(r.unmatchedDevices).toEqual([]);
    expect(r.conflicts).toEqual([]);
  });

  it('falls back to hostname (domain and case ignored) and then IP', () => {
    const r = matchRecords([record(2, { hostname: 'MON-A.hospital.local' }), record(3, { ips: ['10.0.0.11'] })], [A, B]);
    expect(r.records.map((m) => m.key)).toEqual(['hostname', 'ip']);
    expect(r.records.map((m) => m.devices[0]?.id)).toEqual([A.id, B.id]);
  });

  it('a higher key wins over a lower one: serial A with the IP of B is A, and IP is only a hint (no conflict)', () => {
    const r = matchRecords([record(2, { serial: 'SER-A', ips: ['10.0.0.11'] })], [A, B]);
    expect(r.records[0]?.devices.map((d) => d.id)).toEqual([A.id]);
    expect(r.conflicts).toEqual([]);
    expect(r.unmatchedDevices.map((d) => d.id)).toEqual([B.id]);
  });

  it('a record with two MACs matches both devices', () => {
    const r = matchRecords([record(2, { macs: [A.mac ?? '', B.mac ?? ''] })], [A, B]);
    expect(r.records[0]?.devices.map((d) => d.id)).toEqual([A.id, B.id]);
  });

  it('unmatched records have no devices and no key', () => {
    const r = matchRecords([record(2, { serial: 'NOPE' })], [A]);
    expect(r.records[0]).toMatchObject({ key: null, devices: [], contested: false });
  });
});

describe('identity conflicts', () => {
  it('one record whose serial names A and whose MAC names B: conflict, the record keeps A', () => {
    const r = matchRecords([record(2, { serial: 'SER-A', macs: [B.mac ?? ''] })], [A, B]);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ kind: 'record', devices: [A, B] });
    expect(r.conflicts[0]?.detail).toContain('mac-0009fb00000a (serial)');
    expect(r.records[0]?.devices.map((d) => d.id)).toEqual([A.id]);
  });

  it('two unrelated records claiming one device: conflict, the better key wins and the loser is contested', () => {
    const r = matchRecords([record(2, { hostname: 'mon-a' }), record(3, { serial: 'SER-A' })], [A]);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ kind: 'device', devices: [A] });
    expect(r.conflicts[0]?.records.map((x) => x.line)).toEqual([2, 3]);
    expect(r.records.map((m) => [m.key, m.contested])).toEqual([[null, true], ['serial', false]]);
  });

  it('on equal keys the earlier line wins', () => {
    const r = matchRecords([record(5, { assetId: 'X1', hostname: 'mon-a' }), record(3, { assetId: 'X2', hostname: 'mon-a' })], [A]);
    expect(r.records.find((m) => m.record.line === 3)?.devices).toEqual([A]);
    expect(r.records.find((m) => m.record.line === 5)?.contested).toBe(true);
    expect(r.conflicts).toHaveLength(1);
  });

  it('duplicate records (sharing a MAC or serial) claiming one device are not an identity conflict', () => {
    const r = matchRecords([record(2, { macs: [A.mac ?? ''] }), record(3, { macs: [A.mac ?? ''], serial: 'ser-a' })], [A]);
    expect(r.conflicts).toEqual([]);
    expect(r.records.map((m) => m.devices.length)).toEqual([0, 1]);
    expect(r.records[1]?.key).toBe('serial');
  });

  it('a device matches at most one record, whatever the input order', () => {
    const recs = [record(2, { hostname: 'mon-a' }), record(3, { ips: ['10.0.0.10'] }), record(4, { macs: [A.mac ?? ''] }), record(5, { serial: 'SER-A' })];
    for (const order of [recs, [...recs].reverse()]) {
      const r = matchRecords(order, [A]);
      expect(r.records.filter((m) => m.devices.length > 0).map((m) => m.record.line)).toEqual([5]);
    }
  });
});
