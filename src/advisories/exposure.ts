/**
 * \summary The exposure register: every device × advisory × vulnerability with a verdict
 * (`affected`, `fixed`, `not_affected`, `unverifiable`), its reasons (how the vendor and product
 * matched, which range) and the frame that proved the firmware. Pure: advisories, devices and the
 * KEV set in, rows out (the default product matcher reads the product catalogue once, as
 * identification does; pass another `ProductMatcher` to avoid it). CSAF 2.0 conformance clause 13 (CSAF asset matching system): per-device
 * and per-advisory lists, per-vulnerability remediation state.
 */
import type { CsafAdvisory, CsafProduct, CsafVulnerability, ProductStatus } from './csaf.js';
import { defaultMatcher, vendorMatches, type NameMatch, type ProductMatcher } from './product-match.js';
import { describeSpec, inRange, parseVersionSpec, type VersionSpec } from './version-range.js';

export const VERDICTS = ['affected', 'unverifiable', 'fixed', 'not_affected'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The device fields matching reads (a subset of `DeviceView`). */
export interface ExposureDevice {
  id: string;
  mac: string | null;
  asset_id: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  /** The firmware's evidence (from `devices --json`), newest value first or any order. */
  evidence: { firmware?: readonly { source: string; value: string; frame: number; capture: string | null; ts: string; last_seen: string }[] };
}

/** Where the sensor saw a firmware value: `tshark -r <capture> -Y frame.number==<frame>`. */
export interface FirmwareEvidence {
  source: string;
  frame: number;
  capture: string | null;
  ts: string;
}

export interface ExposureRow {
  device_id: string;
  asset_id: string | null;
  mac: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  firmware_evidence: FirmwareEvidence | null;
  advisory_id: string;
  advisory_version: string;
  advisory_title: string;
  vulnerability: string;
  cve: string | null;
  cvss: number | null;
  kev: boolean;
  verdict: Verdict;
  /** The advisory product(s) that matched, as the advisory names them. */
  products: string[];
  reasons: string[];
  /** Remediation for the matched products: `vendor_fix: details` first, then mitigations. */
  remediation: string | null;
}

/** The evidence item for the device's current firmware value. */
export function firmwareEvidence(d: ExposureDevice, value = d.firmware): FirmwareEvidence | null {
  if (value === null) return null;
  const items = (d.evidence.firmware ?? []).filter((e) => e.value === value);
  const e = items[0];
  return e === undefined ? null : { source: e.source, frame: e.frame, capture: e.capture, ts: e.ts };
}

interface ProductHit { product: CsafProduct; reason: string }

/** The advisory's products that name this device (vendor and product name), with why. */
export function matchingProducts(a: CsafAdvisory, d: Pick<ExposureDevice, 'manufacturer' | 'model'>, matcher: ProductMatcher = defaultMatcher): ProductHit[] {
  if (d.manufacturer === null || d.model === null) return [];
  const hits: ProductHit[] = [];
  const vendorCache = new Map<string, string | undefined>();
  for (const p of a.products) {
    const vendor = p.vendor ?? a.publisher;
    if (!vendorCache.has(vendor)) vendorCache.set(vendor, vendorMatches(vendor, d.manufacturer));
    const v = vendorCache.get(vendor);
    if (v === undefined) continue;
    const name = matcher.matchProduct(vendor, p.product ?? p.name, d.model) ?? variantMatch(vendor, p, d.model, matcher);
    if (name !== undefined) hits.push({ product: p, reason: `${v}; ${name.reason} (${name.how})` });
  }
  return hits;
}

/** Parsed version specs by the string as written (advisories repeat them across devices). */
const specCache = new Map<string, VersionSpec>();
export function specOf(version: string | null): VersionSpec {
  if (version === null) return { kind: 'any' };
  let spec = specCache.get(version);
  if (spec === undefined) {
    spec = parseVersionSpec(version);
    if (specCache.size >= 10_000) specCache.clear();
    specCache.set(version, spec);
  }
  return spec;
}

/**
 * A product family whose version slot names its members ("Point of Care handheld medical devices"
 * → "Accu-Chek Inform II", "Gemini PET/CT Family" → "882160 Gemini Dual"): the device's model may
 * name the member rather than the family. Only when the product name holds no model number: in
 * "MMT-503 Remote Controller" → "MMT-512 / MMT-712 Paradigm x12" the variants are the pumps the
 * affected remote works with, not affected products (ICSMA-18-219-02).
 */
function variantMatch(vendor: string, p: CsafProduct, model: string, matcher: ProductMatcher): NameMatch | undefined {
  if (/\d/.test(p.product ?? p.name)) return undefined;
  const spec = specOf(p.version);
  if (spec.kind === 'unverifiable' || spec.variants === undefined) return undefined;
  for (const variant of spec.variants) {
    const m = matcher.matchProduct(vendor, variant, model);
    if (m !== undefined) return { how: m.how, reason: `${m.reason}, a variant the advisory lists under ${JSON.stringify(p.product ?? p.name)}` };
  }
  return undefined;
}

/** The verdict for one firmware value against one vulnerability's statuses of the matched products. */
export function verdictFor(firmware: string | null, vuln: CsafVulnerability, hits: readonly ProductHit[], model?: string | null): { verdict: Verdict; reasons: string[] } | undefined {
  const relevant = hits.map((h) => ({ h, status: vuln.status[h.product.product_id] })).filter((x): x is { h: ProductHit; status: ProductStatus } => x.status !== undefined);
  if (relevant.length === 0) return undefined;
  const base = [...new Set(relevant.map((x) => x.h.reason))];
  if (firmware === null) return { verdict: 'unverifiable', reasons: [...base, 'the sensor has not seen this device\'s firmware version'] };
  const inside: Record<ProductStatus, string[]> = { affected: [], fixed: [], not_affected: [], under_investigation: [] };
  const unknown: string[] = [];
  const outside: string[] = [];
  for (const { h, status } of relevant) {
    const written = h.product.version ?? '*';
    const spec = specOf(h.product.version);
    const r = inRange(spec, firmware, model);
    const what = `${status} ${JSON.stringify(written)} (${describeSpec(spec)})`;
    if (r === true) inside[status].push(`firmware ${firmware} is in ${what}`);
    else if (r === null) unknown.push(`cannot compare firmware ${firmware} with ${what}`);
    else outside.push(what);
  }
  if (inside.affected.length > 0) return { verdict: 'affected', reasons: [...base, ...inside.affected] };
  if (inside.fixed.length > 0) return { verdict: 'fixed', reasons: [...base, ...inside.fixed] };
  if (inside.not_affected.length > 0) return { verdict: 'not_affected', reasons: [...base, ...inside.not_affected] };
  if (inside.under_investigation.length > 0) return { verdict: 'unverifiable', reasons: [...base, ...inside.under_investigation, 'the vendor is still investigating'] };
  if (unknown.length > 0) return { verdict: 'unverifiable', reasons: [...base, ...unknown] };
  return { verdict: 'not_affected', reasons: [...base, `firmware ${firmware} is outside every listed version: ${outside.join('; ')}`] };
}

function remediationFor(vuln: CsafVulnerability, hits: readonly ProductHit[]): string | null {
  const ids = new Set(hits.map((h) => h.product.product_id));
  const order = ['vendor_fix', 'mitigation', 'workaround', 'none_available', 'no_fix_planned'];
  const rs = vuln.remediations.filter((r) => r.product_ids.some((id) => ids.has(id)))
    .sort((a, b) => (order.indexOf(a.category) + 99) % 99 - (order.indexOf(b.category) + 99) % 99);
  const first = rs[0];
  return first === undefined ? null : `${first.category}: ${first.details}`;
}

/** Every exposure row for these devices and advisories. */
export function exposureRows(advisories: readonly CsafAdvisory[], devices: readonly ExposureDevice[], kev: ReadonlySet<string>, matcher: ProductMatcher = defaultMatcher): ExposureRow[] {
  const rows: ExposureRow[] = [];
  for (const d of devices) {
    for (const a of advisories) {
      const hits = matchingProducts(a, d, matcher);
      if (hits.length === 0) continue;
      for (const v of a.vulnerabilities) {
        const verdict = verdictFor(d.firmware, v, hits, d.model);
        if (verdict === undefined) continue;
        const used = hits.filter((h) => v.status[h.product.product_id] !== undefined);
        rows.push({
          device_id: d.id, asset_id: d.asset_id, mac: d.mac, manufacturer: d.manufacturer, model: d.model, firmware: d.firmware,
          firmware_evidence: firmwareEvidence(d),
          advisory_id: a.tracking_id, advisory_version: a.version, advisory_title: a.title,
          vulnerability: v.id, cve: v.cve, cvss: v.cvss, kev: v.cve !== null && kev.has(v.cve.toUpperCase()),
          verdict: verdict.verdict, products: [...new Set(used.map((h) => h.product.name))], reasons: verdict.reasons,
          remediation: remediationFor(v, used),
        });
      }
    }
  }
  return sortExposure(rows);
}

const VERDICT_RANK: Record<Verdict, number> = { affected: 0, unverifiable: 1, fixed: 2, not_affected: 3 };

/** Affected first; then KEV, then CVSS (highest first), then advisory, device and vulnerability. */
export function sortExposure(rows: ExposureRow[]): ExposureRow[] {
  return rows.sort((a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] || Number(b.kev) - Number(a.kev) ||
    (b.cvss ?? -1) - (a.cvss ?? -1) || a.advisory_id.localeCompare(b.advisory_id) || a.device_id.localeCompare(b.device_id) ||
    a.vulnerability.localeCompare(b.vulnerability));
}

/** The verdict for a device × advisory: the worst over its vulnerabilities. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const v of verdicts) if (worst === undefined || VERDICT_RANK[v] < VERDICT_RANK[worst]) worst = v;
  return worst;
}

/** The verdict of one firmware value for a device × advisory (patch verification compares two). */
export function advisoryVerdict(a: CsafAdvisory, d: Pick<ExposureDevice, 'manufacturer' | 'model'>, firmware: string | null, matcher: ProductMatcher = defaultMatcher): Verdict | undefined {
  const hits = matchingProducts(a, d, matcher);
  if (hits.length === 0) return undefined;
  return worstVerdict(a.vulnerabilities.map((v) => verdictFor(firmware, v, hits, d.model)?.verdict).filter((v): v is Verdict => v !== undefined));
}
