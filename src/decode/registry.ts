/**
 * \summary The ONE table that maps a decoded frame to its application decoder and observer,
 * and the single try/catch of the decode layer: a decoder that throws is a bug, counted as
 * `decoder_threw.<protocol>` (tests assert it stays 0), never a crash.
 *
 * A new protocol adds one entry here (style.md §11).
 */
import type { FrameRecord } from './frame-record.js';
import type { AnomalyCode, DecodeResult } from './result.js';
import type { Observation } from '../observe/observation.js';
import { DHCP_ANOMALIES, decodeDhcp } from './app/dhcp.js';
import { LLDP_ANOMALIES, decodeLldp } from './app/lldp.js';
import { CDP_ANOMALIES, decodeCdp } from './app/cdp.js';
import { MDNS_ANOMALIES, decodeMdns } from './app/mdns.js';
import { observeDhcp } from '../observe/dhcp.js';
import { observeLldp } from '../observe/lldp.js';
import { observeCdp } from '../observe/cdp.js';
import { observeMdns } from '../observe/mdns.js';

export interface AppProtocol<R> {
  /** Protocol name: the prefix of its anomaly codes and observation fields. */
  name: string;
  /** Does this frame carry this protocol? (ethertype, SNAP id or UDP port) */
  matches(frame: FrameRecord): boolean;
  decode(payload: Uint8Array): DecodeResult<R>;
  observe(record: R, frame: FrameRecord): Observation[];
  /** Every anomaly code `decode` can yield (the property harness checks this). */
  anomalyCodes: readonly AnomalyCode[];
}

const udpPort = (f: FrameRecord, ...ports: number[]) =>
  f.payloadKind === 'udp' && f.udp !== undefined && (ports.includes(f.udp.srcPort) || ports.includes(f.udp.dstPort));

function entry<R>(p: AppProtocol<R>): AppProtocol<unknown> {
  return p as unknown as AppProtocol<unknown>;
}

export const APP_PROTOCOLS: readonly AppProtocol<unknown>[] = [
  entry({
    name: 'dhcp',
    matches: (f) => udpPort(f, 67, 68),
    decode: (p) => decodeDhcp(p),
    observe: observeDhcp,
    anomalyCodes: DHCP_ANOMALIES,
  }),
  entry({
    name: 'lldp',
    matches: (f) => f.payloadKind === 'ethertype' && f.ethertype === 0x88cc,
    decode: (p) => decodeLldp(p),
    observe: observeLldp,
    anomalyCodes: LLDP_ANOMALIES,
  }),
  entry({
    name: 'cdp',
    matches: (f) => f.payloadKind === 'llc' && f.llc?.snapOui === 0x00000c && f.llc.snapPid === 0x2000,
    decode: (p) => decodeCdp(p),
    observe: observeCdp,
    anomalyCodes: CDP_ANOMALIES,
  }),
  entry({
    name: 'mdns',
    matches: (f) => udpPort(f, 5353),
    decode: (p) => decodeMdns(p),
    observe: observeMdns,
    anomalyCodes: MDNS_ANOMALIES,
  }),
];

/** Counts per protocol/anomaly are reported through this sink. */
export interface DecodeSink {
  anomaly(code: string): void;
  decoded(protocol: string): void;
}

/** Decodes the application payload of `frame` (if any protocol claims it) into observations. */
export function decodeApplication(frame: FrameRecord, sink: DecodeSink, out: Observation[]): void {
  for (const p of APP_PROTOCOLS) {
    if (!p.matches(frame)) continue;
    try {
      const { value, anomalies } = p.decode(frame.payload);
      sink.decoded(p.name);
      for (const a of anomalies) sink.anomaly(a);
      for (const o of p.observe(value, frame)) out.push(o);
    } catch {
      sink.anomaly(`decoder_threw.${p.name}`);
    }
    return;
  }
}
