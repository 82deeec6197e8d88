/**
 * deploy/docker-entrypoint.sh, run as the image runs it (no Docker engine here, so the script
 * itself, with the paths pointed into a scratch directory and auscult replaced by a stub that
 * prints what it was given): root-owned volumes are given to AUSCULT_USER before privileges are
 * dropped, an empty config mount falls back to the shipped config, and the command is exec'd
 * with its arguments. Also checks .dockerignore keeps the build context small, and that LICENSE
 * and SECURITY.md exist.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { titled } from '../helpers/tools.js';

const SCRIPT = join(ROOT, 'deploy/docker-entrypoint.sh');
const NOT_ROOT = process.getuid?.() === 0 ? null : 'chown to another user needs root (CI runs as root)';
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-entrypoint-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function run(env: Record<string, string>, args: string[] = ['run']): { code: number; stdout: string; stderr: string } {
  const stub = join(dir, 'stub.js');
  writeFileSync(stub, 'process.stdout.write(JSON.stringify({ args: process.argv.slice(2), config: process.env.AUSCULT_CONFIG }));\n');
  const r = spawnSync('sh', [SCRIPT, ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', AUSCULT_BIN: stub, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('docker entrypoint', () => {
  it('an empty config mount falls back to the shipped config, and says so', () => {
    const etc = join(dir, 'etc-empty');
    mkdirSync(etc);
    const shipped = join(dir, 'shipped.yaml');
    writeFileSync(shipped, 'capture:\n  interface: eth1\n');
    const r = run({ AUSCULT_CONFIG: join(etc, 'auscult.yaml'), AUSCULT_DEFAULT_CONFIG: shipped, AUSCULT_USER: '', AUSCULT_DB: join(dir, 'd0/a.db'), AUSCULT_EXCEPTIONS: join(dir, 'l0/e.ndjson') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ args: ['run'], config: shipped });
    expect(r.stderr).toContain(`${join(etc, 'auscult.yaml')} is absent (an empty config volume?): using the shipped defaults ${shipped}`);
  });

  it('a mounted config is used as it is, and the arguments reach auscult', () => {
    const cfg = join(dir, 'mine.yaml');
    writeFileSync(cfg, 'capture:\n  interface: eth2\n');
    const r = run({ AUSCULT_CONFIG: cfg, AUSCULT_USER: '', AUSCULT_DB: join(dir, 'd1/a.db'), AUSCULT_EXCEPTIONS: join(dir, 'l1/e.ndjson') }, ['run', '--interface', 'eth2']);
    expect(JSON.parse(r.stdout)).toEqual({ args: ['run', '--interface', 'eth2'], config: cfg });
    expect(r.stderr).toBe('');
  });

  it.skipIf(NOT_ROOT !== null)(titled('root-owned data and log volumes are given to AUSCULT_USER before privileges drop', NOT_ROOT), () => {
    const db = join(dir, 'vol-db');
    const log = join(dir, 'vol-log');
    for (const d of [db, log]) {
      mkdirSync(d);
      writeFileSync(join(d, 'old-file'), 'x');
      chownSync(d, 0, 0);
    }
    const r = run({ AUSCULT_CONFIG: join(dir, 'none.yaml'), AUSCULT_DEFAULT_CONFIG: join(dir, 'none.yaml'), AUSCULT_USER: 'nobody', AUSCULT_DB: join(db, 'auscult.db'), AUSCULT_EXCEPTIONS: join(log, 'exceptions.ndjson') });
    expect(r.code, r.stderr).toBe(0);
    const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
    for (const d of [db, log]) {
      expect(statSync(d).uid, d).toBe(nobody);
      expect(statSync(join(d, 'old-file')).uid).toBe(nobody);
    }
    expect(r.stderr).toContain(`${db}: given to nobody`);
    // A second start changes nothing and says nothing about ownership.
    const again = run({ AUSCULT_CONFIG: join(dir, 'none.yaml'), AUSCULT_DEFAULT_CONFIG: join(dir, 'none.yaml'), AUSCULT_USER: 'nobody', AUSCULT_DB: join(db, 'auscult.db'), AUSCULT_EXCEPTIONS: join(log, 'exceptions.ndjson') });
    expect(again.stderr).not.toContain('given to');
  });
});

describe('repository files for deployment', () => {
  it('.dockerignore leaves out git, node_modules, fixtures, tests and databases', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const l of ['.git', 'node_modules', 'fixtures', 'test', '*.db', 'dist']) expect(lines).toContain(l);
  });

  it('LICENSE is the Apache-2.0 text package.json names; SECURITY.md says how to report', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, 'SECURITY.md'), 'utf8')).toMatch(/Reporting a vulnerability/);
  });
});
