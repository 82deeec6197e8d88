/**
 * \summary `npm run bench:live` (issue 8's benchmark): the live sensor at rising line rates. Inside
 * a network namespace it creates (a veth pair va/vb, no addresses, IPv6 off, as in
 * test/e2e/live.test.ts), it starts `auscult run --interface va` and pushes a mixed capture (about
 * 97 % ordinary traffic, 3 % discovery/medical frames from the fixtures; see live-mix.ts) into vb
 * with `tcpreplay --mbps R --duration D --loop 0 --preload-pcap`. For every rate, once with the
 * default BPF filter and once with `bpf_filter: ""`, it reads: frames tcpreplay sent; the frames
 * of that many the filter passes (counted offline with `tcpdump -r mix '<filter>'` per frame
 * index, so a partial last loop is counted exactly); `auscult_packets_received_total`,
 * `auscult_packets_processed_total`, `auscult_packets_dropped_app_total` and
 * `auscult_packets_dropped_kernel` (the capture socket's buffer full) from /metrics; the
 * input-backlog drops of /proc/net/softnet_stat; va's rx_dropped (shown, not counted: the kernel
 * also counts there the frames it has no protocol handler for, such as LLDP, after the capture has
 * seen them); and the sensor's CPU time (utime + stime from /proc/<pid>/stat) per 10,000 frames.
 *
 * Drops: kernel (socket buffer) drops are read by the sensor from the capture socket
 * (src/capture/kernel-drops.ts) and printed as a number (n/a only when the sensor cannot read
 * them). The loss measure stays "passed by the filter − received" (kernel + backlog + ring
 * losses), beside the kernel and app-ring counters and tcpreplay's failed sends. A rate "holds"
 * when all of them are zero.
 *
 * Needs root, `ip netns`, tcpreplay, tcpdump and auscult's libpcap addon; without them it prints why and
 * exits 0. The namespace, the sensor and tcpreplay are removed on every exit path (normal end,
 * error, SIGINT/SIGTERM, and a hard deadline computed from the plan, after which it stops itself).
 *
 * Environment: BENCH_LIVE_SECONDS (per rate; default 10, or 60 with BENCH_FULL=1, as the issue
 * asks), BENCH_LIVE_RATES (Mb/s, comma-separated; default 50,100,200,400,800,1000),
 * BENCH_LIVE_MODES (`default,none`), BENCH_LIVE_SNAPLEN and BENCH_LIVE_BUFFER_MB (capture.snaplen and
 * capture.buffer_size for the sensor; default: the config defaults), BENCH_LIVE_OUTPUTS=1 (the sensor
 * also writes OCSF, ECS and CEF files and a syslog target whose collector is down), BENCH_STRICT=1 (exit 1 when the default filter does not hold
 * 1000 Mb/s with zero drops).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_BPF_FILTER } from '../src/config.js';
import { AUSCULT_BIN, OUT, ROOT, fmtInt, load, log, machine, printTable } from './bench-util.js';
import { buildLiveMix, LIVE_FRAME_GAP_MICROS, LIVE_START_MICROS, type LiveMix } from './live-mix.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../src/capture/libpcap.js';

const NS = `auscult-bench-${process.pid}`;
const METRICS = '127.0.0.1:9464';
const TARGET_MBPS = 1000;
/** How long to wait, after tcpreplay ends, for the sensor to process what it received. */
const DRAIN_TIMEOUT_MS = 30_000;
/** How long the sensor's idle CPU is sampled before the first rate. */
const IDLE_SAMPLE_MS = 5_000;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

type Mode = 'default' | 'none';
const FILTERS: Record<Mode, string> = { default: DEFAULT_BPF_FILTER, none: '' };

interface RateResult {
  mode: Mode;
  requestedMbps: number;
  seconds: number;
  /** From tcpreplay's summary. */
  sent: number;
  failed: number;
  achievedMbps: number;
  achievedPps: number;
  /** Frames of the `sent` the filter passes. */
  expected: number;
  received: number;
  processed: number;
  appDropped: number;
  /** auscult_packets_dropped_kernel over the run: the capture buffer full (NaN only if a scrape lacked the line, which fails the rate). */
  kernelDropped: number;
  /** va's rx_dropped: includes frames the kernel had no protocol handler for (LLDP, CDP, tagged) after the capture saw them. */
  nicRxDropped: number;
  /** /proc/net/softnet_stat "dropped" (input backlog full, system-wide): frames nobody, the capture included, saw. */
  backlogDropped: number;
  /** expected − received: kernel, backlog and ring losses together. */
  lost: number;
  cpuMs: number;
  /** cpuMs minus what the sensor spends idle over the same wall time (measured before the first rate). */
  cpuMsAboveIdle: number;
  cpuMsPer10kSent: number;
  cpuMsPer10kReceived: number;
  /** Mb/s reached within 10 % of the request. */
  reached: boolean;
  zeroDrops: boolean;
  /** The sensor's peak RSS since it started (VmHWM), MB, read after the rate. */
  peakRssMb: number;
  load: string;
}

// ---- clean-up on every path -------------------------------------------------------------------

const children = new Set<ChildProcess>();
let workDir: string | undefined;
let cleaned = false;

function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  spawnSync('ip', ['netns', 'del', NS]);
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => { log(`\n${sig}: cleaning up`); cleanup(); process.exit(130); });
}

// ---- helpers ----------------------------------------------------------------------------------

function sh(args: string[], timeoutMs = 30_000): string {
  const [cmd, ...rest] = args;
  const r = spawnSync(cmd ?? 'false', rest, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${args.slice(0, 6).join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().slice(-400)}`);
  return r.stdout;
}
const inNs = (args: string[]): string[] => ['ip', 'netns', 'exec', NS, ...args];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  for (const [cmd, arg] of [['ip', '-V'], ['tcpreplay', '--version'], ['tcpdump', '--version'], ['curl', '--version']] as const) {
    if (spawnSync(cmd, [arg]).status !== 0) return `${cmd} is not installed`;
  }
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  return null;
}

function nicCounter(name: string): number { return Number(sh(inNs(['cat', `/sys/class/net/va/statistics/${name}`])).trim()); }

/** Sum over CPUs of the second column of /proc/net/softnet_stat: frames dropped because the input backlog was full. */
function backlogDrops(): number {
  return readFileSync('/proc/net/softnet_stat', 'utf8').trim().split('\n').reduce((sum, line) => sum + parseInt(line.split(' ')[1] ?? '0', 16), 0);
}

function scrape(): string {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '--max-time', '5', `http://${METRICS}/metrics`], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout : '';
}
/** A drop count, or n/a when a scrape lacked it (NaN). */
const fmtDrops = (n: number): string => (Number.isNaN(n) ? 'n/a' : fmtInt(n));

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Peak resident set of a process since it started (VmHWM of /proc/<pid>/status), MB; NaN when unreadable. */
function peakRssMb(pid: number): number {
  try {
    const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // fields 14 and 15 of stat(5)
}

/**
 * Per frame index of the mix, how many of frames 1..i the filter passes (prefix sums). tcpdump's
 * `-#` numbers only the matching frames, so the index comes from the timestamp: the mix puts frame
 * i (from 0) at LIVE_START_MICROS + i × LIVE_FRAME_GAP_MICROS.
 */
function passPrefix(mix: LiveMix, filter: string): Uint32Array {
  const prefix = new Uint32Array(mix.frames + 1);
  if (filter === '') { for (let i = 0; i <= mix.frames; i++) prefix[i] = i; return prefix; }
  const out = sh(['tcpdump', '-n', '-q', '-tt', '-r', mix.path, filter], 120_000);
  const pass = new Uint8Array(mix.frames + 1);
  const startSec = Math.floor(LIVE_START_MICROS / 1e6);
  for (const line of out.split('\n')) {
    const m = /^(\d+)\.(\d{6}) /.exec(line);
    if (!m) continue;
    const micros = (Number(m[1]) - startSec) * 1e6 + Number(m[2]) - (LIVE_START_MICROS - startSec * 1e6);
    const index = Math.round(micros / LIVE_FRAME_GAP_MICROS);
    if (index >= 0 && index < mix.frames) pass[index + 1] = 1;
  }
  for (let i = 1; i <= mix.frames; i++) prefix[i] = (prefix[i - 1] ?? 0) + (pass[i] ?? 0);
  return prefix;
}

function expectedOf(prefix: Uint32Array, perLoop: number, sent: number): number {
  const loops = Math.floor(sent / perLoop);
  return loops * (prefix[perLoop] ?? 0) + (prefix[sent % perLoop] ?? 0);
}

interface Replay { sent: number; failed: number; mbps: number; pps: number; seconds: number }

async function tcpreplay(args: string[], timeoutMs: number): Promise<Replay> {
  const child = spawn('ip', ['netns', 'exec', NS, 'tcpreplay', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { if (out.length < 65536) out += s; });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await new Promise((r) => child.on('close', r));
  clearTimeout(killer);
  children.delete(child);
  const actual = /Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds/.exec(out);
  const rated = /Rated: [\d.]+ Bps, ([\d.]+) Mbps, ([\d.]+) pps/.exec(out);
  const failed = /Failed packets:\s+(\d+)/.exec(out);
  if (!actual) throw new Error(`tcpreplay printed no summary: ${out.slice(-400)}`);
  return {
    sent: Number(actual[1]), seconds: Number(actual[3]), mbps: Number(rated?.[1] ?? Number.NaN), pps: Number(rated?.[2] ?? Number.NaN),
    failed: Number(failed?.[1] ?? 0),
  };
}

interface Sensor { child: ChildProcess; pid: number; stderr: () => string }

/** Optional capture settings from BENCH_LIVE_SNAPLEN / BENCH_LIVE_BUFFER_MB (default: the config defaults). */
const captureExtra: { snaplen?: number; bufferBytes?: number } = {
  ...(process.env['BENCH_LIVE_SNAPLEN'] ? { snaplen: Number(process.env['BENCH_LIVE_SNAPLEN']) } : {}),
  ...(process.env['BENCH_LIVE_BUFFER_MB'] ? { bufferBytes: Number(process.env['BENCH_LIVE_BUFFER_MB']) * 2 ** 20 } : {}),
};

/**
 * BENCH_LIVE_OUTPUTS=1 (issue 18): the sensor also renders every event to three files (OCSF, ECS,
 * CEF) and to a syslog collector over TCP that is never up (loopback port 9, nothing listening:
 * reconnects with backoff, a bounded queue, losses counted), so the rates and the CPU per 10,000
 * frames can be compared with and without outputs.
 */
const withOutputs = process.env['BENCH_LIVE_OUTPUTS'] === '1';

function lineCount(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length;
  } catch {
    return 0;
  }
}

function outputTargets(dir: string, mode: Mode): string[] {
  return [
    'output:', '  sensor_name: bench', '  targets:',
    ...(['ocsf', 'ecs', 'cef'] as const).map((format) => `    - {type: file, name: ${format}-file, format: ${format}, path: ${JSON.stringify(join(dir, `events-${mode}.${format}.ndjson`))}}`),
    '    - {type: syslog, name: down-collector, transport: tcp, host: 127.0.0.1, port: 9, max_queue: 10000}',
  ];
}

async function startSensor(mode: Mode, dir: string): Promise<Sensor> {
  const config = join(dir, `live-${mode}.yaml`);
  writeFileSync(config, [
    'capture:', '  interface: va', `  bpf_filter: ${JSON.stringify(FILTERS[mode])}`,
    ...(captureExtra.snaplen !== undefined ? [`  snaplen: ${captureExtra.snaplen}`] : []),
    ...(captureExtra.bufferBytes !== undefined ? [`  buffer_size: ${captureExtra.bufferBytes}`] : []),
    'database:', `  path: ${join(dir, `live-${mode}.db`)}`,
    'metrics:', `  listen: ${METRICS}`,
    ...(withOutputs ? outputTargets(dir, mode) : []), '',
  ].join('\n'));
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, AUSCULT_BIN, 'run', '--interface', 'va', '--config', config], {
    cwd: dir, env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.on('close', () => children.delete(child));
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err = (err + s).slice(-4000); });
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auscult run exited ${child.exitCode}: ${err}`);
    const r = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${METRICS}/healthz`], { encoding: 'utf8', timeout: 5_000 });
    // With BENCH_LIVE_OUTPUTS the collector is down on purpose, and /healthz says so (503).
    if (r.stdout === '200' || (withOutputs && r.stdout === '503')) break;
    if (Date.now() > end) throw new Error(`auscult run not healthy after 30 s: ${err}`);
    await sleep(200);
  }
  // `ip netns exec` execs the command, so the child's pid is node's.
  return { child, pid: child.pid ?? 0, stderr: () => err };
}

async function stopSensor(s: Sensor): Promise<void> {
  if (s.child.exitCode !== null) return;
  const closed = new Promise((r) => s.child.once('close', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 12_000);
  await closed;
  clearTimeout(t);
}

/** Waits until the sensor has processed all it received and the count has stood still for 1 s. */
async function drain(): Promise<string> {
  const end = Date.now() + DRAIN_TIMEOUT_MS;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const m = scrape();
    const received = metric(m, 'auscult_packets_received_total');
    const processed = metric(m, 'auscult_packets_processed_total');
    if (received !== last) { last = received; stableSince = Date.now(); }
    if (received === processed && Date.now() - stableSince >= 1000) return m;
    if (Date.now() > end) return m;
    await sleep(250);
  }
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const skip = skipReason();
  if (skip !== null) { log(`bench:live skipped: ${skip}`); return; }
  const full = process.env['BENCH_FULL'] === '1';
  const seconds = Number(process.env['BENCH_LIVE_SECONDS'] ?? (full ? 60 : 10));
  const rates = (process.env['BENCH_LIVE_RATES'] ?? '50,100,200,400,800,1000').split(',').map(Number).filter((x) => x > 0);
  const modes = (process.env['BENCH_LIVE_MODES'] ?? 'default,none').split(',').filter((m): m is Mode => m === 'default' || m === 'none');
  const strict = process.env['BENCH_STRICT'] === '1';

  // Hard bound: per rate the replay, the drain and some slack; plus set-up and the ceiling probe.
  const budgetMs = modes.length * (rates.length * (seconds * 1000 + DRAIN_TIMEOUT_MS + 15_000) + 45_000) + 120_000;
  const deadline = setTimeout(() => { log(`\nbench:live: deadline of ${Math.round(budgetMs / 1000)} s reached; cleaning up`); cleanup(); process.exit(2); }, budgetMs);

  mkdirSync(OUT, { recursive: true });
  const info = machine({ tcpreplay: ['tcpreplay', '--version'], tcpdump: ['tcpdump', '--version'] });
  log(`machine: ${JSON.stringify(info)}`);
  log(`plan: modes ${modes.join(', ')}; rates ${rates.join(', ')} Mb/s; ${seconds} s each; hard deadline ${Math.round(budgetMs / 1000)} s; `
    + `capture snaplen ${captureExtra.snaplen ?? 'default'}, buffer_size ${captureExtra.bufferBytes ?? 'default'}`);

  const mix = await buildLiveMix(ROOT, join(OUT, 'bench-live-mix.pcap'), [
    join(ROOT, 'fixtures', 'dicom', 'lab-dicom-associations.pcapng'), join(ROOT, 'fixtures', 'hl7', 'lab-hl7-oru-mllp.pcapng'),
  ]);
  log(`mix: ${mix.path}: ${fmtInt(mix.frames)} frames (${fmtInt(mix.specialFrames)} discovery/medical = ${(100 * mix.specialFrames / mix.frames).toFixed(1)} %, `
    + `${fmtInt(mix.ordinaryFrames)} ordinary), mean frame ${mix.meanFrameBytes.toFixed(0)} bytes; ${mix.skippedLarge} fixture frames > 1514 bytes left out`);
  const prefixes: Record<Mode, Uint32Array> = { default: passPrefix(mix, FILTERS.default), none: passPrefix(mix, '') };
  log(`frames per loop the default filter passes (tcpdump -r): ${fmtInt(prefixes.default[mix.frames] ?? 0)}`);

  workDir = mkdtempSync(join(tmpdir(), 'auscult-bench-live-'));
  sh(['ip', 'netns', 'add', NS]);
  // No IPv6: the veth would otherwise send router solicitations and MLD reports of its own.
  sh(inNs(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']));
  sh(inNs(['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']));
  sh(inNs(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']));
  for (const l of ['lo', 'va', 'vb']) sh(inNs(['ip', 'link', 'set', l, 'up']));

  // What tcpreplay can push on this veth with nobody listening: the ceiling of the rates.
  const ceiling = await tcpreplay(['-q', '--topspeed', '--preload-pcap', '--loop', '0', '--duration', '3', '-i', 'vb', mix.path], 30_000);
  log(`tcpreplay ceiling on this veth (--topspeed, 3 s, nobody listening): ${ceiling.mbps.toFixed(0)} Mb/s, ${fmtInt(ceiling.pps)} frames/s (load ${load()})`);

  const results: RateResult[] = [];
  for (const mode of modes) {
    log(`\n== ${mode === 'default' ? 'default BPF filter' : 'bpf_filter: "" (everything)'} ==`);
    const sensor = await startSensor(mode, workDir);
    try {
      // The sensor's own CPU with no traffic (timers, flushes, metrics scrapes), to subtract.
      const idleStart = performance.now();
      const idleCpu0 = cpuMs(sensor.pid);
      await sleep(IDLE_SAMPLE_MS);
      const idleMsPerS = ((cpuMs(sensor.pid) - idleCpu0) * 1000) / (performance.now() - idleStart);
      log(`idle CPU of the sensor: ${idleMsPerS.toFixed(1)} ms/s (load ${load()})`);
      for (const rate of rates) {
        const before = scrape();
        const nicBefore = nicCounter('rx_dropped');
        const backlogBefore = backlogDrops();
        const cpuBefore = cpuMs(sensor.pid);
        const wallBefore = performance.now();
        const replay = await tcpreplay(['-q', '--mbps', String(rate), '--preload-pcap', '--loop', '0', '--duration', String(seconds), '-i', 'vb', mix.path], seconds * 1000 + 60_000);
        const after = await drain();
        const cpu = cpuMs(sensor.pid) - cpuBefore;
        const cpuAboveIdle = Math.max(0, cpu - (idleMsPerS * (performance.now() - wallBefore)) / 1000);
        const d = (name: string): number => metric(after, name) - metric(before, name);
        const expected = expectedOf(prefixes[mode], mix.frames, replay.sent);
        const received = d('auscult_packets_received_total');
        const appDropped = d('auscult_packets_dropped_app_total');
        const kernelDropped = d('auscult_packets_dropped_kernel');
        const nicRxDropped = nicCounter('rx_dropped') - nicBefore;
        const r: RateResult = {
          mode, requestedMbps: rate, seconds: replay.seconds, sent: replay.sent, failed: replay.failed, achievedMbps: replay.mbps, achievedPps: replay.pps,
          expected, received, processed: d('auscult_packets_processed_total'), appDropped, kernelDropped, nicRxDropped, backlogDropped: backlogDrops() - backlogBefore,
          lost: expected - received,
          cpuMs: cpu, cpuMsAboveIdle: cpuAboveIdle,
          cpuMsPer10kSent: (cpuAboveIdle * 10_000) / Math.max(1, replay.sent), cpuMsPer10kReceived: (cpuAboveIdle * 10_000) / Math.max(1, received),
          reached: replay.mbps >= rate * 0.9, zeroDrops: expected === received && appDropped === 0 && kernelDropped === 0 && replay.failed === 0, peakRssMb: peakRssMb(sensor.pid), load: load(),
        };
        results.push(r);
        log(`${String(rate).padStart(5)} Mb/s asked, ${replay.mbps.toFixed(0)} reached: sent ${fmtInt(r.sent)}, filter passes ${fmtInt(expected)}, received ${fmtInt(received)}, `
          + `lost ${fmtInt(r.lost)}, kernel-dropped ${fmtDrops(kernelDropped)}, app-dropped ${appDropped}, backlog-dropped ${r.backlogDropped}, va rx_dropped ${nicRxDropped}, CPU ${(cpu / 1000).toFixed(2)} s, `
          + `${(cpuAboveIdle / 1000).toFixed(2)} s above idle (${r.cpuMsPer10kSent.toFixed(1)} ms/10k sent) ${r.zeroDrops ? 'ZERO DROPS' : 'DROPS'} (load ${r.load})`);
        if (withOutputs) {
          const out = (key: string): number => {
            const m = new RegExp(`^auscult_events_total\\{name="output\\.${key.replace(/[.-]/g, (c) => `\\${c}`)}"\\} (\\S+)$`, 'm').exec(after);
            return m ? Number(m[1]) : 0;
          };
          log(`        outputs: down collector sent ${out('down-collector.sent')}, queued ${out('down-collector.queued')}, dropped ${out('down-collector.dropped')}, reconnects ${out('down-collector.reconnects')}; `
            + `event lines in the OCSF file ${lineCount(join(workDir, `events-${mode}.ocsf.ndjson`))}`);
        }
        if (sensor.child.exitCode !== null) throw new Error(`auscult run exited ${sensor.child.exitCode}: ${sensor.stderr()}`);
      }
    } finally {
      await stopSensor(sensor);
    }
  }

  log();
  printTable(['filter', 'asked Mb/s', 'reached Mb/s', 'frames/s', 'sent', 'passed', 'received', 'lost', 'kernel drop', 'app drop', 'backlog drop', 'va rx_dropped', 'CPU s', 'above idle: ms/10k sent', 'ms/10k recv', 'zero drops', 'peak RSS MB', 'load'],
    results.map((r) => [
      r.mode, String(r.requestedMbps), r.achievedMbps.toFixed(0), fmtInt(r.achievedPps), fmtInt(r.sent), fmtInt(r.expected), fmtInt(r.received), fmtInt(r.lost),
      fmtDrops(r.kernelDropped), String(r.appDropped), String(r.backlogDropped), String(r.nicRxDropped), (r.cpuMs / 1000).toFixed(2), r.cpuMsPer10kSent.toFixed(1), r.cpuMsPer10kReceived.toFixed(1), r.zeroDrops ? (r.reached ? 'yes' : 'yes (rate not reached)') : 'no', r.peakRssMb.toFixed(1), r.load,
    ]));
  log();
  const best: Partial<Record<Mode, RateResult>> = {};
  for (const mode of modes) {
    const mine = results.filter((r) => r.mode === mode).sort((a, b) => a.requestedMbps - b.requestedMbps);
    const firstDrop = mine.find((r) => !r.zeroDrops);
    const heldBelow = mine.filter((r) => r.zeroDrops && (firstDrop === undefined || r.requestedMbps < firstDrop.requestedMbps)).pop();
    const top = mine.filter((r) => r.zeroDrops).sort((a, b) => b.achievedMbps - a.achievedMbps)[0];
    if (top) best[mode] = top;
    const fmt = (r: RateResult | undefined): string => (r ? `${r.achievedMbps.toFixed(0)} Mb/s (asked ${r.requestedMbps}, ${fmtInt(r.achievedPps)} frames/s)` : 'none');
    log(`${mode === 'default' ? 'default filter' : 'no filter     '}: highest rate held ${seconds} s with zero drops: ${fmt(top)}; `
      + `every rate held up to ${fmt(heldBelow)}; first rate with drops: ${firstDrop ? `${firstDrop.requestedMbps} Mb/s (${fmtInt(firstDrop.lost)} lost)` : 'none'}`);
  }
  const target = best.default !== undefined && best.default.achievedMbps >= TARGET_MBPS * 0.9;
  log(`${target ? 'PASS' : 'FAIL'}  zero drops at ${TARGET_MBPS} Mb/s of the mix with the default filter (issue 8)`
    + (ceiling.mbps < TARGET_MBPS ? ` — tcpreplay tops out at ${ceiling.mbps.toFixed(0)} Mb/s on this veth, so ${TARGET_MBPS} Mb/s was not offered` : ''));
  log('notes: kernel drop = auscult_packets_dropped_kernel (the capture buffer full, from pcap_stats);'
    + ' "lost" = frames the filter passes − frames received (kernel socket-buffer, backlog and ring losses together). va rx_dropped also counts frames the kernel had no protocol handler'
    + ' for (LLDP, CDP, ...), after the capture saw them, so it is shown but not counted as a drop. tcpreplay runs on the same 2 cores.');
  writeFileSync(join(OUT, 'live-results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: info, seconds, captureExtra, mix, ceiling, results, target }, null, 2)}\n`);
  log(`results: ${join(OUT, 'live-results.json')}`);
  clearTimeout(deadline);
  if (strict && !target) process.exitCode = 1;
}

try {
  await main();
} catch (e) {
  log(`bench:live failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
