/**
 * \summary Manufacturer from the IEEE registry (oui-data: MA-L, MA-M and MA-S blocks), longest
 * prefix first, as oui-data's README prescribes. Locally administered and multicast MACs have no
 * registered owner.
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

let table: Record<string, string> | undefined;

function load(): Record<string, string> {
  if (!table) {
    const path = createRequire(import.meta.url).resolve('oui-data');
    table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  }
  return table;
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
    const entry = t[hex.slice(0, len)];
    if (entry !== undefined) {
      const organisation = (entry.split('\n')[0] ?? '').trim();
      if (organisation === '' || organisation === 'Private') return undefined;
      return { organisation, prefix: hex.slice(0, len), registry: REGISTRY[len] };
    }
  }
  return undefined;
}
