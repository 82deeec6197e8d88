/**
 * bin/auscult.js chooses what to run (issue 14, start-up): the bundle `npm run build` writes
 * (dist/bundle/cli/main.js) when it is there and not older than the compiled CLI by more than a
 * second, else the compiled CLI (dist/src/cli/main.js; after `tsc` alone the bundle is stale);
 * AUSCULT_BUNDLE=0 always runs the compiled CLI. Checked on a copy of the launcher beside two
 * stand-in entries that say which one ran.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

let root: string;
const COMPILED = 'dist/src/cli/main.js';
const BUNDLED = 'dist/bundle/cli/main.js';

function standIn(rel: string, name: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), `export async function main(argv) { process.stdout.write(${JSON.stringify(name)} + ' ' + argv.slice(2).join(' ')); }\n`);
}

/** Sets a file's mtime to `secondsAgo` before now. */
function age(rel: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(join(root, rel), t, t);
}

function launch(env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited['AUSCULT_BUNDLE'];
  const r = spawnSync(process.execPath, [join(root, 'bin/auscult.js'), 'replay', 'x.pcap'], { encoding: 'utf8', env: { ...inherited, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'auscult-launcher-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(BIN, join(root, 'bin/auscult.js'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'auscult', type: 'module' }));
});
afterAll(() => { rmSync(root, { recursive: true, force: true }); });

describe('bin/auscult.js', () => {
  it('says to build when neither entry is there', () => {
    const r = launch();
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/run `npm run build` first/);
  });

  it('runs the compiled CLI when there is no bundle, with the arguments', () => {
    standIn(COMPILED, 'compiled');
    expect(launch().stdout).toBe('compiled replay x.pcap');
  });

  it('runs the bundle when it is newer than the compiled CLI, or older by less than a second', () => {
    standIn(BUNDLED, 'bundled');
    age(COMPILED, 10); age(BUNDLED, 5);
    expect(launch().stdout).toBe('bundled replay x.pcap');
    age(COMPILED, 5); age(BUNDLED, 5.5);
    expect(launch().stdout).toBe('bundled replay x.pcap');
  });

  it('runs the compiled CLI when the bundle is stale (tsc ran after the bundle was built)', () => {
    age(COMPILED, 5); age(BUNDLED, 10);
    expect(launch().stdout).toBe('compiled replay x.pcap');
  });

  it('runs the compiled CLI when AUSCULT_BUNDLE=0, however new the bundle', () => {
    age(COMPILED, 10); age(BUNDLED, 5);
    expect(launch({ AUSCULT_BUNDLE: '0' }).stdout).toBe('compiled replay x.pcap');
    expect(launch({ AUSCULT_BUNDLE: '1' }).stdout).toBe('bundled replay x.pcap');
  });
});
