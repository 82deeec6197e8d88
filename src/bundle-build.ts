/**
 * \summary `npm run build` runs this last (issue 14, start-up): bundles what `tsc` compiled, the
 * CLI (`dist/src/cli/main.js`) and the bench's replay child (`dist/bench/replay-child.js`), into
 * `dist/bundle/` with esbuild; `bin/auscult.js` and the bench run the bundles. Node then reads a
 * replay's 23 files (the child's one) instead of about 110 modules: `auscult replay` of an empty
 * capture costs 0.86× the CPU, the replay child 0.75× (paired; bench/README.md, fourth session).
 *
 * - The input is tsc's output, not the TypeScript: the bundle runs exactly the JavaScript the
 *   unbundled modules run. Its source maps chain through tsc's to src/.
 * - Code splitting: a module auscult loads with `import()` (another subcommand, the reconciler,
 *   the config) stays a chunk of its own, loaded only when asked for, as unbundled.
 * - Every npm package stays external, loaded from node_modules as unbundled: the native ones must
 *   (better-sqlite3, cap, koffi); bundling the rest in (commander, re2js) measured no gain, paired,
 *   and would need a `require` shim for the CommonJS ones. pino, pg, ajv, the CSAF validator and
 *   the YAML parsers are required or imported where first used, so a replay loads none of them.
 * - Self-relative paths (fingerprints, the build's caches) resolve from the package root
 *   (src/package-root.ts), so they hold inside the bundle.
 * - Each bundle's esbuild metafile is written beside it (`meta.json`): which compiled module went
 *   into which chunk, for test/e2e/startup-imports.test.ts. Node never reads it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from './package-root.js';

/** One bundle: a compiled entry module and the directory its entry and chunks are written to. */
interface BundleTarget {
  /** The entry, relative to the package root (tsc's output). */
  entry: string;
  /** Output directory, relative to the package root. */
  outdir: string;
}

const BUNDLE_DIR = 'dist/bundle';

const BUNDLES: readonly BundleTarget[] = [
  { entry: 'dist/src/cli/main.js', outdir: `${BUNDLE_DIR}/cli` },
  { entry: 'dist/bench/replay-child.js', outdir: `${BUNDLE_DIR}/bench` },
];

/** The metafile written beside each bundle. */
const BUNDLE_META = 'meta.json';

async function bundle(target: BundleTarget): Promise<void> {
  const outdir = join(PACKAGE_ROOT, target.outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: PACKAGE_ROOT,
    entryPoints: [target.entry],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(join(outdir, BUNDLE_META), `${JSON.stringify(result.metafile)}\n`);
  const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
  process.stdout.write(`bundled ${target.entry} into ${relative(PACKAGE_ROOT, outdir)}/ (${files} files)\n`);
}

for (const target of BUNDLES) await bundle(target);
