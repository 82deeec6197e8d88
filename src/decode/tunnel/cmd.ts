/**
 * \summary Cisco MetaData (ethertype 0x8909, Cisco TrustSec inline tagging): version, length,
 * option type, the 16-bit Security Group Tag, then the ethertype of what follows — the layout
 * Wireshark's packet-cisco-metadata.c reads. Inside GRE (protocol type 0x8909) the ethertype
 * comes first and the rest follows it (as Wireshark and tcpdump's various_gre.pcap show). The SGT
 * is kept as evidence `eth.sgt`.
 * Hand-written: 8 fixed bytes.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';

export const CMD_ANOMALIES = ['cmd.truncated'] as const satisfies readonly AnomalyCode[];

export interface CiscoMetadata {
  sgt: number;
  ethertype: number;
}

export function readCiscoMetadata(r: ByteReader, anomalies: AnomalyCode[], overGre = false): CiscoMetadata | undefined {
  if (r.remaining < 8) {
    anomalies.push('cmd.truncated');
    return undefined;
  }
  const typeFirst = overGre ? r.u16() : 0;
  r.skip(4); // version, length, option type
  const sgt = r.u16();
  return { sgt, ethertype: overGre ? typeFirst : r.u16() };
}
