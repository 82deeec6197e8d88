/**
 * \summary TeamViewer packet header probe: the two magic bytes TeamViewer's own protocol starts
 * its packets with (0x17 0x24 for the "CMD" packets, 0x11 0x30 for the older ones; over UDP the
 * magic sits at offset 11 after a zero counter). The layout is not published: the magic and
 * offsets are those nDPI relies on (ntop/nDPI src/lib/protocols/teamviewer.c), checked on the
 * shared capture `remote-access/teamviewer.pcap`. The rest of the packet (session content) is
 * never read.
 *
 * A single magic is weak evidence off port 5938: the session tracker (src/observe/remote-sessions.ts)
 * asks for `TEAMVIEWER_MIN_PACKETS` of them in one flow before it names a session there.
 * Hand-written: a 2-byte probe. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

export const TEAMVIEWER_ANOMALIES = [
  /** A TCP payload without TeamViewer's magic (not TeamViewer's, or not a packet start). */
  'teamviewer.no_magic',
] as const satisfies readonly AnomalyCode[];

export const TEAMVIEWER_UDP_ANOMALIES = [
  /** A UDP payload without the zero counter and magic at offset 11. */
  'teamviewer_udp.no_magic',
] as const satisfies readonly AnomalyCode[];

/** Magic packets needed in one flow when neither port is 5938 (nDPI asks for 4 as well). */
export const TEAMVIEWER_MIN_PACKETS = 4;
export const TEAMVIEWER_PORT = 5938;

export interface TeamViewerRecord {
  transport: 'tcp' | 'udp';
  /** `1724` or `1130`. */
  magic: string;
}

export function looksLikeTeamViewer(p: Uint8Array, transport: 'tcp' | 'udp'): boolean {
  if (transport === 'tcp') return p.length > 2 && ((p[0] === 0x17 && p[1] === 0x24) || (p[0] === 0x11 && p[1] === 0x30));
  return p.length > 13 && p[0] === 0x00 && p[11] === 0x17 && p[12] === 0x24;
}

export function decodeTeamViewer(payload: Uint8Array, transport: 'tcp' | 'udp'): DecodeResult<TeamViewerRecord | undefined> {
  if (!looksLikeTeamViewer(payload, transport)) return { value: undefined, anomalies: [transport === 'tcp' ? 'teamviewer.no_magic' : 'teamviewer_udp.no_magic'] };
  const magic = transport === 'udp' || payload[0] === 0x17 ? '1724' : '1130';
  return { value: { transport, magic }, anomalies: [] };
}
