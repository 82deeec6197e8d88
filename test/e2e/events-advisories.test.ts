/**
 * Advisory exposure in the SIEM shapes (issue 18): the lab advisory against the demo hospital
 * (`vulnerable_firmware`, `advisory_unverifiable`) and against the lab ventilator whose firmware is
 * upgraded on the wire (`patch_verified`), in one database. Advisory exposure is an OCSF Vulnerability Finding
 * (2002) naming the advisory, `patch_verified` lines reach every shape (they were dropped before),
 * a file output in each shape holds exactly what `auscult events` prints, and every OCSF and ECS
 * line validates against the shared schema files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { readEvents, renderContext } from '../../src/output/event-source.js';
import { Outputs } from '../../src/output/outputs.js';
import { OUTPUT_FORMATS, render, type OutputFormat } from '../../src/output/shapes.js';
import { auscult, ROOT } from '../helpers/cli.js';
import { parseCef, parseSyslog } from '../helpers/cef.js';
import { SHARED_SKIP_REASON, sharedAvailable } from '../helpers/shared.js';
import { EcsValidator, OcsfValidator } from '../helpers/siem-schemas.js';
import { validateExceptionLine } from '../unit/reconcile/schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-events-adv-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const validatePatch = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas/patch-verified.schema.json'), 'utf8')) as object);
const fx = (p: string): string => join(ROOT, 'fixtures', p);
const ADVISORY = fx('advisories/auscult-lab-2026-001.json');

function ok(args: string[]): string {
  const r = auscult(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');
type Obj = Record<string, unknown>;

let labDb: string | undefined;
/**
 * One database (the CSAF validator makes each advisory import cost seconds): the demo hospital
 * with its record and the lab advisory, reconciled; then the lab ventilator upgraded on the wire
 * twelve days later (so the demo's devices also go quiet).
 */
function database(): string {
  if (labDb !== undefined) return labDb;
  const db = join(dir, 'lab.db');
  const stream = join(dir, 'lab.ndjson');
  ok(['import', fx('demo/sor-export.csv'), '--db', db]);
  ok(['replay', fx('demo/hospital-demo.pcapng'), '--db', db, '--stream', stream]);
  ok(['advisories', 'import', ADVISORY, '--db', db]);
  ok(['reconcile', '--db', db, '--stream', stream]);
  ok(['replay', fx('lldp/lab-firmware-upgrade.pcapng'), '--db', db, '--stream', stream]);
  labDb = db;
  return db;
}

/** The stream file's lines, each checked against its JSON schema. */
function streamLines(name: string): Obj[] {
  return linesOf(readFileSync(join(dir, `${name}.ndjson`), 'utf8')).map((l, i) => {
    const v = JSON.parse(l) as Obj;
    const validate = v['event_type'] === 'patch_verified' ? validatePatch : validateExceptionLine;
    expect(validate(v), `${name} line ${i + 1}: ${JSON.stringify(validate.errors)}`).toBe(true);
    return v;
  });
}

/**
 * The events of a database in one shape, rendered in process (the CLI costs a process start per
 * call; one test below checks that `auscult events` prints the same text).
 */
const rendered = new Map<string, string>();
function shapeText(db: string, format: OutputFormat): string {
  const key = `${db}\u0000${format}`;
  let text = rendered.get(key);
  if (text === undefined) {
    const handle = openDatabase(db);
    try {
      const ctx = renderContext(handle, { sensor: 'icu-1', version: '0.1.0' });
      text = [...readEvents(handle)].map((e) => `${render(format, e, ctx)}\n`).join('');
    } finally {
      handle.close();
    }
    rendered.set(key, text);
  }
  return text;
}
let validators: { ocsf: OcsfValidator; ecs: EcsValidator } | undefined;

const VULNERABILITY_TYPES = new Set(['vulnerable_firmware', 'firmware_downgrade', 'deferral_expired', 'patch_verified']);
const typeOf = (e: Obj): string => (e['event_type'] === 'patch_verified' ? 'patch_verified' : String(e['type']));

describe('advisory exposure in every shape', () => {
  // Five CLI runs (the advisory import validates CSAF: seconds of CPU), once for the file.
  beforeAll(() => {
    database();
    if (sharedAvailable('schemas', 'ocsf') && sharedAvailable('schemas', 'ecs')) validators = { ocsf: new OcsfValidator(), ecs: new EcsValidator() };
  }, 600_000);
  {
    it('every line of the stream in every shape, advisory exposure an OCSF Vulnerability Finding naming the advisory', (ctx) => {
      if (!sharedAvailable('schemas', 'ocsf') || !sharedAvailable('schemas', 'ecs')) ctx.skip(SHARED_SKIP_REASON);
      const db = database();
      const events = streamLines('lab');
      const kinds = new Set(events.map(typeOf));
      expect([...kinds]).toEqual(expect.arrayContaining(['vulnerable_firmware', 'advisory_unverifiable', 'patch_verified', 'device_new', 'device_quiet']));

      const shape = (format: OutputFormat): string[] => linesOf(shapeText(db, format));
      const ocsf = shape('ocsf').map((l) => JSON.parse(l) as Obj);
      const ecs = shape('ecs').map((l) => JSON.parse(l) as Obj);
      const cef = shape('cef');
      const syslog = shape('syslog');
      const ndjson = shape('ndjson').map((l) => JSON.parse(l) as Obj);
      for (const lines of [ocsf, ecs, cef, syslog, ndjson]) expect(lines).toHaveLength(events.length);

      validators ??= { ocsf: new OcsfValidator(), ecs: new EcsValidator() };
      const { ocsf: ocsfValidator, ecs: ecsValidator } = validators;
      events.forEach((e, i) => {
        const type = typeOf(e);
        const evidence = e['event_type'] === 'patch_verified' ? [...(e['new_evidence'] as unknown[]), ...(e['old_evidence'] as unknown[])] : e['evidence'];
        const advisoryId = e['event_type'] === 'patch_verified' ? e['advisory_id'] : /affected by (\S+) /.exec(String(e['message']))?.[1] ?? /^(\S+) \(/.exec(String(e['message']))?.[1];

        const o = ocsf[i] as Obj;
        expect(ocsfValidator.validate(o), `ocsf line ${i + 1}`).toEqual([]);
        expect((o['metadata'] as { sequence: number }).sequence).toBe(e['seq']);
        const u = (o['unmapped'] as { auscult: Obj }).auscult;
        expect(u['event_id']).toBe(e['event_id']);
        if (VULNERABILITY_TYPES.has(type)) {
          // Vulnerability Finding has no `evidences`: the frames are in unmapped.
          expect(u['evidence'] ?? []).toEqual(evidence);
          expect(o['class_uid'], type).toBe(2002);
          expect((o['finding_info'] as { uid: string }).uid).toBe(e['event_id']);
          const vulns = o['vulnerabilities'] as { advisory?: { uid: string }; cve?: { uid: string } }[];
          expect(vulns.length).toBeGreaterThan(0);
          expect(u['advisory_id']).toBe('AUSCULT-LAB-2026-001');
          expect(vulns.map((v) => v.advisory?.uid ?? v.cve?.uid)).toContain('AUSCULT-LAB-2026-001');
          expect(o['activity_id']).toBe(e['status'] === 'open' ? 1 : 3);
        } else if (e['event_type'] === 'exception') {
          expect(o['class_uid']).toBe(2003);
          expect((o['evidences'] as { data: unknown }[] | undefined ?? []).map((x) => x.data)).toEqual(evidence);
          if (e['type'] === 'advisory_unverifiable') expect(u['advisory_id']).toBe(advisoryId);
        } else expect(o['class_uid']).toBe(5001);
        // The device object carries what the inventory knows of its make; its firmware stays in unmapped.
        if (e['device_id'] !== null) expect((o['device'] as { uid: string }).uid).toBe(e['device_id']);

        const x = ecs[i] as Obj;
        expect(ecsValidator.validate(x), `ecs line ${i + 1}`).toEqual([]);
        const ev = x['event'] as { id: string; sequence: number; kind: string; category: string[]; code: string };
        expect([ev.id, ev.sequence, ev.code]).toEqual([e['event_id'], e['seq'], type]);
        expect((x['auscult'] as { evidence: unknown }).evidence).toEqual(evidence);
        if (VULNERABILITY_TYPES.has(type)) expect((x['vulnerability'] as { report_id: string }).report_id).toBe('AUSCULT-LAB-2026-001');
        if (type !== 'patch_verified' && VULNERABILITY_TYPES.has(type)) expect(ev.category).toEqual(['vulnerability']);

        const c = parseCef(cef[i] ?? '');
        expect(c.header.deviceEventClassId).toBe(e['event_type'] === 'patch_verified' ? 'patch:patch_verified' : `${String(e['event_type'])}:${type}`);
        expect(c.ext['externalId']).toBe(e['event_id']);
        expect(c.ext['cn1']).toBe(String(e['seq']));
        expect(c.ext['cs5'] === undefined ? [] : JSON.parse(c.ext['cs5'])).toEqual(evidence);
        if (VULNERABILITY_TYPES.has(type)) expect([c.ext['cs6Label'], c.ext['cs6']]).toEqual(['advisory_id', 'AUSCULT-LAB-2026-001']);
        const s = parseSyslog(syslog[i] ?? '');
        expect([s.structuredData['event_id'], s.structuredData['seq'], s.structuredData['type']]).toEqual([e['event_id'], String(e['seq']), type]);
        expect(s.message).toBe(cef[i]);

        const validate = e['event_type'] === 'patch_verified' ? validatePatch : validateExceptionLine;
        expect(validate(ndjson[i]), `ndjson line ${i + 1}: ${JSON.stringify(validate.errors)}`).toBe(true);
        const bare = { ...ndjson[i] };
        expect([bare['sensor'], Object.keys(bare).slice(-3)]).toEqual(['icu-1', ['sensor', 'ip', 'hostname']]);
        for (const k of ['sensor', 'ip', 'hostname']) delete bare[k];
        expect(bare).toEqual(e);
      });
    });
  }

  it('the live file outputs in every shape write exactly what auscult events prints, patch_verified included', async () => {
    const db = database();
    expect(ok(['events', '--db', db, '--format', 'ocsf', '--sensor', 'icu-1'])).toBe(shapeText(db, 'ocsf'));
    const handle = openDatabase(db);
    try {
      const outputs = new Outputs(handle, OUTPUT_FORMATS.map((format) => ({ type: 'file' as const, name: `f-${format}`, format, path: join(dir, `lab.out.${format}`) })),
        { sensor: 'icu-1', version: '0.1.0' });
      outputs.claim();
      outputs.flush();
      outputs.flush(); // nothing new: nothing written twice
      await outputs.close();
      for (const format of OUTPUT_FORMATS) {
        const text = readFileSync(join(dir, `lab.out.${format}`), 'utf8');
        expect(text, format).toBe(shapeText(db, format));
        expect(text, format).toContain('patch_verified');
      }
    } finally {
      handle.close();
    }
  });

  it('lifecycle and exception lines carry the device\'s make in the standard fields and its firmware, switch port and FDA class in unmapped / auscult.*', (ctx) => {
    if (!sharedAvailable('schemas', 'ocsf')) ctx.skip(SHARED_SKIP_REASON);
    const db = database();
    const devices = JSON.parse(ok(['devices', '--db', db, '--json'])) as Obj[];
    const monitor = devices.find((d) => d['fda_class'] !== null && d['firmware'] !== null && d['port'] !== null) as Obj;
    expect(monitor).toBeDefined();
    const line = linesOf(shapeText(db, 'ocsf')).map((l) => JSON.parse(l) as Obj)
      .find((o) => o['class_uid'] === 5001 && (o['device'] as { uid: string }).uid === monitor['id']) as Obj;
    const device = line['device'] as Obj;
    expect([device['vendor_name'], device['model'], (device['hw_info'] as Obj | undefined)?.['serial_number']]).toEqual([monitor['manufacturer'], monitor['model'], monitor['serial']]);
    const medical = ((line['unmapped'] as { auscult: Obj }).auscult['device']) as Obj;
    expect([medical['firmware'], medical['switch'], medical['port'], medical['fda_class']]).toEqual([monitor['firmware'], monitor['switch'], monitor['port'], monitor['fda_class']]);
    const doc = linesOf(shapeText(db, 'ecs')).map((l) => JSON.parse(l) as Obj)
      .find((o) => (o['device'] as { id?: string } | undefined)?.id === monitor['id']) as Obj;
    expect((doc['device'] as { manufacturer: string }).manufacturer).toBe(monitor['manufacturer']);
    expect(((doc['auscult'] as Obj)['device'] as Obj)['fda_class']).toBe(monitor['fda_class']);
  });

  it('auscult export ocsf-devices: one valid Device Inventory Info (Collect) line per device, at the newest capture time, with its make and medical fields', (ctx) => {
    if (!sharedAvailable('schemas', 'ocsf')) ctx.skip(SHARED_SKIP_REASON);
    const db = database();
    const devices = JSON.parse(ok(['devices', '--db', db, '--json'])) as Obj[];
    const out = join(dir, 'inventory.ocsf.ndjson');
    expect(ok(['export', 'ocsf-devices', '--db', db, '--sensor', 'icu-1', '--out', out])).toBe('');
    const lines = linesOf(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as Obj);
    expect(lines).toHaveLength(devices.length);
    const newest = Math.max(...devices.map((d) => Date.parse(String(d['last_seen']))));
    const validator = validators?.ocsf ?? new OcsfValidator();
    lines.forEach((o, i) => {
      expect(validator.validate(o), `line ${i + 1}`).toEqual([]);
      expect([o['class_uid'], o['activity_id'], o['time']]).toEqual([5001, 2, newest]);
      const d = devices[i] as Obj;
      const device = o['device'] as Obj;
      expect([device['uid'], device['mac'] ?? null, device['vendor_name'] ?? null, device['model'] ?? null]).toEqual([d['id'], d['mac'], d['manufacturer'], d['model']]);
      const medical = (o['unmapped'] as { auscult: { device?: Obj } }).auscult.device ?? {};
      expect([medical['firmware'] ?? null, medical['port'] ?? null, medical['fda_class'] ?? null]).toEqual([d['firmware'], d['port'], d['fda_class']]);
    });
  });
});
