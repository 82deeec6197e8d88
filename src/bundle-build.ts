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
 *   (better-sqlite3); bundling the rest in (commander, re2js) measured no gain, paired,
 *   and would need a `require` shim for the CommonJS ones. pino, pg, ajv, the CSAF validator and
 *   the YAML parsers are required or imported where first used, so a replay loads none of them.
 * - Self-relative paths (fingerprints, the build's caches) resolve from the package root
 *   (src/package-root.ts), so they hold inside the bundle.
 * - Each bundle's esbuild metafile is written beside it (`meta.json`): which compiled module went
 *   into which chunk, for test/e2e/startup-imports.test.ts. Node never reads it.
 *
 * Then it makes the start-up snapshots (src/start-snapshot.ts, eighth session): the CLI and the
 * child each bundled into one script with the packages in (unlike the bundles above: a snapshot
 * script can require only Node's own modules while it is made), run once under
 * `node --build-snapshot`, the blob stamped for bin/auscult and the bench.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { PACKAGE_ROOT } from './package-root.js';
import { formatStamp, SNAPSHOT_DIR, SNAPSHOT_V8_OPTIONS, snapshotFiles, stampFor, v8OptionArguments } from './start-snapshot.js';

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

/** One start-up snapshot (src/start-snapshot.ts): its entry (tsc's output) and the name of its blob. */
interface SnapshotTarget {
  entry: string;
  name: string;
  /** The subcommand modules main.ts loads with `import()` that this snapshot serves; unset: no such loading. */
  servedSubcommands?: readonly string[];
  /** Packages this snapshot leaves out besides `SNAPSHOT_EXTERNAL`: ones it loads only on a rare path. */
  external?: readonly string[];
}

const SNAPSHOTS: readonly SnapshotTarget[] = [
  // The modules of src/start-snapshot.ts's SNAPSHOT_SUBCOMMANDS (snapshot-main.ts imports them).
  { entry: 'dist/src/cli/snapshot-main.js', name: 'auscult', servedSubcommands: ['./replay.js', './rules-test.js', './devices.js', './device.js'] },
  // zod validates only a rule or catalogue file the build's cache has not seen (spec-cache.ts),
  // and is half of the script (1 MB, all its locales: a require() cannot be tree-shaken). V8 keeps
  // the script's source in the snapshot, which every start reads, so it is loaded when needed.
  { entry: 'dist/bench/replay-child-snapshot.js', name: 'replay-child', external: ['zod'] },
];

/**
 * Packages left out of a snapshot's script, required from node_modules when first used, after
 * the snapshot is loaded: packages that load native addons while they are evaluated (no addon can
 * be loaded while a snapshot is made; better-sqlite3 loads its addon only when a database is
 * opened, and is handed it, src/inventory/store.ts, so its JavaScript is in), and packages that
 * load others at run time (pino's transports, pg's optional pg-native, the CSAF
 * validator's ES modules, esbuild itself). Every other package is bundled in, because a snapshot
 * script can require nothing but Node's own modules while it is made.
 */
const SNAPSHOT_EXTERNAL = ['pino', 'pg', 'pg-native', '@secvisogram/csaf-validator-lib', 'esbuild', 'oui-data'];

/**
 * `createRequire(import.meta.url)('pkg')` (how auscult loads CommonJS packages, to skip the ESM
 * wrapper's parse) becomes `require('pkg')`, so that esbuild bundles the package into the
 * snapshot's script, or, for an external one, leaves a call to the banner's run-time `require`.
 */
const requireCallsBundled: Plugin = {
  name: 'snapshot-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/createRequire\(import\.meta\.url\)\(('[^']+')\)/g, 'require($1)'),
      loader: 'js',
    }));
  },
};

/**
 * The snapshot's script with every character outside ASCII written as `\u{...}`. V8 keeps a
 * script's source in the heap, one byte a character when every character fits in Latin-1 and two
 * otherwise, so a few arrows in the 2 MB of comments doubled the source the snapshot holds and
 * reads at every start (about 10 % of the replay child's start-up CPU). esbuild's `charset: 'ascii'`
 * escapes strings, templates, regular expressions and names; what it leaves, in comments, is
 * escaped here. Only comments hold such characters then, so the code is unchanged, and an escape
 * stays on its character's line, so line numbers in stack traces stay those of the script.
 */
function asciiComments(script: string): string {
  return script.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/**
 * zod once: auscult imports it (config.ts) and requires it (the rule and catalogue schemas, loaded
 * only when used), and the package answers an import with its ES module build and a require with
 * its CommonJS one, so a snapshot holding both holds zod twice. Both resolve to the ES module here.
 */
const oneZod: Plugin = {
  name: 'snapshot-one-zod',
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, (args) => (args.kind === 'require-call' ? b.resolve('zod', { kind: 'import-statement', resolveDir: args.resolveDir }) : undefined));
  },
};

/**
 * The CLI's snapshot serves only `SNAPSHOT_SUBCOMMANDS` (bin/auscult runs every other command with
 * bin/auscult.js), whose modules its entry imports. An IIFE has no dynamic import, so esbuild
 * would inline every other subcommand's module that main.ts loads with `import()`, and all they
 * import (the CSV importer and iconv-lite, the central store and pg's types, prom-client, ...):
 * source the snapshot holds and every start reads. Each becomes a module that throws if it is
 * ever loaded. `served`: the specifiers main.ts loads them by that are kept.
 */
function otherSubcommandsLeftOut(served: readonly string[]): Plugin {
  return {
    name: 'snapshot-other-subcommands',
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => (args.kind === 'dynamic-import' && /[\\/]cli[\\/]main\.js$/.test(args.importer) && !served.includes(args.path)
        ? { path: args.path, namespace: 'not-in-snapshot' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'not-in-snapshot' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`auscult: ${args.path} is not in the start-up snapshot (bin/auscult runs this command with bin/auscult.js)`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * Bundles `target` into one script (an IIFE: while a snapshot is made there are no modules) and
 * runs it under `node --build-snapshot` with the snapshot's V8 options; writes the blob and its
 * stamp. `import.meta.url` is the script's own URL. `require` in the script is Node's own modules
 * while the snapshot is made and, for an external package, node_modules' once it runs.
 */
async function snapshot(target: SnapshotTarget): Promise<void> {
  const dir = join(PACKAGE_ROOT, SNAPSHOT_DIR);
  mkdirSync(dir, { recursive: true });
  const script = join(dir, `${target.name}.js`);
  const { blob, stamp } = snapshotFiles(PACKAGE_ROOT, target.name);
  const scriptUrl = pathToFileURL(script).href;
  await build({
    absWorkingDir: PACKAGE_ROOT,
    entryPoints: [target.entry],
    outfile: script,
    bundle: true,
    format: 'iife',
    platform: 'node',
    target: 'node20',
    external: [...SNAPSHOT_EXTERNAL, ...(target.external ?? [])],
    // No source map: Node applies none without --enable-source-maps, and the ESM bundles have theirs.
    logLevel: 'warning',
    charset: 'ascii',
    plugins: [requireCallsBundled, oneZod, ...(target.servedSubcommands === undefined ? [] : [otherSubcommandsLeftOut(target.servedSubcommands)])],
    define: { 'import.meta.url': '__auscultScriptUrl' },
    banner: {
      js: [
        `var __auscultScriptUrl = ${JSON.stringify(scriptUrl)};`,
        'var __auscultNodeRequire = require;',
        'var require = (id) => __auscultNodeRequire("node:module").isBuiltin(id) ? __auscultNodeRequire(id) : __auscultNodeRequire("node:module").createRequire(__auscultScriptUrl)(id);',
      ].join('\n'),
    },
  });
  writeFileSync(script, asciiComments(readFileSync(script, 'utf8')));
  const made = spawnSync(process.execPath, [...v8OptionArguments(SNAPSHOT_V8_OPTIONS), '--snapshot-blob', blob, '--build-snapshot', script], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' },
  });
  // Node warns that node:module is "not yet fully verified" in snapshot scripts: createRequire
  // is only called once the snapshot runs (the test checks the result), so that line is dropped.
  const stderr = made.stderr.split('\n').filter((l) => l !== '' && !/not yet fully verified|may still work|out-of-sync|request support|nodejs\/node\/issues|--trace-warnings/.test(l));
  if (made.status !== 0) throw new Error(`node --build-snapshot ${relative(PACKAGE_ROOT, script)} failed (${made.status ?? made.signal}):\n${stderr.join('\n')}`);
  if (stderr.length > 0) process.stderr.write(`${stderr.join('\n')}\n`);
  writeFileSync(stamp, formatStamp(stampFor(process.execPath, PACKAGE_ROOT)));
  process.stdout.write(`made the start-up snapshot ${relative(PACKAGE_ROOT, blob)}\n`);
}

for (const target of BUNDLES) await bundle(target);
// A stamp never outlives its blob: a failed build leaves no snapshot rather than a stale one.
rmSync(join(PACKAGE_ROOT, SNAPSHOT_DIR), { recursive: true, force: true });
for (const target of SNAPSHOTS) await snapshot(target);
