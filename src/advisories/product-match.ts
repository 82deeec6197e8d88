/**
 * \summary Does an advisory's product (vendor → product name) name this device's manufacturer
 * and model? Vendors go through the manufacturer table (`sameManufacturer`); product names through
 * a `ProductMatcher`, an interface so the product catalogue (`findProductFamily`, issue 16) can
 * replace the built-in name matcher without touching the verdict code.
 *
 * The built-in matcher is hand-written because no library knows medical product names. It is
 * deliberately narrow (a missed match becomes visible as an unmatched advisory; a false match
 * would raise a false `vulnerable_firmware`):
 * 1. `exact`: the normalised names are equal (case, punctuation and the vendor's own name ignored);
 * 2. `tokens`: every word of the shorter name is a word of the longer one, and the shared words
 *    include one with a digit (a model number), so "IntelliVue MX800" matches "IntelliVue
 *    patient monitor MX800" but "IntelliVue X2" never matches "IntelliVue X3";
 * 3. `model_range`: the advisory names a model range with one prefix ("MX400-MX850",
 *    "MP2-MP90") and the device's model number falls inside it, with the other words shared.
 *
 * `catalogueMatcher` (the default) adds the product catalogue (fingerprints/products/, issue 16):
 * 4. `catalogue`: the advisory's product name and the device's model are, for that vendor, the same
 *    literal catalogue product name (the most specific pattern each matches, with no `#` class):
 *    "BD Pyxis CIISafe - Workstation" and "Pyxis CIISafe". Not the same family alone: a family
 *    groups several products for typing devices ("Pyxis Enterprise Server" and "Pyxis CIISafe" are
 *    both "Pyxis MedStation"), and a class pattern ("IntelliVue MX###") names a range of models.
 */
import { findProductFamily, loadCatalogue, type Catalogue } from '../identify/catalogue/index.js';
import { manufacturerKey, sameManufacturer } from '../identify/vendors.js';

/** How a product name matched, and a sentence saying so. */
export interface NameMatch {
  how: 'exact' | 'tokens' | 'model_range' | 'catalogue';
  reason: string;
}

/** Matches an advisory product name against a device model (vendor already matched). */
export interface ProductMatcher {
  matchProduct(vendor: string, product: string, model: string): NameMatch | undefined;
}

/** Vendor match: the manufacturer table, also trying a parenthesised short name ("Becton, Dickinson and Company (BD)"). */
export function vendorMatches(vendor: string, manufacturer: string): string | undefined {
  const candidates = [vendor];
  const paren = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(vendor);
  if (paren) candidates.push(paren[1] as string, paren[2] as string);
  for (const c of candidates) {
    if (c.trim() !== '' && sameManufacturer(c, manufacturer)) return `vendor ${JSON.stringify(vendor)} is manufacturer ${JSON.stringify(manufacturer)}`;
  }
  return undefined;
}

function words(name: string, vendor: string): string[] {
  const drop = new Set(manufacturerKey(vendor).split(' '));
  drop.add('');
  return name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(' ').filter((w) => !drop.has(w));
}

const RANGE = /^([a-z]+)(\d+)([a-z]*)$/;

/** The built-in name matcher (see the file header). */
export const nameMatcher: ProductMatcher = {
  matchProduct(vendor: string, product: string, model: string): NameMatch | undefined {
    const p = words(product, vendor);
    const m = words(model, vendor);
    if (p.length === 0 || m.length === 0) return undefined;
    if (p.join(' ') === m.join(' ')) return { how: 'exact', reason: `product ${JSON.stringify(product)} is model ${JSON.stringify(model)}` };
    const [short, long] = m.length <= p.length ? [m, p] : [p, m];
    const longSet = new Set(long);
    if (short.every((w) => longSet.has(w)) && short.some((w) => /\d/.test(w))) {
      return { how: 'tokens', reason: `every word of ${JSON.stringify(m.length <= p.length ? model : product)} is in ${JSON.stringify(m.length <= p.length ? product : model)}` };
    }
    // Model ranges: "mx400-mx850" became the words "mx400", "mx850" next to each other in the
    // normalised name; look for them in the raw text instead.
    for (const r of product.matchAll(/\b([A-Za-z]+)(\d+)\s*[-–]\s*([A-Za-z]+)?(\d+)\b/g)) {
      const prefix = (r[1] as string).toLowerCase();
      if (r[3] !== undefined && r[3].toLowerCase() !== prefix) continue;
      const lo = Number(r[2]);
      const hi = Number(r[4]);
      const rest = new Set(words(product.replace(r[0], ' '), vendor));
      for (const w of m) {
        const mm = RANGE.exec(w);
        if (!mm || mm[1] !== prefix) continue;
        const n = Number(mm[2]);
        const others = m.filter((x) => x !== w);
        if (n >= lo && n <= hi && others.every((x) => rest.has(x))) {
          return { how: 'model_range', reason: `model ${JSON.stringify(model)} is within ${JSON.stringify(r[0])} of product ${JSON.stringify(product)}` };
        }
      }
    }
    return undefined;
  },
};

/**
 * The name matcher, then the product catalogue (see the file header). The catalogue is loaded on
 * first use (`loadCatalogue` caches it).
 */
export function catalogueMatcher(catalogue?: Catalogue): ProductMatcher {
  return {
    matchProduct(vendor: string, product: string, model: string): NameMatch | undefined {
      const byName = nameMatcher.matchProduct(vendor, product, model);
      if (byName !== undefined) return byName;
      const cat = catalogue ?? loadCatalogue();
      const p = findProductFamily(vendor, product, cat);
      if (p === undefined || p.global || /[#*]/.test(p.pattern)) return undefined;
      const m = findProductFamily(vendor, model, cat);
      if (m === undefined || m.global || m.family.id !== p.family.id || m.pattern !== p.pattern) return undefined;
      return { how: 'catalogue', reason: `product ${JSON.stringify(product)} and model ${JSON.stringify(model)} are both the catalogue's ${JSON.stringify(p.pattern)} (${p.family.id})` };
    },
  };
}

/** The matcher exposure uses unless told otherwise. */
export const defaultMatcher: ProductMatcher = catalogueMatcher();
