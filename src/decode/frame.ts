/**
 * \summary Frame decoding: link layer (Ethernet, Linux SLL/SLL2, raw IP, BSD loopback) down to
 * UDP/TCP, yielding one FrameRecord whose `payload` an application decoder can take.
 *
 * Link types: https://www.tcpdump.org/linktypes.html. SLL: 16-byte header ending in the protocol
 * type; SLL2: 20-byte header starting with it. NULL: 4-byte address family in host order; LOOP:
 * the same in network order (AF_INET 2; AF_INET6 24, 28 or 30 depending on the BSD).
 */
import type { CapturedFrame } from '../capture/captured-frame.js';
import { LINKTYPE } from '../capture/captured-frame.js';
import { ByteReader, formatMac } from './bytes.js';
import type { FrameRecord } from './frame-record.js';
import { ETHERNET_ANOMALIES, ETHERNET_LIMITS, ETHERTYPE, readEthernet, type EthernetLimits } from './link/ethernet.js';
import { IP_PROTOCOL, NET_ANOMALIES, readArp, readIpv4, readIpv6, readTcp, readUdp, type IpDecode } from './net/ip.js';
import type { AnomalyCode, DecodeResult } from './result.js';

export const FRAME_ANOMALIES = [
  ...ETHERNET_ANOMALIES,
  ...NET_ANOMALIES,
  'link.unsupported_type',
  'link.truncated',
] as const satisfies readonly AnomalyCode[];

export type FrameLimits = EthernetLimits;
export const FRAME_LIMITS: FrameLimits = ETHERNET_LIMITS;

const AF_INET6_VALUES = new Set([10, 24, 28, 30]);

export function decodeFrame(frame: CapturedFrame, limits: FrameLimits = FRAME_LIMITS): DecodeResult<FrameRecord> {
  const anomalies: AnomalyCode[] = [];
  // Every field is present from the start, in one order: all records share one hidden class,
  // so the property reads of every later stage stay monomorphic.
  const record: FrameRecord = {
    frameNo: frame.frameNo,
    tsMicros: frame.tsMicros,
    srcMac: undefined,
    dstMac: undefined,
    vlanTags: [],
    ethertype: undefined,
    llc: undefined,
    arp: undefined,
    ip: undefined,
    udp: undefined,
    tcp: undefined,
    payloadKind: 'none',
    payload: EMPTY,
  };
  const r = new ByteReader(frame.data);
  let ethertype: number | undefined;
  switch (frame.linkType) {
    case LINKTYPE.ETHERNET: {
      const eth = readEthernet(r, anomalies, limits);
      if (!eth) break;
      record.srcMac = eth.srcMac;
      record.dstMac = eth.dstMac;
      record.vlanTags = eth.vlanTags;
      if (eth.llc) {
        record.llc = eth.llc;
        record.payloadKind = 'llc';
        record.payload = eth.llcPayload ?? EMPTY;
        break;
      }
      ethertype = eth.ethertype;
      break;
    }
    case LINKTYPE.LINUX_SLL: {
      if (r.remaining < 16) { anomalies.push('link.truncated'); break; }
      r.skip(4); // packet type, ARPHRD type
      const addrLen = r.u16();
      const addr = r.bytes(8);
      if (addrLen === 6) record.srcMac = formatMac(addr);
      ethertype = r.u16();
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (r.remaining < 20) { anomalies.push('link.truncated'); break; }
      ethertype = r.u16();
      r.skip(2 + 4 + 2 + 1); // reserved, interface index, ARPHRD type, packet type
      const addrLen = r.u8();
      const addr = r.bytes(8);
      if (addrLen === 6) record.srcMac = formatMac(addr);
      break;
    }
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (r.remaining < 4) { anomalies.push('link.truncated'); break; }
      const family = frame.linkType === LINKTYPE.LOOP ? r.u32() : hostOrderFamily(r.bytes(4));
      ethertype = family === 2 ? ETHERTYPE.IPV4 : AF_INET6_VALUES.has(family) ? ETHERTYPE.IPV6 : undefined;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      const version = r.peekU8() >> 4;
      ethertype = version === 4 ? ETHERTYPE.IPV4 : version === 6 ? ETHERTYPE.IPV6 : undefined;
      break;
    }
    default:
      anomalies.push('link.unsupported_type');
  }
  if (ethertype !== undefined) {
    record.ethertype = ethertype;
    decodeNetwork(r, ethertype, record, anomalies);
  }
  return { value: record, anomalies };
}

const EMPTY = new Uint8Array(0);

/** pcap's DLT_NULL family is in the capturing host's byte order: accept either. */
function hostOrderFamily(b: Uint8Array): number {
  const le = (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  return le !== 0 ? le : ((b[2] ?? 0) << 8) | (b[3] ?? 0);
}

function decodeNetwork(r: ByteReader, ethertype: number, record: FrameRecord, anomalies: AnomalyCode[]): void {
  let ip: IpDecode | undefined;
  switch (ethertype) {
    case ETHERTYPE.ARP: {
      const arp = readArp(r, anomalies);
      if (arp) record.arp = arp;
      return;
    }
    case ETHERTYPE.IPV4:
      ip = readIpv4(r, anomalies);
      break;
    case ETHERTYPE.IPV6:
      ip = readIpv6(r, anomalies);
      break;
    default:
      // LLDP and any other ethertype: the application decoder takes the rest of the frame.
      record.payloadKind = 'ethertype';
      record.payload = r.rest();
      return;
  }
  if (!ip) return;
  record.ip = ip.header;
  if (!ip.hasTransportHeader) return;
  const transport = new ByteReader(ip.payload);
  if (ip.header.protocol === IP_PROTOCOL.UDP) {
    const udpAnomalies: AnomalyCode[] = [];
    const udp = readUdp(transport, udpAnomalies);
    // A first fragment holds only the start of the datagram its UDP length counts (RFC 791 §2.3):
    // that is fragmentation, not truncation.
    for (const a of udpAnomalies) if (!(udp && ip.header.fragment && a === 'udp.truncated')) anomalies.push(a);
    if (!udp) return;
    record.udp = udp.header;
    record.payloadKind = 'udp';
    record.payload = udp.payload;
  } else if (ip.header.protocol === IP_PROTOCOL.TCP) {
    const tcp = readTcp(transport, anomalies);
    if (!tcp) return;
    record.tcp = tcp.header;
    record.payloadKind = 'tcp';
    record.payload = tcp.payload;
  }
}
