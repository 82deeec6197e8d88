#!/usr/bin/env node
// The Node launcher (bin/auscult, the package's `bin`, runs it for every command it does not start
// from the CLI's start-up snapshot; systemd and Docker run it directly): the CLI lives in src/cli
// (compiled to dist/src/cli by `npm run build`, which then bundles it into dist/bundle/cli: a
// lean start, issue 14). It runs the bundle when there is one
// at least as new as the compiled CLI (after `tsc` alone the bundle is stale, and the compiled
// modules run), else the compiled modules; AUSCULT_BUNDLE=0 always runs the compiled modules.
import { statSync } from 'node:fs';

const COMPILED = new URL('../dist/src/cli/main.js', import.meta.url);
const BUNDLED = new URL('../dist/bundle/cli/main.js', import.meta.url);
/** How much newer the compiled CLI may be than the bundle (copying dist/ reorders mtimes a little). */
const STALE_AFTER_MS = 1000;

function entry() {
  if (process.env.AUSCULT_BUNDLE === '0') return COMPILED;
  const bundled = statSync(BUNDLED, { throwIfNoEntry: false });
  if (bundled === undefined) return COMPILED;
  const compiled = statSync(COMPILED, { throwIfNoEntry: false });
  return compiled !== undefined && compiled.mtimeMs > bundled.mtimeMs + STALE_AFTER_MS ? COMPILED : BUNDLED;
}

import(entry().href).then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`auscult: cannot start (${err && err.code === 'ERR_MODULE_NOT_FOUND' ? 'run `npm run build` first' : String(err)})\n`);
  process.exit(70);
});
