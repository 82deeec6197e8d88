/**
 * \summary CAPWAP data channel (RFC 5415 §4.3, udp/5247) and its predecessor LWAPP (RFC 5412
 * §3.1, udp/12222): the header in front of a wireless station's frame, as a wireless controller's
 * wired side carries it. CAPWAP's T bit says native (802.11 when the wireless binding id is 1)
 * or 802.3; DTLS-protected data (preamble type 1) is counted, not guessed; fragments after the
 * first carry no header to decode. Hand-written: fixed headers.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, type NextLayer } from './next.js';

export const CAPWAP_ANOMALIES = [
  'capwap.truncated',
  'capwap.bad_version',
  'capwap.dtls',
  'capwap.fragment',
  'capwap.unknown_binding',
  'lwapp.truncated',
] as const satisfies readonly AnomalyCode[];

const WBID_IEEE80211 = 1;

export interface CapwapHeader {
  radioId: number;
  wbid: number;
  next: NextLayer;
}

export function readCapwapData(r: ByteReader, anomalies: AnomalyCode[]): CapwapHeader | undefined {
  if (r.remaining < 8) {
    anomalies.push('capwap.truncated');
    return undefined;
  }
  const word = r.u32();
  const preamble = word >>> 24;
  if (preamble >> 4 !== 0) {
    anomalies.push('capwap.bad_version');
    return undefined;
  }
  if ((preamble & 0x0f) === 1) {
    anomalies.push('capwap.dtls');
    return undefined;
  }
  const hlen = ((word >>> 19) & 0x1f) * 4;
  const radioId = (word >>> 14) & 0x1f;
  const wbid = (word >>> 9) & 0x1f;
  const native = ((word >>> 8) & 1) === 1;
  const fragment = ((word >>> 7) & 1) === 1;
  const fragmentOffset = (r.u32() >>> 3) & 0x1fff;
  if (hlen < 8) {
    anomalies.push('capwap.truncated');
    return undefined;
  }
  r.skip(hlen - 8);
  if (r.failed) {
    anomalies.push('capwap.truncated');
    return undefined;
  }
  if (fragment && fragmentOffset !== 0) {
    anomalies.push('capwap.fragment');
    return undefined;
  }
  if (!native) return { radioId, wbid, next: NEXT.ETHERNET };
  if (wbid === WBID_IEEE80211) return { radioId, wbid, next: NEXT.WLAN };
  anomalies.push('capwap.unknown_binding');
  return undefined;
}

/** LWAPP: flags (version 2 bits, radio id 3, C, F, fragment type), fragment id, length, status. */
export function readLwappData(r: ByteReader, anomalies: AnomalyCode[]): NextLayer {
  if (r.remaining < 6) {
    anomalies.push('lwapp.truncated');
    return NEXT.NONE;
  }
  const flags = r.u8();
  r.skip(5);
  if ((flags & 0x04) !== 0) return NEXT.NONE; // control message
  return NEXT.WLAN;
}
