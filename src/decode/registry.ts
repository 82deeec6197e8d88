/**
 * \summary The ONE table that maps a decoded frame to its application decoder, and the single
 * try/catch of the decode layer: a decoder that throws is a bug, counted as
 * `decoder_threw.<protocol>` (tests assert it stays 0), never a crash.
 *
 * Adding a datagram protocol (one carried whole in a frame: ethertype, LLC/SNAP or UDP port):
 *   1. src/protocols/<name>/<name>.ts: `decode<Name>(payload, limits)` (pure, never throws), its record
 *      type, `<NAME>_ANOMALIES`, and its limits declared once with `declareLimits('<name>', ...)`
 *      (src/decode/limits.ts) — `<NAME>_LIMITS` is that declaration's `.defaults`.
 *   2. One line in APP_PROTOCOLS below: `datagram({ name, payloadKind, matches, decodeWith, anomalyCodes, limits, bpf })`
 *      (`limits` left out when the decoder has none; two entries may share one declaration).
 *      The record union (AppRecord), the limits object (AppDecoderLimits, APP_DECODER_LIMITS),
 *      the config section `limits.<name>.*` (src/config.ts), docs/config-reference.md, the
 *      anomaly-code reference and the property harness (test/property/registry.property.test.ts)
 *      all derive from that line.
 *   3. src/protocols/<name>/<name>-observe.ts: the observer, and its line in OBSERVERS (src/observe/observe-app.ts);
 *      the compiler refuses a registered protocol without one.
 *   4. Fixtures with real payloads (the property harness fails a protocol without any). The entry's
 *      `bpf` terms join the default capture filter (src/config.ts DEFAULT_BPF_FILTER).
 * TCP protocols register the same way in STREAM_PROTOCOLS (src/decode/stream/stream-decoder.ts), with
 * their flow handler in the protocol's folder (src/protocols/<name>/<name>-flow.ts).
 */
import type { FrameRecord, PayloadKind } from './frame-record.js';
import { limitsFromConfig, NO_LIMITS, type LimitSection, type LimitValues } from './limits.js';
import type { AnomalyCode, DecodeResult } from './result.js';
import { CDP_ANOMALIES, CDP_LIMIT_DECL, decodeCdp } from '../protocols/cdp/cdp.js';
import { DHCP_ANOMALIES, DHCP_LIMIT_DECL, decodeDhcp } from '../protocols/dhcp/dhcp.js';
import { LLDP_ANOMALIES, LLDP_LIMIT_DECL, decodeLldp } from '../protocols/lldp/lldp.js';
import { MDNS_ANOMALIES, MDNS_LIMIT_DECL, decodeMdns } from '../protocols/mdns/mdns.js';
import { DNS_ANOMALIES, DNS_TCP_ANOMALIES, DNS_LIMIT_DECL, decodeDns } from '../protocols/dns/dns.js';
import { TLS_ANOMALIES, TLS_LIMIT_DECL, decodeTlsClientHello, looksLikeClientHello } from '../protocols/tls/tls-client-hello.js';
import { SSH_ANOMALIES, SSH_LIMIT_DECL, decodeSsh, looksLikeSsh } from '../protocols/ssh/ssh.js';
import { RDP_ANOMALIES, decodeRdp, looksLikeRdp } from '../protocols/rdp/rdp.js';
import { VNC_ANOMALIES, decodeVnc, looksLikeRfb } from '../protocols/vnc/vnc.js';
import { CITRIX_ANOMALIES, decodeCitrix, looksLikeCitrix } from '../protocols/citrix/citrix.js';
import { TELNET_ANOMALIES, decodeTelnet, looksLikeTelnet } from '../protocols/telnet/telnet.js';
import { TEAMVIEWER_ANOMALIES, TEAMVIEWER_UDP_ANOMALIES, decodeTeamViewer, looksLikeTeamViewer } from '../protocols/teamviewer/teamviewer.js';

/** One datagram protocol's registry entry, typed by its name, record and limits. */
export interface DatagramProtocol<N extends string = string, R = unknown, L extends LimitSection = LimitSection> {
  /** Protocol name: the prefix of its anomaly codes and observation fields, its counter `decoded.<name>`. */
  name: N;
  /** The only payload kind `matches` can accept (lets decodeApplication skip the others). */
  payloadKind: PayloadKind;
  /** Does this frame carry this protocol? (ethertype, SNAP id or UDP port) */
  matches(frame: FrameRecord): boolean;
  /** The decoder with its own limits (the defaults when absent). */
  decodeWith(payload: Uint8Array, limits?: LimitValues<L['fields']>): DecodeResult<R>;
  /** Every anomaly code the decoder can yield (the property harness checks this). */
  anomalyCodes: readonly AnomalyCode[];
  /** Its limits, declared once (config section `limits.<limits.section>`; NO_LIMITS when it has
   * none). Two entries may share one declaration (e.g. a protocol over UDP and over TCP). */
  limits: L;
  /** pcap-filter(7) terms passing it (the default `capture.bpf_filter` joins every entry's;
   * an `ether dst` term is matched outside the VLAN wrapping, so tagged frames pass too; '' when
   * a term of another entry, or of src/config.ts, already passes it). */
  bpf: string;
}

/** A registry entry; `datagram(...)` keeps its types for the unions derived below (no `limits`: NO_LIMITS). */
function datagram<N extends string, R, L extends LimitSection = typeof NO_LIMITS>(p: Omit<DatagramProtocol<N, R, L>, 'limits'> & { limits?: L }): DatagramProtocol<N, R, L> {
  return { ...p, limits: p.limits ?? (NO_LIMITS as LimitSection as L) };
}

const udpPort = (f: FrameRecord, port: number, other = port) =>
  f.payloadKind === 'udp' && f.udp !== undefined &&
  (f.udp.srcPort === port || f.udp.dstPort === port || f.udp.srcPort === other || f.udp.dstPort === other);

const tcpPort = (f: FrameRecord, port: number) =>
  f.payloadKind === 'tcp' && f.tcp !== undefined && (f.tcp.srcPort === port || f.tcp.dstPort === port);

const DHCP_SERVER_PORT = 67;
const DHCP_CLIENT_PORT = 68;
const MDNS_PORT = 5353;
const DNS_PORT = 53;

/** The UDP ports the datagram decoders below claim by port. A UDP datagram on none of them is
 * decoded by a payload heuristic or not at all, which costs less than the known-frame table's
 * lookup (src/capture/known-frames.ts), so only these are looked up there. */
export const PORT_KEYED_UDP_PORTS: ReadonlySet<number> = new Set([DHCP_SERVER_PORT, DHCP_CLIENT_PORT, MDNS_PORT, DNS_PORT]);

/** Every datagram protocol, one line each; the first match wins. */
const DATAGRAM_PROTOCOLS = [
  datagram({ name: 'dhcp', payloadKind: 'udp', matches: (f) => udpPort(f, DHCP_SERVER_PORT, DHCP_CLIENT_PORT), decodeWith: decodeDhcp, anomalyCodes: DHCP_ANOMALIES, limits: DHCP_LIMIT_DECL, bpf: 'udp port 67 or udp port 68' }),
  datagram({ name: 'lldp', payloadKind: 'ethertype', matches: (f) => f.payloadKind === 'ethertype' && f.ethertype === 0x88cc, decodeWith: decodeLldp, anomalyCodes: LLDP_ANOMALIES, limits: LLDP_LIMIT_DECL, bpf: 'ether proto 0x88cc' }),
  datagram({ name: 'cdp', payloadKind: 'llc', matches: (f) => f.payloadKind === 'llc' && f.llc?.snapOui === 0x00000c && f.llc.snapPid === 0x2000, decodeWith: decodeCdp, anomalyCodes: CDP_ANOMALIES, limits: CDP_LIMIT_DECL, bpf: 'ether dst 01:00:0c:cc:cc:cc' }),
  datagram({ name: 'mdns', payloadKind: 'udp', matches: (f) => udpPort(f, MDNS_PORT), decodeWith: decodeMdns, anomalyCodes: MDNS_ANOMALIES, limits: MDNS_LIMIT_DECL, bpf: 'udp port 5353' }),
  // Issue 20: unicast DNS and the remote-access protocols. TCP entries see every TCP segment with
  // a payload (the stream decoders see them too) and claim it by its first bytes, whatever the port.
  // Their traffic is passed by REMOTE_ACCESS_TRAFFIC (src/config.ts), hence bpf ''.
  datagram({ name: 'dns', payloadKind: 'udp', matches: (f) => udpPort(f, DNS_PORT) && f.payload.length >= 12, decodeWith: decodeDns, anomalyCodes: DNS_ANOMALIES, limits: DNS_LIMIT_DECL, bpf: '' }),
  datagram({ name: 'teamviewer_udp', payloadKind: 'udp', matches: (f) => f.payloadKind === 'udp' && looksLikeTeamViewer(f.payload, 'udp'), decodeWith: (p: Uint8Array) => decodeTeamViewer(p, 'udp'), anomalyCodes: TEAMVIEWER_UDP_ANOMALIES, bpf: '' }),
  datagram({ name: 'dns_tcp', payloadKind: 'tcp', matches: (f) => tcpPort(f, 53) && f.payload.length >= 14, decodeWith: (p: Uint8Array, l?: LimitValues<typeof DNS_LIMIT_DECL.fields>) => decodeDns(p, l, true), anomalyCodes: DNS_TCP_ANOMALIES, limits: DNS_LIMIT_DECL, bpf: '' }),
  datagram({ name: 'tls', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeClientHello(f.payload), decodeWith: decodeTlsClientHello, anomalyCodes: TLS_ANOMALIES, limits: TLS_LIMIT_DECL, bpf: '' }),
  datagram({ name: 'ssh', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeSsh(f.payload), decodeWith: decodeSsh, anomalyCodes: SSH_ANOMALIES, limits: SSH_LIMIT_DECL, bpf: '' }),
  datagram({ name: 'rdp', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeRdp(f.payload), decodeWith: (p: Uint8Array) => decodeRdp(p), anomalyCodes: RDP_ANOMALIES, bpf: '' }),
  datagram({ name: 'vnc', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeRfb(f.payload), decodeWith: (p: Uint8Array) => decodeVnc(p), anomalyCodes: VNC_ANOMALIES, bpf: '' }),
  datagram({ name: 'citrix', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeCitrix(f.payload), decodeWith: (p: Uint8Array) => decodeCitrix(p), anomalyCodes: CITRIX_ANOMALIES, bpf: '' }),
  datagram({ name: 'telnet', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeTelnet(f.payload), decodeWith: (p: Uint8Array) => decodeTelnet(p), anomalyCodes: TELNET_ANOMALIES, bpf: '' }),
  datagram({ name: 'teamviewer', payloadKind: 'tcp', matches: (f) => f.payloadKind === 'tcp' && looksLikeTeamViewer(f.payload, 'tcp'), decodeWith: (p: Uint8Array) => decodeTeamViewer(p, 'tcp'), anomalyCodes: TEAMVIEWER_ANOMALIES, bpf: '' }),
] as const;

type Entry = (typeof DATAGRAM_PROTOCOLS)[number];

/** What an application decoder yielded, tagged with its protocol. */
export type AppRecord = Entry extends infer E ? E extends DatagramProtocol<infer N, infer R, LimitSection> ? { protocol: N; record: R } : never : never;

export type AppProtocolName = Entry['name'];

/** Limits of the application decoders (config `limits.<section>.*`), by limits section (the protocol's name). */
export type AppDecoderLimits = { [E in Entry as E['limits']['section'] extends '' ? never : E['limits']['section']]: LimitValues<E['limits']['fields']> };

/** The config sections of the datagram protocols' limits. */
export type AppLimitSection = keyof AppDecoderLimits;

/** Every distinct limits declaration of the registry (NO_LIMITS left out). */
const DECLS: readonly LimitSection[] = [...new Set<LimitSection>(DATAGRAM_PROTOCOLS.map((e) => e.limits as LimitSection))].filter((d) => d.section !== '');

const limitsBySection = (pick: (d: LimitSection) => unknown): AppDecoderLimits =>
  Object.freeze(Object.fromEntries(DECLS.map((d) => [d.section, pick(d)]))) as AppDecoderLimits;

export const APP_DECODER_LIMITS: AppDecoderLimits = limitsBySection((d) => d.defaults);

/** The registry as the harnesses walk it: `decode` takes the limits of every protocol. */
export interface AppProtocol {
  name: AppProtocolName;
  payloadKind: PayloadKind;
  matches(frame: FrameRecord): boolean;
  decode(payload: Uint8Array, limits?: AppDecoderLimits): DecodeResult<unknown>;
  anomalyCodes: readonly AnomalyCode[];
  limits: LimitSection;
  bpf: string;
}

export const APP_PROTOCOLS: readonly AppProtocol[] = DATAGRAM_PROTOCOLS.map((e): AppProtocol => {
  const decodeWith = e.decodeWith as (payload: Uint8Array, limits?: unknown) => DecodeResult<unknown>;
  return {
    name: e.name,
    payloadKind: e.payloadKind,
    matches: e.matches,
    decode: (p, l = APP_DECODER_LIMITS) => decodeWith(p, (e.limits as LimitSection).section === '' ? undefined : (l as Record<string, unknown>)[e.limits.section]),
    anomalyCodes: e.anomalyCodes,
    limits: e.limits,
    bpf: e.bpf,
  };
});

/** Every datagram protocol's limits declaration (src/config.ts builds `limits.<section>` from each). */
export const APP_LIMIT_DECLS: readonly LimitSection[] = DECLS;

/** Runtime limits of every datagram protocol from the config's `limits` object. */
export function appLimitsFromConfig(limits: Readonly<Record<string, unknown>>): AppDecoderLimits {
  return limitsBySection((d) => limitsFromConfig(d, (limits[d.section] ?? {}) as Record<string, unknown>));
}

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
