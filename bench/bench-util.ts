/**
 * \summary Small helpers shared by the bench entry points (`run.ts`, `dicom.bench.ts`,
 * `live.bench.ts`): paths, logging, the machine description with its load average, page-cache
 * warming and a timed child process with peak RSS from /usr/bin/time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TIME_BIN = '/usr/bin/time';
/** dist/bench when compiled. */
export const BENCH_DIST = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIST, '..', '..');
export const OUT = join(ROOT, 'bench', 'out');
export const AUSCULT_BIN = join(ROOT, 'bin', 'auscult.js');
/** The shell launcher users run (`auscult` on the PATH): a start-up snapshot for replay when it may. */
export const AUSCULT_LAUNCHER = join(ROOT, 'bin', 'auscult');
/** The replay child as tsc compiled it (one module per source file). */
export const REPLAY_CHILD_COMPILED = join(BENCH_DIST, 'replay-child.js');
/** The same child bundled by `npm run build` (src/bundle-build.ts). */
export const REPLAY_CHILD_BUNDLED = join(ROOT, 'dist', 'bundle', 'bench', 'replay-child.js');

/**
 * The replay child the bench runs: the bundle when it is there and not older than the compiled
 * child by more than a second (the rule bin/auscult.js applies to the CLI), else the compiled one.
 */
export function replayChild(): string {
  const bundled = statSync(REPLAY_CHILD_BUNDLED, { throwIfNoEntry: false });
  const compiled = statSync(REPLAY_CHILD_COMPILED, { throwIfNoEntry: false });
  if (bundled === undefined || (compiled !== undefined && compiled.mtimeMs > bundled.mtimeMs + 1000)) return REPLAY_CHILD_COMPILED;
  return REPLAY_CHILD_BUNDLED;
}
/** A timed run faster than this is repeated once and the better time kept. */
export const QUICK_RUN_MS = 10_000;

/** Target: auscult's packets/s over tshark's (issue 3). */
export const TARGET_RATIO_TO_TSHARK = 10;
/** Target: peak RSS in bytes (issue 3). */
export const TARGET_PEAK_RSS_BYTES = 150e6;

export function log(line = ''): void { process.stdout.write(`${line}\n`); }

/** The 1, 5 and 15 minute load averages, as printed next to every figure. */
export function load(): string { return loadavg().map((x) => x.toFixed(2)).join(' '); }

export function fmtInt(n: number): string { return Math.round(n).toLocaleString('en-US'); }
export function mbOfKb(kb: number | undefined): string { return kb === undefined ? '-' : (kb * 1024 / 1e6).toFixed(1); }

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error ? 'absent' : (`${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? 'absent');
}

export function machine(extra: Record<string, string[]> = {}): Record<string, string | number> {
  const out: Record<string, string | number> = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    load: load(),
  };
  for (const [name, [cmd, ...args]] of Object.entries(extra)) if (cmd !== undefined) out[name] = firstLine(cmd, args);
  return out;
}

/** Reads the file once so every tool starts from a warm page cache. */
export function warmCache(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0) { /* discard */ }
  closeSync(fd);
}

export interface TimedRun {
  wallMs: number;
  /** Peak RSS in KiB from /usr/bin/time, when it exists. */
  maxRssKb?: number;
  /** User plus system CPU time of the child, from /usr/bin/time, when it exists: on a shared
   * machine a steadier figure than the wall clock. */
  cpuMs?: number;
  /** Captured stdout, when asked for. */
  stdout: string;
  code: number;
  /** Load average when the run ended. */
  load: string;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU time (user + system, every thread) process `pid` has used so far, read from
 * /proc/PID/stat (fields 14 and 15, in clock ticks); undefined when it cannot be read.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (the measured command under /usr/bin/time), from /proc. */
function firstChildPid(pid: number): number | undefined {
  try {
    const first = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Called with each chunk of the command's stdout and a function that reads the command's CPU
 * time so far (`processCpuMs` of the command itself, not of /usr/bin/time): how the bench takes
 * the CPU a tool had used when its output showed it half way through a capture.
 */
export type StdoutWatch = (chunk: string, cpuMsNow: () => number | undefined) => void;

/**
 * Runs a command, timing its wall clock here and reading its peak RSS from /usr/bin/time. Stdout
 * is discarded, captured whole (`'capture'`) or handed line by line to a callback; `watch`, when
 * given, also sees every chunk of it.
 */
export async function timed(cmd: string, args: string[], stdout: 'ignore' | 'capture' | ((line: string) => void) = 'ignore', env: NodeJS.ProcessEnv = process.env, watch?: StdoutWatch): Promise<TimedRun> {
  const timeOut = join(tmpdir(), `auscult-bench-time-${process.pid}.txt`);
  const useTime = existsSync(TIME_BIN);
  const [bin, argv] = useTime ? [TIME_BIN, ['-f', '%M %e %U %S', '-o', timeOut, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  const child = spawn(bin, argv, { stdio: ['ignore', stdout === 'ignore' && watch === undefined ? 'ignore' : 'pipe', 'pipe'], env });
  let measuredPid: number | undefined = useTime ? undefined : child.pid;
  const cpuMsNow = (): number | undefined => {
    if (measuredPid === undefined && child.pid !== undefined) measuredPid = firstChildPid(child.pid);
    return measuredPid === undefined ? undefined : processCpuMs(measuredPid);
  };
  let captured = '';
  let partial = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    watch?.(s, cpuMsNow);
    if (stdout === 'capture') { captured += s; return; }
    if (typeof stdout !== 'function') return;
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) stdout(l);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { if (stderr.length < 4096) stderr += s; });
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
  const wallMs = performance.now() - started;
  if (typeof stdout === 'function' && partial !== '') stdout(partial);
  let maxRssKb: number | undefined;
  let cpuMs: number | undefined;
  if (useTime && existsSync(timeOut)) {
    const [kb, , user, sys] = (readFileSync(timeOut, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (kb !== undefined && Number.isFinite(kb) && kb > 0) maxRssKb = kb;
    if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuMs = (user + sys) * 1000;
    rmSync(timeOut, { force: true });
  }
  if (code !== 0) log(`  ! ${cmd} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { wallMs, ...(maxRssKb !== undefined ? { maxRssKb } : {}), ...(cpuMs !== undefined ? { cpuMs } : {}), stdout: captured, code, load: load() };
}

/** Prints an aligned table: first column left-aligned, the others right-aligned. */
export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
}
