/**
 * \summary Manufacturer name normalisation: the many spellings of one manufacturer (IEEE
 * registry names, DICOM (0008,0070), LLDP-MED, HL7 MSH-3, DHCP vendor classes, CMMS exports) map
 * to one canonical name, so "GE MEDICAL SYSTEMS" and "GE Healthcare" compare equal.
 *
 * This is the interface other modules use (identification, reconciliation); the vendor table
 * behind it is data: src/identify/data/manufacturers.ts (issue 6).
 */
import { cachedByKey } from '../cached-by-key.js';
import { MANUFACTURERS, type ManufacturerEntry } from './data/manufacturers.js';

const LEGAL_SUFFIXES = /[,.]?\s+(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|gmbh|ag|sa|s\.a|bv|b\.v|nv|n\.v|plc|kg|kgaa|oy|ab|as|spa|s\.p\.a|srl|pty|sas|kk|co\.,? ltd)\.?$/i;

const MAX_CACHED_KEYS = 10_000;

/** Keys already computed: identification asks for the same few hundred names over and over. */
const cachedKey = cachedByKey(manufacturerKeyUncached, MAX_CACHED_KEYS);

/** Lower-case comparison key of a manufacturer name: legal suffixes, punctuation and spacing removed. */
export function manufacturerKey(name: string): string {
  return cachedKey(name);
}

function manufacturerKeyUncached(name: string): string {
  let s = name.trim();
  for (let i = 0; i < 3; i++) s = s.replace(LEGAL_SUFFIXES, '');
  return s.toLowerCase().replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, ' ').trim();
}

let byKey: Map<string, ManufacturerEntry> | undefined;
let prefixes: { prefix: string; entry: ManufacturerEntry }[] | undefined;

function index(): Map<string, ManufacturerEntry> {
  if (!byKey) {
    byKey = new Map();
    prefixes = [];
    for (const m of MANUFACTURERS) {
      for (const n of [m.canonical, ...m.aliases, ...m.ouiOrganisations]) {
        const k = manufacturerKey(n);
        if (k !== '' && !byKey.has(k)) byKey.set(k, m);
      }
      for (const p of m.namePrefixes ?? []) prefixes.push({ prefix: manufacturerKey(p), entry: m });
    }
    prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }
  return byKey;
}

/**
 * The manufacturer entry a spelling names, or undefined when it is not known. `exact` skips the
 * name-prefix fallback ("philips medical" → Philips) and matches whole spellings only.
 */
export function lookupManufacturer(name: string, options: { exact?: boolean } = {}): ManufacturerEntry | undefined {
  const cache = options.exact === true ? exactLookups : lookups;
  const hit = cache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const found = lookupUncached(name, options.exact === true);
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(name, found ?? null);
  return found;
}

/** Answers of lookupManufacturer per spelling (null: not known), for whole-name and prefix lookups. */
const exactLookups = new Map<string, ManufacturerEntry | null>();
const lookups = new Map<string, ManufacturerEntry | null>();

function lookupUncached(name: string, exactOnly: boolean): ManufacturerEntry | undefined {
  const k = manufacturerKey(name);
  if (k === '') return undefined;
  const exact = index().get(k) ?? compactIndex().get(k.replace(/ /g, ''));
  if (exact || exactOnly) return exact;
  for (const p of prefixes ?? []) if (k === p.prefix || k.startsWith(`${p.prefix} `)) return p.entry;
  return undefined;
}

let byCompactKey: Map<string, ManufacturerEntry> | undefined;

/**
 * Spellings with their spaces dropped ("bbraun" for "B. Braun", "B.Braun" and "BBraun"), kept
 * only where no two manufacturers share one, and only 4 characters or longer.
 */
function compactIndex(): Map<string, ManufacturerEntry> {
  if (!byCompactKey) {
    const seen = new Map<string, ManufacturerEntry | null>();
    for (const [k, m] of index()) {
      const c = k.replace(/ /g, '');
      if (c.length < 4) continue;
      const prev = seen.get(c);
      seen.set(c, prev === undefined || prev === m ? m : null);
    }
    byCompactKey = new Map([...seen].filter((e): e is [string, ManufacturerEntry] => e[1] !== null));
  }
  return byCompactKey;
}

const resolved = new Map<string, ManufacturerEntry | null>();

/**
 * Tolerant manufacturer resolution (issue 16) for the names advisories, CMMS exports and devices
 * write: the spelling itself (punctuation and spacing blind, legal suffixes dropped, name
 * prefixes), then a parenthesised short name or the text around it ("Becton, Dickinson and
 * Company (BD)"), then each party of a list ("Hillrom and ELI, Baxter International Inc." →
 * Hillrom), then the text without a leading "The". Undefined when nothing resolves.
 */
export function resolveManufacturer(text: string): ManufacturerEntry | undefined {
  const hit = resolved.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const found = resolveUncached(text.slice(0, 200));
  if (resolved.size >= MAX_CACHED_KEYS) resolved.clear();
  resolved.set(text, found ?? null);
  return found;
}

function resolveUncached(text: string): ManufacturerEntry | undefined {
  const direct = lookupManufacturer(text);
  if (direct) return direct;
  const t = text.trim().replace(/^the\s+/i, '');
  const paren = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(t);
  if (paren) {
    for (const part of [paren[2] ?? '', paren[1] ?? '']) {
      const m = part !== '' ? lookupManufacturer(part) : undefined;
      if (m) return m;
    }
  }
  const parts = t.split(/\s*,\s*|\s+and\s+|\s*&\s*|\s*\/\s*/).filter((p) => p.length > 1);
  if (parts.length > 1) {
    for (const p of parts) {
      const m = lookupManufacturer(p);
      if (m) return m;
    }
  }
  return t !== text.trim() ? lookupManufacturer(t) : undefined;
}

/** Canonical display name of a manufacturer, or the trimmed input when it is not known. */
export function canonicalManufacturer(name: string): string {
  return lookupManufacturer(name)?.canonical ?? name.trim();
}

/** True when two manufacturer spellings name the same manufacturer. */
export function sameManufacturer(a: string, b: string): boolean {
  return manufacturerKey(canonicalManufacturer(a)) === manufacturerKey(canonicalManufacturer(b));
}

/** Confidence of category `medical` drawn from a MAC block alone (issue 16): below every other source. */
export const MEDICAL_OUI_CONFIDENCE = 0.2;

/**
 * True when an IEEE organisation name belongs to a manufacturer that makes only medical devices
 * (`medical: true`, not `diversified`): its MAC block alone makes a device weakly medical.
 * Conglomerates (Philips, GE, Siemens, Fujifilm, ...) are `diversified` and do not.
 */
export function isMedicalOnlyOrganisation(organisation: string): boolean {
  const m = lookupManufacturer(organisation);
  return m !== undefined && m.medical && m.diversified !== true && m.fictional !== true;
}

/** One token that is a version: `8.01.00`, `V93.21.15Z`, `N.00.01`, `A/2.4.1`, `fw4.2`, `v2.3`, `2.4.1-rc1`. */
const VERSION_WORD = /^(?:(?:v|ver|fw|sw|rev)\.?)?\d+[a-z]?(?:[._-][0-9a-z]+)+$|^[A-Z]\.\d{2}\.\d{2}[A-Z]?$|^[A-Z]\/\d+(?:\.\d+)+$|^v\d+$/i;
/** Words that announce the version after them. */
const VERSION_LEAD = /^(?:v|ver|vers|version|fw|firmware|sw|software|rev|revision|release|r)\.?:?$/i;
/** Trailing words that say nothing of the model (interfaces, parenthesised notes). */
const NOISE_WORD = /^(?:\(.*\)|wlan|wifi|wi-fi|lan|ethernet|[,;:|-])$/i;

/**
 * Splits the version a vendor string ends with off its words (issue 16): the formats devices
 * really send — `8.01.00`, `V93.21.15Z`, `N.00.01`, `A/2.4.1`, `Rev J`, `Version 4.2`,
 * `v2.3 build 1190` — after dropping trailing noise (`(WLAN)`, `WiFi`). Returns the words before
 * the version and the version as written, or the words unchanged.
 */
export function trailingVersion(words: readonly string[]): { rest: string[]; version?: string } {
  let end = words.length;
  while (end > 1 && NOISE_WORD.test(words[end - 1] ?? '')) end--;
  const w = (i: number): string => words[end + i] ?? '';
  const cut = (n: number): { rest: string[]; version: string } => ({ rest: words.slice(0, end - n), version: words.slice(end - n, end).join(' ') });
  if (end >= 4 && /^(?:build|bld|b)\.?$/i.test(w(-2)) && /^\d+$/.test(w(-1)) && VERSION_WORD.test(w(-3))) return cut(3);
  if (end >= 3 && /^rev\.?$/i.test(w(-2)) && /^[A-Z0-9]{1,3}$/i.test(w(-1))) return cut(2);
  if (end >= 3 && VERSION_LEAD.test(w(-2)) && /^\d/.test(w(-1).replace(/^v/i, '')) && /\d/.test(w(-1))) return cut(2);
  if (end >= 2 && VERSION_WORD.test(w(-1))) return cut(1);
  return { rest: words.slice(0, end) };
}

/** Words that end a model in a vendor string: what follows is a version or a description. */
export function endsModel(word: string): boolean {
  return /^[a-z]{3,}$/.test(word) || /^(?:software|firmware|version|revision|rev|build|release|ver|fw|sw)\.?:?$/i.test(word);
}
