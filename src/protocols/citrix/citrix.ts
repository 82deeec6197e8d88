/**
 * \summary Citrix ICA connection probe: the 6-byte `\x7f\x7fICA\0` both ends send first on an ICA
 * connection (TCP 1494, or 2598 with session reliability), as nDPI recognises it
 * (ntop/nDPI src/lib/protocols/citrix.c) and as the shared capture `remote-access/citrix.pcap`
 * shows. Nothing after it is read: the ICA stream is the remote desktop itself.
 *
 * Hand-written: a 6-byte probe. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

export const CITRIX_ANOMALIES = [
  /** A segment that starts like the ICA greeting but is not exactly it. */
  'citrix.bad_greeting',
] as const satisfies readonly AnomalyCode[];

export interface CitrixRecord {
  /** The ICA greeting was seen (both ends send it). */
  greeting: true;
}

/** Cheap probe: `\x7f\x7fIC` at the start of a segment. */
export function looksLikeCitrix(p: Uint8Array): boolean {
  return p.length >= 6 && p[0] === 0x7f && p[1] === 0x7f && p[2] === 0x49 && p[3] === 0x43;
}

export function decodeCitrix(payload: Uint8Array): DecodeResult<CitrixRecord | undefined> {
  if (looksLikeCitrix(payload) && payload[4] === 0x41 && payload[5] === 0x00) return { value: { greeting: true }, anomalies: [] };
  return { value: undefined, anomalies: ['citrix.bad_greeting'] };
}
