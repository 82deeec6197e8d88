/**
 * \summary Storage of advisories (every CSAF revision), CISA KEV entries, patch deferrals and the
 * patch events already streamed. The SQL lives here so `src/advisories/` stays pure.
 */
import type { CsafAdvisory } from '../advisories/csaf.js';
import { compareRevisions } from '../advisories/csaf.js';
import type { Db } from './store.js';

/** A revision to store: the validated advisory, where it came from and the original text. */
export interface AdvisoryRevisionInput {
  advisory: CsafAdvisory;
  file: string;
  sha256: string;
  document: string;
}

export interface StoredRevision {
  tracking_id: string;
  version: string;
  current_release_date: string;
  title: string;
  publisher: string;
  file: string;
  sha256: string;
  imported_at: string;
}

/** What storing one revision did. */
export type StoreOutcome = 'added' | 'unchanged' | { conflict: string };

/** True when at least one advisory revision is stored. */
export function hasAdvisories(db: Db): boolean {
  return db.prepare('SELECT 1 FROM advisory_revision LIMIT 1').get() !== undefined;
}

/** Checks revisions against what is stored (same tracking id and version with other bytes is a conflict). */
export function checkRevision(db: Db, r: AdvisoryRevisionInput): StoreOutcome {
  const row = db.prepare('SELECT sha256, file FROM advisory_revision WHERE tracking_id = ? AND version = ?')
    .get(r.advisory.tracking_id, r.advisory.version) as { sha256: string; file: string } | undefined;
  if (row === undefined) return 'added';
  if (row.sha256 === r.sha256) return 'unchanged';
  return { conflict: `revision ${r.advisory.version} of ${r.advisory.tracking_id} is already imported from ${row.file} with different content` };
}

/** Stores every revision in one transaction (all or nothing); returns how many were new. */
export function storeRevisions(db: Db, revisions: readonly AdvisoryRevisionInput[], importedAt: string): number {
  const insert = db.prepare(`INSERT OR IGNORE INTO advisory_revision (tracking_id, version, current_release_date, title, publisher, file, sha256, imported_at, flat, document)
    VALUES (@tracking_id, @version, @current_release_date, @title, @publisher, @file, @sha256, @imported_at, @flat, @document)`);
  return db.transaction(() => {
    let added = 0;
    for (const r of revisions) {
      const a = r.advisory;
      added += insert.run({
        tracking_id: a.tracking_id, version: a.version, current_release_date: a.current_release_date, title: a.title, publisher: a.publisher,
        file: r.file, sha256: r.sha256, imported_at: importedAt, flat: JSON.stringify(a), document: r.document,
      }).changes;
    }
    return added;
  })();
}

/** Every stored revision, newest first per advisory. */
export function listRevisions(db: Db, trackingId?: string): StoredRevision[] {
  const rows = (trackingId === undefined
    ? db.prepare('SELECT tracking_id, version, current_release_date, title, publisher, file, sha256, imported_at FROM advisory_revision').all()
    : db.prepare('SELECT tracking_id, version, current_release_date, title, publisher, file, sha256, imported_at FROM advisory_revision WHERE upper(tracking_id) = upper(?)').all(trackingId)) as StoredRevision[];
  return rows.sort((a, b) => a.tracking_id.localeCompare(b.tracking_id) || compareRevisions(b, a));
}

/** The current (newest) revision of every advisory, or of one. */
export function currentAdvisories(db: Db, trackingId?: string): CsafAdvisory[] {
  const rows = (trackingId === undefined
    ? db.prepare('SELECT flat FROM advisory_revision').all()
    : db.prepare('SELECT flat FROM advisory_revision WHERE upper(tracking_id) = upper(?)').all(trackingId)) as { flat: string }[];
  const newest = new Map<string, CsafAdvisory>();
  for (const r of rows) {
    const a = JSON.parse(r.flat) as CsafAdvisory;
    const before = newest.get(a.tracking_id);
    if (before === undefined || compareRevisions(a, before) > 0) newest.set(a.tracking_id, a);
  }
  return [...newest.values()].sort((a, b) => a.tracking_id.localeCompare(b.tracking_id));
}

export interface KevEntry {
  cve: string;
  date_added: string | null;
  vendor: string | null;
  product: string | null;
  known_ransomware: string | null;
}

/** Replaces the KEV catalogue with `entries` (one transaction). */
export function storeKev(db: Db, entries: readonly KevEntry[], file: string, importedAt: string): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO kev (cve, date_added, vendor, product, known_ransomware, file, imported_at)
    VALUES (@cve, @date_added, @vendor, @product, @known_ransomware, @file, @imported_at)`);
  db.transaction(() => {
    db.prepare('DELETE FROM kev').run();
    for (const e of entries) insert.run({ ...e, file, imported_at: importedAt });
  })();
}

/** The CVE ids CISA lists as known exploited. */
export function kevSet(db: Db): Set<string> {
  return new Set((db.prepare('SELECT cve FROM kev').all() as { cve: string }[]).map((r) => r.cve.toUpperCase()));
}

/** One approved deferral. */
export interface Deferral {
  asset_id: string | null;
  mac: string | null;
  advisory_id: string;
  approved_by: string;
  /** Last day the deferral holds (YYYY-MM-DD). */
  until: string;
  required_vlan: number | null;
  required_segment: string | null;
  note: string | null;
  file: string;
  line: number;
}

/** Replaces the deferrals with `rows` (one transaction). */
export function storeDeferrals(db: Db, rows: readonly Deferral[], importedAt: string): void {
  const insert = db.prepare(`INSERT INTO deferral (asset_id, mac, advisory_id, approved_by, until, required_vlan, required_segment, note, file, line, imported_at)
    VALUES (@asset_id, @mac, @advisory_id, @approved_by, @until, @required_vlan, @required_segment, @note, @file, @line, @imported_at)`);
  db.transaction(() => {
    db.prepare('DELETE FROM deferral').run();
    for (const r of rows) insert.run({ ...r, imported_at: importedAt });
  })();
}

export function listDeferrals(db: Db): Deferral[] {
  return db.prepare('SELECT asset_id, mac, advisory_id, approved_by, until, required_vlan, required_segment, note, file, line FROM deferral ORDER BY id').all() as Deferral[];
}

/** Patch events already streamed (their ids). */
export function patchEventIds(db: Db): Set<string> {
  return new Set((db.prepare('SELECT event_id FROM patch_event').all() as { event_id: string }[]).map((r) => r.event_id));
}

/** Records a patch event as streamed; call in the transaction that enqueues its line. */
export function recordPatchEvent(db: Db, e: { event_id: string; device_id: string; advisory_id: string; ts: string; line: string }): void {
  db.prepare('INSERT OR IGNORE INTO patch_event (event_id, device_id, advisory_id, ts, line) VALUES (@event_id, @device_id, @advisory_id, @ts, @line)').run(e);
}

/** Every patch event streamed, oldest first (the report and `advisory <id>` show them). */
export function listPatchEvents(db: Db): { event_id: string; device_id: string; advisory_id: string; ts: string; line: string }[] {
  return db.prepare('SELECT event_id, device_id, advisory_id, ts, line FROM patch_event ORDER BY ts, event_id').all() as { event_id: string; device_id: string; advisory_id: string; ts: string; line: string }[];
}
