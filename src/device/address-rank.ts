/**
 * \summary Ranked choice of a device's address: which of its bound addresses is its `ip`.
 *
 * Evidence order (best first):
 *   1. IPv4 management address the device announces itself (LLDP, CDP);
 *   2. IPv4 leased by DHCP (ACK yiaddr, ciaddr);
 *   3. IPv4 the device answered for or announced (ARP, mDNS, ...);
 *   4. IPv4 seen only as the source of the device's IP traffic;
 *   5. global IPv6;
 *   6. unique-local IPv6 (fc00::/7);
 *   7. everything else that is still a host address (IPv6 link-local fe80::/10, ...): kept in
 *      `ips` with its binding, never the device's `ip`.
 * Within a rank the newest binding wins (a new lease replaces the old one), then address text:
 * a router answering ARP for a dozen gateway addresses keeps one `ip` however its traffic
 * interleaves.
 * Address classes come from `ipaddr.js` (no string slicing of compressed IPv6 text).
 */
import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';
import { cachedByKey } from '../cached-by-key.js';

// Required, not imported: an ESM import of a CommonJS package costs a parse of its source for its
// export names at start-up (issue 14, lean start).
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** Rank of an address class: lower is better; NEVER_PRIMARY is never chosen as `ip`. */
export const NEVER_PRIMARY = 7;

/** Addresses whose rank class, and whose routing prefix, are kept (each table emptied when full). */
const MAX_CACHED_ADDRESSES = 4096;
const IPV4 = 0;
/** What the rank of an address depends on besides its source: IPV4 (ranked by its source), or the
 * rank itself (IPv6 ranges, invalid text). Kept by address alone, not by a string built per call
 * from source and address (issue 14: that key cost more than the rank). */
const addressClass = cachedByKey(classOf, MAX_CACHED_ADDRESSES);
const cachedPrefix = cachedByKey(prefixUncached, MAX_CACHED_ADDRESSES);

/** The rank (1..7) of `ip` bound by `source` (`dhcp`, `arp`, `ip`, `mdns`, ...). */
export function addressRank(ip: string, source: string): number {
  const c = addressClass(ip);
  if (c !== IPV4) return c;
  switch (source) {
    case 'lldp': case 'cdp': return 1;
    case 'dhcp': return 2;
    case 'ip': return 4;
    default: return 3;
  }
}

function classOf(ip: string): number {
  if (!ipaddr.isValid(ip)) return NEVER_PRIMARY;
  const a = ipaddr.parse(ip);
  if (a.kind() === 'ipv4' || (a as IpAddr.IPv6).isIPv4MappedAddress()) return IPV4;
  switch ((a as IpAddr.IPv6).range()) {
    case 'uniqueLocal': return 6;
    // Not an address of the host on a network: never its ip.
    case 'linkLocal': case 'multicast': case 'unspecified': case 'loopback': return NEVER_PRIMARY;
    // Global unicast and the special global ranges (documentation, 6to4, Teredo, ...).
    default: return 5;
  }
}

/** An address as the ranking needs it. */
export interface RankedAddress {
  ip: string;
  source: string;
  firstSeen: number;
}

/** Orders addresses best first (rank, then the newest binding, then text). */
export function compareAddresses(a: RankedAddress, b: RankedAddress): number {
  return addressRank(a.ip, a.source) - addressRank(b.ip, b.source) || b.firstSeen - a.firstSeen || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
}

/** The device's `ip`: its best-ranked address, never a link-local one; undefined when none. */
export function primaryAddress<A extends RankedAddress>(addresses: Iterable<A>): A | undefined {
  let best: A | undefined;
  for (const a of addresses) {
    if (addressRank(a.ip, a.source) >= NEVER_PRIMARY) continue;
    if (best === undefined || compareAddresses(a, best) < 0) best = a;
  }
  return best;
}

/**
 * The routing prefix of an address for router detection: the /24 of an IPv4 address, the /64 of
 * an IPv6 one (parsed, so `2001:db8::1` and `2001:db8:0:0::2` share a prefix). Kept by address:
 * the binder asks at every address a MAC has not sent from before, and parsing each time was 2 %
 * of the dense replay.
 */
export function routingPrefix(ip: string): string {
  return cachedPrefix(ip);
}

function prefixUncached(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const a = ipaddr.parse(ip);
  if (a.kind() === 'ipv4') return a.toByteArray().slice(0, 3).join('.');
  const parts = (a as IpAddr.IPv6).parts.slice(0, 4);
  return parts.map((p) => p.toString(16)).join(':');
}
