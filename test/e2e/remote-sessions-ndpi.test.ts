/**
 * Remote sessions agree with nDPI (issue 20): every capture of ../shared/captures/remote-access
 * is replayed through the pipeline, and the sessions auscult records are compared with nDPI's
 * expected flows (`<capture>.out`, nDPI's own test results, read from the shared directory).
 *
 * For each capture: every flow nDPI names with a tool auscult knows (SSH, RDP, VNC, TeamViewer,
 * AnyDesk, Telnet, Citrix) is one auscult session with the same endpoints and tool, and auscult records no
 * session nDPI does not name. Flows of tools auscult does not recognise yet (NoMachine, Radmin,
 * RSH, XDMCP) are listed in NOT_RECOGNISED and must yield no session, so adding
 * one is a visible change here. Plus the RDP cookie canary on the real capture that carries one.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { RemoteSessionStore } from '../../src/inventory/remote-session-store.js';
import { auscult } from '../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

const DIR = sharedPath('captures', 'remote-access');
const available = sharedAvailable('captures', 'remote-access', 'MANIFEST.tsv');
const dir = mkdtempSync(join(tmpdir(), 'auscult-remote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** nDPI protocol name → auscult tool id. */
const TOOL_OF: Readonly<Record<string, string>> = { SSH: 'ssh', RDP: 'rdp', VNC: 'vnc', TeamViewer: 'teamviewer', AnyDesk: 'anydesk', Telnet: 'telnet', Citrix: 'citrix' };
/** nDPI names auscult does not recognise yet: their flows must give no session. */
const NOT_RECOGNISED = new Set(['NoMachine', 'Radmin', 'RSH', 'XDMCP']);

interface NdpiFlow { transport: string; a: string; b: string; names: string[] }

/** `\t1\tTCP 10.0.2.15:35732 <-> 162.250.2.170:5938 [proto: 148/TeamViewer]...` → flows. */
function ndpiFlows(outText: string): NdpiFlow[] {
  const flows: NdpiFlow[] = [];
  for (const line of outText.split('\n')) {
    const m = /^\t\d+\t(TCP|UDP) (\S+) <?-> (\S+) .*?\[proto: [\d.]+\/([^\]]+)\]/.exec(line);
    if (m === null) continue;
    flows.push({ transport: (m[1] as string).toLowerCase(), a: m[2] as string, b: m[3] as string, names: (m[4] as string).split('.') });
  }
  return flows;
}

const endpointKey = (transport: string, x: string, y: string) => `${transport} ${[x, y].sort().join(' ')}`;
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

const captures = available ? readdirSync(DIR).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort() : [];

describe.skipIf(!available)(`remote sessions agree with nDPI (${available ? DIR : SHARED_SKIP_REASON})`, () => {
  it('finds the 20 captures and their nDPI results', () => {
    expect(captures.length).toBe(20);
  });

  const results: { capture: string; expected: string[]; got: string[] }[] = [];

  it.each(captures)('%s', async (capture) => {
    const flows = ndpiFlows(readFileSync(join(DIR, `${capture}.out`), 'utf8'));
    expect(flows.length, 'nDPI result parsed').toBeGreaterThan(0);
    const expected = flows.flatMap((f) => {
      const tool = f.names.map((n) => TOOL_OF[n]).find((t) => t !== undefined);
      // A DNS flow that resolves a tool's name is not a session (nDPI: DNS.AnyDesk).
      if (tool === undefined || f.names[0] === 'DNS') return [];
      return [`${endpointKey(f.transport, f.a, f.b)} ${tool}`];
    }).sort();
    const db = join(dir, `${capture}.db`);
    const pipeline = openPipeline(db, { logger: silentLogger() });
    await pipeline.replayFile(join(DIR, capture));
    const sessions = new RemoteSessionStore(pipeline.db).list();
    pipeline.db.close();
    const got = sessions.map((s) => `${endpointKey(s.transport, hostPort(s.deviceIp, s.devicePort), hostPort(s.peerIp, s.peerPort))} ${s.tool}`).sort();
    results.push({ capture, expected, got });
    expect(got).toEqual(expected);
    for (const f of flows) if (f.names.some((n) => NOT_RECOGNISED.has(n))) expect(expected).toEqual([]);
  });

  it('every session names its evidence frames in order and counts bytes', async () => {
    const pipeline = openPipeline(join(dir, 'all.db'), { logger: silentLogger() });
    for (const c of ['ssh.pcap', 'vnc.pcap', 'teamviewer.pcap', 'anydesk.pcapng', 'rdp.pcap']) await pipeline.replayFile(join(DIR, c));
    const sessions = new RemoteSessionStore(pipeline.db).list();
    pipeline.db.close();
    expect(sessions.length).toBe(11);
    for (const s of sessions) {
      expect(s.firstFrame).toBeLessThanOrEqual(s.evidenceFrame);
      expect(s.evidenceFrame).toBeLessThanOrEqual(s.lastFrame);
      expect(s.bytesToDevice + s.bytesFromDevice).toBeGreaterThan(0);
      expect(s.end).toBeGreaterThanOrEqual(s.start);
    }
    // SSH: the version nDPI shows as the flow's "Hostname/SNI" is the banner auscult names.
    expect(sessions.filter((s) => s.tool === 'ssh').map((s) => s.how).sort()).toEqual(['ssh banner 2.0 OpenSSH_5.3', 'ssh banner 2.0 OpenSSH_8.2p1']);
    // TeamViewer's relay on 5938 is outbound from the device; VNC from the Internet is inbound.
    expect(sessions.find((s) => s.tool === 'teamviewer' && s.transport === 'tcp')).toMatchObject({ deviceIp: '10.0.2.15', peerPort: 5938, direction: 'outbound' });
    expect(sessions.filter((s) => s.tool === 'vnc').every((s) => s.deviceIp === '192.168.2.110' && s.direction === 'inbound')).toBe(true);
    expect(sessions.find((s) => s.how === 'tls alpn anydesk/6.2.0/linux')).toMatchObject({ deviceIp: '192.168.1.128', peerIp: '195.181.174.176', direction: 'outbound' });
  });

  it('the RDP cookie user name (WDeployAd) is in the capture but nowhere after replay', () => {
    const capture = join(DIR, 'rdp_over_tls.pcap');
    expect(readFileSync(capture).toString('latin1')).toContain('Cookie: mstshash=WDeployAd');
    const db = join(dir, 'canary.db');
    const printed: string[] = [];
    const replay = auscult(['replay', capture, '--db', db, '--log-level', 'trace']);
    expect(replay.code, replay.stderr).toBe(0);
    printed.push(replay.stdout, replay.stderr);
    for (const args of [['sessions', '--json'], ['sessions'], ['devices', '--json']]) {
      const r = auscult([...args, '--db', db, '--wide']);
      expect(r.code, r.stderr).toBe(0);
      printed.push(r.stdout, r.stderr);
    }
    expect(JSON.parse(printed[2] as string)).toHaveLength(1);
    for (const text of printed) expect(text).not.toMatch(/WDeployAd/i);
    for (const f of readdirSync(dir).filter((n) => n.startsWith('canary.db'))) expect(readFileSync(join(dir, f)).toString('latin1')).not.toMatch(/WDeployAd/i);
  });
});
