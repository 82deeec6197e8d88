/**
 * \summary The inventory as a Splunk Enterprise Security asset lookup (CSV with the ES asset
 * header), so correlation searches and notables carry the device's identity, priority and place.
 *
 * Columns (ES "Asset and identity" lookup header, in its order): ip, mac, nt_host, dns, owner,
 * priority, lat, long, city, country, bunit, category, pci_domain, is_expected, should_timesync,
 * should_update, requires_av. Multi-valued cells are pipe-delimited as ES expects (`ip`,
 * `category`). auscult fills what the network shows: ip (all the device's addresses), mac,
 * nt_host and dns (its host name), priority (medical: high, infrastructure: medium, else low),
 * bunit (the location, else `switch port`), category (`auscult`, the category, the device type,
 * `vlan<N>` and `fda_class_<C>`), is_expected (true when the device carries an asset id from the
 * system of record). The rest stay empty for the CMDB to fill. Cells that a spreadsheet would
 * evaluate are escaped (csv-stringify `escape_formulas`), as host names are attacker-controlled.
 */
import { stringify } from 'csv-stringify/sync';
import type { DeviceView } from '../inventory/device-view.js';

export const SPLUNK_ASSET_COLUMNS = ['ip', 'mac', 'nt_host', 'dns', 'owner', 'priority', 'lat', 'long', 'city', 'country', 'bunit', 'category',
  'pci_domain', 'is_expected', 'should_timesync', 'should_update', 'requires_av'] as const;

const PRIORITY: Record<string, string> = { medical: 'high', infrastructure: 'medium' };
/** ES splits multi-valued cells on `|`; a `|` inside a value would split it, so it becomes `/`. */
const one = (v: string | null | undefined): string => (v ?? '').replaceAll('|', '/');

export function splunkAssetsCsv(devices: readonly DeviceView[]): string {
  const rows = devices.map((d) => {
    const place = d.location ?? (d.switch !== null || d.port !== null ? [d.switch, d.port].filter((x) => x !== null).join(' ') : null);
    const category = ['auscult', d.category, d.device_type, d.vlan !== null ? `vlan${d.vlan}` : null, d.fda_class !== null ? `fda_class_${d.fda_class}` : null]
      .filter((x): x is string => x !== null && x !== '').map(one).join('|');
    const row: Record<(typeof SPLUNK_ASSET_COLUMNS)[number], string> = {
      ip: d.ips.map(one).join('|'), mac: one(d.mac), nt_host: one(d.hostname), dns: one(d.hostname), owner: '', priority: PRIORITY[d.category] ?? 'low',
      lat: '', long: '', city: '', country: '', bunit: one(place), category, pci_domain: '', is_expected: d.asset_id !== null ? 'true' : 'false',
      should_timesync: '', should_update: '', requires_av: '',
    };
    return SPLUNK_ASSET_COLUMNS.map((c) => row[c]);
  });
  return stringify([[...SPLUNK_ASSET_COLUMNS], ...rows], { escape_formulas: true });
}
