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
 * for anything else.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface OuiMatch {
  /** Organisation name as registered (first line of the IEEE entry). */
  organisation: string;
  /** The matched prefix in upper-case hex: 6 (MA-L), 7 (MA-M) or 9 (MA-S) digits. */
  prefix: string;
  registry: 'MA-L' | 'MA-M' | 'MA-S';
}

/** Upper-case hex prefix → trimmed first line of the IEEE entry. */
let table: Map<string, string> | undefined;

function load(): Map<string, string> {
  if (!table) {
    const path = createRequire(import.meta.url).resolve('oui-data');
    table = parseOuiJson(readFileSync(path, 'utf8'));
  }
  return table;
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

/** Answers per MAC: a capture repeats the same MACs; the lookup runs once for each. */
const cache = new Map<string, OuiMatch | null>();
const MAX_CACHED = 100_000;

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
  const t = load();
  for (const len of [9, 7, 6] as const) {
    const organisation = t.get(hex.slice(0, len));
    if (organisation !== undefined) {
      if (organisation === '' || organisation === 'Private') return undefined;
      return { organisation, prefix: hex.slice(0, len), registry: REGISTRY[len] };
    }
  }
  return undefined;
}
