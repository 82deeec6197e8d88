/**
 * \summary What frame decoding (link, network, transport layers) yields for one captured frame.
 */
import type { AnomalyCode } from './result.js';

/** One 802.1Q / 802.1ad tag, outermost first in `FrameRecord.vlanTags`. */
export interface VlanTag {
  /** Tag protocol identifier: 0x8100 (C-tag), 0x88a8 (S-tag) or 0x9100. */
  tpid: number;
  /** VLAN id, 0–4095 (0 = priority tag only). */
  vid: number;
  /** Priority code point, 0–7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
}

/** The tags of an untagged frame: shared, never added to (readers build their own list for a tagged one). */
export const NO_VLAN_TAGS: readonly VlanTag[] = Object.freeze([]);

export interface LlcHeader {
  dsap: number;
  ssap: number;
  control: number;
  /** SNAP organisation code (e.g. 0x00000c Cisco) when DSAP=SSAP=0xAA. */
  snapOui?: number;
  /** SNAP protocol id (e.g. 0x2000 CDP). */
  snapPid?: number;
}

export interface ArpRecord {
  /** 1 request, 2 reply. */
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface IpHeader {
  version: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 protocol / IPv6 final next header after extension headers. */
  protocol: number;
  ttl: number;
  /** IPv4: MF set or offset non-zero; IPv6: a fragment header was present. */
  fragment: boolean;
  /** IPv4 header options present (length > 20). */
  hasOptions?: boolean;
  /** IPv4 header checksum wrong (RFC 791 §3.1): the header teaches no address (its payload is still read). */
  badChecksum?: boolean;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  length: number;
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20. */
  flags: number;
  window: number;
}

/**
 * The outermost carrier of a tunnelled frame: the tunnel endpoints (an ERSPAN source switch, a
 * VXLAN VTEP, a wireless controller), which are devices of their own, never the inner sender.
 */
export interface TunnelCarrier {
  srcMac: string | undefined;
  dstMac: string | undefined;
  vlanTags: readonly VlanTag[];
  ip: IpHeader | undefined;
  /**
   * The last link-layer source before the inner packet. Differs from `srcMac` in nested tunnels;
   * the only link-layer source there is when the inner packet has none (GRE → IP, Geneve → IP).
   */
  carrierMac: string | undefined;
}

/** Where `payload` came from, which tells the registry which application decoder applies. */
export type PayloadKind = 'ethertype' | 'llc' | 'udp' | 'tcp' | 'none';

/**
 * Optional fields may also be present and undefined: decodeFrame creates every field up front so
 * that all records share one shape (faster property access downstream); treat undefined as absent.
 */
export interface FrameRecord {
  frameNo: number;
  tsMicros: number;
  /** Source MAC (lower case, colon separated); absent on link types without one (raw IP). */
  srcMac?: string | undefined;
  dstMac?: string | undefined;
  /** 802.1Q/802.1ad tag stack of the (inner) frame, outermost first. Empty when untagged (then
   * `NO_VLAN_TAGS`, one shared list: no list is made for an untagged frame). */
  vlanTags: readonly VlanTag[];
  /** Ethertype after the VLAN tags (Ethernet II); absent for 802.3 length frames. */
  ethertype?: number | undefined;
  llc?: LlcHeader | undefined;
  arp?: ArpRecord | undefined;
  ip?: IpHeader | undefined;
  udp?: UdpHeader | undefined;
  tcp?: TcpHeader | undefined;
  /** What `payload` is: the bytes after the last header decoded. */
  payloadKind: PayloadKind;
  /** Payload bytes (a view into the captured frame: copy before keeping). */
  payload: Uint8Array;
  /**
   * Encapsulations and non-Ethernet link layers walked, outermost first (`gre`, `erspan2`,
   * `vxlan`, `geneve`, `mpls`, `pppoe`, `cmd`, `ipip`, `capwap`, `lwapp`, `wlan`, `chdlc`,
   * `ppp`). Empty for a plain Ethernet frame. After a tunnel, `srcMac`, `vlanTags`, `ip` and the
   * rest describe the inner frame; its sender has no MAC when the tunnel carried IP directly.
   */
  encap?: readonly string[];
  /** Set once a tunnel was opened: its outermost carrier. */
  tunnel?: TunnelCarrier | undefined;
  /** Cisco TrustSec Security Group Tag (Cisco MetaData 0x8909 or ERSPAN III). */
  sgt?: number | undefined;
  /** An 802.11 frame whose body is encrypted: counted, not decoded. */
  wlanProtected?: boolean;
}

export type FrameDecode = { value: FrameRecord; anomalies: AnomalyCode[] };
