/**
 * \summary The `remote_session` table (issue 20): sessions the tracker ended, written at each
 * pipeline flush in one transaction, read by `auscult sessions` and `auscult device`.
 */
import type { Db } from './store.js';
import type { RemoteSession, SessionEndReason } from '../observe/remote-sessions.js';

export interface StoredRemoteSession extends RemoteSession {
  id: number;
  /** The inventory device that holds `deviceIp` now (by MAC first, then address), when known. */
  deviceId: string | null;
  captureId: number | null;
}

interface Row {
  id: number; tool: string; how: string; transport: 'tcp' | 'udp'; device_ip: string; device_mac: string | null;
  device_port: number; peer_ip: string; peer_port: number; direction: 'inbound' | 'outbound'; start_us: number;
  end_us: number; bytes_to_device: number; bytes_from_device: number; frames: number; first_frame: number;
  evidence_frame: number; last_frame: number; end_reason: SessionEndReason; capture_id: number | null; device_id: string | null;
}

export class RemoteSessionStore {
  constructor(private readonly db: Db) {}

  insert(sessions: readonly RemoteSession[], captureId: number | null): void {
    if (sessions.length === 0) return;
    const stmt = this.db.prepare(
      `INSERT INTO remote_session (tool, how, transport, device_ip, device_mac, device_port, peer_ip, peer_port, direction,
         start_us, end_us, bytes_to_device, bytes_from_device, frames, first_frame, evidence_frame, last_frame, end_reason, capture_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const s of sessions) {
        stmt.run(s.tool, s.how, s.transport, s.deviceIp, s.deviceMac ?? null, s.devicePort, s.peerIp, s.peerPort, s.direction,
          s.start, s.end, s.bytesToDevice, s.bytesFromDevice, s.frames, s.firstFrame, s.evidenceFrame, s.lastFrame, s.endReason, captureId);
      }
    })();
  }

  /**
   * Sessions, oldest first; `device` (a device id, MAC or IP) keeps those of one device. The
   * device id is looked up now: the device that holds the session's address, else the one with its MAC.
   */
  list(device?: string): StoredRemoteSession[] {
    const rows = this.db.prepare(
      `SELECT s.*, COALESCE(
          (SELECT a.device_id FROM device_address a WHERE a.ip = s.device_ip LIMIT 1),
          (SELECT d.id FROM device d WHERE d.mac = s.device_mac),
          (SELECT d.id FROM device d WHERE d.ip_key = s.device_ip)) AS device_id
       FROM remote_session s ORDER BY s.start_us, s.id`,
    ).all() as Row[];
    const wanted = device?.toLowerCase();
    return rows
      .map((r): StoredRemoteSession => ({
        id: r.id, tool: r.tool, how: r.how, transport: r.transport, deviceIp: r.device_ip, deviceMac: r.device_mac ?? undefined,
        devicePort: r.device_port, peerIp: r.peer_ip, peerPort: r.peer_port, direction: r.direction, start: r.start_us, end: r.end_us,
        bytesToDevice: r.bytes_to_device, bytesFromDevice: r.bytes_from_device, frames: r.frames, firstFrame: r.first_frame,
        evidenceFrame: r.evidence_frame, lastFrame: r.last_frame, endReason: r.end_reason, captureId: r.capture_id, deviceId: r.device_id,
      }))
      .filter((s) => wanted === undefined || s.deviceId === wanted || s.deviceIp === wanted || s.deviceMac === wanted);
  }
}
