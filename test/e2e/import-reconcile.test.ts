import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { expectValidLines, validateDevices } from '../unit/reconcile/schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-sor-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const fx = (p: string) => join(ROOT, 'fixtures', p);
const LAB = fx('lldp/lab-switch-endpoints.pcapng');
const LAB_VLANS = fx('lldp/lab-switch-endpoints-vlans.pcapng');
const SOR = 'fixtures/sor/lab-switch-endpoints.csv';
const SOR_UPDATED = 'fixtures/sor/lab-switch-endpoints-updated.csv';

function ok(args: string[]): { stdout: string; stderr: string } {
  const r = auscult(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

const importCount = (db: string): number => {
  const r = auscult(['reconcile', '--db', db, '--json', '--stream', join(dir, 'scratch.ndjson')]);
  return r.stderr.includes('no system of record loaded') ? 0 : 1;
};

describe('auscult import', () => {
  it('bad rows: every one listed as file:line: reason, exit 65, nothing imported', () => {
    const db = join(dir, 'bad.db');
    const r = auscult(['import', 'fixtures/sor/bad-rows.csv', '--db', db]);
    expect(r.code).toBe(65);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('fixtures/sor/bad-rows.csv:'));
    expect(listed.map((l) => l.split(':')[1])).toEqual(['4', '5', '7', '9', '10', '11', '16']);
    expect(r.stderr).toContain('nothing imported');
    expect(r.stderr).toContain('[AUS_ERR_CSV_ROW]');
    expect(existsSync(db) ? importCount(db) : 0).toBe(0);
  });

  it('--skip-bad-rows imports the good rows, still lists the bad, exits 0', () => {
    const db = join(dir, 'skip.db');
    const r = auscult(['import', 'fixtures/sor/bad-rows.csv', '--db', db, '--skip-bad-rows']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /^fixtures\/sor\/bad-rows\.csv:\d+: /.test(l))).toHaveLength(7);
    expect(r.stderr).toMatch(/record\(s\) imported as snapshot 1, 7 bad row\(s\) skipped/);
    expect(importCount(db)).toBe(1);
  });

  it('--dry-run prints the column mapping and counts and writes nothing', () => {
    const db = join(dir, 'dry.db');
    const r = ok(['import', SOR, '--db', db, '--dry-run']);
    expect(r.stdout).toMatch(/^COLUMN\s+FIELD\s+USE/m);
    expect(r.stdout).toMatch(/^Serial Number\s+serial\s+field$/m);
    expect(r.stdout).toContain('11 good record(s), 0 bad row(s), encoding utf-8');
    expect(existsSync(db)).toBe(false);
  });

  it('an unreadable file exits 66; an unknown preset 78', () => {
    expect(auscult(['import', 'no/such.csv', '--db', join(dir, 'x.db')]).code).toBe(66);
    expect(auscult(['import', SOR, '--preset', 'nope', '--db', join(dir, 'x.db')]).code).toBe(78);
  });
});

describe('replay + import + reconcile: golden exception streams', () => {
  for (const [name, capture] of [['lab-switch-endpoints', LAB], ['lab-switch-endpoints-vlans', LAB_VLANS]] as const) {
    it(`${name}: first run opens, a corrected SoR resolves; the stream is golden`, async () => {
      const db = join(dir, `${name}.db`);
      const stream = join(dir, `${name}.ndjson`);
      ok(['replay', capture, '--db', db, '--stream', stream]);
      expect(existsSync(stream)).toBe(false); // no SoR yet: no reconciliation
      ok(['import', SOR, '--db', db]);
      const first = ok(['reconcile', '--db', db, '--stream', stream]);
      expect(first.stdout).toMatch(/^SEVERITY\s+TYPE\s+SUBJECT/m);
      expect(first.stdout).toContain('out of coverage (3 record(s)');
      ok(['import', SOR_UPDATED, '--db', db]);
      ok(['reconcile', '--db', db, '--stream', stream]);
      const text = readFileSync(stream, 'utf8');
      const lines = expectValidLines(text);
      expect(lines.map((l) => l['seq'])).toEqual(lines.map((_, i) => i + 1));
      const pairs = lines.map((l) => `${String(l['event_id'])}/${String(l['status'])}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(lines.some((l) => l['status'] === 'resolved')).toBe(true);
      if (name.endsWith('vlans')) expect(lines.some((l) => l['type'] === 'wrong_vlan')).toBe(true);
      await expect(text).toMatchFileSnapshot(`../golden/exceptions/${name}.ndjson`);
    });
  }

  it('replay reconciles when a SoR is loaded; reconcile --json prints the open exceptions as schema-valid NDJSON', () => {
    const db = join(dir, 'auto.db');
    const stream = join(dir, 'auto.ndjson');
    ok(['import', SOR, '--db', db]);
    const r = ok(['replay', LAB, '--db', db, '--stream', stream]);
    expect(r.stderr).toMatch(/\d+ open exception\(s\) \(\d+ new, 0 resolved\); \d+ line\(s\) appended/);
    const streamed = expectValidLines(readFileSync(stream, 'utf8'));
    const json = ok(['reconcile', '--db', db, '--stream', stream, '--json']);
    const open = expectValidLines(json.stdout);
    expect(open.map((l) => l['event_id']).sort()).toEqual(streamed.map((l) => l['event_id']).sort());
    expect(open.every((l) => l['seq'] === undefined)).toBe(true);
    expect(json.stderr).toContain('0 line(s) appended'); // nothing new
    // Deterministic: the same inputs into a fresh database give the same stream.
    const db2 = join(dir, 'auto2.db');
    const stream2 = join(dir, 'auto2.ndjson');
    ok(['import', SOR, '--db', db2]);
    ok(['replay', LAB, '--db', db2, '--stream', stream2]);
    expect(readFileSync(stream2, 'utf8')).toBe(readFileSync(stream, 'utf8'));
  });

  it('--include-infrastructure also considers infrastructure; the switch (one device for all its port MACs) matches its record by serial', () => {
    const db = join(dir, 'infra.db');
    ok(['replay', LAB, '--db', db, '--stream', join(dir, 'infra.ndjson')]);
    ok(['import', SOR, '--db', db]);
    const plain = expectValidLines(ok(['reconcile', '--db', db, '--json', '--stream', join(dir, 'infra.ndjson')]).stdout);
    const infra = expectValidLines(ok(['reconcile', '--db', db, '--json', '--include-infrastructure', '--stream', join(dir, 'infra.ndjson')]).stdout);
    const nii = (ls: Record<string, unknown>[]) => ls.filter((l) => l['type'] === 'not_in_inventory').map((l) => l['mac']).sort();
    expect(nii(plain)).toEqual(['02:a5:00:00:00:0a']);
    // The chassis device carries the LLDP-MED serial its ports announced, so NET-SW-0001 matches it.
    expect(nii(infra)).toEqual(['02:a5:00:00:00:0a']);
    expect(infra.some((l) => l['asset_id'] === 'NET-SW-0001' && l['type'] === 'never_seen')).toBe(false);
    // Without the switch's record, --include-infrastructure raises it (and only then).
    const noSwitch = join(dir, 'no-switch.csv');
    writeFileSync(noSwitch, readFileSync(join(ROOT, SOR), 'utf8').split('\n').filter((l) => !l.startsWith('NET-SW-0001,')).join('\n'));
    ok(['import', noSwitch, '--db', db]);
    const plain2 = expectValidLines(ok(['reconcile', '--db', db, '--json', '--stream', join(dir, 'infra.ndjson')]).stdout);
    const infra2 = expectValidLines(ok(['reconcile', '--db', db, '--json', '--include-infrastructure', '--stream', join(dir, 'infra.ndjson')]).stdout);
    expect(nii(plain2)).toEqual(['02:a5:00:00:00:0a']);
    expect(nii(infra2)).toEqual(['00:1b:8f:5a:01:00', '02:a5:00:00:00:0a']);
  });
});

describe('the stream file is tied to its database (the lost-lines bug after npm run demo)', () => {
  it('a new database reconciling into the demo\'s stream file is refused naming both; with its own file it writes every line', () => {
    const demoDb = join(dir, 'tie-demo.db');
    const stream = join(dir, 'tie.ndjson');
    ok(['replay', fx('demo/hospital-demo.pcapng'), '--db', demoDb, '--stream', stream]);
    ok(['import', 'fixtures/demo/sor-export.csv', '--db', demoDb]);
    ok(['reconcile', '--db', demoDb, '--stream', stream]);
    const before = readFileSync(stream, 'utf8');
    expect(expectValidLines(before).length).toBeGreaterThan(0);
    const newDb = join(dir, 'tie-new.db');
    ok(['import', SOR, '--db', newDb]);
    const refused = auscult(['replay', LAB, '--db', newDb, '--stream', stream]);
    expect(refused.code, refused.stderr).toBe(78);
    expect(refused.stderr).toContain('[AUS_ERR_STREAM_OWNER]');
    expect(refused.stderr).toContain('tie-demo.db');
    expect(refused.stderr).toContain('tie-new.db');
    expect(auscult(['reconcile', '--db', newDb, '--stream', stream]).code).toBe(78);
    expect(readFileSync(stream, 'utf8')).toBe(before);
    // Its own file: every open exception of the new database is there, none taken as already sent.
    const own = join(dir, 'tie-new.ndjson');
    ok(['reconcile', '--db', newDb, '--stream', own]);
    const lines = expectValidLines(readFileSync(own, 'utf8'));
    const open = expectValidLines(ok(['reconcile', '--db', newDb, '--stream', own, '--json']).stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((l) => l['event_id']).sort()).toEqual(open.map((l) => l['event_id']).sort());
  });
});

describe('devices --json schema and devices --csv', () => {
  it('devices --json is valid against schemas/devices.schema.json on the lab fixtures', () => {
    for (const capture of [LAB, LAB_VLANS, fx('demo/hospital-demo.pcapng'), fx('dhcp/lab-dhcp-relay-opt82.pcapng')]) {
      const db = join(dir, `schema-${capture.split('/').pop() ?? ''}.db`);
      ok(['replay', capture, '--db', db]);
      const devices = JSON.parse(ok(['devices', '--db', db, '--json']).stdout) as unknown[];
      expect(devices.length).toBeGreaterThan(0);
      expect(validateDevices(devices), JSON.stringify(validateDevices.errors)).toBe(true);
    }
  });

  it('devices --csv: one row per device, the same values as --json', () => {
    const db = join(dir, 'csv.db');
    ok(['replay', LAB, '--db', db]);
    const json = JSON.parse(ok(['devices', '--db', db, '--json']).stdout) as Record<string, unknown>[];
    const rows = parse(ok(['devices', '--db', db, '--csv']).stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(json.length);
    expect(rows.map((r) => r['mac'])).toEqual(json.map((d) => d['mac']));
    expect(rows[0]?.['hostname']).toBe(json[0]?.['hostname']);
  });
});
