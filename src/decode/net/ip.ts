/**
 * \summary IPv4 (RFC 791) and IPv6 (RFC 8200) headers, ARP (RFC 826), UDP (RFC 768), TCP (RFC 9293).
 *
 * Only what identification needs: addresses, protocol, fragment flag, ports, TCP sequence/flags.
 * Every length field is checked against what was captured; the payload is cut to the IP total
 * length so Ethernet padding never reaches an application decoder. Hand-written: fixed headers.
 */
import type { ByteReader } from '../bytes.js';
import { formatIpv4, formatIpv6, formatMac } from '../bytes.js';
import type { ArpRecord, IpHeader, TcpHeader, UdpHeader } from '../frame-record.js';
import type { AnomalyCode } from '../result.js';

export const IP_PROTOCOL = { ICMP: 1, TCP: 6, UDP: 17, IPV6_ICMP: 58 } as const;

export const NET_ANOMALIES = [
  'arp.truncated',
  'ipv4.truncated',
  'ipv4.bad_header_length',
  'ipv4.bad_total_length',
  'ipv4.bad_checksum',
  'ipv6.truncated',
  'ipv6.too_many_extension_headers',
  'udp.truncated',
  'udp.bad_length',
  'tcp.truncated',
  'tcp.bad_data_offset',
] as const satisfies readonly AnomalyCode[];

/** Extension headers walked before giving up (RFC 8200 recommends a small bound). */
export const MAX_IPV6_EXTENSION_HEADERS = 8;

export function readArp(r: ByteReader, anomalies: AnomalyCode[]): ArpRecord | undefined {
  // Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (r.remaining < 28) {
    anomalies.push('arp.truncated');
    return undefined;
  }
  const htype = r.u16();
  const ptype = r.u16();
  const hlen = r.u8();
  const plen = r.u8();
  const op = r.u16();
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) return undefined;
  const b = r.bytes(20);
  return {
    op,
    senderMac: formatMac(b, 0),
    senderIp: formatIpv4(b, 6),
    targetMac: formatMac(b, 10),
    targetIp: formatIpv4(b, 16),
  };
}

export interface IpDecode {
  header: IpHeader;
  /** A reader over the IP payload, cut to the total length: a window of the frame's bytes, not a
   * view of them (issue 14: a view per IP packet was a sixth of what the SPAN-like replay allocated). */
  payload: ByteReader;
  /** False for non-first fragments: the payload does not start with a transport header. */
  hasTransportHeader: boolean;
}

export function readIpv4(r: ByteReader, anomalies: AnomalyCode[]): IpDecode | undefined {
  if (r.remaining < 20) {
    anomalies.push('ipv4.truncated');
    return undefined;
  }
  const available = r.remaining;
  const ihl = (r.peekU8() & 0x0f) * 4;
  if (ihl < 20 || ihl > available) {
    anomalies.push('ipv4.bad_header_length');
    return undefined;
  }
  const sum = r.peekSum16(ihl);
  r.skip(2); // version/IHL, DSCP/ECN
  const totalLength = r.u16();
  r.skip(2); // identification
  const flagsFrag = r.u16();
  const ttl = r.u8();
  const protocol = r.u8();
  const checksum = r.u16();
  const src = r.ipv4();
  const dst = r.ipv4();
  r.skip(ihl - 20); // options
  let payloadLength = totalLength - ihl;
  if (totalLength < ihl) {
    anomalies.push('ipv4.bad_total_length');
    payloadLength = r.remaining;
  } else if (totalLength > available) {
    anomalies.push('ipv4.truncated');
    payloadLength = r.remaining;
  }
  const moreFragments = (flagsFrag & 0x2000) !== 0;
  const fragmentOffset = flagsFrag & 0x1fff;
  const header: IpHeader = {
    version: 4,
    src,
    dst,
    protocol,
    ttl,
    fragment: moreFragments || fragmentOffset !== 0,
  };
  if (ihl > 20) header.hasOptions = true;
  // RFC 1071: the sum over the header, checksum included, is 0xffff. A zero checksum is taken
  // as not filled in (checksum offload on the capturing host, test generators), not as wrong.
  if (checksum !== 0 && sum !== 0xffff) {
    anomalies.push('ipv4.bad_checksum');
    header.badChecksum = true;
  }
  return { header, payload: r.take(payloadLength), hasTransportHeader: fragmentOffset === 0 };
}

export function readIpv6(r: ByteReader, anomalies: AnomalyCode[]): IpDecode | undefined {
  if (r.remaining < 40) {
    anomalies.push('ipv6.truncated');
    return undefined;
  }
  r.skip(4); // version, traffic class, flow label
  let payloadLength = r.u16();
  let next = r.u8();
  const hopLimit = r.u8();
  const addrs = r.bytes(32);
  if (payloadLength > r.remaining) {
    anomalies.push('ipv6.truncated');
    payloadLength = r.remaining;
  }
  const body = r.take(payloadLength);
  let fragment = false;
  let hasTransportHeader = true;
  // Walk extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60, AH 51.
  for (let i = 0; ; i++) {
    if (next !== 0 && next !== 43 && next !== 44 && next !== 60 && next !== 51) break;
    if (i === MAX_IPV6_EXTENSION_HEADERS) {
      anomalies.push('ipv6.too_many_extension_headers');
      hasTransportHeader = false;
      break;
    }
    if (body.remaining < 8) {
      anomalies.push('ipv6.truncated');
      hasTransportHeader = false;
      break;
    }
    const current = next;
    next = body.u8();
    const hdrExtLen = body.u8();
    if (current === 44) {
      fragment = true;
      const offsetFlags = body.u16();
      if (offsetFlags >> 3 !== 0) hasTransportHeader = false;
      body.skip(4);
    } else {
      // AH counts 4-octet units minus 2; the others 8-octet units not counting the first.
      const length = current === 51 ? (hdrExtLen + 2) * 4 : (hdrExtLen + 1) * 8;
      body.skip(length - 2);
      if (body.failed) {
        anomalies.push('ipv6.truncated');
        hasTransportHeader = false;
        break;
      }
    }
  }
  return {
    header: { version: 6, src: formatIpv6(addrs, 0), dst: formatIpv6(addrs, 16), protocol: next, ttl: hopLimit, fragment },
    payload: body,
    hasTransportHeader,
  };
}

export function readUdp(r: ByteReader, anomalies: AnomalyCode[]): { header: UdpHeader; payload: Uint8Array } | undefined {
  if (r.remaining < 8) {
    anomalies.push('udp.truncated');
    return undefined;
  }
  const srcPort = r.u16();
  const dstPort = r.u16();
  const length = r.u16();
  r.skip(2); // checksum
  let payloadLength = length - 8;
  if (length < 8) {
    anomalies.push('udp.bad_length');
    payloadLength = r.remaining;
  } else if (payloadLength > r.remaining) {
    anomalies.push('udp.truncated');
    payloadLength = r.remaining;
  }
  return { header: { srcPort, dstPort, length }, payload: r.bytes(payloadLength) };
}

export function readTcp(r: ByteReader, anomalies: AnomalyCode[]): { header: TcpHeader; payload: Uint8Array } | undefined {
  if (r.remaining < 20) {
    anomalies.push('tcp.truncated');
    return undefined;
  }
  const srcPort = r.u16();
  const dstPort = r.u16();
  const seq = r.u32();
  const ack = r.u32();
  const offsetFlags = r.u16();
  const window = r.u16();
  r.skip(4); // checksum, urgent pointer
  const dataOffset = (offsetFlags >> 12) * 4;
  if (dataOffset < 20) {
    anomalies.push('tcp.bad_data_offset');
    return undefined;
  }
  if (dataOffset - 20 > r.remaining) {
    anomalies.push('tcp.truncated');
    return undefined;
  }
  r.skip(dataOffset - 20); // options
  return { header: { srcPort, dstPort, seq, ack, flags: offsetFlags & 0x01ff, window }, payload: r.rest() };
}
