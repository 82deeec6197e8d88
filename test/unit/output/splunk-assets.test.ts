import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { DeviceView } from '../../../src/inventory/device-view.js';
import { SPLUNK_ASSET_COLUMNS, splunkAssetsCsv } from '../../../src/output/splunk-assets.js';

const device = (over: Partial<DeviceView>): DeviceView => ({
  id: 'mac-0009fb1d0707', mac: '00:09:fb:1d:07:07', ip: '10.20.101.187', ips: ['10.20.101.187'], hostname: 'MON-ICU-07', vlan: 101, vlans: [101], aliases: [], switch: 'SW1', port: 'Gi1/0/7',
  location: null, manufacturer: 'Philips', model: 'MX800', firmware: 'N.00.01', serial: null, os: null, device_type: 'patient_monitor', fda_class: 'II',
  fda_product_code: null, category: 'medical', asset_id: 'ICU-MON-07', locally_attached: true, dhcp_fingerprint: { prl: null, vendor_class: null, client_id: null },
  first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:00.000Z', frames: 1, evidence: {}, ...over,
});

describe('Splunk ES asset lookup CSV', () => {
  it('has the ES asset header and fills what the network shows', () => {
    const rows = parse(splunkAssetsCsv([device({ ips: ['10.20.101.187', '10.20.108.187'] }), device({ id: 'x', mac: null, asset_id: null, category: 'other', device_type: null, vlan: null, fda_class: null, location: 'ICU West Bed 7' })]), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...SPLUNK_ASSET_COLUMNS]);
    expect(rows[0]).toMatchObject({ ip: '10.20.101.187|10.20.108.187', mac: '00:09:fb:1d:07:07', nt_host: 'MON-ICU-07', dns: 'MON-ICU-07', priority: 'high',
      bunit: 'SW1 Gi1/0/7', category: 'auscult|medical|patient_monitor|vlan101|fda_class_II', is_expected: 'true' });
    expect(rows[1]).toMatchObject({ mac: '', priority: 'low', bunit: 'ICU West Bed 7', category: 'auscult|other', is_expected: 'false' });
  });

  it('an attacker-chosen host name cannot become a formula or split a multi-valued cell', () => {
    const rows = parse(splunkAssetsCsv([device({ hostname: "=cmd|'/c calc'!A1", device_type: 'a|b' })]), { columns: true }) as Record<string, string>[];
    expect(rows[0]?.['nt_host']).toBe("'=cmd/'/c calc'!A1");
    expect(rows[0]?.['category']).toBe('auscult|medical|a/b|vlan101|fda_class_II');
  });
});
