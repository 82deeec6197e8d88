/**
 * \summary Build-time cache of the shipped fingerprint rules and product catalogue (issue 14,
 * start-up), like the OUI tables: `npm run build` parses, validates and compiles every shipped
 * YAML file once (spec-cache-build.ts) and writes what each valid file compiles to as JSON beside
 * this module, keyed by the SHA-256 of the file's text. A loader that reads a file whose text has
 * an entry takes it instead of parsing YAML and running the zod schema; any other file (edited,
 * a site's own rules, no cache because `tsc` ran alone, tests running from src/) takes the full
 * path, so a cache can only be used for the exact bytes it was built from.
 *
 * Hand-written: a content-addressed JSON file is all it is; no package adds anything here.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_TREE } from '../package-root.js';

const FORMAT = 'auscult-spec-cache-1';

interface SpecCacheFile {
  format: string;
  entries: Record<string, unknown>;
}

/** The SHA-256 of a file's text: the key of its entry. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** One cache file (rules or catalogue), read on first use; a missing or malformed file is an empty cache. */
export class SpecCache<T> {
  private entries: Record<string, unknown> | undefined;
  /** Look-ups answered from the cache, and those that took the full path. */
  hits = 0;
  misses = 0;

  constructor(readonly path: string) {}

  /** What the file with this text compiled to at build time, or undefined. */
  get(text: string): T | undefined {
    return this.getByDigest(textDigest(text));
  }

  /** The same, by the text's digest (`textDigest`). */
  getByDigest(digest: string): T | undefined {
    if (this.entries === undefined) this.entries = readEntries(this.path);
    const entry = this.entries[digest] as T | undefined;
    if (entry === undefined) this.misses++;
    else this.hits++;
    return entry;
  }

  /** Writes `entries` (digest → entry) as this cache's file (the build), and forgets what was read. */
  write(entries: ReadonlyMap<string, T>): void {
    const file: SpecCacheFile = { format: FORMAT, entries: Object.fromEntries(entries) };
    writeFileSync(this.path, `${JSON.stringify(file)}\n`);
    this.entries = undefined;
  }

  /** Deletes the file (the build, before parsing without it). */
  remove(): void {
    rmSync(this.path, { force: true });
    this.entries = undefined;
  }
}

function readEntries(path: string): Record<string, unknown> {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<SpecCacheFile>;
    if (file.format === FORMAT && typeof file.entries === 'object' && file.entries !== null) return file.entries;
  } catch {
    // absent (tests run from src/, `tsc` alone) or unreadable: every file takes the full path
  }
  return Object.create(null) as Record<string, unknown>;
}

/** The build's cache files, beside the compiled module (dist/src/identify/). */
export const RULES_CACHE_PATH = join(SOURCE_TREE, 'identify', 'spec-cache-rules.json');
export const CATALOGUE_CACHE_PATH = join(SOURCE_TREE, 'identify', 'spec-cache-catalogue.json');
