/**
 * \summary The replay child's start-up snapshot entry (src/start-snapshot.ts): `npm run build`
 * bundles this into one script and runs it under `node --build-snapshot`; the heap it leaves
 * (every module of the child evaluated) is what `node --snapshot-blob replay-child.blob <capture>
 * <db>` starts from, as `bin/auscult replay` starts from the CLI's (src/cli/snapshot-main.ts).
 */
import { startupSnapshot } from 'node:v8';
import { replayChildMain } from './replay-child-main.js';

// Under --snapshot-blob, process.argv is [node, ...arguments]: no script path.
startupSnapshot.setDeserializeMainFunction(() => {
  void replayChildMain(process.argv.slice(1));
});
