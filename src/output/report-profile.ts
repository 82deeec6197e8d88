/**
 * \summary The evidence packet's communication-profile section (issue 20): per device, how many
 * internal and external peers it has and the names it resolves and calls; every external
 * destination with the frame that shows it and whether an `unexpected_external_peer` exception
 * is open for it. Kept apart from report.ts and report-html.ts (one call each, as the patch
 * section). Every value is HTML-escaped; CSV cells are formula-escaped by the report's csvChunks.
 * Bounded by the profile's own caps (limits.profile.*): at most max_peers_per_device rows per device.
 */
import type { Db } from '../inventory/store.js';
import { isoTime } from '../inventory/device-view.js';
import { captureNames, type StoredPeer } from '../inventory/profile-store.js';
import { forbiddenBy } from '../reconcile/external-peers.js';

export interface ProfileDeviceRow {
  device_id: string | null;
  device_ip: string;
  mac: string | null;
  hostname: string | null;
  manufacturer: string | null;
  category: string | null;
  internal_peers: number;
  external_peers: number;
  frames: number;
  /** The names it asked DNS for and called over TLS, most asked first (at most 8 shown). */
  names: string[];
  mud_url: string | null;
}

export interface ExternalPeerRow {
  device_id: string | null;
  device_ip: string;
  mac: string | null;
  hostname: string | null;
  manufacturer: string | null;
  peer_ip: string;
  name: string | null;
  service: string;
  direction: string;
  protocol: string | null;
  frames: number;
  bytes_out: number;
  bytes_in: number;
  first_seen: string;
  last_seen: string;
  evidence: string;
  /** `open (high)`, `open (medium)`, `resolved`, or null when no exception was raised for it. */
  exception: string | null;
  /** The advisory that says to block it, if any. */
  advisory: string | null;
}

export interface ProfileReport {
  devices: ProfileDeviceRow[];
  external: ExternalPeerRow[];
}

interface Owner { device_id: string | null; mac: string | null; hostname: string | null; manufacturer: string | null; category: string | null }

/** The section's data; empty when the database has no profile. */
export function buildProfileReport(db: Db): ProfileReport {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'profile_peer'").get() === undefined) return { devices: [], external: [] };
  const ownerStmt = db.prepare(`SELECT d.id AS device_id, d.mac AS mac,
      (SELECT value FROM device_field f WHERE f.device_id = d.id AND f.field = 'hostname') AS hostname,
      (SELECT value FROM device_field f WHERE f.device_id = d.id AND f.field = 'manufacturer') AS manufacturer,
      (SELECT value FROM device_field f WHERE f.device_id = d.id AND f.field = 'category') AS category
    FROM device_address a JOIN device d ON d.id = a.device_id WHERE a.ip = ? ORDER BY d.locally_attached DESC, a.last_seen_us DESC LIMIT 1`);
  const owners = new Map<string, Owner>();
  const owner = (ip: string): Owner => {
    let o = owners.get(ip);
    if (o === undefined) {
      o = (ownerStmt.get(ip) as Owner | undefined) ?? { device_id: null, mac: null, hostname: null, manufacturer: null, category: null };
      owners.set(ip, o);
    }
    return o;
  };
  const mud = new Map((db.prepare('SELECT mac, url FROM mud_url').all() as { mac: string; url: string }[]).map((r) => [r.mac, r.url]));
  const namesStmt = db.prepare('SELECT kind, name FROM profile_name WHERE device_ip = ? ORDER BY count DESC, kind, name LIMIT 8');
  const devices: ProfileDeviceRow[] = [];
  const rows = db.prepare(`SELECT p.device_ip AS device_ip, p.frames AS frames,
      (SELECT count(*) FROM profile_peer x WHERE x.device_ip = p.device_ip AND x.scope = 'internal') AS internal_peers,
      (SELECT count(*) FROM profile_peer x WHERE x.device_ip = p.device_ip AND x.scope = 'external') AS external_peers
    FROM profile_device p ORDER BY external_peers DESC, p.device_ip`).all() as { device_ip: string; frames: number; internal_peers: number; external_peers: number }[];
  for (const r of rows) {
    const o = owner(r.device_ip);
    devices.push({
      device_id: o.device_id, device_ip: r.device_ip, mac: o.mac, hostname: o.hostname, manufacturer: o.manufacturer, category: o.category,
      internal_peers: r.internal_peers, external_peers: r.external_peers, frames: r.frames,
      names: (namesStmt.all(r.device_ip) as { kind: string; name: string }[]).map((n) => `${n.name} (${n.kind})`),
      mud_url: o.mac === null ? null : (mud.get(o.mac) ?? null),
    });
  }
  // The exception of each device × destination (external-peers.ts: observed starts with the name, or is the address).
  const exceptions = db.prepare(`SELECT device_id, observed, status, severity FROM exception WHERE type = 'unexpected_external_peer'`).all() as { device_id: string | null; observed: string | null; status: string; severity: string }[];
  const capture = captureNames(db);
  const external: ExternalPeerRow[] = [];
  for (const p of db.prepare(`SELECT * FROM profile_peer WHERE scope = 'external' ORDER BY device_ip, first_us, peer_ip, transport, port, direction`).all() as StoredPeer[]) {
    const o = owner(p.device_ip);
    const service = `${p.transport}/${p.port}`;
    const e = exceptions.find((x) => x.device_id === o.device_id && x.observed !== null && x.observed.startsWith(p.name ?? p.peer_ip) && x.observed.includes(`${p.peer_ip} ${service} ${p.direction}`));
    external.push({
      device_id: o.device_id, device_ip: p.device_ip, mac: o.mac, hostname: o.hostname, manufacturer: o.manufacturer, peer_ip: p.peer_ip, name: p.name,
      service, direction: p.direction, protocol: p.protocol, frames: p.frames, bytes_out: p.bytes_out, bytes_in: p.bytes_in,
      first_seen: isoTime(p.first_us), last_seen: isoTime(p.last_us), evidence: `${capture(p.capture_id) ?? '?'}#${p.first_frame}`,
      exception: e === undefined ? null : e.status === 'open' ? `open (${e.severity})` : e.status, advisory: forbiddenBy(p)?.advisory ?? null,
    });
  }
  return { devices, external };
}

const esc = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const td = (v: unknown): string => (v === null || v === undefined || v === '' ? '<td class="none">—</td>' : `<td>${esc(v)}</td>`);
function table(id: string, headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">None.</p>`;
  return `<table id="${id}" data-rows="${rows.length}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${
    rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

/** The HTML section (empty string when there is no profile). */
export function renderProfileSection(p: ProfileReport | undefined): string {
  if (p === undefined || (p.devices.length === 0 && p.external.length === 0)) return '';
  return `
<h2 id="profile">Who each device talks to</h2>
<p class="meta">Peers heard on the wire (HICP 9.6: monitoring for abnormal behaviour). Only addresses, ports, counts, the DNS names a device asked for and the TLS server names it called are kept; never a payload. Caps: limits.profile.*.</p>
<h3>External destinations</h3>
${table('profile-external', ['device', 'hostname', 'manufacturer', 'peer', 'name', 'service', 'dir', 'protocol', 'frames', 'bytes out/in', 'first seen', 'last seen', 'evidence', 'exception', 'advisory'],
    p.external.map((e) => [e.mac ?? e.device_id ?? e.device_ip, e.hostname, e.manufacturer, e.peer_ip, e.name, e.service, e.direction, e.protocol, e.frames, `${e.bytes_out}/${e.bytes_in}`, e.first_seen, e.last_seen, e.evidence, e.exception, e.advisory]))}
<h3>Per device</h3>
${table('profile-devices', ['device', 'IP', 'hostname', 'manufacturer', 'category', 'internal peers', 'external peers', 'frames', 'names resolved and called', 'MUD URL'],
    p.devices.map((d) => [d.mac ?? d.device_id, d.device_ip, d.hostname, d.manufacturer, d.category, d.internal_peers, d.external_peers, d.frames, d.names.join(', '), d.mud_url]))}
`;
}

/** CSV files of the section: [file name, header, rows]. */
export function profileCsvTables(p: ProfileReport | undefined): [string, string[], unknown[][]][] {
  if (p === undefined) return [];
  return [
    ['profile-external.csv', ['device_id', 'mac', 'device_ip', 'hostname', 'manufacturer', 'peer_ip', 'name', 'service', 'direction', 'protocol', 'frames', 'bytes_out', 'bytes_in', 'first_seen', 'last_seen', 'evidence', 'exception', 'advisory'],
      p.external.map((e) => [e.device_id, e.mac, e.device_ip, e.hostname, e.manufacturer, e.peer_ip, e.name, e.service, e.direction, e.protocol, e.frames, e.bytes_out, e.bytes_in, e.first_seen, e.last_seen, e.evidence, e.exception, e.advisory])],
    ['profile-devices.csv', ['device_id', 'mac', 'device_ip', 'hostname', 'manufacturer', 'category', 'internal_peers', 'external_peers', 'frames', 'names', 'mud_url'],
      p.devices.map((d) => [d.device_id, d.mac, d.device_ip, d.hostname, d.manufacturer, d.category, d.internal_peers, d.external_peers, d.frames, d.names.join(' '), d.mud_url])],
  ];
}
