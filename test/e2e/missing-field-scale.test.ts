import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, BIN, ROOT } from '../helpers/cli.js';

/**
 * Issue 22 (resources): a large export whose records lack every required field (manufacturer,
 * model, firmware, network location). Before, each record raised four `missing_field` exceptions:
 * 200k records opened 800k, the stream got 800k lines and `report` peaked at 2.6 GiB in 218 s.
 * Now only records matched to a heard device get their own (with the network's value); the rest
 * are counted in one exception per field. 100k sparse rows go through `import` as a user's CSV
 * would, then `report` (which reconciles) runs under the rss-probe preload.
 */
const ROWS = 100_000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-missing-scale-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Asset tag, MAC, IP and type only; two rows name devices of the capture (monitor and phone). */
function sparseCsv(path: string): void {
  const lines = ['Asset Tag,MAC Address,IP Address,Device Type', 'BME-004711,00:09:fb:1d:07:07,,Patient monitor', 'IT-PH-0110,00:1b:d4:4e:01:10,,IP phone'];
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  for (let i = 0; i < ROWS; i++) {
    lines.push(`SP-${String(i).padStart(6, '0')},02:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}:01,172.${16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255},Infusion pump`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('missing_field at scale', () => {
  it('100,000 records lacking every required field: 4 counted exceptions, the heard records their own, a short stream, bounded memory', () => {
    const db = join(dir, 'sparse.db');
    const csv = join(dir, 'sparse.csv');
    const stream = join(dir, 'exceptions.ndjson');
    sparseCsv(csv);
    const replay = auscult(['replay', join(ROOT, 'fixtures/lldp/lab-switch-endpoints.pcapng'), '--db', db, '--stream', stream], { cwd: dir });
    expect(replay.code, replay.stderr).toBe(0);
    const imported = auscult(['import', csv, '--db', db], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);

    const rssFile = join(dir, 'peak.txt');
    const out = join(dir, 'report');
    const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/helpers/rss-probe.mjs'), BIN, 'report', '--db', db, '--out', out, '--stream', stream], {
      cwd: dir,
      env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', AUSCULT_TEST_RSS_OUT: rssFile },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\(100005 inventory rows, \d+ open exception\(s\)/);

    const register = parse(readFileSync(join(out, 'exceptions.csv')), { columns: true }) as Record<string, string>[];
    const missing = register.filter((e) => e['type'] === 'missing_field' && e['status'] === 'open');
    // Counted: one per field, every unheard record in it.
    const counted = missing.filter((e) => e['asset_id'] === '');
    expect(counted.map((e) => [e['field'], e['observed']]).sort()).toEqual([
      ['firmware', String(ROWS)], ['manufacturer', String(ROWS)], ['model', String(ROWS)], ['network_location', String(ROWS)],
    ]);
    expect(counted.find((e) => e['field'] === 'model')?.['message']).toBe(
      `${ROWS} of ${ROWS + 2} records have no model (${ROWS} not matched to a heard device): SP-000000, SP-000001, SP-000002 and ${ROWS - 3} more; completeness.csv of \`auscult report\` lists every record.`);
    // The two heard records: one each per field, with what the network says where it knows.
    const own = missing.filter((e) => e['asset_id'] !== '');
    expect(own.map((e) => `${e['asset_id']}/${e['field']}`).sort()).toEqual([
      'BME-004711/firmware', 'BME-004711/manufacturer', 'BME-004711/model', 'BME-004711/network_location',
      'IT-PH-0110/firmware', 'IT-PH-0110/manufacturer', 'IT-PH-0110/model', 'IT-PH-0110/network_location',
    ]);
    expect(own.find((e) => e['asset_id'] === 'BME-004711' && e['field'] === 'firmware')?.['observed']).toBe('N.00.01');
    expect(register.length).toBeLessThan(40);

    // The stream: a line per exception, not per record.
    const lines = readFileSync(stream, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(lines.filter((l) => l.includes('"missing_field"'))).toHaveLength(12);

    // Every record is still in the packet (completeness.csv is where an auditor finds which).
    const completeness = parse(readFileSync(join(out, 'completeness.csv')), { columns: true }) as Record<string, string>[];
    expect(completeness.filter((x) => x['scope'] === 'device' && x['key']?.startsWith('SP-') === true && x['required_known'] === '0')).toHaveLength(ROWS);
    const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    expect(peakMiB).toBeGreaterThan(0);
    expect(peakMiB * 1.048576).toBeLessThan(300); // MB
  }, 90_000);
});
