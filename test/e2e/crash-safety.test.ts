/**
 * Crash safety of import, replay, reconcile and report: each is SIGKILLed, then an operator's
 * recovery runs (re-run the command if its work was not committed, re-run reconcile or report,
 * which are idempotent, and the reconcile that follows an import or replay). After every kill the
 * database must pass `PRAGMA integrity_check` and open; after recovery the exception stream must be
 * byte-identical to a clean run's (so no event is lost and none repeated), and a recovered report
 * writes the clean run's CSV files.
 *
 * The clean run: A import lab SoR, reconcile · B replay lab capture, reconcile · C import corrected
 * SoR · R report (it reconciles) · D replay demo capture, reconcile. Killed, each from its state in
 * the clean run: the commands of A, B, C and D, a standalone `reconcile` and a `report` after C.
 *
 * Two kinds of kill (issue 22: the test must prove its kills land where the risk is):
 * - at a random moment of the command's run (seeded), once per target;
 * - inside a chosen risky window of the stream writer: the writer (src/output/ndjson.ts, with
 *   AUSCULT_FAULT_INJECT_MARK=1) names each window on stderr as it holds it open (outbox committed
 *   but unsent, half a line written, lines written but the cursor behind), and the test kills as
 *   soon as the chosen one opens. Each window is hit at least WINDOW_HITS times, by several
 *   commands, and the hits are counted from the state left behind (a torn last line, outbox rows
 *   past the file, file lines past the cursor), not from the plan.
 `auscult run` is killed inside each window by test/e2e/live.test.ts (it needs a network namespace).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { expectValidLines } from '../unit/reconcile/schemas.js';

/** Each risky window must be hit at least this many times. */
const WINDOW_HITS = 2;
/** Fault-injection pauses in the stream writer (src/output/ndjson.ts), named on stderr, so kills land between commit, write and cursor update. */
const FAULT_ENV = { AUSCULT_FAULT_INJECT_DELAY_MS: '120', AUSCULT_FAULT_INJECT_MARK: '1' };
const WINDOWS = ['unsent', 'torn', 'cursor_behind'] as const;
type Window = (typeof WINDOWS)[number];

const fx = (p: string) => join(ROOT, 'fixtures', p);
const LAB_SOR = fx('sor/lab-switch-endpoints.csv');
const FIXED_SOR = fx('sor/lab-switch-endpoints-updated.csv');
const LAB = fx('lldp/lab-switch-endpoints.pcapng');
const DEMO = fx('demo/hospital-demo.pcapng');
const REPORT_CSVS = ['inventory.csv', 'completeness.csv', 'exceptions.csv', 'changes.csv'];

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
const always = (): boolean => false;

/** A command that is killed: the clean state it starts from, and how the operator recovers. */
interface Target {
  name: string;
  args: string[];
  /** Index of the clean state the command starts from. */
  from: number;
  /** True when the command's own database work is committed (re-running an import or replay would do it twice). */
  done: (db: string) => boolean;
  /** Run after the command (or its re-run) in recovery, as in the clean run. */
  then: string[] | null;
  /** The command writes exception lines, so its kills can land in the stream windows. */
  writes: boolean;
}

/** The clean run, step by step: the state before each step is saved under its index. */
const CLEAN_STEPS: string[][] = [
  ['import', LAB_SOR], ['reconcile'], // 0, 1
  ['replay', LAB], ['reconcile'], // 2, 3
  ['import', FIXED_SOR], // 4
  ['report', '--out', 'report'], // 5
  ['replay', DEMO], ['reconcile'], // 6, 7
];
/** The stream after the clean run's step i (index i + 1 of `afterStep`). */
const TARGETS: Target[] = [
  { name: 'import lab SoR', args: CLEAN_STEPS[0] as string[], from: 0, done: importDone(LAB_SOR), then: ['reconcile'], writes: false },
  { name: 'replay lab capture', args: CLEAN_STEPS[2] as string[], from: 2, done: replayDone(LAB), then: ['reconcile'], writes: true },
  { name: 'import corrected SoR', args: CLEAN_STEPS[4] as string[], from: 4, done: importDone(FIXED_SOR), then: ['reconcile'], writes: false },
  { name: 'reconcile after the corrected SoR', args: ['reconcile'], from: 5, done: always, then: null, writes: true },
  { name: 'report after the corrected SoR', args: CLEAN_STEPS[5] as string[], from: 5, done: always, then: null, writes: true },
  { name: 'replay demo capture', args: CLEAN_STEPS[6] as string[], from: 6, done: replayDone(DEMO), then: ['reconcile'], writes: true },
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

/**
 * Spawns the command and SIGKILLs it after `delayMs`, or as soon as the stream writer opens the
 * window `at` (then `delayMs` is only a safety net); resolves with how it ended.
 */
function runAndKill(cwd: string, args: string[], kill: { delayMs: number } | { at: Window }): Promise<'killed' | 'exited'> {
  return new Promise((resolve, reject) => {
    // A kill aimed at a window holds it open longer, so the kill lands in it on a loaded machine too.
    const env = { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...FAULT_ENV, ...('at' in kill ? { AUSCULT_FAULT_INJECT_DELAY_MS: '500' } : {}) };
    const child = spawn(process.execPath, argsFor(args), { cwd, stdio: ['ignore', 'ignore', 'pipe'], env });
    const timer = 'delayMs' in kill ? setTimeout(() => child.kill('SIGKILL'), kill.delayMs) : undefined;
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
      if ('at' in kill && err.includes(`auscult-fault-window ${kill.at}\n`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('exited');
      else reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
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
  const v = JSON.parse(l) as { event_id: string; status?: string };
  return `${v.event_id}/${v.status ?? 'lifecycle'}`;
});

/** Per event_id, statuses alternate open, resolved, open...: a repeated status would be a repeated event (a lifecycle line's id appears once). */
function expectAlternating(text: string): void {
  const last = new Map<string, string>();
  for (const p of pairs(text)) {
    const [id, status] = p.split('/') as [string, string];
    // A lifecycle line (device_new, ...) has no status: its event_id is written once.
    if (status === 'lifecycle') {
      expect(last.has(id), p).toBe(false);
      last.set(id, status);
      continue;
    }
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

/** Which risky windows the state left by a kill is in (from the files and the database, not from the plan). */
function windowsOf(cwd: string): Set<Window> {
  const db = openDatabase(join(cwd, 'auscult.db'));
  const outboxMax = (db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
  const cursor = (db.prepare('SELECT coalesce(max(last_seq), 0) AS c FROM stream_cursor').get() as { c: number }).c;
  db.close();
  const text = readStream(cwd);
  const complete = text.split('\n').length - 1;
  const hit = new Set<Window>();
  if (text !== '' && !text.endsWith('\n')) hit.add('torn');
  if (outboxMax > complete) hit.add('unsent');
  if (complete > cursor) hit.add('cursor_behind');
  return hit;
}

describe('crash safety (SIGKILL at random moments and inside each risky window)', () => {
  it('the database stays intact, the stream loses and repeats nothing, a recovered report equals the clean one', async () => {
    const seed = Number(process.env['AUSCULT_CRASH_SEED'] ?? 20261122);
    const random = rng(seed);
    // The clean run: the state before each step, the stream after each, each command's duration.
    const clean = join(dir, 'clean');
    mkdirSync(clean);
    const before: string[] = [];
    const afterStep: string[] = [];
    const durations: number[] = [];
    for (const [i, step] of CLEAN_STEPS.entries()) {
      before.push(join(dir, `before-${i}`));
      saveState(clean, before[i] as string);
      durations.push(run(clean, step, { AUSCULT_FAULT_INJECT_DELAY_MS: FAULT_ENV.AUSCULT_FAULT_INJECT_DELAY_MS }));
      afterStep.push(readStream(clean));
    }
    const final = afterStep[afterStep.length - 1] ?? '';
    expectValidLines(final);
    expectAlternating(final);
    expect(pairs(final).length).toBeGreaterThan(30);
    const cleanReport = REPORT_CSVS.map((f) => readFileSync(join(clean, 'report', f), 'utf8'));
    // The standalone reconcile and the report after C have lines to write (the resolved exceptions).
    expect(afterStep[5]?.length ?? 0).toBeGreaterThan(afterStep[4]?.length ?? 0);

    // The plan: one random-moment kill per target, then each window in turn for the commands that write lines.
    const plan: { target: Target; kill: { delayMs: number } | { at: Window } }[] = [];
    for (const target of TARGETS) {
      const total = durations[target.from] ?? 1000;
      plan.push({ target, kill: { delayMs: Math.round((0.3 + random() * 0.7) * total) } });
    }
    const writers = TARGETS.filter((t) => t.writes);
    for (let i = 0; i < WINDOWS.length * WINDOW_HITS; i++) {
      plan.push({ target: writers[i % writers.length] as Target, kill: { at: WINDOWS[i % WINDOWS.length] as Window } });
    }

    const work = join(dir, 'work');
    const figures = { iterations: 0, killed: 0, exitedFirst: 0, reran: 0, unsent: 0, torn: 0, cursor_behind: 0 };
    const hitBy = new Map<Window, Set<string>>(WINDOWS.map((w) => [w, new Set<string>()]));
    for (const { target, kill } of plan) {
      restoreState(before[target.from] as string, work);
      const how = await runAndKill(work, target.args, kill);
      const what = `${target.name} killed ${'at' in kill ? `in window ${kill.at}` : `after ${kill.delayMs} ms`} (seed ${seed}, ${how})`;
      figures.iterations++;
      if (how === 'killed') figures.killed++;
      else figures.exitedFirst++;
      if ('at' in kill) expect(how, what).toBe('killed');

      // Right after the kill: the database is intact and opens.
      const db = openDatabase(join(work, 'auscult.db'));
      expect(db.pragma('integrity_check', { simple: true }), what).toBe('ok');
      db.close();
      const hit = windowsOf(work);
      for (const w of hit) {
        figures[w]++;
        hitBy.get(w)?.add(target.name);
      }
      if ('at' in kill) expect([...hit], what).toContain(kill.at);

      // The operator's recovery.
      if (!target.done(join(work, 'auscult.db'))) {
        figures.reran++;
        run(work, target.args);
      }
      if (target.then !== null) run(work, target.then);
      const recovered = readStream(work);
      const expected = afterStep[target.then === null ? target.from : target.from + 1] ?? '';
      expect(pairs(recovered), what).toEqual(pairs(expected));
      expect(recovered, what).toBe(expected);
      expectValidLines(recovered);
      expectAlternating(recovered);
      if (target.args[0] === 'report') {
        expect(REPORT_CSVS.map((f) => readFileSync(join(work, 'report', f), 'utf8')), what).toEqual(cleanReport);
      }
    }
    process.stderr.write(`crash-safety: ${JSON.stringify({ seed, durations_ms: durations, ...figures, hit_by: Object.fromEntries([...hitBy].map(([w, s]) => [w, [...s]])) })}\n`);
    for (const w of WINDOWS) {
      expect(figures[w], `kills in window ${w}`).toBeGreaterThanOrEqual(WINDOW_HITS);
      expect(hitBy.get(w)?.size ?? 0, `commands killed in window ${w}`).toBeGreaterThanOrEqual(2);
    }
    expect(figures.killed).toBeGreaterThanOrEqual(WINDOWS.length * WINDOW_HITS);
  }, 300_000);
});
