/**
 * \summary Remote-access tools and vendor remote-service platforms, as data: how each one shows
 * itself on the wire (DNS/SNI name suffixes, ALPN prefixes, ports, client JA4s), with a source
 * per entry. The session tracker (remote-sessions.ts) names a session with the first entry that
 * matches; the wire protocols that announce themselves (SSH, RDP, VNC, TeamViewer's magic) are
 * recognised by their decoders and need no entry here beyond their id.
 *
 * Kept in TypeScript rather than YAML so that a typo fails the build; every entry must say where
 * its facts come from (`sources`), and test/unit/observe/remote-access-services.test.ts checks
 * that each entry has one, that ids are unique and that names are lower-case suffixes.
 *
 * Vendor platforms (Philips, GE HealthCare, Siemens Healthineers, Roche): their remote-service
 * host names are not published in a form we could verify, so their entries match the vendor's
 * own registered domains, i.e. "this device calls its manufacturer", which is what HICP 9.1
 * asks to be tracked. The `confidence` field says so.
 */

export interface RemoteAccessService {
  /** Stable id, the `tool` of a remote_session (`teamviewer`, `anydesk`, `philips`, ...). */
  id: string;
  /** Display name. */
  name: string;
  /** `tool`: a remote-control product; `vendor_platform`: a manufacturer's remote-service network. */
  kind: 'tool' | 'vendor_platform';
  /** DNS / SNI name suffixes (lower case, no leading dot): `net.anydesk.com` matches `relay-1.net.anydesk.com`. */
  names: readonly string[];
  /** ALPN prefixes the tool's TLS client advertises (AnyDesk: `anydesk/6.2.0/linux`). */
  alpnPrefixes?: readonly string[];
  /** TCP ports on which a TLS session is this tool even without a name (AnyDesk direct: 7070). */
  tlsPorts?: readonly number[];
  /** JA4 fingerprints of the tool's own TLS client. */
  ja4?: readonly string[];
  /** How sure a name match is: `product` (the product's own service names) or `vendor_domain` (any host of the vendor). */
  confidence: 'product' | 'vendor_domain';
  /** Where each fact above comes from (URL or document, with what it says). */
  sources: readonly string[];
}

export const REMOTE_ACCESS_SERVICES: readonly RemoteAccessService[] = Object.freeze([
  {
    id: 'teamviewer',
    name: 'TeamViewer',
    kind: 'tool',
    names: ['teamviewer.com', 'teamviewer.net'],
    confidence: 'product',
    sources: [
      'TeamViewer knowledge base, "Which ports are used by TeamViewer?": TCP/UDP 5938 preferred, outgoing to *.teamviewer.com (https://www.teamviewer.com/en/global/support/knowledge-base/teamviewer-classic/troubleshooting/which-ports-are-used-by-teamviewer/)',
      'nDPI src/lib/protocols/teamviewer.c (packet magic 0x17 0x24 / 0x11 0x30) and nDPI host list teamviewer.com (src/lib/ndpi_main.c host_protocol_list)',
    ],
  },
  {
    id: 'anydesk',
    name: 'AnyDesk',
    kind: 'tool',
    names: ['anydesk.com', 'net.anydesk.com'],
    alpnPrefixes: ['anydesk/'],
    tlsPorts: [7070],
    ja4: ['t12i640500_9197985d2161_a1e935682795', 't12i6406ax_9197985d2161_a1e935682795', 't12i550500_168bb377f8c8_a1e935682795'],
    confidence: 'product',
    sources: [
      'AnyDesk help center, "Firewall": relays *.net.anydesk.com on TCP 80/443/6568, direct connections on TCP 7070 (https://support.anydesk.com/knowledge/firewall)',
      'nDPI tests/cfgs/default/result/anydesk.pcapng.out at 3b1286ab: ALPN anydesk/6.2.0/linux, DNS relay-*.net.anydesk.com',
      'JA4s: the AnyDesk 6.2.0 client ClientHellos of nDPI\'s anydesk.pcapng (frames 12, 69, 78, 124) as the FoxIO JA4 spec computes them; nDPI\'s result file gives the same cipher and extension hashes (its first part differs: nDPI writes `d` without an SNI and the first two ALPN characters)',
    ],
  },
  {
    id: 'beyondtrust',
    name: 'BeyondTrust Remote Support (Bomgar)',
    kind: 'tool',
    names: ['bomgarcloud.com', 'beyondtrustcloud.com', 'bomgar.com'],
    confidence: 'product',
    sources: [
      'BeyondTrust Remote Support Cloud network requirements: sites are <name>.beyondtrustcloud.com (formerly <name>.bomgarcloud.com) (https://www.beyondtrust.com/docs/remote-support/getting-started/deployment/cloud/network.htm)',
    ],
  },
  {
    id: 'splashtop',
    name: 'Splashtop',
    kind: 'tool',
    names: ['splashtop.com'],
    confidence: 'product',
    sources: ['Splashtop support, "Which ports and domains does Splashtop need": *.splashtop.com on 443 (https://support-splashtopbusiness.splashtop.com/hc/en-us/articles/115001811966)'],
  },
  {
    id: 'screenconnect',
    name: 'ConnectWise ScreenConnect',
    kind: 'tool',
    names: ['screenconnect.com'],
    confidence: 'product',
    sources: ['ConnectWise ScreenConnect cloud instances are <name>.screenconnect.com (https://docs.connectwise.com/ScreenConnect_Documentation)'],
  },
  {
    id: 'philips',
    name: 'Philips remote services',
    kind: 'vendor_platform',
    names: ['philips.com'],
    confidence: 'vendor_domain',
    sources: ['Philips Remote Services (PRS) connect Philips systems to Philips over the Internet (https://www.philips.com/a-w/about/company/remote-services.html); names: the vendor\'s registered domains'],
  },
  {
    id: 'ge-healthcare',
    name: 'GE HealthCare InSite / OnWatch',
    kind: 'vendor_platform',
    names: ['gehealthcare.com'],
    confidence: 'vendor_domain',
    sources: ['GE HealthCare InSite remote service connects equipment to GE HealthCare (https://www.gehealthcare.com/services/digital-services); names: the vendor\'s registered domains'],
  },
  {
    id: 'siemens-healthineers',
    name: 'Siemens Healthineers Smart Remote Services',
    kind: 'vendor_platform',
    names: ['siemens-healthineers.com', 'siemens.com'],
    confidence: 'vendor_domain',
    sources: ['Siemens Healthineers Smart Remote Services (SRS) (https://www.siemens-healthineers.com/services/customer-services/connectivity/smart-remote-services); names: the vendor\'s registered domains'],
  },
  {
    id: 'roche',
    name: 'Roche Diagnostics remote service',
    kind: 'vendor_platform',
    names: ['roche.com'],
    confidence: 'vendor_domain',
    sources: ['Roche Diagnostics remote services for cobas instruments (https://diagnostics.roche.com/global/en/products/lab/cobas-infinity-remote-services.html); names: the vendor\'s registered domains'],
  },
] satisfies RemoteAccessService[]);

/** The protocols whose decoders name a session themselves, with the source of the recognition. */
export const WIRE_TOOLS: Readonly<Record<string, { name: string; source: string }>> = Object.freeze({
  ssh: { name: 'SSH', source: 'RFC 4253 §4.2 identification string' },
  rdp: { name: 'Remote Desktop (RDP)', source: '[MS-RDPBCGR] §2.2.1.1 X.224 Connection Request' },
  vnc: { name: 'VNC (RFB)', source: 'RFC 6143 §7.1.1 ProtocolVersion' },
  citrix: { name: 'Citrix ICA', source: 'ICA greeting 0x7f 0x7f "ICA" 0x00 (nDPI citrix.c, shared citrix.pcap)' },
  telnet: { name: 'Telnet', source: 'RFC 854/855 option negotiation (IAC WILL/WONT/DO/DONT/SB)' },
  teamviewer: { name: 'TeamViewer', source: 'packet magic 0x17 0x24 / 0x11 0x30 (nDPI teamviewer.c)' },
});

/** The service whose name suffix matches `host` (lower case), the longest suffix winning. */
export function serviceByName(host: string, services: readonly RemoteAccessService[] = REMOTE_ACCESS_SERVICES): RemoteAccessService | undefined {
  let best: RemoteAccessService | undefined;
  let bestLength = 0;
  for (const s of services) {
    for (const n of s.names) {
      if ((host === n || host.endsWith('.' + n)) && n.length > bestLength) {
        best = s;
        bestLength = n.length;
      }
    }
  }
  return best;
}
