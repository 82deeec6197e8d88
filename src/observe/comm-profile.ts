/**
 * \summary Per-device communication profile (issue 20): for each internal address, the peers it
 * talks to (internal or external, transport, service port, direction, protocol, first and last
 * seen, frames, payload bytes each way), the names it resolves (its own unicast DNS questions)
 * and the TLS server names (SNI) it calls, plus the MUD URL a device announces (DHCP option 161,
 * the LLDP MUD TLV of RFC 8520 §10 and §11).
 *
 * The tracker holds only what was seen since the last flush (deltas): the store adds them to the
 * database rows, so a restart loses nothing written and memory stays bounded by one flush interval.
 * Every table has a cap and a counter: devices (`profile.devices_dropped`), peers per device
 * (`profile.peers_evicted`: internal peers, then the fewest frames, go first), names per device
 * (`profile.names_evicted`), the address → DNS name cache (`profile.resolved_evicted`), MUD URLs
 * (`profile.mud_dropped`). Nothing but addresses, ports, counts, DNS names and server names is
 * kept: never a payload, a user name or a certificate field.
 *
 * Hand-written: no npm package keeps a bounded per-host conversation table fed frame by frame;
 * address classes come from ipaddr.js.
 */
import ipaddr from 'ipaddr.js';
import type { FrameRecord } from '../decode/frame-record.js';
import type { AppRecord } from '../decode/registry.js';

export interface ProfileLimits {
  /** Devices (internal addresses) profiled between two flushes; and in the database. */
  maxDevices: number;
  /** Peers kept per device. */
  maxPeersPerDevice: number;
  /** DNS names and SNI kept per device. */
  maxNamesPerDevice: number;
  /** Address → the DNS name it resolved from, remembered to name peers. */
  maxResolved: number;
}

export const PROFILE_LIMITS: Readonly<ProfileLimits> = Object.freeze({
  maxDevices: 16_384,
  maxPeersPerDevice: 64,
  maxNamesPerDevice: 64,
  maxResolved: 8_192,
});

export type PeerScope = 'internal' | 'external';

export interface ProfilePeer {
  peerIp: string;
  /** `tcp`, `udp`, `icmp`, or `ip<n>` for another IP protocol. */
  transport: string;
  /** The service port: the peer's when the device called it (`out`), the device's own when the peer called in (`in`); 0 without ports. */
  port: number;
  direction: 'out' | 'in';
  scope: PeerScope;
  /** Application protocol a decoder recognised on this conversation (`tls`, `dns`, `ssh`, `dicom`, ...). */
  protocol: string | undefined;
  /** The name the device called it by: its TLS SNI, else a DNS name that resolved to it. */
  name: string | undefined;
  nameSource: 'sni' | 'dns' | undefined;
  first: number;
  last: number;
  firstFrame: number;
  frames: number;
  /** TCP/UDP payload bytes the device sent to and received from the peer. */
  bytesOut: number;
  bytesIn: number;
}

export interface ProfileName {
  kind: 'dns' | 'sni';
  name: string;
  first: number;
  last: number;
  firstFrame: number;
  count: number;
}

export interface DeviceProfile {
  ip: string;
  /** Link-layer address on the device's side of its frames (a router's when it is routed). */
  mac: string | undefined;
  first: number;
  last: number;
  frames: number;
  peers: Map<string, ProfilePeer>;
  names: Map<string, ProfileName>;
}

/** A MUD URL a device announced (RFC 8520). */
export interface MudAnnouncement {
  mac: string;
  url: string;
  source: 'dhcp.option161' | 'lldp.mud';
  /** First announcement of this URL since the last flush: its capture time and frame. */
  ts: number;
  frame: number;
  /** Last announcement's capture time. */
  last: number;
}

export interface ProfileCounters {
  inc(name: string, by?: number): void;
}

/** What the store writes at a flush. */
export interface ProfileDelta {
  devices: DeviceProfile[];
  mud: MudAnnouncement[];
}

/** RFC 8520 §10: DHCPv4 option 161 carries the MUD URL. */
export const DHCP_MUD_URL_OPTION = 161;
/** RFC 8520 §11: LLDP organisationally specific TLV, IANA OUI 00-00-5E, subtype 1. */
export const LLDP_MUD_OUI = 0x00005e;
export const LLDP_MUD_SUBTYPE = 1;
/** RFC 8520 §10: a MUD URL is at most 255 octets on the wire; longer text is not a MUD URL. */
const MAX_MUD_URL = 255;
const MAX_NAME = 255;

const scopeCache = new Map<string, PeerScope | 'other'>();
const MAX_SCOPE_CACHE = 65_536;

/**
 * `internal`: RFC 1918, carrier-grade NAT (RFC 6598), loopback, link-local, IPv6 unique-local
 * (RFC 4193) — the hospital side. `external`: publicly routable unicast. `other`: multicast,
 * broadcast, unspecified, documentation and other reserved ranges (not a peer).
 */
export function addressScope(ip: string): PeerScope | 'other' {
  let s = scopeCache.get(ip);
  if (s === undefined) {
    s = scopeUncached(ip);
    if (scopeCache.size >= MAX_SCOPE_CACHE) scopeCache.clear();
    scopeCache.set(ip, s);
  }
  return s;
}

function scopeUncached(ip: string): PeerScope | 'other' {
  if (!ipaddr.isValid(ip)) return 'other';
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  switch (a.range()) {
    case 'private': case 'carrierGradeNat': case 'loopback': case 'linkLocal': case 'uniqueLocal':
      return 'internal';
    case 'unicast':
      return 'external';
    default:
      return 'other';
  }
}

/** Ports a server listens on even when higher than the client's (so the lower port is not taken for the service). */
const HIGH_SERVICE_PORTS = new Set([1494, 2575, 2598, 3389, 5938, 6568, 7070, 8080, 8443, 11112]);

function isServicePort(p: number): boolean {
  return p < 1024 || HIGH_SERVICE_PORTS.has(p) || (p >= 5900 && p <= 5999);
}

export class CommProfileTracker {
  private devices = new Map<string, DeviceProfile>();
  private mud = new Map<string, MudAnnouncement>();
  /** Address → the DNS name that resolved to it (insertion order = age). */
  private readonly resolved = new Map<string, string>();

  constructor(
    private readonly counters: ProfileCounters,
    readonly limits: ProfileLimits = PROFILE_LIMITS,
  ) {}

  /** Devices held now (tests). */
  get size(): number {
    return this.devices.size;
  }

  /** One frame and what the registry (or the stream decoders: `streamProtocol`) recognised in it. */
  onFrame(frame: FrameRecord, app: AppRecord | undefined, streamProtocol?: string): void {
    if (app !== undefined) this.onApp(frame, app);
    const ip = frame.ip;
    if (ip === undefined) return;
    const srcScope = addressScope(ip.src);
    const dstScope = addressScope(ip.dst);
    if (srcScope !== 'internal' && dstScope !== 'internal') return;
    if (srcScope === 'other' || dstScope === 'other') return;
    let transport: string;
    let sport = 0;
    let dport = 0;
    let serverIsDst = true;
    const tcp = frame.tcp;
    const udp = frame.udp;
    if (tcp !== undefined) {
      transport = 'tcp';
      sport = tcp.srcPort;
      dport = tcp.dstPort;
      const synOnly = (tcp.flags & 0x12) === 0x02;
      const synAck = (tcp.flags & 0x12) === 0x12;
      serverIsDst = synOnly ? true : synAck ? false : serverSide(sport, dport);
    } else if (udp !== undefined) {
      transport = 'udp';
      sport = udp.srcPort;
      dport = udp.dstPort;
      serverIsDst = serverSide(sport, dport);
    } else {
      transport = ip.protocol === 1 || ip.protocol === 58 ? 'icmp' : `ip${ip.protocol}`;
    }
    const protocol = app?.protocol ?? streamProtocol;
    const bytes = frame.payloadKind === 'tcp' || frame.payloadKind === 'udp' ? frame.payload.length : 0;
    const sni = app !== undefined && app.protocol === 'tls' ? app.record.serverName : undefined;
    if (srcScope === 'internal') {
      // The sender: it called the server (dst) when the server is dst, else it answers a caller.
      this.count(ip.src, frame.srcMac, ip.dst, dstScope, transport, serverIsDst ? dport : sport, serverIsDst ? 'out' : 'in', protocol, frame, bytes, 0, sni);
    }
    if (dstScope === 'internal') {
      this.count(ip.dst, frame.dstMac, ip.src, srcScope, transport, serverIsDst ? dport : sport, serverIsDst ? 'in' : 'out', protocol, frame, 0, bytes, undefined);
    }
  }

  /** What was seen since the last call (the store adds it to the database); the tables start empty again. */
  drain(): ProfileDelta {
    const devices = [...this.devices.values()];
    const mud = [...this.mud.values()];
    this.devices = new Map();
    this.mud = new Map();
    return { devices, mud };
  }

  private count(
    deviceIp: string, mac: string | undefined, peerIp: string, scope: PeerScope, transport: string, port: number,
    direction: 'out' | 'in', protocol: string | undefined, frame: FrameRecord, bytesOut: number, bytesIn: number, sni: string | undefined,
  ): void {
    const d = this.device(deviceIp, mac, frame);
    if (d === undefined) return;
    const key = `${peerIp}|${transport}|${port}|${direction}`;
    let p = d.peers.get(key);
    if (p === undefined) {
      if (d.peers.size >= this.limits.maxPeersPerDevice) this.evictPeer(d, scope);
      if (d.peers.size >= this.limits.maxPeersPerDevice) return;
      const dns = this.resolved.get(peerIp);
      p = {
        peerIp, transport, port, direction, scope, protocol, name: dns, nameSource: dns === undefined ? undefined : 'dns',
        first: frame.tsMicros, last: frame.tsMicros, firstFrame: frame.frameNo, frames: 0, bytesOut: 0, bytesIn: 0,
      };
      d.peers.set(key, p);
    }
    p.frames++;
    p.bytesOut += bytesOut;
    p.bytesIn += bytesIn;
    if (frame.tsMicros > p.last) p.last = frame.tsMicros;
    if (p.protocol === undefined && protocol !== undefined) p.protocol = protocol;
    if (sni !== undefined && direction === 'out') {
      p.name = sni.slice(0, MAX_NAME);
      p.nameSource = 'sni';
      this.addName(d, 'sni', sni, frame);
    }
  }

  private device(ip: string, mac: string | undefined, frame: FrameRecord): DeviceProfile | undefined {
    let d = this.devices.get(ip);
    if (d === undefined) {
      if (this.devices.size >= this.limits.maxDevices) {
        this.counters.inc('profile.devices_dropped');
        return undefined;
      }
      d = { ip, mac, first: frame.tsMicros, last: frame.tsMicros, frames: 0, peers: new Map(), names: new Map() };
      this.devices.set(ip, d);
    }
    d.frames++;
    if (frame.tsMicros > d.last) d.last = frame.tsMicros;
    if (d.mac === undefined) d.mac = mac;
    return d;
  }

  /** Makes room for a new peer: an internal peer with the fewest frames goes first; an external one only for another external one. */
  private evictPeer(d: DeviceProfile, incoming: PeerScope): void {
    let victim: string | undefined;
    let victimScore = Infinity;
    for (const [k, p] of d.peers) {
      if (p.scope === 'external' && incoming === 'internal') continue;
      const score = (p.scope === 'external' ? 1e15 : 0) + p.frames;
      if (score < victimScore) {
        victimScore = score;
        victim = k;
      }
    }
    this.counters.inc('profile.peers_evicted');
    if (victim !== undefined) d.peers.delete(victim);
  }

  private addName(d: DeviceProfile, kind: 'dns' | 'sni', raw: string, frame: FrameRecord): void {
    const name = raw.slice(0, MAX_NAME);
    const key = `${kind}|${name}`;
    let n = d.names.get(key);
    if (n === undefined) {
      if (d.names.size >= this.limits.maxNamesPerDevice) {
        // The name asked least often goes.
        let victim: string | undefined;
        let least = Infinity;
        for (const [k, v] of d.names) if (v.count < least) { least = v.count; victim = k; }
        if (victim !== undefined) d.names.delete(victim);
        this.counters.inc('profile.names_evicted');
      }
      n = { kind, name, first: frame.tsMicros, last: frame.tsMicros, firstFrame: frame.frameNo, count: 0 };
      d.names.set(key, n);
    }
    n.count++;
    if (frame.tsMicros > n.last) n.last = frame.tsMicros;
  }

  /** DNS questions a device asks, the addresses its answers give, MUD URLs. */
  private onApp(frame: FrameRecord, app: AppRecord): void {
    switch (app.protocol) {
      case 'dns':
      case 'dns_tcp': {
        const ip = frame.ip;
        const r = app.record;
        if (ip === undefined) return;
        if (!r.isResponse) {
          if (addressScope(ip.src) !== 'internal') return;
          const d = this.device(ip.src, frame.srcMac, frame);
          if (d === undefined) return;
          d.frames--; // counted by the peer accounting of the same frame
          for (const q of r.questions) if (q.name !== '') this.addName(d, 'dns', q.name, frame);
          return;
        }
        const question = r.questions[0]?.name;
        for (const a of r.answers) {
          if (a.type !== 'A' && a.type !== 'AAAA') continue;
          this.resolved.delete(a.data);
          if (this.resolved.size >= this.limits.maxResolved) {
            const oldest = this.resolved.keys().next().value;
            if (oldest !== undefined) this.resolved.delete(oldest);
            this.counters.inc('profile.resolved_evicted');
          }
          this.resolved.set(a.data, (question ?? a.name).slice(0, MAX_NAME));
        }
        return;
      }
      case 'dhcp': {
        const r = app.record;
        if (r.op !== 1 || !r.chaddrIsMac) return;
        const opt = r.options.find((o) => o.code === DHCP_MUD_URL_OPTION);
        if (opt !== undefined) this.announce(r.chaddr, opt.data, 'dhcp.option161', frame);
        return;
      }
      case 'lldp': {
        const mac = frame.srcMac;
        if (mac === undefined) return;
        for (const t of app.record.orgTlvs) {
          if (t.oui === LLDP_MUD_OUI && t.subtype === LLDP_MUD_SUBTYPE) this.announce(mac, t.bytes, 'lldp.mud', frame);
        }
        return;
      }
      default:
        return;
    }
  }

  private announce(mac: string, bytes: Uint8Array, source: MudAnnouncement['source'], frame: FrameRecord): void {
    const url = mudUrlOf(bytes);
    if (url === undefined) {
      this.counters.inc('profile.mud_invalid');
      return;
    }
    const known = this.mud.get(mac);
    if (known !== undefined && known.url === url) {
      if (frame.tsMicros > known.last) known.last = frame.tsMicros;
      return;
    }
    if (known === undefined && this.mud.size >= this.limits.maxDevices) {
      this.counters.inc('profile.mud_dropped');
      return;
    }
    this.mud.set(mac, { mac, url, source, ts: frame.tsMicros, frame: frame.frameNo, last: frame.tsMicros });
  }
}

/** The server end: a service port against a non-service one, else the lower port. True when it is the destination. */
function serverSide(sport: number, dport: number): boolean {
  const s = isServicePort(sport);
  const d = isServicePort(dport);
  if (s !== d) return d;
  return dport <= sport;
}

/** RFC 8520 §10/§11: an `https://` URL of printable ASCII, at most 255 octets; else undefined. */
export function mudUrlOf(bytes: Uint8Array): string | undefined {
  if (bytes.length < 9 || bytes.length > MAX_MUD_URL) return undefined;
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c < 0x21 || c > 0x7e) return undefined;
    s += String.fromCharCode(c);
  }
  return s.startsWith('https://') ? s : undefined;
}

/** True for an IPv4 or IPv6 CIDR (`203.0.113.0/24`, `2001:db8::/32`). */
export function isValidCidr(v: string): boolean {
  try {
    ipaddr.parseCIDR(v);
    return true;
  } catch {
    return false;
  }
}
