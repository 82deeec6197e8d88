/**
 * \summary `unexpected_external_peer` (issue 20): a device called (or was reached from) an
 * external address that nothing allows for it. One exception per device and destination (the
 * name it called the peer by, else the address), from the communication profile's external
 * peers (src/inventory/profile-store.ts).
 *
 * What allows a destination for a device:
 * - the shipped allowlist for its manufacturer (src/observe/external-destinations.ts, each entry
 *   with its source);
 * - the hospital's list (`profile.allowed_external`: for one manufacturer, or for every device);
 * - the device's MUD file, when it announced a MUD URL (DHCP option 161, LLDP) and the file with
 *   that `mud-url` is in `profile.mud_dir` (src/reconcile/mud.ts).
 *
 * Which devices raise it, as a hospital security analyst would triage:
 * - a destination an advisory says to block (ADVISORY_FORBIDDEN): every device, severity high.
 *   A known-bad address is worth a look whoever calls it, and a relabelled Contec monitor may
 *   not be identified as one;
 * - any other destination: medical devices (category `medical`), devices that announced a MUD
 *   URL (they declared where they talk), and devices of a manufacturer the hospital's list names.
 *   Workstations, phones, printers and unidentified hosts call the Internet all day; raising for
 *   them would bury the few calls that matter. Severity medium.
 */
import ipaddr from 'ipaddr.js';
import type { Db } from '../inventory/store.js';
import { isoTime, type DeviceView } from '../inventory/device-view.js';
import { sameManufacturer } from '../identify/vendors.js';
import { ADVISORY_FORBIDDEN, nameMatches, VENDOR_DESTINATIONS, type ForbiddenDestination } from '../observe/external-destinations.js';
import { captureNames, type StoredPeer } from '../inventory/profile-store.js';
import { makeException, type ExceptionEvidence, type ReconcileException } from './exception-kinds.js';
import { loadMudDir, type MudPolicy } from './mud.js';
import type { RecordMatch } from './match.js';

/** One `profile.allowed_external` entry. */
export interface AllowedExternal {
  manufacturer: string | null;
  names: readonly string[];
  cidrs: readonly string[];
  note?: string | null;
}

export interface PeerPolicyOptions {
  /** `profile.allowed_external`. */
  allowed?: readonly AllowedExternal[];
  /** `profile.mud_dir`. */
  mudDir?: string | null;
  /** Called with `file: reason` for each MUD file that could not be used. */
  onProblem?: (message: string) => void;
}

interface Allow {
  names: readonly string[];
  cidrs: readonly string[];
  why: string;
}

const cidrCache = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();
function inCidr(ip: string, cidr: string): boolean {
  let c = cidrCache.get(cidr);
  if (c === undefined) {
    try {
      c = ipaddr.parseCIDR(cidr);
    } catch {
      c = null;
    }
    cidrCache.set(cidr, c);
  }
  if (c === null || !ipaddr.isValid(ip)) return false;
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return a.kind() === c[0].kind() && a.match(c);
}

function allows(a: Allow, peer: StoredPeer): boolean {
  if (peer.name !== null && a.names.some((n) => nameMatches(peer.name as string, n))) return true;
  return a.cidrs.some((c) => inCidr(peer.peer_ip, c));
}

/** The advisory that says to block this peer, if any. */
export function forbiddenBy(peer: Pick<StoredPeer, 'peer_ip' | 'name'>): ForbiddenDestination | undefined {
  return ADVISORY_FORBIDDEN.find((f) => f.cidrs.some((c) => inCidr(peer.peer_ip, c)) || (peer.name !== null && f.names.some((n) => nameMatches(peer.name as string, n))));
}

/** Device id → the asset id of the one record that matched it (reconciliation's match). */
export function assetIdsOf(records: readonly RecordMatch[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of records) {
    const only = m.devices.length === 1 ? m.devices[0] : undefined;
    if (only !== undefined && m.record.assetId !== undefined && !m.contested) out.set(only.id, m.record.assetId);
  }
  return out;
}

/**
 * Exceptions for the external peers of `devices` (and of profiled addresses no device holds, for
 * forbidden destinations); `assetIds` (device id → the matched record's asset id) fills `asset_id`.
 */
export function externalPeerExceptions(db: Db, devices: readonly DeviceView[], options: PeerPolicyOptions = {}, assetIds: ReadonlyMap<string, string> = new Map()): ReconcileException[] {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'profile_peer'").get() === undefined) return [];
  const peers = db.prepare(`SELECT * FROM profile_peer WHERE scope = 'external' ORDER BY device_ip, first_us, peer_ip, transport, port, direction`).all() as StoredPeer[];
  if (peers.length === 0) return [];
  const byIp = new Map<string, DeviceView>();
  for (const d of devices) for (const ip of d.ips) if (!byIp.has(ip)) byIp.set(ip, d);
  const mudUrls = new Map((db.prepare('SELECT mac, url FROM mud_url').all() as { mac: string; url: string }[]).map((r) => [r.mac, r.url]));
  let mudFiles: Map<string, MudPolicy> | undefined;
  if (options.mudDir !== undefined && options.mudDir !== null) {
    const loaded = loadMudDir(options.mudDir);
    // Problems are reported when the directory is read, not again at each reconciliation.
    if (loaded.fresh) for (const p of loaded.problems) options.onProblem?.(p);
    mudFiles = loaded.byUrl;
  }
  const configured = options.allowed ?? [];
  const capture = captureNames(db);

  // One exception per device and destination; its evidence is the first frame of each peer row.
  const groups = new Map<string, { device: DeviceView | undefined; deviceIp: string; destination: string; rows: StoredPeer[]; forbidden: ForbiddenDestination | undefined; expected: string }>();
  for (const peer of peers) {
    const device = byIp.get(peer.device_ip);
    const forbidden = forbiddenBy(peer);
    let expected: string;
    if (forbidden !== undefined) {
      expected = `blocked: ${forbidden.advisory} says to block ${[...forbidden.cidrs, ...forbidden.names].join(', ')}`;
    } else {
      if (device === undefined) continue;
      const manufacturer = device.manufacturer;
      const list: Allow[] = [];
      for (const v of VENDOR_DESTINATIONS) {
        if (manufacturer !== null && sameManufacturer(manufacturer, v.manufacturer)) list.push({ names: v.names, cidrs: v.cidrs, why: `${v.names.join(', ')} (shipped list, ${v.manufacturer})` });
      }
      let namedByHospital = false;
      for (const c of configured) {
        if (c.manufacturer === null) list.push({ names: c.names, cidrs: c.cidrs, why: `${[...c.names, ...c.cidrs].join(', ')} (profile.allowed_external)` });
        else if (manufacturer !== null && sameManufacturer(manufacturer, c.manufacturer)) {
          namedByHospital = true;
          list.push({ names: c.names, cidrs: c.cidrs, why: `${[...c.names, ...c.cidrs].join(', ')} (profile.allowed_external, ${c.manufacturer})` });
        }
      }
      const mudUrl = device.mac === null ? undefined : mudUrls.get(device.mac);
      if (mudUrl !== undefined) {
        const policy = mudFiles?.get(mudUrl);
        if (policy !== undefined) list.push({ names: policy.names, cidrs: policy.cidrs, why: `${[...policy.names, ...policy.cidrs].join(', ') || 'nothing external'} (MUD ${mudUrl})` });
      }
      const inScope = device.category === 'medical' || mudUrl !== undefined || namedByHospital;
      if (!inScope) continue;
      if (list.some((a) => allows(a, peer))) continue;
      const mudMissing = mudUrl !== undefined && mudFiles?.get(mudUrl) === undefined ? `; MUD file for ${mudUrl} not in profile.mud_dir` : '';
      expected = list.length === 0 ? `no external destination allowed${mudMissing}` : `allowed: ${list.map((a) => a.why).join('; ')}${mudMissing}`;
    }
    const destination = peer.name ?? peer.peer_ip;
    const subject = `${device?.id ?? `ip:${peer.device_ip}`}|${destination}`;
    let g = groups.get(subject);
    if (g === undefined) {
      g = { device, deviceIp: peer.device_ip, destination, rows: [], forbidden, expected };
      groups.set(subject, g);
    }
    g.rows.push(peer);
  }

  const out: ReconcileException[] = [];
  for (const [subject, g] of groups) {
    const d = g.device;
    const first = g.rows[0] as StoredPeer;
    const services = [...new Set(g.rows.map((r) => `${r.peer_ip} ${r.transport}/${r.port} ${r.direction}`))];
    const observed = `${g.destination === first.peer_ip ? '' : `${g.destination} `}${services.slice(0, 5).join(', ')}${services.length > 5 ? ` (+${services.length - 5})` : ''}`;
    const evidence: ExceptionEvidence[] = g.rows.slice(0, 10).map((r) => ({
      source: 'profile.peer', frame: r.first_frame, ts: isoTime(r.first_us), capture: capture(r.capture_id),
    }));
    const assetId = d === undefined ? null : (assetIds.get(d.id) ?? d.asset_id);
    const who = d === undefined ? g.deviceIp : `${d.hostname ?? assetId ?? d.mac ?? d.id} (${[d.manufacturer, d.model].filter((x) => x !== null).join(' ') || 'unidentified'})`;
    const inbound = g.rows.every((r) => r.direction === 'in');
    const verb = inbound ? 'was reached from' : 'called';
    const message = g.forbidden !== undefined
      ? `${who} ${verb} ${g.destination}, which ${g.forbidden.advisory} says to block: ${g.forbidden.products}`
      : `${who} ${verb} external ${g.destination}, which no allowlist permits for it`;
    const e = makeException({
      type: 'unexpected_external_peer', subject, asset_id: assetId ?? null, device_id: d?.id ?? null, mac: d?.mac ?? null,
      field: 'external_peer', expected: g.expected, observed, evidence, message,
    });
    out.push(g.forbidden !== undefined ? { ...e, severity: 'high' } : e);
  }
  return out;
}

/** The policy options from a config's `profile` section; MUD problems go to `onProblem`. */
export function peerPolicy(profile: { allowed_external: readonly AllowedExternal[]; mud_dir: string | null }, onProblem?: (message: string) => void): PeerPolicyOptions {
  return { allowed: profile.allowed_external, mudDir: profile.mud_dir, ...(onProblem === undefined ? {} : { onProblem }) };
}
