/**
 * \summary IP-to-MAC binding from plain IP traffic, with router detection.
 *
 * A frame's source IP belongs to its source MAC only when that MAC is the host itself. A router
 * forwards traffic from many subnets under its own MAC; once a MAC has sourced IPs from more than
 * `routerPrefixThreshold` distinct prefixes (/24 for IPv4, /64 for IPv6), it is a router: its
 * weak bindings are withdrawn (`ip.unbind`), it is marked (`ip.router`), and the hosts behind it
 * become IP-keyed devices that are not locally attached. DHCP, ARP and mDNS bindings are made by
 * their own observers and are never withdrawn here.
 *
 * A MAC whose LLDP or CDP announces the router capability (enabled) is a router from that frame
 * on, whatever its prefix count (`observeAdvertisement`, which reads the typed capability flags of
 * src/observe/location-facts.ts, not the capability strings). A router keeps its own addresses, which
 * are never withdrawn, never hosts behind it and never counted as prefixes: those it answers ARP
 * for, the management addresses its LLDP/CDP announce, and the sources of its packets to a
 * link-local multicast group (224.0.0.0/24, ff02::/16: OSPF and PIM hellos, VRRP, RIPv2, IGMP),
 * which no router forwards (bound as `ip-local`), and, once it is a router, the sources of its
 * packets that still carry an initial TTL (64, 128, 255): a forwarded packet has lost at least one. Prefixes are computed with ipaddr.js (src/device/address-rank.ts routingPrefix).
 *
 * A router not yet recognised (one forwarded subnet, no LLDP/CDP) gives itself away per packet:
 * a unicast packet whose TTL is no initial TTL (32, 60, 64, 128, 255) was forwarded, so its source
 * address is a host behind the MAC, never the MAC's own, unless the MAC has also sent from it
 * with an initial TTL, answered ARP for it or announced it. Such a source is not bound to the MAC:
 * it becomes an IP-keyed host (`ip.seen_via_router`), and `attributeForwarded` gives that host,
 * not the MAC, the application facts (HL7, DICOM, ...) of its frames and of frames sent to it.
 */
import type { FrameRecord } from '../decode/frame-record.js';
import type { Observation } from './observation.js';
import type { SwitchAdvertisement } from './location-facts.js';
import { factAbout, factOf, innermostVlan } from './observe-context.js';
import type { Counters } from '../counters.js';
import { routingPrefix } from '../device/address-rank.js';
import { makeRoom } from '../device/bounded-map.js';
import { appended } from '../device/tight-list.js';
import { StateVersion, type Versioned } from '../state-version.js';

export interface BinderLimits {
  /** Distinct source prefixes above which a MAC is taken for a router. */
  routerPrefixThreshold: number;
  /** MACs tracked; the oldest are forgotten past this (their state rebuilds if seen again). */
  maxTrackedMacs: number;
}

// 16k MACs (about 460 bytes each): twice the model's resident devices, so memory does not grow with
// the number of devices on the network; a MAC forgotten rebuilds its state when heard again.
export const BINDER_LIMITS: BinderLimits = { routerPrefixThreshold: 3, maxTrackedMacs: 16_384 };

interface MacState {
  prefixes: Set<string>;
  /** Sources bound to the MAC (seen with an initial TTL, or before TTLs were known). */
  ips: string[];
  /** Sources the MAC only ever forwarded (decremented TTL): hosts behind it, not its own. */
  routed: string[];
  /** The MAC's own addresses (sources of link-local multicast): kept when it is a router. */
  own: string[];
  router: boolean;
  /** Bumped by every change, and when the state is forgotten (src/state-version.ts). */
  version: number;
}

/** The MAC an address belongs to as its own. */
interface Owner {
  mac: string;
  version: number;
}

/** The routing prefix router detection counts: /24 of IPv4, /64 of IPv6 (parsed, not sliced). */
export const prefixOf = routingPrefix;

/** A destination no router forwards (224.0.0.0/24, ff02::/16): the source is on the link. */
export function isLinkLocalGroup(ip: string): boolean {
  // Read by character, not through toLowerCase(): this runs for every plain frame (the header
  // signature's destination class) and a lowered copy per frame was a tenth of what it allocated.
  return ip.startsWith('224.0.0.') || (startsWithFf(ip) && ip.charCodeAt(2) === 0x30 && ip.charCodeAt(3) === 0x32 && ip.charCodeAt(4) === 0x3a);
}

/** Whether `ip` starts with "ff" in either case (an IPv6 multicast address). */
function startsWithFf(ip: string): boolean {
  // 'F' | 0x20 is 'f', and no other character gives 'f'.
  return (ip.charCodeAt(0) | 0x20) === 0x66 && (ip.charCodeAt(1) | 0x20) === 0x66;
}

/** The number before an IPv4 address's first dot, read without slicing a copy (a lone digit
 * string is what formatted addresses hold; anything else is read as `Number` reads it). */
function firstOctet(ip: string): number {
  let n = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 0x2e) return n;
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return Number(ip.slice(0, ip.indexOf('.')));
}

/** Initial TTLs / hop limits of common stacks: a packet that still has one was not forwarded. */
const INITIAL_TTLS: ReadonlySet<number> = new Set([64, 128, 255]);

/** TTLs a host's own packets may leave with: today's stacks and older ones (32, 60). A unicast
 * packet with any other TTL has crossed a router. */
const SENDER_TTLS: ReadonlySet<number> = new Set([32, 60, 64, 128, 255]);

/** Addresses a MAC keeps per list (own, bound, routed); more are counted and not kept. */
const MAX_IPS_PER_MAC = 64;

/** Addresses that never identify a host: unspecified, broadcast, multicast, link-local v6 is kept. */
export function isHostAddress(ip: string): boolean {
  if (ip === '0.0.0.0' || ip === '255.255.255.255' || ip === '::') return false;
  if (ip.includes(':')) return !startsWithFf(ip);
  const first = firstOctet(ip);
  return first < 224 && first !== 127;
}

/** A unicast destination (not broadcast or multicast): only those say a TTL was spent by routing
 * (SSDP and other multicast leave hosts with TTLs of 1 to 4). */
function isUnicast(ip: string): boolean {
  return isHostAddress(ip) && !ip.endsWith('.255');
}

/**
 * All the binder reads of a frame's destination address: 2 a link-local group, 1 another unicast
 * address, 0 neither. Frames from one sender that agree on it (and on the sender's fields) move
 * the binder alike (src/header-signatures.ts keys on it).
 */
export function destinationClass(dst: string): 0 | 1 | 2 {
  return isLinkLocalGroup(dst) ? 2 : isUnicast(dst) ? 1 : 0;
}

export class AddressBinder {
  private readonly macs = new Map<string, MacState>();
  /** Address → the MAC it is bound to as its own (ARP, announced, sent with an initial TTL):
   * a routed copy of that host's traffic (two capture points, a hairpin) is still that host's. */
  private readonly owners = new Map<string, Owner>();
  /** Which MACs have a state and which addresses an owner (what a lookup that finds none read). */
  private readonly membership: Versioned = { version: 0 };

  constructor(
    private readonly limits: BinderLimits = BINDER_LIMITS,
    private readonly counters?: Counters,
    /** Bumped by every change of a MAC's state or an address's owner (src/state-version.ts). */
    private readonly version: StateVersion = new StateVersion(),
  ) {}

  private state(mac: string): MacState {
    let s = this.macs.get(mac);
    if (s) {
      this.version.read(s);
    } else {
      makeRoom(this.macs, this.limits.maxTrackedMacs, this.counters, 'binder.macs_evicted', this.forget);
      s = { prefixes: new Set(), ips: [], routed: [], own: [], router: false, version: 0 };
      this.macs.set(mac, s);
      this.version.bump(this.membership);
    }
    return s;
  }

  /** The entry `makeRoom` dropped from a full table: records that read it are stale. */
  private readonly forget = (dropped: Versioned): void => this.version.bump(dropped);

  /** The MAC that owns `ip`, if one does. */
  private ownerOf(ip: string): string | undefined {
    const owner = this.owners.get(ip);
    this.version.read(owner ?? this.membership);
    return owner?.mac;
  }

  /** Remembers `mac` as the owner of `ip` (bounded like the MACs; the oldest forgotten, counted). */
  private own(ip: string, mac: string): void {
    const owner = this.owners.get(ip);
    if (owner !== undefined) {
      this.version.read(owner);
      if (owner.mac === mac) return;
      owner.mac = mac;
      this.version.bump(owner);
      return;
    }
    makeRoom(this.owners, this.limits.maxTrackedMacs, this.counters, 'binder.owners_evicted', this.forget);
    this.owners.set(ip, { mac, version: 0 });
    this.version.bump(this.membership);
  }

  /** `ip` is `mac`'s own address (it answered ARP for it, or announced it in LLDP/CDP). */
  ownAddress(mac: string, ip: string): void {
    this.own(ip, mac);
    const s = this.state(mac);
    if (s.own.includes(ip)) return;
    if (s.own.length >= MAX_IPS_PER_MAC) {
      this.counters?.inc('binder.addresses_dropped');
      return;
    }
    s.own = appended(s.own, ip);
    this.version.bump(s);
    const i = s.ips.indexOf(ip);
    if (i >= 0) s.ips.splice(i, 1);
    const r = s.routed.indexOf(ip);
    if (r >= 0) s.routed.splice(r, 1);
  }

  /**
   * Facts of one frame about a host a MAC forwards for (its MAC, the routed source's address:
   * HL7 sending application, DICOM AE titles and implementation, ...) go to that host, keyed by
   * IP, not to the MAC that carried them (counter `binder.facts_behind_router`). The binder's
   * own facts (`ip`, `ip-local`) are left alone.
   */
  attributeForwarded(out: Observation[]): void {
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as Observation;
      if (o.mac === undefined || o.ip === undefined || o.protocol === 'ip' || o.protocol === 'ip-local') continue;
      const s = this.macs.get(o.mac);
      this.version.read(s ?? this.membership);
      if (s === undefined || s.routed.length === 0 || !s.routed.includes(o.ip)) continue;
      // A host heard on the link as well (its own MAC) keeps its facts there.
      const owner = this.ownerOf(o.ip);
      out[i] = { ts: o.ts, frame: o.frame, protocol: o.protocol, field: o.field, value: o.value, mac: owner !== o.mac ? owner : undefined, ip: o.ip, vlan: o.vlan };
      this.counters?.inc('binder.facts_behind_router');
    }
  }

  /**
   * An LLDP/CDP advertisement (src/observe/location-facts.ts): a sender whose enabled
   * capabilities include `router` is a router now, before it has sourced traffic of several
   * prefixes; the management addresses it announces are its own.
   */
  observeAdvertisement(adv: SwitchAdvertisement, frame: FrameRecord, out: Observation[]): void {
    const mac = adv.senderMac;
    if (adv.capabilities.has('router')) {
      const s = this.state(mac);
      if (!s.router) this.becomeRouter(s, mac, frame, out);
    }
    for (const address of adv.managementAddresses) this.ownAddress(mac, address);
  }

  /** Marks a MAC a router: its weak bindings are withdrawn and their hosts keyed by IP. */
  private becomeRouter(s: MacState, mac: string, frame: FrameRecord, out: Observation[]): void {
    s.router = true;
    this.version.bump(s);
    out.push(factOf(frame, 'ip', 'ip.router', 'true', { mac }));
    for (const earlier of s.ips) {
      out.push(factOf(frame, 'ip', 'ip.unbind', earlier, { mac }));
      out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip: earlier }));
    }
    s.ips = [];
  }

  /** Observations from a frame's source MAC + source IP pair. */
  observe(frame: FrameRecord, out: Observation[]): void {
    const mac = frame.srcMac;
    const ip = frame.ip?.src;
    if (mac === undefined || ip === undefined || !isHostAddress(ip)) return;
    const s = this.state(mac);
    const dst = frame.ip?.dst;
    if (dst !== undefined && isLinkLocalGroup(dst)) {
      // Its own address, router or not: bound, never withdrawn, not a prefix of hosts behind it.
      this.ownAddress(mac, ip);
      out.push(factAbout(frame, 'ip-local', 'ip.address', ip, mac, undefined, innermostVlan(frame)));
      return;
    }
    if (s.router && !s.own.includes(ip) && INITIAL_TTLS.has(frame.ip?.ttl ?? 0)) this.ownAddress(mac, ip);
    if (s.own.includes(ip)) {
      out.push(factAbout(frame, 'ip', 'ip.address', ip, mac, undefined, innermostVlan(frame)));
      return;
    }
    if (s.router) {
      out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
      return;
    }
    const known = s.ips.includes(ip);
    if (!known) {
      const forwarded = frame.ip !== undefined && !SENDER_TTLS.has(frame.ip.ttl) && dst !== undefined && isUnicast(dst);
      const routedBefore = s.routed.includes(ip);
      if (!routedBefore) {
        const before = s.prefixes.size;
        s.prefixes.add(prefixOf(ip));
        if (s.prefixes.size !== before) this.version.bump(s);
      }
      if (s.prefixes.size > this.limits.routerPrefixThreshold) {
        this.becomeRouter(s, mac, frame, out);
        out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
        return;
      }
      if (forwarded) {
        // A host behind the MAC: keyed by its IP, not bound to the MAC.
        if (!routedBefore) {
          if (s.routed.length < MAX_IPS_PER_MAC) {
            s.routed = appended(s.routed, ip);
            this.version.bump(s);
          } else this.counters?.inc('binder.addresses_dropped');
        }
        // ...unless it is a host heard on the link under its own MAC (a routed copy of its traffic).
        const owner = this.ownerOf(ip);
        if (owner === undefined || owner === mac) out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
        return;
      }
      // Sent with an initial TTL: the MAC's own after all.
      if (routedBefore) {
        s.routed.splice(s.routed.indexOf(ip), 1);
        this.version.bump(s);
      }
      if (s.ips.length < MAX_IPS_PER_MAC) {
        s.ips = appended(s.ips, ip);
        this.version.bump(s);
      } else this.counters?.inc('binder.addresses_dropped');
      this.own(ip, mac);
    }
    out.push(factAbout(frame, 'ip', 'ip.address', ip, mac, undefined, innermostVlan(frame)));
  }
}
