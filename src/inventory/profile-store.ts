/**
 * \summary The communication profile's tables (issue 20): `profile_device`, `profile_peer`,
 * `profile_name`, `mud_url`. A flush adds the tracker's deltas to the rows (counts summed, first
 * and last seen widened) in one transaction, then trims each device it touched back to the caps:
 * the table never holds more than `max_peers_per_device` peers and `max_names_per_device` names
 * of a device, nor more than `max_devices` devices (counters `profile.peers_evicted`,
 * `profile.names_evicted`, `profile.devices_dropped`). External peers are kept before internal
 * ones, then the busiest.
 */
import type { Db } from './store.js';
import type { DeviceProfile, ProfileCounters, ProfileDelta, ProfileLimits } from '../observe/comm-profile.js';
import { peersOf, PROFILE_LIMITS } from '../observe/comm-profile.js';

export interface StoredPeer {
  peer_ip: string;
  transport: string;
  port: number;
  direction: 'out' | 'in';
  scope: 'internal' | 'external';
  protocol: string | null;
  name: string | null;
  name_source: 'sni' | 'dns' | null;
  first_us: number;
  last_us: number;
  first_frame: number;
  capture_id: number | null;
  frames: number;
  bytes_out: number;
  bytes_in: number;
  /** The profiled address of the device this row belongs to. */
  device_ip: string;
}

export interface StoredName {
  device_ip: string;
  kind: 'dns' | 'sni';
  name: string;
  first_us: number;
  last_us: number;
  first_frame: number;
  capture_id: number | null;
  count: number;
}

export interface StoredMud {
  mac: string;
  url: string;
  source: string;
  first_us: number;
  last_us: number;
  first_frame: number;
  capture_id: number | null;
}

/** A device's stored profile: every address of it merged. */
export interface StoredProfile {
  peers: StoredPeer[];
  names: StoredName[];
  mud: StoredMud | undefined;
}

export class ProfileStore {
  private readonly stmt;

  constructor(private readonly db: Db, private readonly counters: ProfileCounters, private readonly limits: ProfileLimits = PROFILE_LIMITS) {
    this.stmt = {
      hasDevice: db.prepare('SELECT 1 FROM profile_device WHERE device_ip = ?'),
      countDevices: db.prepare('SELECT count(*) AS n FROM profile_device'),
      upsertDevice: db.prepare(`INSERT INTO profile_device (device_ip, device_mac, first_us, last_us, frames) VALUES (@ip, @mac, @first, @last, @frames)
        ON CONFLICT(device_ip) DO UPDATE SET device_mac = coalesce(device_mac, excluded.device_mac), first_us = min(first_us, excluded.first_us),
          last_us = max(last_us, excluded.last_us), frames = frames + excluded.frames`),
      upsertPeer: db.prepare(`INSERT INTO profile_peer (device_ip, peer_ip, transport, port, direction, scope, protocol, name, name_source,
          first_us, last_us, first_frame, capture_id, frames, bytes_out, bytes_in)
        VALUES (@deviceIp, @peerIp, @transport, @port, @direction, @scope, @protocol, @name, @nameSource, @first, @last, @firstFrame, @captureId, @frames, @bytesOut, @bytesIn)
        ON CONFLICT(device_ip, peer_ip, transport, port, direction) DO UPDATE SET protocol = coalesce(protocol, excluded.protocol),
          name = CASE WHEN excluded.name_source = 'sni' OR name IS NULL THEN coalesce(excluded.name, name) ELSE name END,
          name_source = CASE WHEN excluded.name_source = 'sni' OR name IS NULL THEN coalesce(excluded.name_source, name_source) ELSE name_source END,
          first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us), frames = frames + excluded.frames,
          bytes_out = bytes_out + excluded.bytes_out, bytes_in = bytes_in + excluded.bytes_in`),
      countPeers: db.prepare('SELECT count(*) AS n FROM profile_peer WHERE device_ip = ?'),
      trimPeers: db.prepare(`DELETE FROM profile_peer WHERE device_ip = @ip AND (peer_ip, transport, port, direction) IN (
          SELECT peer_ip, transport, port, direction FROM profile_peer WHERE device_ip = @ip
          ORDER BY scope = 'external' DESC, frames DESC, last_us DESC, peer_ip, transport, port, direction LIMIT -1 OFFSET @keep)`),
      upsertName: db.prepare(`INSERT INTO profile_name (device_ip, kind, name, first_us, last_us, first_frame, capture_id, count)
        VALUES (@deviceIp, @kind, @name, @first, @last, @firstFrame, @captureId, @count)
        ON CONFLICT(device_ip, kind, name) DO UPDATE SET first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us),
          count = count + excluded.count`),
      countNames: db.prepare('SELECT count(*) AS n FROM profile_name WHERE device_ip = ?'),
      trimNames: db.prepare(`DELETE FROM profile_name WHERE device_ip = @ip AND (kind, name) IN (
          SELECT kind, name FROM profile_name WHERE device_ip = @ip ORDER BY count DESC, last_us DESC, kind, name LIMIT -1 OFFSET @keep)`),
      upsertMud: db.prepare(`INSERT INTO mud_url (mac, url, source, first_us, last_us, first_frame, capture_id) VALUES (@mac, @url, @source, @ts, @last, @frame, @captureId)
        ON CONFLICT(mac) DO UPDATE SET first_us = CASE WHEN url = excluded.url THEN first_us ELSE excluded.first_us END,
          first_frame = CASE WHEN url = excluded.url THEN first_frame ELSE excluded.first_frame END,
          capture_id = CASE WHEN url = excluded.url THEN capture_id ELSE excluded.capture_id END,
          url = excluded.url, source = excluded.source, last_us = max(last_us, excluded.last_us)`),
    };
  }

  /** Adds one flush's deltas, then trims the devices it touched to the caps; one transaction. */
  write(delta: ProfileDelta, captureId: number | null): void {
    if (delta.devices.length === 0 && delta.mud.length === 0) return;
    const s = this.stmt;
    this.db.transaction(() => {
      let stored = (s.countDevices.get() as { n: number }).n;
      for (const d of delta.devices) {
        if (s.hasDevice.get(d.ip) === undefined) {
          if (stored >= this.limits.maxDevices) {
            this.counters.inc('profile.devices_dropped');
            continue;
          }
          stored++;
        }
        this.writeDevice(d, captureId);
      }
      for (const m of delta.mud) s.upsertMud.run({ mac: m.mac, url: m.url, source: m.source, ts: m.ts, last: m.last, frame: m.frame, captureId });
    })();
  }

  private writeDevice(d: DeviceProfile, captureId: number | null): void {
    const s = this.stmt;
    s.upsertDevice.run({ ip: d.ip, mac: d.mac ?? null, first: d.first, last: d.last, frames: d.frames });
    for (const p of peersOf(d)) {
      s.upsertPeer.run({
        deviceIp: d.ip, peerIp: p.peerIp, transport: p.transport, port: p.port, direction: p.direction, scope: p.scope,
        protocol: p.protocol ?? null, name: p.name ?? null, nameSource: p.nameSource ?? null, first: p.first, last: p.last,
        firstFrame: p.firstFrame, captureId, frames: p.frames, bytesOut: p.bytesOut, bytesIn: p.bytesIn,
      });
    }
    for (const n of d.names.values()) {
      s.upsertName.run({ deviceIp: d.ip, kind: n.kind, name: n.name, first: n.first, last: n.last, firstFrame: n.firstFrame, captureId, count: n.count });
    }
    const peers = (s.countPeers.get(d.ip) as { n: number }).n;
    if (peers > this.limits.maxPeersPerDevice) {
      const gone = s.trimPeers.run({ ip: d.ip, keep: this.limits.maxPeersPerDevice }).changes;
      this.counters.inc('profile.peers_evicted', gone);
    }
    const names = (s.countNames.get(d.ip) as { n: number }).n;
    if (names > this.limits.maxNamesPerDevice) {
      const gone = s.trimNames.run({ ip: d.ip, keep: this.limits.maxNamesPerDevice }).changes;
      this.counters.inc('profile.names_evicted', gone);
    }
  }
}

/** Whether the profile tables exist (a read-only database of an older version has none). */
function hasProfileTables(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'profile_peer'").get() !== undefined;
}

/**
 * The profile of a device that holds `ips` (and `mac`): its peers, busiest first, the names it
 * resolved and called, and the MUD URL it announced.
 */
export function loadProfile(db: Db, ips: readonly string[], mac: string | null): StoredProfile {
  if (!hasProfileTables(db)) return { peers: [], names: [], mud: undefined };
  const peerStmt = db.prepare(`SELECT * FROM profile_peer WHERE device_ip = ?`);
  const nameStmt = db.prepare(`SELECT * FROM profile_name WHERE device_ip = ?`);
  const peers: StoredPeer[] = [];
  const names: StoredName[] = [];
  for (const ip of ips) {
    peers.push(...(peerStmt.all(ip) as StoredPeer[]));
    names.push(...(nameStmt.all(ip) as StoredName[]));
  }
  peers.sort((a, b) => b.frames - a.frames || a.first_us - b.first_us || cmp(a.peer_ip, b.peer_ip) || cmp(a.transport, b.transport) || a.port - b.port || cmp(a.direction, b.direction));
  names.sort((a, b) => cmp(a.kind, b.kind) || b.count - a.count || cmp(a.name, b.name));
  const mud = mac === null ? undefined : (db.prepare('SELECT * FROM mud_url WHERE mac = ?').get(mac) as StoredMud | undefined);
  return { peers, names, mud };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

/** A profile as `device --json` and the report show it (times ISO 8601, keys snake_case). */
export function profileJson(p: StoredProfile, captureName: (id: number | null) => string | null = () => null): Record<string, unknown> {
  return {
    mud_url: p.mud === undefined ? null : { url: p.mud.url, source: p.mud.source, first_seen: iso(p.mud.first_us), last_seen: iso(p.mud.last_us), capture: captureName(p.mud.capture_id), frame: p.mud.first_frame },
    peers: p.peers.map((x) => ({
      peer_ip: x.peer_ip, scope: x.scope, name: x.name, name_source: x.name_source, transport: x.transport, port: x.port,
      direction: x.direction, protocol: x.protocol, first_seen: iso(x.first_us), last_seen: iso(x.last_us), frames: x.frames,
      bytes_out: x.bytes_out, bytes_in: x.bytes_in, capture: captureName(x.capture_id), frame: x.first_frame, device_ip: x.device_ip,
    })),
    names: p.names.map((n) => ({ kind: n.kind, name: n.name, count: n.count, first_seen: iso(n.first_us), last_seen: iso(n.last_us), capture: captureName(n.capture_id), frame: n.first_frame })),
  };
}

/** Capture id → file basename, for evidence columns. */
export function captureNames(db: Db): (id: number | null) => string | null {
  const m = new Map<number, string>();
  for (const c of db.prepare('SELECT id, path FROM capture').all() as { id: number; path: string }[]) m.set(c.id, c.path.split('/').pop() ?? c.path);
  return (id) => (id === null ? null : (m.get(id) ?? null));
}
