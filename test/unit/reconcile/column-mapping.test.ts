import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuscultError } from '../../../src/errors.js';
import {
  BUILTIN_ALIASES,
  builtinRule,
  formatMappingIssue,
  loadColumnMapping,
  normaliseHeader,
  parseColumnMapping,
  presetMapping,
  resolveColumn,
  SOR_PRESETS,
  type ColumnMapping,
} from '../../../src/reconcile/column-mapping.js';
import { SOR_FIELDS } from '../../../src/reconcile/sor-record.js';

const FIELD_LIST =
  'asset_id, manufacturer, model, serial, mac, ip, hostname, vlan, location, department, room, switch, port, firmware, os, fda_class, owner, device_type, remote_access, service_window';

function parseOk(text: string, file = 'mapping.yaml'): ColumnMapping {
  const result = parseColumnMapping(text, file);
  if (!result.ok) throw new Error(result.issues.map(formatMappingIssue).join('\n'));
  return result.mapping;
}

function issuesOf(text: string, file = 'mapping.yaml'): string[] {
  const result = parseColumnMapping(text, file);
  return result.ok ? [] : result.issues.map(formatMappingIssue);
}

describe('normaliseHeader', () => {
  it.each([
    ['Serial #', 'serialnumber'],
    ['serial_number', 'serialnumber'],
    ['SERIAL NUMBER', 'serialnumber'],
    ['S/N', 'sn'],
    ['  MAC-Address ', 'macaddress'],
    ['Control #', 'controlnumber'],
  ])('%j → %j', (header, expected) => {
    expect(normaliseHeader(header)).toBe(expected);
  });
});

describe('built-in aliases', () => {
  it('no alias maps to two fields once normalised', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const field of SOR_FIELDS) {
      for (const alias of BUILTIN_ALIASES[field]) {
        const key = normaliseHeader(alias);
        const earlier = owner.get(key);
        if (earlier !== undefined && earlier !== field) clashes.push(`${alias}: ${earlier} and ${field}`);
        owner.set(key, field);
      }
    }
    expect(clashes).toEqual([]);
  });

  it.each([
    ['Asset Tag', 'assetId'],
    ['asset_tag', 'assetId'],
    ['TAG', 'assetId'],
    ['Equipment ID', 'assetId'],
    ['Control #', 'assetId'],
    ['Make', 'manufacturer'],
    ['Vendor', 'manufacturer'],
    ['MFR', 'manufacturer'],
    ['Model Number', 'model'],
    ['Serial #', 'serial'],
    ['serial_no', 'serial'],
    ['SN', 'serial'],
    ['MAC Address', 'macs'],
    ['mac_address', 'macs'],
    ['Hardware Address', 'macs'],
    ['IP Address', 'ips'],
    ['DNS Name', 'hostname'],
    ['FQDN', 'hostname'],
    ['VLAN ID', 'vlan'],
    ['Location', 'location'],
    ['Dept', 'department'],
    ['Room', 'room'],
    ['Switch', 'switch'],
    ['Switch Port', 'port'],
    ['Software Version', 'firmware'],
    ['SW Version', 'firmware'],
    ['Version', 'firmware'],
    ['Operating System', 'os'],
    ['FDA Class', 'fdaClass'],
    ['fda_class', 'fdaClass'],
    ['Device Class', 'fdaClass'],
    ['Custodian', 'owner'],
    ['Assigned To', 'owner'],
    ['Device Type', 'deviceType'],
    ['Category', 'deviceType'],
  ])('%j → %s', (header, field) => {
    expect(builtinRule(header)).toEqual({ kind: 'field', field });
  });

  it.each([['name'], ['Class'], ['Building'], ['Floor'], ['PM Due'], ['Notes']])('%j has no alias', (header) => {
    expect(builtinRule(header)).toBeUndefined();
  });
});

describe('presets', () => {
  it('offers the ServiceNow and biomed CMMS presets', () => {
    expect(Object.keys(SOR_PRESETS)).toEqual(['servicenow-cmdb-ci', 'biomed-cmms']);
  });

  it('ServiceNow maps CMDB column names, then falls back to the aliases', () => {
    const sn = presetMapping('servicenow-cmdb-ci');
    expect(resolveColumn('name', sn)).toEqual({ kind: 'field', field: 'hostname' });
    expect(resolveColumn('u_switch_port', sn)).toEqual({ kind: 'field', field: 'port' });
    expect(resolveColumn('u_vlan', sn)).toEqual({ kind: 'field', field: 'vlan' });
    expect(resolveColumn('model_id', sn)).toEqual({ kind: 'field', field: 'model' });
    expect(resolveColumn('Serial Number', sn)).toEqual({ kind: 'field', field: 'serial' });
    expect(resolveColumn('sys_id', sn)).toBeUndefined();
  });

  it('biomed CMMS maps Software Rev and Control #', () => {
    const cmms = presetMapping('biomed-cmms');
    expect(resolveColumn('Software Rev', cmms)).toEqual({ kind: 'field', field: 'firmware' });
    expect(resolveColumn('Control #', cmms)).toEqual({ kind: 'field', field: 'assetId' });
    expect(resolveColumn('Equipment Class', cmms)).toEqual({ kind: 'field', field: 'deviceType' });
  });

  it('an unknown preset is AUS_ERR_MAPPING naming the known ones', () => {
    expect(() => presetMapping('maximo')).toThrowError(
      expect.objectContaining({ code: 'AUS_ERR_MAPPING', reason: 'unknown preset "maximo"; known presets: servicenow-cmdb-ci, biomed-cmms' }),
    );
  });
});

describe('parseColumnMapping', () => {
  it('reads the location-split mapping', () => {
    const mapping = parseOk(readFileSync('fixtures/sor/location-split.mapping.yaml', 'utf8'), 'fixtures/sor/location-split.mapping.yaml');
    expect(mapping.name).toBe('fixtures/sor/location-split.mapping.yaml');
    expect(mapping.builtinAliases).toBe(true);
    expect(resolveColumn('Equip No', mapping)).toEqual({ kind: 'field', field: 'assetId' });
    expect(resolveColumn('equip_no', mapping)).toEqual({ kind: 'field', field: 'assetId' });
    expect(resolveColumn('Notes', mapping)).toEqual({ kind: 'ignore' });
    expect(resolveColumn('MAC', mapping)).toEqual({ kind: 'field', field: 'macs' });
    const netLoc = resolveColumn('Net Loc', mapping);
    expect(netLoc).toMatchObject({
      kind: 'pattern',
      field: 'location',
      groups: [
        { name: 'switch', field: 'switch' },
        { name: 'port', field: 'port' },
        { name: 'room', field: 'room' },
      ],
    });
    if (netLoc?.kind !== 'pattern') throw new Error('expected a pattern rule');
    expect(netLoc.pattern.exec('SWITCH-1 Gi1/0/3 (Room 12)')?.groups).toEqual({ switch: 'SWITCH-1', port: 'Gi1/0/3', room: '12' });
  });

  it('reports every problem in the bad mapping as file:line:col: key: reason', () => {
    const file = 'fixtures/sor/bad-mapping.yaml';
    expect(issuesOf(readFileSync(file, 'utf8'), file)).toEqual([
      `${file}:3:13: columns."Equip No": unknown field "asset_identifier"; expected ignore or one of ${FIELD_LIST}`,
      `${file}:5:5: columns."Net Loc".patern: unknown key`,
      `${file}:5:5: columns."Net Loc": needs field, pattern or both`,
      `${file}:7:14: columns."Room Info".pattern: bad regular expression: not supported by the linear-time engine (RE2): missing closing ): \`^(?<switch>\\S+\``,
      `${file}:9:14: columns.Where.pattern: named group "bldg" is not a field; expected one of ${FIELD_LIST}`,
      `${file}:10:1: colums: unknown key`,
    ]);
  });

  it('a YAML syntax error is located', () => {
    expect(issuesOf('columns:\n  Tag: asset_id\n  Tag: serial\n')).toEqual(['mapping.yaml:3:3: yaml: Map keys must be unique']);
  });

  it('a document that is not a map is a root error', () => {
    expect(issuesOf('- asset_id\n')).toEqual(['mapping.yaml:1:1: (root): a mapping file is a map with preset, builtin_aliases and columns']);
  });

  it('a mapping with neither preset nor columns is an error', () => {
    expect(issuesOf('builtin_aliases: false\n')).toEqual(['mapping.yaml:1:1: (root): names neither a preset nor columns']);
  });

  it('rejects patterns without named groups, ignored columns with patterns, and headers that collide', () => {
    expect(
      issuesOf(
        [
          'columns:',
          '  Loc:',
          "    pattern: '^(\\S+)$'",
          '  Notes:',
          '    field: ignore',
          "    pattern: '^(?<room>.*)$'",
          '  "Serial #": serial',
          '  serial number: serial',
          '  Bad: 7',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'mapping.yaml:3:14: columns.Loc.pattern: pattern has no named group (?<field>...)',
      'mapping.yaml:5:12: columns.Notes.field: an ignored column cannot have a pattern',
      'mapping.yaml:8:3: columns."serial number": same column as "Serial #" (headers ignore case, spaces and punctuation)',
      'mapping.yaml:9:8: columns.Bad: expected a field name or a map with field and/or pattern',
    ]);
  });

  it('a preset in the mapping is layered under its columns', () => {
    const mapping = parseOk('preset: biomed-cmms\ncolumns:\n  Software Rev: model\n  Equip No: asset_id\n');
    expect(resolveColumn('Software Rev', mapping)).toEqual({ kind: 'field', field: 'model' });
    expect(resolveColumn('Control #', mapping)).toEqual({ kind: 'field', field: 'assetId' });
    expect(resolveColumn('Equip No', mapping)).toEqual({ kind: 'field', field: 'assetId' });
  });

  it('an unknown preset in the mapping is located', () => {
    expect(issuesOf('preset: maximo\n')).toEqual(['mapping.yaml:1:9: preset: unknown preset "maximo"; expected one of servicenow-cmdb-ci, biomed-cmms']);
  });

  it('builtin_aliases: false leaves unlisted headers unmapped', () => {
    const mapping = parseOk('builtin_aliases: false\ncolumns:\n  Tag: asset_id\n');
    expect(resolveColumn('Tag', mapping)).toEqual({ kind: 'field', field: 'assetId' });
    expect(resolveColumn('Serial Number', mapping)).toBeUndefined();
  });
});

describe('loadColumnMapping', () => {
  it('throws AUS_ERR_MAPPING at the first issue and counts the rest', async () => {
    const file = 'fixtures/sor/bad-mapping.yaml';
    const error = await loadColumnMapping(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuscultError);
    const e = error as AuscultError;
    expect(e.code).toBe('AUS_ERR_MAPPING');
    expect(e.where).toEqual({ file, line: 3, column: 13 });
    expect(e.message).toBe(`${file}:3:13: columns."Equip No": unknown field "asset_identifier"; expected ignore or one of ${FIELD_LIST} (and 5 more)`);
  });

  it('an unreadable mapping is AUS_ERR_MAPPING', async () => {
    await expect(loadColumnMapping('fixtures/sor/no-such-mapping.yaml')).rejects.toMatchObject({
      code: 'AUS_ERR_MAPPING',
      message: 'fixtures/sor/no-such-mapping.yaml: cannot read mapping file: ENOENT',
    });
  });

  it('loads a good mapping', async () => {
    const mapping = await loadColumnMapping('fixtures/sor/location-split.mapping.yaml');
    expect(resolveColumn('Mdl', mapping)).toEqual({ kind: 'field', field: 'model' });
  });
});
