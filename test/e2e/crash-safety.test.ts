/**
 * Crash safety of import, replay and reconcile: each is SIGKILLed at a random moment, then an
 * operator's recovery runs (re-run the command if its work was not committed, then
 * `auscult reconcile`). After every kill the database must pass `PRAGMA integrity_check` and open,
 * and after recovery the exception stream must be byte-identical to a clean run's (so no event
 * is lost and none repeated).
 *
 * The timeline, each stage followed by a reconcile in the clean run:
 *   A import lab SoR · B replay lab capture · C import corrected SoR · D replay demo capture
 * An iteration starts from the clean state before a random stage, kills that stage's command
 * after a random delay, recovers, and compares with the clean state after the stage.
 * Iterations: up to 30, within a 50 s budget (at least 8 whatever the machine's load).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { expectValidLines } from '../unit/reconcile/schemas.js';

const MAX_ITERATIONS = 30;
const MIN_ITERATIONS = 8;
const BUDGET_MS = 35_000;
/** Fault-injection pauses in the stream writer (src/output/ndjson.ts) so kills land between commit, write and cursor update. */
const FAULT_ENV = { AUSCULT_FAULT_INJECT_DELAY_MS: '120' };

interface Stage {
  name: string;
  args: string[];
  /** True when the stage's own database work is committed (so re-running it would do it twice). */
  done: (db: string) => boolean;
}

const fx = (p: string) => join(ROOT, 'fixtures', p);
const LAB_SOR = fx('sor/lab-switch-endpoints.csv');
const FIXED_SOR = fx('sor/lab-switch-endpoints-updated.csv');
const LAB = fx('lldp/lab-switch-endpoints.pcapng');
const DEMO = fx('demo/hospital-demo.pcapng');

function query<T>(dbPath: string, sql: string, ...params: unknown[]): T {
  const db = openDatabase(dbPath);
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

const importDone = (csv: string) => (db: string): boolean => {
  const sha = spawnSync('sha256sum', [csv], { encoding: 'utf8' }).stdout.split(' ')[0];
  const row = query<{ sha256: string } | undefined>(db, 'SELECT i.sha256 FROM sor_current c JOIN sor_import i ON i.id = c.import_id');
  return row?.sha256 === sha;
};
const replayDone = (capture: string) => (db: string): boolean =>
  query<{ n: number }>(db, `SELECT count(*) AS n FROM field_evidence WHERE capture_id = (SELECT max(id) FROM capture WHERE path = ?)`, capture).n > 0;

const STAGES: Stage[] = [
  { name: 'import lab SoR', args: ['import', LAB_SOR], done: importDone(LAB_SOR) },
  { name: 'replay lab capture', args: ['replay', LAB], done: replayDone(LAB) },
  { name: 'import corrected SoR', args: ['import', FIXED_SOR], done: importDone(FIXED_SOR) },
  { name: 'replay demo capture', args: ['replay', DEMO], done: replayDone(DEMO) },
];

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-crash-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** Runs the CLI in `cwd` with `--db auscult.db --stream exceptions.ndjson` (import takes no --stream). */
function argsFor(args: string[]): string[] {
  return [BIN, ...args, '--db', 'auscult.db', ...(args[0] === 'import' ? [] : ['--stream', 'exceptions.ndjson'])];
}

function run(cwd: string, args: string[], extraEnv: Record<string, string> = {}): number {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, argsFor(args), { cwd, encoding: 'utf8', env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...extraEnv }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Date.now() - t0;
}

/** Spawns the command and SIGKILLs it after `delayMs`; resolves with how it ended. */
function runAndKill(cwd: string, args: string[], delayMs: number): Promise<'killed' | 'exited'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argsFor(args), { cwd, stdio: 'ignore', env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...FAULT_ENV } });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('exited');
      else reject(new Error(`${args.join(' ')} exited ${code}`));
    });
  });
}

const STATE_FILES = ['auscult.db', 'auscult.db-wal', 'auscult.db-shm', 'exceptions.ndjson', 'exceptions.ndjson.owner.json'];

function saveState(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of STATE_FILES) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
}

function restoreState(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const f of STATE_FILES) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
}

const readStream = (cwd: string): string => (existsSync(join(cwd, 'exceptions.ndjson')) ? readFileSync(join(cwd, 'exceptions.ndjson'), 'utf8') : '');
const pairs = (text: string): string[] => text.split('\n').filter((l) => l !== '').map((l) => {
  const v = JSON.parse(l) as { event_id: string; status: string };
  return `${v.event_id}/${v.status}`;
});

/** Per event_id, statuses alternate open, resolved, open...: a repeated status would be a repeated event. */
function expectAlternating(text: string): void {
  const last = new Map<string, string>();
  for (const p of pairs(text)) {
    const [id, status] = p.split('/') as [string, string];
    expect(status, p).toBe(last.get(id) === 'open' ? 'resolved' : 'open');
    last.set(id, status);
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('crash safety (SIGKILL at random points)', () => {
  it('the database stays intact and the stream loses and repeats nothing', async () => {
    const seed = Number(process.env['AUSCULT_CRASH_SEED'] ?? 20261122);
    const random = rng(seed);
    // The clean run: state before each stage, stream after each stage, and each command's duration.
    const clean = join(dir, 'clean');
    mkdirSync(clean);
    const before: string[] = [];
    const after: string[] = [];
    const durations: number[] = [];
    for (const [i, stage] of STAGES.entries()) {
      before.push(join(dir, `before-${i}`));
      saveState(clean, before[i] as string);
      durations.push(run(clean, stage.args, FAULT_ENV));
      run(clean, ['reconcile']);
      after.push(readStream(clean));
    }
    const final = after[after.length - 1] ?? '';
    expectValidLines(final);
    expectAlternating(final);
    expect(pairs(final).length).toBeGreaterThan(30);

    const work = join(dir, 'work');
    const figures = { iterations: 0, killed: 0, exitedFirst: 0, reran: 0, tornLine: 0, unsentLines: 0, cursorBehind: 0 };
    const started = Date.now();
    while (figures.iterations < MAX_ITERATIONS && (figures.iterations < MIN_ITERATIONS || Date.now() - started < BUDGET_MS)) {
      const k = Math.floor(random() * STAGES.length);
      const stage = STAGES[k] as Stage;
      restoreState(before[k] as string, work);
      // Startup dominates a command's life: half the kills land anywhere in its run, half in its
      // last moments, where the commit, the stream write and the cursor update are (the
      // fault-injection pauses widen those windows).
      const total = durations[k] ?? 500;
      const tail = 4 * Number(FAULT_ENV.AUSCULT_FAULT_INJECT_DELAY_MS);
      const delay = Math.round(random() < 0.5 ? (0.3 + random() * 0.8) * total : total - tail + random() * tail * 1.1);
      const how = await runAndKill(work, stage.args, delay);
      figures.iterations++;
      if (how === 'killed') figures.killed++;
      else figures.exitedFirst++;

      // Right after the kill: the database is intact and opens.
      const db = openDatabase(join(work, 'auscult.db'));
      expect(db.pragma('integrity_check', { simple: true }), `${stage.name} killed after ${delay} ms`).toBe('ok');
      const outboxMax = (db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
      const cursor = (db.prepare('SELECT coalesce(max(last_seq), 0) AS c FROM stream_cursor').get() as { c: number }).c;
      db.close();
      const text = readStream(work);
      if (text !== '' && !text.endsWith('\n')) figures.tornLine++;
      const complete = text.split('\n').length - 1;
      if (outboxMax > complete) figures.unsentLines++;
      if (complete > cursor) figures.cursorBehind++;

      // The operator's recovery.
      if (!stage.done(join(work, 'auscult.db'))) {
        figures.reran++;
        run(work, stage.args);
      }
      run(work, ['reconcile']);
      const recovered = readStream(work);
      const expected = after[k] ?? '';
      expect(pairs(recovered), `${stage.name} killed after ${delay} ms (seed ${seed})`).toEqual(pairs(expected));
      expect(recovered, `${stage.name} killed after ${delay} ms (seed ${seed}, ${how})`).toBe(expected);
      expectValidLines(recovered);
      expectAlternating(recovered);
    }
    process.stderr.write(`crash-safety: ${JSON.stringify({ seed, durations_ms: durations, ...figures, elapsed_ms: Date.now() - started })}\n`);
    expect(figures.killed).toBeGreaterThan(0);
  }, 180_000);
});
