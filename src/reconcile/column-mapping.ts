/**
 * \summary Which CSV column feeds which system-of-record field: built-in header aliases, named
 * presets for common exports, and a mapping YAML for anything else.
 *
 * Resolution order for each header: the mapping YAML's `columns`, then the preset it (or the
 * caller) names, then the built-in aliases (unless `builtin_aliases: false`), else the column is
 * kept as a raw attribute. Headers are compared after `normaliseHeader` (case, spaces,
 * underscores and punctuation ignored; `#` reads as "number"), so `Serial #`, `serial_number`
 * and `SERIAL NUMBER` are one header.
 *
 * The ServiceNow preset uses the CMDB column names a list export writes as headers: `asset_tag`,
 * `name`, `manufacturer`, `model_id`, `model_number`, `serial_number`, `mac_address`,
 * `ip_address`, `fqdn`, `location`, `department`, `os`, `assigned_to`, `owned_by` (cmdb_ci and
 * cmdb_ci_hardware attributes, ServiceNow product documentation "Configuration Item [cmdb_ci]
 * class"), plus `firmware_version` and the `u_` custom columns sites add for VLAN, switch, port,
 * room and FDA class. The mapping YAML is validated with zod; every problem is reported as
 * `file:line:col: key: reason` using yaml's node ranges.
 */

import { readFile } from 'node:fs/promises';
import { distance } from 'fastest-levenshtein';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { AuscultError } from '../errors.js';
import { linearRegExp, regexProblem, type LinearRegExp } from '../identify/rules/regex-safety.js';
import { SOR_FIELDS, type SorField } from './sor-record.js';

/** How the import treats one column. */
export type ColumnRule =
  /** The (trimmed) cell is the value of `field`. */
  | { kind: 'field'; field: SorField }
  /** The column is dropped: not a field, not kept as an attribute (free-text notes may hold PHI). */
  | { kind: 'ignore' }
  /**
   * The cell is matched against `pattern`; each named group sets the field it names. `field`, if
   * set, also receives the whole cell. When the pattern does not match, the cell is kept as an
   * attribute (unless `field` already holds it) and the import warns once per column.
   */
  | { kind: 'pattern'; pattern: LinearRegExp; groups: readonly { name: string; field: SorField }[]; field?: SorField };

/** A compiled column mapping: normalised header → rule. */
export interface ColumnMapping {
  /** Where the mapping came from: a preset name or the mapping file. */
  name: string;
  /** Rules by normalised header (`normaliseHeader`). */
  columns: ReadonlyMap<string, ColumnRule>;
  /** Whether headers not in `columns` fall back to the built-in aliases. */
  builtinAliases: boolean;
}

/**
 * The form headers are compared in: lower case, `#` read as "number", every character other
 * than a–z and 0–9 removed (`Serial #` → `serialnumber`, `mac_address` → `macaddress`).
 */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKD')
    .toLowerCase()
    .replace(/#/g, 'number')
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Built-in header aliases, as people write them; compared after `normaliseHeader`.
 * Deliberately absent: `name` (a CI name may be a host name or an asset tag), `class` (ServiceNow's
 * CMDB class, not a device class), `building` and `floor` (no field; kept as attributes).
 */
export const BUILTIN_ALIASES: Readonly<Record<SorField, readonly string[]>> = {
  assetId: [
    'asset id', 'asset', 'asset tag', 'asset number', 'asset no', 'asset #', 'tag', 'tag number',
    'equipment id', 'equipment number', 'equipment no', 'equipment #', 'equip id', 'control number',
    'control no', 'control #', 'inventory number', 'property tag',
  ],
  manufacturer: ['manufacturer', 'manufacturer name', 'make', 'vendor', 'mfr', 'mfg', 'mfgr'],
  model: ['model', 'model number', 'model no', 'model #', 'model name', 'model id'],
  serial: ['serial', 'serial number', 'serial no', 'serial #', 'sn', 's/n', 'serialnumber'],
  macs: [
    'mac', 'macs', 'mac address', 'mac addresses', 'mac addr', 'hardware address', 'hw address',
    'ethernet address', 'physical address',
  ],
  ips: ['ip', 'ips', 'ip address', 'ip addresses', 'ip addr', 'ipv4', 'ipv4 address', 'ipv6 address'],
  hostname: ['hostname', 'host name', 'host', 'dns name', 'fqdn', 'network name'],
  vlan: ['vlan', 'vlan id', 'vlan number'],
  location: ['location', 'location name', 'physical location', 'site', 'area'],
  department: ['department', 'dept', 'department name', 'unit', 'nursing unit'],
  room: ['room', 'room number', 'room no'],
  switch: ['switch', 'switch name', 'network switch', 'connected switch'],
  port: ['port', 'switch port', 'switchport', 'port id', 'switch interface'],
  firmware: [
    'firmware', 'firmware version', 'firmware rev', 'firmware revision', 'fw', 'fw version',
    'software version', 'software rev', 'software revision', 'sw version', 'sw rev', 'version',
  ],
  os: ['os', 'operating system'],
  fdaClass: ['fda class', 'fda device class', 'device class', 'risk class', 'regulatory class'],
  owner: ['owner', 'owned by', 'custodian', 'assigned to', 'responsible'],
  deviceType: ['device type', 'type', 'category', 'device category', 'equipment type', 'asset type'],
  remoteAccess: [
    'remote access', 'remote access tools', 'remote access tool', 'approved remote access', 'remote access method',
    'remote access methods', 'remote support', 'remote support tool', 'remote service', 'remote service tools', 'remote tools',
    'vendor remote access', 'remote access vendor', 'remote connection', 'remote connectivity',
  ],
  serviceWindow: [
    // Not 'service hours' (a usage meter in many CMMS) nor 'support window' (often an end-of-support date).
    'service window', 'maintenance window', 'remote access window', 'remote service window', 'remote support window',
  ],
};

const ALIAS_LOOKUP: ReadonlyMap<string, SorField> = new Map(
  SOR_FIELDS.flatMap((field) => BUILTIN_ALIASES[field].map((alias) => [normaliseHeader(alias), field] as const)),
);

/** The built-in alias rule for a header, if any. */
export function builtinRule(header: string): ColumnRule | undefined {
  const field = ALIAS_LOOKUP.get(normaliseHeader(header));
  return field === undefined ? undefined : { kind: 'field', field };
}

function presetOf(name: string, table: Readonly<Record<string, SorField>>): ColumnMapping {
  return {
    name,
    columns: new Map(Object.entries(table).map(([header, field]) => [normaliseHeader(header), { kind: 'field', field }])),
    builtinAliases: true,
  };
}

/**
 * Presets for common exports. Headers not listed fall back to the built-in aliases. When two
 * columns feed one single-valued field, the first non-empty one in file order wins (so
 * `model_id` is used and `model_number` fills in when it is empty).
 */
export const SOR_PRESETS: Readonly<Record<string, ColumnMapping>> = {
  'servicenow-cmdb-ci': presetOf('servicenow-cmdb-ci', {
    asset_tag: 'assetId',
    u_asset_tag: 'assetId',
    name: 'hostname',
    host_name: 'hostname',
    fqdn: 'hostname',
    manufacturer: 'manufacturer',
    model_id: 'model',
    model_number: 'model',
    serial_number: 'serial',
    mac_address: 'macs',
    ip_address: 'ips',
    u_vlan: 'vlan',
    location: 'location',
    department: 'department',
    u_room: 'room',
    u_switch: 'switch',
    u_switch_port: 'port',
    u_port: 'port',
    firmware_version: 'firmware',
    u_firmware_version: 'firmware',
    os: 'os',
    u_fda_class: 'fdaClass',
    assigned_to: 'owner',
    owned_by: 'owner',
    u_device_type: 'deviceType',
    category: 'deviceType',
    u_remote_access: 'remoteAccess',
    u_service_window: 'serviceWindow',
    u_maintenance_window: 'serviceWindow',
  }),
  'biomed-cmms': presetOf('biomed-cmms', {
    'Equipment ID': 'assetId',
    'Control #': 'assetId',
    'Control Number': 'assetId',
    Manufacturer: 'manufacturer',
    Model: 'model',
    'Serial #': 'serial',
    'Serial Number': 'serial',
    Department: 'department',
    Location: 'location',
    Room: 'room',
    'MAC Address': 'macs',
    'IP Address': 'ips',
    'Host Name': 'hostname',
    VLAN: 'vlan',
    Switch: 'switch',
    'Switch Port': 'port',
    'Software Rev': 'firmware',
    'Software Version': 'firmware',
    'Firmware Rev': 'firmware',
    'Operating System': 'os',
    'Risk Class': 'fdaClass',
    'FDA Class': 'fdaClass',
    'Device Type': 'deviceType',
    'Equipment Type': 'deviceType',
    'Equipment Class': 'deviceType',
    Custodian: 'owner',
    'Remote Access': 'remoteAccess',
    'Remote Support': 'remoteAccess',
    'Service Window': 'serviceWindow',
    'Maintenance Window': 'serviceWindow',
  }),
};

/** The rule for one header under a mapping (or the built-in aliases when there is none). */
export function resolveColumn(header: string, mapping?: ColumnMapping): ColumnRule | undefined {
  const explicit = mapping?.columns.get(normaliseHeader(header));
  if (explicit !== undefined) return explicit;
  if (mapping !== undefined && !mapping.builtinAliases) return undefined;
  return builtinRule(header);
}

/** A preset by name; throws `AUS_ERR_MAPPING` naming the known presets. */
export function presetMapping(name: string): ColumnMapping {
  const preset = Object.hasOwn(SOR_PRESETS, name) ? SOR_PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new AuscultError('AUS_ERR_MAPPING', `unknown preset "${name}"; known presets: ${Object.keys(SOR_PRESETS).join(', ')}`);
  }
  return preset;
}

/** Layer `top` over `base`: top's columns win, then base's, then (if both allow) the aliases. */
export function layerMappings(top: ColumnMapping, base: ColumnMapping): ColumnMapping {
  return {
    name: `${top.name} over ${base.name}`,
    columns: new Map([...base.columns, ...top.columns]),
    builtinAliases: top.builtinAliases && base.builtinAliases,
  };
}

// ---------------------------------------------------------------------------------------------
// Mapping YAML

/** Field names as the mapping YAML (and regex group names) spell them. */
export const MAPPING_FIELD_NAMES: Readonly<Record<string, SorField>> = {
  asset_id: 'assetId',
  manufacturer: 'manufacturer',
  model: 'model',
  serial: 'serial',
  mac: 'macs',
  ip: 'ips',
  hostname: 'hostname',
  vlan: 'vlan',
  location: 'location',
  department: 'department',
  room: 'room',
  switch: 'switch',
  port: 'port',
  firmware: 'firmware',
  os: 'os',
  fda_class: 'fdaClass',
  owner: 'owner',
  device_type: 'deviceType',
  remote_access: 'remoteAccess',
  service_window: 'serviceWindow',
};

const FIELD_NAME_LIST = Object.keys(MAPPING_FIELD_NAMES).join(', ');
const fieldNameOf = (name: string): SorField | undefined =>
  Object.hasOwn(MAPPING_FIELD_NAMES, name) ? MAPPING_FIELD_NAMES[name] : undefined;

/** Named capture groups in a regex source (lookbehinds `(?<=` / `(?<!` are not groups). */
function namedGroups(source: string): string[] {
  return [...source.matchAll(/(?<!\\)\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1] ?? '');
}

const fieldNameSchema = z.string({ error: 'expected a field name' }).refine((v) => v === 'ignore' || fieldNameOf(v) !== undefined, {
  error: (issue) => `unknown field ${JSON.stringify(issue.input)}; expected ignore or one of ${FIELD_NAME_LIST}`,
});

const columnEntrySchema = z.preprocess(
  (v) => (typeof v === 'string' ? { field: v } : v),
  z
    .strictObject(
      {
        /** The field that receives the whole cell, or `ignore`. */
        field: fieldNameSchema.optional(),
        /** A regex whose named groups (field names) split the cell into several fields. */
        pattern: z.string({ error: 'expected a regular expression as a string' }).optional(),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'expected a field name or a map with field and/or pattern' : undefined) },
    )
    .superRefine((entry, ctx) => {
      if (entry.field === undefined && entry.pattern === undefined) {
        ctx.addIssue({ code: 'custom', message: 'needs field, pattern or both', path: [] });
      }
      if (entry.field === 'ignore' && entry.pattern !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'an ignored column cannot have a pattern', path: ['field'] });
      }
      if (entry.pattern === undefined) return;
      const problem = regexProblem(entry.pattern); // RE2: linear time on any cell (regex-safety.ts)
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `bad regular expression: ${problem.reason}`, path: ['pattern'] });
        return;
      }
      const groups = namedGroups(entry.pattern);
      if (groups.length === 0) ctx.addIssue({ code: 'custom', message: 'pattern has no named group (?<field>...)', path: ['pattern'] });
      for (const g of groups) {
        if (fieldNameOf(g) === undefined) {
          ctx.addIssue({ code: 'custom', message: `named group "${g}" is not a field; expected one of ${FIELD_NAME_LIST}`, path: ['pattern'] });
        }
      }
    }),
);

const mappingFileSchema = z
  .strictObject(
    {
      /** A preset to start from. */
      preset: z
        .string({ error: 'expected a preset name' })
        .refine((v) => Object.hasOwn(SOR_PRESETS, v), {
          error: (issue) => `unknown preset ${JSON.stringify(issue.input)}; expected one of ${Object.keys(SOR_PRESETS).join(', ')}`,
        })
        .optional(),
      /** Whether unlisted headers fall back to the built-in aliases (default true). */
      builtin_aliases: z.boolean({ error: 'expected true or false' }).optional(),
      /** Header → field name, `ignore`, or `{ field, pattern }`. */
      columns: z.record(z.string(), columnEntrySchema, { error: 'expected a map of header to field' }).optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'a mapping file is a map with preset, builtin_aliases and columns' : undefined) },
  )
  .superRefine((m, ctx) => {
    if (m.preset === undefined && m.columns === undefined) {
      ctx.addIssue({ code: 'custom', message: 'names neither a preset nor columns', path: [] });
    }
  });

/** Headers of `columns` that are one column after `normaliseHeader` (checked apart from zod so it runs even when other entries are invalid). */
function headerCollisions(input: unknown): { path: string[]; message: string }[] {
  const columns = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>)['columns'] : undefined;
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) return [];
  const seen = new Map<string, string>();
  const out: { path: string[]; message: string }[] = [];
  for (const header of Object.keys(columns)) {
    const key = normaliseHeader(header);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      out.push({ path: ['columns', header], message: `same column as "${earlier}" (headers ignore case, spaces and punctuation)` });
    } else seen.set(key, header);
  }
  return out;
}

/** One problem in a mapping file, located in the YAML source. */
export interface MappingIssue {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted path of the offending key (`columns.Location.pattern`), or `yaml` for a syntax error. */
  key: string;
  reason: string;
}

/** `file:line:col: key: reason`. */
export function formatMappingIssue(issue: MappingIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.key}: ${issue.reason}`;
}

export type MappingParseResult = { ok: true; mapping: ColumnMapping } | { ok: false; issues: MappingIssue[] };

function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'string' && /^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(String(p)))).join('.');
}

/**
 * Where a zod issue path points in the YAML source: the deepest node along `path` (its key, when
 * `asKey`), and how much of the path exists in the source (a synthetic trailing segment, such as
 * the `field` a plain string entry stands for, is not shown to the user).
 */
function locate(doc: Document, path: readonly PropertyKey[], asKey: boolean): { offset: number; depth: number } {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    if (asKey && n === path.length && n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1) as unknown[], true);
      if (isMap(parent)) {
        const last = String(prefix[n - 1]);
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
        if (pair && isScalar(pair.key) && pair.key.range) return { offset: pair.key.range[0], depth: n };
      }
      continue;
    }
    const node = n === 0 ? doc.contents : doc.getIn(prefix as unknown[], true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) return { offset: node.range[0] as number, depth: n };
  }
  return { offset: 0, depth: 0 };
}

/**
 * Parse and validate a mapping YAML. Pure: `file` only names the source in issues.
 *
 * ```yaml
 * preset: biomed-cmms            # optional starting point
 * builtin_aliases: true          # default
 * columns:
 *   Equip No: asset_id
 *   Notes: ignore
 *   "Serial #": serial           # quote headers with '#', ':' or leading punctuation
 *   Net Loc:
 *     field: location            # optional: the whole cell too
 *     pattern: '^(?<switch>\S+)\s+(?<port>\S+)\s+\(Room (?<room>[^)]+)\)$'
 * ```
 */
export function parseColumnMapping(text: string, file: string): MappingParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const at = (offset: number): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        key: 'yaml',
        reason: (e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, ''),
      })),
    };
  }
  const input: unknown = doc.toJS() ?? {};
  const parsed = mappingFileSchema.safeParse(input);
  const collisions = headerCollisions(input);
  if (!parsed.success || collisions.length > 0) {
    const issues: MappingIssue[] = [];
    for (const issue of parsed.error?.issues ?? []) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          const where = locate(doc, path, true);
          issues.push({ file, ...at(where.offset), key: keyPath(path), reason: 'unknown key' });
        }
      } else {
        const where = locate(doc, issue.path, false);
        issues.push({ file, ...at(where.offset), key: keyPath(issue.path.slice(0, where.depth)), reason: issue.message });
      }
    }
    for (const c of collisions) issues.push({ file, ...at(locate(doc, c.path, true).offset), key: keyPath(c.path), reason: c.message });
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, issues };
  }
  const columns = new Map<string, ColumnRule>();
  for (const [header, entry] of Object.entries(parsed.data.columns ?? {})) {
    const field = entry.field === undefined || entry.field === 'ignore' ? undefined : fieldNameOf(entry.field);
    let rule: ColumnRule;
    if (entry.field === 'ignore') rule = { kind: 'ignore' };
    else if (entry.pattern !== undefined) {
      const groups = namedGroups(entry.pattern).flatMap((name) => {
        const groupField = fieldNameOf(name);
        return groupField === undefined ? [] : [{ name, field: groupField }];
      });
      rule = { kind: 'pattern', pattern: linearRegExp(entry.pattern), groups, ...(field !== undefined ? { field } : {}) };
    } else if (field !== undefined) rule = { kind: 'field', field };
    else continue; // unreachable: the schema requires field or pattern
    columns.set(normaliseHeader(header), rule);
  }
  const own: ColumnMapping = { name: file, columns, builtinAliases: parsed.data.builtin_aliases ?? true };
  const mapping = parsed.data.preset === undefined ? own : layerMappings(own, presetMapping(parsed.data.preset));
  return { ok: true, mapping: { ...mapping, name: file } };
}

/**
 * Read and validate a mapping YAML. Throws `AUS_ERR_MAPPING` located at the first issue (the
 * reason says how many more there are; `parseColumnMapping` lists them all).
 */
export async function loadColumnMapping(path: string): Promise<ColumnMapping> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AuscultError('AUS_ERR_MAPPING', `cannot read mapping file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { file: path });
  }
  const result = parseColumnMapping(text, path);
  if (result.ok) return result.mapping;
  const first = result.issues[0];
  const more = result.issues.length - 1;
  throw new AuscultError('AUS_ERR_MAPPING', `${first?.key ?? '(root)'}: ${first?.reason ?? 'invalid'}${more > 0 ? ` (and ${more} more)` : ''}`, {
    file: path,
    line: first?.line ?? 1,
    column: first?.column ?? 1,
  });
}

/** A header that is not a known column name but is one typo away from one (`MAC Adress`). */
export interface NearMiss {
  header: string;
  /** The built-in alias it nearly is, as written in BUILTIN_ALIASES. */
  alias: string;
  field: SorField;
}

/**
 * The built-in alias a header nearly is: edit distance (fastest-levenshtein) of the normalised
 * forms at most 1, or 2 for forms of 8 characters or more; never for forms under 4 characters
 * (`ip`/`os` are one edit from too much). Undefined for an exact alias or nothing close.
 */
export function nearMissOf(header: string): NearMiss | undefined {
  const h = normaliseHeader(header);
  if (h.length < 4 || ALIAS_LOOKUP.has(h)) return undefined;
  let best: NearMiss | undefined;
  let bestDistance = Infinity;
  for (const field of SOR_FIELDS) {
    for (const alias of BUILTIN_ALIASES[field]) {
      const a = normaliseHeader(alias);
      if (a.length < 4) continue;
      const d = distance(h, a);
      if (d <= (Math.min(h.length, a.length) >= 8 ? 2 : 1) && d < bestDistance) [best, bestDistance] = [{ header, alias, field }, d];
    }
  }
  return best;
}

/** `mapping` (or none) with `headers` dropped: what `import --ignore-column` passes to the parser. */
export function withIgnoredColumns(mapping: ColumnMapping | undefined, headers: readonly string[]): ColumnMapping {
  const columns = new Map(mapping?.columns ?? []);
  for (const h of headers) columns.set(normaliseHeader(h), { kind: 'ignore' });
  return { name: mapping?.name ?? '--ignore-column', columns, builtinAliases: mapping?.builtinAliases ?? true };
}
