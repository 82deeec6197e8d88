/**
 * The default BPF filter's remote-access part (issue 20), applied by libpcap itself (`tcpdump -r
 * capture -w out FILTER`) to nDPI's shared captures: DNS and the remote-control ports pass whole;
 * on other TCP ports only TLS handshake records and SYN/FIN/RST segments pass, never TLS
 * application data (record type 0x17).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BPF_FILTER } from '../../../src/config.js';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { readFrames } from '../../helpers/frames.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';
import { titled, toolMissing } from '../../helpers/tools.js';

const SKIP = toolMissing('tcpdump') ?? (sharedAvailable('captures', 'remote-access') ? null : SHARED_SKIP_REASON);
const dir = mkdtempSync(join(tmpdir(), 'auscult-bpf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The frames of `capture` the filter passes, and all of its frames. */
async function filtered(capture: string): Promise<{ all: FrameRecord[]; passed: Set<number> }> {
  const path = sharedPath('captures', 'remote-access', capture);
  const out = join(dir, `${capture}.pcap`);
  const r = spawnSync('tcpdump', ['-r', path, '-w', out, DEFAULT_BPF_FILTER], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const all = await readFrames(path);
  // Frames keep their bytes: match a passed frame to its original by its timestamp and length.
  const key = (f: FrameRecord) => `${f.tsMicros}/${f.ip?.src}/${f.tcp?.seq ?? f.udp?.srcPort}/${f.payload.length}`;
  const passedKeys = new Set((await readFrames(out)).map(key));
  return { all, passed: new Set(all.filter((f) => passedKeys.has(key(f))).map((f) => f.frameNo)) };
}

const tlsRecordType = (f: FrameRecord) => (f.payloadKind === 'tcp' && f.payload.length > 0 ? f.payload[0] : undefined);

describe.skipIf(SKIP !== null)(titled('default BPF filter on remote-access traffic', SKIP), () => {
  it('TLS on 443: every handshake record and every SYN/FIN/RST passes, no application-data record does', async () => {
    const { all, passed } = await filtered('tls_esni_sni_both.pcap');
    const handshakes = all.filter((f) => tlsRecordType(f) === 0x16);
    const appData = all.filter((f) => tlsRecordType(f) === 0x17);
    const control = all.filter((f) => f.tcp !== undefined && (f.tcp.flags & 0x07) !== 0);
    expect(handshakes.length).toBeGreaterThan(0);
    expect(appData.length).toBeGreaterThan(0);
    for (const f of [...handshakes, ...control]) expect(passed.has(f.frameNo), `frame ${f.frameNo}`).toBe(true);
    for (const f of appData) expect(passed.has(f.frameNo), `frame ${f.frameNo}`).toBe(false);
    expect(passed.size).toBeLessThan(all.length);
  });

  it('RDP (3389, in a VLAN), DNS (under QinQ and PPPoE too), SSH on 22 and TeamViewer on TCP 5938 pass whole; SSH on port 8000 only by its SYN/FIN/RST', async () => {
    for (const capture of ['rdp_over_tls.pcap', 'dns.pcap']) {
      const { all, passed } = await filtered(capture);
      expect(passed.size, capture).toBe(all.length);
    }
    const ssh = await filtered('ssh.pcap');
    const on22 = ssh.all.filter((f) => f.tcp?.srcPort === 22 || f.tcp?.dstPort === 22);
    expect(on22.length).toBeGreaterThan(200);
    for (const f of on22) expect(ssh.passed.has(f.frameNo)).toBe(true);
    for (const f of ssh.all) if (f.tcp?.dstPort === 8000 || f.tcp?.srcPort === 8000) expect(ssh.passed.has(f.frameNo)).toBe((f.tcp.flags & 0x07) !== 0);
    const tv = await filtered('teamviewer.pcap');
    for (const f of tv.all) if (f.tcp?.srcPort === 5938 || f.tcp?.dstPort === 5938) expect(tv.passed.has(f.frameNo)).toBe(true);
  });

  it('AnyDesk: its direct port 7070 whole, its ClientHello on 443 and 80, not its encrypted records there', async () => {
    const { all, passed } = await filtered('anydesk.pcapng');
    for (const f of all) {
      const ports = [f.tcp?.srcPort, f.tcp?.dstPort];
      if (ports.includes(7070)) expect(passed.has(f.frameNo)).toBe(true);
      else if (tlsRecordType(f) === 0x16) expect(passed.has(f.frameNo)).toBe(true);
      else if (tlsRecordType(f) === 0x17 && ((f.tcp?.flags ?? 0) & 0x07) === 0) expect(passed.has(f.frameNo), `frame ${f.frameNo}`).toBe(false);
    }
  });
});
