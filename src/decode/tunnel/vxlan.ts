/**
 * \summary VXLAN (RFC 7348 §5: 8 bytes, I flag, 24-bit VNI) and Geneve (RFC 8926 §3: version 0,
 * options skipped by their declared length, protocol type 0x6558 Ethernet or IPv4/IPv6).
 * Hand-written: fixed headers.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, TUNNEL_ETHERTYPE, type NextLayer } from './next.js';

export const VXLAN_ANOMALIES = ['vxlan.truncated', 'vxlan.no_vni', 'geneve.truncated', 'geneve.bad_version', 'geneve.unknown_protocol'] as const satisfies readonly AnomalyCode[];

export interface OverlayHeader {
  vni: number;
  next: NextLayer;
}

export function readVxlan(r: ByteReader, anomalies: AnomalyCode[]): OverlayHeader | undefined {
  if (r.remaining < 8) {
    anomalies.push('vxlan.truncated');
    return undefined;
  }
  const flags = r.u8();
  r.skip(3);
  const vni = r.u24();
  r.skip(1);
  if ((flags & 0x08) === 0) {
    anomalies.push('vxlan.no_vni'); // the I flag must be set (RFC 7348 §5)
    return undefined;
  }
  return { vni, next: NEXT.ETHERNET };
}

export function readGeneve(r: ByteReader, anomalies: AnomalyCode[]): OverlayHeader | undefined {
  if (r.remaining < 8) {
    anomalies.push('geneve.truncated');
    return undefined;
  }
  const verOptLen = r.u8();
  if (verOptLen >> 6 !== 0) {
    anomalies.push('geneve.bad_version');
    return undefined;
  }
  r.skip(1); // O, C flags
  const protocol = r.u16();
  const vni = r.u24();
  r.skip(1);
  r.skip((verOptLen & 0x3f) * 4);
  if (r.failed) {
    anomalies.push('geneve.truncated');
    return undefined;
  }
  if (protocol === TUNNEL_ETHERTYPE.TRANSPARENT_ETHERNET) return { vni, next: NEXT.ETHERNET };
  if (protocol === 0x0800 || protocol === 0x86dd) return { vni, next: protocol };
  anomalies.push('geneve.unknown_protocol');
  return undefined;
}
