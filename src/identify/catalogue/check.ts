/**
 * \summary The product catalogue's checks behind `auscult rules test` (issue 16), after the
 * fingerprint rules' (rules/check.ts): every file is schema-valid (file:line), its manufacturer
 * and each family's device type are in the vocabulary, ids are unique, every family has a
 * source that names where it comes from, every example resolves to its own family with the
 * file's manufacturer (no other family shadows it), and no two families of one manufacturer
 * share a pattern.
 */
import { loadVocabulary } from '../rules/check.js';
import { findFamilyIn, normaliseModel, parseCatalogueDir, type Catalogue } from './catalogue.js';

export interface CatalogueFailure {
  file: string;
  line: number;
  rule?: string;
  message: string;
}

export interface CatalogueReport {
  catalogue: Catalogue;
  examples: number;
  failures: CatalogueFailure[];
}

/** A source must say where: a domain or URL, a CISA advisory id, an FDA database or a 21 CFR section. */
const SOURCE_SAYS_WHERE = /[a-z0-9-]+\.[a-z]{2,}(?:\/|\b)|ICSMA-\d{2}-\d{3}-\d{2}|510\(k\)|21 CFR \d{3}\.\d+|accessdata\.fda\.gov/i;

/** Runs every catalogue check over `dir` (fingerprints/products/); `vocabularyDir` is the rule directory. */
export function checkCatalogue(dir: string, vocabularyDir: string): CatalogueReport {
  const catalogue = parseCatalogueDir(dir);
  const vocab = loadVocabulary(vocabularyDir);
  const failures: CatalogueFailure[] = catalogue.problems.map((p) => ({ file: p.file, line: p.line, ...(p.family !== undefined ? { rule: p.family } : {}), message: `${p.key === '' ? '(file)' : p.key}: ${p.reason}` }));
  let examples = 0;
  for (const [maker, families] of catalogue.byManufacturer) {
    const owner = new Map<string, string>();
    for (const f of families) {
      const fail = (message: string): void => { failures.push({ file: f.file, line: f.line, rule: f.id, message }); };
      if (!vocab.manufacturers.has(maker)) fail(`manufacturer ${JSON.stringify(maker)} is not in vocabulary/manufacturers.txt`);
      if (!vocab.deviceTypes.has(f.type.id)) fail(`type ${JSON.stringify(f.type.id)} is not in vocabulary/device-types.txt`);
      if (!SOURCE_SAYS_WHERE.test(f.source)) fail('source names no domain, CISA advisory, 510(k) or 21 CFR section');
      for (const p of f.patterns) {
        const other = owner.get(p.key);
        if (other !== undefined && other !== f.id) fail(`pattern ${JSON.stringify(p.text)} is also a pattern of ${other}`);
        owner.set(p.key, f.id);
      }
      for (const e of f.examples) {
        examples++;
        const m = findFamilyIn(catalogue, maker, e);
        if (m === undefined) {
          const text = normaliseModel(e);
          const tied = families.filter((g) => g.patterns.some((p) => p.re.test(text))).map((g) => g.id);
          fail(tied.length > 1 ? `example ${JSON.stringify(e)} is ambiguous: ${tied.join(', ')} match it equally` : `example ${JSON.stringify(e)} resolves to no family`);
        }
        else if (m.family.id !== f.id) fail(`example ${JSON.stringify(e)} resolves to ${m.family.id} (shadowed)`);
      }
    }
  }
  return { catalogue, examples, failures };
}
