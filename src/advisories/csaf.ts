/**
 * \summary CSAF 2.0 advisories (OASIS CSAF 2.0, the format CISA publishes ICS medical advisories
 * in): validation and the flat view matching needs (products with vendor, product name and
 * version range; vulnerabilities with CVSS, product status and remediations).
 *
 * Validation is BSI's `@secvisogram/csaf-validator-lib` (maintained by the CSAF TC's Secvisogram
 * team): the CSAF 2.0 JSON schema test plus every mandatory test of CSAF 2.0 §6.1 (a product id
 * used but not defined, contradicting product status, ...), all offline. Chosen over ajv with
 * the bare schema because the mandatory tests catch documents that are schema-valid but would
 * make matching wrong. Flattening is hand-written: it is a walk over the validated tree.
 * Pure except for the validator call; never throws on document content.
 */
import type { CsafTest } from '@secvisogram/csaf-validator-lib/validateStrict.js';

/** Limits on one document (a hostile file must not exhaust memory). */
export const CSAF_LIMITS = { maxBytes: 16 * 1024 * 1024, maxProducts: 20_000, maxVulnerabilities: 5_000, maxDepth: 16 } as const;

/** One problem in a document: a JSON pointer and why. */
export interface CsafProblem {
  path: string;
  reason: string;
}

/** The CSAF `product_status` groups, reduced to what a verdict needs. */
export type ProductStatus = 'affected' | 'fixed' | 'not_affected' | 'under_investigation';

const STATUS_GROUPS: Readonly<Record<string, ProductStatus>> = {
  known_affected: 'affected',
  first_affected: 'affected',
  last_affected: 'affected',
  fixed: 'fixed',
  first_fixed: 'fixed',
  known_not_affected: 'not_affected',
  under_investigation: 'under_investigation',
};

/** A leaf of the product tree. */
export interface CsafProduct {
  product_id: string;
  /** The full product name as the advisory writes it. */
  name: string;
  /** The `vendor` branch, when there is one. */
  vendor: string | null;
  /** The `product_name` (or `product_family`) branch nearest the leaf. */
  product: string | null;
  /** The `product_version` or `product_version_range` branch name, when there is one. */
  version: string | null;
  version_category: 'product_version' | 'product_version_range' | null;
}

export interface CsafRemediation {
  category: string;
  details: string;
  url: string | null;
  product_ids: string[];
}

export interface CsafVulnerability {
  /** CVE id, or the first `ids` entry, or `vuln-<n>`. */
  id: string;
  cve: string | null;
  title: string | null;
  /** Highest CVSS v3 (else v2) base score among the scores, or null. */
  cvss: number | null;
  cvss_vector: string | null;
  /** product id → status. */
  status: Record<string, ProductStatus>;
  remediations: CsafRemediation[];
}

export interface CsafAdvisory {
  /** `document.tracking.id` (e.g. ICSMA-20-254-01): the same across revisions. */
  tracking_id: string;
  version: string;
  title: string;
  publisher: string;
  current_release_date: string;
  initial_release_date: string;
  status: string;
  products: CsafProduct[];
  vulnerabilities: CsafVulnerability[];
}

/** Result of checking a file's text. */
export type CsafCheck = { ok: true; advisory: CsafAdvisory } | { ok: false; problems: CsafProblem[] };

/**
 * The validator, loaded on first use: its modules cost every other command start-up time. The
 * library's `validate` runs the tests given (its `validateStrict` only adds a check that they are
 * the library's own, and loads every optional and informative test to do it: 8 s of CPU against
 * 2.4 s; the tests passed here are the library's schema and mandatory tests).
 */
interface Validator { validateStrict: typeof import('@secvisogram/csaf-validator-lib/validate.js').default; schema: CsafTest; mandatory: CsafTest[] }
let validator: Promise<Validator> | undefined;
function loadValidator(): Promise<Validator> {
  validator ??= Promise.all([
    import('@secvisogram/csaf-validator-lib/validate.js'),
    import('@secvisogram/csaf-validator-lib/schemaTests.js'),
    import('@secvisogram/csaf-validator-lib/mandatoryTests.js'),
  ]).then(([v, s, m]): Validator => ({
    validateStrict: v.default, schema: s.csaf_2_0,
    mandatory: Object.values(m as unknown as Record<string, unknown>).filter((t): t is CsafTest => typeof t === 'function'),
  }));
  return validator;
}

/** Parses and validates a document's text. Never throws. */
export async function checkCsaf(text: string): Promise<CsafCheck> {
  if (Buffer.byteLength(text, 'utf8') > CSAF_LIMITS.maxBytes) return { ok: false, problems: [{ path: '', reason: `larger than ${CSAF_LIMITS.maxBytes} bytes` }] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ path: '', reason: `not JSON (${(err as Error).message})` }] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, problems: [{ path: '', reason: 'not a JSON object' }] };
  const version = (doc as { document?: { csaf_version?: unknown } }).document?.csaf_version;
  if (version !== '2.0') return { ok: false, problems: [{ path: '/document/csaf_version', reason: `must be "2.0" (found ${JSON.stringify(version ?? null)})` }] };
  let problems: CsafProblem[];
  try {
    const { validateStrict, schema: schemaTest, mandatory: MANDATORY } = await loadValidator();
    const schema = await validateStrict([schemaTest], doc);
    problems = schema.tests.flatMap((t) => t.errors.map((e) => ({ path: e.instancePath, reason: e.message })));
    if (problems.length === 0) {
      const mandatory = await validateStrict(MANDATORY, doc);
      problems = mandatory.tests.flatMap((t) => t.errors.map((e) => ({ path: e.instancePath, reason: `${e.message} (CSAF 2.0 mandatory test ${t.name.replace(/^mandatoryTest_/, '').replace(/_/g, '.')})` })));
    }
  } catch (err) {
    problems = [{ path: '', reason: `validator failed: ${(err as Error).message}` }];
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 20) };
  return flatten(doc as CsafDoc);
}

interface CsafBranch { category?: string; name?: string; product?: { name?: string; product_id?: string }; branches?: CsafBranch[] }
interface CsafDoc {
  document: { title: string; publisher: { name: string }; tracking: { id: string; version: string; current_release_date: string; initial_release_date: string; status: string } };
  product_tree?: { branches?: CsafBranch[]; full_product_names?: { name: string; product_id: string }[] };
  vulnerabilities?: {
    cve?: string; title?: string; ids?: { text: string }[];
    scores?: { products: string[]; cvss_v3?: { baseScore: number; vectorString: string }; cvss_v2?: { baseScore: number; vectorString: string } }[];
    product_status?: Record<string, string[] | undefined>;
    remediations?: { category: string; details: string; url?: string; product_ids?: string[] }[];
  }[];
}

/**
 * The flat view of a document the validator already passed (`checkCsaf` calls it after
 * validating; tests that match many validated files call it directly to skip re-validation).
 */
export function flattenValidated(doc: unknown): CsafCheck {
  return flatten(doc as CsafDoc);
}

function flatten(doc: CsafDoc): CsafCheck {
  const products: CsafProduct[] = [];
  const problems: CsafProblem[] = [];
  const walk = (branches: CsafBranch[], ctx: Omit<CsafProduct, 'product_id' | 'name'>, depth: number, path: string): void => {
    if (depth > CSAF_LIMITS.maxDepth) { problems.push({ path, reason: `branches nested deeper than ${CSAF_LIMITS.maxDepth}` }); return; }
    branches.forEach((b, i) => {
      const here = { ...ctx };
      const name = b.name ?? '';
      if (b.category === 'vendor') here.vendor = name;
      else if (b.category === 'product_name' || b.category === 'product_family') here.product = name;
      else if (b.category === 'product_version' || b.category === 'product_version_range') { here.version = name; here.version_category = b.category; }
      if (b.product?.product_id !== undefined) {
        if (products.length >= CSAF_LIMITS.maxProducts) { problems.push({ path: `${path}/${i}`, reason: `more than ${CSAF_LIMITS.maxProducts} products` }); return; }
        products.push({ product_id: b.product.product_id, name: b.product.name ?? name, ...here });
      }
      if (b.branches) walk(b.branches, here, depth + 1, `${path}/${i}/branches`);
    });
  };
  walk(doc.product_tree?.branches ?? [], { vendor: null, product: null, version: null, version_category: null }, 0, '/product_tree/branches');
  for (const p of doc.product_tree?.full_product_names ?? []) {
    products.push({ product_id: p.product_id, name: p.name, vendor: null, product: p.name, version: null, version_category: null });
  }
  const vulns = doc.vulnerabilities ?? [];
  if (vulns.length > CSAF_LIMITS.maxVulnerabilities) problems.push({ path: '/vulnerabilities', reason: `more than ${CSAF_LIMITS.maxVulnerabilities} vulnerabilities` });
  if (problems.length > 0) return { ok: false, problems };
  const vulnerabilities = vulns.map((v, i): CsafVulnerability => {
    const status: Record<string, ProductStatus> = {};
    // Most specific wins when a product sits in two groups: affected over under_investigation.
    const rank: Record<ProductStatus, number> = { affected: 3, fixed: 2, not_affected: 1, under_investigation: 0 };
    for (const [group, ids] of Object.entries(v.product_status ?? {})) {
      const s = STATUS_GROUPS[group];
      if (s === undefined) continue;
      for (const id of ids ?? []) {
        const before = status[id];
        if (before === undefined || rank[s] > rank[before]) status[id] = s;
      }
    }
    let cvss: number | null = null;
    let vector: string | null = null;
    for (const sc of v.scores ?? []) {
      const c = sc.cvss_v3 ?? sc.cvss_v2;
      if (c && (cvss === null || c.baseScore > cvss)) { cvss = c.baseScore; vector = c.vectorString; }
    }
    return {
      id: v.cve ?? v.ids?.[0]?.text ?? `vuln-${i + 1}`,
      cve: v.cve ?? null,
      title: v.title ?? null,
      cvss,
      cvss_vector: vector,
      status,
      remediations: (v.remediations ?? []).map((r) => ({ category: r.category, details: r.details, url: r.url ?? null, product_ids: r.product_ids ?? [] })),
    };
  });
  const t = doc.document.tracking;
  return {
    ok: true,
    advisory: {
      tracking_id: t.id, version: t.version, title: doc.document.title, publisher: doc.document.publisher.name,
      current_release_date: t.current_release_date, initial_release_date: t.initial_release_date, status: t.status,
      products, vulnerabilities,
    },
  };
}

/** Orders two revisions of one advisory: by release date, then by version number. */
export function compareRevisions(a: Pick<CsafAdvisory, 'current_release_date' | 'version'>, b: Pick<CsafAdvisory, 'current_release_date' | 'version'>): number {
  const d = Date.parse(a.current_release_date) - Date.parse(b.current_release_date);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a.version.localeCompare(b.version, 'en', { numeric: true });
}
