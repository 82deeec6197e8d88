/**
 * Issue 14, start-up: `auscult <subcommand>` loads that subcommand's module and what it imports,
 * not every subcommand's. A replay of a real capture with no system of record, no config file and
 * no central database loads none of pg, prom-client, csv-*, ajv, the CSAF validator, zod and the
 * YAML parsers (the shipped rules and catalogue come from the build's cache), nor another subcommand's module (module URLs traced by
 * test/helpers/module-trace.mjs); once a system of record is imported, the same replay loads the
 * reconciler and appends to the stream. `--help` still lists every subcommand, in order.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, SUBCOMMANDS, subcommandOf } from '../../src/cli/main.js';
import { auscult, BIN, ROOT } from '../helpers/cli.js';

const CAPTURE = join(ROOT, 'fixtures/demo/hospital-demo.pcapng');
const SOR = join(ROOT, 'fixtures/demo/sor-export.csv');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-startup-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** Runs the CLI with every loaded module's URL traced; returns the result and the URLs. */
function traced(args: string[], name: string): { code: number; stderr: string; modules: string[] } {
  const trace = join(dir, `${name}.trace`);
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/helpers/module-trace.mjs'), BIN, ...args], {
    cwd: dir, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', AUSCULT_TEST_MODULE_TRACE: trace },
  });
  const modules = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter((l) => l !== '') : [];
  return { code: r.status ?? -1, stderr: r.stderr, modules };
}

const pkg = (modules: string[], name: string): string[] => modules.filter((u) => u.includes(`/node_modules/${name}/`));
const ours = (modules: string[], path: string): string[] => modules.filter((u) => u.includes(`/dist/src/${path}`));

/** Packages that only other subcommands (or optional replay steps) use; pino only a replay that writes a log line; zod and js-yaml only a rule or catalogue file the build did not cache; koffi only a live capture (kernel drops). */
const NOT_FOR_REPLAY = ['pino', 'pino-pretty', 'zod', 'js-yaml', 'pg', 'pg-connection-string', 'prom-client', 'csv-parse', 'csv-stringify', 'ajv', '@secvisogram/csaf-validator-lib', 'yaml', 'cli-progress', 'playwright', 'koffi'];

describe('start-up: each subcommand loads its own imports', () => {
  it('a replay without SoR, config or central loads none of the other subcommands\' packages or modules', () => {
    const db = join(dir, 'plain.db');
    const r = traced(['replay', CAPTURE, '--db', db, '--stream', join(dir, 'plain.ndjson')], 'plain');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/plain\.db: [1-9][0-9]* devices/);
    // The trace works: the replay's own modules are in it.
    expect(ours(r.modules, 'cli/replay.js')).toHaveLength(1);
    expect(ours(r.modules, 'pipeline.js')).toHaveLength(1);
    expect(pkg(r.modules, 'better-sqlite3').length).toBeGreaterThan(0);
    for (const name of NOT_FOR_REPLAY) expect(pkg(r.modules, name), name).toEqual([]);
    const otherCli = ours(r.modules, 'cli/').filter((u) => !/\/cli\/(main|common|replay)\.js$/.test(u));
    expect(otherCli).toEqual([]);
    for (const path of ['config.js', 'reconcile/reconcile.js', 'central/', 'sensor.js', 'metrics.js', 'output/report']) expect(ours(r.modules, path), path).toEqual([]);
    expect(existsSync(join(dir, 'plain.ndjson'))).toBe(false);
  });

  it('once a system of record is imported, the replay loads the reconciler and streams its exceptions', () => {
    const db = join(dir, 'sor.db');
    const stream = join(dir, 'sor.ndjson');
    expect(auscult(['import', SOR, '--db', db], { cwd: dir }).code).toBe(0);
    const r = traced(['replay', CAPTURE, '--db', db, '--stream', stream], 'sor');
    expect(r.code, r.stderr).toBe(0);
    expect(ours(r.modules, 'reconcile/reconcile.js')).toHaveLength(1);
    expect(r.stderr).toMatch(/exception/);
    const lines = readFileSync(stream, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('type');
    for (const name of ['pg', 'prom-client']) expect(pkg(r.modules, name), name).toEqual([]);
  });

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
