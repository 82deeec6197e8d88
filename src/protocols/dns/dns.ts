/**
 * \summary Unicast DNS decoder (RFC 1035 §4.1; over TCP with the 2-byte length prefix of §4.2.2):
 * the names a device asks for and the addresses and aliases it is told, nothing else.
 *
 * The message walk is the mDNS decoder's (src/protocols/mdns/mdns.ts: bounded framing, each record
 * handed to `dns-packet` at its own offset, compression loops impossible); this file only maps
 * its record to what unicast DNS tells the sensor: questions (name, type), answers A/AAAA (name →
 * address) and PTR targets, the RCODE. TXT strings are never kept (no payload at rest),
 * and mDNS's anomaly codes are renamed `dns.*` (`dns_tcp.*` over TCP). Pure; never throws.
 */
import { decodeMdns, MDNS_LIMITS, type MdnsLimits } from '../mdns/mdns.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';
import { declareLimits, intLimit } from '../../decode/limits.js';

export const DNS_ANOMALIES = [
  'dns.truncated',
  'dns.bad_counts',
  'dns.too_many_records',
  'dns.malformed',
  'dns.bad_rdata_length',
  'dns.name_too_long',
  'dns.trailing_bytes',
] as const satisfies readonly AnomalyCode[];

/** DNS over TCP reports the same problems as `dns_tcp.*`, plus the length prefix check. */
export const DNS_TCP_ANOMALIES = [
  ...DNS_ANOMALIES.map((c) => `dns_tcp.${c.slice('dns.'.length)}` as const),
  /** The 2-byte length prefix disagrees with the segment (a message split over segments is not reassembled). */
  'dns_tcp.length_mismatch',
] as const satisfies readonly AnomalyCode[];

export interface DnsLimits {
  /** Questions + records decoded per message (`decode.dns.max_records`). */
  maxRecords: number;
  /** Characters kept of any name. */
  maxNameLength: number;
}

export const DNS_LIMIT_DECL = declareLimits('dns', 'Unicast DNS decoder (src/protocols/dns/dns.ts DNS_LIMITS, issue 20).', {
  maxRecords: intLimit('max_records', 1, 65535, 64, 'Resource records decoded per message.'),
  maxNameLength: intLimit('max_name_length', 1, 1024, 255, 'Characters kept of any name.'),
});
export const DNS_LIMITS: Readonly<DnsLimits> = DNS_LIMIT_DECL.defaults;

export interface DnsAnswer {
  /** Owner name (lower case, no trailing dot). */
  name: string;
  type: string;
  /** A/AAAA: the address; PTR: the target name. */
  data: string;
  ttl: number;
}

export interface DnsRecord {
  id: number;
  isResponse: boolean;
  rcode: number;
  /** Questions: name (lower case) and type. */
  questions: { name: string; type: string }[];
  /** A, AAAA and PTR answers (other types are counted, not kept). */
  answers: DnsAnswer[];
}

const KEPT = new Set(['A', 'AAAA', 'PTR']);
const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** Decodes one DNS message; `overTcp` strips and checks the RFC 1035 §4.2.2 length prefix. */
export function decodeDns(payload: Uint8Array, limits: DnsLimits = DNS_LIMITS, overTcp = false): DecodeResult<DnsRecord> {
  const anomalies: AnomalyCode[] = [];
  let message = payload;
  if (overTcp) {
    const declared = payload.length >= 2 ? ((payload[0] as number) << 8) | (payload[1] as number) : -1;
    message = payload.subarray(2, Math.max(2, Math.min(payload.length, declared + 2)));
    if (declared !== payload.length - 2) anomalies.push('dns_tcp.length_mismatch');
  }
  const mdnsLimits: MdnsLimits = { ...MDNS_LIMITS, maxRecords: limits.maxRecords, maxNameLength: limits.maxNameLength, maxTxtBytes: 0, maxTxtStrings: 0 };
  const { value: m, anomalies: inner } = decodeMdns(message, mdnsLimits);
  const prefix = overTcp ? 'dns_tcp.' : 'dns.';
  for (const a of inner) {
    const reason = a.slice('mdns.'.length);
    // TXT caps and the TXT key allowlist are mDNS matters: unicast DNS keeps no TXT at all.
    if (!(DNS_ANOMALIES as readonly string[]).includes(`dns.${reason}`)) continue;
    const code = `${prefix}${reason}` as AnomalyCode;
    if (!anomalies.includes(code)) anomalies.push(code);
  }
  const record: DnsRecord = {
    id: m.id, isResponse: m.isResponse, rcode: m.rcode,
    questions: m.questions.map((q) => ({ name: lower(q.name), type: q.type })),
    answers: [],
  };
  for (const rr of m.records) {
    if (rr.section !== 'answer' || !KEPT.has(rr.type) || rr.data === undefined) continue;
    const d = rr.data;
    const data = d.type === 'A' || d.type === 'AAAA' ? d.address : d.type === 'PTR' ? lower(d.target) : undefined;
    if (data !== undefined) record.answers.push({ name: lower(rr.name), type: rr.type, data, ttl: rr.ttl });
  }
  return { value: record, anomalies };
}
