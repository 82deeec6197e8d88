/**
 * \summary System-of-record CSV import: bytes → validated `SorRecord`s plus a precise list of
 * `file:line: reason` errors. Pure apart from `parseSorCsv` reading the file; no database.
 *
 * CSV per RFC 4180 as spreadsheets write it, parsed by csv-parse: quoted fields may hold
 * delimiters, doubled quotes and newlines; rows may be ragged (fewer cells than the header is
 * fine, more is an error unless the extra cells are blank); rows whose cells are all blank are
 * skipped wherever they are. Encoding: valid UTF-8 (with or without BOM), else Windows-1252
 * decoded with iconv-lite (Node's TextDecoder maps 0x80–0x9F to C1 controls, which turns the
 * euro sign and en dash of CP-1252 exports into garbage). Delimiter `,` `;` or tab, sniffed from
 * the header line (or Excel's `sep=` first line). Cells are text, never evaluated: a formula such
 * as `=HYPERLINK(...)` is kept as that text (escaping on export is csv-stringify's job).
 *
 * Line numbers are physical lines, counted by this module from csv-parse's per-record end line,
 * so a quoted newline in an earlier row never shifts a later row's reported line.
 */

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { AuscultError } from '../errors.js';
import { layerMappings, presetMapping, resolveColumn, type ColumnMapping, type ColumnRule } from './column-mapping.js';
import {
  isOutOfRangeVlan,
  isPlaceholderOrGroupMac,
  isPlaceholderValue,
  normaliseIp,
  normaliseMac,
  normaliseVlan,
} from './normalise.js';
import { canonicalApprovedTools, parseApprovedTools, parseServiceWindow } from './remote-access-policy.js';

/** A remote-access item that reads like a product name (letters and a little punctuation, no digits): safe to quote in a warning. */
const PRODUCT_NAME = /^[A-Za-z][A-Za-z .&/()-]{0,39}$/;
import { SOR_IDENTIFYING_FIELDS, type SorField, type SorRecord, type SorRowError } from './sor-record.js';

/** Default limits; each is an option of `parseSorCsv`. */
export const SOR_IMPORT_LIMITS = {
  /** A larger file is refused whole (`AUS_ERR_CSV_FILE`) before it is read. */
  maxFileBytes: 64 * 1024 * 1024,
  /** A larger record (raw text, including quoted newlines) is a row error. */
  maxRecordBytes: 64 * 1024,
  /** More data rows than this refuses the file (`AUS_ERR_CSV_FILE`): a partial inventory would raise false exceptions. */
  maxRows: 200_000,
} as const;

export interface SorImportOptions {
  /** A mapping (from `loadColumnMapping`); its columns win over the preset's and the aliases. */
  mapping?: ColumnMapping;
  /** A preset name from `SOR_PRESETS` (`servicenow-cmdb-ci`, `biomed-cmms`). */
  preset?: string;
  /** Default `SOR_IMPORT_LIMITS.maxFileBytes`. */
  maxFileBytes?: number;
  /** Default `SOR_IMPORT_LIMITS.maxRecordBytes`. */
  maxRecordBytes?: number;
  /** Default `SOR_IMPORT_LIMITS.maxRows`. */
  maxRows?: number;
}

export type SorEncoding = 'utf-8' | 'utf-8-bom' | 'cp1252';
export type SorDelimiter = ',' | ';' | '\t';

/** How one header was used. */
export interface SorColumn {
  /** The header as written (trimmed). */
  header: string;
  /** The field(s) it feeds, comma-separated for a pattern column; null for attributes and ignored columns. */
  field: string | null;
  /** `field`: one field; `pattern`: split by a named-group pattern; `attribute`: kept raw; `ignored`: dropped. */
  use: 'field' | 'pattern' | 'attribute' | 'ignored';
}

export interface SorImportResult {
  /** The rows that passed validation, in file order. Duplicates are kept (the reconciler reports them). */
  records: SorRecord[];
  /** One entry per problem; a row may have several. Empty when the file is clean. */
  errors: SorRowError[];
  /** Things worth telling the user that do not reject a row (`file[:line]: message`). */
  warnings: string[];
  /** How the bytes were decoded. */
  encoding: SorEncoding;
  /** The delimiter sniffed from the header line (or named by a `sep=` line). */
  delimiter: SorDelimiter;
  /** Every header in file order and what it was used for (empty when there is no header). */
  columns: SorColumn[];
  /** SHA-256 (hex) of the file's bytes, when `parseSorCsv` read them (so they are not read twice). */
  sha256?: string;
}

/** Read a CSV export and parse it. Throws `AUS_ERR_CSV_FILE` if it cannot be read or is too large. */
export async function parseSorCsv(path: string, options: SorImportOptions = {}): Promise<SorImportResult> {
  const maxFileBytes = options.maxFileBytes ?? SOR_IMPORT_LIMITS.maxFileBytes;
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AuscultError('AUS_ERR_CSV_FILE', 'not a regular file', { file: path });
    if (info.size > maxFileBytes) throw tooLarge(path, info.size, maxFileBytes);
    await refuseOverRowCap(path, options.maxRows ?? SOR_IMPORT_LIMITS.maxRows);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof AuscultError) throw e;
    throw new AuscultError('AUS_ERR_CSV_FILE', `cannot read file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { file: path });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { ...parseSorCsvBuffer(bytes, path, options), sha256 };
}

/**
 * Issue 22 (memory): before the file is read whole, stream it once through csv-parse counting
 * rows, and refuse it (`AUS_ERR_CSV_FILE`, same message and line as `parseSorCsvBuffer`) as soon
 * as the row cap is passed, so a 1M-row export is refused holding one read chunk, not the file
 * and 200k parsed rows. The count is conservative: bytes are read as latin1 (the CSV structure
 * is ASCII in UTF-8 and CP-1252 alike) and a row counts only if a cell holds a printable ASCII
 * character, so this never refuses a file the full parse would accept; the full parse keeps its
 * own exact check. UTF-16 files are left to the full parse, which refuses them.
 */
async function refuseOverRowCap(path: string, maxRows: number): Promise<void> {
  const head = Buffer.alloc(64 * 1024);
  const handle = await open(path, 'r');
  let headLength: number;
  try {
    headLength = (await handle.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return;
  let text = head.subarray(0, headLength).toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const firstLine = /^[^\r\n]*/.exec(text)?.[0] ?? '';
  const excelSep = /^sep=(.)$/i.exec(firstLine);
  const hasSepLine = excelSep !== null && DELIMITERS.includes(excelSep[1] as SorDelimiter);
  const delimiter = hasSepLine ? (excelSep[1] as SorDelimiter) : sniffDelimiter(firstLine);
  // Rows with a printable character, header (and a `sep=` line) included.
  const allowed = maxRows + 1 + (hasSepLine ? 1 : 0);
  let filled = 0;
  let overLine = 0;
  const parser = parseStream({
    delimiter,
    encoding: 'latin1',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: (record: string[], context) => {
      if (overLine === 0 && record.some((c) => /[!-~]/.test(c)) && ++filled > allowed) overLine = context.lines;
      return null;
    },
  });
  parser.on('error', () => undefined); // a parse error is the full parse's to report
  const done = new Promise<void>((resolve) => {
    parser.on('end', resolve).on('close', resolve).on('error', () => resolve());
  });
  parser.resume();
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      parser.write(chunk);
      if (overLine !== 0) break;
    }
  } finally {
    input.destroy();
  }
  if (overLine !== 0) {
    parser.destroy();
    throw new AuscultError('AUS_ERR_CSV_FILE', `more than ${maxRows} data rows; refusing a partial import`, { file: path, line: overLine });
  }
  parser.end();
  await done;
  if (overLine !== 0) throw new AuscultError('AUS_ERR_CSV_FILE', `more than ${maxRows} data rows; refusing a partial import`, { file: path, line: overLine });
}

function tooLarge(file: string, size: number, limit: number): AuscultError {
  return new AuscultError('AUS_ERR_CSV_FILE', `file is ${size} bytes, over the limit of ${limit} bytes`, { file });
}

/** Decode export bytes: UTF-8 (BOM stripped) when valid, else CP-1252. */
export function decodeSorBytes(bytes: Uint8Array, file: string): { text: string; encoding: SorEncoding; warnings: string[] } {
  const warnings: string[] = [];
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new AuscultError('AUS_ERR_CSV_FILE', 'file is UTF-16 ("Unicode text"); export it as CSV (UTF-8 or Windows-1252)', { file });
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const rest = bytes.subarray(3);
    if (!isUtf8(rest)) warnings.push(`${file}: has a UTF-8 byte order mark but invalid UTF-8 bytes; they were replaced with U+FFFD`);
    return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(rest), encoding: 'utf-8-bom', warnings };
  }
  if (isUtf8(bytes)) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), encoding: 'utf-8', warnings };
  const text = iconv.decode(bytes, 'win1252');
  if (text.includes('\uFFFD')) warnings.push(`${file}: bytes undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) were replaced with U+FFFD`);
  return { text, encoding: 'cp1252', warnings };
}

const DELIMITERS: readonly SorDelimiter[] = [',', ';', '\t'];

/** The delimiter that occurs most often outside quotes in the header line; `,` on a tie or none. */
export function sniffDelimiter(headerLine: string): SorDelimiter {
  const counts = new Map<SorDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as SorDelimiter)) counts.set(ch as SorDelimiter, (counts.get(ch as SorDelimiter) ?? 0) + 1);
  }
  let best: SorDelimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** One csv-parse result, with the physical line it ends on. */
type ParsedEntry =
  | { kind: 'record'; cells: string[]; rawBytes: number; endLine: number }
  | { kind: 'skip'; code: string; endLine: number };

interface ColumnPlan {
  header: string;
  /** Key in `attributes`: the header, made unique and non-empty. */
  attributeName: string;
  rule: ColumnRule | undefined;
}

const FIELD_LABEL: Readonly<Record<SorField, string>> = {
  assetId: 'asset id', manufacturer: 'manufacturer', model: 'model', serial: 'serial', macs: 'MAC', ips: 'IP',
  hostname: 'hostname', vlan: 'VLAN', location: 'location', department: 'department', room: 'room', switch: 'switch',
  port: 'port', firmware: 'firmware', os: 'OS', fdaClass: 'FDA class', owner: 'owner', deviceType: 'device type',
  remoteAccess: 'remote access', serviceWindow: 'service window',
};

const QUOTE_MAX = 40;

/** A short, printable, quoted rendering of one cell value for an error message. */
function quoteCell(value: string): string {
  const printable = value.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return JSON.stringify(printable.length > QUOTE_MAX ? `${printable.slice(0, QUOTE_MAX)}…` : printable);
}

const MULTI_VALUE_SEPARATORS = /[\s,;]+/;

type TextField = Exclude<SorField, 'macs' | 'ips' | 'vlan'>;

/**
 * Fields whose values repeat down an export: each distinct value is kept once (issue 22: 200k
 * rows of `Baxter` held 200k copies). Identifiers (asset id, serial, host name) are unique.
 */
const SHARED_FIELDS: ReadonlySet<TextField> = new Set(['manufacturer', 'model', 'location', 'department', 'room', 'switch', 'port', 'firmware', 'os', 'fdaClass', 'owner', 'deviceType']);
/** Distinct values shared per field at most; past it, values are kept as read. */
const SHARED_VALUES_MAX = 4096;
/** The `attributes` of every record without spare columns: one frozen object (read only). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

/** Parse export bytes. Pure: `file` only names the source in errors and warnings. */
export function parseSorCsvBuffer(bytes: Uint8Array, file: string, options: SorImportOptions = {}): SorImportResult {
  const maxFileBytes = options.maxFileBytes ?? SOR_IMPORT_LIMITS.maxFileBytes;
  const maxRecordBytes = options.maxRecordBytes ?? SOR_IMPORT_LIMITS.maxRecordBytes;
  const maxRows = options.maxRows ?? SOR_IMPORT_LIMITS.maxRows;
  if (bytes.byteLength > maxFileBytes) throw tooLarge(file, bytes.byteLength, maxFileBytes);

  let mapping = options.mapping;
  if (options.preset !== undefined) {
    const preset = presetMapping(options.preset);
    mapping = mapping === undefined ? preset : layerMappings(mapping, preset);
  }

  const decoded = decodeSorBytes(bytes, file);
  const warnings = [...decoded.warnings];
  // One line-break convention, so csv-parse's line counter and ours agree; CRLF inside a quoted
  // cell becomes LF.
  let text = decoded.text.replace(/\r\n?/g, '\n');
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  let delimiter: SorDelimiter;
  const excelSep = /^sep=(.)$/i.exec(firstLine);
  if (excelSep && DELIMITERS.includes(excelSep[1] as SorDelimiter)) {
    delimiter = excelSep[1] as SorDelimiter;
    text = text.slice(firstLine.length); // keep the newline: line numbers stay physical
  } else {
    delimiter = sniffDelimiter(firstLine);
  }

  const errors: SorRowError[] = [];
  const records: SorRecord[] = [];
  let columns: SorColumn[] = [];
  const result = (): SorImportResult => ({ records, errors, warnings, encoding: decoded.encoding, delimiter, columns });

  // Each csv-parse result is handled as it arrives (issue 22, memory: the cells of 200k rows are
  // never held all at once, only the records made from them).
  // Physical start line of each entry: records are contiguous (blank lines are records too).
  let nextStart = 1;
  /** `header`: the next non-blank entry is the header; `rows`: data rows; `done`: the header was refused, the rest is ignored. */
  let state: 'header' | 'rows' | 'done' = 'header';
  let plans: ColumnPlan[] = [];
  const patternMisses = new Map<number, { count: number; firstLine: number }>();
  // Issue 20: a mapped remote-access column judges every record (an empty cell approves no tool); set with the plans.
  let mapsRemoteAccess = false;
  const unknownTools = new Map<string, { count: number; firstLine: number }>();
  const yesRows = { count: 0, firstLine: 0 };
  let dataRows = 0;
  // Values that repeat down a column (manufacturer, model, firmware, switch...) kept once each.
  const sharedValues = new Map<TextField, Map<string, string>>();
  const shared = (field: TextField, value: string): string => {
    if (!SHARED_FIELDS.has(field)) return value;
    let values = sharedValues.get(field);
    if (values === undefined) sharedValues.set(field, values = new Map());
    const known = values.get(value);
    if (known !== undefined) return known;
    if (values.size < SHARED_VALUES_MAX) values.set(value, value);
    return value;
  };
  const isBlank = (e: ParsedEntry): boolean => e.kind === 'record' && e.cells.every((c) => c.trim() === '');
  const handleRow = (entry: ParsedEntry, line: number): void => {
    if (entry.kind === 'skip') {
      const reason = entry.code === 'CSV_QUOTE_NOT_CLOSED' ? 'quoted field not closed before end of file' : `unparseable CSV record (${entry.code})`;
      errors.push({ file, line, reason });
      return;
    }
    if (isBlank(entry)) return;
    dataRows++;
    if (dataRows > maxRows) {
      throw new AuscultError('AUS_ERR_CSV_FILE', `more than ${maxRows} data rows; refusing a partial import`, { file, line });
    }
    const reasons: string[] = [];
    const rowError = (reason: string): void => {
      reasons.push(reason);
    };
    const size = entry.rawBytes;
    if (size > maxRecordBytes) {
      errors.push({ file, line, reason: `record is ${size} bytes, over the limit of ${maxRecordBytes} bytes` });
      return;
    }
    if (entry.cells.length > plans.length && entry.cells.slice(plans.length).some((c) => c.trim() !== '')) {
      rowError(`row has ${entry.cells.length} cells but the header has ${plans.length}`);
    }

    const record: SorRecord = { line, macs: [], ips: [], attributes: {} };
    const attributes = new Map<string, string>();
    const assign = (field: SorField, value: string, source: string): void => {
      if (value === '' || isPlaceholderValue(value)) return;
      switch (field) {
        case 'macs':
        case 'ips': {
          for (const token of value.split(MULTI_VALUE_SEPARATORS)) {
            if (token === '') continue;
            if (field === 'macs') {
              const mac = normaliseMac(token);
              if (mac === undefined) return rowError(`${source}: bad MAC address ${quoteCell(token)}`);
              if (isPlaceholderOrGroupMac(mac)) return rowError(`${source}: MAC address ${quoteCell(token)} is all zeros or a group address, not a device`);
              if (!record.macs.includes(mac)) record.macs.push(mac);
            } else {
              const ip = normaliseIp(token);
              if (ip === undefined) return rowError(`${source}: bad IP address ${quoteCell(token)}`);
              if (!record.ips.includes(ip)) record.ips.push(ip);
            }
          }
          return;
        }
        case 'remoteAccess': {
          if (record.remoteAccess !== undefined) return;
          const approved = parseApprovedTools(value);
          if (!approved.ok) return rowError(`${source}: ${approved.reason}`);
          for (const item of approved.value.unknown) {
            // Only what reads like a product name is quoted back: such cells also hold tool IDs and passwords.
            const name = PRODUCT_NAME.test(item) ? item : '';
            const seen = unknownTools.get(name);
            if (seen) seen.count++;
            else if (unknownTools.size < 100) unknownTools.set(name, { count: 1, firstLine: line });
          }
          if (approved.value.yes && yesRows.count++ === 0) yesRows.firstLine = line;
          // Stored as the tool ids it approves, never the cell's free text (README "Remote access exceptions").
          record.remoteAccess = canonicalApprovedTools(approved.value);
          return;
        }
        case 'serviceWindow': {
          if (record.serviceWindow !== undefined) return;
          const window = parseServiceWindow(value);
          if (!window.ok) return rowError(`${source}: ${window.reason}`);
          record.serviceWindow = value;
          return;
        }
        case 'vlan': {
          if (record.vlan !== undefined) return;
          const vlan = normaliseVlan(value);
          if (vlan !== undefined) record.vlan = vlan;
          else if (isOutOfRangeVlan(value)) rowError(`${source}: VLAN ${quoteCell(value)} is out of range 1-4094`);
          else rowError(`${source}: bad VLAN ${quoteCell(value)}: not a number`);
          return;
        }
        default: {
          const textField: TextField = field;
          if (record[textField] === undefined) record[textField] = shared(textField, value);
        }
      }
    };

    const cellCount = Math.min(entry.cells.length, plans.length);
    for (let i = 0; i < cellCount; i++) {
      const plan = plans[i];
      const raw = entry.cells[i] ?? '';
      const value = raw.trim();
      if (plan === undefined || value === '') continue;
      const source = `column ${quoteCell(plan.header)}`;
      const rule = plan.rule;
      if (rule === undefined) attributes.set(plan.attributeName, raw);
      else if (rule.kind === 'field') assign(rule.field, value, source);
      else if (rule.kind === 'pattern') {
        if (rule.field !== undefined) assign(rule.field, value, source);
        const match = rule.pattern.exec(value);
        if (match === null) {
          if (rule.field === undefined) attributes.set(plan.attributeName, raw);
          const miss = patternMisses.get(i);
          if (miss) miss.count++;
          else patternMisses.set(i, { count: 1, firstLine: line });
        } else {
          for (const group of rule.groups) assign(group.field, (match.groups?.[group.name] ?? '').trim(), `${source} (pattern group ${group.name})`);
        }
      }
    }

    if (reasons.length === 0 && !SOR_IDENTIFYING_FIELDS.some((f) => (f === 'macs' || f === 'ips' ? record[f].length > 0 : record[f] !== undefined))) {
      rowError('no identifying field: asset id, serial, MAC, hostname and IP are all empty');
    }
    if (reasons.length > 0) {
      for (const reason of reasons) errors.push({ file, line, reason });
      return;
    }
    if (mapsRemoteAccess && record.remoteAccess === undefined) record.remoteAccess = '';
    record.attributes = attributes.size === 0 ? NO_ATTRIBUTES : Object.fromEntries(attributes);
    // An array grown by push keeps room for 17 items: copied to its size (about 300 bytes a record).
    if (record.macs.length > 0) record.macs = [...record.macs];
    if (record.ips.length > 0) record.ips = [...record.ips];
    records.push(record);
  };
  const handle = (entry: ParsedEntry): void => {
    const line = nextStart;
    nextStart = Math.max(nextStart, entry.endLine + 1);
    if (state === 'done') return;
    if (state === 'rows') {
      handleRow(entry, line);
      return;
    }
    if (isBlank(entry)) return;
    if (entry.kind === 'skip') {
      errors.push({ file, line, reason: 'header row: quoted field not closed before end of file' });
      state = 'done';
      return;
    }
    plans = planColumns(entry.cells, mapping, file, line, warnings);
    mapsRemoteAccess = plans.some((p) => fieldsOf(p.rule).includes('remoteAccess'));
    columns = plans.map(describeColumn);
    const identifying = new Set<SorField>(SOR_IDENTIFYING_FIELDS);
    if (!plans.some((p) => fieldsOf(p.rule).some((f) => identifying.has(f)))) {
      const seen = plans.slice(0, 12).map((p) => quoteCell(p.header)).join(', ');
      errors.push({
        file,
        line,
        reason: `no identifying column: no header maps to asset id, serial, MAC, hostname or IP (headers: ${seen}${plans.length > 12 ? ', …' : ''}); use a preset or a mapping file`,
      });
      state = 'done';
      return;
    }
    state = 'rows';
  };

  // Rows with a cell that is not blank, header included: past maxRows + 1 the parse stops at
  // once (memory stays bounded by maxRows rows, not the file's row count).
  let filled = 0;
  const overflow = Symbol('too many rows');
  let overflowLine = 0;
  try {
    parse(text, {
      delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      raw: true,
      on_record: (record: unknown, context) => {
        const { record: cells, raw } = record as { record: string[]; raw: string };
        if (cells.some((c) => c.trim() !== '') && ++filled > maxRows + 1) {
          overflowLine = context.lines;
          throw overflow; // caught just below
        }
        handle({ kind: 'record', cells, rawBytes: Buffer.byteLength(raw, 'utf8'), endLine: context.lines });
        return null;
      },
      on_skip: (err) => {
        handle({ kind: 'skip', code: err?.code ?? 'unknown', endLine: typeof err?.['lines'] === 'number' ? err['lines'] : 0 });
        return undefined;
      },
    });
  } catch (e) {
    if (e === overflow) throw new AuscultError('AUS_ERR_CSV_FILE', `more than ${maxRows} data rows; refusing a partial import`, { file, line: overflowLine });
    if (e instanceof AuscultError) throw e;
    throw new AuscultError('AUS_ERR_CSV_FILE', `cannot parse CSV: ${(e as { code?: string }).code ?? 'error'}`, { file });
  }
  if (state === 'header') errors.push({ file, line: 1, reason: 'no header row: the file is empty' });

  for (const [i, miss] of patternMisses) {
    const header = plans[i]?.header ?? '';
    warnings.push(
      `${file}:${miss.firstLine}: column ${quoteCell(header)}: pattern did not match ${miss.count} row${miss.count === 1 ? '' : 's'} (first at line ${miss.firstLine})`,
    );
  }
  if (yesRows.count > 0) {
    warnings.push(
      `${file}:${yesRows.firstLine}: the remote-access column says "yes" without naming a tool in ${yesRows.count} row${yesRows.count === 1 ? '' : 's'}; every tool is taken as approved there (name the tools, e.g. "TeamViewer; Philips RSN", to have them judged)`,
    );
  }
  for (const [name, seen] of unknownTools) {
    const what = name === '' ? 'an item that is not a tool name (not shown: it may be an ID or a password)' : `tool ${quoteCell(name)}`;
    warnings.push(
      `${file}:${seen.firstLine}: remote-access ${what} is not one auscult recognises (${seen.count} row${seen.count === 1 ? '' : 's'}); it is not stored and can never match a session (README "Remote access exceptions")`,
    );
  }
  return result();
}

function planColumns(headerCells: string[], mapping: ColumnMapping | undefined, file: string, headerLine: number, warnings: string[]): ColumnPlan[] {
  const used = new Set<string>();
  return headerCells.map((cell, i) => {
    const header = cell.trim();
    let attributeName = header === '' ? `column ${i + 1}` : header;
    if (used.has(attributeName)) {
      const renamed = `${attributeName} (column ${i + 1})`;
      warnings.push(`${file}:${headerLine}: header ${quoteCell(header)} appears more than once; column ${i + 1} is kept as ${quoteCell(renamed)}`);
      attributeName = renamed;
    }
    used.add(attributeName);
    return { header, attributeName, rule: header === '' ? undefined : resolveColumn(header, mapping) };
  });
}

function fieldsOf(rule: ColumnRule | undefined): SorField[] {
  if (rule === undefined || rule.kind === 'ignore') return [];
  if (rule.kind === 'field') return [rule.field];
  return [...(rule.field !== undefined ? [rule.field] : []), ...rule.groups.map((g) => g.field)];
}

function describeColumn(plan: ColumnPlan): SorColumn {
  const rule = plan.rule;
  if (rule === undefined) return { header: plan.header, field: null, use: 'attribute' };
  if (rule.kind === 'ignore') return { header: plan.header, field: null, use: 'ignored' };
  if (rule.kind === 'field') return { header: plan.header, field: rule.field, use: 'field' };
  return { header: plan.header, field: fieldsOf(rule).join(','), use: 'pattern' };
}

/** Human label of a field, for messages and reports (`fdaClass` → `FDA class`). */
export function sorFieldLabel(field: SorField): string {
  return FIELD_LABEL[field];
}
