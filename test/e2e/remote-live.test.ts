/**
 * Remote sessions live (issue 20): `auscult run` with the default BPF filter on a veth in a fresh
 * network namespace, tcpreplay pushing fixtures/remote/lab-remote-access.pcapng (real OpenSSH,
 * TigerVNC, xrdp, dnsmasq, OpenSSL) into the other end. The filter passes exactly the frames
 * libpcap says it does (tcpdump -r with the same filter), and after SIGTERM `auscult sessions`
 * holds the sessions a replay of the file gives (tool, device, peer, direction), with the TLS
 * application data left out by the filter. Needs root, `ip netns`, tcpreplay, tcpdump and the
 * libpcap addon; skipped with the reason otherwise (as test/e2e/live.test.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BPF_FILTER } from '../../src/config.js';
import { auscult, BIN, ROOT } from '../helpers/cli.js';
import { titled, toolMissing } from '../helpers/tools.js';
import { createVethNamespace, metric, nsGet, until as untilHolds } from '../helpers/netns-sensor.js';
import { loadPcapAddon, pcapAddonUnavailable } from '../../src/capture/libpcap.js';

const NS = `auscult-rlive-${process.pid}`;
const CAPTURE = join(ROOT, 'fixtures', 'remote', 'lab-remote-access.pcapng');
const METRICS = '127.0.0.1:9474';

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw capture)';
  const tool = toolMissing('ip') ?? toolMissing('tcpreplay') ?? toolMissing('tcpdump');
  if (tool !== null) return tool;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is unavailable (apt-get install -y iproute2)';
  if (loadPcapAddon() === null) return `auscult's libpcap addon: ${pcapAddonUnavailable()}`;
  return null;
}
const SKIP = skipReason();

const sh = (args: string[]) => {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const inNs = (args: string[]) => ['ip', 'netns', 'exec', NS, ...args];

const metrics = (): string => nsGet(NS, METRICS, '/metrics').body;

const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30000): Promise<T> => untilHolds(what, fn, timeoutMs, 200);

const summary = (json: string) => (JSON.parse(json) as { tool: string; device_ip: string; peer_ip: string; direction: string }[])
  .map((s) => `${s.tool} ${s.device_ip} ${s.peer_ip} ${s.direction}`);

let dir = '';

describe.skipIf(SKIP !== null)(titled('remote sessions from the live sensor', SKIP), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-rlive-'));
    chmodSync(dir, 0o777);
    // The lab capture holds two 1.6 kB frames (segmentation offload on the lab's veths): room for them.
    createVethNamespace(NS, 9000);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('the default filter passes what libpcap says, and SIGTERM leaves the sessions a replay finds', async () => {
    const passing = sh(['tcpdump', '-r', CAPTURE, '-nn', DEFAULT_BPF_FILTER]).trim().split('\n').length;
    const all = sh(['tcpdump', '-r', CAPTURE, '-nn']).trim().split('\n').length;
    expect(passing).toBeLessThan(all); // the TLS application data stays out
    const db = join(dir, 'live.db');
    const config = join(dir, 'live.yaml');
    const ocsfFile = join(dir, 'events.ocsf.ndjson');
    writeFileSync(config, `capture:\n  interface: va\ndatabase:\n  path: ${db}\nmetrics:\n  listen: ${METRICS}\ninventory:\n  flush_interval_ms: 500\n` +
      `output:\n  sensor_name: live-sensor\n  targets:\n    - {type: file, name: ocsf, format: ocsf, path: ${ocsfFile}}\n`);
    const child = spawn('ip', ['netns', 'exec', NS, process.execPath, BIN, 'run', '--config', config], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(`the sensor's metrics (${stderr.slice(-300)})`, () => (metrics().includes('auscult_capture_open 1') ? true : undefined));
      sh(inNs(['tcpreplay', '-q', '-i', 'vb', '--topspeed', CAPTURE]));
      let last = '';
      await until(`every passing frame processed (${passing}): ${last.split('\n').filter((l) => l.startsWith('auscult_packets')).join('; ')}`, () => {
        last = metrics();
        return metric(last, 'auscult_packets_processed_total') >= passing ? true : undefined;
      }).catch((err: Error) => { throw new Error(`${err.message} ${last.split('\n').filter((l) => l.startsWith('auscult_packets')).join('; ')}`); });
      expect(metric(metrics(), 'auscult_packets_received_total')).toBe(passing);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit, stderr).toBe(0);
    const live = auscult(['sessions', '--db', db, '--json']);
    expect(live.code, live.stderr).toBe(0);
    // What a replay of the file gives (test/e2e/remote-lab.test.ts).
    expect(summary(live.stdout)).toEqual([
      'ssh 10.40.0.10 10.40.0.50 inbound', 'vnc 10.40.0.10 10.40.0.50 inbound', 'rdp 10.40.0.10 10.40.0.50 inbound', 'anydesk 10.40.0.50 10.40.0.99 outbound',
    ]);
    // The communication profile is written by the live sensor too (issue 20): the technician's
    // peers with their services, the name it resolved and the SNI it called.
    const device = JSON.parse(auscult(['device', '10.40.0.50', '--db', db, '--json']).stdout) as { communication_profile: { peers: { peer_ip: string; port: number; direction: string; name: string | null }[]; names: { kind: string; name: string }[] } };
    expect(device.communication_profile.peers.map((p) => `${p.peer_ip}:${p.port} ${p.direction} ${p.name ?? '-'}`).sort()).toEqual([
      '10.40.0.10:22 out -', '10.40.0.10:3389 out -', '10.40.0.10:5901 out -', '10.40.0.2:53 out -', '10.40.0.99:443 out relay-7.net.anydesk.com',
    ]);
    expect(device.communication_profile.names.map((n) => `${n.kind} ${n.name}`)).toEqual(['dns relay-7.net.anydesk.com', 'sni relay-7.net.anydesk.com']);
    // Issue 20: with no system of record, the sensor's OCSF output got each session once, as Network Activity (4001), without the RDP cookie.
    const text = readFileSync(ocsfFile, 'utf8');
    expect(text).not.toContain('CANARY-TECH-USER');
    const sessions = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { class_uid: number; app_name?: string; unmapped: { auscult: { event_id: string } } })
      .filter((o) => o.class_uid === 4001);
    // Sorted: a session that ends (FIN/RST) is announced at the next flush, one that does not at the stop.
    expect(sessions.map((o) => o.app_name).sort()).toEqual(['AnyDesk', 'Remote Desktop (RDP)', 'SSH', 'VNC (RFB)']);
    expect(new Set(sessions.map((o) => o.unmapped.auscult.event_id)).size).toBe(4);
  });
});
