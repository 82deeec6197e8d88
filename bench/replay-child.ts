/**
 * \summary The benchmark's replay child: `node dist/bench/replay-child.js <capture> <db>
 * [sample-every-frames]` (bench/replay-child-main.ts says what it prints). `npm run build` also
 * bundles it into `dist/bundle/bench/replay-child.js` and makes a start-up snapshot of it
 * (src/bundle-build.ts, bench/replay-child-snapshot.ts), which the bench runs when present.
 */
import { replayChildMain } from './replay-child-main.js';

await replayChildMain(process.argv.slice(2));
