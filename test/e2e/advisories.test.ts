/**
 * Patch management end to end (issue 17), with the built CLI: bad CSAF refused with
 * `file: /pointer: reason` and nothing imported; the lab advisory matched against the lab
 * ventilator's firmware seen on the wire (fixtures/lldp/lab-firmware-upgrade.pcapng, cut at the
 * upgrade): `vulnerable_firmware` opens, a second revision that changes no verdict raises nothing,
 * then the upgrade gives `patch_verified` and `vulnerable_firmware` resolved. Deferrals, hostile
 * strings (formula and HTML) and the evidence packet's patch section.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Many CLI runs per test: a generous timeout for shared CI machines. */
const SLOW = { timeout: 600_000 };
import { auscult, ROOT, type CliResult } from '../helpers/cli.js';
import { buildPcapngSection, readPcapngSections } from '../helpers/capture-files.js';
import { validateExceptionLine } from '../unit/reconcile/schemas.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validatePatch = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/patch-verified.schema.json'), 'utf8')) as object);

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-adv-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const fx = (p: string): string => join(ROOT, 'fixtures', p);
const ADVISORY = fx('advisories/auscult-lab-2026-001.json');
const ADVISORY_REV2 = fx('advisories/auscult-lab-2026-001.rev2.json');
const VENT = '00:1e:9a:c6:09:01';

function ok(args: string[]): CliResult {
  const r = auscult(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

/** Every stream line, each valid against the schema of its event type. */
function streamLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l, i) => {
    const v = JSON.parse(l) as Record<string, unknown>;
    const validate = v['event_type'] === 'patch_verified' ? validatePatch : validateExceptionLine;
    expect(validate(v), `line ${i + 1}: ${JSON.stringify(validate.errors)}`).toBe(true);
    return v;
  // Lifecycle lines (device_new, ...) share the stream; these tests are about advisory lines.
  }).filter((v) => v['event_type'] !== 'lifecycle');
}

/** The lab capture cut at the upgrade: frames 1-9 (firmware 2.2.4) and 10-16 (2.3.0 from frame 11). */
function splitCapture(): [string, string] {
  const [section] = readPcapngSections(readFileSync(fx('lldp/lab-firmware-upgrade.pcapng')));
  if (section === undefined) throw new Error('no section');
  const idb = section.blocks.filter((b) => b.kind === 'idb');
  const packets = section.blocks.filter((b) => b.kind === 'epb');
  expect(packets).toHaveLength(16);
  const write = (name: string, from: number, to: number): string => {
    const path = join(dir, name);
    writeFileSync(path, buildPcapngSection({ littleEndian: section.littleEndian, blocks: [...idb, ...packets.slice(from, to)] }));
    return path;
  };
  return [write('fw-before.pcapng', 0, 9), write('fw-after.pcapng', 9, 16)];
}

/** The downgrade: frames 1-9 (firmware 2.2.4) again, one hour after the last frame of the capture. */
function downgradeCapture(): string {
  const [section] = readPcapngSections(readFileSync(fx('lldp/lab-firmware-upgrade.pcapng')));
  if (section === undefined) throw new Error('no section');
  const idb = section.blocks.filter((b) => b.kind === 'idb');
  const packets = section.blocks.filter((b): b is Extract<typeof b, { kind: 'epb' }> => b.kind === 'epb');
  const last = packets.at(-1)?.timestamp ?? 0n;
  const first = packets[0]?.timestamp ?? 0n;
  // Interface timestamps are in microseconds (the capture's IDBs give no if_tsresol).
  const shift = last - first + 3_600_000_000n;
  const path = join(dir, 'fw-downgrade.pcapng');
  writeFileSync(path, buildPcapngSection({ littleEndian: section.littleEndian, blocks: [...idb, ...packets.slice(0, 9).map((b) => ({ ...b, timestamp: b.timestamp + shift }))] }));
  return path;
}

describe('auscult advisories import', () => {
  it('refuses invalid CSAF with file: /pointer: reason, imports nothing, exit 65', SLOW, () => {
    const db = join(dir, 'bad.db');
    const r = auscult(['advisories', 'import', fx('advisories/bad'), ADVISORY, '--db', db], { cwd: dir });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(`${fx('advisories/bad/truncated.json')}: /: not JSON`);
    expect(r.stderr).toContain(`${fx('advisories/bad/wrong-schema.json')}: /document/tracking: must have required property 'version'`);
    expect(r.stderr).toContain(`${fx('advisories/bad/wrong-schema.json')}: /document/category: must be string`);
    expect(r.stderr).toContain(`${fx('advisories/bad/hostile-undefined-product.json')}: /vulnerabilities/0/product_status/known_affected/0: definition of product id missing (CSAF 2.0 mandatory test 6.1.1)`);
    expect(r.stderr).toContain(`${fx('advisories/bad/csaf-1.2.json')}: /document/csaf_version: must be "2.0"`);
    expect(r.stderr).toContain('nothing imported');
    expect(r.stderr).toContain('[AUS_ERR_CSAF]');
    expect(ok(['advisories', 'list', '--db', db, '--json']).stdout.trim()).toBe('[]');
    // --skip-invalid imports the good file and still lists the bad ones (exit 65).
    const skip = auscult(['advisories', 'import', fx('advisories/bad'), ADVISORY, '--db', db, '--skip-invalid'], { cwd: dir });
    expect(skip.code).toBe(65);
    expect(JSON.parse(ok(['advisories', 'list', '--db', db, '--json']).stdout)).toHaveLength(1);
    const missing = auscult(['advisories', 'import', join(dir, 'nope.json'), '--db', db], { cwd: dir });
    expect(missing.code).toBe(66);
  });
});

describe('patch verified on the wire', () => {
  it('vulnerable_firmware opens, a verdict-neutral revision raises nothing, the upgrade verifies the patch and resolves it', SLOW, () => {
    const db = join(dir, 'fw.db');
    const stream = join(dir, 'fw.ndjson');
    const [before, after] = splitCapture();
    ok(['advisories', 'import', ADVISORY, '--db', db]);
    ok(['replay', before, '--db', db, '--stream', stream]);
    let lines = streamLines(stream);
    expect(lines).toHaveLength(1);
    const open = lines[0] as Record<string, unknown>;
    expect(open).toMatchObject({ type: 'vulnerable_firmware', status: 'open', severity: 'medium', asset_id: 'BME-006102', mac: VENT, observed: '2.2.4',
      evidence: [{ source: 'lldp.med.firmware_revision', frame: 2, capture: 'fw-before.pcapng' }] });
    expect(String(open['message'])).toContain('AUSCULT-LAB-2026-001');

    const exposure = JSON.parse(ok(['exposure', '--db', db, '--json']).stdout) as Record<string, unknown>[];
    expect(exposure).toHaveLength(1);
    expect(exposure[0]).toMatchObject({ verdict: 'affected', advisory_id: 'AUSCULT-LAB-2026-001', vulnerability: 'LAB-2026-0001', cvss: 6.5, kev: false,
      firmware: '2.2.4', firmware_evidence: { frame: 2, capture: 'fw-before.pcapng' } });
    expect((exposure[0]?.['reasons'] as string[]).join(' ')).toContain('firmware 2.2.4 is in affected "<= 2.2.4"');

    // Revision 2 adds a mitigation only: stored, but no new line.
    ok(['advisories', 'import', ADVISORY_REV2, '--db', db]);
    ok(['reconcile', '--db', db, '--stream', stream]);
    expect(streamLines(stream)).toHaveLength(1);
    expect(JSON.parse(ok(['advisories', 'list', '--db', db, '--json']).stdout)).toHaveLength(2);
    // Importing the same revision again changes nothing.
    expect(ok(['advisories', 'import', ADVISORY_REV2, '--db', db]).stderr).toContain('0 new revision(s)');

    ok(['replay', after, '--db', db, '--stream', stream]);
    lines = streamLines(stream);
    const patch = lines.find((l) => l['event_type'] === 'patch_verified');
    expect(patch).toMatchObject({ advisory_id: 'AUSCULT-LAB-2026-001', old_version: '2.2.4', new_version: '2.3.0', new_verdict: 'fixed', asset_id: 'BME-006102',
      old_evidence: [{ frame: 2, capture: 'fw-before.pcapng' }], new_evidence: [{ frame: 2, capture: 'fw-after.pcapng' }] });
    const resolved = lines.find((l) => l['status'] === 'resolved');
    expect(resolved).toMatchObject({ type: 'vulnerable_firmware', event_id: open['event_id'] });
    expect(lines).toHaveLength(3);
    // A later reconcile repeats nothing.
    ok(['reconcile', '--db', db, '--stream', stream]);
    expect(streamLines(stream)).toHaveLength(3);

    expect(ok(['exposure', '--db', db, '--verdict', 'fixed', '--json']).stdout).toContain('AUSCULT-LAB-2026-001');
    expect(ok(['advisory', 'auscult-lab-2026-001', '--db', db]).stdout).toContain('patches verified:');
    const adv = JSON.parse(ok(['advisory', 'auscult-lab-2026-001', '--db', db, '--json']).stdout) as { patches_verified: Record<string, unknown>[] };
    expect(adv.patches_verified).toEqual([expect.objectContaining({ asset_id: 'BME-006102', old_version: '2.2.4', new_version: '2.3.0' })]);
    expect(auscult(['advisory', 'ICSMA-00-000-00', '--db', db], { cwd: dir }).code).toBe(1);
    const deviceOut = ok(['device', VENT, '--db', db]).stdout;
    expect(deviceOut).toContain('advisories:');
    // "Pick a device and walk me through the last patch": the device view names both frames.
    expect(deviceOut).toContain('patches verified on the wire:');
    // (The table is fitted to the terminal width, so long cells are shortened; --json has them whole.)
    expect(deviceOut.slice(deviceOut.indexOf('patches verified on the wire:'))).toMatch(/2\.2\.4\s+\S+#2\s+2\.3\.0\s+fw-after\.pcapng#2/);
    const deviceJson = JSON.parse(ok(['device', VENT, '--db', db, '--json']).stdout) as { advisories: { verdict: string; advisory_id: string }[]; patches_verified: Record<string, unknown>[] };
    expect(deviceJson.advisories).toEqual([expect.objectContaining({ verdict: 'fixed', advisory_id: 'AUSCULT-LAB-2026-001' })]);
    expect(deviceJson.patches_verified).toEqual([expect.objectContaining({ advisory_id: 'AUSCULT-LAB-2026-001', old_version: '2.2.4', new_version: '2.3.0',
      old_evidence: [expect.objectContaining({ capture: 'fw-before.pcapng', frame: 2 })], new_evidence: [expect.objectContaining({ capture: 'fw-after.pcapng', frame: 2 })] })]);
    const fleet = JSON.parse(ok(['fleet', '--db', db, '--json']).stdout) as Record<string, unknown>[];
    expect(fleet).toEqual([expect.objectContaining({ manufacturer: 'Hamilton Medical', model: 'HAMILTON-C6', firmware: '2.3.0', devices: 1, verdicts: { 'AUSCULT-LAB-2026-001': 'fixed' } })]);

    const out = join(dir, 'report');
    ok(['report', '--db', db, '--out', out, '--stream', stream]);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<table id="patches" data-rows="1">');
    expect(readFileSync(join(out, 'patches.csv'), 'utf8')).toContain('fw-before.pcapng#2,2.3.0,fw-after.pcapng#2,fixed');

    // The reverse: back to 2.2.4 an hour later is a firmware_downgrade (high) with the frame that showed it,
    // and the device is vulnerable again.
    ok(['replay', downgradeCapture(), '--db', db, '--stream', stream]);
    lines = streamLines(stream);
    const down = lines.find((l) => l['type'] === 'firmware_downgrade');
    expect(down).toMatchObject({ status: 'open', severity: 'high', asset_id: 'BME-006102', expected: '2.3.0', observed: '2.2.4',
      evidence: [{ capture: 'fw-downgrade.pcapng' }] });
    expect(lines.filter((l) => l['type'] === 'vulnerable_firmware' && l['status'] === 'open')).toHaveLength(2);
    expect(lines.filter((l) => l['event_type'] === 'patch_verified')).toHaveLength(1);
  });
});

describe('the demo capture', () => {
  const db = (): string => join(dir, 'demo.db');
  const stream = (): string => join(dir, 'demo.ndjson');

  it('shows affected, fixed and unverifiable devices from the bundled advisory', SLOW, () => {
    ok(['replay', fx('demo/hospital-demo.pcapng'), '--db', db(), '--stream', stream()]);
    ok(['advisories', 'import', ADVISORY, '--db', db()]);
    const rows = JSON.parse(ok(['exposure', '--db', db(), '--json']).stdout) as { verdict: string; asset_id: string; cvss: number }[];
    expect(rows.map((r) => [r.verdict, r.asset_id])).toEqual([
      ['affected', 'BME-004712'], ['affected', 'BME-006102'], ['unverifiable', 'BME-005233'], ['fixed', 'BME-004711'],
    ]);
    ok(['reconcile', '--db', db(), '--stream', stream()]);
    const lines = streamLines(stream());
    expect(lines.map((l) => [l['type'], l['severity'], l['asset_id']])).toEqual([
      ['vulnerable_firmware', 'high', 'BME-004712'], ['vulnerable_firmware', 'medium', 'BME-006102'], ['advisory_unverifiable', 'low', 'BME-005233'],
    ]);
  });

  it('deferrals replace vulnerable_firmware: holding, violated (off its VLAN), expired', SLOW, () => {
    const csv = join(dir, 'deferrals.csv');
    const load = (rows: string): void => {
      writeFileSync(csv, `asset_id,mac,advisory_id,approved_by,until,required_vlan,required_segment,note\n${rows}\n`);
      ok(['deferrals', 'import', csv, '--db', db()]);
      ok(['reconcile', '--db', db(), '--stream', stream()]);
    };
    const open = (): string[] => (JSON.parse(`[${auscult(['reconcile', '--db', db(), '--json', '--stream', stream()], { cwd: dir }).stdout.trim().split('\n').join(',')}]`) as { type: string; asset_id: string }[])
      .map((l) => `${l.type} ${l.asset_id}`).sort();
    load(`BME-006102,,AUSCULT-LAB-2026-001,Dr Biomed,2099-12-31,103,,waiting for vendor`);
    expect(open()).toEqual(['advisory_unverifiable BME-005233', 'vulnerable_firmware BME-004712']);
    load(`,${VENT},AUSCULT-LAB-2026-001,Dr Biomed,2099-12-31,110,,must stay on the isolated VLAN`);
    expect(open()).toContain('compensating_control_violated BME-006102');
    load(`BME-006102,,AUSCULT-LAB-2026-001,Dr Biomed,2020-01-31,,,`);
    expect(open()).toContain('deferral_expired BME-006102');
    expect(open()).not.toContain('vulnerable_firmware BME-006102');
    streamLines(stream());

    writeFileSync(csv, 'asset_id,advisory_id,approved_by,until,required_vlan\nX,ICSMA-1,me,31/12/2026,5000\n,ICSMA-1,me,2026-12-31,\n');
    const bad = auscult(['deferrals', 'import', csv, '--db', db()], { cwd: dir });
    expect(bad.code).toBe(65);
    expect(bad.stderr).toContain(`${csv}:2: until "31/12/2026" is not a date (YYYY-MM-DD)`);
    expect(bad.stderr).toContain(`${csv}:3: neither asset_id nor mac`);
    expect(JSON.parse(ok(['deferrals', 'list', '--db', db(), '--json']).stdout)).toHaveLength(1);
  });

  it('hostile advisory strings are formula-escaped in CSV and HTML-escaped in the report', SLOW, () => {
    ok(['advisories', 'import', fx('advisories/hostile/hostile-strings.json'), '--db', db()]);
    const csv = ok(['exposure', '--db', db(), '--csv']).stdout;
    expect(csv).toContain(`"vendor_fix: =HYPERLINK(""http://evil.example/"",""upgrade"") <b>now</b>"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const out = join(dir, 'report-hostile');
    ok(['report', '--db', db(), '--out', out, '--stream', stream()]);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('<b>now</b>');
    expect(html).toContain('&#60;b&#62;now&#60;/b&#62;');
    expect(readFileSync(join(out, 'exposure.csv'), 'utf8')).not.toMatch(/(^|,)=/m);
    expect(ok(['advisories', 'list', '--db', db(), '--json']).stdout).toContain('AUSCULT-LAB-HOSTILE-OK');
  });
});

describe.skipIf(!sharedAvailable('advisories'))(`a real CISA advisory and the KEV catalogue (${SHARED_SKIP_REASON})`, () => {
  it('ICSMA-20-254-01 on the demo fleet; a KEV import makes the MX450 high; bad KEV rows refuse the file', SLOW, () => {
    const db = join(dir, 'kev.db');
    const stream = join(dir, 'kev.ndjson');
    ok(['replay', fx('demo/hospital-demo.pcapng'), '--db', db, '--stream', stream]);
    ok(['advisories', 'import', sharedPath('advisories', '2020', 'icsma-20-254-01.json'), '--db', db]);
    let rows = JSON.parse(ok(['exposure', '--db', db, '--json']).stdout) as { verdict: string; asset_id: string; cve: string; kev: boolean; cvss: number }[];
    expect(rows.filter((r) => r.verdict === 'affected').map((r) => r.asset_id)).toEqual(Array(8).fill('BME-004712'));
    expect(rows.filter((r) => r.verdict === 'unverifiable').map((r) => r.asset_id)).toEqual(Array(8).fill('BME-004711'));
    expect(rows.some((r) => r.kev)).toBe(false);
    // CISA's KEV CSV columns; CVE-2020-16222 is listed here for the test (the real catalogue may not list it).
    const kev = join(dir, 'known_exploited_vulnerabilities.csv');
    writeFileSync(kev, 'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes\n' +
      'CVE-2020-16222,Philips,IntelliVue,Test entry,2026-01-02,test,apply updates,2026-02-01,Unknown,\n');
    expect(ok(['advisories', 'kev', kev, '--db', db]).stderr).toContain('1 known exploited CVE(s) imported');
    rows = JSON.parse(ok(['exposure', '--db', db, '--json']).stdout) as typeof rows;
    // Affected first, then KEV, then CVSS.
    expect(rows[0]).toMatchObject({ verdict: 'affected', cve: 'CVE-2020-16222', kev: true });
    expect(rows.filter((r) => r.kev).map((r) => r.asset_id).sort()).toEqual(['BME-004711', 'BME-004712']);
    expect((JSON.parse(ok(['exposure', '--db', db, '--json', '--kev']).stdout) as typeof rows).map((r) => [r.asset_id, r.kev])).toEqual([['BME-004712', true], ['BME-004711', true]]);
    const byCvss = (JSON.parse(ok(['exposure', '--db', db, '--json', '--sort', 'cvss']).stdout) as typeof rows).map((r) => r.cvss);
    expect(byCvss).toEqual([...byCvss].sort((x, y) => y - x));
    expect(auscult(['exposure', '--db', db, '--sort', 'nope'], { cwd: dir }).code).toBe(64);
    ok(['reconcile', '--db', db, '--stream', stream]);
    const lines = streamLines(stream);
    expect(lines.map((l) => [l['type'], l['severity'], l['asset_id']])).toEqual([
      ['vulnerable_firmware', 'high', 'BME-004712'], ['advisory_unverifiable', 'low', 'BME-004711'],
    ]);
    expect(String(lines[0]?.['message'])).toContain('known exploited (CISA KEV)');

    writeFileSync(kev, 'cveID,vendorProject\nCVE-2020-16222,Philips\n=cmd|calc,Evil\n');
    const bad = auscult(['advisories', 'kev', kev, '--db', db], { cwd: dir });
    expect(bad.code).toBe(65);
    expect(bad.stderr).toContain(`${kev}:3: cveID "=cmd|calc" is not a CVE id`);
    // Nothing half-imported: the previous catalogue stays.
    expect((JSON.parse(ok(['exposure', '--db', db, '--json']).stdout) as typeof rows).filter((r) => r.kev)).toHaveLength(2);
  });
});
