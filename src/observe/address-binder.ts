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
 * on, whatever its prefix count (`observeCapabilities`). A router keeps its own addresses, which
 * are never withdrawn, never hosts behind it and never counted as prefixes: those it answers ARP
 * for, the management addresses its LLDP/CDP announce, and the sources of its packets to a
 * link-local multicast group (224.0.0.0/24, ff02::/16: OSPF and PIM hellos, VRRP, RIPv2, IGMP),
 * which no router forwards (bound as `ip-local`), and, once it is a router, the sources of its
 * packets that still carry an initial TTL (64, 128, 255): a forwarded packet has lost at least one. Prefixes are computed with ipaddr.js (src/device/address-rank.ts routingPrefix).
 */
import type { FrameRecord } from '../decode/frame-record.js';
import type { Observation } from './observation.js';
import { factAbout, factOf, innermostVlan } from './observe-context.js';
import type { Counters } from '../counters.js';
import { routingPrefix } from '../device/address-rank.js';

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
  ips: string[];
  /** The MAC's own addresses (sources of link-local multicast): kept when it is a router. */
  own: string[];
  router: boolean;
}

/** The routing prefix router detection counts: /24 of IPv4, /64 of IPv6 (parsed, not sliced). */
export const prefixOf = routingPrefix;

/** A destination no router forwards (224.0.0.0/24, ff02::/16): the source is on the link. */
export function isLinkLocalGroup(ip: string): boolean {
  return ip.startsWith('224.0.0.') || ip.toLowerCase().startsWith('ff02:');
}

/** Initial TTLs / hop limits of common stacks: a packet that still has one was not forwarded. */
const INITIAL_TTLS: ReadonlySet<number> = new Set([64, 128, 255]);

/** LLDP/CDP capability lists that say the sender routes. */
const ROUTER_CAPABILITY = /(^|,)\s*router\s*(,|$)/i;

/** Addresses that never identify a host: unspecified, broadcast, multicast, link-local v6 is kept. */
export function isHostAddress(ip: string): boolean {
  if (ip === '0.0.0.0' || ip === '255.255.255.255' || ip === '::') return false;
  if (ip.includes(':')) return !ip.toLowerCase().startsWith('ff');
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return first < 224 && first !== 127;
}

export class AddressBinder {
  private readonly macs = new Map<string, MacState>();

  constructor(
    private readonly limits: BinderLimits = BINDER_LIMITS,
    private readonly counters?: Counters,
  ) {}

  private state(mac: string): MacState {
    let s = this.macs.get(mac);
    if (!s) {
      if (this.macs.size >= this.limits.maxTrackedMacs) {
        const oldest = this.macs.keys().next().value;
        if (oldest !== undefined) this.macs.delete(oldest);
        this.counters?.inc('binder.macs_evicted');
      }
      s = { prefixes: new Set(), ips: [], own: [], router: false };
      this.macs.set(mac, s);
    }
    return s;
  }

  /** `ip` is `mac`'s own address (it answered ARP for it, or announced it in LLDP/CDP). */
  ownAddress(mac: string, ip: string): void {
    const s = this.state(mac);
    if (s.own.includes(ip) || s.own.length >= 64) return;
    s.own.push(ip);
    const i = s.ips.indexOf(ip);
    if (i >= 0) s.ips.splice(i, 1);
  }

  /**
   * LLDP/CDP facts of one frame: the management addresses are the sender's own; a sender whose
   * enabled capabilities include `router` is a router now, before it has sourced traffic of
   * several prefixes.
   */
  observeCapabilities(facts: readonly Observation[], frame: FrameRecord, out: Observation[]): void {
    for (const o of facts) {
      if (o.mac === undefined) continue;
      if (o.field === 'lldp.management_address' || o.field === 'cdp.management_address' || o.field === 'cdp.address') {
        this.ownAddress(o.mac, o.value);
        continue;
      }
      if (o.field !== 'lldp.enabled_capabilities' && o.field !== 'cdp.capabilities') continue;
      if (!ROUTER_CAPABILITY.test(o.value)) continue;
      const s = this.state(o.mac);
      if (!s.router) this.becomeRouter(s, o.mac, frame, out);
    }
  }

  /** Marks a MAC a router: its weak bindings are withdrawn and their hosts keyed by IP. */
  private becomeRouter(s: MacState, mac: string, frame: FrameRecord, out: Observation[]): void {
    s.router = true;
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
      if (!s.own.includes(ip) && s.own.length < 64) s.own.push(ip);
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
      s.prefixes.add(prefixOf(ip));
      if (s.prefixes.size > this.limits.routerPrefixThreshold) {
        this.becomeRouter(s, mac, frame, out);
        out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
        return;
      }
      if (s.ips.length < 64) s.ips.push(ip);
    }
    out.push(factAbout(frame, 'ip', 'ip.address', ip, mac, undefined, innermostVlan(frame)));
  }
}
