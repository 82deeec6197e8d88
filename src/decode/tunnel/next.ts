/**
 * \summary What follows a header that frame decoding walked: an ethertype, or one of the layers
 * named here. Tunnel and shim decoders return it; decodeFrame's loop takes it from there.
 */

/** Non-negative values are ethertypes; negative ones name a layer. */
export type NextLayer = number;

export const NEXT = {
  /** Nothing more to decode (control traffic, an unknown payload, or an error). */
  NONE: -1,
  /** An Ethernet header (DA, SA, tags, type). */
  ETHERNET: -2,
  /** An IEEE 802.11 MAC header. */
  WLAN: -3,
  /** An IPv4 or IPv6 header, told apart by the version nibble. */
  IP: -4,
  /** A PPP protocol field (RFC 1661 §2), optionally after the HDLC-like 0xff 0x03. */
  PPP: -5,
  /** A radiotap header in front of an 802.11 frame. */
  RADIOTAP: -6,
  /** A CDP PDU straight after GRE or Cisco HDLC (protocol type 0x2000), with no LLC/SNAP header. */
  CDP: -7,
} as const;

/** Ethertypes the tunnel and shim decoders name (IEEE registry). */
export const TUNNEL_ETHERTYPE = {
  TRANSPARENT_ETHERNET: 0x6558,
  ERSPAN_I_II: 0x88be,
  ERSPAN_III: 0x22eb,
  MPLS_UNICAST: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  CISCO_METADATA: 0x8909,
  PPP: 0x880b,
  SLARP: 0x8035,
  /** Cisco's protocol type for CDP over GRE and Cisco HDLC. */
  CDP: 0x2000,
} as const;

/** An IP ethertype or an IP version nibble → the IP layer. */
export function ipNext(ethertype: number): NextLayer {
  return ethertype === 0x0800 || ethertype === 0x86dd ? ethertype : NEXT.NONE;
}
