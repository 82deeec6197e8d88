/**
 * \summary The conformance captures: other projects' test captures (tcpdump, Zeek, ladvd) with
 * the tshark truth files beside them, read from the shared material (`../shared/captures`, or
 * `$AUSCULT_SHARED/captures`), never copied into this repository.
 *
 * `MANIFEST.tsv` there lists each file's repository, commit, path and sha256; a file is named
 * here by its base name (`cdp__41.good.small.pcap`, `dns__mdns.pcap.truth.json`), which is unique
 * across the folders. Tests that need them skip with `CONFORMANCE_SKIP` when they are absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'vitest';
import { SHARED_SKIP_REASON, sharedPath } from './shared.js';
import { titled } from './tools.js';

const MANIFEST = sharedPath('captures', 'MANIFEST.tsv');

/** Null when the captures are there, else the one-line reason to skip with. */
export const CONFORMANCE_SKIP: string | null = existsSync(MANIFEST) ? null : SHARED_SKIP_REASON;

interface Entry { rel: string; kind: string }

let entries: Map<string, Entry> | undefined;
function manifest(): Map<string, Entry> {
  if (entries !== undefined) return entries;
  entries = new Map();
  if (CONFORMANCE_SKIP !== null) return entries;
  const [header = '', ...rows] = readFileSync(MANIFEST, 'utf8').split('\n').filter((l) => l !== '');
  const cols = header.split('\t');
  const rel = cols.indexOf('dest_rel');
  const kind = cols.indexOf('kind');
  for (const row of rows) {
    const f = row.split('\t');
    const r = f[rel] ?? '';
    entries.set(basename(r), { rel: r, kind: f[kind] ?? '' });
  }
  return entries;
}

/**
 * The path of a conformance file by base name: a capture from MANIFEST.tsv, or the
 * `<capture>.truth.json` beside it. An unknown name gives a path that does not exist, so the
 * test reading it fails with the name.
 */
export function conformancePath(name: string): string {
  const truth = name.endsWith('.truth.json') ? name.slice(0, -'.truth.json'.length) : undefined;
  const e = manifest().get(truth ?? name);
  if (e === undefined) return sharedPath('captures', '(not in MANIFEST.tsv)', name);
  return sharedPath('captures', truth === undefined ? e.rel : `${e.rel}.truth.json`);
}

/** Every capture MANIFEST.tsv lists (the link-layer conformance set), by base name, sorted. */
export function allConformanceCaptures(): string[] {
  return [...manifest()].filter(([, e]) => e.kind === 'capture').map(([n]) => n).sort();
}

/** Captures with DHCP in them (the DHCP conformance set) and the Zeek dhcp.log baselines. */
export const DHCP_CAPTURES = [
  'dcb_ets.pcap', 'dcb_pfc.pcap', 'dcb_qcn.pcap', 'dhcp-mud.pcap', 'dhcp-option-108.pcapng', 'dhcp-option-33.pcap',
  'dhcp-rfc3004.pcap', 'dhcp-rfc4388.pcap', 'dhcp-rfc5859.pcap', 'dhcp__dhcp-unique-xid-join-data-growth.pcapng',
  'dhcp__dhcp.pcap', 'dhcp__dhcp_ack_subscriber_id_and_agent_remote_id.pcap', 'dhcp__dhcp_discover_param_req_and_client_id.pcap',
  'dhcp__dhcp_flood.pcap', 'dhcp__dhcp_inform.pcap', 'dhcp__dhcp_time_and_nameserver.pcap', 'dhcp__hw-type0.pcap',
  'dhcpv4v6-rfc5970-rfc8572.pcap',
];
export const ZEEK_DHCP_LOGS = [
  'dhcp__dhcp.pcap.zeek-dhcp-all-msg-types.dhcp.log',
  'dhcp__dhcp_ack_subscriber_id_and_agent_remote_id.pcap.zeek-dhcp-ack-msg-types.dhcp.log',
  'dhcp__dhcp_ack_subscriber_id_and_agent_remote_id.pcap.zeek-dhcp-sub-opts.dhcp.log',
  'dhcp__dhcp_discover_param_req_and_client_id.pcap.zeek-dhcp-discover-msg-types.dhcp.log',
  'dhcp__dhcp_inform.pcap.zeek-inform.dhcp.log',
];

/** Captures with LLDP or CDP in them (the LLDP/CDP conformance set). */
export const LLDP_CDP_CAPTURES = [
  '3560_CDP.pcap', 'HDLC.pcap', 'LLDP_and_CDP.pcap', 'cdp-v1.pcap', 'cdp__41.good.small.pcap', 'cdp__42.good.medium.pcap',
  'cdp__43.good.big.pcap', 'cdp__44.good.bcm.pcap', 'cdp__45.good.6504.pcap', 'cdp__46.good.2811.pcap', 'cdp__47.good.vlan.pcap',
  'cdp__48.good.vlan.pcap', 'cdp__49.good.phone.pcap', 'cdp__50.good.mikrotik.pcap', 'dcb_ets.pcap', 'dcb_pfc.pcap', 'dcb_qcn.pcap',
  'erspan-type-i-4.pcap', 'evb.pcap', 'lldp-app-priority.pcap', 'lldp.pcap', 'lldp_8021_linkagg.pcap', 'lldp__41.good.small.pcap',
  'lldp__42.good.big.pcap', 'lldp__44.good.spaces.pcap', 'lldp__45.good.vlan.pcap', 'lldp__46.good.d-link.pcap',
  'lldp__47.good.nexus.pcap', 'lldp__48.good.4500G.pcap', 'lldp__49.good.ipmi.pcap', 'lldp__50.good.shutdown.pcap',
  'lldp__51.good.chassis.pcap', 'lldp__52.good.chassis.pcap', 'lldp__53.good.ipv6.pcap', 'lldp__lldp.detailed.pcap',
  'lldp__lldp.minimal.pcap', 'lldp__lldpmed_civicloc.pcap', 'lldp_mudurl.pcap', 'various_gre.pcap',
];

/** Captures with mDNS in them (the mDNS conformance set). */
export const MDNS_CAPTURES = ['dns__mdns-no-assoc.pcap', 'dns__mdns.pcap', 'var-services-std-ports.pcap', 'wikipedia-filtered-plus-udp.pcap'];

/** `it`, skipped with CONFORMANCE_SKIP (named in its title) when the shared captures are absent. */
export function itShared(title: string, fn: () => Promise<void> | void): void {
  it.skipIf(CONFORMANCE_SKIP !== null)(titled(title, CONFORMANCE_SKIP), fn);
}

/** `describe`, skipped the same way. */
export function describeShared(title: string, fn: () => void): void {
  describe.skipIf(CONFORMANCE_SKIP !== null)(titled(title, CONFORMANCE_SKIP), fn);
}
