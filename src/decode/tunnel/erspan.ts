/**
 * \summary ERSPAN headers (draft-foschiano-erspan-03 §4.1–4.3; type I has none): type II
 * (version 1, 8 bytes) and type III (version 2, 12 bytes, plus 8 when the platform-specific
 * subheader flag is set). The original VLAN and the session id go to evidence; ERSPAN III's
 * SGT too. Hand-written: two fixed headers.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, type NextLayer } from './next.js';

export const ERSPAN_ANOMALIES = ['erspan.truncated', 'erspan.bad_version', 'erspan.unknown_frame_type'] as const satisfies readonly AnomalyCode[];

export interface ErspanHeader {
  version: 1 | 2;
  sessionId: number;
  /** The mirrored frame's VLAN at the source port (0 when untagged there). */
  vlan: number;
  sgt?: number;
  next: NextLayer;
}

/** Reads an ERSPAN II (`type` 2) or III (`type` 3) header; leaves `r` at the mirrored frame. */
export function readErspan(r: ByteReader, type: 2 | 3, anomalies: AnomalyCode[]): ErspanHeader | undefined {
  if (r.remaining < (type === 2 ? 8 : 12)) {
    anomalies.push('erspan.truncated');
    return undefined;
  }
  const verVlan = r.u16();
  const version = verVlan >> 12;
  if (version !== type - 1) {
    anomalies.push('erspan.bad_version');
    return undefined;
  }
  const sessionId = r.u16() & 0x03ff;
  const header: ErspanHeader = { version: version as 1 | 2, sessionId, vlan: verVlan & 0x0fff, next: NEXT.ETHERNET };
  if (type === 2) {
    r.skip(4); // reserved, index
    return header;
  }
  r.skip(4); // timestamp
  header.sgt = r.u16();
  const word = r.u16();
  const frameType = (word >> 10) & 0x1f;
  if ((word & 0x0001) !== 0) r.skip(8); // platform-specific subheader
  if (r.failed) {
    anomalies.push('erspan.truncated');
    return undefined;
  }
  if (frameType === 0) return header; // Ethernet
  if (frameType === 2) {
    // IP frame: the version nibble says which.
    header.next = NEXT.IP;
    return header;
  }
  anomalies.push('erspan.unknown_frame_type');
  header.next = NEXT.NONE;
  return header;
}
