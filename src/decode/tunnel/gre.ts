/**
 * \summary GRE (RFC 2784, keys and sequence numbers RFC 2890, PPTP's enhanced GRE version 1
 * RFC 2637 §4.1) and what it carries: transparent Ethernet bridging (0x6558), IPv4/IPv6, ERSPAN
 * I/II (0x88be) and III (0x22eb), PPP, MPLS, Cisco MetaData, and Aruba access points' 802.11
 * tunnels (protocol types 0x8200–0x82ff, as Zeek opens them). Hand-written: a fixed header of a
 * few flagged words, no library needed.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, TUNNEL_ETHERTYPE, type NextLayer } from './next.js';

export const GRE_ANOMALIES = ['gre.truncated', 'gre.bad_version', 'gre.source_routed', 'gre.unknown_protocol'] as const satisfies readonly AnomalyCode[];

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080;

export interface GreHeader {
  version: number;
  protocol: number;
  key?: number;
  sequence?: number;
  /** What the payload starts with. */
  next: NextLayer;
  /** 'erspan' when the payload is an ERSPAN header (II/III) or an ERSPAN I frame. */
  erspan?: 1 | 2 | 3;
}

/** Reads a GRE header; leaves `r` at its payload. */
export function readGre(r: ByteReader, anomalies: AnomalyCode[]): GreHeader | undefined {
  if (r.remaining < 4) {
    anomalies.push('gre.truncated');
    return undefined;
  }
  const flags = r.u16();
  const protocol = r.u16();
  const version = flags & 0x7;
  if (version > 1) {
    anomalies.push('gre.bad_version');
    return undefined;
  }
  if ((flags & GRE_ROUTING) !== 0) {
    anomalies.push('gre.source_routed'); // RFC 1701 routing: deprecated, not opened
    return undefined;
  }
  const header: GreHeader = { version, protocol, next: NEXT.NONE };
  if ((flags & GRE_CHECKSUM) !== 0) r.skip(4); // checksum + reserved
  if ((flags & GRE_KEY) !== 0) header.key = r.u32(); // v1: payload length + call id
  if ((flags & GRE_SEQUENCE) !== 0) header.sequence = r.u32();
  if (version === 1 && (flags & GRE_ACK) !== 0) r.skip(4);
  if (r.failed) {
    anomalies.push('gre.truncated');
    return undefined;
  }
  switch (protocol) {
    case TUNNEL_ETHERTYPE.TRANSPARENT_ETHERNET:
      header.next = NEXT.ETHERNET;
      break;
    case 0x0800:
    case 0x86dd:
    case TUNNEL_ETHERTYPE.MPLS_UNICAST:
    case TUNNEL_ETHERTYPE.MPLS_MULTICAST:
    case TUNNEL_ETHERTYPE.CISCO_METADATA:
      header.next = protocol;
      break;
    case TUNNEL_ETHERTYPE.PPP:
      header.next = NEXT.PPP;
      break;
    case TUNNEL_ETHERTYPE.CDP:
      header.next = NEXT.CDP;
      break;
    case TUNNEL_ETHERTYPE.ERSPAN_I_II:
      // Type I has no sequence number and no ERSPAN header; type II always has both.
      header.erspan = (flags & GRE_SEQUENCE) !== 0 ? 2 : 1;
      header.next = header.erspan === 1 ? NEXT.ETHERNET : NEXT.NONE;
      break;
    case TUNNEL_ETHERTYPE.ERSPAN_III:
      header.erspan = 3;
      break;
    default:
      if (protocol >= 0x8200 && protocol <= 0x82ff) header.next = NEXT.WLAN; // Aruba AP tunnel
      else if (protocol !== 0) anomalies.push('gre.unknown_protocol'); // 0: keepalive
  }
  return header;
}
