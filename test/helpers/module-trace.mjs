// Preloaded into a CLI run by tests (node --import): appends the URL of every module the process
// loads through the ESM loader (ours, each package's entry, node: built-ins) to
// $AUSCULT_TEST_MODULE_TRACE, one a line. The hooks run on the loader's own thread, hence a file.
// Test-only; no product code reads it.
import { register } from 'node:module';

if (process.env['AUSCULT_TEST_MODULE_TRACE']) register('./module-trace-hooks.mjs', import.meta.url);
