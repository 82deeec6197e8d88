/**
 * Near-miss column names: a header one typo away from a known column (`MAC Adress`) is not
 * silently kept as a spare attribute. `import --dry-run` reports it (and exits 78, as the import
 * would), `import` refuses with AUS_ERR_MAPPING until it is mapped or `--ignore-column` drops it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearMissOf, withIgnoredColumns } from '../../../src/reconcile/column-mapping.js';
import { auscult, ROOT } from '../../helpers/cli.js';

describe('nearMissOf', () => {
  it.each([
    ['MAC Adress', 'mac address', 'macs'], ['Serail Number', 'serial number', 'serial'], ['Manufactuer', 'manufacturer', 'manufacturer'],
    ['Firmware Verison', 'firmware version', 'firmware'], ['Hostnme', 'hostname', 'hostname'],
  ])('%s nearly is %s (%s)', (header, alias, field) => {
    expect(nearMissOf(header)).toEqual({ header, alias, field });
  });

  it.each(['MAC Address', 'PM Due', 'Notes', 'Building', 'Cost Center', 'IPs', 'OS', 'Purchase Date'])('%s is no near miss', (header) => {
    expect(nearMissOf(header)).toBeUndefined();
  });

  it('withIgnoredColumns drops the named headers and keeps the rest of a mapping', () => {
    const m = withIgnoredColumns(undefined, ['MAC Adress']);
    expect(m.columns.get('macadress')).toEqual({ kind: 'ignore' });
    expect(m.builtinAliases).toBe(true);
  });
});

describe('import with a misspelt column', () => {
  let dir: string;
  let csv: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auscult-near-miss-'));
    csv = join(dir, 'typo.csv');
    writeFileSync(csv, readFileSync(join(ROOT, 'fixtures/demo/sor-export.csv'), 'utf8').replace('MAC Address', 'MAC Adress'));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('--dry-run reports it and exits 78', () => {
    const r = auscult(['import', csv, '--dry-run', '--db', join(dir, 'a.db')]);
    expect(r.code).toBe(78);
    expect(r.stdout).toContain('near miss: column "MAC Adress" looks like "mac address" (macs) but is not mapped');
    expect(r.stdout).toContain('1 near-miss column(s)');
  });

  it('import refuses it in one line and writes nothing', () => {
    const db = join(dir, 'b.db');
    const r = auscult(['import', csv, '--db', db]);
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nothing imported [AUS_ERR_MAPPING]');
  });

  it('--ignore-column drops it and imports the rest', () => {
    const r = auscult(['import', csv, '--ignore-column', 'MAC Adress', '--db', join(dir, 'c.db')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/10 record\(s\) imported/);
  });
});
