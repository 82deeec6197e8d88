/**
 * \summary RDP connection sequence decoder ([MS-RDPBCGR] §2.2.1.1 and §2.2.1.2): the TPKT
 * (RFC 1006) + X.224 Connection Request a client sends first and the Connection Confirm the
 * server answers, with the RDP negotiation request/response (security protocols asked for and
 * chosen).
 *
 * The Connection Request may carry `Cookie: mstshash=<user name>` (§2.2.1.1): a user name. It is
 * NEVER decoded to text, copied or returned: the decoder only notes that a cookie (or a routing
 * token) was there and skips its bytes to the CR LF. A canary test proves it.
 *
 * Hand-written: no npm package parses these 20-odd bytes without a whole RDP client. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

export const RDP_ANOMALIES = [
  /** TPKT length disagrees with the segment, or the X.224 header is shorter than 7 bytes. */
  'rdp.bad_length',
  /** A cookie or routing token without the CR LF that ends it within the TPDU. */
  'rdp.unterminated_cookie',
  /** An RDP_NEG_* structure whose type or length is not one of §2.2.1.1.1 / §2.2.1.2.1–2. */
  'rdp.bad_negotiation',
] as const satisfies readonly AnomalyCode[];

export interface RdpRecord {
  /** X.224 TPDU: a client's Connection Request or a server's Connection Confirm. */
  tpdu: 'connection_request' | 'connection_confirm';
  /** A `Cookie: mstshash=` was present (its content, a user name, is never read). */
  cookie: boolean;
  /** A `Cookie: msts=` routing token was present (not read). */
  routingToken: boolean;
  /** Request: the security protocols asked for (`rdp`, `ssl`, `hybrid`, `rdstls`, `hybrid_ex`, `rdsaad`). */
  requestedProtocols?: string[];
  /** Confirm: the protocol the server chose. */
  selectedProtocol?: string;
  /** Confirm: the server refused the negotiation (RDP_NEG_FAILURE code). */
  failureCode?: number;
}

const X224_CR = 0xe0;
const X224_CC = 0xd0;
const PROTOCOLS: readonly [number, string][] = [[0x1, 'ssl'], [0x2, 'hybrid'], [0x4, 'rdstls'], [0x8, 'hybrid_ex'], [0x10, 'rdsaad']];
const COOKIE = 'Cookie: mstshash=';
const ROUTING = 'Cookie: msts=';

function protocolNames(mask: number): string[] {
  if (mask === 0) return ['rdp'];
  return PROTOCOLS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

/** Cheap probe: TPKT version 3 and an X.224 CR or CC TPDU. */
export function looksLikeRdp(p: Uint8Array): boolean {
  return p.length >= 11 && p[0] === 3 && p[1] === 0 && (p[5] === X224_CR || p[5] === X224_CC);
}

function startsWith(p: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > p.length) return false;
  for (let i = 0; i < text.length; i++) if (p[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function decodeRdp(payload: Uint8Array): DecodeResult<RdpRecord | undefined> {
  const anomalies: AnomalyCode[] = [];
  const tpktLength = payload.length >= 4 ? ((payload[2] as number) << 8) | (payload[3] as number) : 0;
  if (tpktLength < 11 || tpktLength > payload.length) return { value: undefined, anomalies: ['rdp.bad_length'] };
  const p = payload.subarray(0, tpktLength);
  const li = p[4] as number;
  const end = Math.min(p.length, 5 + li);
  const code = (p[5] as number) & 0xf0;
  const record: RdpRecord = { tpdu: code === X224_CR ? 'connection_request' : 'connection_confirm', cookie: false, routingToken: false };
  let at = 11; // TPKT 4 + LI 1 + code 1 + dst-ref 2 + src-ref 2 + class 1
  if (code === X224_CR && (startsWith(p, at, COOKIE) || startsWith(p, at, ROUTING))) {
    if (startsWith(p, at, COOKIE)) record.cookie = true;
    else record.routingToken = true;
    // Skip to CR LF without looking at what lies between: that is the user name.
    let i = at;
    while (i + 1 < end && !(p[i] === 0x0d && p[i + 1] === 0x0a)) i++;
    if (i + 1 >= end) { anomalies.push('rdp.unterminated_cookie'); return { value: record, anomalies }; }
    at = i + 2;
  }
  if (at + 8 <= end) {
    const type = p[at] as number;
    const length = (p[at + 2] as number) | ((p[at + 3] as number) << 8);
    const value = ((p[at + 4] as number) | ((p[at + 5] as number) << 8) | ((p[at + 6] as number) << 16) | ((p[at + 7] as number) << 24)) >>> 0;
    if (length !== 8) anomalies.push('rdp.bad_negotiation');
    else if (type === 0x01 && code === X224_CR) record.requestedProtocols = protocolNames(value);
    else if (type === 0x02 && code === X224_CC) record.selectedProtocol = protocolNames(value)[0] ?? 'rdp';
    else if (type === 0x03 && code === X224_CC) record.failureCode = value;
    else anomalies.push('rdp.bad_negotiation');
  } else if (code === X224_CR) {
    record.requestedProtocols = ['rdp'];
  }
  return { value: record, anomalies };
}
