/**
 * The package root and source tree every self-relative path resolves from (src/package-root.ts):
 * the nearest package.json named auscult wins over any other package.json on the way up, and a
 * bundled module (dist/bundle/) finds the build's caches in dist/src/, as a compiled module does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot, PACKAGE_ROOT, SOURCE_TREE, sourceTreeOf } from '../../src/package-root.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../../src/identify/rules-identifier.js';
import { DEFAULT_CATALOGUE_DIR } from '../../src/identify/catalogue/catalogue.js';
import { OUI_CACHE_PATH } from '../../src/identify/oui.js';
import { RULES_CACHE_PATH } from '../../src/identify/spec-cache.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-root-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('package root', () => {
  it('is this repository when running from src/, and the source tree is src/', () => {
    expect(`${PACKAGE_ROOT}/`).toBe(ROOT);
    expect(SOURCE_TREE).toBe(join(ROOT, 'src'));
  });

  it('every self-relative path resolves from it, as before bundling', () => {
    expect(DEFAULT_FINGERPRINTS_DIR).toBe(join(ROOT, 'fingerprints/'));
    expect(DEFAULT_CATALOGUE_DIR).toBe(join(ROOT, 'fingerprints/products/'));
    expect(OUI_CACHE_PATH).toBe(join(ROOT, 'src/identify/oui-tables.json'));
    expect(RULES_CACHE_PATH).toBe(join(ROOT, 'src/identify/spec-cache-rules.json'));
  });

  it('walks past package.json files that are not auscult\'s, and past malformed ones', () => {
    const root = join(dir, 'install');
    const deep = join(root, 'node_modules/other/dist/bundle');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'auscult', version: '0.1.0' }));
    writeFileSync(join(root, 'node_modules/other/package.json'), JSON.stringify({ name: 'other' }));
    writeFileSync(join(root, 'node_modules/other/dist/package.json'), '{ not json');
    expect(findPackageRoot(deep)).toBe(root);
    expect(findPackageRoot(root)).toBe(root);
  });

  it('throws, naming where it looked, when no package.json is auscult\'s', () => {
    const lone = join(dir, 'lone/a/b');
    mkdirSync(lone, { recursive: true });
    writeFileSync(join(dir, 'lone/package.json'), JSON.stringify({ name: 'not-auscult' }));
    expect(() => findPackageRoot(lone)).toThrow(/no package\.json named "auscult" at or above .*lone\/a\/b/);
  });

  it('the source tree is src/ for the sources, dist/src/ for compiled and bundled modules', () => {
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/src')).toBe('/opt/auscult/src');
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/src/identify')).toBe('/opt/auscult/src');
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/dist/src')).toBe('/opt/auscult/dist/src');
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/dist/src/identify')).toBe('/opt/auscult/dist/src');
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/dist/bundle')).toBe('/opt/auscult/dist/src');
    // A sibling whose name starts with "src" is not the source tree.
    expect(sourceTreeOf('/opt/auscult', '/opt/auscult/srcx')).toBe('/opt/auscult/dist/src');
  });
});
