#!/usr/bin/env node
// Fails CI when any test was skipped, todo or not run, except those listed in
// .ci/allowed-skips.txt (one title substring per line, "#" comments give the reason).
// Reads the JSON report vitest writes with `--reporter=json --outputFile.json=FILE`.
import { readFileSync } from 'node:fs';

const [report = '.ci/vitest-report.json', allowFile = '.ci/allowed-skips.txt'] = process.argv.slice(2);
const allowed = readFileSync(allowFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const json = JSON.parse(readFileSync(report, 'utf8'));
const skipped = [];
let passed = 0;
let failed = 0;
for (const file of json.testResults ?? []) {
  for (const t of file.assertionResults ?? []) {
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
    else skipped.push({ file: file.name, title: t.fullName ?? t.title, status: t.status });
  }
}
const unexpected = skipped.filter((s) => !allowed.some((a) => s.title.includes(a)));
for (const s of skipped) {
  const ok = !unexpected.includes(s);
  process.stdout.write(`ci: ${ok ? 'allowed skip' : 'UNEXPECTED SKIP'}: ${s.file.replace(process.cwd() + '/', '')}: ${s.title} (${s.status})\n`);
}
if (passed + failed === 0) {
  process.stdout.write('ci: the report holds no test result\n');
  process.exit(1);
}
if (unexpected.length > 0) {
  process.stdout.write(`ci: ${unexpected.length} test(s) skipped that CI must run: install what they name, or fix the test\n`);
  process.exit(1);
}
process.stdout.write(`ci: ${passed} passed, ${failed} failed, ${skipped.length} skipped (all allowed)\n`);
