import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffInventory, locationHasRoom, recordSubject, sameModel } from '../../../src/reconcile/diff.js';
import { EXCEPTION_KINDS, EXCEPTION_TYPES, eventId } from '../../../src/reconcile/exception-kinds.js';
import type { ReconcileException } from '../../../src/reconcile/exception-kinds.js';
import { device, record } from './fixtures.js';

const MON = device({
  mac: '00:09:fb:1d:07:07', ips: ['10.20.104.187'], hostname: 'MON-ICU-07', vlan: 104, switch: 'ICU-ACCESS-SW01', port: 'gi1-0-4',
  location: 'US, MA, Springfield, Lab General Hospital, B, 3, ICU-08', manufacturer: 'Philips Medical Systems', model: 'IntelliVue MX800',
  firmware: 'N.00.01', serial: 'DE73A71070',
});
/** A record that agrees with MON on every field. */
const CLEAN = {
  assetId: 'BME-004711', manufacturer: 'Philips Medical Systems, Inc.', model: 'IntelliVue MX800', serial: 'DE73-A71070',
  macs: ['00:09:fb:1d:07:07'], vlan: 104, switch: 'icu-access-sw01', port: 'GigabitEthernet1/0/4', room: 'ICU-08', firmware: 'n.00.01',
};

/** CLEAN without some fields. */
function without(...keys: (keyof typeof CLEAN)[]): Partial<typeof CLEAN> {
  const copy: Partial<typeof CLEAN> = { ...CLEAN };
  for (const k of keys) delete copy[k];
  return copy;
}

const only = (xs: ReconcileException[]) => xs.map((e) => [e.type, e.field, e.expected, e.observed]);

describe('diffInventory', () => {
  it('a record that agrees with its device in every spelling raises nothing', () => {
    const r = diffInventory([record(2, CLEAN)], [MON]);
    expect(r.exceptions).toEqual([]);
    expect(r.outOfCoverage).toEqual([]);
  });

  it('stale_firmware, wrong_vlan, wrong_location (switch, port, room) and field_mismatch (manufacturer, model, serial)', () => {
    const r = diffInventory([record(2, {
      ...without('serial'), firmware: 'M.00.03', vlan: 101, switch: 'ICU-ACCESS-SW02', port: 'Gi1/0/1', room: 'ICU-07',
      manufacturer: 'GE Healthcare', model: 'IntelliVue MX450',
    }), record(3, { assetId: 'BME-X', macs: ['00:09:fb:00:00:01'], serial: 'S1', manufacturer: 'm', model: 'm', firmware: 'f', location: 'x' })],
    [MON, device({ mac: '00:09:fb:00:00:01', serial: 'S2' })]);
    expect(only(r.exceptions)).toEqual(sortLike(r.exceptions, [
      ['stale_firmware', 'firmware', 'M.00.03', 'N.00.01'],
      ['wrong_vlan', 'vlan', '101', '104'],
      ['wrong_location', 'port', 'Gi1/0/1', 'gi1-0-4'],
      ['wrong_location', 'switch', 'ICU-ACCESS-SW02', 'ICU-ACCESS-SW01'],
      ['wrong_location', 'room', 'ICU-07', MON.location],
      ['field_mismatch', 'manufacturer', 'GE Healthcare', 'Philips Medical Systems'],
      ['field_mismatch', 'serial', 'S1', 'S2'],
      ['field_mismatch', 'model', 'IntelliVue MX450', 'IntelliVue MX800'],
    ]));
    const fw = r.exceptions.find((e) => e.type === 'stale_firmware');
    expect(fw).toMatchObject({ asset_id: 'BME-004711', device_id: MON.id, mac: MON.mac, severity: 'medium' });
    expect(fw?.evidence).toEqual([{ source: 'test.firmware', frame: 1, ts: '2026-01-01T00:00:00.000Z', capture: 'lab.pcapng' }]);
    expect(fw?.message).toBe('MON-ICU-07 (00:09:fb:1d:07:07) runs firmware N.00.01; record BME-004711 says M.00.03.');
  });

  it('missing_field for each required field, with the value the network reveals', () => {
    const r = diffInventory([record(2, { assetId: 'A1', macs: [MON.mac ?? ''] })], [MON]);
    expect(only(r.exceptions)).toEqual(sortLike(r.exceptions, [
      ['missing_field', 'manufacturer', null, 'Philips Medical Systems'],
      ['missing_field', 'model', null, 'IntelliVue MX800'],
      ['missing_field', 'firmware', null, 'N.00.01'],
      ['missing_field', 'network_location', null, 'ICU-ACCESS-SW01 gi1-0-4'],
    ]));
    expect(r.exceptions.every((e) => e.severity === 'low')).toBe(true);
    // Room alone, or switch + port, is a network location; switch alone is not.
    expect(diffInventory([record(2, without('switch', 'port'))], [MON]).exceptions).toEqual([]);
    const switchOnly = diffInventory([record(2, without('room', 'port'))], [MON]).exceptions;
    expect(only(switchOnly)).toEqual([['missing_field', 'network_location', null, 'ICU-ACCESS-SW01 gi1-0-4']]);
  });

  it('missing_field of records not heard: one exception per field with the count, not one per record', () => {
    // 1,000 records lacking all four required fields, none heard (out of coverage).
    const sparse = Array.from({ length: 1000 }, (_, i) => record(i + 2, { assetId: `SP-${i}`, macs: [`02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`], ips: [`172.31.${i >> 8}.${i & 255}`] }));
    const r = diffInventory([...sparse, record(1002, { assetId: 'A1', macs: [MON.mac ?? ''] })], [MON]);
    const folded = r.exceptions.filter((e) => e.type === 'missing_field' && e.asset_id === null);
    expect(only(folded)).toEqual(sortLike(folded, [
      ['missing_field', 'manufacturer', null, '1000'],
      ['missing_field', 'model', null, '1000'],
      ['missing_field', 'firmware', null, '1000'],
      ['missing_field', 'network_location', null, '1000'],
    ]));
    expect(folded.map((e) => e.event_id)).toEqual(folded.map((e) => eventId('missing_field', 'records', e.field)));
    expect(folded.find((e) => e.field === 'firmware')?.message).toBe(
      '1000 of 1001 records have no firmware (1000 not matched to a heard device): SP-0, SP-1, SP-2 and 997 more; completeness.csv of `auscult report` lists every record.');
    // The heard record keeps its own four, with what the network says.
    expect(only(r.exceptions.filter((e) => e.asset_id === 'A1'))).toHaveLength(4);
    expect(r.exceptions).toHaveLength(8);
    expect(r.missingFolded).toEqual({ manufacturer: 1000, model: 1000, firmware: 1000, network_location: 1000 });
  });

  it('missing_field per record stops at the cap; later gaps of heard records are folded and counted', () => {
    const PUMP = device({ mac: '00:00:5e:00:53:02', manufacturer: 'Baxter', model: 'Sigma Spectrum', firmware: '8.01.01', switch: 'SW2', port: 'gi1-0-2' });
    const records = [record(2, { assetId: 'A1', macs: [MON.mac ?? ''] }), record(3, { assetId: 'A2', macs: [PUMP.mac ?? ''] })];
    expect(diffInventory(records, [MON, PUMP]).exceptions.filter((e) => e.type === 'missing_field')).toHaveLength(8);
    const capped = diffInventory(records, [MON, PUMP], { maxMissingField: 4 });
    const missing = capped.exceptions.filter((e) => e.type === 'missing_field');
    expect(missing.filter((e) => e.asset_id === 'A1')).toHaveLength(4);
    expect(missing.filter((e) => e.asset_id === 'A2')).toEqual([]);
    expect(only(missing.filter((e) => e.asset_id === null)).map((x) => x.slice(1))).toEqual(
      expect.arrayContaining([['manufacturer', null, '1'], ['model', null, '1'], ['firmware', null, '1'], ['network_location', null, '1']]));
    expect(missing.find((e) => e.asset_id === null && e.field === 'model')?.message).toContain('(1 heard but past 4 missing_field exceptions): A2;');
    expect(capped.missingFolded.model).toBe(1);
  });

  it('never_seen only where the sensor hears the VLAN or the /24; otherwise out of coverage', () => {
    const full = { manufacturer: 'm', model: 'm', firmware: 'f', location: 'x' };
    const r = diffInventory([
      record(2, { ...full, assetId: 'ON-VLAN', macs: ['00:00:5e:00:00:01'], vlan: 104 }),
      record(3, { ...full, assetId: 'ON-SUBNET', macs: ['00:00:5e:00:00:02'], ips: ['10.20.104.9'] }),
      record(4, { ...full, assetId: 'ELSEWHERE', macs: ['00:00:5e:00:00:03'], ips: ['10.99.0.1'], vlan: 999 }),
      record(5, { ...full, assetId: 'NO-NETWORK-FACTS', serial: 'Z' }),
    ], [MON]);
    const seen = r.exceptions.filter((e) => e.type === 'never_seen');
    expect(r.exceptions.filter((e) => e.type === 'not_in_inventory').map((e) => e.device_id)).toEqual([MON.id]);
    expect(seen.map((e) => [e.type, e.asset_id])).toEqual(sortLike(seen, [['never_seen', 'ON-VLAN'], ['never_seen', 'ON-SUBNET']], 2));
    expect(r.exceptions.find((e) => e.asset_id === 'ON-VLAN')?.evidence[0]?.source).toBe('test.vlan');
    expect(r.outOfCoverage.map((x) => x.assetId)).toEqual(['ELSEWHERE', 'NO-NETWORK-FACTS']);
  });

  it('not_in_inventory for medical and unknown devices; infrastructure only when asked; remote unknowns not at all', () => {
    const devices = [
      device({ mac: '00:00:5e:00:01:01', category: 'medical', hostname: 'pump' }),
      device({ mac: '00:00:5e:00:01:02', category: 'unknown' }),
      device({ mac: '00:00:5e:00:01:03', category: 'infrastructure', hostname: 'sw' }),
      device({ mac: '00:00:5e:00:01:04', category: 'other' }),
      { ...device({ mac: '00:00:5e:00:01:05', category: 'unknown' }), id: 'ip-192.0.2.1', mac: null, locally_attached: false },
    ];
    const base = diffInventory([], devices).exceptions;
    expect(base.map((e) => [e.type, e.device_id, e.severity])).toEqual([
      ['not_in_inventory', 'mac-00005e000101', 'high'], ['not_in_inventory', 'mac-00005e000102', 'high'],
    ].sort((a, b) => (eventId('not_in_inventory', String(a[1]), null) < eventId('not_in_inventory', String(b[1]), null) ? -1 : 1)));
    const withInfra = diffInventory([], devices, { includeInfrastructure: true }).exceptions;
    expect(withInfra.map((e) => e.device_id).sort()).toEqual(['mac-00005e000101', 'mac-00005e000102', 'mac-00005e000103']);
  });

  it('duplicate_record: one per shared MAC or serial, in any spelling', () => {
    const full = { manufacturer: 'm', model: 'm', firmware: 'f', location: 'x' };
    const r = diffInventory([
      record(2, { ...full, assetId: 'A', macs: ['00:09:fb:3a:71:07'], serial: 'ab-12' }),
      record(3, { ...full, assetId: 'B', macs: ['00:09:fb:3a:71:07'] }),
      record(4, { ...full, assetId: 'C', serial: 'AB 12' }),
    ], []);
    const dups = r.exceptions.filter((e) => e.type === 'duplicate_record');
    expect(dups.map((e) => [e.field, e.observed, e.asset_id]).sort()).toEqual([['mac', '00:09:fb:3a:71:07', 'A'], ['serial', 'AB12', 'A']]);
    expect(dups.find((e) => e.field === 'serial')?.message).toBe('2 records share serial AB12: A (line 2), C (line 4).');
  });

  it('identity_conflict from matching, both kinds', () => {
    const full = { manufacturer: 'm', model: 'm', firmware: 'f', location: 'x' };
    const other = device({ mac: '00:00:5e:00:02:01', serial: 'OTHER' });
    const r = diffInventory([
      record(2, { ...full, assetId: 'R1', serial: 'DE73A71070', macs: [other.mac ?? ''] }),
      record(3, { ...full, assetId: 'R2', hostname: 'mon-icu-07' }),
    ], [MON, other]);
    const conflicts = r.exceptions.filter((e) => e.type === 'identity_conflict');
    expect(conflicts.map((e) => e.observed).sort()).toEqual(['R1, R2', `${other.id}, ${MON.id}`]);
    expect(conflicts.every((e) => e.severity === 'high')).toBe(true);
  });

  it('event ids are sha256(type, subject, field)[:32] and do not depend on line numbers or values', () => {
    const a = diffInventory([record(2, { ...CLEAN, firmware: 'M.00.03' })], [MON]).exceptions[0];
    const b = diffInventory([record(9, { ...CLEAN, firmware: 'M.00.02' })], [MON]).exceptions[0];
    expect(a?.event_id).toBe(b?.event_id);
    expect(a?.event_id).toBe(eventId('stale_firmware', 'BME-004711', 'firmware'));
    expect(a?.event_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('record subjects: asset id, then MAC, serial, hostname, IP', () => {
    expect(recordSubject(record(2, { assetId: ' bme-1 ', macs: ['00:00:5e:00:00:01'] }))).toBe('BME-1');
    expect(recordSubject(record(2, { macs: ['00:00:5e:00:00:01'], serial: 'x' }))).toBe('00:00:5e:00:00:01');
    expect(recordSubject(record(2, { serial: 'ab-1' }))).toBe('serial:AB1');
    expect(recordSubject(record(2, { hostname: 'Mon.example.org' }))).toBe('host:mon');
    expect(recordSubject(record(2, { ips: ['10.0.0.1'] }))).toBe('ip:10.0.0.1');
  });
});

describe('helpers and the severity table', () => {
  it('sameModel: one name\'s words contained in the other\'s', () => {
    expect(sameModel('Alaris 8015', 'Alaris PC Unit 8015')).toBe(true);
    expect(sameModel('Philips IntelliVue MX800', 'IntelliVue MX800')).toBe(true);
    expect(sameModel('IntelliVue MX450', 'IntelliVue MX800')).toBe(false);
  });

  it('locationHasRoom: a comma-separated part, case-insensitive, "Room " optional', () => {
    expect(locationHasRoom('US, MA, B, 3, ICU-08', 'icu-08')).toBe(true);
    expect(locationHasRoom('Building B, Room 12', '12')).toBe(true);
    expect(locationHasRoom('US, MA, B, 3, ICU-08', 'ICU-0')).toBe(false);
  });

  it('every type has a severity, and the README documents each with that severity', () => {
    expect(Object.keys(EXCEPTION_KINDS).sort()).toEqual([...EXCEPTION_TYPES].sort());
    const readme = readFileSync('README.md', 'utf8');
    for (const t of EXCEPTION_TYPES) expect(readme, t).toContain(`| \`${t}\` | ${EXCEPTION_KINDS[t].severity} |`);
  });
});

/** The expected tuples in the order diffInventory produced them (it sorts by type, then event id). */
function sortLike<T extends unknown[]>(actual: ReconcileException[], expected: T[], width = 4): T[] {
  const key = (e: ReconcileException) => (width === 2 ? [e.type, e.asset_id] : [e.type, e.field, e.expected, e.observed]).join('|');
  const order = actual.map(key);
  return [...expected].sort((a, b) => order.indexOf(a.join('|')) - order.indexOf(b.join('|')));
}
