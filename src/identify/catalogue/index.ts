/**
 * \summary The product catalogue's API for other modules (issue 16): `resolveManufacturer(text)`
 * (any spelling → manufacturer entry), `findProductFamily(manufacturer, modelText)` (→ family
 * and so device type), and `catalogueCandidates`, the few lines identification calls for every
 * model candidate, whatever protocol said it.
 */
import type { ManufacturerEntry } from '../data/manufacturers.js';
import type { DeviceField, FieldCandidate } from '../field-candidate.js';
import { DEFAULT_CATALOGUE_DIR, findFamilyIn, loadCatalogue, type Catalogue, type ProductMatch } from './catalogue.js';

export { resolveManufacturer } from '../vendors.js';
export { DEFAULT_CATALOGUE_DIR, loadCatalogue, normaliseModel, type Catalogue, type ProductFamily, type ProductMatch } from './catalogue.js';

/** Confidence of a type drawn from a catalogue family: below a specific fingerprint rule (0.9). */
export const CATALOGUE_CONFIDENCE = 0.8;
/** Confidence of a manufacturer a distinctive model named when the device named none. */
export const CATALOGUE_MANUFACTURER_CONFIDENCE = 0.5;

/** The product family a model text names (see catalogue.ts for the order of tries). */
export function findProductFamily(manufacturer: string | undefined, modelText: string, catalogue: Catalogue = loadCatalogue(DEFAULT_CATALOGUE_DIR)): ProductMatch | undefined {
  return findFamilyIn(catalogue, manufacturer, modelText);
}

/**
 * For every `model` candidate in `out`: the family it names, as a `device_type` candidate with
 * the model's source and rule `catalogue:<family id>` (and a manufacturer candidate when the
 * device named none of its own). `manufacturers` are those the device is known to come from.
 */
export function catalogueCandidates(catalogue: Catalogue, out: readonly FieldCandidate[], manufacturers: Iterable<ManufacturerEntry>): FieldCandidate[] {
  const added: FieldCandidate[] = [];
  if (catalogue.families.length === 0) return added;
  // A fingerprint rule that already typed the device is more specific than the catalogue.
  if (out.some((c) => c.field === 'device_type' && c.rule !== undefined)) return added;
  const makers = [...manufacturers].map((m) => m.canonical);
  for (const c of out) if (c.field === 'manufacturer' && c.source !== 'oui') makers.unshift(c.value);
  const best = new Map<string, { match: ProductMatch; model: FieldCandidate }>();
  for (const c of out) {
    if (c.field !== 'model') continue;
    let match: ProductMatch | undefined;
    for (const m of makers) {
      match = findFamilyIn(catalogue, m, c.value);
      if (match && !match.global) break;
    }
    match ??= findFamilyIn(catalogue, undefined, c.value);
    if (!match) continue;
    const prev = best.get(match.family.id);
    if (!prev || c.confidence > prev.model.confidence) best.set(match.family.id, { match, model: c });
  }
  for (const { match, model } of best.values()) {
    const rule = `catalogue:${match.family.id}`;
    const confidence = Math.min(model.confidence, CATALOGUE_CONFIDENCE);
    const push = (field: DeviceField, value: string, conf: number): void => {
      added.push({ field, value, source: model.source, confidence: conf, rule });
    };
    push('device_type', match.family.type.id, confidence);
    if (match.global && !makers.includes(match.family.manufacturer)) push('manufacturer', match.family.manufacturer, Math.min(confidence, CATALOGUE_MANUFACTURER_CONFIDENCE));
  }
  return added;
}
