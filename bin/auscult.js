#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/src/cli by `npm run build`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`auscult: cannot start (${err && err.code === 'ERR_MODULE_NOT_FOUND' ? 'run `npm run build` first' : String(err)})\n`);
  process.exit(70);
});
