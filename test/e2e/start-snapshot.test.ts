/**
 * The start-up snapshots `npm run build` makes (src/start-snapshot.ts, issue 14: a lean start) and
 * the shell launcher that uses them (bin/auscult): the snapshot gives the same inventory, exit
 * codes and output as `bin/auscult.js`, reads the environment when it runs (not when it was
 * made), and is used only for the commands it serves, by the Node binary that made it, for the
 * package root it was made in, under the V8 options it was made with; anything else runs
 * bin/auscult.js. Which way the launcher went is read from `sh -x`'s trace of its `exec`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStamp, parseStamp, SNAPSHOT_DIR, SNAPSHOT_SUBCOMMANDS, snapshotFiles, snapshotInvocation, stampFor } from '../../src/start-snapshot.js';
import { auscult, ROOT as ROOT_SLASH } from '../helpers/cli.js';

const ROOT = ROOT_SLASH.replace(/\/$/, '');
const LAUNCHER = join(ROOT, 'bin/auscult');
const CAPTURE = join(ROOT, 'fixtures/demo/hospital-demo.pcapng');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-snapshot-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** The environment a test runs the launcher in: this Node first on the PATH, no NODE_OPTIONS (vitest may set some). */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(process.execPath, '..')}:${process.env['PATH'] ?? ''}`, AUSCULT_LOG_LEVEL: 'warn' };
  delete base['NODE_OPTIONS'];
  delete base['AUSCULT_SNAPSHOT'];
  return { ...base, ...extra };
}

/** Runs `sh -x launcher args`: the result, and the command the launcher exec'd (from the trace). */
function launch(args: string[], extra: Record<string, string> = {}, launcher = LAUNCHER, cwd = dir): { code: number; stdout: string; stderr: string; exec: string } {
  const r = spawnSync('sh', ['-x', launcher, ...args], { cwd, env: env(extra), encoding: 'utf8', timeout: 120_000 });
  const exec = r.stderr.split('\n').filter((l) => l.startsWith('+ exec ')).pop() ?? '';
  const stderr = r.stderr.split('\n').filter((l) => !/^\++ /.test(l)).join('\n');
  return { code: r.status ?? -1, stdout: r.stdout, stderr, exec };
}

const fromSnapshot = (exec: string): boolean => exec.includes('--snapshot-blob') && exec.includes('dist/bundle/snapshot/auscult.blob');

describe('the build', () => {
  it('makes the CLI and replay-child snapshots, stamped with this Node, this root and the deployed V8 options', () => {
    for (const name of ['auscult', 'replay-child']) {
      const { blob, stamp } = snapshotFiles(ROOT, name);
      expect(existsSync(blob), `${blob}: run \`npm run build\``).toBe(true);
      expect(parseStamp(readFileSync(stamp, 'utf8'))).toEqual(stampFor(process.execPath, ROOT));
    }
    expect(stampFor(process.execPath, ROOT).v8Options).toBe('--max-semi-space-size=4');
  });

  it("writes the snapshots' scripts in ASCII, the CLI's with one zod and only the subcommands it serves, the replay child's with no zod", () => {
    // V8 keeps a script's source in the snapshot, two bytes a character if one is outside Latin-1.
    for (const name of ['auscult', 'replay-child']) {
      const script = readFileSync(join(ROOT, SNAPSHOT_DIR, `${name}.js`));
      expect(script.findIndex((b) => b > 0x7f), name).toBe(-1);
    }
    const cli = readFileSync(join(ROOT, SNAPSHOT_DIR, 'auscult.js'), 'utf8');
    expect(cli).toContain('// node_modules/zod/v4/classic/schemas.js');
    expect(cli).not.toMatch(/\/\/ node_modules\/zod\/.*\.cjs\n/);
    // Subcommands bin/auscult runs with bin/auscult.js are left out, with what they import.
    expect(cli).toContain('./import.js is not in the start-up snapshot');
    expect(cli).not.toContain('// node_modules/iconv-lite/');
    expect(cli).not.toContain('// dist/src/cli/central.js');
    for (const served of ['replay', 'rules-test', 'devices', 'device']) expect(cli).toContain(`// dist/src/cli/${served}.js`);
    // The replay child requires zod from node_modules when a rule file is not in the build's cache.
    const child = readFileSync(join(ROOT, SNAPSHOT_DIR, 'replay-child.js'), 'utf8');
    expect(child).not.toContain('node_modules/zod/');
    expect(child).toContain('require("zod")');
    expect(createRequire(join(ROOT, SNAPSHOT_DIR, 'replay-child.js')).resolve('zod')).toContain(join('node_modules', 'zod'));
  });

  it('a stamp reads back as written, and a truncated one is no stamp', () => {
    const s = { node: '/usr/bin/node', installed: '1 2 3 4 ', root: '/opt/auscult dir', v8Options: '' };
    expect(parseStamp(formatStamp(s))).toEqual(s);
    expect(parseStamp('/usr/bin/node\n1 2\n')).toBeUndefined();
    expect(parseStamp(formatStamp(s).slice(0, -1))).toBeUndefined(); // cut short: no last newline
  });
});

describe('bin/auscult', () => {
  it('replays and lists from the snapshot the same inventory as bin/auscult.js', () => {
    const viaSnapshot = join(dir, 'snap.db');
    const viaPlain = join(dir, 'plain.db');
    const r = launch(['replay', CAPTURE, '--db', viaSnapshot]);
    expect(r.code, r.stderr).toBe(0);
    expect(fromSnapshot(r.exec), r.exec).toBe(true);
    expect(auscult(['replay', CAPTURE, '--db', viaPlain]).code).toBe(0);
    const listed = launch(['devices', '--db', viaSnapshot, '--json']);
    expect(fromSnapshot(listed.exec)).toBe(true);
    const plain = auscult(['devices', '--db', viaPlain, '--json']);
    expect(JSON.parse(listed.stdout)).toHaveLength(10);
    expect(listed.stdout).toBe(plain.stdout);
    const one = JSON.parse(plain.stdout)[0].mac as string;
    const device = launch(['device', one, '--db', viaSnapshot, '--json']);
    expect(fromSnapshot(device.exec)).toBe(true);
    expect(device.stdout).toBe(auscult(['device', one, '--db', viaPlain, '--json']).stdout);
  });

  it('a replay with a system of record (the reconciler, the stream) writes the same stream as bin/auscult.js', () => {
    const sor = join(ROOT, 'fixtures/demo/sor-export.csv');
    const streams: string[] = [];
    for (const via of ['snapshot', 'plain'] as const) {
      const cwd = mkdtempSync(join(dir, `${via}-`));
      const run = (args: string[]): { code: number; exec: string } => (via === 'plain' ? { ...auscult(args, { cwd }), exec: '' } : launch(args, {}, LAUNCHER, cwd));
      expect(run(['replay', CAPTURE, '--db', 'a.db']).code).toBe(0);
      expect(run(['import', sor, '--db', 'a.db']).code).toBe(0);
      const again = run(['replay', CAPTURE, '--db', 'a.db']);
      expect(again.code).toBe(0);
      if (via === 'snapshot') expect(fromSnapshot(again.exec), again.exec).toBe(true);
      streams.push(readFileSync(join(cwd, 'exceptions.ndjson'), 'utf8'));
    }
    expect(streams[0]?.split('\n').length).toBeGreaterThan(10);
    expect(streams[0]).toBe(streams[1]);
  });

  it('reads the environment when it runs, not when the snapshot was made (AUSCULT_DB)', () => {
    const db = join(dir, 'from-env.db');
    const r = launch(['replay', CAPTURE], { AUSCULT_DB: db });
    expect(r.code, r.stderr).toBe(0);
    expect(fromSnapshot(r.exec)).toBe(true);
    expect(existsSync(db)).toBe(true);
  });

  it('gives the same exit code and one-line error as bin/auscult.js', () => {
    const missing = join(dir, 'no-such.pcap');
    const r = launch(['replay', missing, '--db', join(dir, 'e.db')]);
    const plain = auscult(['replay', missing, '--db', join(dir, 'e2.db')]);
    expect(fromSnapshot(r.exec)).toBe(true);
    expect(r.code).toBe(66);
    expect(r.code).toBe(plain.code);
    expect(r.stderr.trim()).toBe(plain.stderr.trim().replace('e2.db', 'e.db'));
  });

  it('runs rules test from the snapshot', () => {
    const r = launch(['rules', 'test']);
    expect(fromSnapshot(r.exec)).toBe(true);
    expect(r.code, r.stderr).toBe(0);
  });

  it('tests an edited copy of the rules (YAML and schema, not the build\'s cache) as bin/auscult.js does', () => {
    const rules = join(dir, 'edited-rules');
    cpSync(join(ROOT, 'fingerprints'), rules, { recursive: true });
    const cdp = join(rules, 'cdp-platform.yaml');
    writeFileSync(cdp, readFileSync(cdp, 'utf8').replace('manufacturer: Cisco\n', 'manufacturer: Cisco Edited\n'));
    writeFileSync(join(rules, 'broken.yaml'), 'rules: [ { id: x } ]\n');
    const r = launch(['rules', 'test', rules]);
    expect(fromSnapshot(r.exec)).toBe(true);
    const plain = spawnSync(process.execPath, [join(ROOT, 'bin/auscult.js'), 'rules', 'test', rules], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(r.code).toBe(1);
    expect(r.code).toBe(plain.status);
    expect(r.stdout).toContain('broken.yaml:1: x: rules.0.source:');
    expect(r.stdout).toContain('"Cisco Edited" is not in vocabulary/manufacturers.txt');
    expect(r.stdout).toBe(plain.stdout);
  });

  it('runs bin/auscult.js for other commands, other V8 options and AUSCULT_SNAPSHOT=0', () => {
    const plain = (exec: string): boolean => exec.endsWith('/bin/auscult.js --version') || exec.includes('/bin/auscult.js ');
    const version = launch(['--version']);
    expect(plain(version.exec), version.exec).toBe(true);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(plain(launch(['status', '--help']).exec)).toBe(true);
    const other = launch(['devices', '--db', join(dir, 'snap.db')], { NODE_OPTIONS: '--max-old-space-size=512' });
    expect(plain(other.exec), other.exec).toBe(true);
    expect(other.code).toBe(0);
    expect(plain(launch(['devices', '--db', join(dir, 'snap.db')], { AUSCULT_SNAPSHOT: '0' }).exec)).toBe(true);
    // The deployed options themselves keep the snapshot.
    expect(fromSnapshot(launch(['devices', '--db', join(dir, 'snap.db')], { NODE_OPTIONS: '--max-semi-space-size=4' }).exec)).toBe(true);
  });

  it('runs bin/auscult.js when the stamp names another Node binary, another root, other installed packages, or is missing', () => {
    // A copy of the launcher in another root, with a stand-in bin/auscult.js and a blob that is never read.
    const root = realpathSync(mkdtempSync(join(dir, 'root-')));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist/bundle/snapshot'), { recursive: true });
    copyFileSync(LAUNCHER, join(root, 'bin/auscult'));
    writeFileSync(join(root, 'bin/auscult.js'), 'process.stdout.write("plain " + process.argv.slice(2).join(" "));\n');
    mkdirSync(join(root, 'node_modules'));
    const lock = join(root, 'node_modules/.package-lock.json');
    writeFileSync(lock, '{}\n');
    const { blob, stamp } = snapshotFiles(root, 'auscult');
    writeFileSync(blob, 'not a snapshot');
    const run = (): ReturnType<typeof launch> => launch(['replay', 'x.pcap'], {}, join(root, 'bin/auscult'));
    expect(run().stdout).toBe('plain replay x.pcap'); // no stamp
    const good = stampFor(process.execPath, root);
    for (const bad of [{ ...good, installed: '1 1 1 1 ' }, { ...good, node: '/usr/local/bin/other-node' }, { ...good, root: ROOT }]) {
      writeFileSync(stamp, formatStamp(bad));
      expect(run().stdout).toBe('plain replay x.pcap');
      expect(snapshotInvocation(root, 'auscult', [], process.execPath, '')).toBeUndefined();
    }
    writeFileSync(stamp, formatStamp(good));
    expect(run().exec).toContain(`--snapshot-blob ${blob}`); // the stamp holds: it is used (and this blob fails)
    // A package installed or updated since (npm rewrites the lock file): the bundled copies are stale.
    writeFileSync(lock, '{"packages":{}}\n');
    expect(run().stdout).toBe('plain replay x.pcap');
    expect(snapshotInvocation(root, 'auscult', [], process.execPath, '')).toBeUndefined();
    writeFileSync(stamp, formatStamp(stampFor(process.execPath, root)));
    expect(run().exec).toContain(`--snapshot-blob ${blob}`); // made again after the install: used
    expect(snapshotInvocation(root, 'auscult', ['x'], process.execPath, '')).toEqual({ command: good.node, args: ['--max-semi-space-size=4', '--snapshot-blob', blob, 'x'] });
  });

  it('holds every subcommand it serves: each prints its help from the snapshot', () => {
    for (const name of SNAPSHOT_SUBCOMMANDS) {
      const r = launch([name, '--help']);
      expect(fromSnapshot(r.exec), name).toBe(true);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: auscult ${name}`);
    }
  });

  it('serves exactly the subcommands src/start-snapshot.ts names', () => {
    const text = readFileSync(LAUNCHER, 'utf8');
    expect(text).toContain(`  ${SNAPSHOT_SUBCOMMANDS.join('|')})\n`);
  });
});

describe("the bench's replay child snapshot", () => {
  it('replays as the bundled child does', () => {
    const bundled = spawnSync(process.execPath, [join(ROOT, 'dist/bundle/bench/replay-child.js'), CAPTURE, join(dir, 'child-b.db')], { env: env(), encoding: 'utf8' });
    const snap = snapshotInvocation(ROOT, 'replay-child', [CAPTURE, join(dir, 'child-s.db')], process.execPath, '');
    expect(snap).toBeDefined();
    const fromSnap = spawnSync(snap?.command ?? '', snap?.args ?? [], { env: env(), encoding: 'utf8' });
    expect(fromSnap.status, fromSnap.stderr).toBe(0);
    const pick = (out: string): unknown => { const j = JSON.parse(out) as Record<string, unknown>; return [j['frames'], j['devices'], j['knownHits'], j['knownMisses']]; };
    expect(pick(fromSnap.stdout)).toEqual(pick(bundled.stdout));
    expect(pick(fromSnap.stdout)).toEqual([214, 10, expect.any(Number), expect.any(Number)]);
  });
});
