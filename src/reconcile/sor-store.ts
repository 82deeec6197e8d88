/**
 * \summary The system-of-record snapshots in SQLite (tables of migration 2): store an import's
 * records, point `sor_current` at it, read the current snapshot back.
 *
 * A re-import replaces the current snapshot atomically: the new `sor_import` row, its records and
 * the `sor_current` pointer are written in one transaction, so a reader (or a process killed
 * half-way) sees either the old snapshot or the new one, never a mix. Older imports are kept for
 * history; nothing here deletes them.
 */
import type { Db } from '../inventory/store.js';
import type { SorEncoding } from './import-csv.js';
import type { SorRecord } from './sor-record.js';

/** One row of `sor_import`. */
export interface SorImportInfo {
  /** Row id; the snapshot's identity. */
  id: number;
  /** The file as named on the command line. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** Wall-clock time of the import (ISO 8601): an audit fact, never used in exception lines. */
  importedAt: string;
  /** Records stored. */
  rows: number;
  /** Bad rows left out (`--skip-bad-rows`). */
  skippedRows: number;
  /** How the file's bytes were decoded. */
  encoding: SorEncoding;
}

/** What to store: the parsed records and facts about the file. */
export interface SorSnapshotInput {
  file: string;
  sha256: string;
  importedAt: string;
  encoding: SorEncoding;
  skippedRows: number;
  records: readonly SorRecord[];
}

type RecordRow = Record<string, string | number | null>;

const TEXT_COLUMNS = [
  ['assetId', 'asset_id'],
  ['manufacturer', 'manufacturer'],
  ['model', 'model'],
  ['serial', 'serial'],
  ['hostname', 'hostname'],
  ['location', 'location'],
  ['department', 'department'],
  ['room', 'room'],
  ['switch', 'switch'],
  ['port', 'port'],
  ['firmware', 'firmware'],
  ['os', 'os'],
  ['fdaClass', 'fda_class'],
  ['owner', 'owner'],
  ['deviceType', 'device_type'],
  ['remoteAccess', 'remote_access'],
  ['serviceWindow', 'service_window'],
] as const;

/** Stores a snapshot and makes it current, in one transaction. Returns the new import's id. */
export function storeSorSnapshot(db: Db, input: SorSnapshotInput): number {
  const insertImport = db.prepare(`INSERT INTO sor_import (file, sha256, imported_at, rows, skipped_rows, encoding)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const insertRecord = db.prepare(`INSERT INTO sor_record (import_id, line, asset_id, manufacturer, model, serial, macs, ips,
      hostname, vlan, location, department, room, switch, port, firmware, os, fda_class, owner, device_type, remote_access, service_window, attributes)
    VALUES (@import_id, @line, @asset_id, @manufacturer, @model, @serial, @macs, @ips, @hostname, @vlan, @location,
      @department, @room, @switch, @port, @firmware, @os, @fda_class, @owner, @device_type, @remote_access, @service_window, @attributes)`);
  const setCurrent = db.prepare(`INSERT INTO sor_current (id, import_id) VALUES (1, ?)
    ON CONFLICT(id) DO UPDATE SET import_id = excluded.import_id`);
  return db.transaction(() => {
    const info = insertImport.run(input.file, input.sha256, input.importedAt, input.records.length, input.skippedRows, input.encoding);
    const importId = Number(info.lastInsertRowid);
    for (const r of input.records) {
      const row: RecordRow = {
        import_id: importId,
        line: r.line,
        macs: JSON.stringify(r.macs),
        ips: JSON.stringify(r.ips),
        vlan: r.vlan ?? null,
        attributes: JSON.stringify(r.attributes),
      };
      for (const [prop, column] of TEXT_COLUMNS) row[column] = r[prop] ?? null;
      insertRecord.run(row);
    }
    setCurrent.run(importId);
    return importId;
  })();
}

/** The current snapshot's import row, or undefined when no SoR has been imported. */
export function currentSorImport(db: Db): SorImportInfo | undefined {
  const row = db.prepare(`SELECT i.* FROM sor_current c JOIN sor_import i ON i.id = c.import_id WHERE c.id = 1`).get() as RecordRow | undefined;
  return row === undefined ? undefined : importInfo(row);
}

/** Every import, oldest first. */
export function listSorImports(db: Db): SorImportInfo[] {
  return (db.prepare('SELECT * FROM sor_import ORDER BY id').all() as RecordRow[]).map(importInfo);
}

function importInfo(row: RecordRow): SorImportInfo {
  return {
    id: row['id'] as number,
    file: row['file'] as string,
    sha256: row['sha256'] as string,
    importedAt: row['imported_at'] as string,
    rows: row['rows'] as number,
    skippedRows: row['skipped_rows'] as number,
    encoding: row['encoding'] as SorEncoding,
  };
}

/**
 * Columns whose values repeat across an export (a few manufacturers, models, firmware versions,
 * switches...): loaded once per distinct value instead of once per record (issue 22: 200k records
 * of `Baxter` / `Sigma Spectrum` held 200k copies of each). Identifiers (asset id, serial, host
 * name) are left alone: they are unique.
 */
const SHARED_COLUMNS: ReadonlySet<string> = new Set(['manufacturer', 'model', 'location', 'department', 'room', 'switch', 'port', 'firmware', 'os', 'fda_class', 'owner', 'device_type']);
/** Distinct values kept per column for sharing; past it, values are stored as read (a column of unique values costs no more). */
const SHARED_VALUES_MAX = 4096;

/** The `attributes` of every record that has none: one frozen object (read only; a record that has some gets its own). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

/** The records of one import (default: the current one), in file order; [] when there is none. */
export function loadSorRecords(db: Db, importId?: number): SorRecord[] {
  const id = importId ?? currentSorImport(db)?.id;
  if (id === undefined) return [];
  const shared = new Map<string, Map<string, string>>([...SHARED_COLUMNS].map((c) => [c, new Map()]));
  const share = (column: string, v: string): string => {
    const values = shared.get(column);
    if (values === undefined) return v;
    const known = values.get(v);
    if (known !== undefined) return known;
    if (values.size < SHARED_VALUES_MAX) values.set(v, v);
    return v;
  };
  // Row by row (iterate, not all): 200k rows are never held twice, as SQLite rows and as records.
  const records: SorRecord[] = [];
  for (const row of db.prepare('SELECT * FROM sor_record WHERE import_id = ? ORDER BY line').iterate(id) as IterableIterator<RecordRow>) {
    const attributes = row['attributes'] as string;
    const record: SorRecord = {
      line: row['line'] as number,
      macs: JSON.parse(row['macs'] as string) as string[],
      ips: JSON.parse(row['ips'] as string) as string[],
      attributes: attributes === '{}' ? NO_ATTRIBUTES : JSON.parse(attributes) as Record<string, string>,
    };
    if (row['vlan'] !== null && row['vlan'] !== undefined) record.vlan = row['vlan'] as number;
    for (const [prop, column] of TEXT_COLUMNS) {
      const v = row[column];
      if (typeof v === 'string') record[prop] = share(column, v);
    }
    records.push(record);
  }
  return records;
}
