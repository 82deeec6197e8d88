/**
 * \summary Manufacturer from the IEEE registry (oui-data: MA-L, MA-M and MA-S blocks), longest
 * prefix first, as oui-data's README prescribes. Locally administered and multicast MACs have no
 * registered owner.
 *
 * Memory: oui-data is a 5.6 MB JSON object of 53k prefixes, each with the organisation's full
 * postal address. Only the organisation name (the first line) is ever used, so the file is
 * scanned once into a Map from prefix to name (names shared between prefixes), never kept as
 * the parsed object: about 10 MB less heap, and no 23 MB transient from `JSON.parse`. The scan
 * follows the JSON grammar of a flat string-to-string object and falls back to `JSON.parse`
 * for anything else. The Map is then packed into sorted numeric arrays per block size (MA-L 24,
 * MA-M 28, MA-S 36 bits) with an index into one list of distinct names, searched by bisection:
 * 5 MB of heap for a Map of 53k string keys becomes about 1.5 MB, kept for the process's life.
 *
 * Start-up: scanning the 5.6 MB JSON takes about 0.2 s, in every process that looks up a MAC.
 * `npm run build` therefore writes the packed tables beside the compiled module
 * (`dist/src/identify/oui-tables.json`, `writeOuiCache`), with the oui-data version and file
 * size they came from; `load` uses them only when both still match, and scans the JSON
 * otherwise (from source, in tests, or after oui-data was upgraded without a build).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SOURCE_TREE } from '../package-root.js';

export interface OuiMatch {
  /** Organisation name as registered (first line of the IEEE entry). */
  organisation: string;
  /** The matched prefix in upper-case hex: 6 (MA-L), 7 (MA-M) or 9 (MA-S) digits. */
  prefix: string;
  registry: 'MA-L' | 'MA-M' | 'MA-S';
}

/** One block size's prefixes (as numbers, ascending) and the index of each one's name. */
interface PrefixTable {
  digits: 6 | 7 | 9;
  prefixes: Float64Array;
  nameIndex: Uint32Array;
}

interface OuiTables {
  /** Longest prefix first, as the lookup tries them. */
  bySize: PrefixTable[];
  names: string[];
}

let tables: OuiTables | undefined;

/** The packed tables `npm run build` writes beside this module (compiled: dist/src/identify/). */
export const OUI_CACHE_PATH = join(SOURCE_TREE, 'identify', 'oui-tables.json');
const OUI_CACHE_FORMAT = 'auscult-oui-tables-1';

interface OuiCacheFile {
  format: string;
  /** oui-data version and index.json size the tables were packed from. */
  source: string;
  names: string[];
  tables: { digits: 6 | 7 | 9; prefixes: number[]; nameIndex: number[] }[];
}

/** oui-data's JSON path and what identifies its content (version and size; read cheaply). */
function ouiDataSource(): { path: string; source: string } {
  const path = createRequire(import.meta.url).resolve('oui-data');
  // Not `require('oui-data/package.json')`: the package's exports do not allow it.
  const { version } = JSON.parse(readFileSync(join(dirname(path), 'package.json'), 'utf8')) as { version: string };
  return { path, source: `${version}:${statSync(path).size}` };
}

/** Reads the tables now rather than at the first lookup (a live sensor, before its capture opens). */
export function loadOuiTables(): void {
  load();
}

function load(): OuiTables {
  if (!tables) {
    const { path, source } = ouiDataSource();
    tables = readOuiCache(OUI_CACHE_PATH, source) ?? packOuiData(path);
  }
  return tables;
}

/** oui-data's JSON at `path`, scanned and packed. */
function packOuiData(path: string): OuiTables {
  return packOuiTable(parseOuiJson(readFileSync(path, 'utf8')));
}

/** The tables in a cache file written from `source`; undefined when absent, stale or malformed. */
export function readOuiCache(path: string, source: string): OuiTables | undefined {
  let file: OuiCacheFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as OuiCacheFile;
  } catch {
    return undefined;
  }
  if (file.format !== OUI_CACHE_FORMAT || file.source !== source || !Array.isArray(file.names) || !Array.isArray(file.tables)) return undefined;
  const bySize: PrefixTable[] = [];
  for (const t of file.tables) {
    if (![6, 7, 9].includes(t.digits) || t.prefixes.length !== t.nameIndex.length) return undefined;
    if (t.nameIndex.some((i) => !(i >= 0 && i < file.names.length))) return undefined;
    bySize.push({ digits: t.digits, prefixes: Float64Array.from(t.prefixes), nameIndex: Uint32Array.from(t.nameIndex) });
  }
  return { bySize, names: file.names };
}

/** Packs oui-data's registry and writes it to `path` (run by `npm run build`). */
export function writeOuiCache(path: string = OUI_CACHE_PATH): void {
  const { path: json, source } = ouiDataSource();
  const packed = packOuiData(json);
  const file: OuiCacheFile = {
    format: OUI_CACHE_FORMAT,
    source,
    names: packed.names,
    tables: packed.bySize.map((t) => ({ digits: t.digits, prefixes: [...t.prefixes], nameIndex: [...t.nameIndex] })),
  };
  writeFileSync(path, `${JSON.stringify(file)}\n`);
}

/** Prefix → name map (as parseOuiJson gives) → sorted numeric tables. Exported for tests. */
export function packOuiTable(map: ReadonlyMap<string, string>): OuiTables {
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const bySize: PrefixTable[] = [];
  for (const digits of [9, 7, 6] as const) {
    const rows: [number, number][] = [];
    for (const [prefix, name] of map) {
      if (prefix.length !== digits || !/^[0-9A-Fa-f]+$/.test(prefix)) continue;
      let id = nameIds.get(name);
      if (id === undefined) { id = names.length; names.push(name); nameIds.set(name, id); }
      rows.push([parseInt(prefix, 16), id]);
    }
    rows.sort((a, b) => a[0] - b[0]);
    const prefixes = new Float64Array(rows.length);
    const nameIndex = new Uint32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [prefix, id] = rows[i] as [number, number];
      prefixes[i] = prefix;
      nameIndex[i] = id;
    }
    bySize.push({ digits, prefixes, nameIndex });
  }
  return { bySize, names };
}

/** The name registered for `prefix` in `t`, by bisection; undefined when absent. */
function find(t: PrefixTable, names: readonly string[], prefix: number): string | undefined {
  let lo = 0;
  let hi = t.prefixes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = t.prefixes[mid] as number;
    if (v === prefix) return names[t.nameIndex[mid] as number];
    if (v < prefix) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** A JSON string body (between the quotes, escapes undecoded). */
const STRING_BODY = '([^"\\\\\\u0000-\\u001f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\u0000-\\u001f]*)*)';
/** One `"key": "value"` member followed by `,` or the closing `}` (sticky, so nothing is skipped). */
const MEMBER = new RegExp(`\\s*"${STRING_BODY}"\\s*:\\s*"${STRING_BODY}"\\s*([,}])`, 'y');

/**
 * oui-data's JSON (`{"PREFIX": "Name\nAddress...", ...}`) → prefix → organisation name (first
 * line, trimmed), exactly what `JSON.parse` then `split('\n')[0].trim()` gives. Exported for tests.
 */
export function parseOuiJson(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const names = new Map<string, string>();
  const add = (key: string, first: string): void => {
    let name = names.get(first);
    if (name === undefined) {
      // A fresh copy: a slice of `text` would keep the whole 5.6 MB file text alive.
      name = first.length > 12 ? (JSON.parse(JSON.stringify(first)) as string) : first;
      names.set(name, name);
    }
    out.set(key, name);
  };
  const open = /^\s*\{\s*/.exec(text);
  if (open !== null && text.trimEnd().endsWith('}') && !/^\s*\{\s*\}\s*$/.test(text)) {
    MEMBER.lastIndex = open[0].length;
    let ok = false;
    // Bounded: each match consumes at least the 7 characters of `"":"",`.
    for (;;) {
      const m = MEMBER.exec(text);
      if (m === null) break;
      add(decodeJsonString(m[1] ?? ''), firstLine(m[2] ?? ''));
      if (m[3] === '}') { ok = /^\s*$/.test(text.slice(MEMBER.lastIndex)); break; }
    }
    if (ok) return out;
    out.clear();
  }
  // Not the flat layout expected: the general parser decides (and throws on invalid JSON).
  const parsed = JSON.parse(text) as Record<string, string>;
  for (const [key, entry] of Object.entries(parsed)) add(key, (String(entry).split('\n')[0] ?? '').trim());
  return out;
}

function decodeJsonString(body: string): string {
  return body.includes('\\') ? (JSON.parse(`"${body}"`) as string) : body;
}

/** The first line of a JSON string body, decoded and trimmed. */
function firstLine(body: string): string {
  let escaped = false;
  let end = body.length;
  for (let i = body.indexOf('\\'); i >= 0 && i < body.length; i = body.indexOf('\\', i)) {
    const c = body[i + 1];
    if (c === 'n' || (c === 'u' && body.slice(i + 2, i + 6).toLowerCase() === '000a')) { end = i; break; }
    escaped = true;
    i += c === 'u' ? 6 : 2;
  }
  const raw = body.slice(0, end);
  return (escaped ? decodeJsonString(raw) : raw).trim();
}

const REGISTRY = { 9: 'MA-S', 7: 'MA-M', 6: 'MA-L' } as const;

/** Answers per MAC: a capture repeats the same MACs; the lookup runs once for each. Cleared when
 * full: 32k entries are about 3 MB at most, and a miss costs three bisections. */
const cache = new Map<string, OuiMatch | null>();
const MAX_CACHED = 32_768;

/** `aa:bb:cc:dd:ee:ff` → registered owner, or undefined (unknown, locally administered, group). */
export function lookupOui(mac: string): OuiMatch | undefined {
  const cached = cache.get(mac);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookupUncached(mac);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(mac, found ?? null);
  return found;
}

function lookupUncached(mac: string): OuiMatch | undefined {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 12) return undefined;
  const firstOctet = parseInt(hex.slice(0, 2), 16);
  if (firstOctet & 0x03) return undefined; // group (multicast) or locally administered
  const { bySize, names } = load();
  for (const t of bySize) {
    const prefix = hex.slice(0, t.digits);
    const organisation = find(t, names, parseInt(prefix, 16));
    if (organisation !== undefined) {
      if (organisation === '' || organisation === 'Private') return undefined;
      return { organisation, prefix, registry: REGISTRY[t.digits] };
    }
  }
  return undefined;
}
