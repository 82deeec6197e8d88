/**
 * Remote sessions from independent software (issue 20): fixtures/remote/lab-remote-access.pcapng
 * was recorded by fixtures/lab/remote-access.sh from real OpenSSH, TigerVNC, xrdp, dnsmasq and
 * OpenSSL in namespaces. Replayed through the CLI, `auscult sessions` names each session with
 * the right tool, device, peer and direction, `--device` filters, and the RDP cookie user name
 * the technician's request carried (CANARY-TECH-USER) is nowhere in the database or the output.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';

const CAPTURE = join(ROOT, 'fixtures', 'remote', 'lab-remote-access.pcapng');
const dir = mkdtempSync(join(tmpdir(), 'auscult-remote-lab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SessionJson { device_id: string | null; device_ip: string; tool: string; direction: string; peer_ip: string; peer_port: number; device_port: number; how: string; bytes_to_device: number; bytes_from_device: number; evidence_frames: { first: number; identified: number; last: number } }

describe('remote sessions recorded from real OpenSSH, TigerVNC, xrdp, dnsmasq and OpenSSL', () => {
  const db = join(dir, 'lab.db');
  const printed: string[] = [];

  it('replays, and sessions --json lists the four sessions with tool, device, peer and direction', () => {
    const replay = auscult(['replay', CAPTURE, '--db', db, '--log-level', 'trace']);
    expect(replay.code, replay.stderr).toBe(0);
    printed.push(replay.stdout, replay.stderr);
    const r = auscult(['sessions', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    printed.push(r.stdout, r.stderr);
    const sessions = JSON.parse(r.stdout) as SessionJson[];
    expect(sessions.map((s) => [s.tool, s.device_ip, s.device_port, s.peer_ip, s.direction])).toEqual([
      ['ssh', '10.40.0.10', 22, '10.40.0.50', 'inbound'],
      ['vnc', '10.40.0.10', 5901, '10.40.0.50', 'inbound'],
      ['rdp', '10.40.0.10', 3389, '10.40.0.50', 'inbound'],
      ['anydesk', '10.40.0.50', sessions[3]?.device_port, '10.40.0.99', 'outbound'],
    ]);
    expect(sessions[0]?.how).toBe('ssh banner 2.0 OpenSSH_9.2p1');
    expect(sessions[1]?.how).toBe('rfb 3.8');
    expect(sessions[2]?.how).toBe('rdp x224 request ssl+hybrid');
    expect(sessions[3]?.how).toBe('dns relay-7.net.anydesk.com');
    expect(sessions[0]?.device_id).toBe('mac-02a500400001');
    for (const s of sessions) {
      expect(s.bytes_to_device + s.bytes_from_device).toBeGreaterThan(0);
      // A DNS-named session's evidence is the DNS answer, before the session's first frame.
      if (s.how.startsWith('dns ')) expect(s.evidence_frames.identified).toBeLessThan(s.evidence_frames.first);
      else expect(s.evidence_frames.first).toBeLessThanOrEqual(s.evidence_frames.identified);
      expect(s.evidence_frames.identified).toBeLessThanOrEqual(s.evidence_frames.last);
    }
  });

  it('--device filters by MAC or IP; the table names the tools', () => {
    for (const d of ['02:a5:00:40:00:01', '10.40.0.10']) {
      const r = auscult(['sessions', '--db', db, '--json', '--device', d]);
      printed.push(r.stdout);
      expect((JSON.parse(r.stdout) as SessionJson[]).map((s) => s.tool), d).toEqual(['ssh', 'vnc', 'rdp']);
    }
    const table = auscult(['sessions', '--db', db, '--wide']);
    printed.push(table.stdout);
    expect(table.stdout).toMatch(/SSH.*\n.*VNC \(RFB\).*\n.*Remote Desktop \(RDP\).*\n.*AnyDesk/);
  });

  it('device <id> --json carries the sessions of the device (the pump: three inbound)', () => {
    const r = auscult(['device', '10.40.0.10', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    printed.push(r.stdout);
    const device = JSON.parse(r.stdout) as { id: string; os: string | null; remote_sessions: SessionJson[] };
    expect(device.id).toBe('mac-02a500400001');
    // Its SSH banner (Debian's OpenSSH package) names its OS: fingerprints/ssh-banner.yaml.
    expect(device.os).toBe('Debian 12');
    expect(device.remote_sessions.map((s) => [s.tool, s.direction])).toEqual([['ssh', 'inbound'], ['vnc', 'inbound'], ['rdp', 'inbound']]);
  });

  it('the RDP cookie user name is in the capture and nowhere after replay', () => {
    expect(readFileSync(CAPTURE).toString('latin1')).toContain('mstshash=CANARY-TECH-USER');
    const devices = auscult(['devices', '--db', db, '--json']);
    printed.push(devices.stdout, devices.stderr);
    for (const text of printed) expect(text).not.toContain('CANARY-TECH-USER');
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).toString('latin1'), f).not.toContain('CANARY-TECH-USER');
  });
});
