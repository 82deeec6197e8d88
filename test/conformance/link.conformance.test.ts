/**
 * Link/network conformance: for every capture of the shared material (every capture listed in
 * ../shared/captures/MANIFEST.tsv, read through test/helpers/conformance.ts), the hosts we see (keyed by source MAC) must
 * equal tshark 4.0.17's `<capture>.truth.json` `hosts`: frame count, IPv4 and IPv6 source
 * addresses (ARP sender addresses included, as tshark's `arp.src.proto_ipv4`), VLAN ids and
 * multi-tag VLAN stacks (outermost first).
 *
 * Two conventions of the truth files are applied to our side, not treated as differences: they
 * omit the unspecified addresses 0.0.0.0 and :: (DHCP DISCOVER, DAD), and `vlan_stacks` lists
 * only stacks of two or more tags.
 *
 * Tunnels are opened (GRE, ERSPAN, Cisco MetaData, Cisco HDLC ...): frames are keyed by the
 * inner sender, as tshark keys them, so the captures that once needed a divergence for that
 * (HDLC.pcap, various_gre.pcap, erspan-type-i-4.pcap) now agree with tshark exactly.
 *
 * Where our view differs by design, DIVERGENCES says how, and the test checks that exact
 * difference (and that it is still needed) instead of skipping the capture.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LINKTYPE, type CapturedFrame } from '../../src/capture/captured-frame.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { allConformanceCaptures, CONFORMANCE_SKIP, conformancePath } from '../helpers/conformance.js';
import { readCapturedFrames } from '../helpers/frames.js';
import { titled } from '../helpers/tools.js';

const CAPTURES = allConformanceCaptures();

/** tshark's key for frames without a layer-2 source (non-Ethernet link types). */
const NO_L2_SOURCE = '(no-l2-source)';
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

interface TruthHost {
  frames: number;
  ips: string[];
  ipv6: string[];
  vlan_ids: number[];
  vlan_stacks?: number[][];
}

interface Truth {
  packets: number;
  link_types: string[];
  hosts: Record<string, TruthHost>;
}

/** One host in a comparable, order-free form. */
interface HostView {
  frames: number;
  ips: string[];
  ipv6: string[];
  vlanIds: number[];
  vlanStacks: string[];
}

type View = Record<string, HostView>;

interface Divergence {
  /** Why tshark sees more than auscult. */
  why: string;
  /** Addresses tshark reads from IP headers nested in ICMP errors or GRE payloads, per outer MAC. */
  nestedIps?: Record<string, string[]>;
  /** ERSPAN: tshark keys the mirrored frames by their inner source MAC; we by the outer one. */
  innerHosts?: { outer: string; inner: string[] };
  /**
   * Tunnelled frames: this older truth gives every IP source of a frame to every MAC of the frame;
   * auscult gives the outer IP to the tunnel's carrier, which is kept apart as `tunnel`.
   */
  outerIps?: Record<string, string[]>;
  /** The link type is not one auscult decodes: frames are counted, nothing inside is seen. */
  unsupportedLink?: boolean;
}

const DIVERGENCES: Record<string, Divergence> = {
  'dhcp-rfc4388.pcap': {
    why: 'three ICMP errors quote an IPv4 header whose source tshark adds to ip.src; auscult reads only the outer header',
    nestedIps: { '74:83:ef:07:d0:a9': ['10.40.2.3'] },
  },
};

DIVERGENCES['erspan-type-i-4.pcap'] = {
  why: 'tshark\'s older truth gives the ERSPAN collector\'s outer address 20.1.1.1 to every MAC of a mirrored frame; auscult keys mirrored frames by their inner sender and keeps the outer IPv4 header as the tunnel carrier',
  outerIps: { '00:23:89:af:cd:0e': ['20.1.1.1'], '00:23:89:ce:44:13': ['20.1.1.1'], '00:50:56:84:01:7d': ['20.1.1.1'] },
};

const IP_PROTOCOL_ICMP = 1;
const IP_PROTOCOL_GRE = 47;

function sorted<T extends string | number>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function truthView(truth: Truth): View {
  const view: View = {};
  for (const [mac, h] of Object.entries(truth.hosts)) {
    view[mac] = {
      frames: h.frames,
      ips: sorted(h.ips),
      ipv6: sorted(h.ipv6),
      vlanIds: sorted(h.vlan_ids),
      vlanStacks: sorted((h.vlan_stacks ?? []).map((s) => s.join('/'))),
    };
  }
  return view;
}

function ourView(frames: FrameRecord[]): View {
  const hosts = new Map<string, { frames: number; ips: Set<string>; ipv6: Set<string>; vlanIds: Set<number>; vlanStacks: Set<string> }>();
  for (const f of frames) {
    // tshark's key: the innermost link-layer source (a tunnel's carrier when the inner packet has none).
    const key = f.srcMac ?? f.tunnel?.carrierMac ?? NO_L2_SOURCE;
    let h = hosts.get(key);
    if (!h) {
      h = { frames: 0, ips: new Set(), ipv6: new Set(), vlanIds: new Set(), vlanStacks: new Set() };
      hosts.set(key, h);
    }
    h.frames++;
    const addresses = [f.ip?.src, f.arp?.senderIp].filter((a): a is string => a !== undefined && !UNSPECIFIED.has(a));
    for (const a of addresses) (a.includes(':') ? h.ipv6 : h.ips).add(a);
    for (const t of f.vlanTags) h.vlanIds.add(t.vid);
    if (f.vlanTags.length >= 2) h.vlanStacks.add(f.vlanTags.map((t) => t.vid).join('/'));
  }
  const view: View = {};
  for (const [mac, h] of hosts) {
    view[mac] = { frames: h.frames, ips: sorted(h.ips), ipv6: sorted(h.ipv6), vlanIds: sorted(h.vlanIds), vlanStacks: sorted(h.vlanStacks) };
  }
  return view;
}

/** The truth as auscult should see it, given the documented divergence. */
function expectedView(truth: View, d: Divergence): View {
  const view: View = structuredClone(truth);
  for (const [mac, nested] of Object.entries({ ...d.nestedIps, ...d.outerIps })) {
    const host = view[mac];
    if (!host) throw new Error(`divergence names unknown host ${mac}`);
    host.ips = host.ips.filter((a) => !nested.includes(a));
  }
  if (d.innerHosts) {
    const outer = view[d.innerHosts.outer];
    if (!outer) throw new Error(`divergence names unknown host ${d.innerHosts.outer}`);
    for (const mac of d.innerHosts.inner) {
      outer.frames += view[mac]?.frames ?? Number.NaN;
      delete view[mac];
    }
  }
  if (d.unsupportedLink) {
    for (const host of Object.values(view)) Object.assign(host, { ips: [], ipv6: [], vlanIds: [], vlanStacks: [] });
  }
  return view;
}

function readTruth(name: string): Truth {
  return JSON.parse(readFileSync(conformancePath(`${name}.truth.json`), 'utf8')) as Truth;
}

/** Wireshark's short encapsulation names (the number beside them is its own, not a LINKTYPE). */
const LINKTYPE_OF_ENCAP: Record<string, number> = { ether: LINKTYPE.ETHERNET, chdlc: 104 };

/** `Ethernet (1 - ether)` → LINKTYPE_ETHERNET (1); `Cisco HDLC (28 - chdlc)` → LINKTYPE_C_HDLC (104). */
function linkTypeNumbers(truth: Truth): number[] {
  return truth.link_types.map((t) => LINKTYPE_OF_ENCAP[/ - (\w+)\)$/.exec(t)?.[1] ?? ''] ?? Number.NaN);
}

describe.skipIf(CONFORMANCE_SKIP !== null)(titled('link/network conformance with tshark truth', CONFORMANCE_SKIP), () => {
  it('covers every capture of the shared material, each with its truth file', () => {
    expect(CAPTURES).toHaveLength(65);
    for (const name of CAPTURES) expect(readTruth(name).hosts, name).toBeTypeOf('object');
    for (const name of Object.keys(DIVERGENCES)) expect(CAPTURES).toContain(name);
  });

  it('the truth files never list the unspecified addresses (the convention applied to our side)', () => {
    for (const name of CAPTURES) {
      for (const h of Object.values(readTruth(name).hosts)) {
        for (const a of [...h.ips, ...h.ipv6]) expect(UNSPECIFIED.has(a), `${name} ${a}`).toBe(false);
        for (const s of h.vlan_stacks ?? []) expect(s.length, name).toBeGreaterThanOrEqual(2);
      }
    }
  });

  for (const name of CAPTURES) {
    const divergence = DIVERGENCES[name];
    const title = divergence ? `${name}: equal to tshark except as documented (${divergence.why})` : `${name}: hosts equal tshark's`;
    it(title, async () => {
      const truth = readTruth(name);
      const captured: CapturedFrame[] = await readCapturedFrames(conformancePath(name));
      expect(captured).toHaveLength(truth.packets);
      expect(sorted(new Set(captured.map((c) => c.linkType)))).toEqual(sorted(linkTypeNumbers(truth)));
      const decoded = captured.map((c) => decodeFrame(c));
      const frames = decoded.map((d) => d.value);
      const ours = ourView(frames);
      const theirs = truthView(truth);
      if (!divergence) {
        expect(ours).toEqual(theirs);
        return;
      }
      // The documented difference is exact, and still needed.
      expect(ours).toEqual(expectedView(theirs, divergence));
      expect(ours).not.toEqual(theirs);
      for (const mac of Object.keys(divergence.nestedIps ?? {})) {
        const carriers = frames.filter((f) => f.srcMac === mac && (f.ip?.protocol === IP_PROTOCOL_ICMP || f.ip?.protocol === IP_PROTOCOL_GRE));
        expect(carriers.length, `${mac} sends ICMP or GRE`).toBeGreaterThan(0);
      }
      if (divergence.innerHosts) {
        const { outer, inner } = divergence.innerHosts;
        const gre = frames.filter((f) => f.srcMac === outer && f.ip?.protocol === IP_PROTOCOL_GRE).length;
        const mirrored = inner.reduce((n, mac) => n + (truth.hosts[mac]?.frames ?? 0), 0);
        expect(mirrored).toBe(88);
        expect(gre).toBeGreaterThanOrEqual(mirrored);
      }
      if (divergence.unsupportedLink) {
        for (const d of decoded) expect(d.anomalies).toEqual(['link.unsupported_type']);
      }
    });
  }
});
