/**
 * The syslog output against a real collector: rsyslog (Debian `rsyslog`, TLS through
 * `rsyslog-gnutls`, the throwaway certificate made with `certtool` from `gnutls-bin`) started by
 * the test on loopback, one TCP and one TLS input, each writing the raw messages it received to
 * its own file. Every event of a lab database must be in each file exactly once, byte-identical
 * to `auscult events --format syslog`. A collector that is down costs bounded, counted loss and a
 * health problem, never a blocked caller, and the sink reconnects when it comes back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { readEvents, deviceLookup } from '../../src/output/event-source.js';
import { Outputs } from '../../src/output/outputs.js';
import { render } from '../../src/output/shapes.js';
import { SyslogSink } from '../../src/output/syslog-sink.js';
import { auscult, ROOT } from '../helpers/cli.js';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const GTLS = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so'];
const haveRsyslog = existsSync(RSYSLOGD) && GTLS.some((p) => existsSync(p)) && spawnSync('certtool', ['--version']).status === 0;
const SKIP = 'rsyslogd with TLS and certtool absent (Debian packages rsyslog, rsyslog-gnutls, gnutls-bin)';

let dir: string;
let rsyslog: ChildProcess | null = null;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-syslog-')); });
afterAll(() => {
  rsyslog?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function certificates(): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  writeFileSync(f('ca.tmpl'), 'cn = auscult test CA\nca\ncert_signing_key\nexpiration_days = 2\n');
  writeFileSync(f('srv.tmpl'), 'cn = localhost\ndns_name = localhost\nip_address = 127.0.0.1\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 2\n');
  const run = (args: string[]) => {
    const r = spawnSync('certtool', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`certtool ${args.join(' ')}: ${r.stderr}`);
  };
  run(['--generate-privkey', '--outfile', f('ca-key.pem')]);
  run(['--generate-self-signed', '--load-privkey', f('ca-key.pem'), '--template', f('ca.tmpl'), '--outfile', f('ca.pem')]);
  run(['--generate-privkey', '--outfile', f('key.pem')]);
  run(['--generate-certificate', '--load-privkey', f('key.pem'), '--load-ca-certificate', f('ca.pem'), '--load-ca-privkey', f('ca-key.pem'), '--template', f('srv.tmpl'), '--outfile', f('cert.pem')]);
  return { ca: f('ca.pem'), cert: f('cert.pem'), key: f('key.pem') };
}

async function startRsyslog(tcpPort: number, tlsPort: number): Promise<void> {
  const c = certificates();
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, `
global(workDirectory="${dir}" defaultNetstreamDriverCAFile="${c.ca}" defaultNetstreamDriverCertFile="${c.cert}" defaultNetstreamDriverKeyFile="${c.key}" maxMessageSize="64k")
module(load="imtcp" maxSessions="16")
template(name="raw" type="string" string="%rawmsg%\\n")
ruleset(name="tcp") { action(type="omfile" file="${dir}/tcp.log" template="raw") }
ruleset(name="tls") { action(type="omfile" file="${dir}/tls.log" template="raw") }
input(type="imtcp" port="${tcpPort}" address="127.0.0.1" ruleset="tcp")
input(type="imtcp" port="${tlsPort}" address="127.0.0.1" ruleset="tls" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
`);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd -N1: ${check.stderr}${check.stdout}`);
  rsyslog = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const listening = async (port: number) => {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(true)); // in use: rsyslog has it
        s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`rsyslogd did not listen on ${port}`);
  };
  await listening(tcpPort);
  await listening(tlsPort);
}

describe.skipIf(!haveRsyslog)(`syslog output to rsyslog (skips when ${SKIP})`, () => {
  it('TCP and TLS: every event in rsyslog\'s file exactly once, byte-identical to auscult events --format syslog', async () => {
    const db = join(dir, 'lab.db');
    for (const args of [['import', 'fixtures/sor/lab-switch-endpoints.csv'], ['replay', join(ROOT, 'fixtures/lldp/lab-switch-endpoints.pcapng'), '--stream', join(dir, 'lab.ndjson')],
      ['import', 'fixtures/sor/lab-switch-endpoints-updated.csv'], ['reconcile', '--stream', join(dir, 'lab.ndjson')]]) {
      const r = auscult([...args, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
    }
    const expected = auscult(['events', '--db', db, '--format', 'syslog', '--sensor', 'icu-sensor-1']).stdout.split('\n').filter((l) => l !== '');
    expect(expected.length).toBeGreaterThan(5);
    const tcpPort = await freePort();
    const tlsPort = await freePort();
    await startRsyslog(tcpPort, tlsPort);
    const handle = openDatabase(db);
    const common = { ca_file: null, server_name: null, max_queue: 1000, reconnect_min_ms: 50, reconnect_max_ms: 500 };
    const outputs = new Outputs(handle, [
      { type: 'syslog', name: 'tcp', transport: 'tcp', host: '127.0.0.1', port: tcpPort, ...common },
      { type: 'syslog', name: 'tls', transport: 'tls', host: '127.0.0.1', port: tlsPort, ...common, ca_file: join(dir, 'ca.pem'), server_name: 'localhost' },
      { type: 'file', name: 'ocsf-file', format: 'ocsf', path: join(dir, 'lab.ocsf.ndjson') },
    ], { sensor: 'icu-sensor-1', version: '0.1.0' });
    outputs.flush();
    outputs.flush(); // nothing new: nothing sent twice
    const lines = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '') : []);
    await waitFor(() => lines('tcp.log').length >= expected.length && lines('tls.log').length >= expected.length, 15_000, 'rsyslog to write every event');
    await outputs.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(lines('tcp.log')).toEqual(expected);
    expect(lines('tls.log')).toEqual(expected);
    expect(outputs.counters()).toContainEqual(['output.tls.dropped', 0]);
    // The file output holds exactly what `events --format ocsf` prints.
    expect(readFileSync(join(dir, 'lab.ocsf.ndjson'), 'utf8')).toBe(auscult(['events', '--db', db, '--format', 'ocsf', '--sensor', 'icu-sensor-1']).stdout);
    // Restart: the cursors hold, nothing is sent again.
    const again = new Outputs(handle, [{ type: 'syslog', name: 'tcp', transport: 'tcp', host: '127.0.0.1', port: tcpPort, ...common }], { sensor: 'icu-sensor-1', version: '0.1.0' });
    again.flush();
    await again.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(lines('tcp.log')).toHaveLength(expected.length);
    // Same lines as a render of the outbox (the library path the sensor uses).
    const ctx = { sensor: 'icu-sensor-1', version: '0.1.0', device: deviceLookup(handle) };
    expect([...readEvents(handle)].map((e) => render('syslog', e, ctx))).toEqual(expected);
    handle.close();
  }, 60_000);
});

describe('syslog sink with the collector down', () => {
  it('never blocks, keeps at most max_queue (the oldest dropped and counted), reports a health problem, reconnects and delivers the rest', async () => {
    const port = await freePort();
    const sink = new SyslogSink('soc', { transport: 'tcp', host: '127.0.0.1', port, caFile: null, serverName: null, maxQueue: 5, reconnectMinMs: 20, reconnectMaxMs: 100 });
    await waitFor(() => sink.problem() !== null, 2000, 'the connection to fail');
    expect(sink.problem()).toContain(`127.0.0.1:${port} (tcp) unreachable`);
    const t0 = performance.now();
    sink.enqueue(Array.from({ length: 20 }, (_, i) => `<134>1 2026-01-01T00:00:00.000Z s auscult - exception - message ${i}`));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(sink.queued).toBe(5);
    expect(sink.dropped).toBe(15);
    // The collector comes up: octet-counted frames arrive, the newest five.
    const got: string[] = [];
    let buf = '';
    const server = createServer((sock) => sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        const sp = buf.indexOf(' ');
        if (sp < 0) break;
        const n = Number(buf.slice(0, sp));
        if (buf.length < sp + 1 + n) break;
        got.push(buf.slice(sp + 1, sp + 1 + n));
        buf = buf.slice(sp + 1 + n);
      }
    }));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await waitFor(() => got.length === 5, 5000, 'the reconnect to deliver');
    expect(got.map((m) => m.split(' ').pop())).toEqual(['15', '16', '17', '18', '19']);
    expect(sink.problem()).toBeNull();
    expect(sink.reconnects).toBeGreaterThan(0);
    await sink.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
