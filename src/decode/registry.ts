/**
 * \summary The ONE table that maps a decoded frame to its application decoder, and the single
 * try/catch of the decode layer: a decoder that throws is a bug, counted as
 * `decoder_threw.<protocol>` (tests assert it stays 0), never a crash.
 *
 * A new protocol adds one entry here and one observer in src/observe/observe-app.ts.
 */
import type { FrameRecord, PayloadKind } from './frame-record.js';
import type { AnomalyCode, DecodeResult } from './result.js';
import { CDP_ANOMALIES, CDP_LIMITS, decodeCdp, type CdpLimits, type CdpRecord } from './app/cdp.js';
import { DHCP_ANOMALIES, DHCP_LIMITS, decodeDhcp, type DhcpLimits, type DhcpRecord } from './app/dhcp.js';
import { LLDP_ANOMALIES, LLDP_LIMITS, decodeLldp, type LldpLimits, type LldpRecord } from './app/lldp.js';
import { MDNS_ANOMALIES, MDNS_LIMITS, decodeMdns, type MdnsLimits, type MdnsRecord } from './app/mdns.js';

/** What an application decoder yielded, tagged with its protocol. */
export type AppRecord =
  | { protocol: 'dhcp'; record: DhcpRecord }
  | { protocol: 'lldp'; record: LldpRecord }
  | { protocol: 'cdp'; record: CdpRecord }
  | { protocol: 'mdns'; record: MdnsRecord };

export type AppProtocolName = AppRecord['protocol'];

/** Limits of the application decoders (config `limits.*`). */
export interface AppDecoderLimits {
  dhcp: DhcpLimits;
  lldp: LldpLimits;
  cdp: CdpLimits;
  mdns: MdnsLimits;
}

export const APP_DECODER_LIMITS: AppDecoderLimits = { dhcp: DHCP_LIMITS, lldp: LLDP_LIMITS, cdp: CDP_LIMITS, mdns: MDNS_LIMITS };

export interface AppProtocol {
  /** Protocol name: the prefix of its anomaly codes and observation fields. */
  name: AppProtocolName;
  /** The only payload kind `matches` can accept (lets decodeApplication skip the others). */
  payloadKind: PayloadKind;
  /** Does this frame carry this protocol? (ethertype, SNAP id or UDP port) */
  matches(frame: FrameRecord): boolean;
  decode(payload: Uint8Array, limits?: AppDecoderLimits): DecodeResult<unknown>;
  /** Every anomaly code `decode` can yield (the property harness checks this). */
  anomalyCodes: readonly AnomalyCode[];
}

const udpPort = (f: FrameRecord, port: number, other = port) =>
  f.payloadKind === 'udp' && f.udp !== undefined &&
  (f.udp.srcPort === port || f.udp.dstPort === port || f.udp.srcPort === other || f.udp.dstPort === other);

export const APP_PROTOCOLS: readonly AppProtocol[] = [
  { name: 'dhcp', payloadKind: 'udp', matches: (f) => udpPort(f, 67, 68), decode: (p, l = APP_DECODER_LIMITS) => decodeDhcp(p, l.dhcp), anomalyCodes: DHCP_ANOMALIES },
  { name: 'lldp', payloadKind: 'ethertype', matches: (f) => f.payloadKind === 'ethertype' && f.ethertype === 0x88cc, decode: (p, l = APP_DECODER_LIMITS) => decodeLldp(p, l.lldp), anomalyCodes: LLDP_ANOMALIES },
  {
    name: 'cdp',
    payloadKind: 'llc',
    matches: (f) => f.payloadKind === 'llc' && f.llc?.snapOui === 0x00000c && f.llc.snapPid === 0x2000,
    decode: (p, l = APP_DECODER_LIMITS) => decodeCdp(p, l.cdp),
    anomalyCodes: CDP_ANOMALIES,
  },
  { name: 'mdns', payloadKind: 'udp', matches: (f) => udpPort(f, 5353), decode: (p, l = APP_DECODER_LIMITS) => decodeMdns(p, l.mdns), anomalyCodes: MDNS_ANOMALIES },
];

/** APP_PROTOCOLS by payload kind, in table order (the first match wins). */
const BY_PAYLOAD_KIND: ReadonlyMap<PayloadKind, readonly AppProtocol[]> = new Map(
  (['ethertype', 'llc', 'udp', 'tcp', 'none'] as const).map((kind) => [kind, APP_PROTOCOLS.filter((p) => p.payloadKind === kind)]),
);

/** Counts per protocol and anomaly go to this sink. */
export interface DecodeSink {
  anomaly(code: string): void;
  decoded(protocol: string): void;
}

/** Decodes the application payload of `frame`, if a protocol claims it. */
export function decodeApplication(frame: FrameRecord, sink: DecodeSink, limits: AppDecoderLimits = APP_DECODER_LIMITS): AppRecord | undefined {
  const candidates = BY_PAYLOAD_KIND.get(frame.payloadKind);
  if (candidates === undefined) return undefined;
  for (const p of candidates) {
    if (!p.matches(frame)) continue;
    try {
      const { value, anomalies } = p.decode(frame.payload, limits);
      sink.decoded(p.name);
      for (const a of anomalies) sink.anomaly(a);
      return { protocol: p.name, record: value } as AppRecord;
    } catch {
      sink.anomaly(`decoder_threw.${p.name}`);
      return undefined;
    }
  }
  return undefined;
}
