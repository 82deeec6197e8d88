/**
 * \summary VNC / RFB ProtocolVersion decoder (RFC 6143 §7.1.1): the 12-byte `RFB xxx.yyy\n` that
 * the server sends first and the client echoes. Nothing after it is read (authentication and
 * the framebuffer are payload).
 *
 * Hand-written: a fixed 12-byte string. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

export const VNC_ANOMALIES = [
  /** `RFB ` without the `ddd.ddd\n` that must follow: not kept. */
  'vnc.bad_version',
  /** Bytes after the 12-byte version in the same segment (RFC 6143 sends it alone). */
  'vnc.trailing_bytes',
] as const satisfies readonly AnomalyCode[];

export interface VncRecord {
  /** `3.8`, `3.3`, `3.7` (leading zeros dropped; vendors use others, e.g. `4.1`). */
  version: string;
}

export function looksLikeRfb(p: Uint8Array): boolean {
  return p.length >= 12 && p[0] === 0x52 && p[1] === 0x46 && p[2] === 0x42 && p[3] === 0x20;
}

export function decodeVnc(payload: Uint8Array): DecodeResult<VncRecord | undefined> {
  const text = String.fromCharCode(...payload.subarray(0, 12));
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(text);
  if (m === null) return { value: undefined, anomalies: ['vnc.bad_version'] };
  const anomalies: AnomalyCode[] = payload.length > 12 ? ['vnc.trailing_bytes'] : [];
  return { value: { version: `${Number(m[1])}.${Number(m[2])}` }, anomalies };
}
