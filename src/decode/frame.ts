/**
 * \summary Frame decoding: link layer (Ethernet, Linux SLL/SLL2, raw IP, BSD loopback, Cisco
 * HDLC, PPP, 802.11 with or without radiotap) down to UDP/TCP, opening the tunnels and shims a
 * SPAN feed carries on the way (GRE, ERSPAN I/II/III, VXLAN, Geneve, MPLS, PPPoE, Cisco MetaData,
 * IP in IP, CAPWAP and LWAPP data), and yielding one FrameRecord whose `payload` an application
 * decoder can take. After a tunnel the record describes the inner frame; `tunnel` keeps the
 * outermost carrier (the tunnel endpoints) and `encap` the way in.
 *
 * Link types: https://www.tcpdump.org/linktypes.html. SLL: 16-byte header ending in the protocol
 * type; SLL2: 20-byte header starting with it. NULL: 4-byte address family in host order; LOOP:
 * the same in network order (AF_INET 2; AF_INET6 24, 28 or 30 depending on the BSD). C_HDLC:
 * address, control, then an ethertype. Each layer is its own small decoder (link/, net/,
 * tunnel/); this file only chains them, with a cap on the number of encapsulations.
 */
import type { CapturedFrame } from '../capture/captured-frame.js';
import { LINKTYPE } from '../capture/captured-frame.js';
import { ByteReader, formatMac } from './bytes.js';
import { NO_VLAN_TAGS, type FrameRecord } from './frame-record.js';
import { declareLimits, enumLimit, intLimit, portsLimit, type LimitValues } from './limits.js';
import { ETHERNET_ANOMALIES, ETHERNET_LIMIT_DECL, ETHERNET_LIMITS, ETHERTYPE, readEthernet, readLlc, snapCut, type EthernetLimits } from './link/ethernet.js';
import { WLAN_ANOMALIES, readRadiotap, readWlan } from './link/wlan.js';
import { IP_PROTOCOL, NET_ANOMALIES, readArp, readIpv4, readIpv6, readTcp, readUdp } from './net/ip.js';
import type { AnomalyCode, DecodeResult } from './result.js';
import { CAPWAP_ANOMALIES, readCapwapData, readLwappData } from './tunnel/capwap.js';
import { CMD_ANOMALIES, readCiscoMetadata } from './tunnel/cmd.js';
import { ERSPAN_ANOMALIES, readErspan } from './tunnel/erspan.js';
import { GRE_ANOMALIES, readGre } from './tunnel/gre.js';
import { MPLS_ANOMALIES, MPLS_LIMITS, readMpls, type MplsPayload } from './tunnel/mpls.js';
import { NEXT, TUNNEL_ETHERTYPE, type NextLayer } from './tunnel/next.js';
import { PPPOE_ANOMALIES, readPppoeSession, readPppProtocol } from './tunnel/pppoe.js';
import { TUNNEL_PROTOCOLS } from './tunnel/registry.js';
import { VXLAN_ANOMALIES, readGeneve, readVxlan } from './tunnel/vxlan.js';

export const FRAME_ANOMALIES = [
  ...ETHERNET_ANOMALIES,
  ...NET_ANOMALIES,
  ...WLAN_ANOMALIES,
  ...GRE_ANOMALIES,
  ...ERSPAN_ANOMALIES,
  ...VXLAN_ANOMALIES,
  ...MPLS_ANOMALIES,
  ...PPPOE_ANOMALIES,
  ...CMD_ANOMALIES,
  ...CAPWAP_ANOMALIES,
  'link.unsupported_type',
  'link.truncated',
  'encap.too_deep',
] as const satisfies readonly AnomalyCode[];

/**
 * Anomaly codes that mean "a tunnel or shim was there and could not be opened": `coverage`
 * counts them as frames it could not decapsulate.
 */
export const DECAPSULATION_ANOMALIES: readonly AnomalyCode[] = [
  ...TUNNEL_PROTOCOLS.flatMap((t) => t.anomalyCodes),
  'encap.too_deep',
  'link.unsupported_type',
];

/** LINKTYPE values of the link layers this file adds (https://www.tcpdump.org/linktypes.html). */
export const TUNNEL_LINKTYPE = { PPP: 9, PPP_HDLC: 50, C_HDLC: 104, IEEE802_11: 105, IEEE802_11_RADIOTAP: 127 } as const;

/**
 * Tunnel limits (config `limits.tunnels.*`, declared once here). maxEncapDepth: encapsulations
 * opened per frame (GRE, ERSPAN, VXLAN, MPLS, ...), deeper frames stop there; mplsMaxLabels:
 * label stack entries read per stack; mplsPayload: what an MPLS stack carries (the stack does
 * not say), `auto` guesses from the first nibble; vxlanPorts: UDP ports opened as VXLAN (4789
 * IANA; 8472 Linux's default).
 */
export const TUNNEL_LIMIT_DECL = declareLimits('tunnels', 'Tunnels and shims in the SPAN feed (src/decode/frame.ts TUNNEL_LIMITS).', {
  maxEncapDepth: intLimit('max_depth', 1, 32, 8, 'Encapsulations (GRE, ERSPAN, VXLAN, Geneve, MPLS, PPPoE, CAPWAP, ...) opened per frame; deeper frames count encap.too_deep.'),
  mplsMaxLabels: intLimit('mpls_max_labels', 1, 64, MPLS_LIMITS.maxLabels, 'MPLS label stack entries read per stack.'),
  mplsPayload: enumLimit<MplsPayload>('mpls_payload', ['auto', 'ethernet', 'ethernet_cw', 'ip'], MPLS_LIMITS.payload, 'What the bottom of an MPLS stack carries: auto (IPv4/IPv6 by version nibble, 0 = pseudowire control word + Ethernet, else Ethernet), ethernet, ethernet_cw or ip.'),
  vxlanPorts: portsLimit('vxlan_ports', 16, [4789, 8472], 'UDP destination ports opened as VXLAN.'),
});

export type TunnelLimits = LimitValues<typeof TUNNEL_LIMIT_DECL.fields>;

export const TUNNEL_LIMITS: Readonly<TunnelLimits> = TUNNEL_LIMIT_DECL.defaults;

/** The frame decoder's limits declarations (src/config.ts builds `limits.ethernet` and `limits.tunnels` from them). */
export const FRAME_LIMIT_DECLS = [ETHERNET_LIMIT_DECL, TUNNEL_LIMIT_DECL] as const;

export type FrameLimits = EthernetLimits & TunnelLimits;
export const FRAME_LIMITS: FrameLimits = { ...ETHERNET_LIMITS, ...TUNNEL_LIMITS };

const AF_INET6_VALUES = new Set([10, 24, 28, 30]);
const NO_ENCAP: readonly string[] = Object.freeze([]);
const UDP_PORT = { GENEVE: 6081, CAPWAP_DATA: 5247, LWAPP_DATA: 12222, MPLS: 6635 } as const;
const TUNNEL_UDP_PORTS: ReadonlySet<number> = new Set(Object.values(UDP_PORT));
const IP_PROTOCOL_GRE = 47;
const IP_PROTOCOL_IPIP = 4;
const IP_PROTOCOL_IPV6 = 41;
/** SNAP organisation codes whose protocol id is an ethertype (RFC 1042, 802.1H bridge tunnel). */
const SNAP_ETHERTYPE_OUIS = new Set([0x000000, 0x0000f8]);

/**
 * A copy of `f` with another frame number, time and payload, built by the same literal shape as
 * decodeFrame's record, so records replayed by the known-frame table (src/capture/known-frames.ts)
 * keep every later stage's property reads monomorphic (an object spread gave a second hidden
 * class, and the known-frame path cost 1.23x the CPU of the table off on the SPAN-like bench).
 */
export function restampFrame(f: FrameRecord, frameNo: number, tsMicros: number, payload: Uint8Array = f.payload): FrameRecord {
  return {
    frameNo,
    tsMicros,
    srcMac: f.srcMac,
    dstMac: f.dstMac,
    vlanTags: f.vlanTags,
    ethertype: f.ethertype,
    llc: f.llc,
    arp: f.arp,
    ip: f.ip,
    udp: f.udp,
    tcp: f.tcp,
    payloadKind: f.payloadKind,
    payload,
    encap: f.encap ?? NO_ENCAP,
    tunnel: f.tunnel,
    sgt: f.sgt,
    wlanProtected: f.wlanProtected ?? false,
  };
}

export function decodeFrame(frame: CapturedFrame, limits: FrameLimits = FRAME_LIMITS): DecodeResult<FrameRecord> {
  const anomalies: AnomalyCode[] = [];
  // Every field is present from the start, in one order: all records share one hidden class,
  // so the property reads of every later stage stay monomorphic.
  const record: FrameRecord = {
    frameNo: frame.frameNo,
    tsMicros: frame.tsMicros,
    srcMac: undefined,
    dstMac: undefined,
    vlanTags: NO_VLAN_TAGS,
    ethertype: undefined,
    llc: undefined,
    arp: undefined,
    ip: undefined,
    udp: undefined,
    tcp: undefined,
    payloadKind: 'none',
    payload: EMPTY,
    encap: NO_ENCAP,
    tunnel: undefined,
    sgt: undefined,
    wlanProtected: false,
  };
  const r = new ByteReader(frame.data);
  let next: NextLayer = NEXT.NONE;
  switch (frame.linkType) {
    case LINKTYPE.ETHERNET:
      next = NEXT.ETHERNET;
      break;
    case LINKTYPE.LINUX_SLL: {
      if (r.remaining < 16) { anomalies.push('link.truncated'); break; }
      r.skip(4); // packet type, ARPHRD type
      const addrLen = r.u16();
      const addr = r.bytes(8);
      if (addrLen === 6) record.srcMac = formatMac(addr);
      next = r.u16();
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (r.remaining < 20) { anomalies.push('link.truncated'); break; }
      next = r.u16();
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
      next = family === 2 ? ETHERTYPE.IPV4 : AF_INET6_VALUES.has(family) ? ETHERTYPE.IPV6 : NEXT.NONE;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      next = NEXT.IP;
      break;
    case TUNNEL_LINKTYPE.C_HDLC:
      if (r.remaining < 4) { anomalies.push('link.truncated'); break; }
      record.encap = ['chdlc'];
      r.skip(2); // address, control
      next = r.u16();
      if (next === TUNNEL_ETHERTYPE.CDP) next = NEXT.CDP;
      break;
    case TUNNEL_LINKTYPE.PPP:
    case TUNNEL_LINKTYPE.PPP_HDLC:
      record.encap = ['ppp'];
      next = NEXT.PPP;
      break;
    case TUNNEL_LINKTYPE.IEEE802_11:
      next = NEXT.WLAN;
      break;
    case TUNNEL_LINKTYPE.IEEE802_11_RADIOTAP:
      next = NEXT.RADIOTAP;
      break;
    default:
      anomalies.push('link.unsupported_type');
  }
  if (next !== NEXT.NONE) new Walk(r, record, anomalies, limits).run(next);
  return { value: record, anomalies };
}

const EMPTY = new Uint8Array(0);

/** pcap's DLT_NULL family is in the capturing host's byte order: accept either. */
function hostOrderFamily(b: Uint8Array): number {
  const le = (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  return le !== 0 ? le : ((b[2] ?? 0) << 8) | (b[3] ?? 0);
}

/** One frame's way down through its layers: `r` is the reader of the layer at hand. */
class Walk {
  constructor(
    private r: ByteReader,
    private readonly record: FrameRecord,
    private readonly anomalies: AnomalyCode[],
    private readonly limits: FrameLimits,
  ) {}

  run(first: NextLayer): void {
    let next = first;
    // Each step either ends the walk or enters an encapsulation (capped) or a link header after one.
    for (let steps = 0; next !== NEXT.NONE; steps++) {
      if (steps > 4 * this.limits.maxEncapDepth + 8) { this.anomalies.push('encap.too_deep'); return; }
      next = this.step(next);
    }
  }

  /** Records an encapsulation; false (and `encap.too_deep`) past the cap. */
  private enter(name: string): boolean {
    const rec = this.record;
    const encap = rec.encap ?? NO_ENCAP;
    if (encap.length >= this.limits.maxEncapDepth) {
      this.anomalies.push('encap.too_deep');
      return false;
    }
    rec.encap = encap === NO_ENCAP ? [name] : [...encap, name];
    return true;
  }

  /**
   * A tunnel starts: the carrier so far becomes `tunnel` (the outermost one is kept) and the
   * record is cleared for the inner frame.
   */
  private openTunnel(): void {
    const rec = this.record;
    if (rec.tunnel === undefined) {
      rec.tunnel = { srcMac: rec.srcMac, dstMac: rec.dstMac, vlanTags: rec.vlanTags, ip: rec.ip, carrierMac: rec.srcMac };
    } else if (rec.srcMac !== undefined) {
      rec.tunnel.carrierMac = rec.srcMac;
    }
    rec.srcMac = undefined;
    rec.dstMac = undefined;
    rec.vlanTags = NO_VLAN_TAGS;
    rec.ethertype = undefined;
    rec.llc = undefined;
    rec.arp = undefined;
    rec.ip = undefined;
    rec.udp = undefined;
    rec.tcp = undefined;
    rec.payloadKind = 'none';
    rec.payload = EMPTY;
  }

  private step(next: NextLayer): NextLayer {
    const rec = this.record;
    switch (next) {
      case NEXT.ETHERNET: {
        const eth = readEthernet(this.r, this.anomalies, this.limits);
        if (!eth) return NEXT.NONE;
        rec.srcMac = eth.srcMac;
        rec.dstMac = eth.dstMac;
        rec.vlanTags = eth.vlanTags;
        if (eth.llc) {
          rec.llc = eth.llc;
          rec.payloadKind = 'llc';
          rec.payload = eth.llcPayload ?? EMPTY;
          return NEXT.NONE;
        }
        return eth.ethertype ?? NEXT.NONE;
      }
      case NEXT.RADIOTAP: {
        const radiotap = readRadiotap(this.r, this.anomalies);
        if (!radiotap) return NEXT.NONE;
        if (radiotap.fcs) this.r = this.r.take(Math.max(0, this.r.remaining - 4));
        return NEXT.WLAN;
      }
      case NEXT.WLAN:
        return this.wlan();
      case NEXT.IP: {
        const version = this.r.peekU8() >> 4;
        return version === 4 ? ETHERTYPE.IPV4 : version === 6 ? ETHERTYPE.IPV6 : NEXT.NONE;
      }
      case NEXT.PPP:
        return readPppProtocol(this.r, this.anomalies);
      case NEXT.CDP:
        // Cisco sends CDP over GRE and HDLC without LLC/SNAP: present it as the SNAP frame it would be on Ethernet.
        rec.llc = { dsap: 0xaa, ssap: 0xaa, control: 0x03, snapOui: 0x00000c, snapPid: TUNNEL_ETHERTYPE.CDP };
        rec.payloadKind = 'llc';
        rec.payload = this.r.rest();
        return NEXT.NONE;
      default:
        return this.ethertype(next);
    }
  }

  private wlan(): NextLayer {
    if (!this.enter('wlan')) return NEXT.NONE;
    const rec = this.record;
    const encap = rec.encap ?? NO_ENCAP;
    const w = readWlan(this.r, this.anomalies, encap.length >= 2 && encap[encap.length - 2] === 'capwap');
    if (!w) return NEXT.NONE;
    rec.srcMac = w.srcMac;
    rec.dstMac = w.dstMac;
    rec.vlanTags = NO_VLAN_TAGS;
    if (w.protected) rec.wlanProtected = true;
    if (!w.hasBody) return NEXT.NONE;
    const body = w.bodyLength !== undefined ? this.r.take(w.bodyLength) : this.r;
    const llc = readLlc(body, this.anomalies);
    if (!llc) return NEXT.NONE;
    rec.llc = llc; // kept whatever follows (RFC 1042 SNAP leads on to its ethertype)
    if (llc.snapOui !== undefined && llc.snapPid !== undefined && SNAP_ETHERTYPE_OUIS.has(llc.snapOui)) {
      this.r = body;
      return llc.snapPid;
    }
    if (!snapCut(llc)) {
      rec.payloadKind = 'llc';
      rec.payload = body.rest();
    }
    return NEXT.NONE;
  }

  private ethertype(ethertype: number): NextLayer {
    const rec = this.record;
    rec.ethertype = ethertype;
    switch (ethertype) {
      case ETHERTYPE.ARP: {
        const arp = readArp(this.r, this.anomalies);
        if (arp) rec.arp = arp;
        return NEXT.NONE;
      }
      case ETHERTYPE.IPV4:
      case ETHERTYPE.IPV6:
        return this.ip(ethertype);
      case TUNNEL_ETHERTYPE.MPLS_UNICAST:
      case TUNNEL_ETHERTYPE.MPLS_MULTICAST: {
        const stack = readMpls(this.r, this.anomalies, { maxLabels: this.limits.mplsMaxLabels, payload: this.limits.mplsPayload });
        if (!stack || !this.enter('mpls')) return NEXT.NONE;
        // An Ethernet pseudowire carries a frame of its own; over IP the label switch is a router.
        if (stack.next === NEXT.ETHERNET) this.openTunnel();
        return stack.next;
      }
      case TUNNEL_ETHERTYPE.PPPOE_SESSION: {
        const session = readPppoeSession(this.r, this.anomalies);
        if (!session || !this.enter('pppoe')) return NEXT.NONE;
        this.r = session.body;
        return readPppProtocol(this.r, this.anomalies);
      }
      case TUNNEL_ETHERTYPE.CISCO_METADATA: {
        const cmd = readCiscoMetadata(this.r, this.anomalies, this.record.encap?.[this.record.encap.length - 1] === 'gre');
        if (!cmd || !this.enter('cmd')) return NEXT.NONE;
        rec.sgt = cmd.sgt;
        return cmd.ethertype;
      }
      default:
        // LLDP and any other ethertype: the application decoder takes the rest of the frame.
        rec.payloadKind = 'ethertype';
        rec.payload = this.r.rest();
        return NEXT.NONE;
    }
  }

  private ip(ethertype: number): NextLayer {
    const rec = this.record;
    const ip = ethertype === ETHERTYPE.IPV4 ? readIpv4(this.r, this.anomalies) : readIpv6(this.r, this.anomalies);
    if (!ip) return NEXT.NONE;
    rec.ip = ip.header;
    // A bad header checksum keeps its addresses from being learnt (observe/frame.ts), not the payload from being read.
    if (!ip.hasTransportHeader) return NEXT.NONE;
    const transport = ip.payload;
    switch (ip.header.protocol) {
      case IP_PROTOCOL_GRE:
        return this.gre(transport);
      case IP_PROTOCOL_IPIP:
      case IP_PROTOCOL_IPV6:
        if (transport.remaining === 0 || !this.enter('ipip')) return NEXT.NONE;
        this.openTunnel();
        this.r = transport;
        return ip.header.protocol === IP_PROTOCOL_IPIP ? ETHERTYPE.IPV4 : ETHERTYPE.IPV6;
      case IP_PROTOCOL.UDP: {
        const udpAnomalies: AnomalyCode[] = [];
        const udp = readUdp(transport, udpAnomalies);
        // A first fragment holds only the start of the datagram its UDP length counts (RFC 791 §2.3):
        // that is fragmentation, not truncation.
        for (const a of udpAnomalies) if (!(udp && ip.header.fragment && a === 'udp.truncated')) this.anomalies.push(a);
        if (!udp) return NEXT.NONE;
        rec.udp = udp.header;
        rec.payloadKind = 'udp';
        rec.payload = udp.payload;
        if (ip.header.fragment) return NEXT.NONE;
        return this.udpTunnel(udp.header.srcPort, udp.header.dstPort, udp.payload);
      }
      case IP_PROTOCOL.TCP: {
        const tcp = readTcp(transport, this.anomalies);
        if (!tcp) return NEXT.NONE;
        rec.tcp = tcp.header;
        rec.payloadKind = 'tcp';
        rec.payload = tcp.payload;
        return NEXT.NONE;
      }
      default:
        return NEXT.NONE;
    }
  }

  private gre(r: ByteReader): NextLayer {
    const gre = readGre(r, this.anomalies);
    if (!gre || !this.enter('gre')) return NEXT.NONE;
    let next = gre.next;
    if (gre.erspan !== undefined) {
      if (gre.erspan !== 1) {
        const erspan = readErspan(r, gre.erspan, this.anomalies);
        if (!erspan) return NEXT.NONE;
        if (erspan.sgt !== undefined) this.record.sgt = erspan.sgt;
        next = erspan.next;
      }
      if (!this.enter(`erspan${gre.erspan}`)) return NEXT.NONE;
    }
    if (next === NEXT.NONE) return NEXT.NONE;
    // CDP over GRE is the tunnel endpoint's own: no inner frame.
    if (next !== NEXT.CDP) this.openTunnel();
    this.r = r;
    return next;
  }

  /** UDP tunnels, by port: VXLAN, Geneve, CAPWAP data, LWAPP data, MPLS over UDP. */
  private udpTunnel(srcPort: number, dstPort: number, payload: Uint8Array): NextLayer {
    // Most datagrams are no tunnel: the cheapest test first (ports are never 0 here).
    if (!TUNNEL_UDP_PORTS.has(srcPort) && !TUNNEL_UDP_PORTS.has(dstPort) && !this.limits.vxlanPorts.includes(dstPort)) return NEXT.NONE;
    let name: string;
    if (this.limits.vxlanPorts.includes(dstPort)) name = 'vxlan';
    else if (srcPort === UDP_PORT.GENEVE || dstPort === UDP_PORT.GENEVE) name = 'geneve';
    else if (srcPort === UDP_PORT.CAPWAP_DATA || dstPort === UDP_PORT.CAPWAP_DATA) name = 'capwap';
    else if (srcPort === UDP_PORT.LWAPP_DATA || dstPort === UDP_PORT.LWAPP_DATA) name = 'lwapp';
    else if (dstPort === UDP_PORT.MPLS) name = 'mpls';
    else return NEXT.NONE;
    const r = new ByteReader(payload);
    let next: NextLayer;
    switch (name) {
      case 'vxlan':
        next = readVxlan(r, this.anomalies)?.next ?? NEXT.NONE;
        break;
      case 'geneve':
        next = readGeneve(r, this.anomalies)?.next ?? NEXT.NONE;
        break;
      case 'capwap':
        next = readCapwapData(r, this.anomalies)?.next ?? NEXT.NONE;
        break;
      case 'lwapp':
        next = readLwappData(r, this.anomalies);
        break;
      default:
        next = readMpls(r, this.anomalies, { maxLabels: this.limits.mplsMaxLabels, payload: this.limits.mplsPayload })?.next ?? NEXT.NONE;
    }
    if (next === NEXT.NONE) return NEXT.NONE;
    if (!this.enter(name)) return NEXT.NONE;
    this.openTunnel();
    this.r = r;
    return next;
  }
}
