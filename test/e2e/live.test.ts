/**
 * The live sensor end to end, with real components: a fresh network namespace holding a veth
 * pair, `auscult run` on one end (in the namespace) and tcpreplay pushing the lab fixtures into
 * the other. Needs root, `ip netns`, tcpreplay and auscult's libpcap addon (npm run build); skipped with the reason
 * otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auscult, BIN, ROOT } from '../helpers/cli.js';
import { openDatabase } from '../../src/inventory/store.js';
import { titled, toolMissing } from '../helpers/tools.js';
import { createVethNamespace, metric, nsGet as nsGetIn, until } from '../helpers/netns-sensor.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../../src/capture/libpcap.js';

const NS = `auscult-live-${process.pid}`;
const fx = (p: string) => join(ROOT, 'fixtures', p);
const RELAY = fx('dhcp/lab-dhcp-relay-opt82.pcapng');
const SWITCH = fx('lldp/lab-switch-endpoints.pcapng');
const METRICS = '127.0.0.1:9464';

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  const tool = toolMissing('ip') ?? toolMissing('tcpreplay') ?? toolMissing('setpriv');
  if (tool !== null) return tool;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is unavailable (apt-get install -y iproute2)';
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  const probe = `auscult-probe-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create a network namespace here';
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}
const SKIP = skipReason();
if (SKIP !== null) process.stderr.write(`test/e2e/live.test.ts: skipped: ${SKIP}\n`);

const sh = (args: string[]) => {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const inNs = (args: string[]) => ['ip', 'netns', 'exec', NS, ...args];
const counter = (name: string) => Number(sh(inNs(['cat', `/sys/class/net/va/statistics/${name}`])).trim());

const nsGet = (path: string) => nsGetIn(NS, METRICS, path);

interface Running { child: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

const running = new Set<ChildProcess>();

function startSensor(args: string[], prefix: string[] = [], env: Record<string, string> = {}): Running {
  const child = spawn('ip', ['netns', 'exec', NS, ...prefix, process.execPath, BIN, 'run', ...args], {
    cwd: dir, env: { ...process.env, AUSCULT_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  running.add(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close': the exit status and all of stderr are in.
    child.on('close', (code, signal) => { running.delete(child); resolve({ code, signal }); });
  });
  return { child, stderr: () => err, exit };
}

async function healthy(s: Running): Promise<Record<string, unknown>> {
  return until(`healthz (stderr: ${s.stderr().slice(-500)})`, () => {
    if (s.child.exitCode !== null) throw new Error(`sensor exited ${s.child.exitCode}: ${s.stderr()}`);
    const r = nsGet('/healthz');
    return r.status === 200 ? JSON.parse(r.body) as Record<string, unknown> : undefined;
  });
}

function writeConfig(name: string, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(file, `capture:\n  interface: va\n${extra}database:\n  path: ${join(dir, name.replace(/\.yaml$/, '.db'))}\nmetrics:\n  listen: ${METRICS}\ninventory:\n  flush_interval_ms: 500\n`);
  return file;
}

const IDENTITY_KEYS = ['id', 'mac', 'ip', 'ips', 'hostname', 'vlan', 'switch', 'port', 'location', 'manufacturer', 'model', 'firmware',
  'serial', 'os', 'device_type', 'fda_class', 'fda_product_code', 'category', 'asset_id'] as const;
function identities(db: string): Record<string, unknown>[] {
  const r = auscult(['devices', '--db', db, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const devices = JSON.parse(r.stdout) as Record<string, unknown>[];
  return devices.map((d) => Object.fromEntries(IDENTITY_KEYS.map((k) => [k, d[k]])))
    .sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
}

let dir: string;

describe.skipIf(SKIP !== null)(titled('auscult run on a veth in a network namespace', SKIP), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-live-'));
    chmodSync(dir, 0o777); // the sensor writes here after switching to nobody
    createVethNamespace(NS);
  });
  afterEach(async () => {
    // A failed test must not leave its sensor holding the metrics port for the next one.
    for (const child of running) { child.kill('SIGKILL'); await new Promise((r) => child.once('close', r)); }
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('captures the lab fixtures as replay decodes them, transmits nothing, drops privileges, stops cleanly on SIGTERM', async () => {
    const config = writeConfig('live.yaml', '  user: nobody\n');
    const s = startSensor(['--config', config]);
    const health = await healthy(s);
    expect(health).toMatchObject({ status: 'ok', interface: 'va', capture_open: true, db_writable: true, last_packet_age_s: null });

    // Privileges: switched to nobody with no capability left, after the interface was opened.
    const status = readFileSync(`/proc/${s.child.pid!}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);

    const txBefore = counter('tx_packets');
    for (const file of [RELAY, SWITCH]) sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', file]));
    const expected = 38 + 101; // frames in the two files, all passed by the default BPF filter
    const metrics = await until('all frames processed', () => {
      const m = nsGet('/metrics').body;
      return metric(m, 'auscult_packets_processed_total') >= expected ? m : undefined;
    });
    expect(metric(metrics, 'auscult_packets_received_total')).toBe(expected);
    expect(metric(metrics, 'auscult_packets_dropped_app_total')).toBe(0);
    // Kernel drops are read from the capture socket even after the switch to nobody: a number, not NaN.
    expect(metric(metrics, 'auscult_packets_dropped_kernel')).toBe(0);
    expect(metric(metrics, 'auscult_nic_rx_missed')).toBe(0);
    expect(metrics).toMatch(/^auscult_nic_rx_dropped_nohandler \d+/m);
    expect(metrics).toMatch(/^auscult_process_cpu_seconds_total /m);
    expect(metrics).not.toMatch(/auscult_process_process_/);
    expect(metrics).toMatch(/^auscult_last_capture_timestamp_seconds \d/m);
    expect(metric(metrics, 'auscult_capture_open')).toBe(1);
    expect(metrics).toMatch(/^auscult_decoded_frames_total\{protocol="lldp"\} \d+$/m);
    expect(metrics).toMatch(/^auscult_decoded_frames_total\{protocol="dhcp"\} \d+$/m);
    expect(metric(metrics, 'auscult_devices')).toBeGreaterThan(5);
    expect(metric(metrics, 'auscult_config_reload_failures_total')).toBe(0);
    const after = JSON.parse(nsGet('/healthz').body) as { last_packet_age_s: number | null; packets_received: number };
    expect(after.packets_received).toBe(expected);
    expect(after.last_packet_age_s).not.toBeNull();

    // `auscult status` for a person, from inside the namespace.
    const st = spawnSync('ip', ['netns', 'exec', NS, process.execPath, BIN, 'status', '--metrics', `http://${METRICS}`], { encoding: 'utf8' });
    expect(st.status, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^status:\s+ok$/m);
    expect(st.stdout).toMatch(new RegExp(`^packets received:\\s+${expected}$`, 'm'));

    const stopAt = Date.now();
    s.child.kill('SIGTERM');
    const exit = await s.exit;
    expect(exit.code, s.stderr()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    expect(counter('tx_packets')).toBe(txBefore); // the passive promise: not one frame sent on va
    expect(s.stderr()).toContain('privileges dropped');

    // The same frames replayed from the files give the same devices (time fields aside).
    const replayDb = join(dir, 'replay.db');
    expect(auscult(['replay', RELAY, SWITCH, '--db', replayDb]).code).toBe(0);
    const live = identities(join(dir, 'live.db'));
    expect(live.length).toBeGreaterThan(5);
    expect(live).toEqual(identities(replayDb));
    // No system of record loaded: the sensor still announced every device once (device_new) to the outbox (issue 18).
    // (A device announced at one flush and merged into another before the next stays announced.)
    const ev = auscult(['events', '--db', join(dir, 'live.db')]);
    expect(ev.code, ev.stderr).toBe(0);
    const announced = ev.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; device_id: string })
      .filter((e) => e.type === 'device_new').map((e) => e.device_id);
    expect(new Set(announced).size).toBe(announced.length);
    expect(announced).toEqual(expect.arrayContaining(live.map((d) => String(d['id']))));
    // The WAL was checkpointed (TRUNCATE) on the way out.
    expect(spawnSync('stat', ['-c', '%s', join(dir, 'live.db-wal')], { encoding: 'utf8' }).stdout.trim() || '0').toBe('0');
  });

  it('SIGHUP with a broken config keeps the running one (counted in /metrics); a good one is taken', async () => {
    const config = writeConfig('hup.yaml');
    const good = readFileSync(config, 'utf8');
    const s = startSensor(['--config', config]);
    await healthy(s);
    writeFileSync(config, `${good}capture_typo: 1\n`);
    s.child.kill('SIGHUP');
    await until('reload failure counted', () => metric(nsGet('/metrics').body, 'auscult_config_reload_failures_total') === 1);
    // stderr arrives through a pipe this process reads between polls.
    await until('the reload log line', () => s.stderr().includes('reload rejected: keeping the running config and rules'));
    expect(s.stderr()).toMatch(/hup\.yaml:\d+:1: capture_typo: unknown key/);
    expect(nsGet('/healthz').status).toBe(200);
    // Still capturing with the old config.
    sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', RELAY]));
    await until('frames after the failed reload', () => metric(nsGet('/metrics').body, 'auscult_packets_processed_total') === 38);
    writeFileSync(config, good.replace('flush_interval_ms: 500', 'flush_interval_ms: 700'));
    s.child.kill('SIGHUP');
    await until('reload counted', () => metric(nsGet('/metrics').body, 'auscult_config_reloads_total') === 1);
    expect(metric(nsGet('/metrics').body, 'auscult_config_reload_failures_total')).toBe(1);
    s.child.kill('SIGTERM');
    expect((await s.exit).code, s.stderr()).toBe(0);
  });

  it('SIGHUP with a broken rule file keeps the running rules', async () => {
    const rulesDir = join(dir, 'fingerprints');
    cpSync(join(ROOT, 'fingerprints'), rulesDir, { recursive: true });
    const config = writeConfig('rules.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}identify:\n  fingerprints_dir: ${rulesDir}\n`);
    const s = startSensor(['--config', config]);
    await healthy(s);
    const rulesBefore = metric(nsGet('/metrics').body, 'auscult_rules_loaded');
    expect(rulesBefore).toBeGreaterThan(0);
    const ruleFile = join(rulesDir, 'dhcp-vendor-class.yaml');
    writeFileSync(ruleFile, readFileSync(ruleFile, 'utf8').replace(/^rules:/m, 'rulez:'));
    s.child.kill('SIGHUP');
    await until('reload failure counted', () => metric(nsGet('/metrics').body, 'auscult_config_reload_failures_total') === 1);
    await until('the reload log line', () => s.stderr().includes('reload rejected'));
    expect(s.stderr()).toContain('dhcp-vendor-class.yaml');
    expect(metric(nsGet('/metrics').body, 'auscult_rules_loaded')).toBe(rulesBefore);
    // The running rules still identify: replayed DHCP gets its vendor-class rule matches.
    sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', RELAY]));
    await until('frames', () => metric(nsGet('/metrics').body, 'auscult_packets_processed_total') === 38);
    s.child.kill('SIGTERM');
    expect((await s.exit).code, s.stderr()).toBe(0);
    const replayDb = join(dir, 'rules-replay.db');
    expect(auscult(['replay', RELAY, '--db', replayDb]).code).toBe(0);
    expect(identities(join(dir, 'rules.db'))).toEqual(identities(replayDb));
  });

  it('a syslog collector that is down makes /healthz fail naming it; a stream file of another database is refused at start (78)', async () => {
    const config = writeConfig('down.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}output:\n  exceptions_path: ${join(dir, 'down.ndjson')}\n  targets:\n` +
      '    - {type: syslog, name: soc, transport: tcp, host: 127.0.0.1, port: 9, reconnect_min_ms: 50, reconnect_max_ms: 200}\n');
    const s = startSensor(['--config', config]);
    const health = await until('health naming the collector', () => {
      if (s.child.exitCode !== null) throw new Error(`sensor exited ${s.child.exitCode}: ${s.stderr()}`);
      const r = nsGet('/healthz');
      return r.body.includes('output soc: syslog collector 127.0.0.1:9 (tcp) unreachable') ? r : undefined;
    });
    expect(health.status).toBe(503);
    s.child.kill('SIGTERM');
    expect((await s.exit).code, s.stderr()).toBe(0);
    // Another database's stream file (written by replay + reconcile) is refused before capture starts.
    const otherDb = join(dir, 'other.db');
    const stream = join(dir, 'other.ndjson');
    for (const args of [['import', 'fixtures/sor/lab-switch-endpoints.csv', '--db', otherDb], ['replay', SWITCH, '--db', otherDb, '--stream', stream]]) {
      const r = auscult(args);
      expect(r.code, r.stderr).toBe(0);
    }
    writeFileSync(config, readFileSync(config, 'utf8').replace(join(dir, 'down.ndjson'), stream));
    const refused = startSensor(['--config', config]);
    expect((await refused.exit).code, refused.stderr()).toBe(78);
    expect(refused.stderr()).toContain('[AUS_ERR_STREAM_OWNER]');
    expect(refused.stderr()).toContain('other.db');
  });

  it('SIGTERM mid-run commits what was captured and exits 0', async () => {
    const config = writeConfig('mid.yaml');
    // No periodic flush: what is in the database was written by the stop.
    writeFileSync(config, readFileSync(config, 'utf8').replace('flush_interval_ms: 500', 'flush_interval_ms: 3600000'));
    const s = startSensor(['--config', config]);
    await healthy(s);
    const replay = spawn('ip', ['netns', 'exec', NS, 'tcpreplay', '-q', '-i', 'vb', '--pps', '10', SWITCH], { stdio: 'ignore' });
    await until('some frames', () => metric(nsGet('/metrics').body, 'auscult_packets_processed_total') >= 10);
    s.child.kill('SIGTERM');
    const exit = await s.exit;
    replay.kill('SIGTERM');
    expect(exit.code, s.stderr()).toBe(0);
    const db = join(dir, 'mid.db');
    const devices = identities(db);
    expect(devices.length).toBeGreaterThan(0);
    expect(s.stderr()).toMatch(/"msg":"stopped"/);
    const stopped = /"received":(\d+),"processed":(\d+)/.exec(s.stderr());
    expect(stopped?.[1]).toBe(stopped?.[2]); // everything received was processed before exit
    expect(Number(stopped?.[1])).toBeLessThan(101); // it really was mid-run
  });

  it('SIGKILL inside each risky window of the stream writer: the database stays intact and reconcile recovers every line once', async () => {
    // The writer names each window on stderr as it holds it open (src/output/ndjson.ts fault injection).
    const windows = ['unsent', 'torn', 'cursor_behind'] as const;
    for (const w of windows) {
      const config = writeConfig(`kill-${w}.yaml`);
      const db = join(dir, `kill-${w}.db`);
      const stream = join(dir, `kill-${w}.ndjson`);
      const imported = auscult(['import', 'fixtures/sor/lab-switch-endpoints.csv', '--db', db]);
      expect(imported.code, imported.stderr).toBe(0);
      const s = startSensor(['--config', config, '--exceptions', stream], [], { AUSCULT_FAULT_INJECT_DELAY_MS: '300', AUSCULT_FAULT_INJECT_MARK: '1' });
      await healthy(s);
      const replay = spawn('ip', ['netns', 'exec', NS, 'tcpreplay', '-q', '-i', 'vb', '--pps', '50', SWITCH], { stdio: 'ignore' });
      await until(`window ${w} (stderr: ${s.stderr().slice(-300)})`, () => s.stderr().includes(`auscult-fault-window ${w}\n`));
      s.child.kill('SIGKILL');
      const exit = await s.exit;
      replay.kill('SIGTERM');
      expect(exit.signal).toBe('SIGKILL');

      // Right after the kill: intact, and left in the window it was killed in.
      const open = openDatabase(db);
      expect(open.pragma('integrity_check', { simple: true }), w).toBe('ok');
      const outboxMax = (open.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
      const cursor = (open.prepare('SELECT coalesce(max(last_seq), 0) AS c FROM stream_cursor').get() as { c: number }).c;
      open.close();
      const text = readFileSync(stream, 'utf8');
      const complete = text.split('\n').length - 1;
      const state = { unsent: outboxMax > complete, torn: text !== '' && !text.endsWith('\n'), cursor_behind: complete > cursor };
      expect(state[w], `${w}: ${JSON.stringify({ outboxMax, complete, cursor })}`).toBe(true);

      // Recovery: one reconcile writes what was missing, cuts a torn line, and a second adds nothing.
      const r = auscult(['reconcile', '--db', db, '--stream', stream]);
      expect(r.code, r.stderr).toBe(0);
      const recovered = readFileSync(stream, 'utf8');
      const lines = recovered.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; event_id: string; status?: string });
      const final = openDatabase(db);
      const outbox = (final.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
      final.close();
      expect(recovered.endsWith('\n'), w).toBe(true);
      expect(lines.map((l) => l.seq), w).toEqual(Array.from({ length: outbox }, (_, i) => i + 1));
      expect(new Set(lines.map((l) => `${l.event_id}/${l.status ?? ''}`)).size, w).toBe(lines.length);
      expect(auscult(['reconcile', '--db', db, '--stream', stream]).code).toBe(0);
      expect(readFileSync(stream, 'utf8'), w).toBe(recovered);
    }
  }, 120_000);

  it('exit codes: no such interface 69, no permission 77 (with the fix), broken config 78 with file:line:col', async () => {
    const missing = startSensor(['--interface', 'does-not-exist', '--db', join(dir, 'x.db')]);
    expect((await missing.exit).code).toBe(69);
    expect(missing.stderr()).toContain('no such interface: does-not-exist [AUS_ERR_NO_INTERFACE]');

    const unprivileged = startSensor(['--interface', 'va', '--db', join(dir, 'y.db')], ['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups']);
    expect((await unprivileged.exit).code, unprivileged.stderr()).toBe(77);
    expect(unprivileged.stderr()).toMatch(/cannot open interface va: .*needs CAP_NET_RAW \(run as root.*\[AUS_ERR_PERMISSION\]/);

    const badFilter = startSensor(['--interface', 'va', '--db', join(dir, 'z.db'), '--bpf-filter', 'udp and and']);
    expect((await badFilter.exit).code, badFilter.stderr()).toBe(78);
    expect(badFilter.stderr()).toMatch(/capture\.bpf_filter does not compile: .*\[AUS_ERR_BPF\]/);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'capture:\n  interface: va\n  snaplen: huge\n');
    const bad = startSensor(['--config', broken]);
    expect((await bad.exit).code).toBe(78);
    expect(bad.stderr()).toContain(`${broken}:3:12: capture.snaplen: Invalid input: expected number, received string [AUS_ERR_CONFIG_KEY]`);
  });
});

describe('auscult config check', () => {
  let cdir: string;
  beforeAll(() => { cdir = mkdtempSync(join(tmpdir(), 'auscult-check-')); });
  afterAll(() => { rmSync(cdir, { recursive: true, force: true }); });
  const NO_TCPDUMP = toolMissing('tcpdump');
  const hasTcpdump = NO_TCPDUMP === null;

  it('accepts the shipped default config (and compiles its filter when tcpdump is present)', () => {
    const r = auscult(['config', 'check', join(ROOT, 'config/auscult.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(hasTcpdump ? /ok; \d+ fingerprint rules; BPF filter compiles/ : /BPF filter not checked/);
  });

  it('lists every problem with file:line:col and exits 78', () => {
    const f = join(cdir, 'bad.yaml');
    writeFileSync(f, 'capture:\n  snaplen: 1\nlog:\n  level: loud\nmetrics:\n  listen: nine\n');
    const r = auscult(['config', 'check', '--no-env', f]); // the helper sets AUSCULT_LOG_LEVEL
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n').map((l) => l.replace(f, 'F').replace(/(F:\d+:\d+): .*(\[AUS_ERR_\w+\])$/, '$1 $2'))).toEqual([
      'auscult: F:2:12 [AUS_ERR_CONFIG_KEY]', 'auscult: F:4:10 [AUS_ERR_CONFIG_KEY]', 'auscult: F:6:11 [AUS_ERR_CONFIG_KEY]',
    ]);
  });

  it.skipIf(!hasTcpdump)(titled('a filter that does not compile exits 78 with the compiler message, without opening an interface', NO_TCPDUMP), () => {
    const f = join(cdir, 'filter.yaml');
    writeFileSync(f, 'capture:\n  bpf_filter: "udp port 67 and and"\n');
    const r = auscult(['config', 'check', f]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/capture\.bpf_filter: does not compile: .*syntax error.*\[AUS_ERR_BPF\]/);
  });

  it('status without a running sensor exits 1 (as README says) with a hint', () => {
    const r = auscult(['status', '--metrics', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the sensor at http:\/\/127\.0\.0\.1:9/);
  });
});
