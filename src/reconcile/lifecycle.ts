/**
 * \summary Device lifecycle events (`device_new`, `device_changed`, `device_quiet`,
 * `device_back`), derived from the store's own tables (`device`, `history`, `device_address`) and
 * appended to the outbox beside the reconciliation exceptions, in the same transaction that
 * records what was announced (the `lifecycle` table), so a crash loses or repeats nothing.
 *
 * - `device_new`: a device row the `lifecycle` table does not hold yet. Its history so far (the
 *   first values of its fields) is taken as announced. `ts` = first seen.
 * - `device_changed`: history rows after the last announced one, one event per device per run,
 *   one change per field (the first old value, the last new value; a field that flapped back to
 *   its old value is no change, so an event is bounded by the number of device fields). `ts` = the
 *   last change's capture time; evidence = each change's frame.
 * - `device_quiet`: an active device not heard for `quiet_after` of capture time (the newest
 *   packet time in the database, never the wall clock): a decommission candidate. `ts` = now.
 * - `device_back`: a quiet device heard again. `ts` = last seen.
 * Each `event_id` is sha256(type NUL device NUL condition), so the same condition always has the
 * same id (replaying the same captures gives the same lines). A device merged into another (its
 * row deleted) silently leaves the table.
 *
 * Reconciliation announces them in its transaction (`reconcile()`); a sensor with neither a system
 * of record nor advisories announces them with `announceLifecycle()`, so device_new and
 * device_quiet (the decommission log HICP 9.1 asks for) never wait for a CMDB export.
 */
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { Db } from '../inventory/store.js';
import { isoTime } from '../inventory/device-view.js';
import { enqueueLines } from '../output/ndjson.js';
import type { ExceptionEvidence } from './exception-kinds.js';
import { announceSessions } from './session-lines.js';

export const LIFECYCLE_TYPES = ['device_new', 'device_changed', 'device_quiet', 'device_back'] as const;
export type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

/** One kind: its severity and a one-line description (README and docs-sync use these). */
export const LIFECYCLE_KINDS: Readonly<Record<LifecycleType, { severity: 'low' | 'medium'; description: string }>> = {
  device_new: { severity: 'low', description: 'a device was heard for the first time' },
  device_changed: { severity: 'low', description: 'identity fields of a device changed (which fields, old and new value, the frame that showed it)' },
  device_quiet: { severity: 'medium', description: 'a device was not heard for lifecycle.quiet_after_s of capture time: a decommission candidate' },
  device_back: { severity: 'low', description: 'a device announced quiet was heard again' },
};

/** Default `lifecycle.quiet_after_s`: 7 days. */
export const DEFAULT_QUIET_AFTER_S = 7 * 24 * 3600;

/** One changed field of a `device_changed` event. */
export interface LifecycleChange {
  field: string;
  old: string | null;
  new: string | null;
  /** Evidence of the new value (null when the store kept no frame). */
  source: string | null;
  frame: number | null;
  ts: string;
  capture: string | null;
}

/** One lifecycle line of the stream (keys in this order; `schemas/exception.schema.json`). */
export interface LifecycleLine {
  schema_version: 1;
  event_type: 'lifecycle';
  seq?: number;
  event_id: string;
  ts: string;
  type: LifecycleType;
  severity: 'low' | 'medium';
  device_id: string;
  mac: string | null;
  first_seen: string;
  last_seen: string;
  changes: LifecycleChange[];
  evidence: ExceptionEvidence[];
  message: string;
}

export function lifecycleEventId(type: LifecycleType, deviceId: string, condition: string): string {
  return createHash('sha256').update(`${type}\u0000${deviceId}\u0000${condition}`).digest('hex').slice(0, 32);
}

/** The line with its keys in contract order. */
export function orderLifecycleLine(l: LifecycleLine): LifecycleLine {
  const head: Pick<LifecycleLine, 'schema_version' | 'event_type' | 'seq'> = { schema_version: l.schema_version, event_type: l.event_type };
  if (l.seq !== undefined) head.seq = l.seq;
  return {
    ...head, event_id: l.event_id, ts: l.ts, type: l.type, severity: l.severity, device_id: l.device_id, mac: l.mac,
    first_seen: l.first_seen, last_seen: l.last_seen, changes: l.changes, evidence: l.evidence, message: l.message,
  };
}

interface DeviceRow { id: string; mac: string | null; first_seen_us: number; last_seen_us: number; state: 'active' | 'quiet' | null; history_id: number | null; quiet_seen_us: number | null }
interface HistoryRow { id: number; field: string; old_value: string | null; new_value: string | null; ts_us: number; frame: number | null; source: string | null; capture: string | null }

const ORDER: Record<LifecycleType, number> = { device_new: 0, device_changed: 1, device_back: 2, device_quiet: 3 };

/**
 * Computes the lifecycle lines due at capture time `nowUs` and records them as announced. Call
 * inside the transaction that appends the returned lines to the outbox.
 */
export function lifecycleLines(db: Db, nowUs: number, options: { quietAfterS?: number } = {}): Omit<LifecycleLine, 'seq'>[] {
  const quietAfterUs = (options.quietAfterS ?? DEFAULT_QUIET_AFTER_S) * 1_000_000;
  db.prepare('DELETE FROM lifecycle WHERE device_id NOT IN (SELECT id FROM device)').run();
  const devices = db.prepare(`SELECT d.id, d.mac, d.first_seen_us, d.last_seen_us, l.state, l.history_id, l.quiet_seen_us
    FROM device d LEFT JOIN lifecycle l ON l.device_id = d.id ORDER BY d.first_seen_us, d.id`).all() as DeviceRow[];
  const history = db.prepare(`SELECT h.id, h.field, h.old_value, h.new_value, h.ts_us, h.frame, h.source, c.path AS capture
    FROM history h LEFT JOIN capture c ON c.id = h.capture_id WHERE h.device_id = ? AND h.id > ? ORDER BY h.id`);
  const maxHistory = db.prepare('SELECT coalesce(max(id), 0) FROM history WHERE device_id = ?').pluck();
  const firstAddress = db.prepare(`SELECT a.ip, a.source, a.first_frame, a.first_seen_us, c.path AS capture
    FROM device_address a LEFT JOIN capture c ON c.id = a.capture_id WHERE a.device_id = ? ORDER BY a.first_seen_us, a.ip LIMIT 1`);
  const upsert = db.prepare(`INSERT INTO lifecycle (device_id, state, history_id, quiet_seen_us) VALUES (?, ?, ?, ?)
    ON CONFLICT(device_id) DO UPDATE SET state = excluded.state, history_id = excluded.history_id, quiet_seen_us = excluded.quiet_seen_us`);
  const cap = (path: string | null): string | null => (path === null ? null : basename(path));

  const out: Omit<LifecycleLine, 'seq'>[] = [];
  for (const d of devices) {
    const line = (type: LifecycleType, ts: string, condition: string, message: string, changes: LifecycleChange[], evidence: ExceptionEvidence[]): void => {
      out.push({
        schema_version: 1, event_type: 'lifecycle', event_id: lifecycleEventId(type, d.id, condition), ts, type, severity: LIFECYCLE_KINDS[type].severity,
        device_id: d.id, mac: d.mac, first_seen: isoTime(d.first_seen_us), last_seen: isoTime(d.last_seen_us), changes, evidence, message,
      });
    };
    const who = d.mac ?? d.id;
    let state = d.state ?? 'active';
    let historyId = d.history_id ?? 0;
    let quietSeen = d.quiet_seen_us;
    if (d.state === null) {
      historyId = maxHistory.get(d.id) as number;
      const a = firstAddress.get(d.id) as { ip: string; source: string; first_frame: number; first_seen_us: number; capture: string | null } | undefined;
      const evidence = a === undefined ? [] : [{ source: a.source, frame: a.first_frame, ts: isoTime(a.first_seen_us), capture: cap(a.capture) }];
      line('device_new', isoTime(d.first_seen_us), '', `new device ${who}${a === undefined ? '' : ` at ${a.ip}`}`, [], evidence);
    } else {
      const rows = history.all(d.id, historyId) as HistoryRow[];
      if (rows.length > 0) {
        historyId = rows[rows.length - 1]?.id ?? historyId;
        const byField = new Map<string, { old: string | null; last: HistoryRow }>();
        for (const r of rows) {
          const f = byField.get(r.field);
          byField.set(r.field, { old: f === undefined ? r.old_value : f.old, last: r });
        }
        const changes: LifecycleChange[] = [...byField.entries()].filter(([, v]) => v.old !== v.last.new_value)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([field, v]) => ({ field, old: v.old, new: v.last.new_value, source: v.last.source, frame: v.last.frame, ts: isoTime(v.last.ts_us), capture: cap(v.last.capture) }));
        if (changes.length > 0) {
          const lastTs = Math.max(...changes.map((c) => Date.parse(c.ts)));
          const evidence = changes.filter((c) => c.frame !== null && c.source !== null)
            .map((c) => ({ source: c.source ?? '', frame: c.frame ?? 0, ts: c.ts, capture: c.capture }));
          line('device_changed', new Date(lastTs).toISOString(), changes.map((c) => `${c.field}=${c.new ?? ''}@${c.ts}`).join('\u0000'),
            `device ${who} changed ${changes.map((c) => `${c.field} ${c.old ?? '(none)'} -> ${c.new ?? '(none)'}`).join(', ')}`, changes, evidence);
        }
      }
      if (state === 'quiet' && quietSeen !== null && d.last_seen_us > quietSeen) {
        line('device_back', isoTime(d.last_seen_us), String(quietSeen), `device ${who} heard again after being quiet since ${isoTime(quietSeen)}`, [], []);
        state = 'active';
        quietSeen = null;
      }
    }
    if (state === 'active' && nowUs - d.last_seen_us >= quietAfterUs) {
      line('device_quiet', isoTime(nowUs), String(d.last_seen_us), `device ${who} not heard since ${isoTime(d.last_seen_us)}: decommission candidate`, [], []);
      state = 'quiet';
      quietSeen = d.last_seen_us;
    }
    if (d.state !== state || d.history_id !== historyId || d.quiet_seen_us !== quietSeen) upsert.run(d.id, state, historyId, quietSeen);
  }
  // Stable: by time, then kind, then device (a device's new before its changes).
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0) || ORDER[a.type] - ORDER[b.type] || (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0));
}

/**
 * Announces the lifecycle lines due at the newest capture time (never the wall clock) and appends
 * them to the outbox, in one transaction. For a database nothing is reconciled in (no system of
 * record, no advisories): `reconcile()` does the same inside its own transaction otherwise.
 * Nothing heard yet: nothing announced.
 */
export function announceLifecycle(db: Db, options: { quietAfterS?: number } = {}): LifecycleLine[] {
  return db.transaction((): LifecycleLine[] => {
    const newest = (db.prepare(`SELECT max(coalesce((SELECT max(last_ts_us) FROM capture), 0),
      coalesce((SELECT max(last_seen_us) FROM device), 0)) AS us`).get() as { us: number }).us;
    if (newest <= 0) return [];
    const lines = lifecycleLines(db, newest, options);
    const seqs = enqueueLines(db, lines);
    // Issue 20: remote-access sessions reach the outbox (and the SIEM outputs) without a record too.
    announceSessions(db);
    return lines.map((l, i) => ({ ...l, ...(seqs[i] === undefined ? {} : { seq: seqs[i] }) }));
  })();
}
