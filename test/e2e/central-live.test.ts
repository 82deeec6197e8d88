/**
 * `auscult run` shipping continuously to a real PostgreSQL (Debian package postgresql): the
 * sensor listens on a veth in a network namespace (as test/e2e/live.test.ts) and reaches the
 * server through its Unix socket (a file, so it crosses the namespace). The server is stopped
 * hard while packets arrive: /healthz reports the problem, the failures are counted, capture goes
 * on, and once the server is back the backlog ships by itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, BIN, ROOT } from '../helpers/cli.js';
import { PG_PASSWORD, PG_SKIP_REASON, pgClient, startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { createVethNamespace, nsGet as nsGetIn, until as untilHolds } from '../helpers/netns-sensor.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../../src/capture/libpcap.js';

const NS = `auscult-central-${process.pid}`;
const METRICS = '127.0.0.1:9464';
const RELAY = join(ROOT, 'fixtures/dhcp/lab-dhcp-relay-opt82.pcapng');
const SWITCH = join(ROOT, 'fixtures/lldp/lab-switch-endpoints.pcapng');

function skipReason(): string | undefined {
  if (PG_SKIP_REASON !== undefined) return PG_SKIP_REASON;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is unavailable (Debian package iproute2)';
  if (spawnSync('tcpreplay', ['--version']).status !== 0) return 'tcpreplay is not installed (Debian package tcpreplay)';
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  return undefined;
}
const SKIP = skipReason();

const sh = (args: string[]) => {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const inNs = (args: string[]) => ['ip', 'netns', 'exec', NS, ...args];
const nsGet = (path: string) => nsGetIn(NS, METRICS, path);

const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30000): Promise<T> => untilHolds(what, fn, timeoutMs, 200);

let dir: string;
let cluster: PgCluster;
let child: ChildProcess | undefined;

describe.skipIf(SKIP !== undefined)(`auscult run ships to the central database${SKIP !== undefined ? ` (skipped: ${SKIP})` : ''}`, () => {
  beforeAll(async () => {
    cluster = await startPgCluster();
    expect(auscult(['central', 'init', '--central', cluster.url], { env: { AUSCULT_CENTRAL_PASSWORD: PG_PASSWORD } }).code).toBe(0);
    dir = mkdtempSync(join(tmpdir(), 'auscult-central-live-'));
    chmodSync(dir, 0o777);
    createVethNamespace(NS);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships while capturing, reports the central database down in /healthz, and catches up when it is back', async () => {
    const db = join(dir, 'live.db');
    const config = join(dir, 'live.yaml');
    // Over the Unix socket (local connections trust in the test cluster).
    const url = `postgres://postgres@localhost/postgres?host=${cluster.dir}&port=${cluster.port}`;
    writeFileSync(config, `capture:\n  interface: va\ndatabase:\n  path: ${db}\nmetrics:\n  listen: ${METRICS}\ninventory:\n  flush_interval_ms: 300\ncentral:\n  url: ${url}\n  sensor_id: live-1\nsite: north\n`);
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, BIN, 'run', '--config', config], { cwd: dir, env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
    await until(`healthz (${stderr})`, () => nsGet('/healthz').status === 200);
    const c = await pgClient(cluster);
    const centralDevices = async () => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM device_sighting WHERE sensor_id = 'live-1'`)).rows[0]!.n);
    sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', SWITCH]));
    await until('devices shipped', async () => (await centralDevices()) >= 5);
    await c.end();

    cluster.stopImmediate();
    sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', RELAY]));
    const down = await until('health problem', () => {
      const r = nsGet('/healthz');
      return r.status === 503 && r.body.includes('central database unreachable') ? JSON.parse(r.body) as { capture_open: boolean; packets_received: number } : undefined;
    });
    expect(down.capture_open).toBe(true);
    expect(down.packets_received).toBe(101 + 38); // capture went on
    expect(nsGet('/metrics').body).toMatch(/^auscult_events_total\{name="central\.ship_failures"\} [1-9]/m);

    cluster.start();
    await until('healthy again', () => nsGet('/healthz').status === 200, 90_000);
    child.kill('SIGTERM');
    expect(await closed, stderr).toBe(0);
    const local = JSON.parse(auscult(['devices', '--db', db, '--json']).stdout) as { id: string }[];
    const c2 = await pgClient(cluster);
    const shipped = await c2.query<{ local_id: string }>(`SELECT local_id FROM device_sighting WHERE sensor_id = 'live-1' ORDER BY local_id`);
    await c2.end();
    expect(shipped.rows.map((r) => r.local_id)).toEqual(local.map((d) => d.id).sort());
    expect(local.length).toBeGreaterThan(5);
  }, 240_000);
});
