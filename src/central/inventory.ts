/**
 * \summary The read side of the central inventory: sensors' sightings merged into one device per
 * durable identity, in the shape of `auscult devices --json` (design.md) plus `site` (where it
 * was heard last) and `sites` (per site: when, which sensors, addresses, VLAN, switch port,
 * location; oldest first, so a move between hospitals reads in order).
 *
 * Merging is deterministic (it depends only on the set of sightings, not on the order they
 * arrived): sightings are ranked by last seen, then site, then sensor id; each field takes the
 * first ranked non-null value; evidence is the union, each item tagged with its site and sensor.
 */
import type pg from 'pg';
import type { DeviceView, EvidenceItem } from '../inventory/device-view.js';

export interface SiteSighting {
  site: string;
  first_seen: string;
  last_seen: string;
  sensors: string[];
  ips: string[];
  vlan: number | null;
  switch: string | null;
  port: string | null;
  location: string | null;
}

export type CentralEvidenceItem = EvidenceItem & { site: string; sensor: string };

export type CentralDeviceView = Omit<DeviceView, 'evidence' | 'history'> & {
  site: string;
  /** Other central keys merged into this device because they report the same manufacturer and serial (a NIC swapped). */
  aliases: string[];
  sites: SiteSighting[];
  evidence: Record<string, CentralEvidenceItem[]>;
};

export interface SightingRow {
  sensor_id: string;
  local_id: string;
  device_key: string;
  site: string;
  view: DeviceView;
}

function rank(a: SightingRow, b: SightingRow): number {
  return b.view.last_seen.localeCompare(a.view.last_seen) || a.site.localeCompare(b.site) || a.sensor_id.localeCompare(b.sensor_id);
}

/** One device from its sightings (at least one). */
export function mergeSightings(key: string, rows: SightingRow[]): CentralDeviceView {
  const ranked = [...rows].sort(rank);
  const top = ranked[0] as SightingRow;
  const base = top.view;
  const pick = <K extends 'hostname' | 'manufacturer' | 'model' | 'firmware' | 'serial' | 'os' | 'device_type' | 'fda_class' | 'fda_product_code' | 'asset_id'>(k: K): DeviceView[K] => {
    for (const r of ranked) if (r.view[k] !== null && r.view[k] !== undefined) return r.view[k];
    return null as DeviceView[K];
  };
  const bySite = new Map<string, SightingRow[]>();
  for (const r of ranked) {
    const list = bySite.get(r.site) ?? [];
    list.push(r);
    bySite.set(r.site, list);
  }
  const sites: SiteSighting[] = [...bySite.entries()].map(([site, list]) => {
    const first = (f: 'vlan' | 'switch' | 'port' | 'location') => {
      for (const r of list) if (r.view[f] !== null) return r.view[f];
      return null;
    };
    return {
      site,
      first_seen: list.map((r) => r.view.first_seen).sort()[0] as string,
      last_seen: list.map((r) => r.view.last_seen).sort().at(-1) as string,
      sensors: [...new Set(list.map((r) => r.sensor_id))].sort(),
      ips: [...new Set(list.flatMap((r) => r.view.ips))].sort(),
      vlan: first('vlan') as number | null, switch: first('switch') as string | null, port: first('port') as string | null, location: first('location') as string | null,
    };
  }).sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.site.localeCompare(b.site));
  const evidence: Record<string, CentralEvidenceItem[]> = {};
  for (const r of [...rows].sort((a, b) => a.site.localeCompare(b.site) || a.sensor_id.localeCompare(b.sensor_id))) {
    for (const [field, items] of Object.entries(r.view.evidence)) {
      for (const e of items) (evidence[field] ??= []).push({ ...e, site: r.site, sensor: r.sensor_id });
    }
  }
  for (const items of Object.values(evidence)) items.sort((a, b) => b.confidence - a.confidence || a.ts.localeCompare(b.ts) || a.site.localeCompare(b.site) || a.sensor.localeCompare(b.sensor) || a.source.localeCompare(b.source) || a.value.localeCompare(b.value));
  // Addresses: those of the site where the device is now (IPs are not comparable across sites).
  const here = sites.find((s) => s.site === top.site);
  const ips = [...new Set(ranked.filter((r) => r.site === top.site).flatMap((r) => r.view.ips))];
  const view: CentralDeviceView = {
    id: key,
    mac: base.mac,
    ip: ips[0] ?? base.ip,
    ips,
    hostname: pick('hostname'),
    vlan: here?.vlan ?? null,
    vlans: [...new Set(ranked.filter((r) => r.site === top.site).flatMap((r) => r.view.vlans ?? []))].sort((a, b) => a - b),
    switch: here?.switch ?? null,
    port: here?.port ?? null,
    location: here?.location ?? null,
    manufacturer: pick('manufacturer'),
    model: pick('model'),
    firmware: pick('firmware'),
    serial: pick('serial'),
    os: pick('os'),
    device_type: pick('device_type'),
    fda_class: pick('fda_class'),
    fda_product_code: pick('fda_product_code'),
    category: ranked.map((r) => r.view.category).find((c) => c !== 'unknown') ?? base.category,
    asset_id: pick('asset_id'),
    locally_attached: ranked.some((r) => r.view.locally_attached),
    dhcp_fingerprint: base.dhcp_fingerprint,
    first_seen: rows.map((r) => r.view.first_seen).sort()[0] as string,
    last_seen: base.last_seen,
    frames: Math.max(...rows.map((r) => r.view.frames)),
    site: top.site,
    aliases: [...new Set(rows.map((r) => r.device_key))].filter((k) => k !== key).sort(),
    sites,
    evidence,
  };
  return view;
}

/** Every central device (of one site when `site` is given: only that site's sightings count), sorted by id. */
export async function listCentralDevices(client: pg.Client, options: { site?: string } = {}): Promise<CentralDeviceView[]> {
  const r = options.site === undefined
    ? await client.query<SightingRow>('SELECT sensor_id, local_id, device_key, site, view FROM device_sighting ORDER BY device_key')
    : await client.query<SightingRow>('SELECT sensor_id, local_id, device_key, site, view FROM device_sighting WHERE site = $1 ORDER BY device_key', [options.site]);
  return group(r.rows);
}

/** A serial trustworthy enough to merge on: 5+ characters, not one repeated character, not a placeholder. */
export function serialIdentity(v: Pick<DeviceView, 'manufacturer' | 'serial'>): string | undefined {
  const serial = v.serial?.trim().toUpperCase().replace(/[\s-]/g, '') ?? '';
  const manufacturer = v.manufacturer?.trim().toLowerCase() ?? '';
  if (serial.length < 5 || manufacturer === '' || /^(.)\1*$/.test(serial) || /^(UNKNOWN|NONE|NA|N\/A|SERIAL|DEFAULT|123456789?)$/.test(serial)) return undefined;
  return `${manufacturer}\u0000${serial}`;
}

/**
 * Sightings grouped into devices: by central key, then keys whose sightings report the same
 * manufacturer and serial joined (union-find), the group named by its smallest key. Sorted by id.
 */
export function groupSightings(rows: readonly SightingRow[]): CentralDeviceView[] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(k, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a), rb = find(b);
    if (ra < rb) parent.set(rb, ra);
    else if (rb < ra) parent.set(ra, rb);
  };
  for (const r of rows) if (!parent.has(r.device_key)) parent.set(r.device_key, r.device_key);
  const bySerial = new Map<string, string>();
  for (const r of rows) {
    const id = serialIdentity(r.view);
    if (id === undefined) continue;
    const seen = bySerial.get(id);
    if (seen === undefined) bySerial.set(id, r.device_key);
    else union(seen, r.device_key);
  }
  const groups = new Map<string, SightingRow[]>();
  for (const r of rows) {
    const k = find(r.device_key);
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, list]) => mergeSightings(k, list));
}

const group = groupSightings;

/** One device by central id or alias, MAC (any spelling) or IP (`site` narrows an IP, which sites reuse). */
export async function findCentralDevice(client: pg.Client, key: string, site?: string): Promise<CentralDeviceView[]> {
  const k = key.trim().toLowerCase();
  const hex = k.replace(/[^0-9a-f]/g, '');
  const macKey = hex.length === 12 && /^[0-9a-f:.\-]+$/.test(k) ? `mac-${hex}` : undefined;
  const all = await listCentralDevices(client);
  const byKey = all.filter((d) => d.id === key.trim() || d.id === k || d.aliases.includes(key.trim()) || (macKey !== undefined && (d.id === macKey || d.aliases.includes(macKey))));
  if (byKey.length > 0) return byKey;
  return all.filter((d) => d.sites.some((s) => (site === undefined || s.site === site) && s.ips.includes(k)));
}

/** Devices per site, and the share with the fields the FDA/Joint Commission inventory needs. */
export interface SiteCompleteness {
  site: string;
  devices: number;
  medical: number;
  with_manufacturer: number;
  with_model: number;
  with_firmware: number;
  with_location: number;
  complete: number;
  completeness: number;
}

export function siteCompleteness(site: string, devices: readonly CentralDeviceView[]): SiteCompleteness {
  const has = (f: (d: CentralDeviceView) => unknown) => devices.filter((d) => f(d) !== null && f(d) !== undefined).length;
  const complete = devices.filter((d) => d.manufacturer !== null && d.model !== null && d.firmware !== null && (d.location !== null || d.port !== null)).length;
  return {
    site, devices: devices.length, medical: devices.filter((d) => d.category === 'medical').length,
    with_manufacturer: has((d) => d.manufacturer), with_model: has((d) => d.model), with_firmware: has((d) => d.firmware),
    with_location: devices.filter((d) => d.location !== null || d.port !== null).length,
    complete, completeness: devices.length === 0 ? 1 : Math.round((complete / devices.length) * 1000) / 1000,
  };
}

/** Sites with sightings, sorted. */
export async function listSites(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ site: string }>('SELECT DISTINCT site FROM device_sighting UNION SELECT DISTINCT site FROM sor_record ORDER BY 1');
  return r.rows.map((x) => x.site);
}
