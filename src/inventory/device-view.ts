/**
 * \summary The read side of the inventory: devices as `devices --json` shows them (design.md),
 * with the evidence for each field and the history of changes. Keys are snake_case for jq.
 */
import type { Db } from './store.js';
import { compareAddresses, NEVER_PRIMARY, addressRank } from '../device/address-rank.js';

export interface EvidenceItem {
  source: string;
  value: string;
  /** Capture file (basename) and frame number: `tshark -r <capture> -Y frame.number==<frame>`. */
  capture: string | null;
  frame: number;
  ts: string;
  last_seen: string;
  count: number;
  rule: string | null;
  confidence: number;
}

export interface HistoryItem {
  field: string;
  old_value: string | null;
  new_value: string | null;
  ts: string;
  frame: number | null;
  capture: string | null;
  source: string | null;
}

export interface DeviceView {
  id: string;
  mac: string | null;
  /** The best-ranked address (src/device/address-rank.ts): never link-local. */
  ip: string | null;
  /** Every address, best-ranked first (link-local ones included, last). */
  ips: string[];
  hostname: string | null;
  vlan: number | null;
  /** Every VLAN the device's own frames carry at once (a trunk or router has several); else `[vlan]`. */
  vlans: number[];
  /** Other MACs that are this device (a switch's port and management MACs). */
  aliases: string[];
  switch: string | null;
  port: string | null;
  location: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  os: string | null;
  device_type: string | null;
  fda_class: string | null;
  fda_product_code: string | null;
  category: string;
  asset_id: string | null;
  locally_attached: boolean;
  dhcp_fingerprint: { prl: string | null; vendor_class: string | null; client_id: string | null };
  first_seen: string;
  last_seen: string;
  frames: number;
  evidence: Record<string, EvidenceItem[]>;
  history?: HistoryItem[];
}

export function isoTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

interface DeviceRow {
  id: string; mac: string | null; ip_key: string | null; locally_attached: number; is_router: number;
  first_seen_us: number; last_seen_us: number; frames: number;
}

/** Every device, sorted by id (MAC devices first, then IP-keyed), fully assembled. */
export function listDevices(db: Db, options: { withHistory?: boolean } = {}): DeviceView[] {
  const rows = db.prepare('SELECT * FROM device ORDER BY id').all() as DeviceRow[];
  return assemble(db, rows, options.withHistory === true);
}

/**
 * Devices changed after change `afterSeq` (the `device_change` log), in change order, at most
 * `limit`: each with its change seq and its view, or `view: undefined` when it was deleted
 * (merged into another). Used by the central shipper (src/central/).
 */
export function listDeviceChangesAfter(db: Db, afterSeq: number, limit: number): { seq: number; id: string; view: DeviceView | undefined }[] {
  const changes = db.prepare('SELECT device_id, seq, deleted FROM device_change WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as { device_id: string; seq: number; deleted: number }[];
  const byId = db.prepare('SELECT * FROM device WHERE id = ?');
  const rows: DeviceRow[] = [];
  for (const c of changes) {
    const row = c.deleted === 0 ? (byId.get(c.device_id) as DeviceRow | undefined) : undefined;
    if (row !== undefined) rows.push(row);
  }
  const views = new Map(assemble(db, rows, false).map((v) => [v.id, v]));
  return changes.map((c) => ({ seq: c.seq, id: c.device_id, view: views.get(c.device_id) }));
}

/** One device by MAC (any spelling), IP or device id; undefined when not found. */
export function findDevice(db: Db, key: string): DeviceView | undefined {
  const k = key.trim().toLowerCase();
  const hex = k.replace(/[^0-9a-f]/g, '');
  let row: DeviceRow | undefined;
  row = db.prepare('SELECT * FROM device WHERE id = ?').get(k) as DeviceRow | undefined;
  if (!row && hex.length === 12 && /^[0-9a-f:.\-]+$/.test(k)) {
    row = db.prepare('SELECT * FROM device WHERE id = ?').get(`mac-${hex}`) as DeviceRow | undefined;
    // A MAC merged into another device (a switch's port or management MAC) names that device.
    row ??= db.prepare('SELECT d.* FROM device d JOIN device_alias a ON a.device_id = d.id WHERE a.mac = ?')
      .get((hex.match(/../g) ?? []).join(':')) as DeviceRow | undefined;
  }
  if (!row) {
    row = db.prepare(`SELECT d.* FROM device d JOIN device_address a ON a.device_id = d.id WHERE a.ip = ?
      ORDER BY d.locally_attached DESC, a.last_seen_us DESC LIMIT 1`).get(k) as DeviceRow | undefined;
  }
  if (!row) return undefined;
  return assemble(db, [row], true)[0];
}

function assemble(db: Db, rows: DeviceRow[], withHistory: boolean): DeviceView[] {
  const captures = new Map<number, string>();
  for (const c of db.prepare('SELECT id, path FROM capture').all() as { id: number; path: string }[]) {
    captures.set(c.id, c.path.split('/').pop() ?? c.path);
  }
  const capName = (id: number | null) => (id === null ? null : (captures.get(id) ?? null));
  const fieldsStmt = db.prepare('SELECT field, value FROM device_field WHERE device_id = ?');
  const addrStmt = db.prepare('SELECT ip, source, first_seen_us FROM device_address WHERE device_id = ?');
  const aliasStmt = db.prepare('SELECT mac FROM device_alias WHERE device_id = ? ORDER BY mac');
  const vlanSinceStmt = db.prepare("SELECT since_us FROM device_field WHERE device_id = ? AND field = 'vlan'");
  const trunkStmt = db.prepare(`SELECT DISTINCT CAST(value AS INTEGER) AS v FROM field_evidence
    WHERE device_id = ? AND field = 'vlan' AND source = 'eth.vlan' AND last_seen_us > ? ORDER BY v`);
  const evStmt = db.prepare(`SELECT field, source, value, rule, confidence, first_seen_us, last_seen_us, first_frame, capture_id, count
    FROM field_evidence WHERE device_id = ? ORDER BY field, confidence DESC, first_seen_us, source, value`);
  const histStmt = db.prepare('SELECT * FROM history WHERE device_id = ? ORDER BY ts_us, id');
  return rows.map((row) => {
    const f = new Map<string, string>();
    for (const r of fieldsStmt.all(row.id) as { field: string; value: string }[]) f.set(r.field, r.value);
    const addresses = (addrStmt.all(row.id) as { ip: string; source: string; first_seen_us: number }[])
      .map((r) => ({ ip: r.ip, source: r.source, firstSeen: r.first_seen_us }))
      .sort(compareAddresses);
    const ips = addresses.map((a) => a.ip);
    const primary = addresses.find((a) => addressRank(a.ip, a.source) < NEVER_PRIMARY)?.ip;
    const evidence: Record<string, EvidenceItem[]> = {};
    for (const e of evStmt.all(row.id) as Record<string, number | string | null>[]) {
      const field = e['field'] as string;
      (evidence[field] ??= []).push({
        source: e['source'] as string,
        value: e['value'] as string,
        capture: capName(e['capture_id'] as number | null),
        frame: e['first_frame'] as number,
        ts: isoTime(e['first_seen_us'] as number),
        last_seen: isoTime(e['last_seen_us'] as number),
        count: e['count'] as number,
        rule: (e['rule'] as string | null) ?? null,
        confidence: e['confidence'] as number,
      });
    }
    const get = (name: string) => f.get(name) ?? null;
    const vlan = get('vlan');
    const since = (vlanSinceStmt.get(row.id) as { since_us: number } | undefined)?.since_us;
    const carried = since === undefined ? [] : (trunkStmt.all(row.id, since) as { v: number }[]).map((r) => r.v);
    const vlans = carried.length > 1 ? carried : vlan === null ? [] : [Number(vlan)];
    const view: DeviceView = {
      id: row.id,
      mac: row.mac,
      ip: primary ?? row.ip_key,
      ips,
      hostname: get('hostname'),
      vlan: vlan === null ? null : Number(vlan),
      vlans,
      aliases: (aliasStmt.all(row.id) as { mac: string }[]).map((r) => r.mac),
      switch: get('switch'),
      port: get('port'),
      location: get('location'),
      manufacturer: get('manufacturer'),
      model: get('model'),
      firmware: get('firmware'),
      serial: get('serial'),
      os: get('os'),
      device_type: get('device_type'),
      fda_class: get('fda_class'),
      fda_product_code: get('fda_product_code'),
      category: get('category') ?? (row.is_router === 1 ? 'infrastructure' : 'unknown'),
      // The system of record's asset id once reconciliation matched one; else the device's own (LLDP-MED).
      asset_id: get('asset_id') ?? get('asset_tag'),
      locally_attached: row.locally_attached === 1,
      dhcp_fingerprint: { prl: get('dhcp_prl'), vendor_class: get('dhcp_vendor_class'), client_id: get('dhcp_client_id') },
      first_seen: isoTime(row.first_seen_us),
      last_seen: isoTime(row.last_seen_us),
      frames: row.frames,
      evidence,
    };
    if (withHistory) {
      view.history = (histStmt.all(row.id) as Record<string, string | number | null>[]).map((h) => ({
        field: h['field'] as string,
        old_value: (h['old_value'] as string | null) ?? null,
        new_value: (h['new_value'] as string | null) ?? null,
        ts: isoTime(h['ts_us'] as number),
        frame: (h['frame'] as number | null) ?? null,
        capture: capName(h['capture_id'] as number | null),
        source: (h['source'] as string | null) ?? null,
      }));
    }
    return view;
  });
}
