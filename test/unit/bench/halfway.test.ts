/**
 * The bench's steady-state reading (bench/halfway.ts): the CPU a tool had used when its own
 * output showed it half way through a capture. Run against the real tools it reads: tshark's
 * `frame.number` column and the bundled replay child's `progress` lines, on a committed fixture.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCpuMs, timed } from '../../../bench/bench-util.js';
import { halfwayWatch, lastFrameNumber, progressLine, secondHalfRate } from '../../../bench/halfway.js';
import { PcapWriter } from '../../../bench/pcap-writer.js';
import { LINKTYPE } from '../../../src/capture/captured-frame.js';
import { openCapture } from '../../../src/capture/open-capture.js';
import { ROOT } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-bench-half-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo capture's 214 frames, 20 times with time moving on: 4,280 frames, many batches. */
const CAPTURE = join(dir, 'demo-x20.pcap');
const PACKETS = 214 * 20;
beforeAll(async () => {
  const frames: { tsMicros: number; data: Uint8Array; originalLength: number }[] = [];
  for await (const batch of (await openCapture(join(ROOT, 'fixtures', 'demo', 'hospital-demo.pcapng'))).batches()) {
    for (const f of batch) frames.push({ tsMicros: f.tsMicros, data: Uint8Array.from(f.data), originalLength: f.originalLength });
  }
  const span = (frames[frames.length - 1]?.tsMicros ?? 0) - (frames[0]?.tsMicros ?? 0) + 1000;
  const writer = new PcapWriter(CAPTURE, LINKTYPE.ETHERNET);
  for (let r = 0; r < 20; r++) for (const f of frames) writer.write(f.tsMicros + r * span, f.data, f.originalLength);
  writer.close();
});
const CHILD = join(ROOT, 'dist', 'bundle', 'bench', 'replay-child.js');
const noTshark = spawnSync('tshark', ['--version']).error !== undefined;

describe('reading frames done from a chunk of output', () => {
  it('takes the last whole line of tshark fields, ignoring a partial one', () => {
    expect(lastFrameNumber('7\ta\n8\tb\n9\tc\n10\t')).toBe(9);
    expect(lastFrameNumber('41\n')).toBe(41);
    expect(lastFrameNumber('partial line, no newline')).toBeUndefined();
    expect(lastFrameNumber('\tno number\n')).toBeUndefined();
  });

  it('takes the last progress line of the replay child', () => {
    expect(progressLine('progress 100\nprogress 200\n')).toBe(200);
    expect(progressLine('{"frames":3}\nprogress 300\n{"x":1}\n')).toBe(300);
    expect(progressLine('progress 4')).toBeUndefined();
    expect(progressLine('{"frames":3}\n')).toBeUndefined();
  });
});

describe('the second-half rate', () => {
  it('is the frames after the halfway point over the CPU used after it', () => {
    expect(secondHalfRate({ packets: 1000, cpuMs: 3000, halfway: { frames: 500, cpuMs: 2000 } })).toBe(500);
  });

  it('is null without a reading or with one that makes no sense', () => {
    expect(secondHalfRate(undefined)).toBeNull();
    expect(secondHalfRate({ packets: 1000, cpuMs: 3000 })).toBeNull();
    expect(secondHalfRate({ packets: 1000, halfway: { frames: 500, cpuMs: 10 } })).toBeNull();
    expect(secondHalfRate({ packets: 1000, cpuMs: 3000, halfway: { frames: 500, cpuMs: 3000 } })).toBeNull();
    expect(secondHalfRate({ packets: 1000, cpuMs: 3000, halfway: { frames: 1000, cpuMs: 10 } })).toBeNull();
  });

  it('records once, at the first chunk past half the frames', () => {
    let cpu = 10;
    const half = halfwayWatch(100, lastFrameNumber);
    half.watch('1\n49\n', () => cpu++);
    expect(half.halfway()).toBeUndefined();
    half.watch('50\n51\n', () => cpu++);
    half.watch('99\n', () => cpu++);
    expect(half.halfway()).toEqual({ frames: 51, cpuMs: 10 });
  });
});

describe('the CPU of the measured process, not of /usr/bin/time', () => {
  it('reads this process from /proc', () => {
    const spin = Date.now() + 30;
    while (Date.now() < spin) { /* use some CPU */ }
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(0x7fffffff)).toBeUndefined();
  });

  it.skipIf(!existsSync(CHILD))('reads the replay child past the middle of a capture', async () => {
    const half = halfwayWatch(PACKETS, progressLine);
    const r = await timed(process.execPath, [CHILD, CAPTURE, join(dir, 'child.db'), String(PACKETS / 10)], 'capture', { ...process.env, BENCH_PROGRESS: '1' }, half.watch);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ frames: PACKETS });
    const at = half.halfway();
    expect(at?.frames).toBeGreaterThanOrEqual(PACKETS / 2);
    expect(at?.frames).toBeLessThan(PACKETS);
    expect(at?.cpuMs).toBeGreaterThan(0);
    if (r.cpuMs !== undefined) expect(at?.cpuMs).toBeLessThanOrEqual(r.cpuMs);
  });

  it.skipIf(noTshark)('reads tshark past the middle of a capture', async () => {
    const half = halfwayWatch(PACKETS, lastFrameNumber);
    const r = await timed('tshark', ['-n', '-r', CAPTURE, '-T', 'fields', '-e', 'frame.number', '-e', 'eth.src'], 'ignore', process.env, half.watch);
    expect(r.code).toBe(0);
    const at = half.halfway();
    expect(at?.frames).toBeGreaterThanOrEqual(PACKETS / 2);
    expect(at?.frames).toBeLessThan(PACKETS);
    expect(at?.cpuMs).toBeGreaterThan(0); // tshark's start-up alone is about 0.2 s; /usr/bin/time uses none
    if (r.cpuMs !== undefined) expect(at?.cpuMs).toBeLessThanOrEqual(r.cpuMs);
  });
});
