/**
 * \summary Reconciliation, orchestrated: current SoR snapshot + inventory → exceptions, the
 * `exception` table brought up to date and the stream's outbox filled, in one transaction; then
 * (optionally) the stream file appended from the outbox.
 *
 * Each exception goes `open` → `resolved` when its condition clears, and back to `open` (a new
 * line, same `event_id`) if it returns. A still-open exception whose details change (a newer
 * observed value, more evidence) is updated in place without a new line. Every `ts` is capture
 * time: the newest packet time in the database, so replaying the same captures gives the same
 * lines.
 */
import type { Db } from '../inventory/store.js';
import { isoTime, listDevices } from '../inventory/device-view.js';
import { EXCEPTION_SCHEMA_VERSION, ExceptionStream, enqueueLines, orderLine, type ExceptionLine, type StreamFlushResult } from '../output/ndjson.js';
import { diffInventory, type DiffOptions, type DiffResult } from './diff.js';
import { hasAdvisories, patchEventIds, recordPatchEvent } from '../inventory/advisory-store.js';
import { loadPatchState } from '../advisories/load.js';
import { EXCEPTION_TYPES, type ExceptionEvidence, type ExceptionType, type ReconcileException, type Severity } from './exception-kinds.js';
import { lifecycleLines, type LifecycleLine } from './lifecycle.js';
import { remoteAccessExceptions } from './remote-access-exceptions.js';
import { announceSessions, type RemoteSessionLine } from './session-lines.js';
import type { MatchKey, MatchResult } from './match.js';
import { currentSorImport, loadSorRecords, type SorImportInfo } from './sor-store.js';
import type { SorRecord } from './sor-record.js';
import { assetIdsOf, externalPeerExceptions, type PeerPolicyOptions } from './external-peers.js';

export type ReconcileOptions = DiffOptions & {
  /** `lifecycle.quiet_after_s` (default 7 days of capture time). */
  quietAfterS?: number;
  /** Issue 20: what allows an external destination (`profile.*`); unexpected_external_peer. */
  peers?: PeerPolicyOptions;
};

export interface ReconcileResult {
  /** False when no SoR has been imported: nothing was compared or changed. */
  loaded: boolean;
  /** The snapshot compared against. */
  import: SorImportInfo | undefined;
  /** The capture time the changes are stamped with. */
  ts: string;
  /** Lines appended to the outbox by this run (new `open` and `resolved`). */
  changes: ExceptionLine[];
  /** Device lifecycle lines appended to the outbox by this run (before the exceptions). */
  lifecycle?: LifecycleLine[];
  /** Remote-session lines appended to the outbox by this run (after the lifecycle lines). */
  sessions?: RemoteSessionLine[];
  /** Every open exception after this run, in the order of `diff.ts`. */
  open: ExceptionLine[];
  /** Unmatched records the sensor cannot hear (not exceptions). */
  outOfCoverage: SorRecord[];
  /** The snapshot's records as compared (absent when none were), so a caller need not load them again. */
  records?: SorRecord[];
  /** How `records` matched the devices (absent when no snapshot was compared), so the report need not match them again. */
  match?: MatchResult;
  /** True when no packet has been captured yet, so nothing was compared (no capture time to stamp lines with). */
  nothingHeard?: boolean;
  /** Counts for the summary line. */
  counts: { records: number; devices: number; matched: Partial<Record<MatchKey, number>>; unmatchedDevices: number; missingFolded?: DiffResult['missingFolded'] };
}

export { DEFAULT_STREAM, hasSorSnapshot } from './snapshot.js';

/** The newest capture time in the database (ISO), or undefined when nothing was captured. */
export function newestCaptureTime(db: Db): string | undefined {
  const row = db.prepare(`SELECT max(coalesce((SELECT max(last_ts_us) FROM capture), 0),
    coalesce((SELECT max(last_seen_us) FROM device), 0)) AS us`).get() as { us: number };
  return row.us > 0 ? isoTime(row.us) : undefined;
}

interface ExceptionRow {
  event_id: string; type: ExceptionType; status: 'open' | 'resolved'; severity: Severity; asset_id: string | null;
  device_id: string | null; mac: string | null; field: string | null; expected: string | null; observed: string | null;
  evidence: string; message: string; opened_ts: string; resolved_ts: string | null;
}

function lineOf(e: Omit<ReconcileException, 'subject'> | ExceptionRow, status: 'open' | 'resolved', ts: string): Omit<ExceptionLine, 'seq'> {
  const evidence: ExceptionEvidence[] = typeof e.evidence === 'string' ? (JSON.parse(e.evidence) as ExceptionEvidence[]) : e.evidence;
  return {
    schema_version: EXCEPTION_SCHEMA_VERSION, event_type: 'exception', event_id: e.event_id, ts, type: e.type, status,
    severity: e.severity, asset_id: e.asset_id, device_id: e.device_id, mac: e.mac, field: e.field, expected: e.expected,
    observed: e.observed, evidence, message: e.message,
  };
}

/** Exceptions from the table as lines (`ts` = when opened, or resolved), in a stable order. */
export function listExceptions(db: Db, filter: { status?: 'open' | 'resolved' } = {}): ExceptionLine[] {
  const rows = (filter.status === undefined
    ? db.prepare('SELECT * FROM exception ORDER BY opened_ts, type, event_id').all()
    : db.prepare('SELECT * FROM exception WHERE status = ? ORDER BY opened_ts, type, event_id').all(filter.status)) as ExceptionRow[];
  return rows.map((r) => orderLine(lineOf(r, r.status, r.status === 'resolved' ? (r.resolved_ts ?? r.opened_ts) : r.opened_ts)));
}

/** Exception rows with both times, for the report. */
export interface ExceptionRecord extends ExceptionLine {
  opened_ts: string;
  resolved_ts: string | null;
}

export function listExceptionRecords(db: Db): ExceptionRecord[] {
  const rows = db.prepare('SELECT * FROM exception ORDER BY opened_ts, type, event_id').all() as ExceptionRow[];
  return rows.map((r) => ({ ...orderLine(lineOf(r, r.status, r.resolved_ts ?? r.opened_ts)), opened_ts: r.opened_ts, resolved_ts: r.resolved_ts }));
}

/** Computes the exceptions and, in one transaction, updates the table and fills the outbox. */
export function reconcile(db: Db, options: ReconcileOptions = {}): ReconcileResult {
  const sor = currentSorImport(db);
  const advisories = hasAdvisories(db);
  if (sor === undefined && !advisories) {
    return { loaded: false, import: undefined, ts: newestCaptureTime(db) ?? '1970-01-01T00:00:00.000Z', changes: [], open: [], outOfCoverage: [], counts: { records: 0, devices: 0, matched: {}, unmatchedDevices: 0 } };
  }
  const records = sor === undefined ? [] : loadSorRecords(db, sor.id);
  const newest = newestCaptureTime(db);
  if (newest === undefined) {
    // Nothing heard yet: there is no capture time to stamp lines with, and every record would be
    // out of coverage. Wait for the first capture rather than use the wall clock.
    return { loaded: true, import: sor, ts: '1970-01-01T00:00:00.000Z', changes: [], open: [], outOfCoverage: [], counts: { records: records.length, devices: 0, matched: {}, unmatchedDevices: 0 }, nothingHeard: true };
  }
  const ts = newest;
  const devices = listDevices(db, { withHistory: advisories });
  const diff: DiffResult = sor === undefined
    ? { exceptions: [], outOfCoverage: [], match: { records: [], unmatchedDevices: [], conflicts: [] }, missingFolded: { manufacturer: 0, model: 0, firmware: 0, network_location: 0 } }
    : diffInventory(records, devices, options);
  // Patch management (issue 17): advisory exceptions join the same table and stream.
  const patch = advisories ? loadPatchState(db, ts, devices) : { exceptions: [], events: [] };
  diff.exceptions.push(...patch.exceptions);
  // Communication profile (issue 20): external destinations nothing allows.
  diff.exceptions.push(...externalPeerExceptions(db, devices, options.peers, assetIdsOf(diff.match.records)));
  // Remote access (issue 20): sessions against the matched record's remote-access policy.
  if (sor !== undefined) diff.exceptions.push(...remoteAccessExceptions(db, diff.match.records));

  const select = db.prepare('SELECT * FROM exception');
  const insert = db.prepare(`INSERT INTO exception (event_id, type, status, severity, asset_id, device_id, mac, field, expected, observed, evidence, message, opened_ts, resolved_ts)
    VALUES (@event_id, @type, 'open', @severity, @asset_id, @device_id, @mac, @field, @expected, @observed, @evidence, @message, @ts, NULL)
    ON CONFLICT(event_id) DO UPDATE SET type = excluded.type, status = 'open', severity = excluded.severity, asset_id = excluded.asset_id,
      device_id = excluded.device_id, mac = excluded.mac, field = excluded.field, expected = excluded.expected, observed = excluded.observed,
      evidence = excluded.evidence, message = excluded.message, opened_ts = excluded.opened_ts, resolved_ts = NULL`);
  const refresh = db.prepare(`UPDATE exception SET severity = @severity, asset_id = @asset_id, device_id = @device_id, mac = @mac,
      expected = @expected, observed = @observed, evidence = @evidence, message = @message WHERE event_id = @event_id`);
  const resolve = db.prepare(`UPDATE exception SET status = 'resolved', resolved_ts = ? WHERE event_id = ?`);

  let lifecycle: LifecycleLine[] = [];
  let sessionLines: RemoteSessionLine[] = [];
  const changes = db.transaction((): ExceptionLine[] => {
    // Lifecycle events first (a device is new before it is not in the inventory), same transaction.
    const lifecyclePending = lifecycleLines(db, Date.parse(ts) * 1000, options.quietAfterS !== undefined ? { quietAfterS: options.quietAfterS } : {});
    const lifecycleSeqs = enqueueLines(db, lifecyclePending);
    lifecycle = lifecyclePending.map((l, i) => ({ ...l, ...(lifecycleSeqs[i] === undefined ? {} : { seq: lifecycleSeqs[i] }) }));
    // Remote sessions next (after their device_new, before an exception naming them), each once.
    sessionLines = announceSessions(db);
    const existing = new Map((select.all() as ExceptionRow[]).map((r) => [r.event_id, r]));
    const pending: Omit<ExceptionLine, 'seq'>[] = [];
    const current = new Set<string>();
    for (const e of diff.exceptions) {
      current.add(e.event_id);
      const params = {
        event_id: e.event_id, type: e.type, severity: e.severity, asset_id: e.asset_id, device_id: e.device_id, mac: e.mac,
        field: e.field, expected: e.expected, observed: e.observed, evidence: JSON.stringify(e.evidence), message: e.message, ts,
      };
      const before = existing.get(e.event_id);
      if (before?.status === 'open') {
        refresh.run(params);
      } else {
        insert.run(params);
        pending.push(lineOf(e, 'open', ts));
      }
    }
    const gone = [...existing.values()].filter((r) => r.status === 'open' && !current.has(r.event_id))
      .sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    for (const r of gone) {
      resolve.run(ts, r.event_id);
      pending.push(lineOf(r, 'resolved', ts));
    }
    const seqs = enqueueLines(db, pending);
    const seen = patchEventIds(db);
    for (const ev of patch.events) {
      if (seen.has(ev.event_id)) continue;
      const seq = (db.prepare('SELECT coalesce(max(seq), 0) + 1 AS s FROM outbox').get() as { s: number }).s;
      const { schema_version: version, event_type: eventType, ...rest } = ev;
      const line = JSON.stringify({ schema_version: version, event_type: eventType, seq, ...rest });
      db.prepare('INSERT INTO outbox (seq, line) VALUES (?, ?)').run(seq, line);
      recordPatchEvent(db, { event_id: ev.event_id, device_id: ev.device_id, advisory_id: ev.advisory_id, ts: ev.ts, line });
    }
    return pending.map((l, i) => orderLine({ ...l, ...(seqs[i] === undefined ? {} : { seq: seqs[i] }) }));
  })();

  const matched: Partial<Record<MatchKey, number>> = {};
  for (const m of diff.match.records) if (m.key !== null) matched[m.key] = (matched[m.key] ?? 0) + 1;
  const openedAt = db.prepare('SELECT opened_ts FROM exception WHERE event_id = ?');
  const openLines = sortForPeople(diff.exceptions.map((e) => {
    const row = openedAt.get(e.event_id) as { opened_ts: string } | undefined;
    return orderLine(lineOf(e, 'open', row?.opened_ts ?? ts));
  }));
  return {
    loaded: true,
    nothingHeard: false,
    import: sor,
    ts,
    changes,
    lifecycle,
    sessions: sessionLines,
    open: openLines,
    outOfCoverage: diff.outOfCoverage,
    records,
    ...(sor === undefined ? {} : { match: diff.match }),
    counts: { records: records.length, devices: devices.length, matched, unmatchedDevices: diff.match.unmatchedDevices.length, missingFolded: diff.missingFolded },
  };
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Most severe first, then by type, subject and field. */
export function sortForPeople<T extends ExceptionLine>(lines: T[]): T[] {
  const subject = (l: ExceptionLine): string => l.asset_id ?? l.mac ?? l.device_id ?? '';
  return lines.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || EXCEPTION_TYPES.indexOf(a.type) - EXCEPTION_TYPES.indexOf(b.type) ||
    subject(a).localeCompare(subject(b)) || (a.field ?? '').localeCompare(b.field ?? '') || a.event_id.localeCompare(b.event_id));
}

/** Reconciles, then appends the outbox's unsent lines to `streamPath`. */
export function reconcileAndStream(db: Db, streamPath: string, options: ReconcileOptions = {}): ReconcileResult & { stream: StreamFlushResult } {
  const result = reconcile(db, options);
  const stream = new ExceptionStream(db, streamPath);
  try {
    return { ...result, stream: stream.flush() };
  } finally {
    stream.close();
  }
}
