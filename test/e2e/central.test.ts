/**
 * Many sites, one inventory: real sensors (the built CLI) ship to a real, throw-away PostgreSQL
 * cluster (Debian package postgresql). Three sensors at two sites with the same address plan
 * replay at once; one device moves from the first site to the second.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allShipEvents } from '../../src/inventory/ship-source.js';
import { openDatabase } from '../../src/inventory/store.js';
import { exposureRows } from '../../src/advisories/exposure.js';
import { currentAdvisories, kevSet } from '../../src/inventory/advisory-store.js';
import { listDevices } from '../../src/inventory/device-view.js';
import { auscult, BIN, ROOT, type CliResult } from '../helpers/cli.js';
import { PG_PASSWORD, PG_SKIP_REASON, pgClient, startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { makeSiteCapture } from '../helpers/site-capture.js';
import { parseCef } from '../helpers/cef.js';

const DEMO = join(ROOT, 'fixtures/demo/hospital-demo.pcapng');
const DEMO_UNTAGGED = join(ROOT, 'fixtures/demo/hospital-demo-untagged.pcapng');
const SOR = join(ROOT, 'fixtures/demo/sor-export.csv');
const MOVER = '9c:c8:ae:80:15:07';
const DAY_US = 86_400_000_000n;

let cluster: PgCluster;
let dir: string;
let macs: string[];
const env = () => ({ AUSCULT_CENTRAL_PASSWORD: PG_PASSWORD});

function runAsync(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...env(), ...extraEnv } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const ok = (args: string[], extraEnv: Record<string, string> = {}): CliResult => {
  const r = auscult(args, { env: { ...env(), ...extraEnv } });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};

interface CentralDevice { id: string; mac: string | null; ip: string | null; site: string; sites: { site: string; sensors: string[]; ips: string[] }[]; evidence: Record<string, { sensor: string; site: string }[]> }

describe.skipIf(PG_SKIP_REASON !== undefined)(`central PostgreSQL${PG_SKIP_REASON !== undefined ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), 'auscult-central-'));
    ok(['replay', DEMO, '--db', join(dir, 'probe.db')]);
    const probe = JSON.parse(ok(['devices', '--json', '--db', join(dir, 'probe.db')]).stdout) as { mac: string | null; serial: string | null }[];
    macs = probe.map((d) => d.mac).filter((m): m is string => m !== null);
    // South: the same address plan, other devices (renamed MACs and serial numbers), one day
    // later; the mover keeps its MAC and serial.
    const rename = new Map(macs.filter((m) => m !== MOVER).map((m) => [m, `02:5e:${m.slice(6)}`]));
    const serials = new Map(probe.filter((d) => d.mac !== MOVER && d.serial !== null && d.serial.length > 1).map((d) => [d.serial!, `${d.serial!.slice(0, -1)}${d.serial!.endsWith('Q') ? 'R' : 'Q'}`]));
    const made = makeSiteCapture(DEMO, join(dir, 'south.pcapng'), rename, DAY_US, serials);
    expect(made.replaced).toBeGreaterThan(0);
  });
  afterAll(() => {
    cluster?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('central init creates the schema once; a second init changes nothing; bad URL 78, wrong password 69', async () => {
    expect(ok(['central', 'init', '--central', cluster.url]).stderr).toContain('migrated from version 0 to 1');
    expect(ok(['central', 'init', '--central', cluster.url]).stderr).toContain('is current (version 1)');
    const c = await pgClient(cluster);
    const v = await c.query('SELECT version FROM central_schema_version');
    await c.end();
    expect(v.rows).toEqual([{ version: 1 }]);
    const bad = auscult(['central', 'devices', '--central', 'http://x/'], { env: env() });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('central.url');
    const denied = auscult(['central', 'devices', '--central', cluster.url], { env: { ...env(), AUSCULT_CENTRAL_PASSWORD: 'wrong' } });
    expect(denied.code).toBe(69);
    expect(denied.stderr).toContain('[AUS_ERR_CENTRAL]');
    expect(denied.stderr).not.toContain('wrong');
  });

  it('the password can come from central.password_file (AUSCULT_CENTRAL_PASSWORD_FILE), never from the URL shown', () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, `${PG_PASSWORD}\n`);
    const r = ok(['central', 'devices', '--central', cluster.url, '--json'], { AUSCULT_CENTRAL_PASSWORD: '', AUSCULT_CENTRAL_PASSWORD_FILE: pw });
    expect(JSON.parse(r.stdout)).toEqual([]);
    const shown = auscult(['central', 'devices', '--central', cluster.urlWithPassword.replace(PG_PASSWORD, 'nope')], { env: { ...env(), AUSCULT_CENTRAL_PASSWORD: '' } });
    expect(shown.code).toBe(69);
    expect(shown.stderr).not.toContain('nope');
    expect(shown.stderr).toContain('***');
  });

  it('three sensors at two sites replay concurrently: one device per MAC, evidence of both sensors at a site, a move in order, IPs per site', async () => {
    const runs = await Promise.all([
      runAsync(['replay', DEMO, '--db', join(dir, 'n1.db'), '--central', cluster.url, '--site', 'north'], { AUSCULT_SENSOR_ID: 'n1' }),
      runAsync(['replay', DEMO_UNTAGGED, '--db', join(dir, 'n2.db'), '--central', cluster.url, '--site', 'north'], { AUSCULT_SENSOR_ID: 'n2' }),
      runAsync(['replay', join(dir, 'south.pcapng'), '--db', join(dir, 's1.db'), '--central', cluster.url, '--site', 'south'], { AUSCULT_SENSOR_ID: 's1' }),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const devices = JSON.parse(ok(['central', 'devices', '--central', cluster.url, '--json']).stdout) as CentralDevice[];
    expect(devices.length).toBe(macs.length * 2 - 1);
    const byMac = new Map(devices.map((d) => [d.mac, d]));
    const localEvidence = (s: string) => new Map((JSON.parse(ok(['devices', '--json', '--db', join(dir, `${s}.db`)]).stdout) as { mac: string; evidence: Record<string, unknown[]> }[])
      .map((d) => [d.mac, Object.values(d.evidence).flat().length]));
    const evidenceOf = { n1: localEvidence('n1'), n2: localEvidence('n2') };
    for (const m of macs) {
      const d = byMac.get(m)!;
      const north = d.sites.find((s) => s.site === 'north')!;
      expect(north.sensors).toEqual(['n1', 'n2']);
      const fromSensor = (s: 'n1' | 'n2') => Object.values(d.evidence).flat().filter((e) => e.site === 'north' && e.sensor === s).length;
      expect([fromSensor('n1'), fromSensor('n2')]).toEqual([evidenceOf.n1.get(m), evidenceOf.n2.get(m)]);
    }
    expect([...evidenceOf.n2.values()].some((n) => n > 0)).toBe(true);
    const mover = byMac.get(MOVER)!;
    expect(mover.sites.map((s) => s.site)).toEqual(['north', 'south']);
    expect(mover.site).toBe('south');
    expect(mover.sites[1]!.sensors).toEqual(['s1']);
    for (const m of macs.filter((x) => x !== MOVER)) {
      expect(byMac.get(m)!.sites.map((s) => s.site)).toEqual(['north']);
      expect(byMac.get(`02:5e:${m.slice(6)}`)!.sites.map((s) => s.site)).toEqual(['south']);
    }
    // The same IP at both sites is two devices; --site says which.
    const ip = byMac.get(macs.find((m) => m !== MOVER && byMac.get(m)!.ip !== null)!)!.ip!;
    const both = JSON.parse(ok(['central', 'device', ip, '--central', cluster.url, '--json']).stdout) as CentralDevice[];
    expect(both.map((d) => d.site).sort()).toEqual(['north', 'south']);
    const south = JSON.parse(ok(['central', 'device', ip, '--site', 'south', '--central', cluster.url, '--json']).stdout) as CentralDevice;
    expect(south.mac?.startsWith('02:5e:')).toBe(true);
    // Every event of every sensor is there once.
    const c = await pgClient(cluster);
    for (const s of ['n1', 'n2', 's1']) {
      const db = openDatabase(join(dir, `${s}.db`), { readonly: true });
      const local = allShipEvents(db);
      db.close();
      const central = await c.query<{ stream: string; seq: string; body: unknown }>('SELECT stream, seq, body FROM event WHERE sensor_id = $1 ORDER BY stream, seq', [s]);
      expect(central.rows.map((r) => [r.stream, Number(r.seq), r.body])).toEqual(
        local.sort((a, b) => a.stream.localeCompare(b.stream) || a.seq - b.seq).map((e) => [e.stream, e.seq, JSON.parse(e.body)]));
    }
    await c.end();
    // Shipping again sends nothing new.
    const again = JSON.parse(ok(['ship', '--db', join(dir, 'n1.db'), '--central', cluster.url, '--site', 'north', '--json']).stdout) as { events: number; devices: number };
    expect(again).toMatchObject({ events: 0, devices: 0 });
  });

  it('central exposure: advisories imported into a local database, matched against every site; north equals the local register of a north sensor', () => {
    const adv = join(dir, 'advisories.db');
    ok(['advisories', 'import', join(ROOT, 'fixtures/advisories/auscult-lab-2026-001.json'), '--db', adv]);
    type Row = { site: string; mac: string | null; advisory_id: string; cve: string | null; verdict: string; firmware_evidence: { capture: string | null; frame: number } | null };
    const rows = JSON.parse(ok(['central', 'exposure', '--central', cluster.url, '--db', adv, '--json']).stdout) as Row[];
    const key = (r: Row) => `${r.mac} ${r.advisory_id} ${r.cve} ${r.verdict}`;
    const advDb = openDatabase(adv, { readonly: true });
    const n1 = openDatabase(join(dir, 'n1.db'), { readonly: true });
    const local = (exposureRows(currentAdvisories(advDb), listDevices(n1, { withHistory: true }), kevSet(advDb)) as unknown as Row[]).map(key).sort();
    advDb.close();
    n1.close();
    expect(local.length).toBeGreaterThan(0);
    // The mover was last heard at south; every other north device's rows are the local ones.
    const northOnly = (r: Row) => r.mac !== MOVER;
    expect(rows.filter((r) => r.site === 'north').map(key).sort()).toEqual(local.filter((k) => !k.startsWith(MOVER)));
    const south = rows.filter((r) => r.site === 'south');
    expect(south.length).toBe(rows.filter((r) => r.site === 'north').length + rows.filter((r) => !northOnly(r)).length);
    expect(rows.every((r) => r.firmware_evidence === null || r.firmware_evidence.frame > 0)).toBe(true);
    const affected = JSON.parse(ok(['central', 'exposure', '--central', cluster.url, '--db', adv, '--json', '--site', 'south', '--verdict', 'affected']).stdout) as Row[];
    expect(affected.every((r) => r.site === 'south' && r.verdict === 'affected')).toBe(true);
    expect(affected.length).toBe(south.filter((r) => r.verdict === 'affected').length);
    const csv = ok(['central', 'exposure', '--central', cluster.url, '--db', adv, '--csv']).stdout.trim().split('\n');
    expect(csv[0]).toMatch(/^site,verdict,advisory_id,/);
    expect(csv.length).toBe(rows.length + 1);
    // A missing advisories database is an error, never a new empty database.
    const missing = auscult(['central', 'exposure', '--central', cluster.url, '--db', join(dir, 'nope.db')], { env: env() });
    expect(missing.code).not.toBe(0);
    expect(() => readFileSync(join(dir, 'nope.db'))).toThrow();
  }, 180_000);

  it('central import (site column) and reconcile: the local line shapes plus site, per-site exceptions, resolved when the record is fixed', () => {
    const csv = readFileSync(SOR, 'utf8').trimEnd().split('\n');
    const sited = [`${csv[0]},Site`, ...csv.slice(1).map((l) => `${l},north`)].join('\n');
    writeFileSync(join(dir, 'all-sites.csv'), `${sited}\n`);
    expect(ok(['central', 'import', join(dir, 'all-sites.csv'), '--central', cluster.url]).stderr).toContain('(north: 10)');
    const stream = join(dir, 'central.ndjson');
    const r = ok(['central', 'reconcile', '--central', cluster.url, '--json', '--stream', stream]);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { site: string; type: string; mac: string | null; status: string });
    // The same open exceptions in the SIEM shapes: OCSF Compliance Findings and CEF naming central/<site>.
    const ocsf = ok(['central', 'reconcile', '--central', cluster.url, '--json', '--format', 'ocsf']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { class_uid: number });
    expect(ocsf.length).toBe(lines.length);
    expect(ocsf.every((o) => o.class_uid === 2003)).toBe(true);
    const cef = ok(['central', 'reconcile', '--central', cluster.url, '--json', '--format', 'cef']).stdout.trim().split('\n').map(parseCef);
    expect(cef.map((c) => [c.ext['dvchost'], c.ext['smac'] ?? null])).toEqual(lines.map((l) => [`central/${l.site}`, l.mac]));
    // North's exceptions are those of one local database that heard both north captures.
    ok(['replay', DEMO, DEMO_UNTAGGED, '--db', join(dir, 'north-local.db')]);
    ok(['import', SOR, '--db', join(dir, 'north-local.db')]);
    const local = ok(['reconcile', '--db', join(dir, 'north-local.db'), '--json', '--stream', join(dir, 'local.ndjson')]).stdout.trim().split('\n')
      .map((l) => JSON.parse(l) as { type: string; event_id: string; field: string | null });
    const key = (l: { type: string; event_id: string }) => `${l.type} ${l.event_id}`;
    expect(lines.filter((l) => l.site === 'north').map((l) => key(l as never)).sort()).toEqual(local.map(key).sort());
    // South has no records: every device heard there is not in the inventory.
    const south = lines.filter((l) => l.site === 'south');
    expect(south.length).toBeGreaterThan(0);
    expect(new Set(south.map((l) => l.type))).toEqual(new Set(['not_in_inventory']));
    expect(readFileSync(stream, 'utf8').trim().split('\n').length).toBe(lines.length);
    // Once the records list the south devices too, their exceptions resolve.
    const southRows = csv.slice(1).map((l) => `${l},south`);
    writeFileSync(join(dir, 'all-sites-2.csv'), `${[`${csv[0]},Site`, ...csv.slice(1).map((l) => `${l},north`), ...southRows].join('\n')}\n`);
    ok(['central', 'import', join(dir, 'all-sites-2.csv'), '--central', cluster.url]);
    ok(['central', 'reconcile', '--central', cluster.url, '--json', '--stream', stream]);
    const appended = readFileSync(stream, 'utf8').trim().split('\n').slice(lines.length).map((l) => JSON.parse(l) as { status: string; site: string; seq: number });
    expect(appended.some((l) => l.status === 'resolved' && l.site === 'south')).toBe(true);
    const report = join(dir, 'report');
    ok(['central', 'report', '--central', cluster.url, '--out', report]);
    const data = JSON.parse(readFileSync(join(report, 'central-report.json'), 'utf8')) as { sites: { site: string; devices: number }[]; moved: { mac: string; sites: string[] }[] };
    expect(data.sites.map((s) => [s.site, s.devices])).toEqual([['north', macs.length], ['south', macs.length]]);
    expect(data.moved).toEqual([{ id: `mac-${MOVER.replace(/:/g, '')}`, mac: MOVER, sites: ['north', 'south'] }]);
  });

  it('replay with an unreachable central database keeps everything locally, warns and exits 69; auscult ship sends it later', () => {
    const db = join(dir, 'late.db');
    const dead = 'postgres://postgres@127.0.0.1:1/postgres';
    const r = auscult(['replay', DEMO, '--db', db, '--central', dead, '--site', 'east'], { env: { ...env(), AUSCULT_SENSOR_ID: 'late' } });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('not shipped (kept in');
    const s = JSON.parse(ok(['ship', '--db', db, '--central', cluster.url, '--site', 'east', '--json'], { AUSCULT_SENSOR_ID: 'late' }).stdout) as { sensor: string; devices: number };
    expect(s).toMatchObject({ sensor: 'late', devices: macs.length });
  });
});
