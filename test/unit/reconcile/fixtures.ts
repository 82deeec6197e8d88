/**
 * \summary Builders for reconciliation unit tests: a DeviceView and a SorRecord with only the
 * fields a test cares about.
 */
import type { DeviceView, EvidenceItem } from '../../../src/inventory/device-view.js';
import type { SorRecord } from '../../../src/reconcile/sor-record.js';

export function ev(source: string, value: string, frame = 1): EvidenceItem {
  return { source, value, capture: 'lab.pcapng', frame, ts: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:01.000Z', count: 1, rule: null, confidence: 1 };
}

export function device(fields: Partial<DeviceView> & { mac: string }): DeviceView {
  const id = `mac-${fields.mac.replace(/:/g, '')}`;
  const base: DeviceView = {
    id, mac: fields.mac, ip: null, ips: [], hostname: null, vlan: null, vlans: [], aliases: [], switch: null, port: null, location: null, manufacturer: null,
    model: null, firmware: null, serial: null, os: null, device_type: null, fda_class: null, fda_product_code: null, category: 'unknown',
    asset_id: null, locally_attached: true, dhcp_fingerprint: { prl: null, vendor_class: null, client_id: null },
    first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:01.000Z', frames: 1, evidence: {},
  };
  const d: DeviceView = { ...base, ...fields, id };
  if (d.ip === null && d.ips.length > 0) d.ip = d.ips[0] ?? null;
  // Evidence for every known scalar field, so exceptions can cite it.
  for (const f of ['hostname', 'vlan', 'switch', 'port', 'location', 'manufacturer', 'model', 'firmware', 'serial'] as const) {
    const v = d[f];
    if (v !== null && d.evidence[f] === undefined) d.evidence[f] = [ev(`test.${f}`, String(v))];
  }
  return d;
}

export function record(line: number, fields: Omit<Partial<SorRecord>, 'line'>): SorRecord {
  return { line, macs: [], ips: [], attributes: {}, ...fields };
}
