/**
 * \summary The replay child's start-up snapshot entry (src/start-snapshot.ts): `npm run build`
 * bundles this into one script and runs it under `node --build-snapshot`; the heap it leaves
 * (every module of the child evaluated) is what `node --snapshot-blob replay-child.blob <capture>
 * <db>` starts from, as `bin/auscult replay` starts from the CLI's (src/cli/snapshot-main.ts).
 */
import { startupSnapshot } from 'node:v8';
import { replayChildMain } from './replay-child-main.js';
import { prepareRulesForSnapshot } from '../src/identify/rules/loader.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../src/identify/rules-identifier.js';

// The shipped rules, parsed once here (used at a start only while fingerprints/ is unchanged).
prepareRulesForSnapshot(DEFAULT_FINGERPRINTS_DIR);

// Under --snapshot-blob, process.argv is [node, ...arguments]: no script path.
startupSnapshot.setDeserializeMainFunction(() => {
  void replayChildMain(process.argv.slice(1));
});
