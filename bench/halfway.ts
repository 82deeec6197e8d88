/**
 * \summary The bench's steady-state figure: a tool's CPU time read when its own output shows it
 * half way through a capture, and packets per CPU second over the second half from it (bench/run.ts;
 * bench/README.md "Issue 14 additions").
 */
import type { StdoutWatch } from './bench-util.js';

/** Frames done and the process's CPU time (ms, every thread) at that point. */
export interface Halfway { frames: number; cpuMs: number }

/**
 * Watches a tool's stdout for the point where it is past half of `packets` frames (`framesDone`
 * reads the frames done from a chunk, or undefined) and records the tool's CPU time there, once.
 */
export function halfwayWatch(packets: number, framesDone: (chunk: string) => number | undefined): { watch: StdoutWatch; halfway: () => Halfway | undefined } {
  let seen: Halfway | undefined;
  const watch: StdoutWatch = (chunk, cpuMsNow) => {
    if (seen !== undefined) return;
    const frames = framesDone(chunk);
    if (frames === undefined || frames < packets / 2) return;
    const cpuMs = cpuMsNow();
    if (cpuMs !== undefined) seen = { frames, cpuMs };
  };
  return { watch, halfway: () => seen };
}

/** The replay child's `progress <frames>` lines (BENCH_PROGRESS=1): the last in the chunk. */
export function progressLine(chunk: string): number | undefined {
  const m = /progress (\d+)\n(?![\s\S]*progress \d+\n)/.exec(chunk);
  return m ? Number(m[1]) : undefined;
}

/** tshark -T fields with frame.number first: the frame number of the chunk's last whole line. */
export function lastFrameNumber(chunk: string): number | undefined {
  const end = chunk.lastIndexOf('\n');
  if (end <= 0) return undefined;
  const start = chunk.lastIndexOf('\n', end - 1) + 1;
  const n = Number.parseInt(chunk.slice(start, end), 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Steady state: packets per CPU second over the second half of the capture, the frames after
 * the halfway point over the CPU the process used after it (its total less its CPU there). Unlike
 * `afterStartUpRate` (bench/run.ts) it leaves out warm-up as well as start-up: auscult's JIT
 * compiling its hot paths and the first sighting of every device, flow and rule, which make the
 * first half of the bench's captures cost about twice the CPU of the second (bench/README.md,
 * tenth session). Null when either reading is missing or makes no sense.
 */
export function secondHalfRate(m: { packets: number; cpuMs?: number; halfway?: Halfway } | undefined): number | null {
  if (m?.cpuMs === undefined || m.halfway === undefined || m.cpuMs <= m.halfway.cpuMs || m.halfway.frames >= m.packets) return null;
  return (m.packets - m.halfway.frames) / ((m.cpuMs - m.halfway.cpuMs) / 1000);
}
