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
import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';
import { cachedByKey } from '../cached-by-key.js';

// Required, not imported: see src/device/address-rank.ts.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;
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
  /** Public ranges that are the hospital's own (`profile.internal_networks`): internal, not external. */
  internalNetworks?: readonly string[];
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
  /** Peer address → its conversations (transport, port, direction); keyed by the frame's own address string (no key built per frame). */
  peers: Map<string, ProfilePeer[]>;
  /** Conversations in `peers`, all addresses together (the cap counts these). */
  peerCount: number;
  names: Map<string, ProfileName>;
}

/** Every conversation of a device profile. */
export function* peersOf(d: DeviceProfile): Generator<ProfilePeer> {
  for (const list of d.peers.values()) yield* list;
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

const MAX_SCOPE_CACHE = 65_536;

/** Scopes by address text: the profile asks for both ends of every frame. */
const cachedScope = cachedByKey(scopeUncached, MAX_SCOPE_CACHE);

/**
 * `internal`: RFC 1918, carrier-grade NAT (RFC 6598), loopback, link-local, IPv6 unique-local
 * (RFC 4193) — the hospital side. `external`: publicly routable unicast. `other`: multicast,
 * broadcast, unspecified, documentation and other reserved ranges (not a peer).
 */
export function addressScope(ip: string): PeerScope | 'other' {
  return cachedScope(ip);
}

function scopeUncached(ip: string): PeerScope | 'other' {
  if (!ipaddr.isValid(ip)) return 'other';
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as IpAddr.IPv6).isIPv4MappedAddress()) a = (a as IpAddr.IPv6).toIPv4Address();
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
  /** The last conversation's addresses, ports and entries (sameConversation). */
  private last: LastConversation | undefined;

  /** `limits.internalNetworks`, parsed; and the scope of the addresses checked against them. */
  private readonly ownNetworks: [IpAddr.IPv4 | IpAddr.IPv6, number][];
  private readonly ownScope = new Map<string, PeerScope | 'other'>();

  constructor(
    private readonly counters: ProfileCounters,
    readonly limits: ProfileLimits = PROFILE_LIMITS,
  ) {
    this.ownNetworks = (limits.internalNetworks ?? []).filter(isValidCidr).map((c) => ipaddr.parseCIDR(c));
  }

  /** addressScope, with the hospital's own public ranges internal. */
  private scope(ip: string): PeerScope | 'other' {
    const s = addressScope(ip);
    if (s !== 'external' || this.ownNetworks.length === 0) return s;
    let own = this.ownScope.get(ip);
    if (own === undefined) {
      let a = ipaddr.parse(ip);
      if (a.kind() === 'ipv6' && (a as IpAddr.IPv6).isIPv4MappedAddress()) a = (a as IpAddr.IPv6).toIPv4Address();
      own = this.ownNetworks.some((n) => n[0].kind() === a.kind() && a.match(n)) ? 'internal' : 'external';
      if (this.ownScope.size >= MAX_SCOPE_CACHE) this.ownScope.clear();
      this.ownScope.set(ip, own);
    }
    return own;
  }

  /** Devices held now (tests). */
  get size(): number {
    return this.devices.size;
  }

  /** One frame and what the registry (or the stream decoders: `streamProtocol`) recognised in it. */
  onFrame(frame: FrameRecord, app: AppRecord | undefined, streamProtocol?: string): void {
    if (app !== undefined) this.onApp(frame, app);
    if (this.sameConversation(frame, app, streamProtocol)) return;
    const ip = frame.ip;
    if (ip === undefined) return;
    const srcScope = this.scope(ip.src);
    const dstScope = this.scope(ip.dst);
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
    let a: Side | undefined;
    let b: Side | undefined;
    if (srcScope === 'internal') {
      // The sender: it called the server (dst) when the server is dst, else it answers a caller.
      a = this.entry(ip.src, frame.srcMac, ip.dst, dstScope, transport, serverIsDst ? dport : sport, serverIsDst ? 'out' : 'in', protocol, frame);
      if (a !== undefined) bump(a, frame, bytes, 0, protocol);
    }
    if (dstScope === 'internal') {
      b = this.entry(ip.dst, frame.dstMac, ip.src, srcScope, transport, serverIsDst ? dport : sport, serverIsDst ? 'in' : 'out', protocol, frame);
      if (b !== undefined) bump(b, frame, 0, bytes, protocol);
    }
    this.last = { src: ip.src, dst: ip.dst, sport, dport, transport, a, b };
    if (sni !== undefined && a !== undefined && a.p.direction === 'out') this.nameBySni(a, sni, frame);
  }

  /**
   * The frames of one conversation come in runs: the last frame's two entries, when this frame
   * has the same addresses and ports (either way round), are taken without a map lookup.
   * True when it was the last conversation (and the frame is counted).
   */
  private sameConversation(frame: FrameRecord, app: AppRecord | undefined, streamProtocol: string | undefined): boolean {
    const c = this.last;
    const ip = frame.ip;
    if (c === undefined || ip === undefined) return false;
    let sport: number;
    let dport: number;
    let transport: string;
    if (frame.tcp !== undefined) {
      transport = 'tcp'; sport = frame.tcp.srcPort; dport = frame.tcp.dstPort;
    } else if (frame.udp !== undefined) {
      transport = 'udp'; sport = frame.udp.srcPort; dport = frame.udp.dstPort;
    } else return false;
    if (transport !== c.transport) return false;
    let fromSide: Side | undefined;
    let toSide: Side | undefined;
    if (sport === c.sport && dport === c.dport && ip.src === c.src && ip.dst === c.dst) {
      fromSide = c.a; toSide = c.b;
    } else if (sport === c.dport && dport === c.sport && ip.src === c.dst && ip.dst === c.src) {
      fromSide = c.b; toSide = c.a;
    } else return false;
    const protocol = app?.protocol ?? streamProtocol;
    const bytes = frame.payloadKind === 'tcp' || frame.payloadKind === 'udp' ? frame.payload.length : 0;
    if (fromSide !== undefined) bump(fromSide, frame, bytes, 0, protocol);
    if (toSide !== undefined) bump(toSide, frame, 0, bytes, protocol);
    const sni = app !== undefined && app.protocol === 'tls' ? app.record.serverName : undefined;
    if (sni !== undefined && fromSide !== undefined && fromSide.p.direction === 'out') this.nameBySni(fromSide, sni, frame);
    return true;
  }

  private nameBySni(side: Side, sni: string, frame: FrameRecord): void {
    side.p.name = sni.slice(0, MAX_NAME);
    side.p.nameSource = 'sni';
    this.addName(side.d, 'sni', sni, frame);
  }

  /** What was seen since the last call (the store adds it to the database); the tables start empty again. */
  drain(): ProfileDelta {
    const devices = [...this.devices.values()];
    const mud = [...this.mud.values()];
    this.last = undefined;
    this.devices = new Map();
    this.mud = new Map();
    return { devices, mud };
  }

  /** The device's entry for this conversation (created, evicting if need be); undefined when a cap refuses it. */
  private entry(
    deviceIp: string, mac: string | undefined, peerIp: string, scope: PeerScope, transport: string, port: number,
    direction: 'out' | 'in', protocol: string | undefined, frame: FrameRecord,
  ): Side | undefined {
    const d = this.device(deviceIp, mac, frame);
    if (d === undefined) return undefined;
    let list = d.peers.get(peerIp);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const q = list[i] as ProfilePeer;
        if (q.port === port && q.direction === direction && q.transport === transport) return { d, p: q };
      }
    }
    if (d.peerCount >= this.limits.maxPeersPerDevice) {
      this.evictPeer(d, scope);
      if (d.peerCount >= this.limits.maxPeersPerDevice) return undefined;
      list = d.peers.get(peerIp);
    }
    const dns = this.resolved.get(peerIp);
    const p: ProfilePeer = {
      peerIp, transport, port, direction, scope, protocol, name: dns, nameSource: dns === undefined ? undefined : 'dns',
      first: frame.tsMicros, last: frame.tsMicros, firstFrame: frame.frameNo, frames: 0, bytesOut: 0, bytesIn: 0,
    };
    if (list === undefined) d.peers.set(peerIp, [p]);
    else list.push(p);
    d.peerCount++;
    return { d, p };
  }

  private device(ip: string, mac: string | undefined, frame: FrameRecord): DeviceProfile | undefined {
    let d = this.devices.get(ip);
    if (d === undefined) {
      if (this.devices.size >= this.limits.maxDevices) {
        this.counters.inc('profile.devices_dropped');
        return undefined;
      }
      d = { ip, mac, first: frame.tsMicros, last: frame.tsMicros, frames: 0, peers: new Map(), peerCount: 0, names: new Map() };
      this.devices.set(ip, d);
    }
    if (d.mac === undefined) d.mac = mac;
    return d;
  }

  /** Makes room for a new peer: an internal peer with the fewest frames goes first; an external one only for another external one. */
  private evictPeer(d: DeviceProfile, incoming: PeerScope): void {
    let victim: ProfilePeer | undefined;
    let victimScore = Infinity;
    for (const p of peersOf(d)) {
      if (p.scope === 'external' && incoming === 'internal') continue;
      const score = (p.scope === 'external' ? 1e15 : 0) + p.frames;
      if (score < victimScore) {
        victimScore = score;
        victim = p;
      }
    }
    this.counters.inc('profile.peers_evicted');
    this.last = undefined;
    if (victim === undefined) return;
    const list = d.peers.get(victim.peerIp) as ProfilePeer[];
    list.splice(list.indexOf(victim), 1);
    if (list.length === 0) d.peers.delete(victim.peerIp);
    d.peerCount--;
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
          if (this.scope(ip.src) !== 'internal') return;
          const d = this.device(ip.src, frame.srcMac, frame);
          if (d === undefined) return;
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

/** One device's entry for a conversation. */
interface Side {
  d: DeviceProfile;
  p: ProfilePeer;
}

interface LastConversation {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  transport: string;
  /** The sender's entry (undefined when it is not profiled) and the receiver's. */
  a: Side | undefined;
  b: Side | undefined;
}

function bump(side: Side, frame: FrameRecord, bytesOut: number, bytesIn: number, protocol: string | undefined): void {
  const { d, p } = side;
  const ts = frame.tsMicros;
  d.frames++;
  if (ts > d.last) d.last = ts;
  p.frames++;
  p.bytesOut += bytesOut;
  p.bytesIn += bytesIn;
  if (ts > p.last) p.last = ts;
  if (p.protocol === undefined && protocol !== undefined) p.protocol = protocol;
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
