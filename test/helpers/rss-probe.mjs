// Preloaded into a CLI run by tests (node --import): on exit, writes the process's peak RSS in
// KiB to $AUSCULT_TEST_RSS_OUT. VmHWM from /proc/self/status, not resourceUsage().maxRSS: a
// process spawned by a test runner inherits the runner's high-water mark through fork and exec.
// Test-only; no product code reads it.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env['AUSCULT_TEST_RSS_OUT'];
if (out) {
  process.on('exit', () => {
    let kib = process.resourceUsage().maxRSS;
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) kib = Number(m[1]);
    } catch { /* not Linux: maxRSS */ }
    writeFileSync(out, String(kib));
  });
}
