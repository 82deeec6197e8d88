/**
 * \summary PPPoE session stage (RFC 2516 §4: 6-byte header, then a PPP protocol field) and the
 * PPP protocol field itself (RFC 1661 §2; HDLC-like framing RFC 1662 §3 with 0xff 0x03, which
 * may be absent; protocol field compression gives one odd byte). Only the network protocols
 * (IPv4 0x0021, IPv6 0x0057, MPLS 0x0281) lead on; LCP, PAP and the NCPs are link control.
 * Hand-written: fixed headers.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, TUNNEL_ETHERTYPE, type NextLayer } from './next.js';

export const PPPOE_ANOMALIES = ['pppoe.truncated', 'pppoe.bad_version', 'ppp.truncated'] as const satisfies readonly AnomalyCode[];

export interface PppoeSession {
  sessionId: number;
  /** The PPP payload, bounded by the PPPoE length field. */
  body: ByteReader;
}

export function readPppoeSession(r: ByteReader, anomalies: AnomalyCode[]): PppoeSession | undefined {
  if (r.remaining < 6) {
    anomalies.push('pppoe.truncated');
    return undefined;
  }
  const verType = r.u8();
  r.skip(1); // code: 0 in the session stage
  const sessionId = r.u16();
  const length = r.u16();
  if (verType !== 0x11) {
    anomalies.push('pppoe.bad_version');
    return undefined;
  }
  if (length > r.remaining) anomalies.push('pppoe.truncated');
  return { sessionId, body: r.take(Math.min(length, r.remaining)) };
}

/** Reads a PPP protocol field; the network layer it leads to, or NONE for link control. */
export function readPppProtocol(r: ByteReader, anomalies: AnomalyCode[]): NextLayer {
  if (r.remaining >= 2 && r.peekU8() === 0xff) r.skip(2); // address 0xff, control 0x03
  const first = r.u8();
  const protocol = (first & 0x01) !== 0 ? first : (first << 8) | r.u8();
  if (r.failed) {
    anomalies.push('ppp.truncated');
    return NEXT.NONE;
  }
  switch (protocol) {
    case 0x0021:
      return 0x0800;
    case 0x0057:
      return 0x86dd;
    case 0x0281:
      return TUNNEL_ETHERTYPE.MPLS_UNICAST;
    default:
      return NEXT.NONE;
  }
}
