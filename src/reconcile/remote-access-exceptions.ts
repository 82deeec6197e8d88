/**
 * \summary The two remote-access exceptions of issue 20, computed from the stored sessions and the
 * system of record's remote-access policy (`remote-access-policy.ts`) of the record each session's
 * device matched:
 *
 * - `remote_access_unapproved` (high): a tool reached the device (or the device called a tool's
 *   relay or its vendor's platform) and the record's remote-access column does not list it. One
 *   exception per record × tool (it resolves when the tool is approved, or the record leaves);
 *   evidence = its most recent sessions. Only when the import mapped a remote-access column: no
 *   column, no judgement.
 * - `remote_access_outside_window` (medium): sessions whose start falls outside the record's
 *   service window. One per record × tool × day (the calendar day in the window's time zone), so
 *   a flood of connections (an SSH scan) is one exception a day, not one per connection: every
 *   tool counts, approved or not; evidence = the day's last sessions; resolves when the window is
 *   changed to hold them. No window, no judgement.
 * A new session of the same tool (and day) updates the open exception in place (evidence,
 * observed, message) without a new stream line; the session's own `remote_session` line is there.
 *
 * Severity as a security analyst triages them: an unapproved remote-control path into a medical
 * device is how ransomware crews and unvetted third parties get in (HICP 9.6 "tight remote access
 * controls for service connections"): high. An approved tool used outside its window may be an
 * emergency call-out, but may be stolen vendor credentials: medium, look today.
 *
 * Evidence items name the session by its stream line's `event_id` (`source`:
 * `remote_session:<event_id>`), with the capture file and the frame that named the tool.
 */
import { toolName } from '../observe/remote-sessions.js';
import type { Db } from '../inventory/store.js';
import { isoTime } from '../inventory/device-view.js';
import { recordSubject } from './diff.js';
import { makeException, type ReconcileException } from './exception-kinds.js';
import type { RecordMatch } from './match.js';
import { describeLocal, localDate, parseApprovedTools, parseServiceWindow, windowHolding } from './remote-access-policy.js';
import { sessionEvidence, sessionEventId, sessionRows, type SessionRow } from './session-lines.js';

/** Most recent sessions kept as evidence of one exception. */
export const SESSION_EVIDENCE = 5;

const recordName = (m: RecordMatch): string => m.record.assetId ?? m.record.hostname ?? m.record.serial ?? m.record.macs[0] ?? `line ${m.record.line}`;

function evidence(s: SessionRow): ReconcileException['evidence'][number] {
  return { ...sessionEvidence(s), source: `remote_session:${sessionEventId(s)}` };
}

/** The exceptions of every session whose device a record matched. `sessions` defaults to the stored ones. */
export function remoteAccessExceptions(db: Db, matches: readonly RecordMatch[], sessions?: readonly SessionRow[]): ReconcileException[] {
  const byDevice = new Map<string, RecordMatch>();
  for (const m of matches) {
    if (m.record.remoteAccess === undefined && m.record.serviceWindow === undefined) continue;
    for (const d of m.devices) byDevice.set(d.id, m);
  }
  if (byDevice.size === 0) return [];
  const perRecord = new Map<RecordMatch, SessionRow[]>();
  const seen = new Set<string>();
  for (const s of sessions ?? sessionRows(db)) {
    const m = s.device_id === null ? undefined : byDevice.get(s.device_id);
    if (m === undefined) continue;
    // A session stored twice (one capture replayed twice) counts once.
    const id = sessionEventId(s);
    if (seen.has(id)) continue;
    seen.add(id);
    const list = perRecord.get(m);
    if (list === undefined) perRecord.set(m, [s]);
    else list.push(s);
  }

  const out: ReconcileException[] = [];
  for (const m of matches) {
    const list = perRecord.get(m);
    if (list === undefined) continue;
    const r = m.record;
    const subject = recordSubject(r);
    const name = recordName(m);
    const base = (s: SessionRow) => ({ asset_id: r.assetId ?? m.devices[0]?.asset_id ?? null, device_id: s.device_id, mac: s.device_mac ?? m.devices[0]?.mac ?? null });

    if (r.remoteAccess !== undefined) {
      const approved = parseApprovedTools(r.remoteAccess);
      // Validated at import; a stored cell that no longer parses approves nothing rather than everything.
      const policy = approved.ok ? approved.value : { any: false, tools: new Set<string>(), unknown: [] };
      const byTool = new Map<string, SessionRow[]>();
      for (const s of list) {
        if (policy.any || policy.tools.has(s.tool)) continue;
        const t = byTool.get(s.tool);
        if (t === undefined) byTool.set(s.tool, [s]);
        else t.push(s);
      }
      for (const [tool, sessions] of [...byTool].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const last = sessions[sessions.length - 1] as SessionRow;
        const listed = r.remoteAccess === '' ? null : r.remoteAccess;
        out.push(makeException({
          type: 'remote_access_unapproved', subject: `${subject}\u0000${tool}`, ...base(last), field: 'remote_access', expected: listed, observed: toolName(tool),
          evidence: sessions.slice(-SESSION_EVIDENCE).reverse().map(evidence),
          message: `${toolName(tool)} reached ${name} in ${sessions.length} session${sessions.length === 1 ? '' : 's'} (last ${isoTime(last.start_us)}, ` +
            `${last.direction === 'inbound' ? `from ${last.peer_ip}` : `to ${last.peer_ip}`}) but its record ${listed === null ? 'approves no remote access' : `approves only ${JSON.stringify(listed)}`}`,
        }));
      }
    }

    if (r.serviceWindow !== undefined) {
      const parsed = parseServiceWindow(r.serviceWindow);
      if (!parsed.ok) continue; // validated at import
      const zone = parsed.value.specs[0]?.zone ?? 'UTC';
      // Bounded: one exception per tool and day (in the window's zone), however many sessions.
      const byDay = new Map<string, { tool: string; day: string; sessions: SessionRow[] }>();
      for (const s of list) {
        const startMs = Math.floor(s.start_us / 1000);
        if (windowHolding(parsed.value, startMs) !== undefined) continue;
        const day = localDate(startMs, zone);
        const key = `${s.tool}\u0000${day}`;
        const group = byDay.get(key);
        if (group === undefined) byDay.set(key, { tool: s.tool, day, sessions: [s] });
        else group.sessions.push(s);
      }
      for (const { tool, day, sessions } of [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0))) {
        const last = sessions[sessions.length - 1] as SessionRow;
        const lastMs = Math.floor(last.start_us / 1000);
        const n = sessions.length;
        out.push(makeException({
          type: 'remote_access_outside_window', subject: `${subject}\u0000${tool}\u0000${day}`, ...base(last), field: 'service_window',
          expected: r.serviceWindow, observed: `${isoTime(last.start_us)} (${describeLocal(lastMs, zone)})`,
          evidence: sessions.slice(-SESSION_EVIDENCE).reverse().map(evidence),
          message: `${toolName(tool)} reached ${name} in ${n} session${n === 1 ? '' : 's'} outside its service window ${JSON.stringify(r.serviceWindow)} on ${day} (${zone}; ` +
            `${n === 1 ? 'at' : 'last at'} ${describeLocal(lastMs, zone)})`,
        }));
      }
    }
  }
  return out;
}
