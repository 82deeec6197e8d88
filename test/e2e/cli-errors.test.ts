/**
 * Every user error is one line on stderr and a documented exit code, never a stack trace:
 * every subcommand (walked from the program itself, so a new one is covered) with an unknown
 * option and with a missing argument exits 64; `--db` on a file that is not SQLite exits 65 for
 * every command that takes it (events, export and push included); a read-only command on a missing `--db` exits 66 and creates
 * nothing; `report --out` on an existing file or a symbolic link exits 73 and writes nothing
 * through it; `status` exits 1 when the sensor is not reachable (as README says); `rules test`
 * gives the same answer from any current directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { ERROR_CODES } from '../../src/errors.js';
import { DB_CREATORS } from '../../src/cli/common.js';
import { auscult, ROOT } from '../helpers/cli.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-cli-errors-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** Leaf commands as argv prefixes: ['replay'], ['rules', 'test'], ... */
function leaves(cmd: Command, prefix: string[] = []): { argv: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => (c.commands.length > 0 ? leaves(c, [...prefix, c.name()]) : [{ argv: [...prefix, c.name()], cmd: c }]));
}
const LEAVES = leaves(await buildProgram());
// README "Error codes" and the CLI reference: 0, 1, 64 (usage) and every error code's exit.
const DOCUMENTED = new Set<number>([0, 1, 64, ...Object.values(ERROR_CODES)]);

/** One line on stderr, no stack frame, a documented exit code. */
function expectOneLine(r: { code: number; stderr: string }, code: number): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^auscult: /);
  expect(r.code, r.stderr).toBe(code);
  expect(DOCUMENTED.has(code)).toBe(true);
}

describe('usage errors exit 64 with one line, for every subcommand', () => {
  it('walks all the subcommands', () => {
    expect(LEAVES.map((l) => l.argv.join(' '))).toEqual(expect.arrayContaining(['replay', 'devices', 'rules test', 'config check', 'report', 'status']));
  });

  for (const { argv } of LEAVES) {
    it(`${argv.join(' ')} --no-such-option`, () => {
      const r = auscult([...argv, '--no-such-option'], { cwd: dir });
      expectOneLine(r, 64);
      expect(r.stderr).toMatch(/unknown option '--no-such-option'|required option '.*' not specified/);
    });
  }

  for (const { argv, cmd } of LEAVES.filter((l) => l.cmd.registeredArguments.some((a) => a.required) || l.cmd.options.some((o) => o.mandatory))) {
    it(`${argv.join(' ')} without its required argument or option`, () => {
      expectOneLine(auscult(argv, { cwd: dir }), 64);
      expect(cmd.name()).toBeTruthy();
    });
  }

  it('an unknown command exits 64', () => {
    expectOneLine(auscult(['nosuch'], { cwd: dir }), 64);
  });
});

describe('database files', () => {
  // Every leaf command with --db, walked from the program (a new command is covered without
  // editing this list), with placeholders for its required arguments and options.
  const withDb = LEAVES.filter((l) => l.cmd.options.some((o) => o.long === '--db'));
  const argvOf = ({ argv, cmd }: { argv: string[]; cmd: Command }): string[] => [
    ...argv,
    ...cmd.registeredArguments.filter((a) => a.required).map((a) => (a.name() === 'csv' ? join(ROOT, 'fixtures/demo/sor-export.csv') : a.name() === 'capture' ? join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng') : a.name() === 'path' ? join(ROOT, 'fixtures/advisories/auscult-lab-2026-001.json') : '00:11:22:33:44:55')),
    ...cmd.options.filter((o) => o.mandatory).flatMap((o) => [o.long ?? '', 'https://127.0.0.1:9']),
    ...(argv[0] === 'report' ? ['--out', 'r'] : []),
  ];
  const READ_ONLY = withDb.filter((l) => !DB_CREATORS.has(l.argv.join(' '))).map(argvOf);
  const DB_COMMANDS = withDb.filter((l) => l.argv[0] !== 'run').map(argvOf);
  it('walks every command with --db, the read-only ones included', () => {
    expect(READ_ONLY.map((a) => a.slice(0, 2).join(' '))).toEqual(expect.arrayContaining(['devices', 'fleet', 'exposure', 'advisories list', 'deferrals list', 'advisory 00:11:22:33:44:55', 'ship', 'events']));
    expect(DB_COMMANDS.map((a) => a[0])).toEqual(expect.arrayContaining(['import', 'replay', 'advisories', 'deferrals']));
  });
  // push reads its credentials before the database: give it some so the --db error is the one seen.
  const ENV = { SERVICENOW_USER: 'svc-test', SERVICENOW_PASSWORD: 'not-a-secret' };
  const tag = (argv: string[]) => argv.slice(0, 2).join('-').replace(/[^a-z-]/g, '');

  for (const argv of DB_COMMANDS) {
    it(`${argv.slice(0, 2).join(' ')} --db on a file that is not SQLite exits 65 with one line`, () => {
      const bad = join(dir, `not-sqlite-${tag(argv)}.db`);
      writeFileSync(bad, 'Asset Tag,MAC\nBME-1,00:11:22:33:44:55\n');
      const r = auscult([...argv, '--db', bad], { cwd: dir, env: ENV });
      expectOneLine(r, 65);
      expect(r.stderr).toContain(`${bad}: not an SQLite database`);
      expect(r.stderr).toContain('[AUS_ERR_DB_FILE]');
      expect(readFileSync(bad, 'utf8')).toBe('Asset Tag,MAC\nBME-1,00:11:22:33:44:55\n');
    });
  }

  for (const argv of READ_ONLY) {
    it(`${argv.slice(0, 2).join(' ')} (read-only) on a missing --db exits 66 and creates no database`, () => {
      const missing = join(dir, `typo-${tag(argv)}.db`);
      const r = auscult([...argv, '--db', missing], { cwd: dir, env: ENV });
      expectOneLine(r, 66);
      expect(r.stderr).toContain('[AUS_ERR_DB_MISSING]');
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(`${missing}-wal`)).toBe(false);
    });
  }
});

describe('report --out', () => {
  let db: string;
  beforeAll(() => {
    db = join(dir, 'report.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng'), '--db', db], { cwd: dir }).code).toBe(0);
  });

  it('on an existing file exits 73 with one line and leaves the file alone', () => {
    const file = join(dir, 'existing.txt');
    writeFileSync(file, 'keep me\n');
    expectOneLine(auscult(['report', '--db', db, '--out', file], { cwd: dir }), 73);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('on a symbolic link to a directory exits 73 and writes nothing there', () => {
    const target = join(dir, 'elsewhere');
    mkdirSync(target);
    const link = join(dir, 'out-link');
    symlinkSync(target, link);
    const r = auscult(['report', '--db', db, '--out', link], { cwd: dir });
    expectOneLine(r, 73);
    expect(r.stderr).toContain('symbolic link');
    expect(existsSync(join(target, 'index.html'))).toBe(false);
  });

  it('never follows a symbolic link planted at a report file name inside --out', () => {
    const out = join(dir, 'planted');
    mkdirSync(out);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(out, 'index.html'));
    const r = auscult(['report', '--db', db, '--out', out], { cwd: dir });
    expectOneLine(r, 73);
    expect(r.stderr).toContain('index.html: is a symbolic link; not followed');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('into a new directory works (exit 0)', () => {
    const r = auscult(['report', '--db', db, '--out', join(dir, 'fresh')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'fresh', 'index.html'))).toBe(true);
  });
});

describe('a reader that goes away', () => {
  it('devices --json into a closed pipe exits 0 with nothing on stderr (no EPIPE stack trace)', async () => {
    const db = join(dir, 'pipe.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', db], { cwd: dir }).code).toBe(0);
    for (const args of [['devices', '--json'], ['events']]) {
      const child = spawn(process.execPath, [join(ROOT, 'bin/auscult.js'), ...args, '--db', db], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // closed before node has even started: every write gets EPIPE
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
    }
  });
});

describe('documented exit codes', () => {
  it('status exits 1 when the sensor is not reachable', () => {
    const r = auscult(['status', '--metrics', 'http://127.0.0.1:9'], { cwd: dir });
    expectOneLine(r, 1);
  });

  it('rules test passes from a directory outside the repository (fixtures resolved against the rules directory)', () => {
    const r = auscult(['rules', 'test', join(ROOT, 'fingerprints')], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS /m);
  });
});
