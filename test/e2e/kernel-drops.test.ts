/**
 * Kernel drops are a real number (src/capture/live.ts, pcap_stats through auscult's libpcap
 * addon). In a fresh network namespace holding a veth pair, a live capture on one end whose
 * kernel buffer is the smallest allowed (capture.buffer_size 1 MiB: TPACKET_V3 blocks of about
 * 650 of these 1,514-byte frames; the `cap` package used before held 16 in its 64 KiB slots)
 * takes a flood of 20,000 frames that tcpreplay pushes into the other end at top speed. First a
 * capture whose consumer stops reading libpcap until the flood has been sent, so the kernel must
 * drop all but what fits: every frame sent is either received or counted as a kernel drop. Then
 * `auscult run` itself: /metrics shows the drops as a finite number and /healthz fails with
 * capture.kernel_dropped. Last, `auscult run` on a second veth that is deleted under it: the
 * capture stops, /healthz fails with "capture is not open", and SIGTERM still ends it cleanly.
 * Frames are only ever sent on the veth inside the namespace. Needs root, `ip netns`, tcpreplay
 * and the addon (npm run build); skipped with the reason otherwise.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../../src/capture/libpcap.js';
import { createVethNamespace, metric, nodeInNs, nsGet as nsGetIn, until, type NsNode } from '../helpers/netns-sensor.js';
import { titled, toolMissing } from '../helpers/tools.js';

const METRICS = '127.0.0.1:9464';
const FLOOD_FRAMES = 20_000;
const FRAME_BYTES = 1514;

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  const tool = toolMissing('ip') ?? toolMissing('tcpreplay');
  if (tool !== null) return tool;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is unavailable (apt-get install -y iproute2)';
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  const probe = `auscult-probe-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create a network namespace here';
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

const sh = (args: string[]) => {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
/** A classic pcap of `n` broadcast frames of FRAME_BYTES of the local experimental ethertype 88b5, each numbered. */
function floodPcap(file: string, n: number): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records: Buffer[] = [header];
  for (let i = 0; i < n; i++) {
    const rec = Buffer.alloc(16 + FRAME_BYTES);
    rec.writeUInt32LE(1, 0);
    rec.writeUInt32LE(i, 4);
    rec.writeUInt32LE(FRAME_BYTES, 8);
    rec.writeUInt32LE(FRAME_BYTES, 12);
    Buffer.from('ffffffffffff02000000000188b5', 'hex').copy(rec, 16);
    rec.writeUInt32BE(i, 30);
    records.push(rec);
  }
  writeFileSync(file, Buffer.concat(records));
}

/** Sends the flood into vb of namespace `ns`; returns the frames tcpreplay says it sent (all of them, or it throws). */
function flood(ns: string, pcap: string): number {
  const out = sh(['ip', 'netns', 'exec', ns, 'tcpreplay', '-i', 'vb', '--topspeed', pcap]);
  const sent = Number(/Successful packets:\s+(\d+)/.exec(out)?.[1]);
  expect(sent, out).toBe(FLOOD_FRAMES);
  expect(Number(/Failed packets:\s+(\d+)/.exec(out)?.[1]), out).toBe(0);
  return sent;
}

const running = new Set<ChildProcess>();

function startInNs(ns: string, dir: string, args: string[]): NsNode {
  const started = nodeInNs(ns, args, { cwd: dir, env: { ...process.env, AUSCULT_LOG_LEVEL: 'info' } });
  running.add(started.child);
  void started.exit.then(() => running.delete(started.child));
  return started;
}

/**
 * A live capture whose consumer does not come back to libpcap until `go` exists (the flood has
 * been sent), then prints its statistics after close.
 */
const SLOW_CAPTURE = `
import { existsSync } from 'node:fs';
const { LiveCapture } = await import(process.argv[2]);
const capture = LiveCapture.open({ interface: 'va', snaplen: 65535, bufferSize: 1 << 20, bpfFilter: '', ringBytes: 1 << 20 }, () => {});
process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
while (!existsSync(process.argv[3])) { /* not reading: the kernel buffer fills */ }
setTimeout(() => { capture.close(); capture.drain(); process.stdout.write(JSON.stringify(capture.stats()) + '\\n'); }, 1000);
`;

const SKIP = skipReason();
if (SKIP !== null) process.stderr.write(`test/e2e/kernel-drops.test.ts: skipped: ${SKIP}\n`);
const NS = `auscult-kdrop-${process.pid}`;
const nsGet = (path: string) => nsGetIn(NS, METRICS, path);
let dir: string;
let pcap: string;

describe.skipIf(SKIP !== null)(titled('kernel drops of a live capture, counted (veth in a network namespace)', SKIP), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-kdrop-'));
    pcap = join(dir, 'flood.pcap');
    floodPcap(pcap, FLOOD_FRAMES);
    createVethNamespace(NS);
  });
  afterEach(async () => {
    for (const child of running) { child.kill('SIGKILL'); await new Promise((r) => child.once('close', r)); }
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a capture that stops reading: every frame sent is received or counted as a kernel drop', async () => {
    const script = join(dir, 'slow-capture.mjs');
    writeFileSync(script, SLOW_CAPTURE);
    const go = join(dir, 'go');
    const c = startInNs(NS, dir, [script, join(ROOT, 'dist/src/capture/live.js'), go]);
    await until(`the capture to open (stderr: ${c.stderr()})`, () => {
      const line = c.stdout().split('\n')[0];
      return line ? JSON.parse(line) as { ready: boolean } : undefined;
    });
    const sent = flood(NS, pcap);
    writeFileSync(go, '');
    expect(await c.exit, c.stderr()).toBe(0);
    const stats = JSON.parse(c.stdout().split('\n')[1]!) as { received: number; kernelDropped: number | null; appDropped: number };
    process.stderr.write(`kernel-drops e2e, stalled capture: sent ${sent}, received ${stats.received}, kernel dropped ${String(stats.kernelDropped)}\n`);
    expect(stats.kernelDropped).toBeGreaterThan(0);
    expect(stats.appDropped).toBe(0);
    expect(stats.received + stats.kernelDropped!).toBe(sent);
  });

  it('auscult run: /metrics gives the kernel drops as a number and /healthz fails with capture.kernel_dropped', async () => {
    const config = join(dir, 'run.yaml');
    writeFileSync(config, `capture:\n  interface: va\n  bpf_filter: ""\n  buffer_size: 1048576\ndatabase:\n  path: ${join(dir, 'run.db')}\nmetrics:\n  listen: ${METRICS}\ninventory:\n  flush_interval_ms: 500\n`);
    const s = startInNs(NS, dir, [BIN, 'run', '--config', config]);
    // The first health check sets the loss baseline (it reports nothing).
    const first = await until(`healthz (stderr: ${s.stderr().slice(-500)})`, () => {
      if (s.child.exitCode !== null) throw new Error(`sensor exited ${s.child.exitCode}: ${s.stderr()}`);
      const r = nsGet('/healthz');
      return r.status === 200 ? JSON.parse(r.body) as Record<string, unknown> : undefined;
    });
    expect(first['status']).toBe('ok');
    expect(metric(nsGet('/metrics').body, 'auscult_packets_dropped_kernel')).toBe(0);

    const sent = flood(NS, pcap);
    // Settled: everything sent is accounted for, received or dropped by the kernel.
    const metrics = await until('every frame received or dropped', () => {
      const m = nsGet('/metrics').body;
      const total = metric(m, 'auscult_packets_received_total') + metric(m, 'auscult_packets_dropped_kernel');
      return total >= sent && metric(m, 'auscult_packets_processed_total') === metric(m, 'auscult_packets_received_total') ? m : undefined;
    });
    const received = metric(metrics, 'auscult_packets_received_total');
    const kernel = metric(metrics, 'auscult_packets_dropped_kernel');
    process.stderr.write(`kernel-drops e2e, auscult run: sent ${sent}, received ${received}, kernel dropped ${kernel}\n`);
    expect(Number.isFinite(kernel)).toBe(true);
    expect(kernel).toBeGreaterThan(0);
    expect(received + kernel).toBe(sent);
    expect(metric(metrics, 'auscult_packets_dropped_kernel_total')).toBe(kernel);

    const health = nsGet('/healthz');
    expect(health.status).toBe(503);
    const body = JSON.parse(health.body) as { status: string; problems: string[] };
    expect(body.status).toBe('fail');
    expect(body.problems).toContainEqual(expect.stringMatching(/^input lost since the last check: \d+ frames dropped by the kernel.*\(capture\.kernel_dropped\)$/));
    // The count in the problem is the drops since the baseline check.
    expect(body.problems.join('\n')).toContain(`input lost since the last check: ${kernel} frames dropped by the kernel`);

    const st = spawnSync('ip', ['netns', 'exec', NS, process.execPath, BIN, 'status', '--metrics', `http://${METRICS}`], { encoding: 'utf8' });
    expect(st.stdout).toMatch(new RegExp(`^dropped \\(kernel\\):\\s+${kernel.toLocaleString('en-US')}$`, 'm'));

    s.child.kill('SIGTERM');
    expect(await s.exit, s.stderr()).toBe(0);
    expect(s.stderr()).toMatch(new RegExp(`"kernelDropped":${kernel}\\b.*"stopped"|"stopped".*"kernelDropped":${kernel}\\b`));
  });

  it('auscult run: an interface that disappears stops the capture, fails /healthz and still shuts down cleanly', async () => {
    const run = (args: string[]) => expect(spawnSync('ip', ['netns', 'exec', NS, ...args]).status).toBe(0);
    run(['ip', 'link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'vd']);
    for (const l of ['vc', 'vd']) run(['ip', 'link', 'set', l, 'up']);
    const config = join(dir, 'vanish.yaml');
    const db = join(dir, 'vanish.db');
    writeFileSync(config, `capture:\n  interface: vc\n  bpf_filter: ""\ndatabase:\n  path: ${db}\nmetrics:\n  listen: ${METRICS}\ninventory:\n  flush_interval_ms: 500\n`);
    const s = startInNs(NS, dir, [BIN, 'run', '--config', config]);
    await until(`healthz (stderr: ${s.stderr().slice(-500)})`, () => {
      if (s.child.exitCode !== null) throw new Error(`sensor exited ${s.child.exitCode}: ${s.stderr()}`);
      return nsGet('/healthz').status === 200 || undefined;
    });
    run(['ip', 'link', 'del', 'vc']);
    const health = await until('healthz to fail', () => {
      const r = nsGet('/healthz');
      return r.status === 503 ? JSON.parse(r.body) as { problems: string[]; capture_open: boolean } : undefined;
    });
    expect(health.capture_open).toBe(false);
    expect(health.problems).toContain('capture is not open');
    expect(s.child.exitCode).toBeNull(); // still serving /metrics and /healthz
    s.child.kill('SIGTERM');
    expect(await s.exit, s.stderr()).toBe(0);
    // The log is written asynchronously: read once the process has ended.
    expect(s.stderr()).toContain('capture stopped: reading the interface failed');
    expect(s.stderr()).toContain('"stopped"');
  });
});
