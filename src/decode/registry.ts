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
import { DNS_ANOMALIES, DNS_TCP_ANOMALIES, DNS_LIMITS, decodeDns, type DnsLimits, type DnsRecord } from './app/dns.js';
import { TLS_ANOMALIES, TLS_LIMITS, decodeTlsClientHello, looksLikeClientHello, type TlsLimits, type TlsClientHelloRecord } from './app/tls-client-hello.js';
import { SSH_ANOMALIES, SSH_LIMITS, decodeSsh, looksLikeSsh, type SshLimits, type SshRecord } from './app/ssh.js';
import { RDP_ANOMALIES, decodeRdp, looksLikeRdp, type RdpRecord } from './app/rdp.js';
import { VNC_ANOMALIES, decodeVnc, looksLikeRfb, type VncRecord } from './app/vnc.js';
import { CITRIX_ANOMALIES, decodeCitrix, looksLikeCitrix, type CitrixRecord } from './app/citrix.js';
import { TELNET_ANOMALIES, decodeTelnet, looksLikeTelnet, type TelnetRecord } from './app/telnet.js';
import { TEAMVIEWER_ANOMALIES, TEAMVIEWER_UDP_ANOMALIES, decodeTeamViewer, looksLikeTeamViewer, type TeamViewerRecord } from './app/teamviewer.js';

/** What an application decoder yielded, tagged with its protocol. */
export type AppRecord =
  | { protocol: 'dhcp'; record: DhcpRecord }
  | { protocol: 'lldp'; record: LldpRecord }
  | { protocol: 'cdp'; record: CdpRecord }
  | { protocol: 'mdns'; record: MdnsRecord }
  // Issue 20 (remote access): DNS, TLS ClientHello, SSH, RDP, VNC, TeamViewer.
  | { protocol: 'dns'; record: DnsRecord }
  | { protocol: 'dns_tcp'; record: DnsRecord }
  | { protocol: 'tls'; record: TlsClientHelloRecord }
  | { protocol: 'ssh'; record: SshRecord | undefined }
  | { protocol: 'rdp'; record: RdpRecord | undefined }
  | { protocol: 'vnc'; record: VncRecord | undefined }
  | { protocol: 'teamviewer'; record: TeamViewerRecord | undefined }
  | { protocol: 'teamviewer_udp'; record: TeamViewerRecord | undefined }
  | { protocol: 'telnet'; record: TelnetRecord | undefined }
  | { protocol: 'citrix'; record: CitrixRecord | undefined };

export type AppProtocolName = AppRecord['protocol'];

/** Limits of the application decoders (config `limits.*`). */
export interface AppDecoderLimits {
  dhcp: DhcpLimits;
  lldp: LldpLimits;
  cdp: CdpLimits;
  mdns: MdnsLimits;
  dns?: DnsLimits;
  tls?: TlsLimits;
  ssh?: SshLimits;
}

export const APP_DECODER_LIMITS: AppDecoderLimits = { dhcp: DHCP_LIMITS, lldp: LLDP_LIMITS, cdp: CDP_LIMITS, mdns: MDNS_LIMITS, dns: DNS_LIMITS, tls: TLS_LIMITS, ssh: SSH_LIMITS };

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

const tcpPort = (f: FrameRecord, port: number) =>
  f.payloadKind === 'tcp' && f.tcp !== undefined && (f.tcp.srcPort === port || f.tcp.dstPort === port);

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
  // Issue 20: unicast DNS and the remote-access protocols. TCP entries see every TCP segment with
  // a payload (the stream decoders see them too) and claim it by its first bytes, whatever the port.
  { name: 'dns', payloadKind: 'udp', matches: (f) => udpPort(f, 53) && f.payload.length >= 12, decode: (p, l = APP_DECODER_LIMITS) => decodeDns(p, l.dns), anomalyCodes: DNS_ANOMALIES },
  { name: 'teamviewer_udp', payloadKind: 'udp', matches: (f) => f.payloadKind === 'udp' && looksLikeTeamViewer(f.payload, 'udp'), decode: (p) => decodeTeamViewer(p, 'udp'), anomalyCodes: TEAMVIEWER_UDP_ANOMALIES },
  { name: 'dns_tcp', payloadKind: 'tcp', matches: (f) => tcpPort(f, 53) && f.payload.length >= 14, decode: (p, l = APP_DECODER_LIMITS) => decodeDns(p, l.dns, true), anomalyCodes: DNS_TCP_ANOMALIES },
  { name: 'tls', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeClientHello(f.payload), decode: (p, l = APP_DECODER_LIMITS) => decodeTlsClientHello(p, l.tls), anomalyCodes: TLS_ANOMALIES },
  { name: 'ssh', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeSsh(f.payload), decode: (p, l = APP_DECODER_LIMITS) => decodeSsh(p, l.ssh), anomalyCodes: SSH_ANOMALIES },
  { name: 'rdp', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeRdp(f.payload), decode: (p) => decodeRdp(p), anomalyCodes: RDP_ANOMALIES },
  { name: 'vnc', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeRfb(f.payload), decode: (p) => decodeVnc(p), anomalyCodes: VNC_ANOMALIES },
  { name: 'citrix', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeCitrix(f.payload), decode: (p) => decodeCitrix(p), anomalyCodes: CITRIX_ANOMALIES },
  { name: 'telnet', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeTelnet(f.payload), decode: (p) => decodeTelnet(p), anomalyCodes: TELNET_ANOMALIES },
  { name: 'teamviewer', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeTeamViewer(f.payload, 'tcp'), decode: (p) => decodeTeamViewer(p, 'tcp'), anomalyCodes: TEAMVIEWER_ANOMALIES },
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
