// Loader hooks of module-trace.mjs: one line per module loaded.
import { appendFileSync } from 'node:fs';

const out = process.env['AUSCULT_TEST_MODULE_TRACE'];

export async function load(url, context, nextLoad) {
  if (out) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
