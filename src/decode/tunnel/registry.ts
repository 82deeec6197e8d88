/**
 * \summary The tunnels and shims frame decoding opens, one line each: the `encap.<name>` counters
 * it yields, how a feed carries it (pcap-filter(7) terms for the default capture filter), and its
 * anomaly codes (`coverage` counts them as frames it could not decapsulate).
 *
 * The walk itself stays a switch in src/decode/frame.ts (one small decoder per tunnel in this
 * folder, chained by the NextLayer each returns): it runs for every frame, and a table lookup per
 * layer would cost more than the switch. A new tunnel adds its decoder here, its case in the walk,
 * and its line below; the default BPF filter (src/config.ts), `coverage` and the anomaly-code
 * reference follow from the line.
 */
import type { AnomalyCode } from '../result.js';
import { CAPWAP_ANOMALIES } from './capwap.js';
import { CMD_ANOMALIES } from './cmd.js';
import { ERSPAN_ANOMALIES } from './erspan.js';
import { GRE_ANOMALIES } from './gre.js';
import { MPLS_ANOMALIES } from './mpls.js';
import { PPPOE_ANOMALIES } from './pppoe.js';
import { VXLAN_ANOMALIES } from './vxlan.js';

export interface TunnelProtocol {
  /** The `encap.<name>` counters (and FrameRecord.encap entries) it yields. */
  names: readonly string[];
  /** How a feed carries it, as pcap-filter(7) terms ('' when it rides another tunnel); the VXLAN
   * ports are the configured ones' defaults. */
  bpf(vxlanPorts: readonly number[]): string;
  /** Every anomaly code its decoder yields (a frame it could not open). */
  anomalyCodes: readonly AnomalyCode[];
}

const only = (prefix: string, codes: readonly AnomalyCode[]) => codes.filter((c) => c.startsWith(prefix));

/** Every tunnel and shim, in the order `coverage` lists the frames it could not open. */
export const TUNNEL_PROTOCOLS: readonly TunnelProtocol[] = [
  { names: ['gre'], bpf: () => 'ip proto 47 or ip6 proto 47', anomalyCodes: GRE_ANOMALIES },
  { names: ['erspan1', 'erspan2', 'erspan3'], bpf: () => '', anomalyCodes: ERSPAN_ANOMALIES },
  { names: ['ipip'], bpf: () => 'ip proto 4 or ip proto 41', anomalyCodes: [] },
  { names: ['vxlan'], bpf: (ports) => ports.map((p) => `udp port ${p}`).join(' or '), anomalyCodes: only('vxlan.', VXLAN_ANOMALIES) },
  { names: ['geneve'], bpf: () => 'udp port 6081', anomalyCodes: only('geneve.', VXLAN_ANOMALIES) },
  { names: ['mpls'], bpf: () => 'udp dst port 6635 or ether proto 0x8847 or ether proto 0x8848', anomalyCodes: MPLS_ANOMALIES },
  { names: ['pppoe'], bpf: () => 'ether proto 0x8864', anomalyCodes: PPPOE_ANOMALIES },
  { names: ['cmd'], bpf: () => 'ether proto 0x8909', anomalyCodes: CMD_ANOMALIES },
  { names: ['capwap'], bpf: () => 'udp port 5247', anomalyCodes: only('capwap.', CAPWAP_ANOMALIES) },
  { names: ['lwapp'], bpf: () => 'udp port 12222', anomalyCodes: only('lwapp.', CAPWAP_ANOMALIES) },
];

/** The link layers a capture file or interface may carry besides Ethernet (`encap.<name>` too). */
export const LINK_ENCAP_NAMES: readonly string[] = ['wlan', 'chdlc', 'ppp'];
