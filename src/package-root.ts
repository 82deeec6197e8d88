/**
 * \summary Where auscult's own files are, found once from this module's URL: the package root
 * (the nearest directory above with a `package.json` named `auscult`) and the source tree the
 * process runs (`src/` under vitest, `dist/src/` once built). Every path auscult derives from its
 * own location (the shipped fingerprints, the build's caches) is resolved from here, not from
 * each module's `import.meta.url`: a bundle (issue 14, start-up: `dist/bundle/`, built by
 * `npm run build`) moves the modules, so a path relative to the module that asks would point
 * beside the bundle, where nothing is.
 *
 * Hand-written: a walk up the directory tree; `pkg-dir`-like packages add a dependency for it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in the package.json that marks the root. */
const PACKAGE_NAME = 'auscult';

/** The nearest directory at or above `from` whose package.json is auscult's. */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (readPackageName(join(dir, 'package.json')) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`auscult: no package.json named "${PACKAGE_NAME}" at or above ${from}`);
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined; // absent, unreadable or not JSON: not ours, keep walking
  }
}

/**
 * The source tree a module at `moduleDir` belongs to: `<root>/src` when it runs from the
 * TypeScript sources, else `<root>/dist/src` (the compiled modules, and the bundle's too: the
 * build writes its caches there, beside the modules that write them).
 */
export function sourceTreeOf(root: string, moduleDir: string): string {
  const src = join(root, 'src');
  return moduleDir === src || moduleDir.startsWith(src + sep) ? src : join(root, 'dist', 'src');
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** auscult's package root (holds package.json, fingerprints/, dist/). */
export const PACKAGE_ROOT = findPackageRoot(HERE);

/** The source tree this process runs: `<root>/src` or `<root>/dist/src`. */
export const SOURCE_TREE = sourceTreeOf(PACKAGE_ROOT, HERE);
