/**
 * \summary External destinations as data (issue 20): which ones a manufacturer's devices may
 * call (the shipped allowlist), and which ones an advisory says to block (a call raises
 * `unexpected_external_peer` as high, whatever the device).
 *
 * Every entry names where it comes from (`sources`), and only what a published document
 * supports is listed. The vendor entries are the vendor remote-service platforms of
 * remote-access-services.ts (their own registered domains: "this device calls its
 * manufacturer"); exact remote-service host names and address ranges are not published in a
 * form we could verify, so none is listed. A hospital adds its own in the config
 * (`profile.allowed_external`) or with the device's MUD file (`profile.mud_dir`).
 *
 * CSAF has no structured field for a destination, so advisory-named destinations are kept here
 * with the advisory id and the sentence that names them; test/unit/observe/external-destinations.test.ts
 * checks each against the advisory in ../shared/advisories.
 */
import { REMOTE_ACCESS_SERVICES } from './remote-access-services.js';

export interface VendorDestinations {
  /** The manufacturer as auscult names it (src/identify/data/manufacturers.ts canonical or alias). */
  manufacturer: string;
  /** DNS / SNI name suffixes (lower case): `philips.com` allows `a.philips.com`. */
  names: readonly string[];
  /** Address ranges. */
  cidrs: readonly string[];
  sources: readonly string[];
}

/** Manufacturer of each vendor remote-service platform of remote-access-services.ts. */
const PLATFORM_MANUFACTURER: Readonly<Record<string, string>> = {
  philips: 'Philips',
  'ge-healthcare': 'GE Healthcare',
  'siemens-healthineers': 'Siemens Healthineers',
  roche: 'Roche Diagnostics',
};

export const VENDOR_DESTINATIONS: readonly VendorDestinations[] = Object.freeze(
  REMOTE_ACCESS_SERVICES.filter((s) => s.kind === 'vendor_platform' && PLATFORM_MANUFACTURER[s.id] !== undefined).map((s): VendorDestinations => ({
    manufacturer: PLATFORM_MANUFACTURER[s.id] as string,
    names: s.names,
    cidrs: [],
    sources: [`remote-access-services.ts ${s.id}: ${s.sources.join('; ')}`],
  })),
);

export interface ForbiddenDestination {
  /** The advisory that names the destination (CISA ICSMA id). */
  advisory: string;
  cidrs: readonly string[];
  names: readonly string[];
  /** What calls it. */
  products: string;
  /** The advisory's own words. */
  source: string;
}

export const ADVISORY_FORBIDDEN: readonly ForbiddenDestination[] = Object.freeze([
  {
    advisory: 'ICSMA-25-030-01',
    cidrs: ['202.114.4.0/24'],
    names: [],
    products: 'the Contec Health CMS8000 patient monitor calls it (the advisory: the device "may be re-labeled and sold by resellers")',
    source: 'CISA ICSMA-25-030-01 (Update A), remediation of CVE-2024-12248, CVE-2025-0626, CVE-2025-0683, CVE-2025-1204: "users should block 202.114.4.0/24 from their networks, or block 202.114.4.119 and 202.114.4.120"; CVE-2025-0683: the monitor "transmits plain-text patient data to a hard-coded public IP address" (https://www.cisa.gov/news-events/ics-medical-advisories/icsma-25-030-01)',
  },
] satisfies ForbiddenDestination[]);

/** True when `host` (lower case) is `suffix` or ends with `.suffix`; `*.x` is read as `x`. */
export function nameMatches(host: string, suffix: string): boolean {
  const s = suffix.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === s || h.endsWith(`.${s}`);
}
