/**
 * The communication profile and `unexpected_external_peer` through the CLI (issue 20), on
 * fixtures/profile/lab-profile.pcapng (fixtures/lab/profile.sh: real dhclient, udhcpc, dhcpcd,
 * dnsmasq and OpenSSL). Import + replay + reconcile:
 * - the CMS8000 stand-in that calls 202.114.4.119 raises it as high (ICSMA-25-030-01), though
 *   it is unidentified;
 * - the Philips monitor's call to remote.philips.com is allowed by the shipped list, its call to
 *   telemetry.example.net raises it as medium, and the workstation's same call raises nothing;
 * - the monitor's MUD file (profile.mud_dir) or the hospital's list (profile.allowed_external)
 *   allows the call, and the open exception resolves;
 * - `device --json` shows the profile (golden), the stream lines validate against the schema.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { expectValidLines } from '../unit/reconcile/schemas.js';

const CAPTURE = join(ROOT, 'fixtures', 'profile', 'lab-profile.pcapng');
const MUD_DIR = join(ROOT, 'fixtures', 'profile', 'mud');
const dir = mkdtempSync(join(tmpdir(), 'auscult-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line { asset_id: string | null; type: string; status: string; severity: string; mac: string | null; device_id: string | null; expected: string | null; observed: string | null; message: string; event_id: string; evidence: { source: string; frame: number; capture: string | null }[] }

const SOR = 'Asset Tag,Manufacturer,Model,Serial Number,MAC Address,IP Address\nICU-MON-12,Philips,IntelliVue MX800,DE73A71212,00:09:FB:41:00:10,10.41.0.133\n';

function run(args: string[]): string {
  const r = auscult(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

function peerLines(stream: string): Line[] {
  return readFileSync(stream, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).filter((l) => l.type === 'unexpected_external_peer');
}

describe('unexpected_external_peer from a lab capture through the CLI', () => {
  const sor = join(dir, 'sor.csv');
  writeFileSync(sor, SOR);
  const db = join(dir, 'a.db');
  const stream = join(dir, 'a.ndjson');

  it('import + replay: high for the advisory-named address (any device), medium for the monitor\'s unlisted cloud, none for its vendor or the workstation', () => {
    run(['import', sor, '--db', db]);
    run(['replay', CAPTURE, '--db', db, '--stream', stream]);
    const lines = peerLines(stream);
    expect(lines.map((l) => [l.severity, l.mac, l.asset_id, l.observed, l.status])).toEqual([
      ['high', '02:a5:00:41:00:20', null, '202.114.4.119 tcp/2049 out', 'open'],
      // The asset id of the record reconciliation matched (by MAC).
      ['medium', '00:09:fb:41:00:10', 'ICU-MON-12', 'telemetry.example.net 93.184.0.20 tcp/443 out', 'open'],
    ]);
    const [cms, mon] = lines as [Line, Line];
    expect(cms.expected).toBe('blocked: ICSMA-25-030-01 says to block 202.114.4.0/24');
    expect(cms.message).toMatch(/^CMS8000-03 \(unidentified\) called 202\.114\.4\.119, which ICSMA-25-030-01 says to block/);
    expect(cms.evidence).toEqual([{ source: 'profile.peer', frame: 94, ts: expect.any(String), capture: 'lab-profile.pcapng' }]);
    expect(mon.expected).toBe('allowed: philips.com (shipped list, Philips); MUD file for https://mud.example.com/philips/intellivue-mx800.json not in profile.mud_dir');
    expect(mon.message).toBe('MON-ICU-12 (Philips IntelliVue MX800) called external telemetry.example.net, which no allowlist permits for it');
    expect(mon.evidence.map((e) => e.frame)).toEqual([77]);
    // Every line of the stream, these included, is valid against the published schema.
    expectValidLines(readFileSync(stream, 'utf8'));
  });

  it('device --json shows the monitor\'s profile (golden); the text view has the MUD URL, the peers and the names', async () => {
    const device = JSON.parse(run(['device', '00:09:fb:41:00:10', '--db', db, '--json'])) as { communication_profile: unknown };
    await expect(`${JSON.stringify(device.communication_profile, null, 2)}\n`).toMatchFileSnapshot('../golden/profile/device-mon-icu-12.profile.json');
    const text = auscult(['device', '10.41.0.133', '--db', db, '--wide']).stdout;
    expect(text).toMatch(/communication profile:\nmud url\s+https:\/\/mud\.example\.com\/philips\/intellivue-mx800\.json \(dhcp\.option161, frame 3\)/);
    expect(text).toMatch(/93\.184\.0\.10\s+external\s+remote\.philips\.com \(sni\)\s+tcp\/443\s+out\s+tls/);
    expect(text).toMatch(/dns\s+telemetry\.example\.net\s+1/);
  });

  it('the monitor\'s MUD file (profile.mud_dir) allows telemetry.example.net: the exception resolves; the advisory-named one stays; a missing MUD directory is reported', () => {
    const config = join(dir, 'mud.yaml');
    writeFileSync(config, `profile:\n  mud_dir: ${JSON.stringify(MUD_DIR)}\n`);
    run(['reconcile', '--db', db, '--stream', stream, '--config', config]);
    const lines = peerLines(stream);
    expect(lines.map((l) => [l.severity, l.mac, l.status])).toEqual([
      ['high', '02:a5:00:41:00:20', 'open'],
      ['medium', '00:09:fb:41:00:10', 'open'],
      ['medium', '00:09:fb:41:00:10', 'resolved'],
    ]);
    expect(lines[2]?.event_id).toBe(lines[1]?.event_id);
    const missing = join(dir, 'no-such-mud-dir');
    writeFileSync(config, `profile:\n  mud_dir: ${JSON.stringify(missing)}\n`);
    const r = auscult(['reconcile', '--db', db, '--stream', stream, '--config', config, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${missing}: cannot read the MUD directory`);
    // config check refuses it too (exit 78), and counts the MUD files of a good directory.
    const check = auscult(['config', 'check', config]);
    expect(check.code).toBe(78);
    expect(check.stderr).toContain(`auscult: profile.mud_dir: ${missing}: cannot read the MUD directory`);
    writeFileSync(config, `profile:\n  mud_dir: ${JSON.stringify(MUD_DIR)}\n`);
    const good = auscult(['config', 'check', config]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toContain('; 1 MUD file(s)');
    writeFileSync(config, `profile:\n  mud_dir: ${JSON.stringify(missing)}\n`);
    // Without the file the call is unexpected again: the same event id opens again.
    const again = peerLines(stream);
    expect(again.map((l) => [l.mac, l.status]).slice(3)).toEqual([['00:09:fb:41:00:10', 'open']]);
    expect(again[3]?.event_id).toBe(lines[1]?.event_id);
  });

  it('the evidence packet has the section: every external destination with its evidence frame, its exception and the advisory; per-device counts', () => {
    const out = join(dir, 'report');
    run(['report', '--db', db, '--stream', stream, '--out', out]);
    const csv = readFileSync(join(out, 'profile-external.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => (csv[0] as string[]).indexOf(name);
    expect(csv.slice(1).map((r) => [r[col('mac')], r[col('peer_ip')], r[col('name')], r[col('evidence')], r[col('exception')], r[col('advisory')]])).toEqual([
      ['00:0b:db:41:00:30', '93.184.0.20', 'telemetry.example.net', 'lab-profile.pcapng#104', '', ''],
      ['02:a5:00:41:00:20', '202.114.4.119', '', 'lab-profile.pcapng#94', 'open (high)', 'ICSMA-25-030-01'],
      ['00:09:fb:41:00:10', '93.184.0.10', 'remote.philips.com', 'lab-profile.pcapng#58', '', ''],
      ['00:09:fb:41:00:10', '93.184.0.20', 'telemetry.example.net', 'lab-profile.pcapng#77', 'open (medium)', ''],
    ]);
    const devices = readFileSync(join(out, 'profile-devices.csv'), 'utf8');
    expect(devices).toContain('mac-0009fb410010,00:09:fb:41:00:10,10.41.0.133,MON-ICU-12,Philips,medical,3,2,');
    expect(devices).toContain('https://mud.example.com/philips/intellivue-mx800.json');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<table id="profile-external" data-rows="4">');
    expect(html).toContain('<table id="profile-devices" data-rows="4">');
  });

  it('profile.allowed_external for the manufacturer (any spelling) allows it (replay --config); a list for another manufacturer does not', () => {
    const db2 = join(dir, 'c.db');
    const stream2 = join(dir, 'c.ndjson');
    const config = join(dir, 'allow.yaml');
    const allow = (manufacturer: string) => writeFileSync(config, `profile:\n  allowed_external:\n    - manufacturer: ${manufacturer}\n      names: [example.net]\n      note: CHG-0042\n`);
    allow('Koninklijke Philips');
    run(['import', sor, '--db', db2]);
    run(['replay', CAPTURE, '--db', db2, '--stream', stream2, '--config', config]);
    expect(peerLines(stream2).map((l) => l.mac)).toEqual(['02:a5:00:41:00:20']);
    allow('GE Healthcare');
    run(['reconcile', '--db', db2, '--stream', stream2, '--config', config]);
    expect(peerLines(stream2).map((l) => [l.mac, l.status])).toEqual([['02:a5:00:41:00:20', 'open'], ['00:09:fb:41:00:10', 'open']]);
  });
});
