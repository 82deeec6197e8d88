/**
 * \summary The entry of the CLI's start-up snapshot (src/start-snapshot.ts, issue 14: a lean
 * start). `npm run build` bundles this into one script (src/bundle-build.ts) and runs it under
 * `node --build-snapshot`: the CLI and the modules of the subcommands the snapshot serves
 * (`replay`, `rules`, `devices`, `device`) are evaluated then, so `bin/auscult replay ...` starts
 * from that heap instead of loading them.
 *
 * What a module does when it is evaluated is done at build time, once, in another process: no
 * module may read the environment, a file or the clock, or load a package that is not bundled
 * (a native addon, pino, pg), at that point; they do so when first used (store.ts, log.ts,
 * ndjson.ts, common.ts `defaultDb`). The one file read here on purpose is the shipped rules,
 * below, which a start then checks against fingerprints/ before it uses them.
 * test/e2e/start-snapshot.test.ts checks the result against `bin/auscult.js`.
 */
import { startupSnapshot } from 'node:v8';
import { main } from './main.js';
// Evaluated into the snapshot: main loads them with import(), which then finds them evaluated.
import './replay.js';
import './rules-test.js';
import './devices.js';
import './device.js';
import { prepareRulesForSnapshot } from '../identify/rules/loader.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../identify/rules-identifier.js';

// The shipped rules, parsed once here (used at a start only while fingerprints/ is unchanged).
prepareRulesForSnapshot(DEFAULT_FINGERPRINTS_DIR);

// Under --snapshot-blob, process.argv is [node, ...arguments]: commander wants [node, script, ...].
startupSnapshot.setDeserializeMainFunction(() => {
  void main([process.argv[0] ?? 'node', 'auscult', ...process.argv.slice(1)]);
});
