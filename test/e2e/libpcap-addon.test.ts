/**
 * auscult's libpcap addon (native/pcap-capture/capture.c, src/capture/libpcap.ts), as the live
 * sensor uses it: receive-only by construction (no sending function is linked), frames from the
 * loopback interface with their kernel timestamps, wire lengths and snaplen cut, the dispatch
 * contract against a buffer that is too small or an offset outside it, libpcap's errors mapped
 * to auscult's exit codes, a handle that is closed twice, and an interface that disappears while
 * it is captured (in a network namespace: the capture closes and says why, it does not throw).
 * Datagrams are sent only to 127.0.0.1. Opening an interface needs root (CAP_NET_RAW); the
 * symbol check does not.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { CapturedFrame } from '../../src/capture/captured-frame.js';
import { LiveCapture, type LiveStats } from '../../src/capture/live.js';
import { loadPcapAddon, pcapAddonPath, pcapAddonUnavailable, RECORD_HEADER_BYTES, walkCaptureRecords } from '../../src/capture/libpcap.js';
import { AuscultError } from '../../src/errors.js';
import { ROOT } from '../helpers/cli.js';
import { createVethNamespace, nodeInNs, until } from '../helpers/netns-sensor.js';
import { titled, toolMissing } from '../helpers/tools.js';

const addon = loadPcapAddon();
const NOT_BUILT = addon === null ? `the addon is not built: ${pcapAddonUnavailable()}` : null;
const NOT_ROOT = process.getuid?.() === 0 ? null : 'needs root (CAP_NET_RAW) to open an interface';
const CANNOT_OPEN = NOT_BUILT ?? NOT_ROOT;
if (CANNOT_OPEN !== null) process.stderr.write(`test/e2e/libpcap-addon.test.ts: interface cases skipped: ${CANNOT_OPEN}\n`);

/** A UDP socket bound on loopback, and its port: what the loopback cases send to. */
async function loopbackSocket(): Promise<{ socket: ReturnType<typeof createSocket>; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

/** Sends `count` datagrams of `bytes` bytes to 127.0.0.1:`port`, each numbered in its first four
 * bytes and on the wire (its send callback run) before the next is sent. */
async function sendNumbered(socket: ReturnType<typeof createSocket>, port: number, count: number, bytes: number): Promise<void> {
  const payload = Buffer.alloc(bytes);
  for (let seq = 0; seq < count; seq++) {
    payload.writeUInt32BE(seq, 0);
    await new Promise<void>((resolve, reject) => socket.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }
}

/** The sequence number a loopback case wrote at the start of a datagram's payload (after the
 * 14 + 20 + 8 bytes of Ethernet, IPv4 and UDP headers); -1 when the frame is shorter. */
function seqOf(frame: CapturedFrame): number {
  return frame.data.length >= 46 ? new DataView(frame.data.buffer, frame.data.byteOffset).getUint32(42) : -1;
}

/** Nothing lost on the way: no kernel drop, no frame left uncopied. */
function expectNoLoss(stats: LiveStats): void {
  expect(stats.kernelDropped).toBe(0);
  expect(stats.appDropped).toBe(0);
}

describe.skipIf(NOT_BUILT !== null)(titled('the libpcap addon links no sending function', NOT_BUILT), () => {
  it('names pcap_dispatch and pcap_stats, never pcap_inject or pcap_sendpacket', () => {
    const image = readFileSync(pcapAddonPath()).toString('latin1');
    expect(image).toContain('pcap_dispatch'); // the check can see libpcap's symbols at all
    expect(image).toContain('pcap_stats');
    expect(image).not.toContain('pcap_inject');
    expect(image).not.toContain('pcap_sendpacket');
  });
});

describe.skipIf(CANNOT_OPEN !== null)(titled('the libpcap addon on the loopback interface', CANNOT_OPEN), () => {
  it('delivers every datagram sent with its kernel timestamp, wire length and snaplen cut', async () => {
    const { socket, port } = await loopbackSocket();
    const frames: { seq: number; length: number; originalLength: number; tsMicros: number; linkType: number }[] = [];
    const capture = LiveCapture.open({ interface: 'lo', snaplen: 100, bufferSize: 4 << 20, bpfFilter: `udp and dst port ${port}`, ringBytes: 4 << 20 }, (batch: CapturedFrame[]) => {
      for (const f of batch) frames.push({ seq: seqOf(f), length: f.data.length, originalLength: f.originalLength, tsMicros: f.tsMicros, linkType: f.linkType });
    });
    try {
      const before = Date.now() * 1000;
      await sendNumbered(socket, port, 50, 1000);
      await until('50 frames', () => frames.length >= 50 || undefined, 10_000, 20);
      const after = Date.now() * 1000;
      expect(frames.map((f) => f.seq)).toEqual([...Array(50).keys()]);
      for (const f of frames) {
        expect(f.linkType).toBe(1);
        expect(f.length).toBe(100);
        expect(f.originalLength).toBe(14 + 20 + 8 + 1000);
        expect(f.tsMicros).toBeGreaterThanOrEqual(before - 1000);
        expect(f.tsMicros).toBeLessThanOrEqual(after + 1000);
      }
      const stats = capture.stats();
      expect(stats.received).toBe(50);
      expect(stats.truncated).toBe(50);
      expectNoLoss(stats);
      expect(stats.ifDropped).toBe(0);
    } finally {
      capture.close();
      capture.close();
      socket.close();
    }
  });

  it('a ring of two one-frame slabs: frames wait in the kernel while the pipeline has not taken them, none is lost', async () => {
    const { socket, port } = await loopbackSocket();
    const seqs: number[] = [];
    // ringBytes 1 MiB is the least (two slabs), and one frame per batch: the third frame read
    // before a delivery finds no slab.
    const capture = LiveCapture.open({ interface: 'lo', snaplen: 200, bufferSize: 4 << 20, bpfFilter: `udp and dst port ${port}`, ringBytes: 1 << 20, batchFrames: 1 }, (batch: CapturedFrame[]) => {
      for (const f of batch) seqs.push(seqOf(f));
    });
    try {
      // Sent before the event loop turns, so one poll finds them all in the kernel's buffer.
      for (let seq = 0; seq < 200; seq++) {
        const payload = Buffer.alloc(100);
        payload.writeUInt32BE(seq, 0);
        socket.send(payload, port, '127.0.0.1');
      }
      await until('200 frames', () => seqs.length >= 200 || undefined, 10_000, 20);
      expect(seqs).toEqual([...Array(200).keys()]);
      const stats = capture.stats();
      expect(stats.ringFull).toBeGreaterThan(0);
      expectNoLoss(stats);
      expect(stats.delivered).toBe(200);
    } finally {
      capture.close();
      socket.close();
    }
  });

  it('finish() keeps the frames of the last moments: the block the kernel has not handed over yet, and more than the ring holds', async () => {
    // The second ring: two one-frame slabs and a consumer taking 3 ms a batch, so most frames are
    // still in the kernel's buffer, behind full slabs, when finish() reads.
    for (const { ring, msPerBatch } of [{ ring: { ringBytes: 4 << 20 }, msPerBatch: 0 }, { ring: { ringBytes: 1 << 20, batchFrames: 1 }, msPerBatch: 3 }]) {
      const { socket, port } = await loopbackSocket();
      const seqs: number[] = [];
      const capture = LiveCapture.open({ interface: 'lo', snaplen: 200, bufferSize: 4 << 20, bpfFilter: `udp and dst port ${port}`, ...ring }, (batch: CapturedFrame[]) => {
        for (const f of batch) seqs.push(seqOf(f));
        for (const until = performance.now() + msPerBatch; performance.now() < until;);
      });
      try {
        // Each datagram is on the wire once its callback ran; the capture is finished at once,
        // well inside the block timeout, as a sensor stopped right after traffic.
        await sendNumbered(socket, port, 50, 100);
        await capture.finish();
        capture.drain();
        expect(seqs, JSON.stringify({ ...ring, msPerBatch })).toEqual([...Array(50).keys()]);
        const stats = capture.stats();
        expect(stats.open).toBe(false);
        expect(stats.delivered).toBe(50);
        expectNoLoss(stats);
      } finally {
        capture.close();
        socket.close();
      }
    }
  });

  it('maps libpcap\'s errors to auscult\'s: a filter that does not compile is AUS_ERR_BPF', () => {
    let error: unknown;
    try {
      LiveCapture.open({ interface: 'lo', snaplen: 65535, bufferSize: 1 << 20, bpfFilter: 'udp port', ringBytes: 1 << 20 }, () => {});
    } catch (err) { error = err; }
    expect(error).toBeInstanceOf(AuscultError);
    expect((error as AuscultError).code).toBe('AUS_ERR_BPF');
    expect((error as Error).message).toMatch(/syntax error/);
    expect(() => addon!.open('auscult-none0', 65535, 1 << 20, 25, true, '', () => {})).toThrow(/No such device/);
    // capture.bpf_filter's longest (8,192 characters) is taken whole; one more is refused, not cut.
    const longest = 'ip'.padEnd(8192, ' ');
    const [handle] = addon!.open('lo', 65535, 1 << 20, 25, true, longest, () => {});
    addon!.close(handle);
    expect(() => addon!.open('lo', 65535, 1 << 20, 25, true, `${longest} `, () => {})).toThrow(/filter is too long/);
  });

  it('dispatch into views of every size and offset: whole records up to the end it returns, never a byte past the view', async () => {
    const { socket, port } = await loopbackSocket();
    const snaplen = 300;
    const [handle] = addon!.open('lo', snaplen, 1 << 20, 25, true, `udp and dst port ${port}`, () => {});
    try {
      const backing = Buffer.alloc(64 * 1024, 0xa5);
      let read = 0;
      for (let round = 0; read < 400 && round < 400; round++) {
        for (let i = 0; i < 8; i++) socket.send(Buffer.alloc(1 + ((round * 37 + i * 101) % 600)), port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 30)); // past the 25 ms block timeout
        const viewStart = 64 + (round * 13) % 512;
        const viewLength = RECORD_HEADER_BYTES + snaplen - 3 + (round * 211) % 4000;
        const view = backing.subarray(viewStart, viewStart + viewLength);
        const offset = (round * 7) % 64;
        const end = addon!.dispatch(handle, view, offset, 1 + (round % 5));
        expect(end).toBeGreaterThanOrEqual(offset);
        expect(end).toBeLessThanOrEqual(view.length);
        let records = 0;
        expect(walkCaptureRecords(view, offset, end, (r) => { records++; expect(r.capturedLength).toBeLessThanOrEqual(snaplen); })).toBe(end);
        read += records;
        // The canary around the view is intact; then the view is painted again for the next round.
        expect(backing.subarray(0, viewStart).every((b) => b === 0xa5)).toBe(true);
        expect(backing.subarray(viewStart + viewLength).every((b) => b === 0xa5)).toBe(true);
        backing.fill(0xa5);
      }
      expect(read).toBeGreaterThanOrEqual(400);
    } finally {
      addon!.close(handle);
      socket.close();
    }
  });

  it('dispatch never writes past the buffer; a closed handle reads nothing and closes twice', () => {
    const [handle] = addon!.open('lo', 65535, 1 << 20, 25, true, 'udp and port 9', () => {});
    const small = Buffer.alloc(RECORD_HEADER_BYTES + 65535 - 1);
    expect(addon!.dispatch(handle, small, 0, 100)).toBe(0); // no room for one frame of snaplen
    const big = Buffer.alloc(RECORD_HEADER_BYTES + 65535);
    expect(() => addon!.dispatch(handle, big, big.length + 1, 100)).toThrow(/offset outside the buffer/);
    expect(addon!.dispatch(handle, big, 0, 0)).toBe(0);
    expect(addon!.stats(handle)).toEqual([expect.any(Number), 0, expect.any(Number), 0]);
    addon!.close(handle);
    addon!.close(handle);
    expect(addon!.stats(handle)).toBeNull();
    expect(addon!.dispatch(handle, big, 0, 100)).toBe(0);
  });

  it('an interface that disappears: the capture closes, reports why once, and keeps its figures', async () => {
    const missing = toolMissing('ip');
    if (missing !== null) throw new Error(missing);
    const ns = `auscult-vanish-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), 'auscult-vanish-'));
    createVethNamespace(ns);
    try {
      const script = join(dir, 'vanish.mjs');
      writeFileSync(script, `
const { LiveCapture } = await import(process.argv[2]);
const capture = LiveCapture.open({ interface: 'va', snaplen: 65535, bufferSize: 1 << 20, bpfFilter: '', ringBytes: 1 << 20,
  onFailure: (reason) => { process.stdout.write(JSON.stringify({ failure: reason, stats: capture.stats() }) + '\\n'); setTimeout(() => process.exit(0), 100); } }, () => {});
process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
setTimeout(() => { process.stdout.write(JSON.stringify({ timeout: true }) + '\\n'); process.exit(1); }, 10000);
`);
      const c = nodeInNs(ns, [script, join(ROOT, 'dist/src/capture/live.js')]);
      await until(`the capture to open (${c.stderr()})`, () => c.stdout().includes('"ready"') || undefined);
      expect(spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'del', 'va']).status).toBe(0);
      expect(await c.exit, `${c.stdout()}\n${c.stderr()}`).toBe(0);
      const report = JSON.parse(c.stdout().trim().split('\n').pop()!) as { failure: string; stats: { open: boolean; kernelDropped: number } };
      process.stderr.write(`libpcap addon e2e, interface removed: ${report.failure}\n`);
      expect(report.failure).toMatch(/./);
      expect(report.stats.open).toBe(false);
      expect(report.stats.kernelDropped).toBe(0);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
