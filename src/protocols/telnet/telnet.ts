/**
 * \summary Telnet option negotiation probe (RFC 854 §"The Telnet Command Structure", RFC 855):
 * a segment that starts with IAC (0xFF) followed by WILL/WONT/DO/DONT (0xFB–0xFE) or SB (0xFA)
 * and an option code is the opening of a Telnet session. Only the option codes are read (to
 * count them); the session's text (logins, passwords, commands) is never looked at.
 *
 * Hand-written: a few bytes, no library. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

export const TELNET_ANOMALIES = [
  /** IAC followed by a byte that is not a negotiation command, or a command without its option byte. */
  'telnet.bad_negotiation',
] as const satisfies readonly AnomalyCode[];

export interface TelnetRecord {
  /** Negotiation commands (IAC WILL/WONT/DO/DONT/SB) at the start of the segment, capped at 64. */
  negotiations: number;
}

const IAC = 0xff;

/** Cheap probe: IAC then a negotiation command and an option byte. */
export function looksLikeTelnet(p: Uint8Array): boolean {
  return p.length >= 3 && p[0] === IAC && (p[1] as number) >= 0xfa && (p[1] as number) <= 0xfe;
}

export function decodeTelnet(payload: Uint8Array): DecodeResult<TelnetRecord | undefined> {
  if (!looksLikeTelnet(payload)) return { value: undefined, anomalies: ['telnet.bad_negotiation'] };
  let negotiations = 0;
  let i = 0;
  while (i + 2 < payload.length && payload[i] === IAC && negotiations < 64) {
    const cmd = payload[i + 1] as number;
    if (cmd === 0xfa) {
      // SB <option> ... IAC SE: skip to IAC SE (0xF0), bounded by the segment.
      let j = i + 3;
      while (j + 1 < payload.length && !(payload[j] === IAC && payload[j + 1] === 0xf0)) j++;
      i = j + 2;
    } else if (cmd >= 0xfb && cmd <= 0xfe) {
      i += 3;
    } else break;
    negotiations++;
  }
  return { value: { negotiations }, anomalies: [] };
}
