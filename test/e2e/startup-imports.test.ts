/**
 * Issue 14, start-up: `auscult <subcommand>` loads that subcommand's module and what it imports,
 * not every subcommand's. A replay of a real capture with no system of record, no config file and
 * no central database loads none of pg, prom-client, csv-*, ajv, the CSAF validator, zod and the
 * YAML parsers (the shipped rules and catalogue come from the build's cache), nor another subcommand's module (module URLs traced by
 * test/helpers/module-trace.mjs); once a system of record is imported, the same replay loads the
 * reconciler and appends to the stream. `--help` still lists every subcommand, in order.
 *
 * `bin/auscult.js` runs the bundle `npm run build` writes (dist/bundle/cli, src/bundle-build.ts),
 * so the replay checks run twice: bundled, where each chunk the process loads stands for the
 * compiled modules esbuild's metafile says it holds, and unbundled (AUSCULT_BUNDLE=0), module by
 * module. Packages stay external in the bundle, so they are traced as they load either way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, SUBCOMMANDS, subcommandOf } from '../../src/cli/main.js';
import { auscult, BIN, ROOT } from '../helpers/cli.js';

const CAPTURE = join(ROOT, 'fixtures/demo/hospital-demo.pcapng');
const SOR = join(ROOT, 'fixtures/demo/sor-export.csv');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-startup-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

type Mode = 'bundled' | 'unbundled';
const MODES: readonly Mode[] = ['bundled', 'unbundled'];
const BUNDLE_URL = pathToFileURL(join(ROOT, 'dist/bundle/')).href;

/** The compiled modules (and any bundled-in package files) each output file of a bundle holds, by the output's URL. */
function bundleContents(bundleDir: string): Map<string, string[]> {
  const metafile = join(ROOT, bundleDir, 'meta.json');
  if (!existsSync(metafile)) throw new Error(`${metafile} is missing: run \`npm run build\` (it bundles after tsc)`);
  const { outputs } = JSON.parse(readFileSync(metafile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return new Map(Object.entries(outputs).filter(([out]) => out.endsWith('.js'))
    .map(([out, { inputs }]) => [pathToFileURL(join(ROOT, out)).href, Object.keys(inputs).map((i) => pathToFileURL(join(ROOT, i)).href)]));
}

/**
 * The URLs of the modules a traced process loaded: a loaded bundle file is replaced by the modules
 * it holds, so the same checks read a bundled and an unbundled run. A bundle file the metafile
 * does not know (a stale metafile) fails the test rather than hiding what it holds.
 */
function expand(urls: string[], bundleDir: string): string[] {
  if (!urls.some((u) => u.startsWith(BUNDLE_URL))) return urls;
  const contents = bundleContents(bundleDir);
  return urls.flatMap((u) => {
    if (!u.startsWith(BUNDLE_URL)) return [u];
    const held = contents.get(u);
    if (held === undefined) throw new Error(`${u} was loaded but is not in ${bundleDir}/meta.json`);
    return held;
  });
}

/** Runs `node [--import trace] script args` with every loaded module's URL traced; returns the result, the raw URLs and the expanded modules. */
function tracedScript(script: string, args: string[], name: string, env: Record<string, string> = {}, bundleDir = 'dist/bundle/cli'): { code: number; stdout: string; stderr: string; urls: string[]; modules: string[] } {
  const trace = join(dir, `${name}.trace`);
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/helpers/module-trace.mjs'), script, ...args], {
    cwd: dir, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', AUSCULT_TEST_MODULE_TRACE: trace, ...env },
  });
  const urls = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter((l) => l !== '') : [];
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, urls, modules: expand(urls, bundleDir) };
}

/** Runs the CLI as `mode`, traced. */
function traced(args: string[], name: string, mode: Mode): ReturnType<typeof tracedScript> {
  const r = tracedScript(BIN, args, `${name}-${mode}`, mode === 'unbundled' ? { AUSCULT_BUNDLE: '0' } : {});
  // The mode is what ran: the bundle's files and no compiled module, or the other way round.
  const bundleFiles = r.urls.filter((u) => u.startsWith(BUNDLE_URL));
  const compiled = r.urls.filter((u) => u.includes('/dist/src/'));
  if (mode === 'bundled') {
    expect(bundleFiles.length, 'the bundle ran (npm run build writes it)').toBeGreaterThan(0);
    expect(compiled).toEqual([]);
  } else {
    expect(bundleFiles).toEqual([]);
    expect(compiled.length).toBeGreaterThan(0);
  }
  return r;
}

const pkg = (modules: string[], name: string): string[] => modules.filter((u) => u.includes(`/node_modules/${name}/`));
const ours = (modules: string[], path: string): string[] => modules.filter((u) => u.includes(`/dist/src/${path}`));

/** Packages that only other subcommands (or optional replay steps) use; pino only a replay that writes a log line; zod and js-yaml only a rule or catalogue file the build did not cache; koffi only a live capture (kernel drops). */
const NOT_FOR_REPLAY = ['pino', 'pino-pretty', 'zod', 'js-yaml', 'pg', 'pg-connection-string', 'prom-client', 'csv-parse', 'csv-stringify', 'ajv', '@secvisogram/csaf-validator-lib', 'yaml', 'cli-progress', 'playwright', 'koffi'];

describe.each(MODES)('start-up (%s): each subcommand loads its own imports', (mode) => {
  it('a replay without SoR, config or central loads none of the other subcommands\' packages or modules', () => {
    const db = join(dir, `plain-${mode}.db`);
    const stream = join(dir, `plain-${mode}.ndjson`);
    const r = traced(['replay', CAPTURE, '--db', db, '--stream', stream], 'plain', mode);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/plain-[a-z]+\.db: [1-9][0-9]* devices/);
    // The trace works: the replay's own modules are in it.
    expect(ours(r.modules, 'cli/replay.js')).toHaveLength(1);
    expect(ours(r.modules, 'pipeline.js')).toHaveLength(1);
    expect(pkg(r.modules, 'better-sqlite3').length).toBeGreaterThan(0);
    for (const name of NOT_FOR_REPLAY) expect(pkg(r.modules, name), name).toEqual([]);
    const otherCli = ours(r.modules, 'cli/').filter((u) => !/\/cli\/(main|common|replay)\.js$/.test(u));
    expect(otherCli).toEqual([]);
    for (const path of ['config.js', 'reconcile/reconcile.js', 'central/', 'sensor.js', 'metrics.js', 'output/report']) expect(ours(r.modules, path), path).toEqual([]);
    expect(existsSync(stream)).toBe(false);
  });

  it('once a system of record is imported, the replay loads the reconciler and streams its exceptions', () => {
    const db = join(dir, `sor-${mode}.db`);
    const stream = join(dir, `sor-${mode}.ndjson`);
    expect(auscult(['import', SOR, '--db', db], { cwd: dir }).code).toBe(0);
    const r = traced(['replay', CAPTURE, '--db', db, '--stream', stream], 'sor', mode);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(r.modules, 'reconcile/reconcile.js')).toHaveLength(1);
    expect(r.stderr).toMatch(/exception/);
    const lines = readFileSync(stream, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('type');
    for (const name of ['pg', 'prom-client']) expect(pkg(r.modules, name), name).toEqual([]);
  });

  it('another subcommand loads its own module and csv-parse (the trace sees what a replay must not load)', () => {
    const db = join(dir, `import-${mode}.db`);
    const r = traced(['import', SOR, '--db', db], 'import', mode);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(r.modules, 'cli/import.js')).toHaveLength(1);
    expect(ours(r.modules, 'cli/replay.js')).toEqual([]);
    expect(pkg(r.modules, 'csv-parse').length).toBeGreaterThan(0);
  });
});

describe('start-up: the bundle', () => {
  it('keeps every package external, so a package loads (and is traced) only where auscult requires it', () => {
    for (const bundleDir of ['dist/bundle/cli', 'dist/bundle/bench']) {
      const bundled = [...bundleContents(bundleDir).values()].flat().filter((u) => u.includes('/node_modules/'));
      expect(bundled, bundleDir).toEqual([]);
    }
  });

  it('the bench\'s bundled replay child loads none of the packages a replay does not need', () => {
    const child = join(ROOT, 'dist/bundle/bench/replay-child.js');
    const r = tracedScript(child, [CAPTURE, join(dir, 'child.db')], 'child', {}, 'dist/bundle/bench');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { frames: number }).frames).toBeGreaterThan(0);
    expect(r.urls.filter((u) => u.startsWith(BUNDLE_URL))).toEqual([pathToFileURL(child).href]);
    expect(r.modules.filter((u) => u.includes('/dist/src/pipeline.js'))).toHaveLength(1);
    for (const name of NOT_FOR_REPLAY) expect(pkg(r.modules, name), name).toEqual([]);
  });
});

describe('start-up: the command line', () => {

  it('--help lists every subcommand, in the table\'s order', async () => {
    const program = await buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(SUBCOMMANDS.flatMap(([names]) => names));
    const r = auscult(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual([...SUBCOMMANDS.flatMap(([names]) => names), 'help']);
  });

  it('finds the subcommand after the global options, and asks for all of them otherwise', () => {
    const argv = (...args: string[]): string[] => ['node', 'auscult', ...args];
    expect(subcommandOf(argv('replay', 'x.pcap'))).toBe('replay');
    expect(subcommandOf(argv('--log-level', 'debug', '--wide', 'devices', '--json'))).toBe('devices');
    expect(subcommandOf(argv('--log-format=pretty', 'advisories', 'import', 'f.json'))).toBe('advisories');
    expect(subcommandOf(argv('advisory', 'CVE-2024-0001'))).toBe('advisory');
    // A subcommand's name given as a global option's value is not the subcommand.
    expect(subcommandOf(argv('--log-level', 'replay', 'devices'))).toBe('devices');
    for (const args of [[], ['--help'], ['-h'], ['--version'], ['help', 'replay'], ['replya'], ['--no-such-option', 'replay']]) {
      expect(subcommandOf(argv(...args)), args.join(' ')).toBeUndefined();
    }
  });

  it('an unknown subcommand still gets its suggestion, a subcommand its own help', () => {
    const typo = auscult(['replya'], { cwd: dir });
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(/unknown command 'replya'.*replay/);
    const help = auscult(['replay', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: auscult replay \[options\] <capture\.\.\.>/);
  });
});
