/**
 * \summary The product catalogue (issue 16): product families as data
 * (fingerprints/products/<manufacturer>.yaml, format in schema.ts), loaded, validated and
 * compiled once, and the lookup that gives a model text from any source (LLDP-MED, DICOM,
 * DNS-SD TXT, DHCP option 60, HL7, CDP, the vendor-string splitter) its product family and so
 * its device type.
 *
 * Hand-written matching: the model names devices announce are short, vendor-specific and
 * inconsistently punctuated ("MX800", "MX 800", "IntelliVue MX-800"); no npm package matches
 * product names with whole-word, punctuation-blind patterns and a specificity order. Patterns
 * compile to one whole-word regex each (literal runs, `[0-9]`, `[a-z0-9]*` within a word,
 * optional single spaces); inputs are cut to MAX_MODEL_TEXT characters first. A pattern without
 * `*` is a V8 RegExp with one way to match at each step (an optional space is always followed
 * by a letter or digit), so it runs in linear time. A pattern with `*` runs on RE2
 * (`linearRegExp`, issue 22): `[a-z0-9]*` next to letters, digits or another `*` backtracks
 * polynomially in V8 (`*1*1*1*1*1*1z` took 2.6 s on a 60-character model text, eight such
 * wildcards over a minute), and catalogue files are the user's to edit.
 *
 * Which family wins: the one whose matching pattern is most specific (literal letters and digits
 * count 1, `#` counts 0.5); a tie between two families is no answer. With a manufacturer only
 * its families are tried; without one (or when none of its families matches: a Wi-Fi module's
 * OUI, a reseller's name) only distinctive patterns (specificity ≥ DISTINCTIVE, with a letter)
 * may answer, so "8015" alone names nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import type { Document, LineCounter } from 'yaml';
import { jsYamlLib, yamlLib } from '../../lazy-yaml.js';
import { deviceType, type DeviceTypeEntry } from '../data/device-types.js';
import type { ManufacturerEntry } from '../data/manufacturers.js';
import { resolveManufacturer } from '../vendors.js';
import { linearRegExp } from '../rules/regex-safety.js';
import { catalogueSchemas, type CatalogueFileSpec, type FamilySpec } from './schema.js';
import { CATALOGUE_CACHE_PATH, SpecCache, textDigest } from '../spec-cache.js';

/** Model texts longer than this are cut before matching (an LLDP-MED model is at most 32 octets). */
export const MAX_MODEL_TEXT = 256;
/** Specificity a pattern needs to answer without the manufacturer. */
export const DISTINCTIVE = 5;

export interface ProductFamily {
  id: string;
  name: string;
  /** Canonical manufacturer name. */
  manufacturer: string;
  type: DeviceTypeEntry;
  source: string;
  examples: readonly string[];
  patterns: readonly CompiledPattern[];
  file: string;
  line: number;
}

export interface CompiledPattern {
  text: string;
  /** Normalised form (duplicates across families are shadowing). */
  key: string;
  /** The regex `re` runs. */
  source: string;
  /** Whole-word test over normaliseModel text (RE2 when the pattern has a `*`). */
  re: { test(text: string): boolean };
  specificity: number;
  distinctive: boolean;
}

export interface ProductMatch {
  family: ProductFamily;
  /** The pattern that matched. */
  pattern: string;
  /** True when the manufacturer given (or none) was not the family's and a distinctive pattern answered. */
  global: boolean;
}

export interface CatalogueProblem {
  file: string;
  line: number;
  key: string;
  reason: string;
  family?: string;
}

export interface Catalogue {
  dir: string;
  files: number;
  families: readonly ProductFamily[];
  byManufacturer: ReadonlyMap<string, readonly ProductFamily[]>;
  problems: readonly CatalogueProblem[];
}

/** fingerprints/products/ shipped with auscult. */
export const DEFAULT_CATALOGUE_DIR = join(PACKAGE_ROOT, 'fingerprints/products/');

/** Lower case, diacritics dropped, anything but letters and digits one space. */
export function normaliseModel(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** A compiled pattern less its regex object: what the build's cache keeps (spec-cache.ts). */
type PatternRecord = Omit<CompiledPattern, 're'>;

/** Compiles one pattern (schema.ts syntax) into a whole-word regex over normaliseModel text. */
export function compilePattern(pattern: string): CompiledPattern {
  return withRegex(describePattern(pattern), false);
}

function describePattern(pattern: string): PatternRecord {
  const local = pattern.startsWith('~');
  const key = pattern.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9#*]+/g, ' ').trim();
  let specificity = 0;
  const words = key.split(' ').filter((w) => w !== '').map((word) => {
    const runs = word.match(/[a-z]+|[0-9#]+|\*+/g) ?? [];
    return runs.map((run) => {
      if (run.startsWith('*')) return '[a-z0-9]*';
      specificity += [...run].reduce((n, ch) => n + (ch === '#' ? 0.5 : 1), 0);
      return run.replace(/#/g, '[0-9]');
    }).join(' ?');
  });
  // Every separator is an optional single space: "mx 800" and "mx800" are the same model. The
  // trailing word boundary is consumed, not looked ahead (RE2 has no look-around; only test() is used).
  const source = `(?:^| )${words.join(' ?')}(?: |$)`;
  return { text: pattern, key: key.replace(/ /g, ''), source, specificity, distinctive: !local && specificity >= DISTINCTIVE && /[a-z]/.test(key) };
}

/** The pattern with its regex: RE2 when it has a `*`; `lazy` (from the cache) compiles it at its first test. */
function withRegex(p: PatternRecord, lazy: boolean): CompiledPattern {
  const compile = (): { test(text: string): boolean } => (p.key.includes('*') ? linearRegExp(p.source) : new RegExp(p.source));
  if (!lazy) return { ...p, re: compile() };
  let re: { test(text: string): boolean } | undefined;
  return { ...p, re: { test: (text) => (re ??= compile()).test(text) } };
}

function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (yamlLib().isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return 1;
}

/** The line of a family's `id:` (the fast path keeps no positions; ids are unique per file). */
function lineOfFamily(text: string, id: string): number {
  const at = text.search(new RegExp(`^\\s*-?\\s*id:\\s*['"]?${id.replace(/[^a-z0-9-]/g, '')}['"]?\\s*$`, 'm'));
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Parses and compiles one catalogue file; problems are returned, never thrown. */
export function parseCatalogueFile(file: string, text: string, lookup: (name: string) => ManufacturerEntry | undefined = resolveManufacturer): { families: ProductFamily[]; problems: CatalogueProblem[] } {
  // Fast path: js-yaml is about 4x quicker than \`yaml\` with line counting, and start-up reads
  // 100+ files; a file that fails to parse or validate is parsed again below for its lines.
  let quick: unknown;
  try {
    quick = jsYamlLib().load(text, { schema: jsYamlLib().CORE_SCHEMA });
  } catch {
    quick = undefined;
  }
  const fast = quick !== undefined ? catalogueSchemas().catalogueFileSchema.safeParse(quick) : undefined;
  if (fast?.success === true) {
    const r = compileFile(file, fast.data, lookup, () => 0, () => 0);
    if (r.problems.length === 0) return { families: r.families.map((f) => ({ ...f, line: lineOfFamily(text, f.id) })), problems: [] };
  }
  const lc = new (yamlLib().LineCounter)();
  const doc = yamlLib().parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: CatalogueProblem[] = [];
  for (const e of doc.errors) problems.push({ file, line: lc.linePos(e.pos[0]).line, key: '', reason: e.message.split('\n')[0] ?? 'YAML syntax error' });
  if (problems.length > 0) return { families: [], problems };
  const parsed = catalogueSchemas().catalogueFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      problems.push({ file, line: lineOf(doc, lc, path), key: path.join('.'), reason: issue.message });
    }
    return { families: [], problems };
  }
  return compileFile(file, parsed.data, lookup, (path) => lineOf(doc, lc, path), (i) => lineOf(doc, lc, ['families', i]));
}

/** Families of a valid file; `line` locates a key path, `familyLine` the i-th family. */
function compileFile(file: string, spec: CatalogueFileSpec, lookup: (name: string) => ManufacturerEntry | undefined, line: (path: (string | number)[]) => number, familyLine: (i: number) => number): { families: ProductFamily[]; problems: CatalogueProblem[] } {
  const problems: CatalogueProblem[] = [];
  const lineOfKey = line;
  const maker = lookup(spec.manufacturer);
  if (maker === undefined || maker.canonical !== spec.manufacturer) {
    problems.push({ file, line: lineOfKey(['manufacturer']), key: 'manufacturer', reason: `"${spec.manufacturer}" is not a canonical manufacturer name (data/manufacturers.ts)${maker ? `: use "${maker.canonical}"` : ''}` });
    return { families: [], problems };
  }
  const families: ProductFamily[] = [];
  spec.families.forEach((f: FamilySpec, i) => {
    const at = familyLine(i);
    const type = deviceType(f.type);
    if (type === undefined) {
      problems.push({ file, line: lineOfKey(['families', i, 'type']), key: `families.${i}.type`, reason: `device type "${f.type}" is not in the taxonomy (data/device-types.ts)`, family: f.id });
      return;
    }
    const patterns = f.models.map(compilePattern).filter((p) => p.specificity > 0);
    families.push({ id: f.id, name: f.name, manufacturer: maker.canonical, type, source: f.source, examples: f.examples ?? [f.name], patterns, file, line: at });
  });
  return { families, problems };
}

/** A family of a valid file as the build caches it (spec-cache.ts): its type by id, its patterns without regex objects. */
interface FamilyRecord extends Omit<ProductFamily, 'type' | 'patterns' | 'file'> {
  type: string;
  patterns: PatternRecord[];
}

/** What a valid catalogue file compiles to, as the build caches it. */
export interface CachedCatalogueFile {
  families: FamilyRecord[];
}

/** The shipped catalogue as `npm run build` cached it. */
export const CATALOGUE_CACHE = new SpecCache<CachedCatalogueFile>(CATALOGUE_CACHE_PATH);

/** A cached file's families (undefined when a type is no longer in the taxonomy: then parsed). */
function familiesOf(file: string, cached: CachedCatalogueFile): ProductFamily[] | undefined {
  const families: ProductFamily[] = [];
  for (const f of cached.families) {
    const type = deviceType(f.type);
    if (type === undefined) return undefined;
    families.push({ ...f, type, patterns: f.patterns.map((p) => withRegex(p, true)), file });
  }
  return families;
}

/** The cache entries (text digest → entry) of a catalogue directory's valid files: what the build writes. */
export function catalogueCacheEntries(dir: string): Map<string, CachedCatalogueFile> {
  const entries = new Map<string, CachedCatalogueFile>();
  for (const n of existsSync(dir) ? readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort() : []) {
    const text = readFileSync(join(dir, n), 'utf8');
    const r = parseCatalogueFile(join(dir, n), text);
    if (r.problems.length > 0) continue;
    entries.set(textDigest(text), {
      families: r.families.map(({ type, patterns, file: _file, ...f }) => ({ ...f, type: type.id, patterns: patterns.map(({ re: _re, ...p }) => p) })),
    });
  }
  return entries;
}

/**
 * Parses every `*.yaml` file of a catalogue directory; an absent directory is an empty catalogue.
 * A file whose exact text the build cached (`cache`, spec-cache.ts) is taken from its entry.
 */
export function parseCatalogueDir(dir: string, cache: SpecCache<CachedCatalogueFile> | undefined = CATALOGUE_CACHE): Catalogue {
  const problems: CatalogueProblem[] = [];
  const families: ProductFamily[] = [];
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort() : [];
  for (const n of names) {
    const file = join(dir, n);
    const text = readFileSync(file, 'utf8');
    const cached = cache?.get(text);
    const known = cached !== undefined ? familiesOf(file, cached) : undefined;
    const r = known !== undefined ? { families: known, problems: [] } : parseCatalogueFile(file, text);
    families.push(...r.families);
    problems.push(...r.problems);
  }
  const seen = new Map<string, ProductFamily>();
  for (const f of families) {
    const prev = seen.get(f.id);
    if (prev) problems.push({ file: f.file, line: f.line, key: 'id', reason: `duplicate family id (also ${prev.file}:${prev.line})`, family: f.id });
    seen.set(f.id, f);
  }
  const byManufacturer = new Map<string, ProductFamily[]>();
  for (const f of families) byManufacturer.set(f.manufacturer, [...(byManufacturer.get(f.manufacturer) ?? []), f]);
  return { dir, files: names.length, families, byManufacturer, problems };
}

const loaded = new Map<string, Catalogue>();

/** The catalogue of a directory, parsed once per process (problems are kept, not thrown: `rules test` reports them). */
export function loadCatalogue(dir: string = DEFAULT_CATALOGUE_DIR): Catalogue {
  let c = loaded.get(dir);
  if (c === undefined) {
    c = parseCatalogueDir(dir);
    loaded.set(dir, c);
  }
  return c;
}

interface Scored { family: ProductFamily; pattern: CompiledPattern }

/** Patterns of a family list bucketed by the first two letters/digits they must start with. */
interface PatternIndex { byLead: Map<string, Scored[]>; always: Scored[] }

const indexes = new WeakMap<readonly ProductFamily[], PatternIndex>();

/**
 * A pattern matches at the start of a word of the text, so only patterns whose first two
 * characters (spaces ignored) are those at some word start can match: a lookup tests a few dozen
 * patterns instead of all of them (4.7 ms → well under 0.1 ms a lookup on the 2,000 patterns).
 */
function indexOf(families: readonly ProductFamily[]): PatternIndex {
  let ix = indexes.get(families);
  if (ix === undefined) {
    ix = { byLead: new Map(), always: [] };
    for (const family of families) {
      for (const pattern of family.patterns) {
        const lead = pattern.key.slice(0, 2);
        if (lead.length < 2 || /[#*]/.test(lead)) { ix.always.push({ family, pattern }); continue; }
        const list = ix.byLead.get(lead);
        if (list) list.push({ family, pattern });
        else ix.byLead.set(lead, [{ family, pattern }]);
      }
    }
    indexes.set(families, ix);
  }
  return ix;
}

function best(families: readonly ProductFamily[], text: string, distinctiveOnly: boolean): Scored | undefined {
  const ix = indexOf(families);
  const compact = text.replace(/ /g, '');
  const leads = new Set<string>();
  // Word starts of the text, as offsets into the text without its spaces.
  for (let i = 0, c = 0; i < text.length; i++) {
    if (text[i] === ' ') continue;
    if (i === 0 || text[i - 1] === ' ') leads.add(compact.slice(c, c + 2));
    c++;
  }
  let top: Scored | undefined;
  let tie = false;
  const consider = (list: readonly Scored[]): void => {
    for (const cand of list) {
      const { family, pattern } = cand;
      if (distinctiveOnly && !pattern.distinctive) continue;
      if (top !== undefined && pattern.specificity < top.pattern.specificity) continue;
      if (!pattern.re.test(text)) continue;
      if (top === undefined || pattern.specificity > top.pattern.specificity) {
        top = cand;
        tie = false;
      } else if (top.family !== family) {
        tie = true;
      }
    }
  };
  consider(ix.always);
  for (const lead of leads) {
    const list = ix.byLead.get(lead);
    if (list) consider(list);
  }
  return tie ? undefined : top;
}

/** Answers per catalogue, manufacturer and model text (cleared when full: 4,096 entries). */
const answers = new WeakMap<Catalogue, Map<string, ProductMatch | null>>();
const MAX_ANSWERS = 4_096;

/**
 * The product family a model text names. `manufacturer` is any spelling (resolved tolerantly) or
 * undefined; see the file header for the order of tries.
 */
export function findFamilyIn(catalogue: Catalogue, manufacturer: string | undefined, modelText: string): ProductMatch | undefined {
  let memo = answers.get(catalogue);
  if (memo === undefined) {
    memo = new Map();
    answers.set(catalogue, memo);
  }
  const key = `${manufacturer ?? ''}\u0000${modelText.slice(0, MAX_MODEL_TEXT)}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = findUncached(catalogue, manufacturer, modelText);
  if (memo.size >= MAX_ANSWERS) memo.clear();
  memo.set(key, found ?? null);
  return found;
}

function findUncached(catalogue: Catalogue, manufacturer: string | undefined, modelText: string): ProductMatch | undefined {
  const text = normaliseModel(modelText.length > MAX_MODEL_TEXT ? modelText.slice(0, MAX_MODEL_TEXT) : modelText);
  if (text === '') return undefined;
  const maker = manufacturer !== undefined ? resolveManufacturer(manufacturer) : undefined;
  const own = maker !== undefined ? catalogue.byManufacturer.get(maker.canonical) : undefined;
  if (own !== undefined) {
    const hit = best(own, text, false);
    if (hit) return { family: hit.family, pattern: hit.pattern.text, global: false };
  }
  const hit = best(catalogue.families, text, true);
  return hit ? { family: hit.family, pattern: hit.pattern.text, global: true } : undefined;
}
