/**
 * \summary Remote-access sessions as stream lines (issue 20): each session the tracker ended and
 * the store wrote (`remote_session`) is announced once to the outbox, as a
 * `event_type: remote_session` line (schemas/remote-session.schema.json), so the stream file and
 * every SIEM shape (`src/output/shapes.ts`) carry it with the same `event_id` and evidence.
 *
 * Exactly once: the line is appended to the outbox and its `seq` written to the session's
 * `outbox_seq` in the same transaction (`reconcile()` or `announceLifecycle()`, after the
 * lifecycle lines and before the exceptions, so a `device_new` comes before the device's
 * sessions and a session before an exception that names it). A crash loses or repeats nothing.
 *
 * A session stored twice (the same capture replayed twice into one database) is announced once.
 * `event_id` is sha256(`remote_session` NUL tool NUL transport NUL device ip:port NUL peer
 * ip:port NUL start µs): the same capture replayed into another database gives the same ids, and
 * a remote-access exception's evidence names its sessions by it (`remote_session:<event_id>`).
 * `ts` is the session's start. Nothing of the session's content is in the line: the tool, how it
 * was recognised (a DNS/SNI name, an ALPN, a JA4, a software version), addresses, ports, times,
 * byte and frame counts, frame numbers. Never a user name (the RDP cookie is not decoded).
 */
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { Db } from '../inventory/store.js';
import { isoTime } from '../inventory/device-view.js';
import { toolName } from '../observe/remote-sessions.js';
import type { ExceptionEvidence } from './exception-kinds.js';

/** One remote-session line of the stream (keys in this order; `schemas/remote-session.schema.json`). */
export interface RemoteSessionLine {
  schema_version: 1;
  event_type: 'remote_session';
  seq?: number;
  event_id: string;
  /** The session's start (capture time). */
  ts: string;
  type: 'remote_session';
  severity: 'info';
  /** The inventory device that held the device address when the line was written, when known. */
  device_id: string | null;
  /** That device's MAC (never a router's). */
  mac: string | null;
  tool: string;
  tool_name: string;
  how: string;
  transport: 'tcp' | 'udp';
  direction: 'inbound' | 'outbound';
  device_ip: string;
  device_port: number;
  peer_ip: string;
  peer_port: number;
  start: string;
  end: string;
  duration_s: number;
  bytes_to_device: number;
  bytes_from_device: number;
  frames: number;
  first_frame: number;
  last_frame: number;
  end_reason: string;
  /** The frame that named the tool (`source`: `remote_session.<tool>`). */
  evidence: ExceptionEvidence[];
  message: string;
}

/** A stored session as the lines and the exceptions read it. */
export interface SessionRow {
  id: number; tool: string; how: string; transport: 'tcp' | 'udp'; device_ip: string; device_port: number; peer_ip: string; peer_port: number;
  direction: 'inbound' | 'outbound'; start_us: number; end_us: number; bytes_to_device: number; bytes_from_device: number; frames: number;
  first_frame: number; evidence_frame: number; last_frame: number; end_reason: string; capture: string | null; device_id: string | null;
  device_mac: string | null; outbox_seq: number | null;
}

/** The stable id of a session (also its stream line's `event_id`). */
export function sessionEventId(s: Pick<SessionRow, 'tool' | 'transport' | 'device_ip' | 'device_port' | 'peer_ip' | 'peer_port' | 'start_us'>): string {
  return createHash('sha256')
    .update(`remote_session\u0000${s.tool}\u0000${s.transport}\u0000${s.device_ip}:${s.device_port}\u0000${s.peer_ip}:${s.peer_port}\u0000${s.start_us}`)
    .digest('hex').slice(0, 32);
}

/**
 * Stored sessions with their device (the device that holds the session's address now, else the
 * one with its link-layer address) and capture file; `unannounced` keeps those not yet in the outbox.
 */
export function sessionRows(db: Db, options: { unannounced?: boolean } = {}): SessionRow[] {
  return db.prepare(
    `SELECT s.id, s.tool, s.how, s.transport, s.device_ip, s.device_port, s.peer_ip, s.peer_port, s.direction, s.start_us, s.end_us,
       s.bytes_to_device, s.bytes_from_device, s.frames, s.first_frame, s.evidence_frame, s.last_frame, s.end_reason, s.outbox_seq,
       c.path AS capture, d.id AS device_id, d.mac AS device_mac
     FROM remote_session s
     LEFT JOIN capture c ON c.id = s.capture_id
     LEFT JOIN device d ON d.id = COALESCE(
       (SELECT a.device_id FROM device_address a WHERE a.ip = s.device_ip LIMIT 1),
       (SELECT x.id FROM device x WHERE x.mac = s.device_mac),
       (SELECT x.id FROM device x WHERE x.ip_key = s.device_ip))
     ${options.unannounced === true ? 'WHERE s.outbox_seq IS NULL' : ''}
     ORDER BY s.start_us, s.id`,
  ).all() as SessionRow[];
}

/** Full rows of the sessions with these ids (device_id and device_mac left null for the caller), by id. */
export function sessionsById(db: Db, ids: readonly number[]): Map<number, SessionRow> {
  if (ids.length === 0) return new Map();
  const rows = db.prepare(
    `SELECT s.id, s.tool, s.how, s.transport, s.device_ip, s.device_port, s.peer_ip, s.peer_port, s.direction, s.start_us, s.end_us,
       s.bytes_to_device, s.bytes_from_device, s.frames, s.first_frame, s.evidence_frame, s.last_frame, s.end_reason, s.outbox_seq,
       c.path AS capture, NULL AS device_id, NULL AS device_mac
     FROM remote_session s LEFT JOIN capture c ON c.id = s.capture_id
     WHERE s.id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as SessionRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** The evidence item of a session: the frame that named the tool. */
export function sessionEvidence(s: SessionRow): ExceptionEvidence {
  return { source: `remote_session.${s.tool}`, frame: s.evidence_frame, ts: isoTime(s.start_us), capture: s.capture === null ? null : basename(s.capture) };
}

/** The line of a stored session (without `seq`). */
export function sessionLine(s: SessionRow): Omit<RemoteSessionLine, 'seq'> {
  const name = toolName(s.tool);
  const who = s.device_id ?? s.device_ip;
  const peer = `${s.peer_ip}:${s.peer_port}`;
  return {
    schema_version: 1, event_type: 'remote_session', event_id: sessionEventId(s), ts: isoTime(s.start_us), type: 'remote_session', severity: 'info',
    device_id: s.device_id, mac: s.device_mac, tool: s.tool, tool_name: name, how: s.how, transport: s.transport, direction: s.direction,
    device_ip: s.device_ip, device_port: s.device_port, peer_ip: s.peer_ip, peer_port: s.peer_port, start: isoTime(s.start_us), end: isoTime(s.end_us),
    duration_s: Math.round((s.end_us - s.start_us) / 1000) / 1000, bytes_to_device: s.bytes_to_device, bytes_from_device: s.bytes_from_device,
    frames: s.frames, first_frame: s.first_frame, last_frame: s.last_frame, end_reason: s.end_reason, evidence: [sessionEvidence(s)],
    message: s.direction === 'inbound'
      ? `${name} session from ${peer} to device ${who} port ${s.device_port}`
      : `${name} session from device ${who} to ${peer}`,
  };
}

/** The line with its keys in contract order. */
export function orderSessionLine(l: RemoteSessionLine): RemoteSessionLine {
  const head: Pick<RemoteSessionLine, 'schema_version' | 'event_type' | 'seq'> = { schema_version: l.schema_version, event_type: l.event_type };
  if (l.seq !== undefined) head.seq = l.seq;
  return {
    ...head, event_id: l.event_id, ts: l.ts, type: l.type, severity: l.severity, device_id: l.device_id, mac: l.mac, tool: l.tool,
    tool_name: l.tool_name, how: l.how, transport: l.transport, direction: l.direction, device_ip: l.device_ip, device_port: l.device_port,
    peer_ip: l.peer_ip, peer_port: l.peer_port, start: l.start, end: l.end, duration_s: l.duration_s, bytes_to_device: l.bytes_to_device,
    bytes_from_device: l.bytes_from_device, frames: l.frames, first_frame: l.first_frame, last_frame: l.last_frame, end_reason: l.end_reason,
    evidence: l.evidence, message: l.message,
  };
}

/**
 * Appends a line for every session not yet announced and records its `seq`. Call inside the
 * transaction that writes the other outbox lines of the run. Returns the lines with their `seq`.
 */
export function announceSessions(db: Db): RemoteSessionLine[] {
  const pending = sessionRows(db, { unannounced: true });
  if (pending.length === 0) return [];
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox');
  const insert = db.prepare('INSERT INTO outbox (seq, line) VALUES (?, ?)');
  const mark = db.prepare('UPDATE remote_session SET outbox_seq = ? WHERE id = ?');
  // The same session stored twice (one capture replayed twice into a database) has one line.
  const announced = db.prepare(`SELECT outbox_seq FROM remote_session WHERE device_ip = ? AND device_port = ? AND peer_ip = ? AND peer_port = ?
    AND tool = ? AND transport = ? AND start_us = ? AND outbox_seq IS NOT NULL LIMIT 1`).pluck();
  let seq = (maxSeq.get() as { m: number }).m;
  const out: RemoteSessionLine[] = [];
  for (const s of pending) {
    const earlier = announced.get(s.device_ip, s.device_port, s.peer_ip, s.peer_port, s.tool, s.transport, s.start_us) as number | undefined;
    if (earlier !== undefined) {
      mark.run(earlier, s.id);
      continue;
    }
    seq++;
    const line = orderSessionLine({ ...sessionLine(s), seq });
    insert.run(seq, JSON.stringify(line));
    mark.run(seq, s.id);
    out.push(line);
  }
  return out;
}
