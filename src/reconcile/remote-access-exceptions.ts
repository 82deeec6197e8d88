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
import { isoTime, listDevices } from '../inventory/device-view.js';
import { recordSubject } from './diff.js';
import { makeException, type ReconcileException } from './exception-kinds.js';
import { matchRecords, type RecordMatch } from './match.js';
import {
  describeApprovedTools, describeLocal, localDate, parseApprovedTools, parseServiceWindow, windowHolding, type ApprovedTools, type ServiceWindow,
} from './remote-access-policy.js';
import { currentSorImport, loadSorRecords } from './sor-store.js';
import { sessionEvidence, sessionEventId, sessionsById, type SessionRow } from './session-lines.js';

/** Most recent sessions kept as evidence of one exception. */
export const SESSION_EVIDENCE = 5;

const recordName = (m: RecordMatch): string => m.record.assetId ?? m.record.hostname ?? m.record.serial ?? m.record.macs[0] ?? `line ${m.record.line}`;

/** What grouping needs of a session; the full row is read only for the sessions kept as evidence. */
type Light = Pick<SessionRow, 'id' | 'tool' | 'transport' | 'device_ip' | 'device_port' | 'peer_ip' | 'peer_port' | 'start_us'>;

/**
 * The exceptions of every session whose device a record with a remote-access policy matched.
 * `sessions` (tests) replaces the stored ones. Cost: one light row per session of those devices
 * (7 columns, no join), then the full rows of at most `SESSION_EVIDENCE` sessions per exception.
 */
export function remoteAccessExceptions(db: Db, matches: readonly RecordMatch[], sessions?: readonly SessionRow[]): ReconcileException[] {
  // The devices of records with a policy, by address: a session belongs to the device that holds its address.
  const byIp = new Map<string, { match: RecordMatch; id: string; mac: string | null }>();
  for (const m of matches) {
    if (m.record.remoteAccess === undefined && m.record.serviceWindow === undefined) continue;
    for (const d of m.devices) for (const ip of d.ips) if (!byIp.has(ip)) byIp.set(ip, { match: m, id: d.id, mac: d.mac });
  }
  if (byIp.size === 0) return [];
  const light: readonly Light[] = sessions ?? lightSessionsAt(db, [...byIp.keys()]);
  const perRecord = new Map<RecordMatch, Light[]>();
  const seen = new Set<string>();
  for (const s of light) {
    const owner = byIp.get(s.device_ip);
    if (owner === undefined) continue;
    // A session stored twice (one capture replayed twice) counts once.
    const key = `${s.tool}\u0000${s.transport}\u0000${s.device_ip}\u0000${s.device_port}\u0000${s.peer_ip}\u0000${s.peer_port}\u0000${s.start_us}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = perRecord.get(owner.match);
    if (list === undefined) perRecord.set(owner.match, [s]);
    else list.push(s);
  }

  // Groups first (light rows), then the full rows of their evidence sessions in one query.
  interface Group { match: RecordMatch; kind: 'unapproved' | 'window'; tool: string; day?: string; zone?: string; sessions: Light[] }
  const groups: Group[] = [];
  const listedOf = new Map<RecordMatch, string | null>();
  for (const m of matches) {
    const list = perRecord.get(m);
    if (list === undefined) continue;
    const r = m.record;
    if (r.remoteAccess !== undefined) {
      const approved = parseApprovedTools(r.remoteAccess);
      listedOf.set(m, approved.ok ? describeApprovedTools(approved.value) : null);
      // Validated at import; a stored cell that no longer parses approves nothing rather than everything.
      const policy = approved.ok ? approved.value : { any: false, tools: new Set<string>(), unknown: [], yes: false };
      const byTool = new Map<string, Light[]>();
      for (const s of list) {
        if (policy.any || policy.tools.has(s.tool)) continue;
        const t = byTool.get(s.tool);
        if (t === undefined) byTool.set(s.tool, [s]);
        else t.push(s);
      }
      for (const [tool, ss] of [...byTool].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) groups.push({ match: m, kind: 'unapproved', tool, sessions: ss });
    }
    if (r.serviceWindow !== undefined) {
      const parsed = parseServiceWindow(r.serviceWindow);
      if (!parsed.ok) continue; // validated at import
      const zone = parsed.value.specs[0]?.zone ?? 'UTC';
      // Bounded: one exception per tool and day (in the window's zone), however many sessions.
      const byDay = new Map<string, Group>();
      for (const s of list) {
        const startMs = Math.floor(s.start_us / 1000);
        if (windowHolding(parsed.value, startMs) !== undefined) continue;
        const day = localDate(startMs, zone);
        const key = `${s.tool}\u0000${day}`;
        const group = byDay.get(key);
        if (group === undefined) byDay.set(key, { match: m, kind: 'window', tool: s.tool, day, zone, sessions: [s] });
        else group.sessions.push(s);
      }
      groups.push(...[...byDay.values()].sort((a, b) => ((a.day ?? '') < (b.day ?? '') ? -1 : (a.day ?? '') > (b.day ?? '') ? 1 : a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0)));
    }
  }
  const kept = new Set<number>();
  for (const g of groups) for (const s of g.sessions.slice(-SESSION_EVIDENCE)) kept.add(s.id);
  const full = sessions !== undefined ? new Map(sessions.map((s) => [s.id, s])) : sessionsById(db, [...kept]);
  const row = (s: Light): SessionRow => {
    const f = full.get(s.id) as SessionRow;
    const owner = byIp.get(f.device_ip);
    return { ...f, device_id: owner?.id ?? f.device_id, device_mac: owner?.mac ?? f.device_mac };
  };

  const out: ReconcileException[] = [];
  for (const g of groups) {
    const r = g.match.record;
    const subject = recordSubject(r);
    const name = recordName(g.match);
    const last = row(g.sessions[g.sessions.length - 1] as Light);
    const n = g.sessions.length;
    const base = {
      asset_id: r.assetId ?? g.match.devices[0]?.asset_id ?? null, device_id: last.device_id, mac: last.device_mac ?? g.match.devices[0]?.mac ?? null,
      evidence: g.sessions.slice(-SESSION_EVIDENCE).reverse().map((s) => evidence(row(s))),
    };
    if (g.kind === 'unapproved') {
      const listed = listedOf.get(g.match) ?? null;
      out.push(makeException({
        type: 'remote_access_unapproved', subject: `${subject}\u0000${g.tool}`, ...base, field: 'remote_access', expected: listed, observed: toolName(g.tool),
        message: `${toolName(g.tool)} reached ${name} in ${n} session${n === 1 ? '' : 's'} (last ${isoTime(last.start_us)}, ` +
          `${last.direction === 'inbound' ? `from ${last.peer_ip}` : `to ${last.peer_ip}`}) but its record ${listed === null ? 'approves no remote access' : `approves only ${JSON.stringify(listed)}`}`,
      }));
    } else {
      const zone = g.zone ?? 'UTC';
      const local = describeLocal(Math.floor(last.start_us / 1000), zone);
      out.push(makeException({
        type: 'remote_access_outside_window', subject: `${subject}\u0000${g.tool}\u0000${g.day ?? ''}`, ...base, field: 'service_window',
        expected: r.serviceWindow ?? null, observed: `${isoTime(last.start_us)} (${local})`,
        message: `${toolName(g.tool)} reached ${name} in ${n} session${n === 1 ? '' : 's'} outside its service window ${JSON.stringify(r.serviceWindow)} on ${g.day ?? ''} (${zone}; ` +
          `${n === 1 ? 'at' : 'last at'} ${local})`,
      }));
    }
  }
  return out;
}

function evidence(s: SessionRow): ReconcileException['evidence'][number] {
  return { ...sessionEvidence(s), source: `remote_session:${sessionEventId(s)}` };
}

/** The grouping columns of the sessions at these addresses, oldest first (index `remote_session_device_ip`). */
function lightSessionsAt(db: Db, ips: readonly string[]): Light[] {
  const rows = db.prepare(`SELECT id, tool, transport, device_ip, device_port, peer_ip, peer_port, start_us FROM remote_session
    WHERE device_ip IN (SELECT value FROM json_each(?)) ORDER BY start_us, id`).raw().all(JSON.stringify(ips)) as [number, string, 'tcp' | 'udp', string, number, string, number, number][];
  return rows.map(([id, tool, transport, deviceIp, devicePort, peerIp, peerPort, startUs]) => ({
    id, tool, transport, device_ip: deviceIp, device_port: devicePort, peer_ip: peerIp, peer_port: peerPort, start_us: startUs,
  }));
}

/** What the system of record says of one session: the record its device matched, whether the tool is approved, whether it started in the window (null: no such column). */
export interface SessionPolicy {
  asset_id: string | null;
  approved: boolean | null;
  in_window: boolean | null;
}

/**
 * Per stored session id, the judgement of the record its device matched (for `auscult sessions`):
 * the same matching, normalisation and window as the exceptions. Empty without a record.
 */
export function sessionPolicies(db: Db): Map<number, SessionPolicy> {
  const out = new Map<number, SessionPolicy>();
  if (currentSorImport(db) === undefined) return out;
  const matches = matchRecords(loadSorRecords(db), listDevices(db)).records;
  const byIp = new Map<string, RecordMatch>();
  for (const m of matches) {
    if (m.record.remoteAccess === undefined && m.record.serviceWindow === undefined) continue;
    for (const d of m.devices) for (const ip of d.ips) if (!byIp.has(ip)) byIp.set(ip, m);
  }
  const judged = new Map<RecordMatch, { approved: ApprovedTools | undefined; window: ServiceWindow | undefined }>();
  for (const s of lightSessionsAt(db, [...byIp.keys()])) {
    const m = byIp.get(s.device_ip);
    if (m === undefined) continue;
    let p = judged.get(m);
    if (p === undefined) {
      const a = m.record.remoteAccess === undefined ? undefined : parseApprovedTools(m.record.remoteAccess);
      const w = m.record.serviceWindow === undefined ? undefined : parseServiceWindow(m.record.serviceWindow);
      p = { approved: a?.ok === true ? a.value : undefined, window: w?.ok === true ? w.value : undefined };
      judged.set(m, p);
    }
    out.set(s.id, {
      asset_id: m.record.assetId ?? null,
      approved: p.approved === undefined ? null : p.approved.any || p.approved.tools.has(s.tool),
      in_window: p.window === undefined ? null : windowHolding(p.window, Math.floor(s.start_us / 1000)) !== undefined,
    });
  }
  return out;
}
