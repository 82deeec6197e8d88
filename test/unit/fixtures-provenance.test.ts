// Other projects' data stays in the shared directory: no file committed under fixtures/ is a copy
// of one listed (by sha256) in a shared MANIFEST.tsv. Tests read those through test/helpers/shared.ts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';
import { titled } from '../helpers/tools.js';

const MANIFESTS = ['captures', 'advisories', 'schemas'].map((d) => join(d, 'MANIFEST.tsv')).filter((m) => sharedAvailable(m));
const skip = MANIFESTS.length === 0 ? SHARED_SKIP_REASON : null;

/** sha256 → the shared file it names. */
function sharedHashes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of MANIFESTS) {
    const [header = '', ...rows] = readFileSync(sharedPath(m), 'utf8').split('\n').filter((l) => l !== '');
    const cols = header.split('\t');
    const sha = cols.indexOf('sha256');
    const rel = cols.indexOf('dest_rel');
    for (const row of rows) {
      const f = row.split('\t');
      if (sha >= 0 && f[sha]) out.set(f[sha], `${m.split('/')[0] ?? ''}/${f[rel] ?? '?'}`);
    }
  }
  return out;
}

it.skipIf(skip !== null)(titled('no committed fixture is a copy of a file in the shared directory', skip), () => {
  const hashes = sharedHashes();
  expect(hashes.size).toBeGreaterThan(100);
  const files = execFileSync('git', ['ls-files', '-z', 'fixtures'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  expect(files.length).toBeGreaterThan(10);
  const copies = files.flatMap((f) => {
    const h = createHash('sha256').update(readFileSync(join(ROOT, f))).digest('hex');
    const shared = hashes.get(h);
    return shared === undefined ? [] : [`${f} is a copy of shared ${shared}`];
  });
  expect(copies).toEqual([]);
});
