// Preloaded into a CLI run by tests (node --import): appends the URL of every module the process
// loads to $AUSCULT_TEST_MODULE_TRACE, one a line: through the ESM loader (ours, each package's
// entry, node: built-ins; the hooks run on the loader's own thread, hence a file) and through
// require (CommonJS packages that ESM code loads with createRequire, and what they require).
// Test-only; no product code reads it.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const trace = process.env['AUSCULT_TEST_MODULE_TRACE'];
if (trace) {
  register('./module-trace-hooks.mjs', import.meta.url);
  const seen = new Set();
  const load = Module._load;
  Module._load = function tracedLoad(request, parent, isMain) {
    const exported = load.call(this, request, parent, isMain);
    try {
      const file = Module._resolveFilename(request, parent, isMain);
      const url = file.startsWith('node:') || !file.includes('/') ? `node:${file.replace(/^node:/, '')}` : pathToFileURL(file).href;
      if (!seen.has(url)) {
        seen.add(url);
        appendFileSync(trace, `${url}\n`);
      }
    } catch {
      // A request that does not resolve to a file (a built-in by another name): nothing to trace.
    }
    return exported;
  };
}
