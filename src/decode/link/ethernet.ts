/**
 * \summary Ethernet II / IEEE 802.3 with 802.2 LLC and SNAP, and the 802.1Q / 802.1ad tag stack.
 *
 * IEEE 802.3 clause 3.2.6: a type/length field <= 1500 is a length (802.3 + LLC), >= 1536 an
 * ethertype. IEEE 802.1Q-2018 §9.6: a tag is TPID (0x8100 C-tag, 0x88a8 S-tag; 0x9100 pre-standard
 * QinQ) then PCP(3) DEI(1) VID(12). Hand-written: a dozen bounded reads, no library needed.
 */
import { declareLimits, intLimit, type LimitValues } from '../limits.js';
import type { ByteReader } from '../bytes.js';
import { NO_VLAN_TAGS, type LlcHeader, type VlanTag } from '../frame-record.js';
import type { AnomalyCode } from '../result.js';

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
  LLDP: 0x88cc,
} as const;

export const ETHERNET_ANOMALIES = [
  'eth.truncated',
  'eth.too_many_vlan_tags',
  'eth.bad_length',
  'llc.truncated',
] as const satisfies readonly AnomalyCode[];

/** The link layer's limits (config `limits.ethernet.*`, declared once here). maxVlanTags: deepest
 * tag stack decoded; deeper frames keep the first N tags and stop. */
export const ETHERNET_LIMIT_DECL = declareLimits('ethernet', 'Link layer (src/decode/link/ethernet.ts ETHERNET_LIMITS).', {
  maxVlanTags: intLimit('max_vlan_tags', 1, 64, 8, '802.1Q/QinQ tags unwrapped per frame.'),
});

export type EthernetLimits = LimitValues<typeof ETHERNET_LIMIT_DECL.fields>;

export const ETHERNET_LIMITS: Readonly<EthernetLimits> = ETHERNET_LIMIT_DECL.defaults;

export interface EthernetHeader {
  dstMac: string;
  srcMac: string;
  vlanTags: readonly VlanTag[];
  /** Ethertype after the tags; absent when the frame is 802.3 with a length field. */
  ethertype?: number;
  llc?: LlcHeader;
  /** For 802.3 frames: the LLC payload, bounded by the length field (trailing pad excluded). */
  llcPayload?: Uint8Array;
}

function isTpid(t: number): boolean {
  return t === ETHERTYPE.VLAN || t === ETHERTYPE.QINQ || t === ETHERTYPE.QINQ_OLD;
}

/** Reads the Ethernet header and tag stack; leaves `r` at the first byte of the payload. */
export function readEthernet(
  r: ByteReader,
  anomalies: AnomalyCode[],
  limits: EthernetLimits = ETHERNET_LIMITS,
): EthernetHeader | undefined {
  if (r.remaining < 14) {
    anomalies.push('eth.truncated');
    return undefined;
  }
  const dstMac = r.mac();
  const header: EthernetHeader = { dstMac, srcMac: r.mac(), vlanTags: NO_VLAN_TAGS };
  // A list only for a tagged frame (most are not): NO_VLAN_TAGS is shared.
  let tags: VlanTag[] | undefined;
  let typeOrLength = r.u16();
  while (isTpid(typeOrLength)) {
    if (header.vlanTags.length === limits.maxVlanTags) {
      anomalies.push('eth.too_many_vlan_tags');
      return header; // no ethertype: payload undecoded
    }
    if (r.remaining < 4) {
      anomalies.push('eth.truncated');
      return header;
    }
    const tci = r.u16();
    if (tags === undefined) header.vlanTags = tags = [];
    tags.push({ tpid: typeOrLength, vid: tci & 0x0fff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0 });
    typeOrLength = r.u16();
  }
  if (typeOrLength >= 1536) {
    header.ethertype = typeOrLength;
    return header;
  }
  if (typeOrLength > 1500) {
    anomalies.push('eth.bad_length');
    return header;
  }
  // IEEE 802.3 length frame: 802.2 LLC follows; the length bounds the payload (pads are dropped).
  if (typeOrLength > r.remaining) anomalies.push('eth.bad_length');
  const llcBody = r.take(Math.min(typeOrLength, r.remaining));
  const llc = readLlc(llcBody, anomalies);
  if (llc === undefined) return header;
  header.llc = llc;
  if (!snapCut(llc)) header.llcPayload = llcBody.rest();
  return header;
}

/** A SNAP header announced (DSAP=SSAP=0xAA) but cut short: no payload to hand on. */
export function snapCut(llc: LlcHeader): boolean {
  return llc.dsap === 0xaa && llc.ssap === 0xaa && llc.snapOui === undefined;
}

/**
 * Reads an 802.2 LLC header (and SNAP when DSAP=SSAP=0xAA); leaves `r` at the payload.
 * Undefined when even the LLC header is cut; a cut SNAP header gives the LLC header alone.
 */
export function readLlc(llcBody: ByteReader, anomalies: AnomalyCode[]): LlcHeader | undefined {
  if (llcBody.remaining < 3) {
    anomalies.push('llc.truncated');
    return undefined;
  }
  const dsap = llcBody.u8();
  const ssap = llcBody.u8();
  let control = llcBody.u8();
  // I- and S-format PDUs have a 2-byte control field (ISO/IEC 8802-2 §5.2).
  if ((control & 0x03) !== 0x03) control = (control << 8) | llcBody.u8();
  if (llcBody.failed) {
    anomalies.push('llc.truncated'); // a 2-byte control field cut after its first byte
    return undefined;
  }
  const llc: LlcHeader = { dsap, ssap, control };
  if (dsap === 0xaa && ssap === 0xaa) {
    if (llcBody.remaining < 5) {
      anomalies.push('llc.truncated');
      return llc;
    }
    llc.snapOui = llcBody.u24();
    llc.snapPid = llcBody.u16();
  }
  return llc;
}
