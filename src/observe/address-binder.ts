/**
 * \summary IP-to-MAC binding from plain IP traffic, with router detection.
 *
 * A frame's source IP belongs to its source MAC only when that MAC is the host itself. A router
 * forwards traffic from many subnets under its own MAC; once a MAC has sourced IPs from more than
 * `routerPrefixThreshold` distinct prefixes (/24 for IPv4, /64 for IPv6), it is a router: its
 * weak bindings are withdrawn (`ip.unbind`), it is marked (`ip.router`), and the hosts behind it
 * become IP-keyed devices that are not locally attached. DHCP, ARP and mDNS bindings are made by
 * their own observers and are never withdrawn here.
 */
import type { FrameRecord } from '../decode/frame-record.js';
import type { Observation } from './observation.js';
import { factAbout, factOf, innermostVlan } from './observe-context.js';

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
  router: boolean;
}

export function prefixOf(ip: string): string {
  if (ip.includes(':')) return ip.split(':').slice(0, 4).join(':');
  return ip.slice(0, ip.lastIndexOf('.'));
}

/** Addresses that never identify a host: unspecified, broadcast, multicast, link-local v6 is kept. */
export function isHostAddress(ip: string): boolean {
  if (ip === '0.0.0.0' || ip === '255.255.255.255' || ip === '::') return false;
  if (ip.includes(':')) return !ip.toLowerCase().startsWith('ff');
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return first < 224 && first !== 127;
}

export class AddressBinder {
  private readonly macs = new Map<string, MacState>();

  constructor(private readonly limits: BinderLimits = BINDER_LIMITS) {}

  /** Observations from a frame's source MAC + source IP pair. */
  observe(frame: FrameRecord, out: Observation[]): void {
    const mac = frame.srcMac;
    const ip = frame.ip?.src;
    if (mac === undefined || ip === undefined || !isHostAddress(ip)) return;
    let s = this.macs.get(mac);
    if (!s) {
      if (this.macs.size >= this.limits.maxTrackedMacs) {
        const oldest = this.macs.keys().next().value;
        if (oldest !== undefined) this.macs.delete(oldest);
      }
      s = { prefixes: new Set(), ips: [], router: false };
      this.macs.set(mac, s);
    }
    if (s.router) {
      out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
      return;
    }
    const known = s.ips.includes(ip);
    if (!known) {
      s.prefixes.add(prefixOf(ip));
      if (s.prefixes.size > this.limits.routerPrefixThreshold) {
        s.router = true;
        out.push(factOf(frame, 'ip', 'ip.router', 'true', { mac }));
        for (const earlier of s.ips) {
          out.push(factOf(frame, 'ip', 'ip.unbind', earlier, { mac }));
          out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip: earlier }));
        }
        out.push(factOf(frame, 'ip', 'ip.seen_via_router', mac, { ip }));
        s.ips = [];
        return;
      }
      if (s.ips.length < 64) s.ips.push(ip);
    }
    out.push(factAbout(frame, 'ip', 'ip.address', ip, mac, undefined, innermostVlan(frame)));
  }
}
