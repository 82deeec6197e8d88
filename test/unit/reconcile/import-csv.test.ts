import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuscultError } from '../../../src/errors.js';
import { loadColumnMapping } from '../../../src/reconcile/column-mapping.js';
import { parseSorCsv, parseSorCsvBuffer, sniffDelimiter, type SorImportResult } from '../../../src/reconcile/import-csv.js';
import { normaliseMac } from '../../../src/reconcile/normalise.js';
import { formatSorRowError, type SorRecord } from '../../../src/reconcile/sor-record.js';

const FIX = 'fixtures/sor';
const lines = (r: SorImportResult): string[] => r.errors.map(formatSorRowError);
const csv = (text: string, options = {}): SorImportResult => parseSorCsvBuffer(Buffer.from(text, 'utf8'), 'inline.csv', options);
const rec = (line: number, fields: Omit<Partial<SorRecord>, 'line'>): SorRecord => ({ line, macs: [], ips: [], attributes: {}, ...fields });

async function fileError(promise: Promise<unknown>): Promise<AuscultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AuscultError)) throw new Error(`expected an AuscultError, got ${String(error)}`);
  return error;
}

describe('bad rows', () => {
  it('reports each bad row as file:line: reason, counting quoted newlines', async () => {
    const r = await parseSorCsv(`${FIX}/bad-rows.csv`);
    expect(lines(r)).toEqual([
      'fixtures/sor/bad-rows.csv:4: column "MAC Address": bad MAC address "00:09:FB:3A:71:0G"',
      'fixtures/sor/bad-rows.csv:5: column "IP Address": bad IP address "10.10.20.300"',
      'fixtures/sor/bad-rows.csv:7: column "VLAN": bad VLAN "thirty": not a number',
      'fixtures/sor/bad-rows.csv:9: column "VLAN": VLAN "4095" is out of range 1-4094',
      'fixtures/sor/bad-rows.csv:10: no identifying field: asset id, serial, MAC, hostname and IP are all empty',
      'fixtures/sor/bad-rows.csv:11: row has 10 cells but the header has 8',
      'fixtures/sor/bad-rows.csv:16: column "MAC Address": MAC address "FF:FF:FF:FF:FF:FF" is all zeros or a group address, not a device',
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('keeps the good rows exactly: quoted newline kept, short rows fine, blank rows skipped, placeholders empty', async () => {
    const r = await parseSorCsv(`${FIX}/bad-rows.csv`);
    const pump = { manufacturer: 'Baxter', model: 'Sigma Spectrum' };
    expect(r.records).toEqual([
      rec(2, {
        assetId: 'ICU-MON-01',
        manufacturer: 'Philips',
        model: 'IntelliVue MX800',
        serial: 'DE12345678',
        macs: ['00:09:fb:3a:71:01'],
        ips: ['10.10.20.11'],
        vlan: 20,
        attributes: { Notes: 'Bed 1\nmoved from ward 4' },
      }),
      rec(12, { assetId: 'ICU-PUMP-04', ...pump, serial: '1004' }),
      rec(13, { assetId: 'ICU-PUMP-05', ...pump, serial: '1005' }),
      rec(15, { assetId: 'ICU-PUMP-06', ...pump, attributes: { Notes: 'Notes "quoted" text' } }),
    ]);
  });

  it('an unclosed quote is an error on the line where its record starts', async () => {
    const r = await parseSorCsv(`${FIX}/unclosed-quote.csv`);
    expect(lines(r)).toEqual(['fixtures/sor/unclosed-quote.csv:3: quoted field not closed before end of file']);
    expect(r.records).toEqual([rec(2, { assetId: 'A-1', macs: ['00:09:fb:00:00:01'], attributes: { Notes: 'ok' } })]);
  });

  it('a header with no identifying column is an error on the header line', async () => {
    const r = await parseSorCsv(`${FIX}/no-identifier.csv`);
    expect(lines(r)).toEqual([
      'fixtures/sor/no-identifier.csv:1: no identifying column: no header maps to asset id, serial, MAC, hostname or IP (headers: "Manufacturer", "Model", "Location"); use a preset or a mapping file',
    ]);
    expect(r.records).toEqual([]);
  });

  it('a reason quotes at most a short, printable piece of the cell and nothing else from the row', () => {
    const longMac = `00:09:fb:${'x'.repeat(200)}`;
    const r = csv(`Asset Tag,MAC Address,Notes\nA-1,${longMac},PATIENT^DOE^JANE\n`);
    expect(lines(r)).toEqual([`inline.csv:2: column "MAC Address": bad MAC address "00:09:fb:${'x'.repeat(31)}…"`]);
    expect(JSON.stringify(r.errors)).not.toContain('PATIENT');
  });

  it('an empty file and a blank file have no header row', () => {
    expect(lines(csv(''))).toEqual(['inline.csv:1: no header row: the file is empty']);
    expect(lines(csv('\n\n , \n'))).toEqual(['inline.csv:1: no header row: the file is empty']);
  });
});

describe('encodings', () => {
  it('decodes CP-1252 (ä 0xE4, en dash 0x96, euro 0x80) with semicolons and CRLF', async () => {
    const r = await parseSorCsv(`${FIX}/cp1252-semicolon.csv`);
    expect(r.encoding).toBe('cp1252');
    expect(r.delimiter).toBe(';');
    expect(r.records).toEqual([
      rec(2, {
        assetId: 'ANE-01',
        manufacturer: 'Dr\u00e4ger',
        model: 'Perseus A500',
        serial: 'ASFD-0012',
        macs: ['00:30:e6:11:22:33'],
        attributes: { Cost: '12 500 \u20ac', Notes: 'An\u00e4sthesie\nOP 2' },
      }),
      rec(4, {
        assetId: 'ICU-MON-07',
        manufacturer: 'Philips',
        model: 'Philips \u2013 IntelliVue MX800',
        serial: 'DE73A71070',
        macs: ['00:09:fb:3a:71:07'],
        attributes: { Cost: '\u20ac 9 800' },
      }),
    ]);
    // The bad row comes after a quoted CRLF: its line is still the physical one.
    expect(lines(r)).toEqual(['fixtures/sor/cp1252-semicolon.csv:5: column "MAC Address": bad MAC address "0009.fb3a.71"']);
  });

  it('strips a UTF-8 BOM so the first header is recognised', async () => {
    const r = await parseSorCsv(`${FIX}/utf8-bom.csv`);
    expect(r.encoding).toBe('utf-8-bom');
    expect(r.columns[0]).toEqual({ header: 'Asset Tag', field: 'assetId', use: 'field' });
    expect(r.records).toEqual([
      rec(2, { assetId: 'ANE-02', manufacturer: 'Dr\u00e4ger', model: 'Perseus A500', serial: 'ASFD-0013', macs: ['00:30:e6:11:22:34'] }),
      rec(3, { assetId: 'LAB-01', manufacturer: 'Sysmex', model: 'XN-1000', serial: '12345', macs: ['aa:bb:cc:dd:ee:ff'] }),
    ]);
    expect(r.errors).toEqual([]);
  });

  it('plain UTF-8 is utf-8', () => {
    expect(csv('Asset Tag,Make\nA-1,Dr\u00e4ger\n').encoding).toBe('utf-8');
  });

  it('warns when a BOM file holds invalid UTF-8, and when CP-1252 holds undefined bytes', () => {
    const bom = parseSorCsvBuffer(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('Asset Tag\nA-'), 0xff, 0x0a]), 'b.csv');
    expect(bom.warnings).toEqual(['b.csv: has a UTF-8 byte order mark but invalid UTF-8 bytes; they were replaced with U+FFFD']);
    expect(bom.records).toEqual([rec(2, { assetId: 'A-\ufffd' })]);
    const cp = parseSorCsvBuffer(Buffer.from([...Buffer.from('Asset Tag\nA-'), 0x81, 0xe4, 0x0a]), 'c.csv');
    expect(cp.encoding).toBe('cp1252');
    expect(cp.warnings).toEqual(['c.csv: bytes undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) were replaced with U+FFFD']);
    expect(cp.records).toEqual([rec(2, { assetId: 'A-\ufffd\u00e4' })]);
  });

  it('refuses UTF-16 with a hint', () => {
    expect(() => parseSorCsvBuffer(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'u.csv')).toThrowError(
      expect.objectContaining({ code: 'AUS_ERR_CSV_FILE', message: 'u.csv: file is UTF-16 ("Unicode text"); export it as CSV (UTF-8 or Windows-1252)' }),
    );
  });
});

describe('cells are text', () => {
  it('keeps formula cells as plain text values', async () => {
    const r = await parseSorCsv(`${FIX}/formula-cells.csv`);
    expect(r.records).toEqual([
      rec(2, {
        assetId: '=HYPERLINK("http://example.invalid/","ICU-MON-01")',
        hostname: 'mon-icu-01',
        manufacturer: 'Philips',
        model: 'MX800',
        attributes: { Notes: "+cmd|' /C calc'!A0" },
      }),
      rec(3, { assetId: '@SUM(A1:A2)', hostname: 'mon-icu-02', manufacturer: 'Philips', model: 'MX800', attributes: { Notes: '-2+3' } }),
    ]);
    expect(r.errors).toEqual([]);
  });

  it('keeps both records whose MACs differ only in spelling (duplicates are the reconciler’s call)', async () => {
    const r = await parseSorCsv(`${FIX}/duplicate-macs.csv`);
    expect(r.records).toEqual([
      rec(2, { assetId: 'ICU-MON-07', serial: 'DE73A71070', macs: ['00:09:fb:3a:71:07'] }),
      rec(3, { assetId: 'ICU-MON-07-OLD', serial: 'DE73A71070-X', macs: ['00:09:fb:3a:71:07'] }),
    ]);
  });

  it('splits a MAC or IP cell on ; , whitespace and newlines, de-duplicating', () => {
    const r = csv('Tag,MAC,IP\nA-1,"00:09:fb:00:00:01;0009.fb00.0002, 00-09-FB-00-00-01\n0009fb000003",10.0.0.1 10.0.0.2;010.0.0.1\n');
    expect(r.records).toEqual([
      rec(2, { assetId: 'A-1', macs: ['00:09:fb:00:00:01', '00:09:fb:00:00:02', '00:09:fb:00:00:03'], ips: ['10.0.0.1', '10.0.0.2'] }),
    ]);
  });

  it('rejects an all-zero MAC', () => {
    expect(lines(csv('Tag,MAC\nA-1,00:00:00:00:00:00\n'))).toEqual([
      'inline.csv:2: column "MAC": MAC address "00:00:00:00:00:00" is all zeros or a group address, not a device',
    ]);
  });

  it('keeps unmapped columns raw (untrimmed), names blank and repeated headers, and is safe with __proto__', () => {
    const r = csv('Tag,Notes,,Notes,__proto__\nA-1, padded ,x,second,polluted\n');
    expect(r.records).toEqual([
      rec(2, { assetId: 'A-1', attributes: { Notes: ' padded ', 'column 3': 'x', 'Notes (column 4)': 'second', ['__proto__']: 'polluted' } }),
    ]);
    expect(Object.getPrototypeOf(r.records[0]?.attributes)).toBe(Object.prototype);
    expect(r.warnings).toEqual(['inline.csv:1: header "Notes" appears more than once; column 4 is kept as "Notes (column 4)"']);
  });

  it('for two columns feeding one field, the first non-empty wins', () => {
    const r = csv('Tag,Asset ID,VLAN,VLAN ID\nA-1,B-1,20,30\n,B-2,,30\n');
    expect(r.records).toEqual([rec(2, { assetId: 'A-1', vlan: 20 }), rec(3, { assetId: 'B-2', vlan: 30 })]);
    expect(r.columns.map((c) => c.field)).toEqual(['assetId', 'assetId', 'vlan', 'vlan']);
  });

  it('a row may have fewer cells than the header, or trailing empty ones, but not extra values', () => {
    const r = csv('Tag,Model,Serial\nA-1\nA-2,m,s,,\nA-3,m,s,,x\n');
    expect(r.records).toEqual([rec(2, { assetId: 'A-1' }), rec(3, { assetId: 'A-2', model: 'm', serial: 's' })]);
    expect(lines(r)).toEqual(['inline.csv:4: row has 5 cells but the header has 3']);
  });

  it('reports every problem of a row', () => {
    expect(lines(csv('Tag,MAC,IP,VLAN\nA-1,zz,1.2.3,0\n'))).toEqual([
      'inline.csv:2: column "MAC": bad MAC address "zz"',
      'inline.csv:2: column "IP": bad IP address "1.2.3"',
      'inline.csv:2: column "VLAN": VLAN "0" is out of range 1-4094',
    ]);
  });
});

describe('delimiters and line endings', () => {
  it.each([
    ['Tag,Model;x', ','],
    ['Tag;Model;Serial', ';'],
    ['Tag\tModel\tSerial', '\t'],
    ['"a;b;c",d', ','],
    ['Tag', ','],
  ])('sniffs %j as %j', (header, expected) => {
    expect(sniffDelimiter(header)).toBe(expected);
  });

  it('reads tab-separated exports', () => {
    const r = csv('Asset Tag\tModel\tMAC Address\nA-1\tMX800\t00:09:fb:00:00:01\n');
    expect(r.delimiter).toBe('\t');
    expect(r.records).toEqual([rec(2, { assetId: 'A-1', model: 'MX800', macs: ['00:09:fb:00:00:01'] })]);
  });

  it("honours Excel's sep= line and keeps physical line numbers", () => {
    const r = csv('sep=;\nTag;Notes,Misc\nA-1;MX800, Rev 2\n;x\n');
    expect(r.delimiter).toBe(';');
    expect(r.records).toEqual([rec(3, { assetId: 'A-1', attributes: { 'Notes,Misc': 'MX800, Rev 2' } })]);
    expect(lines(r)).toEqual(['inline.csv:4: no identifying field: asset id, serial, MAC, hostname and IP are all empty']);
  });

  it('counts lines the same with CRLF, LF and CR line ends, quoted newlines included', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const r = csv(['Tag,Notes', 'A-1,"two', 'lines"', '', 'A-2,"x', '', 'y"', ',no tag', ''].join(eol));
      expect(r.records.map((x) => x.line)).toEqual([2, 5]);
      expect(r.records[1]?.attributes).toEqual({ Notes: 'x\n\ny' });
      expect(lines(r)).toEqual(['inline.csv:8: no identifying field: asset id, serial, MAC, hostname and IP are all empty']);
    }
  });

  it('a header preceded by blank lines is found, and its line reported', () => {
    const r = csv('\n\nManufacturer\nPhilips\n');
    expect(lines(r)).toEqual([
      'inline.csv:3: no identifying column: no header maps to asset id, serial, MAC, hostname or IP (headers: "Manufacturer"); use a preset or a mapping file',
    ]);
  });
});

describe('presets and mappings', () => {
  it('imports a ServiceNow cmdb_ci export with the preset', async () => {
    const r = await parseSorCsv(`${FIX}/servicenow-cmdb-ci.csv`, { preset: 'servicenow-cmdb-ci' });
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      rec(2, {
        assetId: 'ICU-MON-07',
        hostname: 'MON-ICU-07',
        manufacturer: 'Philips',
        model: 'IntelliVue MX800',
        serial: 'DE73A71070',
        macs: ['00:09:fb:3a:71:07', '00:09:fb:3a:71:08'],
        ips: ['10.10.20.21'],
        vlan: 20,
        location: 'ICU West Bed 07',
        department: 'Intensive Care',
        switch: 'ICU-ACCESS-SW01',
        port: 'Gi1/0/1',
        firmware: 'N.00.01',
        fdaClass: 'II',
        owner: 'Biomed Team',
        attributes: { sys_id: '0c43b0f5c6112275019abd2bb3dcd78f', sys_class_name: 'cmdb_ci_medical_device', install_status: 'Installed' },
      }),
      rec(3, {
        assetId: 'RAD-CT-01',
        hostname: 'ct01',
        manufacturer: 'Siemens Healthineers',
        model: 'SOMATOM go.Up',
        serial: '104233',
        macs: ['40:a8:f0:12:34:56'],
        ips: ['10.20.5.10'],
        vlan: 105,
        location: 'Radiology CT Suite 1',
        department: 'Radiology',
        switch: 'RAD-SW02',
        port: 'Gi2/0/14',
        firmware: 'VA30A',
        os: 'Windows 10 IoT Enterprise',
        fdaClass: 'II',
        owner: 'Imaging Engineering',
        attributes: { sys_id: '1d54c1a6d7223386120bce3cc4ede89a', sys_class_name: 'cmdb_ci_medical_device', install_status: 'Installed' },
      }),
      rec(4, {
        hostname: 'lab-xn1000',
        manufacturer: 'Sysmex',
        model: 'XN-1000',
        ips: ['10.30.1.44'],
        vlan: 30,
        location: 'Core Lab',
        department: 'Laboratory',
        attributes: { sys_id: '2e65d2b7e8334497231cdf4dd5f0f9ab', sys_class_name: 'cmdb_ci_computer', install_status: 'Installed' },
      }),
    ]);
  });

  it('without the preset, ServiceNow-only columns stay attributes', async () => {
    const r = await parseSorCsv(`${FIX}/servicenow-cmdb-ci.csv`);
    expect(r.columns.filter((c) => c.use === 'attribute').map((c) => c.header)).toEqual([
      'sys_id',
      'name',
      'sys_class_name',
      'u_vlan',
      'u_switch',
      'u_switch_port',
      'u_fda_class',
      'install_status',
    ]);
  });

  it('imports a biomed CMMS export with the preset', async () => {
    const r = await parseSorCsv(`${FIX}/biomed-cmms.csv`, { preset: 'biomed-cmms' });
    expect(r.errors).toEqual([]);
    const monitor = { manufacturer: 'Philips', model: 'IntelliVue MX800', fdaClass: 'II', deviceType: 'Patient Monitor' };
    expect(r.records).toEqual([
      rec(2, {
        assetId: 'EQ-000101',
        ...monitor,
        serial: 'DE73A71070',
        department: 'ICU',
        location: 'ICU West Bed 07',
        macs: ['00:09:fb:3a:71:07'],
        ips: ['10.10.20.21'],
        firmware: 'N.00.01',
        attributes: { 'PM Due': '2026-03-01' },
      }),
      rec(3, {
        assetId: 'EQ-000102',
        ...monitor,
        manufacturer: 'GE Healthcare',
        model: 'CARESCAPE B650',
        serial: 'SM412345678GA',
        department: 'ICU',
        location: 'ICU West Bed 08',
        macs: ['00:1e:8f:12:34:56'],
        ips: ['10.10.20.22'],
        firmware: '3.2',
        attributes: { 'PM Due': '2026-03-01' },
      }),
      rec(4, {
        assetId: 'BM-5120',
        manufacturer: 'BD',
        model: 'Alaris 8015',
        serial: '12345678',
        department: 'Oncology',
        location: 'Infusion Room 3',
        macs: ['00:10:2a:33:44:55'],
        firmware: '12.1.2',
        fdaClass: 'II',
        deviceType: 'Infusion Pump',
        attributes: { 'PM Due': '2026-04-15' },
      }),
      rec(5, {
        assetId: 'EQ-000300',
        manufacturer: 'Baxter',
        model: 'Sigma Spectrum',
        serial: 'SP-1002-33',
        department: 'Med/Surg',
        location: '3 North, Room 310',
        macs: ['00:1b:63:a1:b2:c3', '00:1b:63:a1:b2:c4'],
        ips: ['10.10.30.5'],
        firmware: '8.00.01',
        fdaClass: 'II',
        deviceType: 'Infusion Pump',
      }),
    ]);
  });

  it('splits a free-text location with the mapping pattern, drops ignored columns, warns on misses', async () => {
    const mapping = await loadColumnMapping(`${FIX}/location-split.mapping.yaml`);
    const r = await parseSorCsv(`${FIX}/location-split.csv`, { mapping });
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      rec(2, {
        assetId: 'BM-1001',
        manufacturer: 'Philips',
        model: 'IntelliVue MX450',
        location: 'SWITCH-1 Gi1/0/3 (Room 12)',
        switch: 'SWITCH-1',
        port: 'Gi1/0/3',
        room: '12',
        macs: ['00:09:fb:01:02:03'],
      }),
      rec(3, {
        assetId: 'BM-1002',
        manufacturer: 'Dr\u00e4ger',
        model: 'Infinity Delta',
        location: 'SWITCH-2 Gi1/0/17 (Room 4B)',
        switch: 'SWITCH-2',
        port: 'Gi1/0/17',
        room: '4B',
        macs: ['00:30:e6:01:02:04'],
      }),
      rec(4, { assetId: 'BM-1003', manufacturer: 'Baxter', model: 'Sigma Spectrum', location: 'Storage closet' }),
    ]);
    expect(r.warnings).toEqual(['fixtures/sor/location-split.csv:4: column "Net Loc": pattern did not match 1 row (first at line 4)']);
    expect(r.columns).toEqual([
      { header: 'Equip No', field: 'assetId', use: 'field' },
      { header: 'Mfr', field: 'manufacturer', use: 'field' },
      { header: 'Mdl', field: 'model', use: 'field' },
      { header: 'Net Loc', field: 'location,switch,port,room', use: 'pattern' },
      { header: 'Notes', field: null, use: 'ignored' },
      { header: 'MAC', field: 'macs', use: 'field' },
    ]);
  });

  it('validates values a pattern group extracts', async () => {
    const { parseColumnMapping } = await import('../../../src/reconcile/column-mapping.js');
    const parsed = parseColumnMapping("columns:\n  Net:\n    pattern: '^(?<mac>\\S+) on vlan (?<vlan>\\S+)$'\n", 'm.yaml');
    if (!parsed.ok) throw new Error('mapping should parse');
    const r = csv('Tag,Net\nA-1,0009.fb00.0001 on vlan 20\nA-2,0009.fb00.0002 on vlan twenty\nA-3,unplugged\n', { mapping: parsed.mapping });
    expect(r.records).toEqual([rec(2, { assetId: 'A-1', macs: ['00:09:fb:00:00:01'], vlan: 20 }), rec(4, { assetId: 'A-3', attributes: { Net: 'unplugged' } })]);
    expect(lines(r)).toEqual(['inline.csv:3: column "Net" (pattern group vlan): bad VLAN "twenty": not a number']);
  });

  it('an unknown preset option is AUS_ERR_MAPPING', () => {
    expect(() => csv('Tag\nA-1\n', { preset: 'maximo' })).toThrowError(expect.objectContaining({ code: 'AUS_ERR_MAPPING' }));
  });
});

describe('limits and file errors', () => {
  it('a file over maxFileBytes is refused before it is read', async () => {
    const e = await fileError(parseSorCsv(`${FIX}/bad-rows.csv`, { maxFileBytes: 100 }));
    expect(e.code).toBe('AUS_ERR_CSV_FILE');
    expect(e.message).toBe('fixtures/sor/bad-rows.csv: file is 865 bytes, over the limit of 100 bytes');
    expect(() => csv('Tag\nA-1\n', { maxFileBytes: 5 })).toThrowError(expect.objectContaining({ code: 'AUS_ERR_CSV_FILE' }));
  });

  it('an unreadable file or a directory is AUS_ERR_CSV_FILE', async () => {
    const missing = await fileError(parseSorCsv(`${FIX}/no-such-file.csv`));
    expect([missing.code, missing.message]).toEqual(['AUS_ERR_CSV_FILE', 'fixtures/sor/no-such-file.csv: cannot read file: ENOENT']);
    const dir = await fileError(parseSorCsv(FIX));
    expect([dir.code, dir.message]).toEqual(['AUS_ERR_CSV_FILE', 'fixtures/sor: not a regular file']);
  });

  it('a record over maxRecordBytes is a row error (lowered knob)', () => {
    const r = csv(`Tag,Notes\nA-1,short\nA-2,"${'y'.repeat(40)}\n${'z'.repeat(40)}"\nA-3,short\n`, { maxRecordBytes: 64 });
    expect(lines(r)).toEqual(['inline.csv:3: record is 88 bytes, over the limit of 64 bytes']);
    expect(r.records.map((x) => x.line)).toEqual([2, 5]);
  });

  it('more rows than maxRows refuses the file (lowered knob); blank rows do not count', () => {
    expect(csv('Tag\nA-1\n\nA-2\n', { maxRows: 2 }).records).toHaveLength(2);
    expect(() => csv('Tag\nA-1\n\nA-2\nA-3\n', { maxRows: 2 })).toThrowError(
      expect.objectContaining({ code: 'AUS_ERR_CSV_FILE', message: 'inline.csv:5: more than 2 data rows; refusing a partial import' }),
    );
  });
});

describe('properties', () => {
  it('arbitrary bytes after a header never throw; lines are in range and ordered', () => {
    const header = Buffer.from('Asset Tag,MAC Address,IP Address,VLAN,Notes\n');
    const cell = fc.oneof(
      fc.constantFrom('', 'A-1', '"', '""', ',', '\n', '\r\n', ';', '00:09:fb:3a:71:07', '0009.FB3A.7107', '10.0.0.1', '20', '4095', ' ', '=1+1'),
      fc.string({ maxLength: 6 }),
    );
    const body = fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.array(cell, { maxLength: 30 }).map((cells) => Buffer.from(cells.join(''), 'utf8')));
    fc.assert(
      fc.property(body, (bytes) => {
        const input = Buffer.concat([header, bytes]);
        const r = parseSorCsvBuffer(input, 'p.csv');
        const text = r.encoding === 'cp1252' ? input.toString('latin1') : input.toString('utf8');
        const lineCount = text.split(/\r\n|\r|\n/).length;
        const recordLines = r.records.map((x) => x.line);
        for (const line of [...recordLines, ...r.errors.map((e) => e.line)]) {
          expect(line).toBeGreaterThanOrEqual(2);
          expect(line).toBeLessThanOrEqual(lineCount);
        }
        expect([...recordLines].sort((a, b) => a - b)).toEqual(recordLines);
        expect(new Set(recordLines).size).toBe(recordLines.length);
        for (const x of r.records) {
          for (const mac of x.macs) expect(normaliseMac(mac)).toBe(mac);
          expect(x.assetId !== undefined || x.macs.length > 0 || x.ips.length > 0).toBe(true);
        }
      }),
      { seed: 42, numRuns: 10000 },
    );
  });
});
