/**
 * \summary The auscult side of the benchmark, run in its own process so its peak RSS is its own
 * (the entries are `replay-child.ts` and, for the start-up snapshot, `replay-child-snapshot.ts`):
 * `node dist/bench/replay-child.js <capture> <db> [sample-every-frames]` replays the capture into a fresh SQLite
 * database exactly as `auscult replay` does (openPipeline → replayFile → close), then prints one
 * JSON line: frames, devices, wall time, peak RSS, and the RSS every N frames (default one
 * million; to show whether memory grows with the capture). With BENCH_PROGRESS=1 it also prints
 * `progress <frames>` at each sample point as it passes it, so the bench can read the process's
 * CPU time there (the second-half rate, bench/run.ts). `npm run build` also bundles it into
 * `dist/bundle/bench/replay-child.js` (src/bundle-build.ts), which the bench runs when present.
 */
import { rmSync } from 'node:fs';

import { tuneHeap } from '../src/heap-tuning.js';
import { silentLogger } from '../src/log.js';
import { KNOWN_FRAME_LIMITS } from '../src/capture/known-frames.js';
import { openPipeline } from '../src/pipeline.js';

/** By default RSS is sampled each time this many more frames have been replayed. */
export const RSS_SAMPLE_EVERY_FRAMES = 1_000_000;

export interface ReplayChildResult {
  frames: number;
  devices: number;
  /** From opening the database to closing it. */
  wallMs: number;
  /** Known-frame table: frames that skipped decoding, and those looked up and missed. */
  knownHits: number;
  knownMisses: number;
  /** Known-frame hits whose recorded touches were replayed (observe, identify, merge skipped). */
  knownReplayed: number;
  /** Frames the known-frame table remembered, and senders it forgot past its byte budget. */
  knownRemembered: number;
  knownSendersEvicted: number;
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKb: number;
  /** RSS and V8 heap in MiB at each sample point, and the wall time to it in ms (from the start,
   * before the database is opened). The last sample is taken after the final flush and close. */
  samples: { frames: number; rssMb: number; heapMb: number; ms: number }[];
}

/** Runs the child on `argv` (capture, db, sample interval). */
export async function replayChildMain(argv: readonly string[]): Promise<void> {
  const [capture, db, every] = argv;
  const sampleEvery = Math.max(1, Number(every ?? RSS_SAMPLE_EVERY_FRAMES) || RSS_SAMPLE_EVERY_FRAMES);
  if (capture === undefined || db === undefined) {
    process.stderr.write('usage: replay-child <capture> <db> [sample-every-frames]\n');
    process.exit(64);
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  tuneHeap(); // as the CLI does at start-up
  const samples: ReplayChildResult['samples'] = [];
  const started = process.hrtime.bigint();
  const sample = (frames: number): void => {
    const m = process.memoryUsage();
    samples.push({ frames, rssMb: round1(m.rss / 2 ** 20), heapMb: round1(m.heapUsed / 2 ** 20), ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6) });
  };
  // BENCH_KNOWN_FRAMES=0 or 1: the known-frame table off or on (the A/B of issue 14; unset, the default); BENCH_KNOWN_BYTES, BENCH_KNOWN_PER_SENDER: its limits.
  const knownFrames = { ...KNOWN_FRAME_LIMITS, enabled: process.env['BENCH_KNOWN_FRAMES'] === undefined ? KNOWN_FRAME_LIMITS.enabled : process.env['BENCH_KNOWN_FRAMES'] === '1', maxBytes: Number(process.env['BENCH_KNOWN_BYTES'] ?? KNOWN_FRAME_LIMITS.maxBytes), framesPerSender: Number(process.env['BENCH_KNOWN_PER_SENDER'] ?? KNOWN_FRAME_LIMITS.framesPerSender) };
  const pipeline = openPipeline(db, { logger: silentLogger(), knownFrames });
  const progress = process.env['BENCH_PROGRESS'] === '1';
  let nextSample = sampleEvery;
  const summary = await pipeline.replayFile(capture, (frames) => {
    if (frames < nextSample) return;
    sample(frames);
    nextSample += sampleEvery;
    // A pipe is written synchronously on Linux: the line is there before the next batch starts.
    if (progress) process.stdout.write(`progress ${frames}\n`);
  });
  const devices = (pipeline.db.prepare('SELECT count(*) AS n FROM device').get() as { n: number }).n;
  pipeline.db.close();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  sample(summary.frames);
  const result: ReplayChildResult = {
    frames: summary.frames, devices, wallMs, knownHits: pipeline.knownFrameStats.hits, knownMisses: pipeline.knownFrameStats.misses, knownReplayed: pipeline.knownFrameStats.touchesReplayed, knownRemembered: pipeline.knownFrameStats.remembered, knownSendersEvicted: pipeline.knownFrameStats.sendersEvicted, maxRssKb: process.resourceUsage().maxRSS, samples,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function round1(x: number): number { return Math.round(x * 10) / 10; }
