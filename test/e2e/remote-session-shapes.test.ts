/**
 * Issue 20: remote-access sessions and their exceptions in every SIEM shape, through
 * `auscult events`, on the lab capture (fixtures/remote) and, when ../shared is present, nDPI's
 * RDP-over-TLS capture (a real `mstshash=WDeployAd` cookie). Every ndjson line is valid against
 * schemas/ (remote-session.schema.json for session lines); every OCSF line against the OCSF 1.8.0
 * schema files (sessions: Network Activity 4001, initiator as src_endpoint); every ECS line
 * against ecs_flat.yml (event.category network, source/destination, network.*); CEF and syslog
 * parse back with an independent parser to the same event_id, seq, ends and evidence. No user
 * name from an RDP cookie appears in any output, the stream file or the database.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { parseCef, parseSyslog } from '../helpers/cef.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';
import { EcsValidator, OcsfValidator } from '../helpers/siem-schemas.js';
import { expectValidLines } from '../unit/reconcile/schemas.js';

const LAB = join(ROOT, 'fixtures/remote/lab-remote-access.pcapng');
const RDP_TLS = sharedPath('captures', 'remote-access', 'rdp_over_tls.pcap');
const CANARIES = ['CANARY-TECH-USER', 'WDeployAd', 'mstshash'];
let dir: string;
let db: string;
const printed: string[] = [];

function ok(args: string[]): string {
  const r = auscult(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr.slice(-2000)}`).toBe(0);
  printed.push(r.stdout, r.stderr);
  return r.stdout;
}
const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');
type Line = Record<string, unknown>;
const events = (format: string): string[] => linesOf(ok(['events', '--db', db, '--format', format, '--sensor', 'icu-sensor-1']));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-remote-shapes-'));
  db = join(dir, 'site.db');
  const sor = join(dir, 'sor.csv');
  writeFileSync(sor, 'Asset Tag,MAC Address,Remote Access,Service Window\n' +
    'PUMP-01,02:a5:00:40:00:01,SSH,Mon-Fri 08:00-17:00 America/New_York\nRDP-1,2c:ea:7f:41:e0:fd,TeamViewer,\n');
  ok(['import', '--db', db, sor]);
  ok(['replay', '--db', db, '--stream', join(dir, 'stream.ndjson'), LAB, ...(existsSync(RDP_TLS) ? [RDP_TLS] : [])]);
}, 120_000);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('remote sessions in every shape', () => {
  it('ndjson: the stream lines plus sensor, ip, hostname, all schema-valid; sessions before the exceptions that name them', () => {
    const lines = expectValidLines(events('ndjson').join('\n'));
    const sessions = lines.filter((l) => l['event_type'] === 'remote_session');
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(sessions.every((s) => s['sensor'] === 'icu-sensor-1' && s['severity'] === 'info')).toBe(true);
    const rdp = sessions.find((s) => s['tool'] === 'rdp' && s['device_ip'] === '10.40.0.10') as Line;
    expect(rdp['ip']).toBe('10.40.0.10');
    const exc = lines.filter((l) => l['event_type'] === 'exception' && String(l['type']).startsWith('remote_access_'));
    // PUMP-01: VNC and RDP unapproved, three sessions on a Saturday outside its New York weekday window.
    expect(exc.map((l) => [l['type'], l['asset_id'], l['observed']]).filter((x) => x[1] === 'PUMP-01').sort()).toEqual([
      ['remote_access_outside_window', 'PUMP-01', '2026-12-05T08:28:49.972Z (Sat 03:28 America/New_York)'],
      ['remote_access_outside_window', 'PUMP-01', '2026-12-05T08:28:50.628Z (Sat 03:28 America/New_York)'],
      ['remote_access_outside_window', 'PUMP-01', '2026-12-05T08:28:51.142Z (Sat 03:28 America/New_York)'],
      ['remote_access_unapproved', 'PUMP-01', 'Remote Desktop (RDP)'],
      ['remote_access_unapproved', 'PUMP-01', 'VNC (RFB)'],
    ]);
    const sessionSeq = new Map(sessions.map((s) => [`remote_session:${String(s['event_id'])}`, s['seq'] as number]));
    for (const e of exc) {
      for (const ev of e['evidence'] as { source: string }[]) expect(sessionSeq.get(ev.source)).toBeLessThan(e['seq'] as number);
    }
    if (existsSync(RDP_TLS)) expect(exc.some((l) => l['asset_id'] === 'RDP-1' && l['observed'] === 'Remote Desktop (RDP)')).toBe(true);
  });

  it('OCSF: every line valid against the 1.8.0 schema files; a session is Network Activity (4001) with the initiator as src_endpoint', (ctx) => {
    if (!sharedAvailable('schemas', 'ocsf')) ctx.skip(SHARED_SKIP_REASON);
    const bare = expectValidLines(events('ndjson').join('\n'));
    const ocsf = events('ocsf').map((l) => JSON.parse(l) as Line);
    expect(ocsf).toHaveLength(bare.length);
    const validator = new OcsfValidator();
    ocsf.forEach((o, i) => expect(validator.validate(o), `line ${i + 1}`).toEqual([]));
    const pairs = ocsf.map((o, i) => [o, bare[i] as Line] as const).filter(([, e]) => e['event_type'] === 'remote_session');
    for (const [o, e] of pairs) {
      expect(o['class_uid']).toBe(4001);
      const u = (o['unmapped'] as { auscult: Line }).auscult;
      expect(u['event_id']).toBe(e['event_id']);
      expect(u['evidence']).toEqual(e['evidence']);
      expect((o['metadata'] as { sequence: number }).sequence).toBe(e['seq']);
      const inbound = e['direction'] === 'inbound';
      const src = o['src_endpoint'] as Line;
      const dst = o['dst_endpoint'] as Line;
      expect([src['ip'], src['port']]).toEqual(inbound ? [e['peer_ip'], e['peer_port']] : [e['device_ip'], e['device_port']]);
      expect([dst['ip'], dst['port']]).toEqual(inbound ? [e['device_ip'], e['device_port']] : [e['peer_ip'], e['peer_port']]);
      expect((o['connection_info'] as Line)['direction_id']).toBe(inbound ? 1 : 2);
      const traffic = o['traffic'] as Line;
      expect(traffic['bytes_out']).toBe(inbound ? e['bytes_to_device'] : e['bytes_from_device']);
      expect(traffic['packets']).toBe(e['frames']);
    }
    const [rdp, rdpLine] = pairs.find(([, e]) => e['tool'] === 'rdp' && e['device_ip'] === '10.40.0.10') as readonly [Line, Line];
    // xrdp reset the connection (end reason rst): activity Reset.
    expect(rdpLine['end_reason']).toBe('rst');
    expect(rdp).toMatchObject({ app_name: 'Remote Desktop (RDP)', app_protocol_name: 'ms-wbt-server', activity_id: 3, activity_name: 'Reset', type_uid: 400103 });
    expect(rdp['dst_endpoint']).toMatchObject({ ip: '10.40.0.10', port: 3389, mac: '02:a5:00:40:00:01' });
    // The validator catches a broken session line (a validator that passes everything is a defect).
    expect(validator.validate({ ...rdp, connection_info: { direction_id: 9 } }).join()).toContain('direction_id: 9 not in enum');
    expect(validator.validate({ ...rdp, src_endpoint: { port: 1 } }).join()).toContain('needs at least one of');
    const noProfile = { ...rdp, metadata: { ...(rdp['metadata'] as Line), profiles: [] } };
    expect(validator.validate(noProfile).join()).toContain('device');
  });

  it('ECS: every line valid against ecs_flat.yml; a session is a network event with source, destination and network.*', (ctx) => {
    if (!sharedAvailable('schemas', 'ecs')) ctx.skip(SHARED_SKIP_REASON);
    const bare = expectValidLines(events('ndjson').join('\n'));
    const ecs = events('ecs').map((l) => JSON.parse(l) as Line);
    expect(ecs).toHaveLength(bare.length);
    const validator = new EcsValidator();
    ecs.forEach((o, i) => expect(validator.validate(o), `line ${i + 1}`).toEqual([]));
    ecs.forEach((o, i) => {
      const e = bare[i] as Line;
      if (e['event_type'] !== 'remote_session') return;
      const ev = o['event'] as Line;
      expect([ev['kind'], ev['category'], ev['type'], ev['id'], ev['sequence']]).toEqual(['event', ['network'], ['connection', 'end'], e['event_id'], e['seq']]);
      expect(ev['start']).toBe(e['start']);
      const inbound = e['direction'] === 'inbound';
      expect((o['source'] as Line)['ip']).toBe(inbound ? e['peer_ip'] : e['device_ip']);
      expect((o['destination'] as Line)['port']).toBe(inbound ? e['device_port'] : e['peer_port']);
      expect((o['source'] as Line)['bytes']).toBe(inbound ? e['bytes_to_device'] : e['bytes_from_device']);
      expect(o['network']).toMatchObject({ transport: e['transport'], direction: e['direction'], application: e['tool'] });
      expect((o['auscult'] as Line)['evidence']).toEqual(e['evidence']);
    });
    const one = ecs.find((_o, i) => bare[i]?.['event_type'] === 'remote_session') as Line;
    expect(validator.validate({ ...one, source: { ip: 'not-an-ip' } }).join()).toContain('source.ip');
    expect(validator.validate({ ...one, network: { hops: 3 } }).join()).toContain('network.hops: not an ECS field');
  });

  it('CEF and syslog: parse back (independent parser) to the same event_id, seq, ends and evidence', () => {
    const bare = expectValidLines(events('ndjson').join('\n'));
    const cef = events('cef');
    const syslog = events('syslog');
    expect(cef).toHaveLength(bare.length);
    expect(syslog).toHaveLength(bare.length);
    let seen = 0;
    bare.forEach((e, i) => {
      const c = parseCef(cef[i] ?? '');
      expect(c.ext['externalId']).toBe(e['event_id']);
      expect(c.ext['cn1']).toBe(String(e['seq']));
      const s = parseSyslog(syslog[i] ?? '');
      expect(s.structuredData['event_id']).toBe(e['event_id']);
      expect(s.message).toBe(cef[i]);
      if (e['event_type'] !== 'remote_session') return;
      seen++;
      expect(c.header.deviceEventClassId).toBe(`remote_session:${String(e['tool'])}`);
      expect(c.header.name).toBe(e['message']);
      expect(c.header.severity).toBe('1');
      const inbound = e['direction'] === 'inbound';
      expect([c.ext['src'], c.ext['spt'], c.ext['dst'], c.ext['dpt']]).toEqual(inbound
        ? [e['peer_ip'], String(e['peer_port']), e['device_ip'], String(e['device_port'])]
        : [e['device_ip'], String(e['device_port']), e['peer_ip'], String(e['peer_port'])]);
      expect(c.ext['proto']).toBe(String(e['transport']).toUpperCase());
      expect(c.ext['app']).toBe(e['tool']);
      expect(c.ext['cs4']).toBe(e['how']);
      expect(JSON.parse(c.ext['cs5'] ?? '[]')).toEqual(e['evidence']);
      expect(s.msgId).toBe('remote_session');
    });
    expect(seen).toBeGreaterThanOrEqual(4);
  });

  it('no RDP cookie user name in any output, the stream file or the database', () => {
    expect(readFileSync(LAB).toString('latin1')).toContain('mstshash=CANARY-TECH-USER');
    for (const f of ['ndjson', 'ocsf', 'ecs', 'cef', 'syslog']) events(f);
    ok(['sessions', '--db', db, '--json']);
    for (const text of printed) for (const c of CANARIES) expect(text).not.toContain(c);
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f)).toString('latin1');
      for (const c of CANARIES) expect(bytes, f).not.toContain(c);
    }
  });
});
