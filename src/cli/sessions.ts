/**
 * \summary `auscult sessions [--device X] [--json]`: the remote-access sessions the sensor saw
 * (issue 20): which tool reached which device, from which peer, when, for how long and how many
 * bytes, with the frames that prove it. Nothing of the session content is stored (no user names,
 * no payload): see README "Remote access".
 */
import type { Command } from 'commander';
import { RemoteSessionStore, type StoredRemoteSession } from '../inventory/remote-session-store.js';
import { toolName } from '../observe/remote-sessions.js';
import { sessionPolicies, type SessionPolicy } from '../reconcile/remote-access-exceptions.js';
import { dbOption, formatTable, openExistingDb, termSafe, writeStdout } from './common.js';

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
/** `yes`, `NO` (stands out), or `-` when the record has no such column or no record matched. */
const yesNo = (v: boolean | null | undefined): string => (v === true ? 'yes' : v === false ? 'NO' : '-');

/** One session as `--json` prints it (times as ISO 8601 and microseconds). */
export function sessionJson(s: StoredRemoteSession): Record<string, unknown> {
  return {
    id: s.id, device_id: s.deviceId, device_ip: s.deviceIp, device_mac: s.deviceMac ?? null, device_port: s.devicePort,
    tool: s.tool, tool_name: toolName(s.tool), how: s.how, transport: s.transport, direction: s.direction,
    peer_ip: s.peerIp, peer_port: s.peerPort, start: iso(s.start), end: iso(s.end), start_us: s.start, end_us: s.end,
    bytes_to_device: s.bytesToDevice, bytes_from_device: s.bytesFromDevice, frames: s.frames,
    evidence_frames: { first: s.firstFrame, identified: s.evidenceFrame, last: s.lastFrame }, end_reason: s.endReason, capture_id: s.captureId,
  };
}

export function registerSessions(program: Command): void {
  dbOption(program.command('sessions'))
    .description('remote-access sessions (SSH, RDP, VNC, TeamViewer, AnyDesk, vendor platforms): device, tool, peer, when, bytes, evidence frames')
    .option('--device <id>', 'only this device (device id, MAC or IP)')
    .option('--json', 'JSON array on stdout')
    .action((opts: { db: string; device?: string; json?: boolean }) => {
      // Not read-only: a database of an older version gains the remote_session table (migrations) first.
      const db = openExistingDb(opts.db);
      let sessions: StoredRemoteSession[];
      let policies: Map<number, SessionPolicy>;
      try {
        sessions = new RemoteSessionStore(db).list(opts.device);
        // Issue 20: what the system of record says of each session (approved tool, service window).
        policies = sessions.length > 0 ? sessionPolicies(db) : new Map();
      } finally {
        db.close();
      }
      if (opts.json === true) {
        // `policy`: the matched record's asset id and whether it approves the tool and the start time (null: no record, or no such column).
        writeStdout(JSON.stringify(sessions.map((s) => ({ ...sessionJson(s), policy: policies.get(s.id) ?? null })), null, 2));
        return;
      }
      if (sessions.length === 0) {
        writeStdout('no remote-access sessions');
        return;
      }
      writeStdout(formatTable(
        ['device', 'tool', 'dir', 'peer', 'start', 'duration', 'bytes in/out', 'frames', 'approved', 'window', 'how'],
        sessions.map((s) => [
          s.deviceId ?? s.deviceIp, toolName(s.tool), s.direction === 'inbound' ? 'in' : 'out', `${s.peerIp}:${s.peerPort}`,
          iso(s.start), `${((s.end - s.start) / 1e6).toFixed(1)}s`, `${s.bytesToDevice}/${s.bytesFromDevice}`,
          `${s.firstFrame}-${s.lastFrame}`, yesNo(policies.get(s.id)?.approved), yesNo(policies.get(s.id)?.in_window), termSafe(s.how),
        ]),
      ));
    });
}
