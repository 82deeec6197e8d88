/**
 * A passive host, in a fresh network namespace (IPv6 on by default, as on a real host): on an
 * unprepared veth `auscult run` warns with the exact sysctl/ip commands; after
 * deploy/prepare-interface.sh the warnings are gone and not one frame leaves the interface
 * (its tx_packets stays 0) from before auscult opens it to after it has captured traffic.
 * Needs root, iproute2, tcpreplay and auscult's libpcap addon (npm run build); skipped with the reason otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { titled, toolMissing } from '../helpers/tools.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../../src/capture/libpcap.js';

const NS = `auscult-passive-${process.pid}`;
const METRICS = '127.0.0.1:9465';

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  const tool = toolMissing('ip') ?? toolMissing('tcpreplay');
  if (tool !== null) return tool;
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  return null;
}
const SKIP = skipReason();

const sh = (args: string[]): string => {
  const r = spawnSync(args[0] ?? '', args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const inNs = (args: string[]) => ['ip', 'netns', 'exec', NS, ...args];
const tx = (ifname: string) => Number(sh(inNs(['cat', `/sys/class/net/${ifname}/statistics/tx_packets`])).trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;

/** Runs `auscult run` on `ifname` until its health endpoint answers, then stops it; returns stderr. */
async function runBriefly(ifname: string, during?: () => void): Promise<string> {
  const config = join(dir, `${ifname}.yaml`);
  writeFileSync(config, `capture:\n  interface: ${ifname}\ndatabase:\n  path: ${join(dir, `${ifname}.db`)}\nmetrics:\n  listen: ${METRICS}\noutput:\n  exceptions_path: ${join(dir, `${ifname}.ndjson`)}\n`);
  const child: ChildProcess = spawn('ip', ['netns', 'exec', NS, process.execPath, BIN, 'run', '--config', config], {
    cwd: dir, env: { ...process.env, AUSCULT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const closed = new Promise((r) => child.once('close', r));
  const end = Date.now() + 20_000;
  while (!err.includes('"capturing"') && !err.includes('capturing')) {
    if (Date.now() > end || child.exitCode !== null) break;
    await sleep(100);
  }
  during?.();
  await sleep(1500);
  child.kill('SIGTERM');
  await closed;
  return err;
}

describe.skipIf(SKIP !== null)(titled('auscult run on a passive host (network namespace)', SKIP), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-passive-'));
    sh(['ip', 'netns', 'add', NS]);
    sh(inNs(['ip', 'link', 'set', 'lo', 'up']));
    for (const [a, b] of [['vc', 'vd'], ['ve', 'vg']]) {
      sh(inNs(['ip', 'link', 'add', a ?? '', 'type', 'veth', 'peer', 'name', b ?? '']));
      sh(inNs(['ip', 'link', 'set', 'dev', b ?? '', 'up']));
    }
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an unprepared interface gets a warning per problem, each with the exact command', async () => {
    sh(inNs(['ip', 'address', 'add', '192.0.2.7/24', 'dev', 'vc']));
    sh(inNs(['ip', 'link', 'set', 'dev', 'vc', 'up']));
    const err = await runBriefly('vc');
    expect(err).toContain('not a passive host: IPv6 is enabled');
    expect(err).toContain('run: sysctl -w net.ipv6.conf.vc.disable_ipv6=1');
    expect(err).toContain('run: ip address flush dev vc');
    expect(err).toContain('run: ip link set dev vc arp off');
  });

  it('after deploy/prepare-interface.sh: no warning, and 0 frames leave the interface while auscult captures', async () => {
    sh(inNs(['sh', join(ROOT, 'deploy/prepare-interface.sh'), 've']));
    await sleep(500);
    const before = tx('ve');
    const err = await runBriefly('ve', () => {
      sh(inNs(['tcpreplay', '-q', '-i', 'vg', '--topspeed', join(ROOT, 'fixtures/dhcp/lab-dhcp-relay-opt82.pcapng')]));
    });
    expect(err).toContain('capturing');
    expect(err).not.toContain('not a passive host');
    expect(before).toBe(0);
    expect(tx('ve')).toBe(0);
  });
});
