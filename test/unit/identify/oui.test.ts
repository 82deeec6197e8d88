/**
 * The compact OUI table: the scan of oui-data's JSON gives exactly what `JSON.parse` and the
 * first line of each entry give, for the real file and for JSON the scan must not misread.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupOui, packOuiTable, parseOuiJson, readOuiCache, writeOuiCache } from '../../../src/identify/oui.js';

const ouiPath = createRequire(import.meta.url).resolve('oui-data');

/** What the table used to be: JSON.parse, then the trimmed first line of every entry. */
function reference(text: string): Map<string, string> {
  const parsed = JSON.parse(text) as Record<string, string>;
  return new Map(Object.entries(parsed).map(([k, v]) => [k, (v.split('\n')[0] ?? '').trim()]));
}

describe('parseOuiJson', () => {
  it('equals JSON.parse + first line for every prefix of the real oui-data file', () => {
    const text = readFileSync(ouiPath, 'utf8');
    const want = reference(text);
    const got = parseOuiJson(text);
    expect(got.size).toBe(want.size);
    expect(got.size).toBeGreaterThan(50_000);
    let mismatches = 0;
    for (const [k, v] of want) if (got.get(k) !== v) mismatches++;
    expect(mismatches).toBe(0);
  });

  it.each([
    ['escapes before the first line break', String.raw`{"001122": "A \"B\" \\ C\u00e9\nstreet", "AABBCC": "  Pad  \ncity"}`],
    ['\\u000a as the line break', String.raw`{"001122": "First\u000Asecond"}`],
    ['an escaped backslash before n is not a break', String.raw`{"001122": "x\\n y\nz"}`],
    ['no line break at all, odd spacing', '{ "001122" :"Only" ,\n"334455":"Two\\nx"\n}\n'],
    ['empty and Private entries', String.raw`{"001122": "", "334455": "Private\n"}`],
    ['escaped key', String.raw`{"00\u0031122": "K"}`],
    ['duplicate keys: the last wins', String.raw`{"001122": "A", "001122": "B"}`],
    ['an empty object', '{}'],
    ['invalid JSON throws', '{"001122": "A",}'],
    ['a trailing member after the object is closed', '{"001122": "A"} {"3": "4"}'],
  ])('%s', (_name, text) => {
    let want: Map<string, string> | Error;
    try { want = reference(text); } catch (e) { want = e as Error; }
    if (want instanceof Error) expect(() => parseOuiJson(text)).toThrow();
    else expect(parseOuiJson(text)).toEqual(want);
  });

  it('a layout the scan does not know (a nested value) goes through JSON.parse', () => {
    expect(parseOuiJson('{"001122": "A\\nb", "x": {"y": "z"}}').get('001122')).toBe('A');
  });
});

describe('lookupOui', () => {
  it('packOuiTable keeps each block size apart and skips keys that are not hex', () => {
    const t = packOuiTable(new Map([['00AABB', 'L'], ['00AABBC', 'M'], ['00AABBCCD', 'S'], ['XYZ123', 'bad'], ['00AABA', 'L']]));
    expect(t.bySize.map((b) => [b.digits, [...b.prefixes]])).toEqual([[9, [0x00aabbccd]], [7, [0x00aabbc]], [6, [0x00aaba, 0x00aabb]]]);
    expect(t.names).toEqual(['S', 'M', 'L']);
  });

  it('longest prefix first; group, local and unknown MACs have no owner', () => {
    const text = readFileSync(ouiPath, 'utf8');
    const table = reference(text);
    const mal = [...table.keys()].find((k) => k.length === 6 && (table.get(k) ?? '') !== '' && table.get(k) !== 'Private') ?? '';
    const mac = `${mal.slice(0, 2)}:${mal.slice(2, 4)}:${mal.slice(4, 6)}:12:34:56`.toLowerCase();
    expect(lookupOui(mac)).toEqual({ organisation: table.get(mal), prefix: mal, registry: 'MA-L' });
    const mas = [...table.keys()].find((k) => k.length === 9 && (table.get(k) ?? '') !== '' && table.get(k) !== 'Private') ?? '';
    const masMac = `${mas.slice(0, 2)}:${mas.slice(2, 4)}:${mas.slice(4, 6)}:${mas.slice(6, 8)}:${mas.slice(8, 9)}0:00`;
    expect(lookupOui(masMac)).toEqual({ organisation: table.get(mas), prefix: mas, registry: 'MA-S' });
    expect(lookupOui('01:00:5e:00:00:fb')).toBeUndefined();
    expect(lookupOui('02:00:00:00:00:01')).toBeUndefined();
    expect(lookupOui('not a mac')).toBeUndefined();
  });

  it('the packed tables answer every registered prefix as the longest-prefix Map lookup does', () => {
    const table = reference(readFileSync(ouiPath, 'utf8'));
    const oracle = (mac: string): string | undefined => {
      const hex = mac.replace(/:/g, '').toUpperCase();
      if (parseInt(hex.slice(0, 2), 16) & 0x03) return undefined;
      for (const len of [9, 7, 6]) {
        const name = table.get(hex.slice(0, len));
        if (name !== undefined) return name === '' || name === 'Private' ? undefined : name;
      }
      return undefined;
    };
    let checked = 0;
    for (const prefix of table.keys()) {
      for (const tail of ['000000', 'FFFFFF', '5A5A5A']) {
        const hex = (prefix + tail).slice(0, 12);
        const mac = hex.match(/../g)!.join(':').toLowerCase();
        expect(lookupOui(mac)?.organisation, mac).toBe(oracle(mac));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });
});

describe('the packed-table cache npm run build writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auscult-oui-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const version = (JSON.parse(readFileSync(join(dirname(ouiPath), 'package.json'), 'utf8')) as { version: string }).version;
  const source = `${version}:${readFileSync(ouiPath).length}`;
  const path = join(dir, 'oui-tables.json');
  writeOuiCache(path);

  it('reads back exactly the tables packed from the JSON', () => {
    const fromJson = packOuiTable(parseOuiJson(readFileSync(ouiPath, 'utf8')));
    const cached = readOuiCache(path, source);
    expect(cached).toBeDefined();
    expect(cached!.names).toEqual(fromJson.names);
    expect(cached!.bySize.map((t) => [t.digits, [...t.prefixes], [...t.nameIndex]])).toEqual(fromJson.bySize.map((t) => [t.digits, [...t.prefixes], [...t.nameIndex]]));
  });

  it('is ignored when oui-data changed, or when the file is missing, malformed or inconsistent', () => {
    expect(readOuiCache(path, `${version}:1`)).toBeUndefined();
    expect(readOuiCache(join(dir, 'absent.json'), source)).toBeUndefined();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format":');
    expect(readOuiCache(broken, source)).toBeUndefined();
    const file = JSON.parse(readFileSync(path, 'utf8')) as { names: string[]; tables: { nameIndex: number[] }[] };
    (file.tables[0] as { nameIndex: number[] }).nameIndex[0] = file.names.length; // points past the names
    writeFileSync(broken, JSON.stringify(file));
    expect(readOuiCache(broken, source)).toBeUndefined();
  });
});

