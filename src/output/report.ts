/**
 * \summary The auditor evidence packet (`auscult report --out DIR`): what HICP 405(d) practice 9.1
 * asks an inventory to show, as one self-contained HTML page (`report-html.ts`) and CSV files.
 *
 * - `inventory.csv`: every device and record, paired as reconciliation matched them, with the
 *   required fields (manufacturer, model, firmware, network location) and the recommended ones
 *   (OS, FDA class); a value comes from the record, else from the network.
 * - `completeness.csv`: per device (scope `device`) and per VLAN (scope `vlan`), how many of the
 *   required and recommended fields are known.
 * - `exceptions.csv`: the exception register (every exception ever raised, open or resolved).
 * - `changes.csv`: the change log from the inventory's history: firmware changes and moves
 *   (switch, port, VLAN, location).
 * CSV cells are written by csv-stringify with `escape_formulas`: host names, TXT records and
 * export cells are attacker-controlled, and a cell starting with `=`, `+`, `-`, `@`, tab or CR is
 * prefixed with `'` so a spreadsheet shows it instead of running it.
 */
import { closeSync, constants as fsConstants, lstatSync, mkdirSync, openSync, writeSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuscultError } from '../errors.js';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../inventory/store.js';
import { listDevices, type DeviceView } from '../inventory/device-view.js';
import { EXCEPTION_KINDS, EXCEPTION_TYPES, type ExceptionType, type Severity } from '../reconcile/exception-kinds.js';
import { listExceptionRecords, type ExceptionRecord, type ReconcileResult } from '../reconcile/reconcile.js';
import { matchRecords } from '../reconcile/match.js';
import type { SorRecord } from '../reconcile/sor-record.js';
import { loadSorRecords, type SorImportInfo } from '../reconcile/sor-store.js';
import { renderReportHtmlChunks } from './report-html.js';
import { buildPatchReport, patchCsvTables, type PatchReport } from './report-patch.js';
import { profileCsvTables, type ProfileReport } from './report-profile.js';
import { VERSION } from '../version.js';

export const REQUIRED_FIELDS = ['manufacturer', 'model', 'firmware', 'network_location'] as const;
export const RECOMMENDED_FIELDS = ['os', 'fda_class'] as const;

export interface InventoryRow {
  /** `both`: a record matched to a device; `network`: a device in no record; `record`: a record not heard. */
  source: 'both' | 'network' | 'record';
  asset_id: string | null;
  device_id: string | null;
  mac: string | null;
  ip: string | null;
  hostname: string | null;
  vlan: number | null;
  category: string | null;
  /** Device type (record's, else the network's): patient monitor, infusion pump, IP phone... */
  device_type: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  network_location: string | null;
  os: string | null;
  fda_class: string | null;
  required_known: number;
  recommended_known: number;
  /** For compared fields: the record's value and the network's, side by side. */
  compare: Partial<Record<ComparedField, { record: string | null; network: string | null; exception: string | null }>>;
}

/** The fields shown record-beside-network in the packet, and the exception fields behind each. */
export const COMPARED_FIELDS = {
  manufacturer: ['manufacturer'], model: ['model'], firmware: ['firmware'], vlan: ['vlan'], network_location: ['switch', 'port', 'room', 'location', 'network_location'],
} as const;
export type ComparedField = keyof typeof COMPARED_FIELDS;

/** Severity order of the register: high first. */
export const SEVERITY_ORDER: Record<string, number> = { high: 0, medium: 1, low: 2, info: 3 };

export interface ReportHeader {
  /** First and last capture time in the database (ISO), null when nothing was captured. */
  periodStart: string | null;
  periodEnd: string | null;
  captures: { path: string; kind: string; frames: number }[];
  version: string;
  sensor: string;
  coverage: { vlans: number; devices: number; withPort: number };
}

export interface VlanCompleteness {
  vlan: string;
  devices: number;
  required_known: number;
  required_total: number;
  recommended_known: number;
  recommended_total: number;
  complete_devices: number;
}

export interface TypeCount {
  type: ExceptionType;
  severity: Severity;
  open: number;
  resolved: number;
}

export interface ChangeRow {
  ts: string;
  device_id: string;
  mac: string | null;
  hostname: string | null;
  field: string;
  old_value: string | null;
  new_value: string | null;
  source: string | null;
  capture: string | null;
  frame: number | null;
}

/** Open exceptions on one VLAN (the device's VLAN, else the record's; `none` when neither says), by severity. */
export interface VlanSeverity {
  vlan: string;
  high: number;
  medium: number;
  low: number;
}

export interface ReportData {
  /** Newest capture time in the database: the "as of" of the report. */
  asOf: string;
  sor: SorImportInfo | undefined;
  inventory: InventoryRows;
  byVlan: VlanCompleteness[];
  byType: TypeCount[];
  /** Open exceptions per VLAN and severity, VLANs in number order (`none` last). */
  bySeverityVlan: VlanSeverity[];
  changes: ChangeRow[];
  register: ExceptionRecord[];
  outOfCoverage: SorRecord[];
  /** The patch section (issue 17; report-patch.ts). */
  patch?: PatchReport;
  /** Who each device talks to (issue 20; report-profile.ts), filled by the report command. */
  profile?: ProfileReport;
  header?: ReportHeader;
}

/** Fields whose history rows are changes an auditor asks about: firmware and moves. */
export const CHANGE_FIELDS = ['firmware', 'software_version', 'switch', 'port', 'vlan', 'location'];

const pick = (...values: (string | null | undefined)[]): string | null => {
  for (const v of values) if (v !== undefined && v !== null && v.trim() !== '') return v;
  return null;
};

function deviceLocation(d: DeviceView | undefined): string | null {
  if (d === undefined) return null;
  if (d.switch !== null && d.port !== null) return `${d.switch} ${d.port}`;
  return pick(d.port, d.location);
}

function recordLocation(r: SorRecord | undefined): string | null {
  if (r === undefined) return null;
  if (r.switch !== undefined && r.port !== undefined) return `${r.switch} ${r.port}`;
  return pick(r.location, r.room === undefined ? undefined : `Room ${r.room}`);
}

/** The `compare` of a row that is only a record or only a device: one frozen object for all of them (issue 22: 200k rows). */
const NOTHING_COMPARED: InventoryRow['compare'] = Object.freeze({});

function inventoryRow(source: InventoryRow['source'], r: SorRecord | undefined, d: DeviceView | undefined): InventoryRow {
  const row: InventoryRow = {
    source,
    asset_id: pick(r?.assetId, d?.asset_id),
    device_id: d?.id ?? null,
    mac: pick(d?.mac, r?.macs[0]),
    ip: pick(d?.ip, r?.ips[0]),
    hostname: pick(r?.hostname, d?.hostname),
    vlan: r?.vlan ?? d?.vlan ?? null,
    category: d?.category ?? null,
    device_type: pick(r?.deviceType, d?.device_type),
    manufacturer: pick(r?.manufacturer, d?.manufacturer),
    model: pick(r?.model, d?.model),
    firmware: pick(r?.firmware, d?.firmware),
    network_location: pick(recordLocation(r), deviceLocation(d)),
    os: pick(r?.os, d?.os),
    fda_class: pick(r?.fdaClass, d?.fda_class),
    required_known: 0,
    recommended_known: 0,
    compare: r !== undefined && d !== undefined ? {} : NOTHING_COMPARED,
  };
  if (r !== undefined && d !== undefined) {
    const network: Record<ComparedField, string | null> = {
      manufacturer: d.manufacturer, model: d.model, firmware: d.firmware, vlan: d.vlan === null ? null : String(d.vlan), network_location: deviceLocation(d),
    };
    const record: Record<ComparedField, string | null> = {
      manufacturer: r.manufacturer ?? null, model: r.model ?? null, firmware: r.firmware ?? null, vlan: r.vlan === undefined ? null : String(r.vlan), network_location: recordLocation(r),
    };
    for (const f of Object.keys(COMPARED_FIELDS) as ComparedField[]) row.compare[f] = { record: record[f], network: network[f], exception: null };
  }
  row.required_known = REQUIRED_FIELDS.filter((f) => row[f] !== null).length;
  row.recommended_known = RECOMMENDED_FIELDS.filter((f) => row[f] !== null).length;
  return row;
}

/**
 * The inventory rows, in order. Rows of a record matched to a device and rows of a device in no
 * record are held; the row of a record that matched nothing (most of a large export) is made
 * again from the record each time it is read, so 200k such rows are never held beside their
 * records (issue 22, memory). Such a row has nothing compared, so nothing in it is changed later.
 */
export class InventoryRows implements Iterable<InventoryRow> {
  readonly length: number;
  constructor(private readonly items: readonly (InventoryRow | SorRecord)[]) {
    this.length = items.length;
  }

  /** The row at `i` (undefined past the end). */
  at(i: number): InventoryRow | undefined {
    const item = this.items[i];
    if (item === undefined) return undefined;
    return 'source' in item ? item : inventoryRow('record', item, undefined);
  }

  *[Symbol.iterator](): Generator<InventoryRow> {
    for (let i = 0; i < this.items.length; i++) yield this.at(i) as InventoryRow;
  }

  /** Rows for which `keep` holds. */
  count(keep: (row: InventoryRow) => boolean): number {
    let n = 0;
    for (const row of this) if (keep(row)) n++;
    return n;
  }

  /** The rows that were made from a device (matched or not), held: only these can be changed. */
  held(): InventoryRow[] {
    return this.items.filter((item): item is InventoryRow => 'source' in item);
  }
}

/** Assembles the report from the database and a reconciliation that has just run. */
export function buildReport(db: Db, reconciled: ReconcileResult): ReportData {
  const devices = listDevices(db, { withHistory: true });
  const records = reconciled.loaded ? reconciled.records ?? loadSorRecords(db, reconciled.import?.id) : [];
  // The match reconciliation just made, when it compared a snapshot (the same devices: only the
  // history it may have left out differs, and inventory rows do not read it).
  const match = reconciled.loaded && reconciled.match !== undefined ? reconciled.match : matchRecords(records, devices);
  const items: (InventoryRow | SorRecord)[] = [];
  for (const m of match.records) items.push(m.devices.length > 0 ? inventoryRow('both', m.record, m.devices[0]) : m.record);
  for (const d of match.unmatchedDevices) items.push(inventoryRow('network', undefined, d));
  const inventory = new InventoryRows(items);

  const vlans = new Map<string, VlanCompleteness>();
  for (const row of inventory) {
    const key = row.vlan === null ? 'none' : String(row.vlan);
    const v = vlans.get(key) ?? { vlan: key, devices: 0, required_known: 0, required_total: 0, recommended_known: 0, recommended_total: 0, complete_devices: 0 };
    v.devices++;
    v.required_known += row.required_known;
    v.required_total += REQUIRED_FIELDS.length;
    v.recommended_known += row.recommended_known;
    v.recommended_total += RECOMMENDED_FIELDS.length;
    if (row.required_known === REQUIRED_FIELDS.length) v.complete_devices++;
    vlans.set(key, v);
  }
  const byVlan = [...vlans.values()].sort((a, b) => (a.vlan === 'none' ? 1 : b.vlan === 'none' ? -1 : Number(a.vlan) - Number(b.vlan)));

  // The register in severity order (open before resolved, then oldest first), asset ids filled
  // from the match where the exception was raised about the device alone.
  const assetOfDevice = new Map<string, string>();
  for (const m of match.records) for (const d of m.devices) if (m.record.assetId !== undefined) assetOfDevice.set(d.id, m.record.assetId);
  const register = listExceptionRecords(db)
    .map((e) => (e.asset_id === null && e.device_id !== null && assetOfDevice.has(e.device_id) ? { ...e, asset_id: assetOfDevice.get(e.device_id) ?? null } : e))
    .sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) ||
      (a.opened_ts < b.opened_ts ? -1 : a.opened_ts > b.opened_ts ? 1 : 0));
  // Each disagreement links to the open exception about that device and field.
  for (const row of inventory.held()) {
    for (const [f, c] of Object.entries(row.compare) as [ComparedField, NonNullable<InventoryRow['compare'][ComparedField]>][]) {
      const ex = register.find((e) => e.status === 'open' && e.device_id === row.device_id && e.field !== null && (COMPARED_FIELDS[f] as readonly string[]).includes(e.field));
      c.exception = ex?.event_id ?? null;
    }
  }
  const byType: TypeCount[] = EXCEPTION_TYPES.map((type) => ({
    type,
    severity: EXCEPTION_KINDS[type].severity,
    open: register.filter((e) => e.type === type && e.status === 'open').length,
    resolved: register.filter((e) => e.type === type && e.status === 'resolved').length,
  }));

  // Open exceptions per VLAN and severity: the VLAN the network heard the device on, else the
  // one its record gives (a never_seen record, a duplicate), else none.
  const vlanOfDevice = new Map(devices.map((d) => [d.id, d.vlan]));
  const vlanOfAsset = new Map(records.filter((r) => r.assetId !== undefined && r.vlan !== undefined).map((r) => [r.assetId ?? '', r.vlan ?? null]));
  const sevVlans = new Map<string, VlanSeverity>();
  for (const e of register) {
    if (e.status !== 'open') continue;
    const v = (e.device_id === null ? undefined : vlanOfDevice.get(e.device_id)) ?? (e.asset_id === null ? undefined : vlanOfAsset.get(e.asset_id)) ?? null;
    const key = v === null ? 'none' : String(v);
    const row = sevVlans.get(key) ?? { vlan: key, high: 0, medium: 0, low: 0 };
    if (e.severity === 'high' || e.severity === 'medium' || e.severity === 'low') row[e.severity]++;
    sevVlans.set(key, row);
  }
  const bySeverityVlan = [...sevVlans.values()].sort((a, b) => (a.vlan === 'none' ? 1 : b.vlan === 'none' ? -1 : Number(a.vlan) - Number(b.vlan)));

  const changes: ChangeRow[] = [];
  for (const d of devices) {
    for (const h of d.history ?? []) {
      if (!CHANGE_FIELDS.includes(h.field) || h.old_value === null) continue;
      changes.push({
        ts: h.ts, device_id: d.id, mac: d.mac, hostname: d.hostname, field: h.field, old_value: h.old_value, new_value: h.new_value,
        source: h.source, capture: h.capture, frame: h.frame,
      });
    }
  }
  changes.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.device_id < b.device_id ? -1 : 1));

  return { asOf: reconciled.ts, sor: reconciled.import, inventory, byVlan, byType, bySeverityVlan, changes, register, outOfCoverage: reconciled.outOfCoverage, header: reportHeader(db, devices), patch: buildPatchReport(db, reconciled.ts) };
}

/** CSV text with formula escaping (see the module header). */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header as unknown[], ...(rows as unknown[][])], { escape_formulas: true, cast: { boolean: (v) => (v ? 'true' : 'false') } });
}

const pct = (known: number, total: number): string => (total === 0 ? '' : String(Math.round((known / total) * 100)));

/** CSV text in pieces: the header, then rows in batches of 1,000 (formula escaping as `toCsv`). */
export function* csvChunks(header: readonly string[], rows: Iterable<readonly unknown[]>): Generator<string> {
  const options = { escape_formulas: true, cast: { boolean: (v: boolean) => (v ? 'true' : 'false') } };
  yield stringify([header as unknown[]], options);
  let batch: unknown[][] = [];
  for (const row of rows) {
    batch.push(row as unknown[]);
    if (batch.length === 1000) {
      yield stringify(batch, options);
      batch = [];
    }
  }
  if (batch.length > 0) yield stringify(batch, options);
}

/** `items.map(f)`, one at a time. */
function* mapLazy<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}

/**
 * Writes index.html and the CSV files into `dir` (created if needed). Returns the file names.
 * Each file is written as it is rendered, in pieces (issue 22: a 200k-row inventory is never one
 * string).
 */
export function writeReport(dir: string, data: ReportData): string[] {
  prepareOutDir(dir);
  const files: [string, () => Iterable<string>][] = [
    ['index.html', () => renderReportHtmlChunks(data)],
    ['inventory.csv', () => csvChunks(
      ['source', 'asset_id', 'device_id', 'mac', 'ip', 'hostname', 'vlan', 'category', 'manufacturer', 'model', 'firmware', 'network_location', 'os', 'fda_class'],
      mapLazy(data.inventory, (r) => [r.source, r.asset_id, r.device_id, r.mac, r.ip, r.hostname, r.vlan, r.category, r.manufacturer, r.model, r.firmware, r.network_location, r.os, r.fda_class]),
    )],
    ['completeness.csv', () => csvChunks(
      ['scope', 'key', 'devices', 'required_known', 'required_total', 'required_percent', 'recommended_known', 'recommended_total', 'recommended_percent'],
      chain(
        mapLazy(data.inventory, (r) => ['device', r.asset_id ?? r.mac ?? r.device_id ?? '', 1, r.required_known, REQUIRED_FIELDS.length,
          pct(r.required_known, REQUIRED_FIELDS.length), r.recommended_known, RECOMMENDED_FIELDS.length, pct(r.recommended_known, RECOMMENDED_FIELDS.length)]),
        mapLazy(data.byVlan, (v) => ['vlan', v.vlan, v.devices, v.required_known, v.required_total, pct(v.required_known, v.required_total),
          v.recommended_known, v.recommended_total, pct(v.recommended_known, v.recommended_total)]),
      ),
    )],
    ['exceptions.csv', () => csvChunks(
      ['event_id', 'type', 'severity', 'status', 'asset_id', 'device_id', 'mac', 'field', 'expected', 'observed', 'opened_ts', 'resolved_ts', 'message'],
      mapLazy(data.register, (e) => [e.event_id, e.type, e.severity, e.status, e.asset_id, e.device_id, e.mac, e.field, e.expected, e.observed, e.opened_ts, e.resolved_ts, e.message]),
    )],
    ['changes.csv', () => csvChunks(
      ['ts', 'device_id', 'mac', 'hostname', 'field', 'old_value', 'new_value', 'source', 'capture', 'frame'],
      mapLazy(data.changes, (c) => [c.ts, c.device_id, c.mac, c.hostname, c.field, c.old_value, c.new_value, c.source, c.capture, c.frame]),
    )],
    ...(data.patch === undefined ? [] : patchCsvTables(data.patch).map(([name, header, rows]): [string, () => Iterable<string>] => [name, () => csvChunks(header, rows)])),
    ...profileCsvTables(data.profile).map(([name, header, rows]): [string, () => Iterable<string>] => [name, () => csvChunks(header, rows)]),
  ];
  for (const [name, chunks] of files) writeNoFollowChunks(join(dir, name), chunks());
  return files.map(([name]) => name);
}

/**
 * The output directory: created when absent; refused (AUS_ERR_OUTPUT, exit 73) when the path is
 * a symbolic link or not a directory, so `--out` never writes through a link it did not create.
 */
export function prepareOutDir(dir: string): void {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(dir, err);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (mkErr) {
      throw outputError(dir, mkErr);
    }
    return;
  }
  if (st.isSymbolicLink()) throw new AuscultError('AUS_ERR_OUTPUT', 'is a symbolic link; --out must name a directory (or a new path), links are not followed', { file: dir });
  if (!st.isDirectory()) throw new AuscultError('AUS_ERR_OUTPUT', 'exists and is not a directory; --out names the directory to write the report files into', { file: dir });
}

/** Writes a file without following a symbolic link planted at its name (O_NOFOLLOW). */
export function writeNoFollow(path: string, text: string): void {
  writeNoFollowChunks(path, [text]);
}

/** `writeNoFollow` for text produced in pieces: each piece is written as it comes. */
export function writeNoFollowChunks(path: string, chunks: Iterable<string>): void {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, 0o640);
  } catch (err) {
    throw outputError(path, err);
  }
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

function outputError(path: string, err: unknown): AuscultError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ELOOP' ? 'is a symbolic link; not followed' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'a parent is not a directory' : code === 'EISDIR' ? 'is a directory' : `cannot write (${code ?? String(err)})`;
  return new AuscultError('AUS_ERR_OUTPUT', why, { file: path });
}

/** The packet's header: capture period, captures, auscult version, sensor, coverage. */
export function reportHeader(db: Db, devices: readonly DeviceView[]): ReportHeader {
  const captures = db.prepare('SELECT path, kind, frames, first_ts_us, last_ts_us FROM capture ORDER BY id').all() as
    { path: string; kind: string; frames: number; first_ts_us: number | null; last_ts_us: number | null }[];
  const firsts = captures.map((c) => c.first_ts_us).filter((t): t is number => t !== null);
  const lasts = captures.map((c) => c.last_ts_us).filter((t): t is number => t !== null);
  const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
  return {
    periodStart: firsts.length === 0 ? null : iso(Math.min(...firsts)),
    periodEnd: lasts.length === 0 ? null : iso(Math.max(...lasts)),
    captures: captures.map((c) => ({ path: c.path, kind: c.kind, frames: c.frames })),
    version: VERSION,
    sensor: hostname(),
    coverage: { vlans: new Set(devices.map((d) => d.vlan).filter((v) => v !== null)).size, devices: devices.length, withPort: devices.filter((d) => d.port !== null).length },
  };
}
