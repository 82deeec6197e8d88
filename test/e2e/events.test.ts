/**
 * `auscult events`: every line of every shape, on every fixture with a system of record, is
 * valid: NDJSON against schemas/exception.schema.json, OCSF against the OCSF 1.8.0 schema files,
 * ECS against ecs_flat.yml, CEF and syslog through parsers written independently of the encoder
 * (nsyslog-parser for the RFC 5424 header and CEF header split). Every shape carries the same
 * event_id, seq and evidence as the NDJSON line it was made from. The schema tests skip with
 * SHARED_SKIP_REASON when ../shared/schemas is absent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { parseCef, parseSyslog } from '../helpers/cef.js';
import { SHARED_SKIP_REASON, sharedAvailable } from '../helpers/shared.js';
import { EcsValidator, OcsfValidator } from '../helpers/siem-schemas.js';
import { expectValidLines } from '../unit/reconcile/schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-events-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const fx = (p: string) => join(ROOT, 'fixtures', p);
/** Fixture, system of record, and a corrected one (so `resolved` lines exist too). */
const FIXTURES = [
  ['hospital-demo', fx('demo/hospital-demo.pcapng'), 'fixtures/demo/sor-export.csv', null],
  ['lab-switch-endpoints', fx('lldp/lab-switch-endpoints.pcapng'), 'fixtures/sor/lab-switch-endpoints.csv', 'fixtures/sor/lab-switch-endpoints-updated.csv'],
  ['lab-switch-endpoints-vlans', fx('lldp/lab-switch-endpoints-vlans.pcapng'), 'fixtures/sor/lab-switch-endpoints.csv', 'fixtures/sor/lab-switch-endpoints-updated.csv'],
] as const;

function ok(args: string[]): string {
  const r = auscult(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');
/** The database's events as outbox lines: `auscult events --format ndjson` less the sensor, ip and hostname it adds. */
function bareEvents(db: string): Record<string, unknown>[] {
  const bare = linesOf(ok(['events', '--db', db])).map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    for (const k of ['sensor', 'ip', 'hostname']) delete o[k];
    return JSON.stringify(o);
  });
  return expectValidLines(bare.join('\n'));
}

const dbs = new Map<string, string>();
function database(name: string, capture: string, sor: string, fixed: string | null): string {
  let db = dbs.get(name);
  if (db !== undefined) return db;
  db = join(dir, `${name}.db`);
  const stream = join(dir, `${name}.ndjson`);
  ok(['import', sor, '--db', db]);
  ok(['replay', capture, '--db', db, '--stream', stream]);
  if (fixed !== null) {
    ok(['import', fixed, '--db', db]);
    ok(['reconcile', '--db', db, '--stream', stream]);
  }
  dbs.set(name, db);
  return db;
}

describe('auscult events', () => {
  // The databases (several CLI runs each) are built once, outside the tests' own time limit.
  beforeAll(() => { for (const [name, capture, sor, fixed] of FIXTURES) database(name, capture, sor, fixed); }, 600_000);
  for (const [name, capture, sor, fixed] of FIXTURES) {
    it(`${name}: ndjson is the stream file's lines plus sensor, ip, hostname; cef and syslog parse back to the same event_id, seq and evidence`, () => {
      const db = database(name, capture, sor, fixed);
      const ndjson = linesOf(ok(['events', '--db', db, '--format', 'ndjson', '--sensor', 'sensor-a'])).map((l) => JSON.parse(l) as Record<string, unknown>);
      const streamText = readFileSync(join(dir, `${name}.ndjson`), 'utf8');
      const events = expectValidLines(streamText);
      expect(events.length).toBeGreaterThan(0);
      expect(ndjson).toHaveLength(events.length);
      // The three keys come last; the rest is the stream file's line byte for byte.
      const byId = new Map((JSON.parse(ok(['devices', '--db', db, '--json'])) as { id: string; ips: string[]; hostname: string | null }[]).map((d) => [d.id, d]));
      ndjson.forEach((o, i) => {
        const { sensor, ip, hostname, ...rest } = o;
        expect(Object.keys(o).slice(-3)).toEqual(['sensor', 'ip', 'hostname']);
        expect(JSON.stringify(rest)).toBe(linesOf(streamText)[i]);
        expect(sensor).toBe('sensor-a');
        const d = typeof o['device_id'] === 'string' ? byId.get(o['device_id']) : undefined;
        expect(hostname).toBe(d?.hostname ?? null);
        if (ip === null) expect(d?.ips ?? []).toEqual([]);
        else expect(d?.ips).toContain(ip);
      });
      const cef = linesOf(ok(['events', '--db', db, '--format', 'cef', '--sensor', 'sensor-a']));
      const syslog = linesOf(ok(['events', '--db', db, '--format', 'syslog', '--sensor', 'sensor-a']));
      expect(cef).toHaveLength(events.length);
      expect(syslog).toHaveLength(events.length);
      events.forEach((e, i) => {
        const c = parseCef(cef[i] ?? '');
        expect(c.header.deviceEventClassId).toBe(`${String(e['event_type'])}:${String(e['type'])}`);
        expect(c.header.name).toBe(e['message']);
        expect(c.ext['externalId']).toBe(e['event_id']);
        expect(c.ext['cn1']).toBe(String(e['seq']));
        expect(c.ext['msg']).toBe(e['message']);
        expect(c.ext['dvchost']).toBe('sensor-a');
        const evidence = e['evidence'] as unknown[];
        expect(c.ext['cs5'] === undefined ? [] : JSON.parse(c.ext['cs5'])).toEqual(evidence);
        const s = parseSyslog(syslog[i] ?? '');
        expect(s.hostname).toBe('sensor-a');
        expect(s.appName).toBe('auscult');
        expect(s.structuredData['event_id']).toBe(e['event_id']);
        expect(s.structuredData['seq']).toBe(String(e['seq']));
        expect(s.message).toBe(cef[i]);
        if (e['event_type'] === 'lifecycle') {
          const changes = e['changes'] as unknown[];
          expect(c.ext['cs6'] === undefined ? [] : JSON.parse(c.ext['cs6'])).toEqual(changes);
        }
      });
      // Lifecycle: every device of the database was announced once with device_new, before any exception about it.
      const news = events.filter((e) => e['type'] === 'device_new');
      const devices = JSON.parse(ok(['devices', '--db', db, '--json'])) as unknown[];
      expect(news).toHaveLength(devices.length);
      expect(new Set(news.map((e) => e['event_id'])).size).toBe(news.length);
    });

    it(`${name}: every OCSF line is a valid Compliance Finding or Device Inventory Info (OCSF 1.8.0 schema files), same event_id/seq/evidence`, (ctx) => {
      if (!sharedAvailable('schemas', 'ocsf')) ctx.skip(SHARED_SKIP_REASON);
      const db = database(name, capture, sor, fixed);
      const events = bareEvents(db);
      const ocsf = linesOf(ok(['events', '--db', db, '--format', 'ocsf'])).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(ocsf).toHaveLength(events.length);
      const validator = new OcsfValidator();
      ocsf.forEach((o, i) => {
        expect(validator.validate(o), `line ${i + 1}`).toEqual([]);
        const e = events[i] as Record<string, unknown>;
        expect((o['metadata'] as { sequence: number }).sequence).toBe(e['seq']);
        if (e['event_type'] === 'lifecycle') {
          expect(o['class_uid']).toBe(5001);
          expect(o['activity_id']).toBe(1);
          const u = (o['unmapped'] as { auscult: { event_id: string; type: string; evidence?: unknown; changes?: unknown } }).auscult;
          expect(u.event_id).toBe(e['event_id']);
          expect(u.type).toBe(e['type']);
          expect(u.evidence ?? []).toEqual(e['evidence']);
          expect(u.changes ?? []).toEqual(e['changes']);
          expect((o['device'] as { uid: string }).uid).toBe(e['device_id']);
          return;
        }
        expect(o['class_uid']).toBe(2003);
        expect((o['finding_info'] as { uid: string }).uid).toBe(e['event_id']);
        expect((o['metadata'] as { sequence: number }).sequence).toBe(e['seq']);
        expect(o['activity_id']).toBe(e['status'] === 'open' ? 1 : 3);
        const ev = (o['evidences'] as { data: unknown }[] | undefined ?? []).map((x) => x.data);
        expect(ev).toEqual(e['evidence']);
      });
      if (fixed !== null) expect(ocsf.some((o) => o['activity_id'] === 3)).toBe(true);
    });

    it(`${name}: every ECS line is valid against ecs_flat.yml, same event_id/seq/evidence`, (ctx) => {
      if (!sharedAvailable('schemas', 'ecs')) ctx.skip(SHARED_SKIP_REASON);
      const db = database(name, capture, sor, fixed);
      const events = bareEvents(db);
      const ecs = linesOf(ok(['events', '--db', db, '--format', 'ecs'])).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(ecs).toHaveLength(events.length);
      const validator = new EcsValidator();
      ecs.forEach((o, i) => {
        expect(validator.validate(o), `line ${i + 1}`).toEqual([]);
        const e = events[i] as Record<string, unknown>;
        const ev = o['event'] as { id: string; sequence: number; kind: string };
        expect(ev.id).toBe(e['event_id']);
        expect(ev.sequence).toBe(e['seq']);
        expect(ev.kind).toBe(e['event_type'] === 'lifecycle' ? 'asset' : 'alert');
        expect((o['auscult'] as { evidence: unknown }).evidence).toEqual(e['evidence']);
      });
    });
  }

  it('the validators catch what they should (a validator that passes everything is a defect)', (ctx) => {
    if (!sharedAvailable('schemas')) ctx.skip(SHARED_SKIP_REASON);
    const db = database(...FIXTURES[1]);
    const o = linesOf(ok(['events', '--db', db, '--format', 'ocsf'])).map((l) => JSON.parse(l) as Record<string, unknown>).find((x) => x['class_uid'] === 2003) ?? {};
    const ocsf = new OcsfValidator();
    expect(ocsf.validate({ ...o, firmware: 'x' })).toContain('firmware: not an attribute here');
    expect(ocsf.validate({ ...o, severity_id: 42 }).join()).toContain('severity_id: 42 not in enum');
    const noTime = { ...o };
    delete noTime['time'];
    expect(ocsf.validate(noTime)).toContain('time: required');
    expect(ocsf.validate({ ...o, device: { type_id: 0, mac: 'zz' } }).join()).toContain('device.mac: zz does not match mac_t');
    expect(ocsf.validate({ ...o, evidences: [{ name: 'x' }] }).join()).toContain('needs at least one of');
    const e = JSON.parse(linesOf(ok(['events', '--db', db, '--format', 'ecs']))[0] ?? '') as Record<string, unknown>;
    const ecs = new EcsValidator();
    expect(ecs.validate({ ...e, device: { firmware: 'x' } })).toContain('device.firmware: not an ECS field');
    expect(ecs.validate({ ...e, event: { ...(e['event'] as object), kind: 'inventory' } }).join()).toContain('event.kind: inventory is not an allowed value');
    expect(ecs.validate({ ...e, host: { mac: ['00:11:22:33:44:55'] } }).join()).toContain('host.mac: 00:11:22:33:44:55 does not match');
  });

  it('--since keeps the events at or after a capture time; a bad time is a usage error (64)', () => {
    const db = database(...FIXTURES[1]);
    const all = linesOf(ok(['events', '--db', db]));
    expect(all.length).toBeGreaterThan(0);
    expect(ok(['events', '--db', db, '--since', '2000-01-01T00:00:00Z'])).toBe(`${all.join('\n')}\n`);
    expect(ok(['events', '--db', db, '--since', '2100-01-01T00:00:00Z'])).toBe('');
    expect(auscult(['events', '--db', db, '--since', 'yesterday']).code).toBe(64);
    expect(auscult(['events', '--db', db, '--format', 'xml']).code).toBe(64);
  });
});
